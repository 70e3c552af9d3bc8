"""The ranking table: the headless rows of ``offline_cache.ranking``, sorted by re-ordering that list."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal

from offline_cache.ranking import FIGURES, Figure, OrgFigures, ordered

Index = QModelIndex | QPersistentModelIndex
#: The figure's raw value (float or None) for each figure column; the organisation's id for the others.
ValueRole = Qt.ItemDataRole.UserRole + 1

#: Columns: place, organisation, then one per figure in Figure's order.
FIGURE_COLUMNS: tuple[Figure, ...] = tuple(Figure)
FIRST_FIGURE = 2
LEVELS = {"region": "край", "municipality": "муниципалитет", "settlement": "поселение"}


def _t(text: str) -> str:
    return QCoreApplication.translate("RankingModel", text)


def figure_text(figure: Figure, value: float | None) -> str:
    """A figure as the table and the chart print it (Russian decimal comma)."""
    if value is None:
        return "—"
    if figure is Figure.MESSAGES:
        text = f"{value:.0f}"
    elif figure in (Figure.IN_TIME_SHARE, Figure.REPROCESSED_SHARE):
        text = f"{value * 100:.1f} %"
    elif figure is Figure.AVERAGE_HOURS:
        text = f"{value:.1f} ч"
    else:
        text = f"{value:.2f}"
    return text.replace(".", ",")


def figure_of(column: int) -> Figure | None:
    index = column - FIRST_FIGURE
    return FIGURE_COLUMNS[index] if 0 <= index < len(FIGURE_COLUMNS) else None


class RankingModel(QAbstractTableModel):
    """Organisations in the order of the chosen figure; ``sort`` re-orders the computed rows (tens of them),
    with the ranking's own rule: organisations without the figure last, ties by name.

    Signals:
        orderChanged(str, bool): the figure the rows are ordered by, and whether descending.
    """

    orderChanged = Signal(str, bool)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[OrgFigures] = []
        self.figure = Figure.IN_TIME_SHARE
        self.descending = FIGURES[self.figure].higher_is_better

    def set_rows(self, rows: list[OrgFigures]) -> None:
        self.beginResetModel()
        self.rows = ordered(rows, self.figure, self.descending)
        self.endResetModel()

    def order_by(self, figure: Figure, descending: bool | None = None) -> None:
        """Order by ``figure``; best first unless ``descending`` says otherwise."""
        self.figure = figure
        self.descending = FIGURES[figure].higher_is_better if descending is None else descending
        self.layoutAboutToBeChanged.emit()
        old = list(self.rows)
        self.rows = ordered(self.rows, figure, self.descending)
        moved = {r.org_id: n for n, r in enumerate(self.rows)}
        for persistent in self.persistentIndexList():
            row = moved[old[persistent.row()].org_id]
            self.changePersistentIndex(persistent, self.index(row, persistent.column()))
        self.layoutChanged.emit()
        self.orderChanged.emit(figure.value, self.descending)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        figure = figure_of(column)
        if figure is not None:  # the place and the name are not figures: the order stays
            self.order_by(figure, order == Qt.SortOrder.DescendingOrder)

    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else FIRST_FIGURE + len(FIGURE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        figure = figure_of(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if figure is None:
                return (_t("Место"), _t("Организация"))[section]
            info = FIGURES[figure]
            return f"{_t(info.short)}, {_t(info.unit)}"
        if role == Qt.ItemDataRole.ToolTipRole and figure is not None:  # the whole name and how it is computed
            return f"{_t(FIGURES[figure].title)}. {_t(FIGURES[figure].definition)}"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows) \
                or not 0 <= index.column() < self.columnCount():
            return None
        row = self.rows[index.row()]
        figure = figure_of(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return str(index.row() + 1) if row.value(self.figure) is not None else "—"
            if figure is None:
                return row.name
            return figure_text(figure, row.value(figure))
        if role == Qt.ItemDataRole.ToolTipRole:
            if figure is None:
                return f"{row.name} ({_t(LEVELS.get(row.level.value, row.level.value))})"
            return _counts(figure, row)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() != 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ValueRole:
            return row.org_id if figure is None else row.value(figure)
        return None


def _counts(figure: Figure, row: OrgFigures) -> str:
    """What the figure was computed from, for the cell's tooltip."""
    if figure is Figure.MESSAGES:
        return _t("Поступило за период: {n}").format(n=row.received)
    if figure in (Figure.IN_TIME_SHARE, Figure.AVERAGE_HOURS):
        return _t("Ответов за период: {n}, из них в срок: {k}").format(n=row.answered, k=row.answered_in_time)
    return _t("Оценено за период: {n}, из них на 1–2 балла: {k}").format(n=row.rated, k=row.reprocessed)
