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


def test_an_operation_submitted_during_a_push_waits_for_one_delivery_not_all(world: World, tmp_path: Path) -> None:
    ids = [world.inject().id for _ in range(ENTRIES)]
    cache = Cache.open(tmp_path / "op.posdesk", secrets.token_bytes(32))
    client = world.client("c-coord")
    engine = SyncEngine(cache, client, report_every=3600.0)
    assert engine.sync_once().status is SyncStatus.IDLE
    for item_id in ids:
        perform(cache, item_id, Action.TAKE_INTO_WORK, {})
    delivered_before_op: list[int] = []
    acts = {"n": 0}
    act = client.act

    def counting_act(*args: object, **kwargs: object) -> object:
        acts["n"] += 1
        if acts["n"] == 1:  # the official does something while the first entry is on its way
            engine.submit(lambda: delivered_before_op.append(acts["n"]))
        return act(*args, **kwargs)  # type: ignore[arg-type]

    client.act = counting_act  # type: ignore[method-assign]
    first = engine.sync_once()
    assert delivered_before_op == [1]  # ran after one delivery, not after thirty
    assert first.status is SyncStatus.IDLE and first.pushed == 1
    rest = engine.sync_once()  # the next pass (at once, in the engine's loop) delivers the rest, in order
    assert rest.pushed == ENTRIES - 1
    assert cache.outbox_counts()["done"] == ENTRIES
    cache.close()
