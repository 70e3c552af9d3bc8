"""Queue reads off the UI thread: a queue's page and the navigation counters, on an own read-only connection.

With 100,000 cached items, re-reading the shown page and counting every queue takes 100–200 ms of
SQLite work; run on the UI thread after each sync pass (or every 1.5 s of a first download), it froze
the window for that long. The reader runs those refreshes on its own thread and connection (SQLite
releases the interpreter while it works) and hands the results back by signal. Only the newest request
of each kind is read: a refresh asked for while another is waiting replaces it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from desktop.reads import BackgroundReads
from offline_cache.control import ControlTimes, RowKey, row_key
from offline_cache.domain.stages import Deadline
from offline_cache.interpreter import window_busy, window_done
from offline_cache.queues import Filters, QueueId, QueueQuery, Viewer
from offline_cache.store.cache import Cache

UTC_ZONE = ZoneInfo("UTC")
#: Rows whose deadlines are read with the page: more than a tall window shows; further rows are read
#: on the UI thread when scrolled to (one record each, remembered).
DUE_ROWS = 80
DUES_KEPT = 20_000
PAGE, COUNTS = "page", "counts"  # the kinds of read: of each only the newest request is read


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What ``QueueModel.refresh`` would read, tagged with the model's generation at the time of asking."""

    generation: int
    queue: QueueId
    filters: Filters
    sort: str
    descending: bool
    limit: int
    now: datetime
    zone: ZoneInfo = UTC_ZONE  # the organisation's, in which deadlines are counted


@dataclass(frozen=True, slots=True)
class PageRead:
    """A page read for a ``PageRequest``: the queue's total, the rows and the search's count in «Все»."""

    request: PageRequest
    total: int
    rows: list[dict[str, Any]]
    counts: dict[QueueId, int] = field(default_factory=dict)  # the same filters in other queues
    # The countdowns' deadlines of the first rows (``ControlTimes.of_row`` by ``row_key``), read here so
    # the repaint after the page is shown reads no record on the UI thread; with the signature of the
    # terms and calendar they were counted with.
    dues: dict[RowKey, Deadline | None] = field(default_factory=dict)
    times_signature: int = 0


class QueueReader(QObject):
    """Reads queue pages and counters on a background thread with its own connection to the cache.

    Signals:
        pageRead(object): a ``PageRead``, on the UI thread; None when the read failed (the caller reads itself).
        countsRead(int, object): the tag given to ``read_counts`` and the item count of each queue asked for
            (``dict[QueueId, int]``; None when the read failed), on the UI thread.
    """

    pageRead = Signal(object)
    countsRead = Signal(int, object)
    _page = Signal(object)
    _counts = Signal(int, object)

    def __init__(self, open_cache: Callable[[], Cache], viewer: Viewer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._viewer = viewer
        # Its own thread and connection, not the card's (``SyncWorker.run_read``): a similar-messages lookup
        # of a second must not hold up the queue's refresh.
        self._reads = BackgroundReads(open_cache, self._report, name="posdesk-queue-reader")
        self._counts_tag = 0  # of the newest counts asked for, given back when a count fails
        # Deadlines already worked out, by row, for the reader's connection (used on its thread only).
        self._times: ControlTimes | None = None
        self._dues: dict[RowKey, Deadline | None] = {}
        queued = Qt.ConnectionType.QueuedConnection
        self._page.connect(self.pageRead, queued)
        self._counts.connect(self.countsRead, queued)

    def read_page(self, request: PageRequest) -> None:
        """Read ``request``'s page in the background (replacing a page request not started yet)."""
        self._reads.submit(lambda cache: self._read_page(cache, request), PAGE)

    def read_counts(self, queues: Sequence[QueueId], now: datetime, tag: int = 0) -> None:
        """Count the items of ``queues`` (no filters) in the background; ``tag`` comes back with the counts."""
        self._counts_tag = tag
        wanted = tuple(queues)

        def count(cache: Cache) -> tuple[int, dict[QueueId, int]]:
            query = QueueQuery(cache.db.conn, self._viewer)
            return tag, {q: query.count(q, Filters(), now) for q in wanted}

        self._reads.submit(count, COUNTS)

    def stop(self) -> None:
        """Finish the read under way, drop the rest and close the connection (before the session closes)."""
        self._reads.stop()

    def _report(self, _request: str, kind: str, result: object, exc: Exception | None) -> None:
        # On the read thread; the failure is logged there, and the caller reads for itself instead.
        if kind == PAGE:
            self._page.emit(result if exc is None else None)
        elif exc is None and isinstance(result, tuple):
            self._counts.emit(*result)
        else:
            self._counts.emit(self._counts_tag, None)

    def _read_page(self, cache: Cache, r: PageRequest) -> PageRead:
        times = self._times
        if times is None or times.conn is not cache.db.conn or times.zone != r.zone:
            times, self._dues = ControlTimes(cache.db.conn, r.zone), {}  # another connection after a failure
            self._times = times
        signature = times.signature
        times.reload()
        if times.signature != signature or len(self._dues) > DUES_KEPT:
            self._dues = {}
        query = QueueQuery(cache.db.conn, self._viewer)
        total = query.count(r.queue, r.filters, r.now)
        rows = query.page(r.queue, r.filters, r.now, sort=r.sort, descending=r.descending, offset=0, limit=r.limit)
        counts = {}
        if r.filters.text.strip() and r.queue is not QueueId.ALL:  # the panel offers «search every queue (n)»
            counts[QueueId.ALL] = query.count(QueueId.ALL, r.filters, r.now)
        shown = {}
        for row in rows[:DUE_ROWS]:
            key = row_key(row)
            if key not in self._dues:
                self._dues[key] = times.of_row(row)
            shown[key] = self._dues[key]
        return PageRead(r, total, rows, counts, shown, times.signature)


class PauseWhilePainting(QObject):
    """While watching, each paint of ``widget`` pauses the download's Python loops until it is done
    (``offline_cache.interpreter.pause_for_window``).

    A repaint of the queue takes the interpreter lock once per cell (~250 takes); beside a busy sync
    thread each take waits for that thread's turn, and a repaint that takes 10 ms alone stalled the
    window for 60–160 ms during a first download. Paused, the loop stops at its next item.
    """

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self._widget = widget
        self._watching = False
        self._expiry = QTimer(self, singleShot=True, interval=200)  # the loops never wait longer
        self._expiry.timeout.connect(window_done)

    def watch(self, on: bool) -> None:
        """Pause the loops for each paint from now on (a download started), or no longer."""
        if on == self._watching:
            return
        self._watching = on
        if on:
            self._widget.installEventFilter(self)
        else:
            self._widget.removeEventFilter(self)
            self._done()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            window_busy()
            self._expiry.start()
            QTimer.singleShot(0, self._done)  # runs once this paint event has been handled
        return False

    def _done(self) -> None:
        self._expiry.stop()
        window_done()
