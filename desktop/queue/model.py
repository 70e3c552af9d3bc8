"""The queue table model: pages read from the cache in SQL; sorting and filtering happen in SQL too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from desktop.clock import utc_label, zone_time
from desktop.countdown import URGENCY_COLOURS, countdown
from desktop.labels import kind_name, status_name
from desktop.queue.reader import PageRead, PageRequest
from offline_cache.control import ControlTimes, row_key
from offline_cache.domain.stages import Deadline
from offline_cache.queues import SORT_COLUMNS, Filters, QueueId, QueueQuery

Index = QModelIndex | QPersistentModelIndex
PAGE = 200
DUE_CACHE_LIMIT = 20_000
ItemIdRole = Qt.ItemDataRole.UserRole + 1
UrgencyRole = Qt.ItemDataRole.UserRole + 2

COLUMNS = ("number", "deadline", "status", "received", "category", "address", "assignee", "kind", "pending")


def _header(column: str) -> str:
    from PySide6.QtCore import QCoreApplication

    names = {"number": "Номер", "received": "Поступило", "kind": "Вид", "category": "Категория",
             "address": "Адрес", "status": "Статус", "assignee": "Исполнитель", "deadline": "Срок",
             "pending": "Δ"}
    return QCoreApplication.translate("QueueModel", names[column])


_DEADLINE = COLUMNS.index("deadline")
#: Roles the delegate asks of every cell that this model leaves unset (the style decides).
_PAINTED = frozenset({Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole,
                      Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.DecorationRole,
                      Qt.ItemDataRole.BackgroundRole})


@dataclass(frozen=True, slots=True)
class _Cells:
    texts: tuple[str, ...]
    brush: QBrush | None  # the countdown's colour
    urgency: str | None


class QueueModel(QAbstractTableModel):
    """One queue's rows, fetched page by page as the view scrolls.

    The model never holds more than the rows the view has asked for; ``sort`` and the filters
    re-run the SQL query. ``tick`` refreshes only the countdown column.
    """

    def __init__(self, query: QueueQuery, parent: Any = None, *, clock: Any = None, zone: str = "UTC") -> None:
        super().__init__(parent)
        self._zone = ZoneInfo(zone)  # the organisation's, as on the card: not the computer's
        self._query = query
        self._queue = QueueId.ALL
        self._filters = Filters()
        self._sort, self._descending = "deadline", False
        self._rows: list[dict[str, Any]] = []
        self._total = 0
        self._clock = clock or (lambda: datetime.now(UTC))
        self._now: datetime = self._clock()
        # The countdown runs to the nearer of the legal and the stage's control time (issue 13): that needs
        # the item's history, so it is computed only for the rows the view asks about (the visible ones).
        self._times = ControlTimes(query.conn, self._zone)
        # Kept across re-reads (a search re-reads the queue at each pause in typing) by what the row shows of
        # the item's state; forgotten when the stage terms or the calendar change.
        self._due_cache: dict[tuple[Any, ...], Deadline | None] = {}
        self._times_seen = self._times.signature
        # Bumped by every read of the queue and every row changed in place: a background read
        # (``apply_read``) asked for before either is older than what the model shows, and is dropped.
        self._generation = 0
        self._counts_in: dict[QueueId, int] = {}  # the current filters' counts in other queues, if read
        # Each row's cells, worked out at its first paint: a repaint asks every visible cell for seven roles.
        self._shown: dict[int, _Cells] = {}

    # --- configuration ----------------------------------------------------------------------

    @property
    def queue(self) -> QueueId:
        return self._queue

    @property
    def filters(self) -> Filters:
        return self._filters

    @property
    def zone(self) -> ZoneInfo:
        """The organisation's time zone, in which the table shows times."""
        return self._zone

    @property
    def total(self) -> int:
        return self._total

    def set_queue(self, queue: QueueId, filters: Filters | None = None) -> None:
        self._queue = queue
        if filters is not None:
            self._filters = filters
        self.reload()

    def set_filters(self, filters: Filters) -> None:
        self._filters = filters
        self.reload()

    def reload(self, keep: int = 0) -> None:
        """Re-read from the first page (keeping at least ``keep`` rows loaded, for refreshes)."""
        self.beginResetModel()
        self._generation += 1
        self._shown = {}
        self._counts_in = {}
        self._now = self._clock()
        self._total = self._query.count(self._queue, self._filters, self._now)
        wanted = max(PAGE, keep)
        self._rows = self._query.page(self._queue, self._filters, self._now, sort=self._sort,
                                      descending=self._descending, offset=0, limit=wanted)
        self._forget_stale_deadlines()
        self.endResetModel()

    def refresh(self) -> None:
        """Re-read after the cache changed, keeping the rows already loaded."""
        self.reload(keep=len(self._rows))

    def refresh_request(self) -> PageRequest:
        """What ``refresh`` reads, for a ``QueueReader`` to read off the UI thread."""
        return PageRequest(self._generation, self._queue, self._filters, self._sort, self._descending,
                           max(PAGE, len(self._rows)), self._clock(), self._zone)

    def apply_read(self, read: PageRead) -> bool:
        """Show a page read in the background, as ``refresh`` would have; False (and nothing changes) when
        the model was read again or had rows changed since it was asked for: the read is older than them."""
        if read.request.generation != self._generation:
            return False
        self._counts_in = dict(read.counts)
        if read.total == self._total and read.rows == self._rows:
            # Nothing shown changed (a sync pass that brought nothing for this queue): no reset, so the
            # view does not ask for every cell again while the download threads want the interpreter.
            self._now = read.request.now
            return True
        # As many rows as shown (a full page, as during a download): the rows that differ are changed in
        # place, each on its own, so the view repaints only those it shows (a range, or a reset, repaints
        # every visible cell, ~20 ms of the window's thread while a download wants the interpreter).
        in_place = len(read.rows) == len(self._rows) > 0
        if not in_place:
            self.beginResetModel()
        self._generation += 1
        self._now = read.request.now
        self._total = read.total
        previous, self._rows = self._rows, read.rows
        if read.times_signature != self._times.signature or len(self._due_cache) > DUE_CACHE_LIMIT:
            self._forget_stale_deadlines()  # the reader saw other terms or calendar: read them here too
        if self._times.signature == read.times_signature:  # the reader's deadlines count as ours
            self._due_cache.update(read.dues)
        if not in_place:
            self._shown = {}
            self.endResetModel()
            return True
        last = len(COLUMNS) - 1
        for n, (old, new) in enumerate(zip(previous, read.rows, strict=True)):
            if old != new:
                self._shown.pop(n, None)
                self.dataChanged.emit(self.index(n, 0), self.index(n, last))
        return True

    def _forget_stale_deadlines(self) -> None:
        """Countdowns are kept across re-reads, but not past a change of stage terms or calendar."""
        self._times.reload()
        if self._times.signature != self._times_seen or len(self._due_cache) > DUE_CACHE_LIMIT:
            self._due_cache.clear()
            self._times_seen = self._times.signature

    def update_rows(self, item_ids: list[str]) -> None:
        """Show the new state of rows already loaded at once, without re-reading the queue.

        An official's own action must show on its row immediately; whether the item still belongs
        in the queue is left to the next (coalesced) ``refresh``.
        """
        wanted = {i for i in item_ids if self.row_of(i) >= 0}
        if not wanted:
            return
        fresh = self._query.rows(sorted(wanted))
        for n, row in enumerate(self._rows):
            new = fresh.get(row["id"])
            if new is not None and new != row:
                self._generation += 1
                self._rows[n] = new
                self._shown.pop(n, None)
                self.dataChanged.emit(self.index(n, 0), self.index(n, len(COLUMNS) - 1))

    def tick(self) -> None:
        """The minute timer fired: countdowns move on, nothing is re-read."""
        self._now = self._clock()
        self._shown = {}  # the countdowns moved on
        if self._rows:
            col = COLUMNS.index("deadline")
            self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, UrgencyRole])

    def count_in(self, queue: QueueId) -> int:
        """How many items the current filters and search find in another queue."""
        if queue in self._counts_in:  # read with the page, in the background
            return self._counts_in[queue]
        return self._query.count(queue, self._filters, self._now)

    def item_id(self, row: int) -> str | None:
        return self._rows[row]["id"] if 0 <= row < len(self._rows) else None

    def row_of(self, item_id: str) -> int:
        return next((n for n, r in enumerate(self._rows) if r["id"] == item_id), -1)

    # --- Qt model API -----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = self._query.page(self._queue, self._filters, self._now, sort=self._sort,
                                descending=self._descending, offset=len(self._rows), limit=PAGE)
        if not more:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            column = COLUMNS[section]
            if column == "received":
                return f"{_header(column)} ({utc_label(self._zone, self._now)})"
            return _header(column)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        name = COLUMNS[column] if 0 <= column < len(COLUMNS) else "deadline"
        if name not in SORT_COLUMNS:
            return
        self._sort, self._descending = name, order == Qt.SortOrder.DescendingOrder
        self.reload()

    def _due(self, row: dict[str, Any]) -> Deadline | None:
        """The deadline the row's countdown runs to (read once per row shown, by primary key)."""
        key = row_key(row)
        if key not in self._due_cache:
            self._due_cache[key] = self._times.of_row(row)
        return self._due_cache[key]

    def multiData(self, index: Index, roleDataSpan: Any) -> None:
        """Every role the delegate asks of a cell, in one call from Qt instead of one call per role.

        Each call from Qt into Python takes the interpreter lock, and while a download's threads
        want it too, each take waits for one of their time slices: a repaint of the table's ~200
        cells asking seven roles each stalled the window for 100–160 ms during a first download.
        """
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            for role_data in roleDataSpan:
                role_data.clearData()
            return
        cells = self._cells(index.row())
        column = index.column()
        for role_data in roleDataSpan:
            role = role_data.role()
            if role == Qt.ItemDataRole.DisplayRole:
                role_data.setData(cells.texts[column])
            elif role == Qt.ItemDataRole.ForegroundRole and column == _DEADLINE and cells.brush is not None:
                role_data.setData(cells.brush)
            elif role in _PAINTED:  # what a plain cell leaves to the style
                role_data.clearData()
            else:
                value = self.data(index, role)
                if value is None:
                    role_data.clearData()
                else:
                    role_data.setData(value)

    def _cells(self, n: int) -> _Cells:
        """Row ``n``'s texts, colour and urgency, worked out once per read, row change or minute."""
        cells = self._shown.get(n)
        if cells is None:
            row = self._rows[n]
            due = self._due(row)
            text, level = countdown(due.at if due else None, self._now)
            texts = [self._display(row, column) for column in COLUMNS]
            texts[_DEADLINE] = text + (" ⏱" if due is not None and due.rule == "control" else "")
            cells = self._shown[n] = _Cells(tuple(texts), QBrush(URGENCY_COLOURS[level]) if level else None,
                                            level.value if level else None)
        return cells

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells(index.row()).texts[index.column()]
        row = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == ItemIdRole:
            return row["id"]
        if column == "deadline" and role in (Qt.ItemDataRole.ForegroundRole, UrgencyRole):
            cells = self._cells(index.row())
            return cells.urgency if role == UrgencyRole else cells.brush
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "deadline":
                due = self._due(row)
                return due.explanation if due is not None else None
            if column == "pending" and (row["pending"] or row["conflict"]):
                return self._pending_tip(row)
            if column in ("address", "category"):
                return self._display(row, column)
        return None

    def _pending_tip(self, row: dict[str, Any]) -> str:
        """What is undelivered on the row, and since when (asked only when the official hovers)."""
        from PySide6.QtCore import QCoreApplication

        if row["conflict"]:
            return QCoreApplication.translate("QueueModel", "Конфликт с платформой: откройте «Исходящие»")
        since = self._query.conn.execute(
            "SELECT min(created_at) FROM outbox WHERE item_id=? AND state IN ('pending', 'sending')",
            [row["id"]]).fetchone()[0]
        text = QCoreApplication.translate("QueueModel", "Изменения ещё не отправлены")
        if since:
            moment = datetime.fromisoformat(since)
            text += QCoreApplication.translate("QueueModel", " (в очереди с {t}, {zone})").format(
                t=zone_time(moment, self._zone), zone=utc_label(self._zone, moment))
        return text

    def _display(self, row: dict[str, Any], column: str) -> str:
        if column == "number":
            return str(row["number"])
        if column == "received":
            return zone_time(datetime.fromisoformat(row["registered_at"]), self._zone)
        if column == "kind":
            return kind_name(row["kind"])
        if column == "category":
            return str(row["category_name"])
        if column == "address":
            return str(row["address"])
        if column == "status":
            return status_name(row["status"])
        if column == "assignee":
            return str(row["assignee_name"] or "")
        if column == "pending":
            return "⚠" if row["conflict"] else ("●" if row["pending"] else "")
        return ""
