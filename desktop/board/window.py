"""The heads' control board window: where the organisation stands on deadlines, by executor and by category."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.board.model import BoardModel
from desktop.clock import utc_label, zone_time
from offline_cache.control_board import Cell, Dimension


def _t(text: str) -> str:
    return QCoreApplication.translate("ControlBoard", text)


class BoardWindow(QDialog):
    """Two tables (by executor, by category); a click or Enter on a count opens its items in the queue.

    Signals:
        cellActivated(object): a ``Cell`` whose items the official wants to see.
    """

    cellActivated = Signal(object)

    def __init__(self, conn: Any, zone: str, clock: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("controlBoard")
        self.setWindowTitle(_t("Контроль сроков"))
        self.setModal(False)
        self._zone, self._clock = zone, clock
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.as_of = QLabel()
        self.as_of.setObjectName("boardAsOf")
        self.as_of.setTextFormat(Qt.TextFormat.PlainText)
        head.addWidget(self.as_of, 1)
        self.refresh_button = QPushButton(_t("Обновить (F5)"))
        self.refresh_button.setObjectName("boardRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        head.addWidget(self.refresh_button)
        layout.addLayout(head)
        self.tabs = QTabWidget()
        self.models: dict[Dimension, BoardModel] = {}
        self.tables: dict[Dimension, QTableView] = {}
        tabs = ((Dimension.EXECUTOR, _t("По исполнителям")), (Dimension.CATEGORY, _t("По категориям")))
        for dimension, title in tabs:
            model = BoardModel(conn, dimension, zone, clock, self)
            table = QTableView()
            table.setObjectName(f"board_{dimension.value}")
            table.setModel(model)
            table.setSelectionBehavior(QTableView.SelectionBehavior.SelectItems)
            table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
            table.verticalHeader().hide()
            table.setAlternatingRowColors(True)
            header = table.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            for column in range(1, model.columnCount()):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
            # A click or Enter (the view emits activated for Enter) opens the count's items.
            table.clicked.connect(self._open)
            table.activated.connect(self._open)
            self.models[dimension], self.tables[dimension] = model, table
            self.tabs.addTab(table, title)
        layout.addWidget(self.tabs, 1)
        note = QLabel(_t("Сроки — по сроку ответа (для нераспределённых — по сроку распределения, после "
                         "промежуточного ответа — по обещанной дате). Контрольные сроки этапов — в карточке. "
                         "Щелчок или Enter на числе — открыть эти сообщения в очереди."))
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.setStyleSheet("color: palette(mid);")
        layout.addWidget(note)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        self.resize(900, 520)
        self._stamp()

    def _stamp(self) -> None:
        now = self._clock()
        zone = ZoneInfo(self._zone)
        self.as_of.setText(_t("На {t} ({zone})").format(t=zone_time(now, zone), zone=utc_label(zone, now)))

    def refresh(self) -> None:
        """Count both tables again from the cache (after a sync, or F5)."""
        for dimension, model in self.models.items():
            table = self.tables[dimension]
            current = table.currentIndex()
            model.refresh()
            if current.isValid():
                table.setCurrentIndex(model.index(min(current.row(), model.rowCount() - 1), current.column()))
        self._stamp()

    def current_table(self) -> QTableView:
        return self.tables[list(self.tables)[self.tabs.currentIndex()]]

    def _open(self, index: QModelIndex) -> None:
        model = index.model()
        cell = model.cell(index) if isinstance(model, BoardModel) else None
        if isinstance(cell, Cell):
            self.cellActivated.emit(cell)
