"""The control board's table model: one row per executor or category and a totals row, counted in SQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from offline_cache.control_board import MEASURES, AnsweredMemo, Board, Cell, Dimension, Measure, control_board

Index = QModelIndex | QPersistentModelIndex
CellRole = Qt.ItemDataRole.UserRole + 1


def _t(text: str) -> str:
    return QCoreApplication.translate("ControlBoard", text)


def measure_name(measure: Measure) -> str:
    return {
        Measure.OPEN: _t("В работе"),
        Measure.DUE_TODAY: _t("Срок сегодня"),
        Measure.DUE_SOON: _t("Срок в 3 дня"),
        Measure.OVERDUE: _t("Просрочено"),
        Measure.RETURNED: _t("На доработке"),
        Measure.ANSWERED_IN_TIME: _t("Отвечено в срок (месяц)"),
    }[measure]


def measure_hint(measure: Measure) -> str:
    """What a column counts, for its header's tooltip (the rules of ``offline_cache.control_board``)."""
    return {
        Measure.OPEN: _t("Открытые сообщения: организация ещё должна ответ заявителю"),
        Measure.DUE_TODAY: _t("Открытые, срок которых истекает сегодня (в 24:00 по времени организации)"),
        Measure.DUE_SOON: _t("Открытые, срок которых истекает в один из трёх следующих дней"),
        Measure.OVERDUE: _t("Открытые, срок которых уже прошёл"),
        Measure.RETURNED: _t("Возвращённые на доработку и ещё не отправленные снова"),
        Measure.ANSWERED_IN_TIME: _t("Ответ отправлен в этом месяце и до истечения срока"),
    }[measure]


#: Columns whose non-zero counts call for attention.
ALARMS = {Measure.OVERDUE: QColor("#c62828"), Measure.DUE_TODAY: QColor("#d84315"), Measure.DUE_SOON: QColor("#b26a00")}


class BoardModel(QAbstractTableModel):
    """The board by one dimension; ``refresh`` counts it again at the clock's time."""

    def __init__(self, conn: Any, dimension: Dimension, zone: str, clock: Callable[[], datetime],
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._conn, self.dimension, self.zone, self._clock = conn, dimension, zone, clock
        self._memo = AnsweredMemo()  # the month's answers are counted again only when they change
        self.board: Board | None = None
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self.board = control_board(self._conn, self.dimension, self._clock(), self.zone, self._memo)
        self.endResetModel()

    def _rows(self) -> int:
        return 0 if self.board is None else len(self.board.rows) + 1  # the totals row last

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._rows()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + len(MEASURES)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section <= len(MEASURES):
            return None
        if section == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return _t("Исполнитель") if self.dimension is Dimension.EXECUTOR else _t("Категория")
            return None
        measure = MEASURES[section - 1]
        if role == Qt.ItemDataRole.DisplayRole:
            return measure_name(measure)
        if role == Qt.ItemDataRole.ToolTipRole:
            return measure_hint(measure)
        return None

    def cell(self, index: Index) -> Cell | None:
        """The items behind a count, as a queue filter (None for the name column)."""
        if self.board is None or not index.isValid() or index.column() == 0 or index.row() >= self._rows():
            return None
        measure = MEASURES[index.column() - 1]
        total = index.row() == len(self.board.rows)
        key = None if total else self.board.rows[index.row()].key
        name = _t("Всего") if total else self.board.rows[index.row()].name
        ids = None
        if measure is Measure.ANSWERED_IN_TIME:  # the items the board counted, by id: no month of lookups again
            counted = self._memo.counted
            ids = tuple(sorted(i for k, v in counted.items() if key is None or k == key for i in v))
        return Cell(self.dimension, key, measure, self.zone, f"{name} — {measure_name(measure).lower()}", ids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.board is None or not index.isValid() or not 0 <= index.row() < self._rows():
            return None
        total = index.row() == len(self.board.rows)
        counts = self.board.totals if total else self.board.rows[index.row()].counts
        if role == CellRole:
            return self.cell(index)
        if index.column() == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return _t("Всего") if total else self.board.rows[index.row()].name
            if role == Qt.ItemDataRole.FontRole and total:
                font = QFont()
                font.setBold(True)
                return font
            return None
        measure = MEASURES[index.column() - 1]
        value = counts[measure]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and value and measure in ALARMS:
            return QBrush(ALARMS[measure])
        if role == Qt.ItemDataRole.FontRole and (total or (value and measure is Measure.OVERDUE)):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return _t("{hint}. Щелчок или Enter — открыть эти сообщения в очереди").format(hint=measure_hint(measure))
        return None
