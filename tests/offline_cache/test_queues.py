"""Queues in SQL: each queue holds what its definition says, filters and search narrow it, paging is stable."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import pytest

from offline_cache.domain.model import Action, Role, Status
from offline_cache.domain.workflow import draft_digest
from offline_cache.queues import Filters, QueueId, QueueQuery, Urgent, Viewer, queues_for
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine
from tests.world import World


@pytest.fixture
def synced(world: World, tmp_path: Path) -> tuple[World, Cache]:
    texts = ["Яма на дороге", "Не горит фонарь, тёмный двор", "Мусор не вывозят", "Снег не убран"]
    items = [world.inject(text=f"{texts[n % 4]} №{n}", category=("roads", "light", "snow")[n % 3])
             for n in range(24)]
    coord, exec1, head = world.client("c-coord"), world.client("c-exec1"), world.client("c-head")
    for item in items[:8]:
        routed = coord.act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
        if item in items[:4]:
            submitted = exec1.act(item.id, Action.SUBMIT_FOR_APPROVAL, routed.version, {"text": "Ответ"})
            seen = {"draft_digest": draft_digest(submitted.draft)}
            cur = world.client("c-cur").act(item.id, Action.APPROVE, submitted.version, seen)
            if item is items[0]:
                head.act(item.id, Action.RETURN_FOR_REVISION, cur.version, {"comment": "Уточните сроки", **seen})
    cache = Cache.open(tmp_path / "c.db", secrets.token_bytes(32))
    report = SyncEngine(cache, coord).sync_once()
    assert report.error == ""
    yield world, cache
    cache.close()


def viewer(user: str, roles: set[Role], steps: dict[str, tuple[int, ...]] | None = None) -> Viewer:
    return Viewer(user, frozenset({user}), frozenset(roles), steps or {})


def test_queues_match_their_definitions(synced: tuple[World, Cache]) -> None:
    world, cache = synced
    now = world.clock.now()
    q = QueueQuery(cache.db.conn, viewer("c-exec1", {Role.EXECUTOR}))
    assert q.count(QueueId.ROUTING, Filters(), now) == 16
    assert q.count(QueueId.MY_WORK, Filters(), now) == 4
    assert q.count(QueueId.RETURNED, Filters(), now) == 1
    assert q.count(QueueId.ALL, Filters(), now) == 24
    head = QueueQuery(cache.db.conn, viewer("c-head", {Role.HEAD}, {"c": (1,)}))
    curator = QueueQuery(cache.db.conn, viewer("c-cur", {Role.CURATOR}, {"c": (0,)}))
    assert head.count(QueueId.APPROVAL, Filters(), now) == 3
    assert curator.count(QueueId.APPROVAL, Filters(), now) == 0


def test_overdue_and_urgency_follow_the_clock(synced: tuple[World, Cache]) -> None:
    world, cache = synced
    q = QueueQuery(cache.db.conn, viewer("c-coord", {Role.COORDINATOR}))
    now = world.clock.now()
    assert q.count(QueueId.OVERDUE, Filters(), now) == 0
    # The routing term is 3 days: four days later every unrouted item is overdue.
    assert q.count(QueueId.OVERDUE, Filters(), now + timedelta(days=4)) == 16
    critical = q.count(QueueId.ALL, Filters(urgency=(Urgent.CRITICAL,)), now + timedelta(days=3))
    assert critical == 16


def test_search_and_filters_narrow_the_queue(synced: tuple[World, Cache]) -> None:
    world, cache = synced
    q = QueueQuery(cache.db.conn, viewer("c-coord", {Role.COORDINATOR}))
    now = world.clock.now()
    assert q.count(QueueId.ALL, Filters(text="темный"), now) == 6  # ё/е alike, prefix of «тёмный»
    assert q.count(QueueId.ALL, Filters(text="фонар двор"), now) == 6
    assert q.count(QueueId.ALL, Filters(categories=("snow",)), now) == 8
    # in work: items 4-7, categories light, snow, roads, light
    assert q.count(QueueId.ALL, Filters(statuses=(Status.IN_WORK.value,), categories=("roads",)), now) == 1
    assert q.count(QueueId.ALL, Filters(text="!!!"), now) == 0


def test_paging_is_stable_and_sorted(synced: tuple[World, Cache]) -> None:
    world, cache = synced
    q = QueueQuery(cache.db.conn, viewer("c-coord", {Role.COORDINATOR}))
    now = world.clock.now()
    pages = [q.page(QueueId.ALL, Filters(), now, sort="number", offset=o, limit=5) for o in range(0, 25, 5)]
    numbers = [row["number"] for page in pages for row in page]
    assert len(numbers) == 24 and numbers == sorted(numbers)
    desc = q.page(QueueId.ALL, Filters(), now, sort="number", descending=True, limit=24)
    assert [r["number"] for r in desc] == sorted(numbers, reverse=True)
    assert {r["category_name"] for r in desc} == {"Дороги", "Освещение", "Уборка снега"}


def test_queues_by_role() -> None:
    assert queues_for(viewer("x", {Role.COORDINATOR}))[0] is QueueId.ROUTING
    assert QueueId.APPROVAL in queues_for(viewer("x", {Role.HEAD}))
    assert QueueId.APPROVAL not in queues_for(viewer("x", {Role.EXECUTOR}))
    assert queues_for(viewer("x", {Role.EXECUTOR}))[-1] is QueueId.OUTBOX
