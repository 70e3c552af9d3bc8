"""Sync basics: first download in pages, search, an optimistic action pushed and confirmed, file encrypted."""

import secrets

from offline_cache.actions import perform
from offline_cache.domain.model import Action, Status
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine


def test_sync(world, tmp_path):
    for _ in range(30):
        world.inject(text="Ещё одна ЯМА во дворе, тёмный подъезд")
    cache = Cache.open(tmp_path / "c.db", secrets.token_bytes(32))
    client = world.client("c-coord")
    eng = SyncEngine(cache, client, page_size=7)
    r = eng.sync_once()
    assert r.error == "" and r.pulled == 30 and r.pages == 5, r
    assert len(cache.search("яма")) == 30 and len(cache.search("темн подъ")) == 30
    item_id = cache.search("яма")[0]["id"]
    p = perform(cache, item_id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
    assert p.item.status is Status.IN_WORK and cache.item(item_id).status is Status.IN_WORK
    assert cache.server_item(item_id).status is Status.AWAITING_ROUTING
    r = eng.sync_once()
    assert r.pushed == 1, r
    assert cache.outbox_counts()["done"] == 1
    assert cache.server_item(item_id).status is Status.IN_WORK
    raw = (tmp_path / "c.db").read_bytes()
    assert not raw.startswith(b"SQLite format 3") and "ЯМА".encode() not in raw
