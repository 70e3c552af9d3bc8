"""Table models of «Итоги месяца»: the figures, and the overdue items with the head's disciplinary measure."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal

from offline_cache.report_export import Figure, MonthlyReport
from offline_cache.report_records import MEASURE_MAX
from offline_cache.reports import OverdueItem

Index = QModelIndex | QPersistentModelIndex


def _t(text: str) -> str:
    return QCoreApplication.translate("MonthlySummary", text)


class FiguresModel(QAbstractTableModel):
    """«Показатель» and «Значение» of the month; the hover says how the figure is computed."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Figure] = []
        self.notes: dict[str, str] = {}

    def set_report(self, report: MonthlyReport | None, notes: dict[str, str]) -> None:
        self.beginResetModel()
        self.rows = report.figures() if report is not None else []
        self.notes = notes
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 2:
            return (_t("Показатель"), _t("Значение"))[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        figure = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _t(figure.label) if index.column() == 0 else figure.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.notes.get(figure.label.strip(), "")
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


OVERDUE_COLUMNS = ("Номер", "Срок", "Ответ", "Исполнитель", "Дисциплинарная мера")
MEASURE_COLUMN = 4


class OverdueModel(QAbstractTableModel):
    """The overdue items of the month; the measure column is editable by whoever may record measures.

    Signals:
        measureEdited(str, str): item id and the measure typed (to be recorded on the worker).
    """

    measureEdited = Signal(str, str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[OverdueItem] = []
        self.rows: list[tuple[str, str, str, str, str]] = []
        self.editable = False
        self.zone_label = ""

    def set_report(self, report: MonthlyReport | None, *, editable: bool) -> None:
        self.beginResetModel()
        self.items = list(report.summary.overdue) if report is not None else []
        self.rows = report.overdue_rows() if report is not None else []
        self.zone_label = report.zone_label if report is not None else ""
        self.editable = editable
        self.endResetModel()

    def item_id(self, row: int) -> str:
        return self.items[row].item_id

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(OVERDUE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole \
                or not 0 <= section < len(OVERDUE_COLUMNS):
            return None
        title = _t(OVERDUE_COLUMNS[section])
        return f"{title} ({self.zone_label})" if section in (1, 2) and self.zone_label else title

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        value = self.rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if index.column() == 2 and not self.items[index.row()].answered_at:
                return _t("не отвечено")
            return value
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == MEASURE_COLUMN:
            return _t("Дисциплинарная мера, принятая по просрочке (до {n} символов); Enter — записать").format(
                n=MEASURE_MAX) if self.editable else value
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == MEASURE_COLUMN and self.editable:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != MEASURE_COLUMN or role != Qt.ItemDataRole.EditRole \
                or not self.editable or not 0 <= index.row() < len(self.rows):
            return False
        text = str(value or "").strip()[:MEASURE_MAX]
        row = self.rows[index.row()]
        if text == row[MEASURE_COLUMN]:
            return True
        self.rows[index.row()] = (row[0], row[1], row[2], row[3], text)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        self.measureEdited.emit(self.items[index.row()].item_id, text)
        return True
