"""Item deadlines from the cache: stage terms and the platform's calendar synced, read offline, nearer one governs."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from offline_cache.contract.models import CalendarYearIn, CalendarYearOut, CategoryOut, Item, StageTermOut
from offline_cache.control import ControlTimes
from offline_cache.domain.deadlines import TermKind
from offline_cache.domain.model import Action, ItemKind
from offline_cache.domain.stages import DEFAULT_STAGE_TERMS, DayKind, Stage, StageTerm
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine
from tests.world import CATEGORIES, World

ZONE = "Asia/Yekaterinburg"  # UTC+5, the organisation «c»
HOLES = CategoryOut(code="holes", name="Ямы", term_kind=TermKind.FAST_TRACK_2, term_days=10,
                    stage_terms=[StageTermOut(stage=Stage.EXECUTION, days=5, day_kind=DayKind.WORKING)])


def _synced(world: World, tmp_path: Path, user: str = "c-exec1") -> Cache:
    cache = Cache.open(tmp_path / f"{user}.db", secrets.token_bytes(32))
    report = SyncEngine(cache, world.client(user)).sync_once()
    assert report.error == "", report
    return cache


def _setup(world: World) -> str:
    """A «holes» item (execution: 5 working days) routed on Tuesday 10.03.2026, Wednesday 11.03 made a day off."""
    with world.platform.store.transaction():
        world.platform.store.put_categories("c", [*CATEGORIES, HOLES])
    world.platform.set_calendar_year(CalendarYearIn(year=2026, days_off=[date(2026, 3, 11)]))
    item = world.inject(category="holes")
    world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
    return item.id


def test_sync_stores_stage_terms_and_calendar_years(world: World, tmp_path: Path) -> None:
    _setup(world)
    cache = _synced(world, tmp_path)
    rows = dict(cache.db.execute("SELECT code, stage_terms FROM categories").fetchall())
    assert {t["stage"]: (t["days"], t["day_kind"]) for t in json.loads(rows["holes"])}["execution"] == (5, "working")
    years = cache.db.execute("SELECT year, value FROM calendar_years").fetchall()
    assert [y for y, _ in years] == [2026] and "2026-03-11" in years[0][1]


def test_control_time_counts_working_days_on_the_platforms_calendar_offline(world: World, tmp_path: Path) -> None:
    item_id = _setup(world)
    cache = _synced(world, tmp_path)
    for client in world.clients:
        client.close()
    world.server.stop()  # offline from here: everything comes from the cache
    times = ControlTimes(cache.db.conn, ZONE)
    deadlines = times.of(cache.item(item_id))  # type: ignore[arg-type]
    assert deadlines.control is not None and deadlines.legal is not None
    # 12, 13, 16, 17, 18 March (the 11th is the platform's day off): ends at 00:00 on 19.03 in UTC+5.
    assert deadlines.control.at == datetime(2026, 3, 18, 19, 0, tzinfo=UTC)
    assert "5 рабочих дней с 10.03.2026" in deadlines.control.explanation
    assert "до 18.03.2026 включительно (UTC+5)" in deadlines.control.explanation
    # 10 calendar days of the fast track: 00:00 on 21.03 local; the stage's control time is nearer.
    assert deadlines.legal.at == datetime(2026, 3, 20, 19, 0, tzinfo=UTC)
    assert deadlines.governing == deadlines.control
    assert deadlines.redirect is None and "Сообщение ПОС" in deadlines.regime


def test_without_the_platforms_year_the_bundled_calendar_counts(world: World, tmp_path: Path) -> None:
    item_id = _setup(world)
    cache = _synced(world, tmp_path)
    times = ControlTimes(cache.db.conn, ZONE)
    control = times.of(cache.item(item_id)).control  # type: ignore[arg-type]
    assert control is not None and control.at == datetime(2026, 3, 18, 19, 0, tzinfo=UTC)
    cache.db.execute("DELETE FROM calendar_years")
    times.reload()  # the cache changed: read again
    control = times.of(cache.item(item_id)).control  # type: ignore[arg-type]
    assert control is not None and control.at == datetime(2026, 3, 17, 19, 0, tzinfo=UTC)  # 11-13, 16, 17


def test_category_without_terms_uses_defaults_and_an_appeal_has_its_redirect_countdown(
        world: World, tmp_path: Path) -> None:
    appeal = world.inject(kind=ItemKind.APPEAL)
    cache = _synced(world, tmp_path, "c-coord")
    cache.db.execute("UPDATE categories SET stage_terms = NULL")
    times = ControlTimes(cache.db.conn, ZONE)
    assert times.terms("roads")[1] == DEFAULT_STAGE_TERMS
    assert times.terms("unknown")[1] == DEFAULT_STAGE_TERMS
    deadlines = times.of(cache.item(appeal.id))  # type: ignore[arg-type]
    assert deadlines.redirect is not None and "59-ФЗ, ст. 8" in deadlines.redirect.explanation
    assert "7 календарных дней" in deadlines.redirect.explanation
    assert "Обращение по 59-ФЗ" in deadlines.regime
    # Awaiting routing: the coordination stage's 3 calendar days and the routing term coincide; legal wins a tie.
    assert deadlines.control is not None and deadlines.legal is not None
    assert DEFAULT_STAGE_TERMS.of(Stage.COORDINATION) == StageTerm(3, DayKind.CALENDAR)
    assert deadlines.governing == deadlines.legal and deadlines.legal.rule == "routing"


@pytest.mark.parametrize(("zone", "override", "expected"), [
    # 26, 27, Sat 28.12 (a moved working day), 30.12-8.01 off, 9.01, 10.01: ends at 00:00 on 11.01
    ("Europe/Moscow", False, datetime(2025, 1, 11, tzinfo=ZoneInfo("Europe/Moscow"))),
    # 22:30 in Moscow is 05:30 on 26.12 in Vladivostok: 27, 28, 9.01, 10.01, Mon 13.01
    ("Asia/Vladivostok", False, datetime(2025, 1, 14, tzinfo=ZoneInfo("Asia/Vladivostok"))),
    # the platform's 2025 makes 9.01 a day off too: 10.01, 13.01 instead
    ("Europe/Moscow", True, datetime(2025, 1, 14, tzinfo=ZoneInfo("Europe/Moscow"))),
    ("Asia/Vladivostok", True, datetime(2025, 1, 15, tzinfo=ZoneInfo("Asia/Vladivostok"))),
])
def test_working_days_across_new_year_in_two_zones_from_the_cache(
        tmp_path: Path, zone: str, override: bool, expected: datetime) -> None:
    assigned = datetime(2024, 12, 25, 19, 30, tzinfo=UTC)  # 22:30 in Moscow
    registered = assigned - timedelta(days=2)
    item = Item.model_validate({
        "id": "ny", "number": "2024-NY", "kind": "message", "org_id": "c", "status": "in_work", "version": 2,
        "category_code": "holes", "subject": "Яма", "text": "Яма", "address": "ул. Садовая, д. 1",
        "applicant_name": "Заявитель", "registered_at": registered, "received_at": registered,
        "due_at": registered + timedelta(days=11), "updated_at": assigned, "assignee_id": "c-exec1",
        "history": [{"at": registered, "actor_id": None, "action": "received", "from_status": None,
                     "to_status": "awaiting_routing"},
                    {"at": assigned, "actor_id": "c-coord", "action": "route_to_executor",
                     "from_status": "awaiting_routing", "to_status": "in_work"}]})
    cache = Cache.open(tmp_path / "ny.db", secrets.token_bytes(32))
    days_off = [date(2025, 1, n) for n in range(1, 10)]
    calendar = [CalendarYearOut(year=2025, days_off=days_off)] if override else []
    cache.store_directory([], [], [HOLES], [], [], calendar)
    cache.apply_page([item], 1)
    control = ControlTimes(cache.db.conn, zone).of(cache.item("ny"))  # type: ignore[arg-type]
    assert control.control is not None and control.control.at == expected
    # 11 calendar days of the legal term end before: the legal deadline governs
    assert control.governing == control.legal
