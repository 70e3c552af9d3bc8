"""Delivering many queued actions reports them in batches, not one signal per entry, and loses no item id."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from offline_cache.actions import perform
from offline_cache.domain.model import Action
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine, SyncListener, SyncStatus
from tests.world import World

ENTRIES = 30


class _Counting(SyncListener):
    def __init__(self) -> None:
        self.items: list[list[str]] = []
        self.outbox: list[dict[str, int]] = []

    def items_changed(self, item_ids: list[str]) -> None:
        self.items.append(item_ids)

    def outbox_changed(self, counts: dict[str, int]) -> None:
        self.outbox.append(counts)


@pytest.mark.parametrize(("every", "batches"), [(3600.0, 1), (0.0, ENTRIES)])
def test_a_push_of_many_entries_is_reported_in_batches(world: World, tmp_path: Path, every: float,
                                                       batches: int) -> None:
    ids = [world.inject().id for _ in range(ENTRIES)]
    cache = Cache.open(tmp_path / "batch.posdesk", secrets.token_bytes(32))
    listener = _Counting()
    engine = SyncEngine(cache, world.client("c-coord"), listener, report_every=every)
    assert engine.sync_once().status is SyncStatus.IDLE
    for item_id in ids:
        perform(cache, item_id, Action.TAKE_INTO_WORK, {})
    listener.items.clear()
    listener.outbox.clear()

    report = engine.push()
    assert report.pushed == ENTRIES
    assert len(listener.items) == batches and len(listener.outbox) == batches
    assert sorted(i for batch in listener.items for i in batch) == sorted(ids), "every changed item is reported"
    assert listener.outbox[-1]["done"] == ENTRIES and listener.outbox[-1]["pending"] == 0
    cache.close()
