"""The admin tabs' parts: ``RowsTableModel`` (one object per row, fixed headers), its view, labels, question."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QWidget,
)

RowT = TypeVar("RowT")
Index = QModelIndex | QPersistentModelIndex
#: A tab's own read-only banner (amber); the admin window's shared one is red.
OFFLINE_STYLE = "background: #fff4e5; color: #6b3d00; padding: 6px;"
#: Why a dialog's form cannot be saved yet.
PROBLEM_STYLE = "color: #c62828;"


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


def rows_view(name: str, model: QAbstractItemModel, *, stretch: int | None = None, single: bool = True,
              word_wrap: bool = True) -> QTableView:
    """A read-only table selecting whole rows; columns fit their contents, ``stretch`` takes what is left."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    if not word_wrap:
        table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def plain_label(name: str, style: str = "") -> QLabel:
    """A wrapped plain-text label: what it shows quotes names and the platform's reasons, never ours to render."""
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if style:
        label.setStyleSheet(style)
    return label


def confirm(parent: QWidget, name: str, title: str, text: str, yes: str, on_yes: Callable[[], object]) -> QMessageBox:
    """Opens a plain-text question whose default is «Отмена» (Enter must not do the irreversible thing)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName(name)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.button(QMessageBox.StandardButton.Yes).setText(yes)
    box.button(QMessageBox.StandardButton.Cancel).setText(QCoreApplication.translate("Admin", "Отмена"))
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.accepted.connect(lambda: on_yes())
    box.open()
    return box
