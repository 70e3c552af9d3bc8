"""The control board's counts from a synced cache against counts computed from the training platform's own data."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from offline_cache.contract.models import Item
from offline_cache.control import ControlTimes
from offline_cache.control_board import MEASURES, UNASSIGNED, AnsweredMemo, Cell, Dimension, Measure, control_board
from offline_cache.domain.deadlines import active_deadline
from offline_cache.domain.drafts import draft_digest
from offline_cache.domain.model import OPEN_STATUSES, Action, Role, Status
from offline_cache.queues import Filters, QueueId, QueueQuery, Viewer
from offline_cache.reminders import Reminders
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine
from tests.world import WORLD_START, World, populate
from training_platform.server import TrainingServer
from training_platform.service import Clock, Platform, PlatformConfig
from training_platform.store import Store

ZONE = ZoneInfo("Asia/Yekaterinburg")  # the organisation «c»


def _drive(world: World) -> None:
    """Items of every kind of state, registered over two weeks so that their deadlines spread."""
    coord, cur, head = world.client("c-coord"), world.client("c-cur"), world.client("c-head")
    execs = {e: world.client(e) for e in ("c-exec1", "c-exec2")}
    for day in range(12):
        for n, category in enumerate(("snow", "light", "roads")):
            item = world.inject(category=category, text=f"Обращение {day}-{n}")
            shape = (day + n) % 5
            if shape == 0:
                continue  # awaiting routing: its 3-day routing term runs
            executor = "c-exec1" if n % 2 == 0 else "c-exec2"
            item = coord.act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": executor})
            if shape == 1:
                continue
            work = execs[executor]
            item = work.act(item.id, Action.SUBMIT_FOR_APPROVAL, item.version, {"text": "Проект ответа"})
            if shape == 2:
                continue
            if shape == 3:
                cur.act(item.id, Action.RETURN_FOR_REVISION, item.version,
                        {"comment": "Уточните сроки", "draft_digest": draft_digest(item.draft)})
                continue
            item = cur.act(item.id, Action.APPROVE, item.version, {"draft_digest": draft_digest(item.draft)})
            head.act(item.id, Action.APPROVE, item.version, {"draft_digest": draft_digest(item.draft)})  # answered
        world.clock.advance(86400 * 1.3)


def _expected(items: list[Item], dimension: Dimension, now: datetime) -> dict[str, dict[Measure, int]]:
    """The board computed in Python from the platform's records with the domain's deadline rule."""
    today = now.astimezone(ZONE).date()
    today_end = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=ZONE)
    soon_end = today_end + timedelta(days=3)
    month_start = datetime.combine(today.replace(day=1), datetime.min.time(), tzinfo=ZONE)
    counts: dict[str, Counter[Measure]] = {}
    for item in items:
        key = (item.assignee_id or UNASSIGNED) if dimension is Dimension.EXECUTOR else item.category_code
        row = counts.setdefault(key, Counter())
        due = active_deadline(item)
        if item.status in OPEN_STATUSES:
            row[Measure.OPEN] += 1
            assert due is not None
            row[Measure.OVERDUE] += due <= now
            row[Measure.DUE_TODAY] += now < due <= today_end
            row[Measure.DUE_SOON] += today_end < due <= soon_end
        row[Measure.RETURNED] += item.status is Status.RETURNED
        answers = [h.at for h in item.history if h.to_status is Status.ANSWERED]
        if answers and month_start <= answers[-1] and answers[-1] < item.due_at:
            row[Measure.ANSWERED_IN_TIME] += 1
    return {k: {m: c[m] for m in MEASURES} for k, c in counts.items() if any(c.values())}


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One world for the module, driven once; tokens outlive the two weeks its clock moves."""
    clock = Clock(WORLD_START)
    platform = Platform(Store(":memory:"), clock=clock, config=PlatformConfig(access_ttl=30 * 86400))
    populate(platform, WORLD_START)
    server = TrainingServer(platform)
    server.start()
    world = World(server, clock)
    _drive(world)
    yield world
    for client in world.clients:
        client.close()
    server.stop()


@pytest.fixture(scope="module")
def synced(world: World, tmp_path_factory: pytest.TempPathFactory) -> tuple[Cache, list[Item]]:
    cache = Cache.open(tmp_path_factory.mktemp("board") / "c.db", secrets.token_bytes(32))
    report = SyncEngine(cache, world.client("c-head"), page_size=50).sync_once()
    assert report.error == "", report
    platform = world.platform
    head = platform.store.staff()["c-head"]
    items = platform.feed(head, 0, 10_000).items
    assert len(items) == 36 and cache.item_count() == 36
    return cache, items


@pytest.mark.parametrize("dimension", list(Dimension))
def test_board_counts_match_the_platforms_data(world: World, synced: tuple[Cache, list[Item]],
                                               dimension: Dimension) -> None:
    cache, items = synced
    now = world.clock.now()
    board = control_board(cache.db.conn, dimension, now, ZONE)
    got = {row.key: row.counts for row in board.rows}
    assert got == _expected(items, dimension, now)
    # The world really spreads over every column, so the comparison says something.
    assert all(board.totals[m] > 0 for m in MEASURES), board.totals
    assert board.totals[Measure.OPEN] == sum(i.status in OPEN_STATUSES for i in items)


def test_names_and_order(world: World, synced: tuple[Cache, list[Item]]) -> None:
    cache, _ = synced
    board = control_board(cache.db.conn, Dimension.EXECUTOR, world.clock.now(), ZONE)
    names = {row.key: row.name for row in board.rows}
    assert names[UNASSIGNED] == "Не назначено" and names["c-exec1"] == "Сотрудник c-exec1"
    overdue = [row.counts[Measure.OVERDUE] for row in board.rows]
    assert overdue == sorted(overdue, reverse=True)
    categories = control_board(cache.db.conn, Dimension.CATEGORY, world.clock.now(), ZONE)
    assert {row.name for row in categories.rows} == {"Дороги", "Освещение", "Уборка снега"}


@pytest.mark.parametrize("dimension", list(Dimension))
def test_every_cell_opens_exactly_the_items_it_counts(world: World, synced: tuple[Cache, list[Item]],
                                                      dimension: Dimension) -> None:
    cache, _ = synced
    now = world.clock.now()
    board = control_board(cache.db.conn, dimension, now, ZONE)
    query = QueueQuery(cache.db.conn, Viewer("c-head", frozenset({"c-head"}), frozenset()))
    for row in board.rows:
        for measure in MEASURES:
            cell = Cell(dimension, row.key, measure, ZONE.key)
            assert query.count(QueueId.ALL, Filters(narrowing=cell), now) == row.counts[measure], (row.key, measure)
    for measure in MEASURES:
        total = Cell(dimension, None, measure, ZONE.key)
        assert query.count(QueueId.ALL, Filters(narrowing=total), now) == board.totals[measure]
    # As the window opens «answered in time»: by the ids the memo counted, the same items as by the rule.
    memo = AnsweredMemo()
    control_board(cache.db.conn, dimension, now, ZONE, memo)
    for row in board.rows:
        rule = Cell(dimension, row.key, Measure.ANSWERED_IN_TIME, ZONE.key)
        by_ids = Cell(dimension, row.key, Measure.ANSWERED_IN_TIME, ZONE.key,
                      item_ids=tuple(memo.counted.get(row.key, [])))
        expected = {r["id"] for r in query.page(QueueId.ALL, Filters(narrowing=rule), now, limit=1000)}
        assert {r["id"] for r in query.page(QueueId.ALL, Filters(narrowing=by_ids), now, limit=1000)} == expected


def test_reminders_count_whose_items(world: World, synced: tuple[Cache, list[Item]]) -> None:
    cache, _ = synced
    now = world.clock.now()
    board = {row.key: row.counts for row in control_board(cache.db.conn, Dimension.EXECUTOR, now, ZONE).rows}
    totals = control_board(cache.db.conn, Dimension.EXECUTOR, now, ZONE).totals
    times = ControlTimes(cache.db.conn, ZONE)

    def reminders(user: str, roles: set[Role]) -> Reminders:
        return Reminders(cache.db.conn, Viewer(user, frozenset({user}), frozenset(roles)), ZONE.key, times)

    def today_and_late(counts: dict[Measure, int]) -> tuple[int, int]:
        return counts[Measure.DUE_TODAY], counts[Measure.OVERDUE]

    assert reminders("c-exec1", {Role.EXECUTOR}).counts(now) == today_and_late(board["c-exec1"])
    assert reminders("c-coord", {Role.COORDINATOR}).counts(now) == today_and_late(board[UNASSIGNED])
    assert reminders("c-head", {Role.HEAD}).counts(now) == today_and_late(totals)
    watcher = reminders("c-coord", {Role.COORDINATOR})
    watcher.refresh()
    summary = watcher.check(now)
    assert [n.kind for n in summary] == ["summary"] and summary[0].text.startswith("Ваши сообщения: ")
    assert watcher.check(now) == []  # once a day


def test_the_months_answers_are_counted_again_once_they_change(world: World, synced: tuple[Cache, list[Item]]) -> None:
    """Last in the module: it answers one more item."""
    cache, _ = synced
    memo, now = AnsweredMemo(), world.clock.now()
    before = control_board(cache.db.conn, Dimension.EXECUTOR, now, ZONE, memo)
    assert control_board(cache.db.conn, Dimension.EXECUTOR, now, ZONE, memo) == before
    waiting = next(i for i in world.platform.feed(world.platform.store.staff()["c-head"], 0, 10_000).items
                   if i.status is Status.ON_APPROVAL and i.approval_step == 0)
    digest = {"draft_digest": draft_digest(waiting.draft)}
    item = world.client("c-cur").act(waiting.id, Action.APPROVE, waiting.version, digest)
    world.client("c-head").act(item.id, Action.APPROVE, item.version, digest)
    assert SyncEngine(cache, world.client("c-head")).sync_once().error == ""
    after = control_board(cache.db.conn, Dimension.EXECUTOR, now, ZONE, memo)
    assert after.totals[Measure.ANSWERED_IN_TIME] == before.totals[Measure.ANSWERED_IN_TIME] + 1
    assert after == control_board(cache.db.conn, Dimension.EXECUTOR, now, ZONE)
