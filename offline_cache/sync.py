"""The sync engine: pull the change feed into the cache, push the outbox, notice outages and recover.

It runs off the UI thread and reports through a plain listener (the Qt layer adapts it to
signals). Pull applies each page in one transaction with its cursor, so a crash resumes from the
last committed page with no gap and no duplicate. Push drains the outbox in creation order under
each action's idempotency key; a 409 keeps both the platform's state and the official's action.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from offline_cache.client import PlatformClient, RawFeedPage
from offline_cache.contract.models import Item
from offline_cache.errors import (
    AuthExpiredError,
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    PlatformError,
)
from offline_cache.store.cache import Cache, storable_json
from offline_cache.store.database import STORAGE_ERRORS, storage_problem
from offline_cache.store.items import PreparedPage, prepare

PAGE_SIZE = 500

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


class SyncEngine:
    """Reconciles one cache with one platform session."""

    def __init__(self, cache: Cache, client: PlatformClient, listener: SyncListener | None = None, *,
                 page_size: int = PAGE_SIZE, interval: float = 60.0, max_backoff: float = 300.0,
                 directory_every: float = 3600.0,
                 rng: random.Random | None = None, sleep: Callable[[float], None] | None = None) -> None:
        self.cache = cache
        self.client = client
        self.listener = listener or SyncListener()
        self.page_size = page_size
        self.interval = interval
        self.max_backoff = max_backoff
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
            stale = time.monotonic() - self._directory_at >= self.directory_every
            if self.cache.state("me") is None or self.cache.cursor == 0 or stale:
                self.refresh_directory()
            self.push(report)
            self.pull(report)
        except AuthExpiredError as exc:
            report.status, report.error = SyncStatus.AUTH_REQUIRED, exc.message
        except PlatformError as exc:
            report.status, report.error = SyncStatus.OFFLINE, exc.message
        except STORAGE_ERRORS as exc:
            # The failed transaction rolled back whole: the cursor, the outbox and every item are as
            # they were, so the next pass (once there is room again) goes on from the same place.
            report.status, report.error = SyncStatus.STORAGE_ERROR, storage_problem(exc) or str(exc)
            log.warning("sync stopped by the cache: %s", exc)
        else:
            report.status = SyncStatus.IDLE
            self.cache.set_state("last_sync_at", time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        self._set_status(report.status, report.error or "Данные актуальны")
        return report

    def refresh_directory(self) -> None:
        me = self.client.me()
        orgs, staff = self.client.organisations(), self.client.staff()
        categories, templates, grounds = self.client.categories(), self.client.templates(), \
            self.client.rejection_grounds()
        self.cache.store_directory(orgs, staff, categories, templates, grounds)
        self.cache.set_state("me", me.model_dump_json())
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
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="posdesk-feed") as fetcher:
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
                if following is None:
                    break
                page = following.result()  # a failed download raises here, after the page in hand landed
        return report

    def _fetch(self, cursor: int) -> _CheckedPage:
        """Download the feed page at ``cursor``, validate its records one by one and turn them into rows."""
        raw = self.client.feed_raw(cursor, self.page_size)
        items: list[Item] = []
        bad: list[tuple[str | None, str, str]] = []
        for record in raw.items:
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
        """Send pending actions oldest first. Network trouble stops the pass (raised); the rest is resolved."""
        report = report or SyncReport()
        for entry in self.cache.outbox(("pending", "sending")):
            if self._stop.is_set():
                break
            self.cache.mark_sending(entry.id)
            try:
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
                self.listener.outbox_changed(self.cache.outbox_counts())
                raise
            else:
                self.cache.resolve(entry, "done", server=item)
                report.pushed += 1
            report.changed.append(entry.item_id)
            self.listener.items_changed([entry.item_id])
            self.listener.outbox_changed(self.cache.outbox_counts())
        return report

    # --- running in the background ----------------------------------------------------------

    def submit(self, op: Callable[[], None]) -> None:
        """Run ``op`` on the engine's thread (the cache's only writer) as soon as possible.

        Operations run between feed pages and between passes, so a user action waits at most
        for one page, even during a first download.
        """
        self._ops.put(op)
        self._wake.set()

    def drain_ops(self) -> None:
        while True:
            try:
                op = self._ops.get_nowait()
            except queue.Empty:
                return
            try:
                op()
            except Exception:  # an operation reports its own failures; this one must not stop the syncing
                log.exception("operation failed on the sync thread")

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
