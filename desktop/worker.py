"""The background worker: the sync engine and every write run on one thread; results come back as signals."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from offline_cache.actions import perform
from offline_cache.attachments import fetch
from offline_cache.client import PlatformClient
from offline_cache.domain.workflow import DomainError
from offline_cache.errors import PlatformError
from offline_cache.store.cache import Cache
from offline_cache.store.database import STORAGE_ERRORS, storage_problem
from offline_cache.sync import SyncEngine, SyncListener, SyncStatus


class SyncBridge(QObject):
    """Qt face of the sync engine: reports from the worker thread arrive on the UI thread.

    Signals:
        statusChanged(str, str): sync status (idle/syncing/offline/auth_required) and a message.
        progress(int, int): items downloaded and the total known, during a download.
        itemsChanged(list): ids of items whose cached state changed.
        outboxChanged(dict): outbox entries by state.
        quarantined(str, str): id (or "") and error of a malformed record kept aside.
        actionFinished(str, str, str): request id, item id, error message ("" when queued fine).
        attachmentFetched(str, str): attachment id and error message ("" when its bytes are now cached).
        ready(): the worker opened the cache and is about to sync.
    """

    statusChanged = Signal(str, str)
    progress = Signal(int, int)
    itemsChanged = Signal(list)
    outboxChanged = Signal(dict)
    quarantined = Signal(str, str)
    actionFinished = Signal(str, str, str)
    attachmentFetched = Signal(str, str)
    ready = Signal()

    # The worker emits these; each is forwarded to its public twin through a queued connection,
    # so every subscriber, plain functions and lambdas included, runs on the UI thread.
    _status = Signal(str, str)
    _progress = Signal(int, int)
    _items = Signal(list)
    _outbox = Signal(dict)
    _quarantined = Signal(str, str)
    _action = Signal(str, str, str)
    _attachment = Signal(str, str)
    _ready = Signal()

    def __init__(self) -> None:
        super().__init__()
        queued = Qt.ConnectionType.QueuedConnection
        for private, public in ((self._status, self.statusChanged), (self._progress, self.progress),
                                (self._items, self.itemsChanged), (self._outbox, self.outboxChanged),
                                (self._quarantined, self.quarantined), (self._action, self.actionFinished),
                                (self._attachment, self.attachmentFetched),
                                (self._ready, self.ready)):
            private.connect(public, queued)


class _Listener(SyncListener):
    def __init__(self, bridge: SyncBridge) -> None:
        self.bridge = bridge

    def status_changed(self, status: SyncStatus, message: str) -> None:
        self.bridge._status.emit(status.value, message)

    def progress(self, done: int, total: int) -> None:
        self.bridge._progress.emit(done, total)

    def items_changed(self, item_ids: list[str]) -> None:
        self.bridge._items.emit(item_ids)

    def outbox_changed(self, counts: dict[str, int]) -> None:
        self.bridge._outbox.emit(counts)

    def quarantined(self, item_id: str | None, error: str) -> None:
        self.bridge._quarantined.emit(item_id or "", error)


class SyncWorker:
    """Owns the cache's writer connection and the sync engine on a background thread."""

    def __init__(self, cache_path: Path, key: bytes, client: PlatformClient, *, interval: float = 60.0,
                 page_size: int = 500) -> None:
        self.bridge = SyncBridge()
        self._path, self._key, self._client = cache_path, key, client
        self._interval, self._page_size = interval, page_size
        self._engine: SyncEngine | None = None
        self._cache: Cache | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="posdesk-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._started.wait(30)

    def _run(self) -> None:
        self._cache = Cache.open(self._path, self._key)
        self._engine = SyncEngine(self._cache, self._client, _Listener(self.bridge), interval=self._interval,
                                  page_size=self._page_size)
        self._started.set()
        self.bridge._ready.emit()
        try:
            self._engine.run()
        finally:
            self._cache.close()

    def sync_now(self) -> None:
        if self._engine is not None:
            self._engine.request_sync()

    def perform(self, item_id: str, action: str, payload: dict[str, Any]) -> str:
        """Queue a user action on the worker; ``actionFinished`` reports the outcome."""
        request = str(uuid.uuid4())
        engine, cache = self._engine, self._cache
        assert engine is not None and cache is not None, "worker not started"

        def op() -> None:
            try:
                perform(cache, item_id, action, payload)
            except DomainError as exc:
                self.bridge._action.emit(request, item_id, exc.message)
                return
            except Exception as exc:  # a full disk or a broken cache must reach the official, not vanish
                reason = storage_problem(exc) or str(exc)
                self.bridge._action.emit(request, item_id, f"Действие не сохранено. {reason}")
                return
            self.bridge._action.emit(request, item_id, "")
            self.bridge._items.emit([item_id])
            self.bridge._outbox.emit(cache.outbox_counts())

        engine.submit(op)
        return request

    def fetch_attachment(self, att_id: str) -> None:
        """Download an attachment into the encrypted cache on the worker; ``attachmentFetched`` reports."""
        engine, cache = self._engine, self._cache
        assert engine is not None and cache is not None, "worker not started"

        def op() -> None:
            try:
                fetch(cache, self._client, att_id)
            except PlatformError as exc:
                self.bridge._attachment.emit(att_id, exc.message)
                return
            except STORAGE_ERRORS as exc:
                self.bridge._attachment.emit(att_id, storage_problem(exc) or str(exc))
                return
            self.bridge._attachment.emit(att_id, "")

        engine.submit(op)

    def stop(self) -> None:
        if self._engine is not None:
            self._engine.stop()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
