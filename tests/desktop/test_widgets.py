"""desktop.widgets: the shortcut button and selecting a table's row (used by the admin tabs and the templates)."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QTableView, QWidget
from pytestqt.qtbot import QtBot

from desktop.widgets import action_button, select_or_first


def test_action_button_has_its_shortcut_and_calls_the_slot(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    calls: list[int] = []
    button = action_button(QHBoxLayout(host), "saveIt", "Сохранить", "Ctrl+S", lambda: calls.append(1))
    assert button.objectName() == "saveIt" and button.shortcut() == QKeySequence("Ctrl+S")
    assert button.toolTip() and not button.autoDefault()
    button.click()
    assert calls == [1]


def test_select_or_first(qtbot: QtBot) -> None:
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(QStringListModel([]))
    assert select_or_first(table, -1) == -1 and not table.currentIndex().isValid()
    table.setModel(QStringListModel(["а", "б", "в"]))
    assert select_or_first(table, -1) == 0 and table.currentIndex().row() == 0
    assert select_or_first(table, 2) == 2 and table.currentIndex().row() == 2
    assert [i.row() for i in table.selectionModel().selectedRows()] == [2]
