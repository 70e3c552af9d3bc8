"""A full disk: the sync stops with a clear message, loses nothing, and goes on once there is room.

The disk fills for real as far as SQLite can tell: ``PRAGMA max_page_count`` makes the writer's
connection fail with SQLITE_FULL exactly where a full disk would.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import sqlcipher3

from offline_cache.actions import perform
from offline_cache.domain.model import Action
from offline_cache.store.cache import Cache
from offline_cache.store.database import storage_problem
from offline_cache.sync import SyncEngine, SyncStatus
from tests.offline_cache.recorder import Recorder, running
from tests.world import World

FIRST, LATER, ROUTED = 20, 150, 3
LONG_TEXT = "Во дворе дома не вывозят мусор уже вторую неделю, контейнеры переполнены. " * 20


def fill_disk(cache: Cache) -> None:
    """Leave the cache no room to grow: as if the disk were full."""
    pages = cache.db.execute("PRAGMA page_count").fetchone()[0]
    cache.db.execute(f"PRAGMA max_page_count = {pages}")


def free_disk(cache: Cache) -> None:
    cache.db.execute("PRAGMA max_page_count = 4294967294")


def snapshot(cache: Cache) -> tuple[int, dict[str, int], list[tuple[str, str, str]]]:
    """(cursor, item versions, outbox rows) — what must survive a failed write unchanged."""
    versions = {str(i): int(v) for i, v in cache.db.execute("SELECT id, version FROM items")}
    outbox = [tuple(r) for r in cache.db.execute("SELECT idempotency_key, item_id, state FROM outbox ORDER BY id")]
    return cache.cursor, versions, outbox  # type: ignore[return-value]


def platform_versions(world: World) -> dict[str, int]:
    with world.platform.store.lock:
        return {str(i): int(v) for i, v in world.platform.store.conn.execute(
            "SELECT id, json_extract(data, '$.version') FROM items WHERE org_id='c'")}


@pytest.fixture
def started(world: World, tmp_path: Path) -> tuple[Cache, SyncEngine, list[str]]:
    """A synced cache with ROUTED routings queued offline and LATER long messages waiting on the platform."""
    ids = [world.inject(text=f"Обращение {n}: яма").id for n in range(FIRST)]
    cache = Cache.open(tmp_path / "full.posdesk", secrets.token_bytes(32))
    engine = SyncEngine(cache, world.client("c-coord"), page_size=10)
    assert engine.sync_once().status is SyncStatus.IDLE
    for item_id in ids[:ROUTED]:
        perform(cache, item_id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
    for n in range(LATER):
        world.inject(text=f"Новое обращение {n}. {LONG_TEXT}")
    return cache, engine, ids[:ROUTED]


def test_a_full_disk_stops_the_sync_with_a_clear_message_and_loses_nothing(
        world: World, started: tuple[Cache, SyncEngine, list[str]]) -> None:
    cache, engine, routed = started
    fill_disk(cache)
    before = snapshot(cache)
    report = engine.sync_once()
    assert report.status is SyncStatus.STORAGE_ERROR, report
    assert "не осталось места" in report.error and "не потеряны" in report.error
    # Nothing half-written, nothing lost: the file is sound, and whatever did land is whole (every
    # item up to the cursor, nothing beyond it), the queued actions all still there.
    assert cache.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    cursor, versions, outbox = snapshot(cache)
    assert cursor >= before[0] and [r[:2] for r in outbox] == [r[:2] for r in before[2]]
    assert max(r[0] for r in cache.db.execute("SELECT feed_seq FROM items")) <= cursor
    assert set(versions) >= set(before[1]) and len(versions) < FIRST + LATER
    assert {r[0] for r in cache.db.execute("SELECT rowid FROM search")} == \
        {r[0] for r in cache.db.execute("SELECT rowid FROM items")}

    free_disk(cache)  # the official frees some space
    report = engine.sync_once()
    assert report.status is SyncStatus.IDLE, report
    assert {str(i): int(v) for i, v in cache.db.execute("SELECT id, version FROM items")} == platform_versions(world)
    assert cache.outbox_counts()["done"] == ROUTED
    for item_id in routed:
        server = world.platform.store.get_item(item_id)
        assert server is not None and [h.action for h in server.history].count("route_to_executor") == 1
    assert len(cache.search("вывозят мусор", limit=1000)) == LATER
    cache.close()


def test_an_action_on_a_full_disk_is_refused_whole_with_the_reason(
        world: World, started: tuple[Cache, SyncEngine, list[str]]) -> None:
    cache, _engine, routed = started
    item_id = next(i for i in platform_versions(world) if i not in routed and cache.item(i) is not None)
    # Grow the outbox to the end of its page, so that the next action needs a page the disk has not got.
    filler = 0
    fill_disk(cache)
    with pytest.raises(sqlcipher3.OperationalError) as failure:
        while True:
            cache.enqueue(item_id, "comment", {"text": LONG_TEXT * 2}, 1, key=f"filler-{filler}")
            filler += 1
    message = storage_problem(failure.value)
    assert message is not None and "не осталось места" in message
    before = snapshot(cache)
    with pytest.raises(sqlcipher3.OperationalError):
        perform(cache, item_id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec2", "comment": LONG_TEXT * 2})
    assert snapshot(cache) == before  # neither the outbox row nor the optimistic change landed
    shown = cache.item(item_id)
    assert shown is not None and shown.assignee_id is None
    free_disk(cache)
    perform(cache, item_id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec2"})
    shown = cache.item(item_id)
    assert shown is not None and shown.assignee_id == "c-exec2"
    cache.close()


def test_the_background_sync_survives_a_full_disk_and_goes_on_when_there_is_room(
        world: World, started: tuple[Cache, SyncEngine, list[str]]) -> None:
    cache, _engine, _routed = started
    listener = Recorder(SyncStatus.STORAGE_ERROR)
    engine = SyncEngine(cache, _engine.client, listener, page_size=10, max_backoff=0.2)
    engine.submit(lambda: fill_disk(cache))  # on the engine's thread, between passes
    with running(engine) as thread:
        assert listener.failed.wait(15), listener.statuses
        assert thread.is_alive()  # retrying, not dead
        message = next(m for s, m in listener.statuses if s is SyncStatus.STORAGE_ERROR)
        assert "Освободите место" in message
        engine.submit(lambda: free_disk(cache))
        engine.request_sync()
        assert listener.recovered.wait(15), listener.statuses
    assert {str(i): int(v) for i, v in cache.db.execute("SELECT id, version FROM items")} == platform_versions(world)
    cache.close()


def test_a_failing_operation_does_not_stop_the_sync_thread(world: World, tmp_path: Path) -> None:
    cache = Cache.open(tmp_path / "ops.posdesk", secrets.token_bytes(32))
    engine = SyncEngine(cache, world.client("c-coord"))
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("сломалась операция")

    engine.submit(broken)
    engine.submit(lambda: ran.append("next"))
    engine.drain_ops()
    assert ran == ["next"]
    cache.close()
