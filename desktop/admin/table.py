"""``RowsTableModel``: a flat, read-only table of one Python object per row with fixed, translated headers."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt

RowT = TypeVar("RowT")
Index = QModelIndex | QPersistentModelIndex


class RowsTableModel(QAbstractTableModel, Generic[RowT]):
    """Rows in ``rows``, columns in ``HEADERS`` (translated in ``CONTEXT``).

    Subclasses add ``data`` and a ``set_*`` that resets ``rows`` (with any state of their own).
    """

    HEADERS: ClassVar[tuple[str, ...]] = ()
    #: The translation context of the headers (the feature's own ``_t``).
    CONTEXT: ClassVar[str] = ""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[RowT] = []

    def row_at(self, row: int) -> RowT | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def header_text(self, section: int, title: str) -> str:
        """The translated ``title`` of column ``section``; overridden to add e.g. the time zone."""
        return title

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.header_text(section, QCoreApplication.translate(self.CONTEXT, self.HEADERS[section]))
        return None
