"""The outbox table: every action not yet delivered (and, on request, what became of the others)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop.clock import utc_label, zone_time
from desktop.labels import outbox_state_name, short_action_name
from offline_cache.outbox import Outbox
from offline_cache.store.cache import Cache, OutboxEntry

Index = QModelIndex | QPersistentModelIndex
EntryIdRole = Qt.ItemDataRole.UserRole + 1
StateRole = Qt.ItemDataRole.UserRole + 2

COLUMNS = ("state", "queued", "number", "action", "who", "reason")
#: Not delivered: waiting, on the way, refused by the platform or in conflict with it.
UNDELIVERED = ("pending", "sending", "failed", "conflict")
#: Where an entry ended (shown on request, so nothing disappears silently).
FINISHED = ("done", "cancelled", "discarded", "resolved")

STATE_COLOURS = {"failed": QColor("#c62828"), "conflict": QColor("#b26a00"), "sending": QColor("#1565c0")}


def _t(text: str) -> str:
    return QCoreApplication.translate("OutboxModel", text)


def _header(column: str) -> str:
    names = {"state": _t("Состояние"), "queued": _t("Поставлено"), "number": _t("Номер"),
             "action": _t("Действие"), "who": _t("Кто"), "reason": _t("Причина")}
    return names[column]


class OutboxModel(QAbstractTableModel):
    """Outbox entries oldest first, as the worker will deliver them; read through the UI's reader."""

    def __init__(self, reader: Cache, me_id: str, zone: str, parent: Any = None) -> None:
        super().__init__(parent)
        self._reader, self._me = reader, me_id
        self._zone = ZoneInfo(zone)
        self._entries: list[OutboxEntry] = []
        self._numbers: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self.show_finished = False
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        states = None if self.show_finished else UNDELIVERED
        self._entries = Outbox(self._reader).entries(states)
        ids = sorted({e.item_id for e in self._entries})
        marks = ",".join("?" * len(ids))
        self._numbers = {str(i): str(n) for i, n in self._reader.db.execute(
            f"SELECT id, number FROM items WHERE id IN ({marks})", ids)} if ids else {}
        self._names = {str(i): str(n) for i, n in self._reader.db.execute("SELECT id, full_name FROM staff")}
        self.endResetModel()

    def set_show_finished(self, show: bool) -> None:
        self.show_finished = show
        self.reload()

    def entry(self, row: int) -> OutboxEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def row_of(self, entry_id: int) -> int:
        return next((n for n, e in enumerate(self._entries) if e.id == entry_id), -1)

    def number(self, entry: OutboxEntry) -> str:
        return self._numbers.get(entry.item_id, entry.item_id)

    def is_mine(self, entry: OutboxEntry) -> bool:
        """Entries of another login stay visible but are never sent (nor changed) under this one."""
        return entry.user_id is None or entry.user_id == self._me

    def who(self, entry: OutboxEntry) -> str:
        name = self._names.get(entry.user_id or "", entry.user_id or "")
        text = _t("я") if self.is_mine(entry) else _t("другой вход: {name}").format(name=name)
        if entry.acting_for:
            text += _t(" за {name}").format(name=self._names.get(entry.acting_for, entry.acting_for))
        return text

    def queued(self, entry: OutboxEntry) -> str:
        moment = datetime.fromisoformat(entry.created_at)
        return f"{zone_time(moment, self._zone)} ({utc_label(self._zone, moment)})"

    # --- Qt model API -----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            return _header(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        column = COLUMNS[index.column()]
        if role == EntryIdRole:
            return entry.id
        if role == StateRole:
            return entry.state
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._display(entry, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == "state" and entry.state in STATE_COLOURS:
            return QBrush(STATE_COLOURS[entry.state])
        if role == Qt.ItemDataRole.ForegroundRole and not self.is_mine(entry):
            return QBrush(QColor("#757575"))
        return None

    def _display(self, entry: OutboxEntry, column: str) -> str:
        if column == "state":
            return outbox_state_name(entry.state)
        if column == "queued":
            return self.queued(entry)
        if column == "number":
            return self.number(entry)
        if column == "action":
            return short_action_name(entry.action)
        if column == "who":
            return self.who(entry)
        if column == "reason":
            return entry.last_error
        return ""
