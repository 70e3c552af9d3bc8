"""Slow reads off both the UI thread and the worker: a thread with its own read-only connection to the cache.

The similar-messages lookup takes up to a second over 100,000 items and starts for every item the
official opens; run on the worker (``SyncWorker.run_write``) it queued ahead of the official's next
action, which then waited for it (key press → row 0.7–2.6 s instead of under 0.1 s). Reads here run
beside the worker (SQLite releases the interpreter while it reads), and of each kind only the newest
request is read: an official arrowing through twenty items waits for one lookup, not twenty. The
queue's refreshes (``desktop.queue.reader``) run on another instance, so neither waits for the other.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

from offline_cache.logsafe import describe
from offline_cache.store.cache import Cache

log = logging.getLogger(__name__)

#: What a read reports: request id, its kind, result, the failure (None when it worked); on the read thread.
Report = Callable[[str, str, object, Exception | None], None]


class BackgroundReads:
    """Runs read-only work on one background thread and connection, the newest request of each kind only."""

    def __init__(self, open_cache: Callable[[], Cache], report: Report, name: str = "posdesk-reads") -> None:
        self._open, self._report, self._name = open_cache, report, name
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._wanted: dict[str, tuple[str, Callable[[Cache], object]]] = {}  # kind → (request, work), oldest first
        self._thread: threading.Thread | None = None

    def submit(self, work: Callable[[Cache], object], kind: str = "") -> str:
        """Run ``work`` on the read connection; a request of the same ``kind`` not started yet is dropped
        (it never reports: its asker has moved on). Returns the request id that ``report`` will name."""
        request = str(uuid.uuid4())
        with self._lock:
            if self._stopping:
                return request
            self._wanted.pop(kind, None)  # the newest request goes last: asked for later, read later
            self._wanted[kind or request] = (request, work)
            if self._thread is None:  # started on first use: a session that never asks opens no connection
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
        self._wake.set()
        return request

    def stop(self) -> None:
        """Finish the read under way, drop the rest and close the connection (before the session closes)."""
        with self._lock:
            self._stopping = True
            self._wanted.clear()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _next(self) -> tuple[str, str, Callable[[Cache], object]] | None:
        with self._lock:
            if self._stopping or not self._wanted:
                return None
            kind = next(iter(self._wanted))  # oldest first: no kind starves another
            return (kind, *self._wanted.pop(kind))

    def _run(self) -> None:
        cache: Cache | None = None
        try:
            while not self._stopping:
                self._wake.wait()
                self._wake.clear()
                while (job := self._next()) is not None:
                    kind, request, work = job
                    try:
                        cache = cache or self._open()
                        result = work(cache)
                    except Exception as exc:  # reported, and the next read opens a fresh connection
                        log.warning("background read failed: %s", describe(exc))
                        if cache is not None:
                            cache.close()
                            cache = None
                        self._report(request, kind, None, exc)
                    else:
                        self._report(request, kind, result, None)
        finally:
            if cache is not None:
                cache.close()
