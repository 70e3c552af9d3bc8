"""Injected faults (5xx, drops, truncation, latency, outages, bad records): the cache converges to the platform."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

import pytest

from offline_cache.actions import perform
from offline_cache.client import ClientConfig, PlatformClient, RawFeedPage
from offline_cache.contract.models import FaultConfig
from offline_cache.domain.model import Action
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine, SyncListener, SyncStatus
from tests.offline_cache.recorder import Recorder, running
from tests.world import PASSWORD, World

ITEMS, LATER_ITEMS, ROUTED = 40, 30, 8
MAX_PASSES = 20


def prepare(world: World, tmp_path: Path, listener: SyncListener | None = None,
            client: PlatformClient | None = None) -> tuple[Cache, SyncEngine, list[str]]:
    """A synced cache with ROUTED routings queued offline and LATER_ITEMS new items waiting on the platform."""
    ids = [world.inject(text=f"Обращение {n}: яма на дороге").id for n in range(ITEMS)]
    cache = Cache.open(tmp_path / "faults.posdesk", secrets.token_bytes(32))
    engine = SyncEngine(cache, client or world.client("c-coord", retries=10), listener, page_size=10)
    assert engine.sync_once().status is SyncStatus.IDLE
    routed = ids[:ROUTED]
    for item_id in routed:
        perform(cache, item_id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
    for n in range(LATER_ITEMS):
        world.inject(text=f"Новое обращение {n}: не горит фонарь")
    return cache, engine, routed


def assert_converged(world: World, cache: Cache, routed: list[str]) -> None:
    """The cache holds exactly the platform's items (ids, versions, statuses); each action applied once."""
    store = world.platform.store
    with store.lock:
        rows = store.conn.execute("SELECT data FROM items WHERE org_id='c'").fetchall()
    platform = {r["id"]: (r["version"], r["status"], r["assignee_id"]) for r in (json.loads(d) for (d,) in rows)}
    mine = {str(i): (int(v), str(s), a) for i, v, s, a in
            cache.db.execute("SELECT id, version, status, assignee_id FROM items")}
    assert mine == platform
    assert cache.outbox_counts()["done"] == len(routed) == len(cache.outbox(("done",)))
    assert cache.db.execute("SELECT count(*) FROM items WHERE pending>0 OR local_record IS NOT NULL").fetchone()[0] == 0
    for item_id in routed:
        item = store.get_item(item_id)
        assert item is not None
        routes = [h for h in item.history if h.action == "route_to_executor" and h.actor_id == "c-coord"]
        assert len(routes) == 1 and item.version == 2 and item.assignee_id == "c-exec1", item_id


FAULTS = {
    "errors": FaultConfig(error_rate=0.5, seed=11),
    "drops": FaultConfig(drop_rate=0.4, seed=12),
    "truncation": FaultConfig(truncate_rate=0.4, seed=13),
    "latency": FaultConfig(latency_ms=25, seed=14),
    "mix": FaultConfig(error_rate=0.15, drop_rate=0.15, truncate_rate=0.15, latency_ms=5, seed=15),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_cache_converges_through_injected_faults(world: World, tmp_path: Path, name: str) -> None:
    cache, engine, routed = prepare(world, tmp_path)
    config = FAULTS[name]
    world.server.faults.configure(config)
    started = time.monotonic()
    reports = []
    for _ in range(MAX_PASSES):
        reports.append(engine.sync_once())
        if reports[-1].status is SyncStatus.IDLE:
            break
    elapsed = time.monotonic() - started
    counts = dict(world.server.faults.counts)
    world.server.faults.configure(FaultConfig())
    assert reports[-1].status is SyncStatus.IDLE, [r.error for r in reports]
    assert sum(r.pushed for r in reports) == ROUTED and not any(r.failed or r.conflicts for r in reports)
    assert_converged(world, cache, routed)
    if config.error_rate:
        assert counts["error"] > 0
    if config.drop_rate:
        assert counts["drop"] > 0
    if config.truncate_rate:
        assert counts["truncate"] > 0
    if config.latency_ms:
        assert elapsed >= config.latency_ms / 1000 * (ROUTED + LATER_ITEMS // 10)
    cache.close()


def test_background_run_reports_offline_and_recovers_on_request(world: World, tmp_path: Path) -> None:
    recorder = Recorder()
    cache, engine, routed = prepare(world, tmp_path, recorder, world.client("c-coord", retries=2))
    world.server.faults.configure(FaultConfig(drop_rate=1.0))
    with running(engine):
        assert recorder.failed.wait(15), recorder.statuses
        offline_message = next(m for s, m in recorder.statuses if s is SyncStatus.OFFLINE)
        assert "платформ" in offline_message.lower()
        assert recorder.outbox and recorder.outbox[-1]["pending"] == ROUTED  # nothing lost while offline
        world.server.faults.configure(FaultConfig())
        engine.request_sync()
        assert recorder.recovered.wait(15), recorder.statuses
    assert engine.status is SyncStatus.IDLE
    assert recorder.outbox and recorder.outbox[-1]["done"] == ROUTED and recorder.outbox[-1]["pending"] == 0
    assert_converged(world, cache, routed)
    cache.close()


# --- malformed records ------------------------------------------------------------------------


class CorruptingClient(PlatformClient):
    """A real client that breaks one item of the feed pages it passes on."""

    corrupt_id: str | None = None
    corruption: dict[str, Any] = {"status": "nonsense"}  # noqa: RUF012 (replaced, never mutated)

    def feed_raw(self, cursor: int = 0, limit: int = 100) -> RawFeedPage:
        page = super().feed_raw(cursor, limit)
        for raw in page.items:
            if isinstance(raw, dict) and raw.get("id") == self.corrupt_id:
                raw.update(self.corruption)
        return page


def test_malformed_record_is_quarantined_and_the_rest_of_the_page_applies(world: World, tmp_path: Path) -> None:
    ids = [world.inject(text=f"Обращение {n}: лужа во дворе").id for n in range(25)]
    client = CorruptingClient(ClientConfig(world.url), sleep=lambda _s: None)
    world.clients.append(client)
    client.login("c-coord", PASSWORD)
    client.corrupt_id = ids[12]
    recorder = Recorder()
    cache = Cache.open(tmp_path / "q.posdesk", secrets.token_bytes(32))
    report = SyncEngine(cache, client, recorder, page_size=10).sync_once()
    assert report.status is SyncStatus.IDLE and report.quarantined == 1 and report.pulled == 24, report
    assert cache.item(ids[12]) is None
    assert all(cache.item(i) is not None for i in ids if i != ids[12])
    assert len(recorder.quarantines) == 1 and recorder.quarantines[0][0] == ids[12]
    assert "status" in recorder.quarantines[0][1]
    rows = cache.db.execute("SELECT item_id, error, raw, feed_seq FROM quarantine").fetchall()
    assert len(rows) == 1
    item_id, error, raw, feed_seq = rows[0]
    assert item_id == ids[12] and error == recorder.quarantines[0][1]
    assert json.loads(raw)["status"] == "nonsense" and json.loads(raw)["id"] == ids[12]
    with world.platform.store.lock:
        last_seq = world.platform.store.conn.execute("SELECT max(seq) FROM items").fetchone()[0]
    assert cache.cursor == last_seq and feed_seq <= last_seq  # the cursor moved past the bad record
    cache.close()


def corrupt_stored_item(world: World, item_id: str, **fields: Any) -> None:
    """Write a record the contract does not allow straight into the platform's store, and re-feed it."""
    store = world.platform.store
    with store.transaction() as conn:
        (data,) = conn.execute("SELECT data FROM items WHERE id=?", (item_id,)).fetchone()
        conn.execute("UPDATE items SET data=? WHERE id=?", (json.dumps({**json.loads(data), **fields}), item_id))
        store.touch_item(item_id)


def test_platform_feed_passes_a_malformed_stored_record_through(world: World, tmp_path: Path) -> None:
    ids = [world.inject(text=f"Обращение {n}").id for n in range(12)]
    corrupt_stored_item(world, ids[5], status="nonsense")
    cache = Cache.open(tmp_path / "q2.posdesk", secrets.token_bytes(32))
    report = SyncEngine(cache, world.client("c-coord", retries=0), page_size=5).sync_once()
    assert report.status is SyncStatus.IDLE, report.error
    assert report.quarantined == 1 and report.pulled == 11
    cache.close()


def test_text_that_is_not_unicode_is_quarantined_and_the_rest_of_the_page_applies(world: World,
                                                                                  tmp_path: Path) -> None:
    """Valid JSON may escape a lone surrogate ("\\ud800"): no UTF-8 file can hold it. The record is
    kept aside (readably escaped) instead of failing the page, and the sync goes on."""
    ids = [world.inject(text=f"Обращение {n}: яма").id for n in range(12)]
    client = CorruptingClient(ClientConfig(world.url), sleep=lambda _s: None)
    world.clients.append(client)
    client.login("c-coord", PASSWORD)
    client.corrupt_id = ids[3]
    client.corruption = json.loads('{"text": "Яма \\ud800 у дома", "address": "ул. \\udfff"}')
    recorder = Recorder()
    cache = Cache.open(tmp_path / "u.posdesk", secrets.token_bytes(32))
    report = SyncEngine(cache, client, recorder, page_size=5).sync_once()
    assert report.status is SyncStatus.IDLE and report.quarantined == 1 and report.pulled == 11, report
    assert cache.item(ids[3]) is None and all(cache.item(i) is not None for i in ids if i != ids[3])
    assert [q[0] for q in recorder.quarantines] == [ids[3]] and "Юникод" in recorder.quarantines[0][1]
    [(item_id, raw)] = cache.db.execute("SELECT item_id, raw FROM quarantine").fetchall()
    assert item_id == ids[3] and json.loads(raw)["text"] == "Яма \ud800 у дома"
    assert len(cache.search("яма")) == 11
    cache.close()
