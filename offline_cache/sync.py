"""The sync engine: pull the change feed into the cache, push the outbox, notice outages and recover.

It runs off the UI thread and reports through a plain listener (the Qt layer adapts it to
signals). Pull applies each page in one transaction with its cursor, so a crash resumes from the
last committed page with no gap and no duplicate. Push drains the outbox in creation order under
each action's idempotency key; a 409 keeps both the platform's state and the official's action.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import logging
import queue
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from offline_cache.admin_rules import refresh_admin_data
from offline_cache.client import PlatformClient, RawFeedPage
from offline_cache.clock import SKEW_WARNING_SECONDS, measure_skew, skew_seconds
from offline_cache.contract.models import CalendarYearOut, Item, Me
from offline_cache.errors import (
    AuthExpiredError,
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    PlatformError,
)
from offline_cache.interpreter import pause_for_window
from offline_cache.logsafe import describe
from offline_cache.store.cache import IN_FLIGHT, Cache, OutboxEntry, storable_json
from offline_cache.store.database import STORAGE_ERRORS, storage_problem
from offline_cache.store.items import PreparedPage, prepare
from offline_cache.store.local import UPLOADING, LocalFile, is_local

PAGE_SIZE = 500
#: The interpreter's switch interval while pulling (Python's default is 5 ms). See ``_quick_switches``.
PULL_SWITCH_INTERVAL = 0.001

log = logging.getLogger(__name__)


class SyncStatus(StrEnum):
    IDLE = "idle"
    SYNCING = "syncing"
    OFFLINE = "offline"
    AUTH_REQUIRED = "auth_required"
    STORAGE_ERROR = "storage_error"  # the cache could not be written (a full disk, say): retried like offline


class SyncListener:
    """Receives the engine's reports. Every method may be called from the engine's thread."""

    def status_changed(self, status: SyncStatus, message: str) -> None:
        """Online / offline / syncing; ``message`` is for the status bar."""

    def progress(self, done: int, total: int) -> None:
        """Items downloaded so far out of the total known now (first download)."""

    def items_changed(self, item_ids: list[str]) -> None:
        """Items whose cached state changed (pulled, confirmed, failed or in conflict)."""

    def outbox_changed(self, counts: dict[str, int]) -> None:
        """Outbox entries by state."""

    def quarantined(self, item_id: str | None, error: str) -> None:
        """A malformed record was kept aside."""

    def clock_skew(self, seconds: float) -> None:
        """The platform's clock is ``seconds`` ahead of the local one (negative: behind). Reported when more
        than ``clock.SKEW_WARNING_SECONDS`` apart, and once more when back within it (to clear a warning)."""


@dataclass
class SyncReport:
    """What one sync pass did."""

    pulled: int = 0
    pages: int = 0
    pushed: int = 0
    failed: int = 0
    conflicts: int = 0
    quarantined: int = 0
    status: SyncStatus = SyncStatus.IDLE
    error: str = ""
    changed: list[str] = field(default_factory=list)


@dataclass
class _CheckedPage:
    """A feed page with its records validated and turned into rows; (id, reason, raw JSON) of bad ones."""

    raw: RawFeedPage
    rows: PreparedPage
    bad: list[tuple[str | None, str, str]]

    @property
    def items(self) -> list[Item]:
        return self.rows.items


class _Coalesced:
    """Reports of many deliveries in a few signals: changed items and outbox counts at most every ``every`` s."""

    def __init__(self, listener: SyncListener, cache: Cache, every: float) -> None:
        self.listener, self.cache, self.every = listener, cache, every
        self.changed: dict[str, None] = {}
        self.last = time.monotonic()

    def add(self, item_id: str) -> None:
        self.changed[item_id] = None
        if time.monotonic() - self.last >= self.every:
            self.flush()

    def flush(self) -> None:
        self.last = time.monotonic()
        if not self.changed:
            return
        self.listener.items_changed(list(self.changed))
        self.changed = {}
        try:
            counts = self.cache.outbox_counts()
        except STORAGE_ERRORS:  # the pass is failing on the cache already; that error is reported
            return
        self.listener.outbox_changed(counts)


_switches = threading.Lock()
_pulling = 0
_previous_interval = sys.getswitchinterval()
_collecting = True


@contextmanager
def _quick_switches() -> Iterator[None]:
    """Hand the interpreter lock over within 1 ms instead of 5 while pages are pulled, and collect only
    the youngest generation (``collect_young``, after each page) until the pull ends.

    The writer waits for the lock after each of a page's statements, and the window after each event,
    while the next page is validated and turned into rows in Python: with the default 5 ms, a page's
    writes beside a busy thread took 20% longer. And the objects of the pages in flight made Python's
    collector scan the whole heap (its oldest generation) two or three times per 20,000 items, for
    200–240 ms each, holding the lock: the three longest stalls of the window during a first download.
    Process-wide, so counted: the last pull (or push) restores both.
    """
    global _pulling, _previous_interval, _collecting
    with _switches:
        if _pulling == 0:
            _previous_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(_previous_interval, PULL_SWITCH_INTERVAL))
            _collecting = gc.isenabled()
            gc.disable()
        _pulling += 1
    try:
        yield
    finally:
        with _switches:
            _pulling -= 1
            if _pulling == 0:
                sys.setswitchinterval(_previous_interval)
                if _collecting:
                    gc.enable()


def collect_young() -> None:
    """Collect the youngest generation: a page's cyclic garbage. Its survivors are the pages in flight, freed
    by reference counting; scanning them again in the middle generation took up to 43 ms a page."""
    if _collecting:
        pause_for_window()  # it holds the interpreter for up to 25 ms: not in the middle of the window's repaint
        gc.collect(0)


class SyncEngine:
    """Reconciles one cache with one platform session."""

    def __init__(self, cache: Cache, client: PlatformClient, listener: SyncListener | None = None, *,
                 page_size: int = PAGE_SIZE, interval: float = 60.0, max_backoff: float = 300.0,
                 directory_every: float = 3600.0,
                 rng: random.Random | None = None, sleep: Callable[[float], None] | None = None,
                 report_every: float = 0.25) -> None:
        self.cache = cache
        self.client = client
        self.listener = listener or SyncListener()
        self.page_size = page_size
        self.interval = interval
        self.max_backoff = max_backoff
        self.report_every = report_every  # seconds between reports while delivering many actions
        # Staff, categories and templates change on the platform too (a template gets a new version):
        # the directory is fetched again at this interval, not only at the first sync.
        self.directory_every = directory_every
        self._directory_at = time.monotonic()
        self._rng = rng or random.Random()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.status = SyncStatus.IDLE
        self._sleep = sleep
        self._ops: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()

    # --- one pass ---------------------------------------------------------------------------

    def sync_once(self) -> SyncReport:
        """Push what is queued, then pull what changed. Never raises for platform errors."""
        report = SyncReport()
        self._set_status(SyncStatus.SYNCING, "Синхронизация…")
        try:
            self.check_login()
            # An official's action waits for no more than one request. An operation may log in again
            # (perhaps as someone else): who is logged in is asked again before anything is sent.
            if self.drain_ops():
                self.check_login()
            self.push(report)
            self.pull(report)
        except AuthExpiredError as exc:
            report.status, report.error = SyncStatus.AUTH_REQUIRED, exc.message
            self._report_waiting()
        except PlatformError as exc:
            report.status, report.error = SyncStatus.OFFLINE, exc.message
            self._report_waiting()
        except STORAGE_ERRORS as exc:
            # The failed transaction rolled back whole: the cursor, the outbox and every item are as
            # they were, so the next pass (once there is room again) goes on from the same place.
            report.status, report.error = SyncStatus.STORAGE_ERROR, storage_problem(exc) or str(exc)
            log.warning("sync stopped by the cache: %s", describe(exc))
        else:
            report.status = SyncStatus.IDLE
            self.cache.set_state("last_sync_at", time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        self._set_status(report.status, report.error or "Данные актуальны")
        return report

    def _report_waiting(self) -> None:
        """After a pass the platform stopped: what waits in the outbox (nothing is lost while offline)."""
        self.listener.outbox_changed(self.cache.outbox_counts())

    def check_login(self) -> Me:
        """Ask the platform who is logged in (and its time) before anything is sent.

        The outbox is pushed for this official only, so the answer must be fresh: a cache opened
        under another login never sends the previous official's actions. A new official (or a first
        sync) gets the directory first, so ``me`` never names someone the cached staff lacks.
        """
        sent = datetime.now(UTC)
        me = self.client.me()
        skew = measure_skew(me.server_time, sent, datetime.now(UTC))
        previous = skew_seconds(self.cache)
        self.cache.set_state("clock_skew", repr(skew))
        if max(abs(skew), abs(previous)) > SKEW_WARNING_SECONDS:
            self.listener.clock_skew(skew)
        stale = time.monotonic() - self._directory_at >= self.directory_every
        known = self.cache.state("me")
        # An administrator changed staff or categories: the new directory now, not at the periodic refresh.
        if known is not None and Me.model_validate_json(known).directory_version != me.directory_version:
            stale = True
        refresh = self.cache.me_id() != me.user.id or self.cache.cursor == 0 or stale
        if refresh:
            self._store_directory()
        self.cache.set_state("me", me.model_dump_json())
        if refresh:  # an administrator's rules and templates, readable offline (issue 14); after «me»: it decides
            refresh_admin_data(self.cache, self.client)
        return me

    def refresh_directory(self) -> None:
        """Download the directory (organisations, staff, categories, templates, grounds) and who is logged in."""
        self._store_directory()
        self.check_login()
        refresh_admin_data(self.cache, self.client)  # after an administrator's change: the pages read it back

    def _store_directory(self) -> None:
        orgs, staff = self.client.organisations(), self.client.staff()
        categories, templates, grounds = self.client.categories(), self.client.templates(), \
            self.client.rejection_grounds()
        try:
            calendar: list[CalendarYearOut] | None = self.client.calendar()
        except NotFoundError:  # a platform from before issue 13: the bundled production calendar serves
            calendar = None
        self.cache.store_directory(orgs, staff, categories, templates, grounds, calendar)
        self._directory_at = time.monotonic()

    def pull(self, report: SyncReport | None = None) -> SyncReport:
        """Download what changed since the stored cursor, page by page, each page with its cursor.

        While a page is being written, the next one is already downloading, being validated and
        turned into rows on a helper thread (its cursor is known from the page in hand): SQLite
        releases the interpreter while it writes, so the transfer, the Python work and the
        encrypted writes overlap instead of adding up. Queued operations run only between
        requests, never beside one, so the client is used by one thread at a time.
        """
        report = report or SyncReport()
        done = 0
        if self._stop.is_set():
            return report
        with _quick_switches(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="posdesk-feed") as fetcher:
            page = self._fetch(self.cache.cursor)
            while True:
                self.drain_ops()  # no request is in flight here: operations may use the client
                more = page.raw.has_more and not self._stop.is_set()
                following = fetcher.submit(self._fetch, page.raw.next_cursor) if more else None
                try:
                    done += self._apply(page, report)
                finally:
                    if following is not None and not following.done():
                        wait([following])  # an error here leaves no request running beside the caller
                self.listener.progress(done, done + page.raw.remaining)
                collect_young()  # the page's garbage; the whole heap waits for the pull's end
                if following is None:
                    break
                page = following.result()  # a failed download raises here, after the page in hand landed
        return report

    def _fetch(self, cursor: int) -> _CheckedPage:
        """Download the feed page at ``cursor``, validate its records one by one and turn them into rows."""
        pause_for_window()  # the request's Python (httpx, the page's JSON) waits for a repaint under way
        raw = self.client.feed_raw(cursor, self.page_size)
        items: list[Item] = []
        bad: list[tuple[str | None, str, str]] = []
        for record in raw.items:
            pause_for_window()
            try:
                items.append(Item.model_validate(record))
            except ValidationError as exc:
                item_id = record.get("id") if isinstance(record, dict) else None
                bad.append((str(item_id) if item_id is not None else None, _short(exc), storable_json(record)))
        return _CheckedPage(raw, prepare(items), bad)

    def _apply(self, page: _CheckedPage, report: SyncReport) -> int:
        """Store one checked page with its cursor and report it. Returns how many records it held."""
        self.cache.apply_page(page.rows, page.raw.next_cursor, page.bad)
        # Records prepare set aside (text SQLite cannot hold) were quarantined with the page.
        bad = [(item_id, error) for item_id, error, _ in page.bad]
        bad += [(item.id, error) for item, error in page.rows.rejected]
        for item_id, error in bad:
            self.listener.quarantined(item_id, error)
        report.pulled += len(page.items)
        report.pages += 1
        report.quarantined += len(bad)
        report.changed.extend(i.id for i in page.items)
        if page.items:
            self.listener.items_changed([i.id for i in page.items])
        return len(page.raw.items)

    def push(self, report: SyncReport | None = None) -> SyncReport:
        """Send the logged-in official's pending actions oldest first (others' stay queued, never sent
        under this login). Network trouble stops the pass (raised); the rest is resolved. Reports are
        coalesced: one pass over hundreds of entries must not flood the window with signals."""
        report = report or SyncReport()
        me = self.cache.me_id()
        if me is None:
            return report
        reports = _Coalesced(self.listener, self.cache, self.report_every)
        # As while pulling: a delivery pass of hundreds of entries must not run a whole-heap collection
        # (200–240 ms with the lock held in a download; likely the window's one 310 ms stall in bench_sync 5).
        with _quick_switches():
            self._push_entries(me, report, reports)
        return report

    def _push_entries(self, me: str, report: SyncReport, reports: _Coalesced) -> None:
        try:
            for queued in self.cache.outbox(IN_FLIGHT, user_id=me):
                if self._stop.is_set():
                    break
                # The official's operations run between deliveries too, so an action performed now does not
                # wait for hundreds of them. One may have cancelled or replaced the entries listed, or logged
                # in again: the rest go in the next pass, which starts at once (the operation woke the engine).
                if self.drain_ops():
                    break
                self._deliver(queued, report)
                report.changed.append(queued.item_id)
                reports.add(queued.item_id)
                collect_young()
        finally:
            reports.flush()

    def _deliver(self, entry: OutboxEntry, report: SyncReport) -> None:
        self.cache.mark_sending(entry.id)
        try:
            entry = self._upload_files(entry)
            item = self.client.act(entry.item_id, entry.action, entry.base_version, entry.payload,
                                   idempotency_key=entry.idempotency_key)
        except ConflictError as exc:
            self.cache.resolve(entry, "conflict", server=exc.current, error=exc.message)
            report.conflicts += 1
        except (ForbiddenError, InvalidError, NotFoundError) as exc:
            self.cache.resolve(entry, "failed", error=exc.message)
            report.failed += 1
        except PlatformError as exc:
            self.cache.mark_attempt(entry.id, exc.message)
            raise
        else:
            self.cache.resolve(entry, "done", server=item)
            report.pushed += 1

    def _upload_files(self, entry: OutboxEntry) -> OutboxEntry:
        """Upload the local answer files ``entry`` references and send it with the platform's ids instead.

        The payload is rewritten durably before the action leaves, and each file's platform id is kept
        on its local row, so a resend, a retry or a pass after a crash uploads nothing twice.
        """
        ids = entry.payload.get("attachment_ids")
        if not isinstance(ids, list) or not any(isinstance(a, str) and is_local(a) for a in ids):
            return entry
        sent: list[str] = []
        for att_id in ids:
            if not is_local(att_id):
                sent.append(att_id)
                continue
            local = self.cache.local_file(att_id)
            if local is None:
                raise InvalidError("Файл ответа удалён из локального кэша: приложите его заново",
                                   field="attachment_ids")
            sent.append(self._uploaded_id(entry.item_id, local))
        payload = {**entry.payload, "attachment_ids": sent}
        self.cache.rewrite_payload(entry.id, payload)
        return dataclasses.replace(entry, payload=payload)

    def _uploaded_id(self, item_id: str, local: LocalFile) -> str:
        """The platform's id of a local file, uploading it unless an earlier upload got through.

        Before uploading, the platform's answer files of the item are noted on the local row. If that
        note is found later without an id, the upload was out when the process died (or its answer was
        lost): a file of the same name and size that is new since the note is that upload.
        """
        marker = local.uploaded_id
        if marker and not marker.startswith(UPLOADING):
            return marker
        if marker:
            seen = set(json.loads(marker[len(UPLOADING):]))
            adopted = self.cache.adopted_ids()
            for att in self.client.message(item_id).attachments:
                if (att.origin == "answer" and att.id not in seen and att.id not in adopted
                        and att.name == local.meta.name.strip()[:255] and att.size == local.meta.size):
                    self.cache.mark_upload(local.meta.id, att.id)
                    return att.id
        before = sorted(a.id for a in self.client.message(item_id).attachments if a.origin == "answer")
        self.cache.mark_upload(local.meta.id, UPLOADING + json.dumps(before))
        meta = self.client.upload_attachment(item_id, local.meta.name, local.meta.content_type, local.data)
        self.cache.mark_upload(local.meta.id, meta.id)
        return meta.id

    # --- running in the background ----------------------------------------------------------

    def submit(self, op: Callable[[], None]) -> None:
        """Run ``op`` on the engine's thread (the cache's only writer) as soon as possible.

        Operations run between feed pages, between deliveries and between passes, so a user action
        waits at most for one page or one delivery, even during a first download.
        """
        self._ops.put(op)
        self._wake.set()

    def drain_ops(self) -> int:
        """Run the operations queued so far; how many ran."""
        ran = 0
        while True:
            try:
                op = self._ops.get_nowait()
            except queue.Empty:
                return ran
            ran += 1
            try:
                op()
            except Exception as exc:  # an operation reports its own failures; this one must not stop the syncing
                # Kind and codes only: the message may quote a citizen's text (issue 12, point 8).
                log.error("operation failed on the sync thread: %s", describe(exc))

    def request_sync(self) -> None:
        """Sync as soon as possible (after an action was queued, or «Синхронизировать»)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def run(self) -> None:
        """Sync now and then until ``stop``: every ``interval`` when online; when offline, retry with
        exponential backoff and jitter, so the sync starts by itself once the platform is back."""
        failures = 0
        while not self._stop.is_set():
            self.drain_ops()
            report = self.sync_once()
            self.drain_ops()
            if report.status is SyncStatus.AUTH_REQUIRED:
                self._wait(None)  # until someone logs in again and wakes us
                continue
            if report.status in (SyncStatus.OFFLINE, SyncStatus.STORAGE_ERROR):
                failures += 1
                delay = self._rng.uniform(0, min(self.max_backoff, 2.0 * 2 ** min(failures, 10)))
            else:
                failures = 0
                delay = self.interval
            self._wait(delay)

    def _wait(self, seconds: float | None) -> None:
        if self._sleep is not None and seconds is not None:
            self._sleep(seconds)
            return
        self._wake.wait(seconds)
        self._wake.clear()
        self.drain_ops()

    def _set_status(self, status: SyncStatus, message: str) -> None:
        self.status = status
        self.listener.status_changed(status, message)


def _short(exc: ValidationError) -> str:
    errors: list[Any] = exc.errors()
    first = errors[0] if errors else {}
    loc = ".".join(str(p) for p in first.get("loc", ()))
    return f"{loc}: {first.get('msg', 'неверные данные')}" if loc else str(first.get("msg", "неверные данные"))
