"""The pull pipeline: the next page downloads while one is written, with no gap, overlap or shared client."""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

from offline_cache.client import ClientConfig, PlatformClient, RawFeedPage
from offline_cache.errors import OfflineError
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine, SyncListener, SyncStatus
from tests.world import PASSWORD, World

ITEMS, PAGE = 35, 5


class WatchedClient(PlatformClient):
    """A real client that records overlapping feed requests and can fail one of them."""

    def __init__(self, config: ClientConfig) -> None:
        super().__init__(config, sleep=lambda _s: None)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.calls: list[int] = []
        self.fail_call: int | None = None  # 1-based number of the feed request to fail
        self.delay = 0.0

    def feed_raw(self, cursor: int = 0, limit: int = 100) -> RawFeedPage:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.calls.append(cursor)
            number = len(self.calls)
        try:
            time.sleep(self.delay)
            if number == self.fail_call:
                raise OfflineError("Платформа недоступна (проверка)")
            return super().feed_raw(cursor, limit)
        finally:
            with self.lock:
                self.in_flight -= 1


def prepared(world: World, tmp_path: Path, *, delay: float = 0.0) -> tuple[WatchedClient, Cache]:
    """ITEMS new items on the platform, a watched client whose requests take ``delay``, an empty cache."""
    for n in range(ITEMS):
        world.inject(text=f"Обращение {n}")
    client = WatchedClient(ClientConfig(world.url))
    world.clients.append(client)
    client.login("c-coord", PASSWORD)
    client.delay = delay
    return client, Cache.open(tmp_path / "pipeline.posdesk", secrets.token_bytes(32))


def platform_ids(world: World) -> set[str]:
    with world.platform.store.lock:
        return {r[0] for r in world.platform.store.conn.execute("SELECT id FROM items WHERE org_id='c'")}


def test_a_failed_download_keeps_every_page_before_it_and_the_next_pass_resumes(world: World,
                                                                               tmp_path: Path) -> None:
    client, cache = prepared(world, tmp_path)
    client.fail_call = 4  # pages 1-3 arrive; the fourth request fails while page 3 is being written
    engine = SyncEngine(cache, client, page_size=PAGE)
    report = engine.sync_once()
    assert report.status is SyncStatus.OFFLINE and report.pulled == 3 * PAGE and report.pages == 3, report
    # The cursor is exactly that of the last stored page: no gap and nothing stored beyond it.
    assert cache.item_count() == 3 * PAGE and cache.cursor == client.calls[3]
    assert max(r[0] for r in cache.db.execute("SELECT feed_seq FROM items")) == cache.cursor

    report = engine.sync_once()
    assert report.status is SyncStatus.IDLE and report.pulled == ITEMS - 3 * PAGE, report
    assert client.calls[4] == client.calls[3]  # resumed from the stored cursor
    cached = {r[0] for r in cache.db.execute("SELECT id FROM items")}
    assert cached == platform_ids(world) and cache.item_count() == ITEMS
    assert client.most_in_flight == 1
    cache.close()


def test_the_next_page_downloads_while_the_page_in_hand_is_written(world: World, tmp_path: Path) -> None:
    client, cache = prepared(world, tmp_path, delay=0.05)
    overlapped: list[bool] = []
    original = cache.apply_page

    pages = ITEMS // PAGE

    def slow_apply(*args: object, **kwargs: object) -> int:
        # Every page but the last has its successor requested while it is being written: wait for
        # that request (generously, a loaded machine is slow) instead of timing anything.
        last = len(overlapped) == pages - 1
        deadline = time.monotonic() + (0.2 if last else 30)
        while len(client.calls) <= len(overlapped) + 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        overlapped.append(len(client.calls) > len(overlapped) + 1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    cache.apply_page = slow_apply  # type: ignore[method-assign]
    report = SyncEngine(cache, client, page_size=PAGE).pull()
    assert report.pulled == ITEMS and len(overlapped) == pages
    assert overlapped == [True] * (pages - 1) + [False]
    assert client.most_in_flight == 1
    cache.close()


def test_operations_run_between_pages_with_no_request_in_flight(world: World, tmp_path: Path) -> None:
    client, cache = prepared(world, tmp_path, delay=0.02)
    seen: list[tuple[int, int]] = []  # (requests in flight, items cached) when each operation ran

    class Submitter(SyncListener):
        def progress(self, done: int, total: int) -> None:
            if done < ITEMS:
                engine.submit(lambda: seen.append((client.in_flight, cache.item_count())))

    engine = SyncEngine(cache, client, Submitter(), page_size=PAGE)
    report = engine.sync_once()
    assert report.status is SyncStatus.IDLE and report.pulled == ITEMS
    # One operation per page but the last, each run before the next page was written (a user's
    # action waits for at most one page) and never while a download was under way.
    assert [in_flight for in_flight, _ in seen] == [0] * (ITEMS // PAGE - 1)
    assert [count for _, count in seen] == [PAGE * n for n in range(1, ITEMS // PAGE)]
    cache.close()


def test_stop_requested_during_a_download_stores_the_page_in_hand_and_asks_for_no_more(world: World,
                                                                                      tmp_path: Path) -> None:
    client, cache = prepared(world, tmp_path)

    class Stopper(SyncListener):
        def progress(self, done: int, total: int) -> None:
            if done == 2 * PAGE:
                engine.stop()

    engine = SyncEngine(cache, client, Stopper(), page_size=PAGE)
    report = engine.pull()
    # Page 3 was already requested while page 2 was written; it is stored, and nothing after it.
    assert report.pulled == 3 * PAGE and len(client.calls) == 3
    assert cache.item_count() == 3 * PAGE and cache.cursor > client.calls[2]
    assert max(r[0] for r in cache.db.execute("SELECT feed_seq FROM items")) == cache.cursor
    cache.close()


def test_pulling_hands_the_interpreter_over_quickly_and_restores_the_interval(world: World, tmp_path: Path) -> None:
    """While pulling: a 1 ms switch interval and no whole-heap collections; both as they were afterwards."""
    import gc
    import sys

    from offline_cache.sync import PULL_SWITCH_INTERVAL

    world.inject()
    seen: list[float] = []
    collecting: list[bool] = []

    class Watching(SyncListener):
        def progress(self, done: int, total: int) -> None:
            seen.append(sys.getswitchinterval())
            collecting.append(gc.isenabled())

    before = sys.getswitchinterval()
    cache = Cache.open(tmp_path / "switch.posdesk", secrets.token_bytes(32))
    assert SyncEngine(cache, world.client("c-coord"), Watching()).sync_once().status is SyncStatus.IDLE
    assert seen and all(s == min(before, PULL_SWITCH_INTERVAL) for s in seen)
    assert sys.getswitchinterval() == before
    assert collecting and not any(collecting) and gc.isenabled()
    cache.close()
