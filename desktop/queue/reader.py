"""Queue reads off the UI thread: a queue's page and the navigation counters, on an own read-only connection.

With 100,000 cached items, re-reading the shown page and counting every queue takes 100–200 ms of
SQLite work; run on the UI thread after each sync pass (or every 1.5 s of a first download), it froze
the window for that long. The reader runs those refreshes on its own thread and connection (SQLite
releases the interpreter while it works) and hands the results back by signal. Only the newest request
of each kind is read: a refresh asked for while another is waiting replaces it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from offline_cache.control import ControlTimes, RowKey, row_key
from offline_cache.domain.stages import Deadline
from offline_cache.interpreter import window_busy, window_done
from offline_cache.logsafe import describe
from offline_cache.queues import Filters, QueueId, QueueQuery, Viewer
from offline_cache.store.cache import Cache

log = logging.getLogger(__name__)
UTC_ZONE = ZoneInfo("UTC")
#: Rows whose deadlines are read with the page: more than a tall window shows; further rows are read
#: on the UI thread when scrolled to (one record each, remembered).
DUE_ROWS = 80
DUES_KEPT = 20_000


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
        self._open, self._viewer = open_cache, viewer
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._page_wanted: PageRequest | None = None
        self._counts_wanted: tuple[tuple[QueueId, ...], datetime, int] | None = None
        self._thread: threading.Thread | None = None
        queued = Qt.ConnectionType.QueuedConnection
        self._page.connect(self.pageRead, queued)
        self._counts.connect(self.countsRead, queued)

    def read_page(self, request: PageRequest) -> None:
        """Read ``request``'s page in the background (replacing a page request not started yet)."""
        with self._lock:
            self._page_wanted = request
        self._start()

    def read_counts(self, queues: Sequence[QueueId], now: datetime, tag: int = 0) -> None:
        """Count the items of ``queues`` (no filters) in the background; ``tag`` comes back with the counts."""
        with self._lock:
            self._counts_wanted = (tuple(queues), now, tag)
        self._start()

    def _start(self) -> None:
        if self._stopping:
            return
        if self._thread is None:  # started on first use: a window that never refreshes opens no connection
            self._thread = threading.Thread(target=self._run, name="posdesk-queue-reader", daemon=True)
            self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        """Finish the read under way, drop the rest and close the connection (before the session closes)."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        cache: Cache | None = None
        times: ControlTimes | None = None
        dues: dict[RowKey, Deadline | None] = {}
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                with self._lock:
                    page, self._page_wanted = self._page_wanted, None
                    counts, self._counts_wanted = self._counts_wanted, None
                try:
                    cache = cache or self._open()
                    query = QueueQuery(cache.db.conn, self._viewer)
                    if page is not None:
                        if times is None or times.zone != page.zone:
                            times, dues = ControlTimes(cache.db.conn, page.zone), {}
                        signature = times.signature
                        times.reload()
                        if times.signature != signature or len(dues) > DUES_KEPT:
                            dues = {}
                        self._page.emit(self._read_page(query, page, times, dues))
                        page = None
                    if counts is not None:
                        queues, now, tag = counts
                        self._counts.emit(tag, {q: query.count(q, Filters(), now) for q in queues})
                except Exception as exc:  # the caller reads for itself instead; a connection is opened again
                    log.warning("queue read failed: %s", describe(exc))
                    if cache is not None:
                        cache.close()
                        cache, times = None, None
                    if page is not None:
                        self._page.emit(None)
                    if counts is not None:
                        self._counts.emit(counts[2], None)
        finally:
            if cache is not None:
                cache.close()

    @staticmethod
    def _read_page(query: QueueQuery, r: PageRequest, times: ControlTimes,
                   dues: dict[RowKey, Deadline | None]) -> PageRead:
        total = query.count(r.queue, r.filters, r.now)
        rows = query.page(r.queue, r.filters, r.now, sort=r.sort, descending=r.descending, offset=0, limit=r.limit)
        counts = {}
        if r.filters.text.strip() and r.queue is not QueueId.ALL:  # the panel offers «search every queue (n)»
            counts[QueueId.ALL] = query.count(QueueId.ALL, r.filters, r.now)
        shown = {}
        for row in rows[:DUE_ROWS]:
            key = row_key(row)
            if key not in dues:
                dues[key] = times.of_row(row)
            shown[key] = dues[key]
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
