"""Small widget helpers shared by the features: a shortcut button, selecting a table's row."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTableView


def action_button(row: QHBoxLayout, name: str, text: str, keys: str, slot: Callable[[], object]) -> QPushButton:
    """A push button with its shortcut shown in the tooltip (every action has one)."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setShortcut(QKeySequence(keys))
    button.setToolTip(QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText))
    button.setAutoDefault(False)  # Enter in a form's text box is a new line, not a click on the first button
    button.clicked.connect(lambda: slot())
    row.addWidget(button)
    return button


def select_or_first(table: QTableView, row: int) -> int:
    """Makes ``row`` (when -1: the first row, if any) current and selected as a whole; returns it, -1 for none."""
    model = table.model()
    if row < 0 and model.rowCount() > 0:
        row = 0
    if row >= 0:
        table.selectionModel().setCurrentIndex(
            model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    return row
