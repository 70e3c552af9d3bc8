"""Crash safety: a sync killed with SIGKILL at random moments loses, duplicates and corrupts nothing."""

from __future__ import annotations

import json
import random
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from offline_cache.actions import perform
from offline_cache.client import PlatformClient
from offline_cache.domain.model import Action, Status
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine
from tests.world import World

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

WORKER = Path(__file__).with_name("crash_worker.py")
ROOT = Path(__file__).resolve().parents[2]
KILLS = 25
FIRST_ITEMS, MORE_ITEMS, ITEMS_PER_ROUND, ROUTED_PER_ROUND = 80, 320, 40, 2
ROUTED_FIRST = 30


def start_worker(world: World, path: Path, key: bytes, *, once: bool = False) -> subprocess.Popen[str]:
    args = [sys.executable, str(WORKER), world.url, str(path), key.hex(), "c-coord", *(["--once"] if once else [])]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # after imports, opening the cache and logging in
    if line.strip() != "ready":
        proc.kill()
        _, err = proc.communicate(timeout=10)
        pytest.fail(f"crash worker did not start: {line!r} {err[-2000:]}")
    return proc


def platform_snapshot(world: World) -> dict[str, tuple[int, int, str]]:
    """id -> (feed seq, version, status) of every item c-coord sees (all test items are in org c)."""
    store = world.platform.store
    with store.lock:
        rows = store.conn.execute("SELECT id, seq, data FROM items WHERE org_id='c'").fetchall()
    result = {}
    for item_id, seq, data in rows:
        record = json.loads(data)
        result[str(item_id)] = (int(seq), int(record["version"]), str(record["status"]))
    return result


def route_counts(world: World, item_ids: list[str]) -> dict[str, int]:
    """How many times c-coord's route_to_executor was applied to each item on the platform."""
    counts = {}
    for item_id in item_ids:
        item = world.platform.store.get_item(item_id)
        assert item is not None
        counts[item_id] = sum(1 for h in item.history if h.action == "route_to_executor" and h.actor_id == "c-coord")
    return counts


def check_cache(path: Path, key: bytes, world: World, queued: dict[str, str]) -> tuple[bool, dict[str, int]]:
    """Check every invariant that must hold after a kill; return (cache fully in sync, outbox counts)."""
    cache = Cache.open(path, key, create=False)
    try:
        db = cache.db.conn
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        db.execute("INSERT INTO search (search) VALUES ('integrity-check')")  # raises if the index is corrupt
        # One search row per item, under the item's rowid (the index keeps no copy to compare against).
        indexed = {r[0] for r in db.execute("SELECT rowid FROM search")}
        assert indexed == {r[0] for r in db.execute("SELECT rowid FROM items")}
        rows = db.execute("SELECT idempotency_key, item_id, state FROM outbox ORDER BY id").fetchall()
        assert len(rows) == len(queued), "an outbox row was lost or duplicated"
        assert {k: i for k, i, _ in rows} == queued
        # «sending»: killed while its request was out; it goes again under the same key.
        assert {s for _, _, s in rows} <= {"pending", "sending", "done"}, rows
        # The optimistic layer matches the outbox: pending counts and local records agree.
        pending: dict[str, int] = {}
        for _, item_id, state in rows:
            if state in ("pending", "sending"):
                pending[item_id] = pending.get(item_id, 0) + 1
        for item_id, n, local in db.execute("SELECT id, pending, local_record FROM items"):
            assert n == pending.get(item_id, 0), (item_id, n, pending.get(item_id))
            assert (local is not None) == (n > 0), item_id
        # The cursor agrees with the data: everything at or before it is present at that version.
        cursor = cache.cursor
        snap = platform_snapshot(world)
        cached = {str(i): int(v) for i, v in db.execute("SELECT id, version FROM items")}
        assert set(cached) <= set(snap)
        for item_id, (seq, version, _) in snap.items():
            if seq <= cursor:
                assert cached.get(item_id) == version, (item_id, seq, cursor, cached.get(item_id), version)
            if item_id in cached:
                assert cached[item_id] <= version, item_id
        synced = not pending and cursor >= max(seq for seq, _, _ in snap.values())
        return synced, cache.outbox_counts()
    finally:
        cache.close()


def full_feed(client: PlatformClient) -> dict[str, tuple[int, str]]:
    result: dict[str, tuple[int, str]] = {}
    cursor = 0
    while True:
        page = client.feed(cursor, 500)
        result.update({i.id: (i.version, i.status.value) for i in page.items})
        cursor = page.next_cursor
        if not page.has_more:
            return result


def queue_route(path: Path, key: bytes, item_id: str) -> str:
    cache = Cache.open(path, key, create=False)
    try:
        done = perform(cache, item_id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
        return done.entry.idempotency_key
    finally:
        cache.close()


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(world: World, tmp_path: Path) -> None:
    rng = random.Random(20260310)
    first = [world.inject(text=f"Первое обращение {n}: яма у подъезда").id for n in range(FIRST_ITEMS)]
    path, key = tmp_path / "crash.posdesk", secrets.token_bytes(32)
    cache = Cache.open(path, key)
    report = SyncEngine(cache, world.client("c-coord"), page_size=50).sync_once()
    assert report.error == "" and report.pulled == FIRST_ITEMS
    cache.close()
    queued: dict[str, str] = {}  # idempotency key -> item id
    routed = first[:ROUTED_FIRST]
    for item_id in routed:
        queued[queue_route(path, key, item_id)] = item_id
    spare = first[ROUTED_FIRST:]  # routed a few per round, queued between kills
    for n in range(MORE_ITEMS):
        world.inject(text=f"Обращение {n}: не горит фонарь во дворе")

    interrupted = 0
    for round_no in range(KILLS):
        proc = start_worker(world, path, key)
        time.sleep(rng.uniform(0, 0.4))
        if proc.poll() is not None:
            pytest.fail(f"worker exited by itself ({proc.returncode}): {proc.communicate()[1][-2000:]}")
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        synced, _ = check_cache(path, key, world, queued)
        interrupted += not synced
        assert all(n <= 1 for n in route_counts(world, list(queued.values())).values())
        # The platform moves on between runs, and the official keeps working offline.
        for n in range(ITEMS_PER_ROUND):
            world.inject(text=f"Раунд {round_no}, обращение {n}: снег не убран")
        for item_id in [spare.pop() for _ in range(min(ROUTED_PER_ROUND, len(spare)))]:
            queued[queue_route(path, key, item_id)] = item_id
            routed.append(item_id)

    proc = start_worker(world, path, key, once=True)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]

    synced, counts = check_cache(path, key, world, queued)
    expected = ROUTED_FIRST + min(KILLS * ROUTED_PER_ROUND, FIRST_ITEMS - ROUTED_FIRST)
    assert synced and counts["done"] == len(queued) == expected
    assert interrupted >= 3, f"only {interrupted} kills interrupted real work"
    assert route_counts(world, routed) == dict.fromkeys(routed, 1)
    for item_id in routed:
        item = world.platform.store.get_item(item_id)
        assert item is not None and item.assignee_id == "c-exec1" and item.status is Status.IN_WORK

    cache = Cache.open(path, key, create=False)
    try:
        rows = cache.db.execute("SELECT id, version, status FROM items").fetchall()
        mine = {str(i): (int(v), str(s)) for i, v, s in rows}
        assert mine == full_feed(world.client("c-coord"))
        assert cache.db.execute("SELECT count(*) FROM items WHERE pending>0 OR local_record IS NOT NULL "
                                "OR conflict=1").fetchone()[0] == 0
        assert len(cache.search("фонарь", limit=1000)) == MORE_ITEMS
    finally:
        cache.close()
