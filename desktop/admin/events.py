"""«Журнал изменений»: the platform's history of administrative changes; offline, this workstation's audit lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.admin.online import AdminOps
from desktop.admin.table import RowsTableModel, rows_view
from desktop.clock import utc_label, zone_time
from offline_cache.admin import admin_audit_lines
from offline_cache.contract.admin import AdminEventOut
from offline_cache.store.cache import Cache

HEADERS = ("Когда", "Кто", "Изменение")


def _t(text: str) -> str:
    return QCoreApplication.translate("AdminEvents", text)


@dataclass(frozen=True, slots=True)
class EventRow:
    at: datetime
    who: str
    summary: str


class EventTableModel(RowsTableModel[EventRow]):
    """Administrative changes, newest first; times in the organisation's zone."""

    HEADERS = HEADERS
    CONTEXT = "AdminEvents"

    def __init__(self, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = zone

    def set_rows(self, rows: list[EventRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def header_text(self, section: int, title: str) -> str:
        return f"{title} ({utc_label(self._zone)})" if section == 0 else title

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.rows[index.row()]
        return (zone_time(row.at, self._zone), row.who, row.summary)[index.column()]


class EventsPage(QWidget):
    """The log; refreshed whenever the tab is shown (and after each change made in this window)."""

    def __init__(self, reader: Cache, ops: AdminOps, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adminEventsPage")
        self._reader, self._ops = reader, ops
        layout = QVBoxLayout(self)
        self.source = QLabel()
        self.source.setObjectName("adminEventsSource")
        self.source.setWordWrap(True)
        layout.addWidget(self.source)
        self.model = EventTableModel(zone, self)
        self.table = rows_view("adminEventsTable", self.model, stretch=2, single=False)
        layout.addWidget(self.table, 1)
        self.show_local()

    def _names(self) -> dict[str, str]:
        return {s.id: s.full_name for s in self._reader.staff()}

    def show_local(self) -> None:
        """Offline: the changes made from this workstation (its audit log)."""
        names = self._names()
        self.source.setText(_t("Нет связи с платформой: показаны изменения, сделанные с этого компьютера."))
        self.model.set_rows([EventRow(datetime.fromisoformat(at), names.get(who, who), details)
                             for at, who, _action, details in admin_audit_lines(self._reader)])

    def reload(self) -> None:
        if self._ops.online:
            self._ops.call(lambda client: client.admin_events(), self._arrived, lambda _why: self.show_local())
        else:
            self.show_local()

    def _arrived(self, events: list[AdminEventOut]) -> None:
        names = self._names()
        self.source.setText(_t("Журнал платформы: изменения всех администраторов организации."))
        self.model.set_rows([EventRow(e.at, names.get(e.actor_id, e.actor_id), e.summary) for e in events])
