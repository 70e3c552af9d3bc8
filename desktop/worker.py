"""The background worker: the sync engine and every write run on one thread; results come back as signals.

One exception: an upgraded cache's search index is rewritten on a second thread with its own connection,
in short transactions between the sync's (``offline_cache.search_rebuild``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from desktop.reads import BackgroundReads
from offline_cache.actions import NotLoggedIn, perform
from offline_cache.answer_files import read_answer_file
from offline_cache.attachments import fetch
from offline_cache.client import PlatformClient
from offline_cache.contract.models import AbsenceIn
from offline_cache.domain.workflow import DomainError
from offline_cache.errors import PlatformError
from offline_cache.interpreter import run_in_background
from offline_cache.logsafe import describe
from offline_cache.outbox import Outbox
from offline_cache.search_rebuild import BATCH, RebuildProgress, pending, rebuild
from offline_cache.store.cache import Cache
from offline_cache.store.database import STORAGE_ERRORS, storage_problem
from offline_cache.store.local import LocalFileRefused
from offline_cache.sync import SyncEngine, SyncListener, SyncStatus
from offline_cache.unlock import remember_password

log = logging.getLogger(__name__)


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
        draftSaved(str, str): item id and error ("" when the local draft is on disk).
        attachmentsChanged(str, str): item id and error ("" when a file was attached or taken off).
        outboxOpFinished(int, str): outbox entry id and error ("" when cancelled/discarded/resent/… fine).
        deputyFinished(str): error ("" when the platform took the deputy and the directory is refreshed).
        loginFinished(str): error ("" when logged in again; the sync resumes).
        clockSkew(float): seconds the platform's clock is ahead of the computer's (negative: behind),
            when more than two minutes apart, and once more when back within (``offline_cache.clock``).
        writeFinished(str, object, str): request id, result and error of ``run_write`` ("" when done).
        readFinished(str, object, str): request id, result and error of ``run_read`` ("" when done).
        ready(): the worker opened the cache and is about to sync.
        indexProgress(int, int): rowids of the search index rewritten so far and the last one, while an
            upgraded cache's index is rewritten with reduced words (``offline_cache.search_rebuild``).
    """

    statusChanged = Signal(str, str)
    progress = Signal(int, int)
    itemsChanged = Signal(list)
    outboxChanged = Signal(dict)
    quarantined = Signal(str, str)
    actionFinished = Signal(str, str, str)
    attachmentFetched = Signal(str, str)
    draftSaved = Signal(str, str)
    attachmentsChanged = Signal(str, str)
    outboxOpFinished = Signal(int, str)
    deputyFinished = Signal(str)
    loginFinished = Signal(str)
    clockSkew = Signal(float)
    writeFinished = Signal(str, object, str)
    readFinished = Signal(str, object, str)
    ready = Signal()
    indexProgress = Signal(int, int)

    # The worker emits these; each is forwarded to its public twin through a queued connection,
    # so every subscriber, plain functions and lambdas included, runs on the UI thread.
    _status = Signal(str, str)
    _progress = Signal(int, int)
    _items = Signal(list)
    _outbox = Signal(dict)
    _quarantined = Signal(str, str)
    _action = Signal(str, str, str)
    _attachment = Signal(str, str)
    _draft = Signal(str, str)
    _attachments = Signal(str, str)
    _outbox_op = Signal(int, str)
    _deputy = Signal(str)
    _login = Signal(str)
    _clock = Signal(float)
    _write = Signal(str, object, str)
    _read = Signal(str, object, str)
    _ready = Signal()
    _index = Signal(int, int)

    def __init__(self) -> None:
        super().__init__()
        queued = Qt.ConnectionType.QueuedConnection
        for private, public in ((self._status, self.statusChanged), (self._progress, self.progress),
                                (self._items, self.itemsChanged), (self._outbox, self.outboxChanged),
                                (self._quarantined, self.quarantined), (self._action, self.actionFinished),
                                (self._attachment, self.attachmentFetched), (self._draft, self.draftSaved),
                                (self._attachments, self.attachmentsChanged),
                                (self._outbox_op, self.outboxOpFinished), (self._deputy, self.deputyFinished),
                                (self._login, self.loginFinished), (self._clock, self.clockSkew),
                                (self._write, self.writeFinished), (self._read, self.readFinished),
                                (self._ready, self.ready),
                                (self._index, self.indexProgress)):
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

    def clock_skew(self, seconds: float) -> None:
        self.bridge._clock.emit(seconds)


def _reason(exc: Exception) -> str:
    """What to tell the official about a failed operation, in Russian."""
    if isinstance(exc, (DomainError, PlatformError, LocalFileRefused)):
        return exc.message
    if isinstance(exc, OSError) and not isinstance(exc, STORAGE_ERRORS):
        return f"Не удаётся прочитать файл: {exc.strerror or exc}"
    return storage_problem(exc) or str(exc)


class SyncWorker:
    """Owns the cache's writer connection and the sync engine on a background thread (and the index rewrite's)."""

    def __init__(self, cache_path: Path, key: bytes, client: PlatformClient, *, interval: float = 60.0,
                 page_size: int = 500, login: str | None = None, report_every: float = 0.25,
                 index_batch: int = BATCH) -> None:
        self.bridge = SyncBridge()
        self._path, self._key, self._client = cache_path, key, client
        self._interval, self._page_size, self._report_every = interval, page_size, report_every
        self._login = login
        self._engine: SyncEngine | None = None
        self._cache: Cache | None = None
        self._started = threading.Event()
        self._failed: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="posdesk-sync", daemon=True)
        self._index_batch = index_batch  # rows of the search index rewritten per transaction
        self._index_stop = threading.Event()
        self._index_thread: threading.Thread | None = None
        self._reads = BackgroundReads(self.open_reader, self._read_done)

    def start(self) -> None:
        self._thread.start()
        self._started.wait(30)
        if self._failed is not None:  # the cache would not open: the caller tells the official why
            raise self._failed

    def _run(self) -> None:
        run_in_background()  # below the window's thread, with the threads the sync starts (feed, index)
        try:
            self._cache = Cache.open(self._path, self._key)
        except Exception as exc:
            self._failed = exc
            self._started.set()
            return
        self._engine = SyncEngine(self._cache, self._client, _Listener(self.bridge), interval=self._interval,
                                  page_size=self._page_size, report_every=self._report_every)
        if pending(self._cache.db.conn) is not None:  # an upgraded cache: its index is rewritten meanwhile
            self._index_thread = threading.Thread(target=self._rebuild_index, name="posdesk-index", daemon=True)
            self._index_thread.start()
        self._started.set()
        self.bridge._ready.emit()
        try:
            self._engine.run()
        finally:
            self._cache.close()

    def _rebuild_index(self) -> None:
        """Rewrite the search index batch by batch on its own connection, beside the sync.

        Each batch is one short transaction; between batches the thread rests as long as the batch
        took, so the sync and the official's actions get the writer's lock at least half the time.
        """
        try:
            cache = Cache.open(self._path, self._key, upgrade=False)
        except Exception as exc:  # search works on the old rows meanwhile; the next start tries again
            log.warning("search index rewrite not started: %s", describe(exc))
            return
        started = time.monotonic()

        def report(progress: RebuildProgress) -> None:
            nonlocal started
            self.bridge._index.emit(progress.done, progress.last)
            self._index_stop.wait(max(0.02, time.monotonic() - started))
            started = time.monotonic()

        try:
            while not self._index_stop.is_set():
                try:
                    rebuild(cache.db.conn, report, stop=self._index_stop, batch=self._index_batch)
                    return
                except STORAGE_ERRORS as exc:
                    name = str(getattr(exc, "sqlite_errorname", ""))
                    if not name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                        raise
                    self._index_stop.wait(1.0)  # a long write of the sync's: the batch is tried again
        except Exception as exc:  # a full disk, say: the marker keeps the place for the next start
            log.warning("search index rewrite stopped: %s", describe(exc))
        finally:
            cache.close()

    def open_reader(self) -> Cache:
        """Another read-only connection to the cache, for reads off the UI thread (``desktop.queue.reader``)."""
        return Cache.open(self._path, self._key, create=False, upgrade=False)

    def sync_now(self) -> None:
        if self._engine is not None:
            self._engine.request_sync()

    def _submit(self, work: Callable[[Cache, SyncEngine], None], failed: Callable[[Exception], None]) -> None:
        """Run ``work`` on the worker; any failure goes to ``failed`` (the UI hears of it, it never vanishes)."""
        engine, cache = self._engine, self._cache
        assert engine is not None and cache is not None, "worker not started"

        def op() -> None:
            try:
                work(cache, engine)
            except Exception as exc:  # a full disk or a broken cache must reach the official too
                failed(exc)

        engine.submit(op)

    def _changed(self, cache: Cache, item_id: str) -> None:
        self.bridge._items.emit([item_id])
        self.bridge._outbox.emit(cache.outbox_counts())

    def perform(self, item_id: str, action: str, payload: dict[str, Any]) -> str:
        """Queue a user action on the worker; ``actionFinished`` reports the outcome."""
        request = str(uuid.uuid4())

        def work(cache: Cache, _engine: SyncEngine) -> None:
            perform(cache, item_id, action, payload)
            # The row's new state first: the window moves on to the next item when the action is reported,
            # and showing that item's card must not stand between the key press and the row (issue 9's target).
            self._changed(cache, item_id)
            self.bridge._action.emit(request, item_id, "")

        def failed(exc: Exception) -> None:
            refused = isinstance(exc, DomainError)
            self.bridge._action.emit(request, item_id, _reason(exc) if refused
                                     else f"Действие не сохранено. {_reason(exc)}")

        self._submit(work, failed)
        return request

    def fetch_attachment(self, att_id: str) -> None:
        """Download an attachment into the encrypted cache on the worker; ``attachmentFetched`` reports."""

        def work(cache: Cache, _engine: SyncEngine) -> None:
            fetch(cache, self._client, att_id)
            self.bridge._attachment.emit(att_id, "")

        self._submit(work, lambda exc: self.bridge._attachment.emit(att_id, _reason(exc)))

    # --- the answer being written -----------------------------------------------------------

    def save_local_draft(self, item_id: str, text: str, kind: str = "final",
                         planned_date: date | None = None) -> None:
        """Autosave the answer being typed (encrypted, durable); ``draftSaved`` reports."""

        def work(cache: Cache, _engine: SyncEngine) -> None:
            cache.save_local_draft(item_id, text, kind=kind, planned_date=planned_date)
            self.bridge._draft.emit(item_id, "")
            self.bridge._items.emit([item_id])

        self._submit(work, lambda exc: self.bridge._draft.emit(item_id, _reason(exc)))

    def attach(self, item_id: str, path: str | Path) -> None:
        """Read a file into the encrypted cache for the item's answer (limits checked); ``attachmentsChanged``."""

        def work(cache: Cache, _engine: SyncEngine) -> None:
            name, content_type, data = read_answer_file(Path(path))
            cache.add_local_attachment(item_id, name, content_type, data)
            self.bridge._attachments.emit(item_id, "")
            self.bridge._items.emit([item_id])

        self._submit(work, lambda exc: self.bridge._attachments.emit(item_id, _reason(exc)))

    def detach(self, item_id: str, att_id: str) -> None:
        """Take a file off the item's answer (a local one is deleted); ``attachmentsChanged`` reports."""

        def work(cache: Cache, _engine: SyncEngine) -> None:
            cache.detach_from_draft(item_id, att_id)
            self.bridge._attachments.emit(item_id, "")
            self.bridge._items.emit([item_id])

        self._submit(work, lambda exc: self.bridge._attachments.emit(item_id, _reason(exc)))

    # --- the outbox -------------------------------------------------------------------------

    def _outbox_op(self, entry_id: int, change: Callable[[Outbox], Any]) -> None:
        def work(cache: Cache, _engine: SyncEngine) -> None:
            entry = cache.outbox_entry(entry_id)
            change(Outbox(cache))
            self.bridge._outbox_op.emit(entry_id, "")
            if entry is not None:
                self._changed(cache, entry.item_id)

        self._submit(work, lambda exc: self.bridge._outbox_op.emit(entry_id, _reason(exc)))

    def cancel_entry(self, entry_id: int) -> None:
        """Withdraw an action not sent yet (its change is rolled back); ``outboxOpFinished`` reports."""
        self._outbox_op(entry_id, lambda outbox: outbox.cancel(entry_id))

    def discard_entry(self, entry_id: int) -> None:
        """Give up a failed or conflicting action explicitly; ``outboxOpFinished`` reports."""
        self._outbox_op(entry_id, lambda outbox: outbox.discard(entry_id))

    def resend_entry(self, entry_id: int, payload: dict[str, Any] | None = None) -> None:
        """Queue a failed action again with a corrected payload; ``outboxOpFinished`` reports."""
        self._outbox_op(entry_id, lambda outbox: outbox.resend(entry_id, payload))

    def reapply_entry(self, entry_id: int) -> None:
        """Queue a conflicting action again on the platform's current version; ``outboxOpFinished`` reports."""
        self._outbox_op(entry_id, lambda outbox: outbox.reapply(entry_id))

    def accept_theirs(self, entry_id: int) -> None:
        """Keep the platform's version of a conflict, the official's text as a local draft; ``outboxOpFinished``."""
        self._outbox_op(entry_id, lambda outbox: outbox.accept_theirs(entry_id))

    # --- the official -----------------------------------------------------------------------

    def set_deputy(self, deputy_id: str | None, starts_at: datetime | None = None, ends_at: datetime | None = None,
                   reason: str = "") -> None:
        """Name (or clear, with None) the logged-in official's deputy for an absence; ``deputyFinished`` reports."""

        def work(cache: Cache, engine: SyncEngine) -> None:
            me = cache.me_id()
            if me is None:
                raise NotLoggedIn("Сначала нужна синхронизация с платформой")
            absence = AbsenceIn(starts_at=starts_at, ends_at=ends_at, reason=reason) \
                if starts_at is not None and ends_at is not None else None
            self._client.set_deputy(me, deputy_id, absence)
            engine.refresh_directory()
            self.bridge._deputy.emit("")

        self._submit(work, lambda exc: self.bridge._deputy.emit(_reason(exc)))

    def log_in(self, password: str, login: str | None = None) -> None:
        """Log in again without closing the window (after an expired session or an offline start)."""

        def work(_cache: Cache, engine: SyncEngine) -> None:
            name = login or self._login
            if not name:
                raise NotLoggedIn("Не известен логин: войдите через окно входа")
            self._client.login(name, password)
            self._login = name
            remember_password(_cache, name, password)
            self.bridge._login.emit("")
            engine.request_sync()

        self._submit(work, lambda exc: self.bridge._login.emit(_reason(exc)))

    def remember_password(self, password: str, login: str) -> None:
        """Keep the Argon2id hash of the password that just logged in, for unlocking offline (issue 12)."""

        def work(cache: Cache, _engine: SyncEngine) -> None:
            remember_password(cache, login, password)

        self._submit(work, lambda exc: None)  # without the hash only the online unlock works; nothing is lost

    def run_write(self, work: Callable[[Cache], object]) -> str:
        """Run ``work`` on the worker's cache (writes, or reads too slow for the UI); ``writeFinished`` reports."""
        request = str(uuid.uuid4())
        self._submit(lambda cache, _engine: self.bridge._write.emit(request, work(cache), ""),
                     lambda exc: self.bridge._write.emit(request, None, getattr(exc, "message", "") or _reason(exc)))
        return request

    def run_read(self, work: Callable[[Cache], object], kind: str = "") -> str:
        """Run the read-only ``work`` beside the worker, on a read connection of its own, so it never delays
        an action (``desktop.reads``); of each ``kind`` only the newest request runs. ``readFinished`` reports."""
        return self._reads.submit(work, kind)

    def _read_done(self, request: str, _kind: str, result: object, exc: Exception | None) -> None:
        self.bridge._read.emit(request, result, "" if exc is None else _reason(exc))

    def run_online(self, work: Callable[[PlatformClient, Cache], object], *, refresh: bool = False) -> str:
        """Run ``work`` with the platform client on the worker (administration: online only); ``writeFinished``
        reports. With ``refresh`` the directory is downloaded again and a sync requested, so queues reflect it."""
        request = str(uuid.uuid4())

        def run(cache: Cache, engine: SyncEngine) -> None:
            result = work(self._client, cache)
            if refresh:
                with contextlib.suppress(PlatformError):  # the change is made; the next sync brings the directory
                    engine.refresh_directory()
                engine.request_sync()
            self.bridge._write.emit(request, result, "")

        self._submit(run, lambda exc: self.bridge._write.emit(request, None,
                                                              getattr(exc, "message", "") or _reason(exc)))
        return request

    def stop(self) -> None:
        self._reads.stop()
        self._index_stop.set()
        if self._index_thread is not None:
            self._index_thread.join(timeout=30)
        if self._engine is not None:
            self._engine.stop()
        if self._thread.is_alive():
            self._thread.join(timeout=30)


