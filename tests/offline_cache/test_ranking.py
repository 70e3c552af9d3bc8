"""The ranking of subordinate organisations from a real encrypted cache against figures computed by hand."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from offline_cache.contract.models import Item, Me, OrganisationOut
from offline_cache.domain.model import OrgLevel, Role
from offline_cache.ranking import (
    FIGURES,
    Access,
    Figure,
    OrgFigures,
    Period,
    _queries,
    access,
    compute,
    ordered,
    rank,
    subordinates,
)
from offline_cache.reports import month_bounds, monthly_summary
from offline_cache.store.cache import Cache
from tests.offline_cache.test_reports import MONTH

MARCH = Period.month(date(2026, 3, 17))
EKB, MSK = "Asia/Yekaterinburg", "Europe/Moscow"


def _org(org_id: str, name: str, level: OrgLevel, parent: str | None, zone: str) -> OrganisationOut:
    return OrganisationOut(id=org_id, name=name, level=level, parent_id=parent, timezone=zone, approval_chain=[])


ORGS = [
    _org("r", "Администрация края", OrgLevel.REGION, None, MSK),
    _org("c", "Администрация города", OrgLevel.MUNICIPALITY, "r", EKB),
    _org("b", "Администрация Березовска", OrgLevel.MUNICIPALITY, "r", MSK),
    _org("v", "Администрация поселения", OrgLevel.SETTLEMENT, "c", EKB),
    _org("y", "Администрация Ясного", OrgLevel.SETTLEMENT, "b", MSK),  # nothing happened there
]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _item(item_id: str, org_id: str, received: str, due: str, answered: list[str], rated: str | None = None,
          **extra: Any) -> Item:
    steps = [(at, "on_approval", "answered", "approve") for at in answered]
    if rated:
        steps.append((rated, "answered", "closed", "rated"))
    return Item.model_validate({
        "id": item_id, "number": f"2026-{item_id}", "kind": "message", "org_id": org_id,
        "status": "closed" if rated else "answered" if answered else "in_work", "version": 1 + len(steps),
        "category_code": "roads", "subject": "Дороги", "text": "Яма", "address": "ул. Садовая, д. 1",
        "applicant_name": "Заявитель", "registered_at": _at(received), "received_at": _at(received),
        "due_at": _at(due), "updated_at": _at(received),
        "history": [{"at": _at(at), "actor_id": "x", "action": action, "from_status": src, "to_status": dst}
                    for at, src, dst, action in steps],
        **extra,
    })


OTHERS = [
    # the settlement: 24 h in time rated 4; 48 h late rated 1
    _item("v1", "v", "2026-03-03T05:00", "2026-04-02T19:00", ["2026-03-04T05:00"], "2026-03-05T05:00", rating=4),
    _item("v2", "v", "2026-03-05T05:00", "2026-03-06T19:00", ["2026-03-07T05:00"], "2026-03-08T05:00", rating=1),
    # answered in February, then again in March after being sent back: March counts the March answer (216 h),
    # February its own (24 h): a month's figures never change later
    _item("v3", "v", "2026-02-20T05:00", "2026-03-10T19:00", ["2026-02-21T05:00", "2026-03-01T05:00"]),
    # Берёзовск (Moscow): 24 h in time rated 5; 24 h in time not rated
    _item("b1", "b", "2026-03-10T10:00", "2026-04-09T21:00", ["2026-03-11T10:00"], "2026-03-12T10:00", rating=5),
    _item("b3", "b", "2026-03-12T10:00", "2026-04-11T21:00", ["2026-03-13T10:00"]),
    # 20:00 UTC on 28.02 is 23:00 on 28.02 in Moscow: February's there (it would be March's in Yekaterinburg)
    _item("b2", "b", "2026-02-28T20:00", "2026-03-30T21:00", []),
]


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    cache = Cache.open(tmp_path / "c.db", secrets.token_bytes(32))
    cache.store_directory(ORGS, [], [], [], [])
    cache.apply_page([*MONTH, *OTHERS], 1)
    return cache


def _rows(cache: Cache) -> dict[str, OrgFigures]:
    return {r.org_id: r for r in compute(cache.db.conn, subordinates(cache.organisations(), "r"), MARCH)}


def test_subordinates_at_every_depth() -> None:
    assert [o.id for o in subordinates(ORGS, "r")] == ["b", "c", "y", "v"]
    assert [o.id for o in subordinates(ORGS, "c")] == ["v"]
    assert subordinates(ORGS, "v") == []


def test_a_month_is_the_summarys_month() -> None:
    assert Period(date(2026, 3, 1), date(2026, 3, 31)) == MARCH
    for zone in (EKB, MSK):
        assert MARCH.bounds(zone) == month_bounds(date(2026, 3, 1), zone)
    assert Period.month(date(2026, 12, 5)) == Period(date(2026, 12, 1), date(2026, 12, 31))


def test_figures_computed_by_hand(cache: Cache) -> None:
    rows = _rows(cache)
    c, v, b, y = rows["c"], rows["v"], rows["b"], rows["y"]
    assert (c.received, c.answered, c.answered_in_time, c.rated, c.reprocessed) == (8, 4, 3, 2, 1)
    assert c.average_hours == pytest.approx((240 + 768 + 24 + 48) / 4) and c.average_rating == pytest.approx(3.5)
    # v1, v2, the summary test's V (48 h, in time); v3's last answer came 216 h (9 days) after registration
    assert (v.received, v.answered, v.answered_in_time, v.rated, v.reprocessed) == (3, 4, 3, 2, 1)
    assert v.average_hours == pytest.approx((24 + 48 + 216 + 48) / 4) and v.average_rating == pytest.approx(2.5)
    assert (b.received, b.answered, b.answered_in_time, b.rated, b.reprocessed) == (2, 2, 2, 1, 0)
    assert b.average_hours == pytest.approx(24) and b.average_rating == pytest.approx(5)
    assert (c.in_time_share, v.in_time_share, b.in_time_share) == (0.75, 0.75, 1.0)
    assert (c.reprocessed_share, v.reprocessed_share, b.reprocessed_share) == (0.5, 0.5, 0.0)
    assert y == OrgFigures("y", "Администрация Ясного", OrgLevel.SETTLEMENT, "b")  # zero received, no figures
    assert y.in_time_share is None and y.reprocessed_share is None and y.value(Figure.MESSAGES) == 0


@pytest.mark.parametrize(("figure", "descending", "expected"), [
    (Figure.MESSAGES, None, ["c", "v", "b", "y"]),  # 8, 3, 2, 0
    (Figure.MESSAGES, False, ["y", "b", "v", "c"]),
    (Figure.IN_TIME_SHARE, None, ["b", "c", "v", "y"]),  # 1.0; 0.75 and 0.75 by name (г before п); no answers last
    (Figure.IN_TIME_SHARE, False, ["c", "v", "b", "y"]),  # the tie keeps its order, no answers still last
    (Figure.AVERAGE_HOURS, None, ["b", "v", "c", "y"]),  # 24, 84, 270: fastest first
    (Figure.AVERAGE_RATING, None, ["b", "c", "v", "y"]),  # 5, 3.5, 2.5
    (Figure.REPROCESSED_SHARE, None, ["b", "c", "v", "y"]),  # 0; 0.5 and 0.5 by name (г before п)
    (Figure.REPROCESSED_SHARE, True, ["c", "v", "b", "y"]),  # the tie keeps its name order both ways
])
def test_ranking_order(cache: Cache, figure: Figure, descending: bool | None, expected: list[str]) -> None:
    ranking = rank(cache.db.conn, cache.organisations(), "r", MARCH, figure, descending)
    assert [r.org_id for r in ranking.rows] == expected
    assert ranking.descending is (FIGURES[figure].higher_is_better if descending is None else descending)


def test_ties_do_not_depend_on_the_input_order(cache: Cache) -> None:
    rows = list(_rows(cache).values())
    for figure in Figure:
        assert ordered(rows, figure) == ordered(reversed(rows), figure)


@pytest.mark.parametrize("month", [date(2026, 2, 1), date(2026, 3, 1)])  # v3 answered in both
@pytest.mark.parametrize("org_id", ["c", "v", "b", "y"])
def test_each_figure_agrees_with_the_monthly_summary(cache: Cache, org_id: str, month: date) -> None:
    org = next(o for o in ORGS if o.id == org_id)
    s = monthly_summary(cache.db.conn, org_id, month, org.timezone, now=_at("2026-04-02T05:00"))
    row = compute(cache.db.conn, [org], Period.month(month))[0]
    assert row.received == s.received
    assert (row.answered_in_time, row.answered - row.answered_in_time) == (s.answered_in_time, s.answered_late)
    assert row.average_hours == (pytest.approx(s.average_hours_to_answer) if s.average_hours_to_answer else None)
    assert row.average_rating == (pytest.approx(s.average_rating) if s.average_rating else None)
    assert row.reprocessed == s.reprocessed_after_low_rating


def test_a_date_range_on_each_organisations_calendar(cache: Cache) -> None:
    # 28.02-10.03: b2 (28.02 in Moscow) counts for Берёзовск, I (1.03 in Yekaterinburg) for the city
    rows = {r.org_id: r for r in compute(cache.db.conn, ORGS[1:], Period(date(2026, 2, 28), date(2026, 3, 10)))}
    assert rows["b"].received == 2  # b2 and b1
    assert rows["c"].received == 5  # I, A, C, D, J


def _me(org: OrganisationOut, *roles: Role) -> Me:
    return Me.model_validate({
        "user": {"id": "u", "org_id": org.id, "full_name": "Сотрудник", "roles": list(roles)},
        "organisation": org.model_dump(), "effective_roles": list(roles), "deputising_for": [],
        "server_time": _at("2026-03-01T00:00")})


def test_who_is_offered_the_ranking() -> None:
    region, city, settlement = ORGS[0], ORGS[1], ORGS[3]
    assert access(_me(region, Role.CURATOR), ORGS) == access(_me(region, Role.CURATOR, Role.HEAD), ORGS)
    allowed = access(_me(city, Role.CURATOR), ORGS)
    assert allowed is not None and allowed.allowed and allowed.scope_org_id == "c"
    regional = access(_me(region, Role.COORDINATOR), ORGS)
    assert regional == Access(True, "r", from_platform=True)  # the platform computes it: the cache cannot
    assert allowed.from_platform is False
    lonely = access(_me(settlement, Role.CURATOR), ORGS)
    assert lonely is not None and not lonely.allowed and "нет подчинённых" in lonely.reason
    for roles in ((Role.HEAD,), (Role.EXECUTOR,), (Role.ADMIN,), (Role.COORDINATOR,)):
        assert access(_me(city, *roles), ORGS) is None


SHIPPED = ("history_month", "history_action", "history_rated", "items_org_received", "items_report")


@pytest.mark.parametrize("statements", [
    # a cache without 0008's indexes: one scan of history, one of items
    tuple(f"DROP INDEX {name}" for name in SHIPPED),
    # only the plain (to_status, at) and (action, at): each entry visits its history row
    (*(f"DROP INDEX {name}" for name in SHIPPED), "CREATE INDEX history_to_status ON history (to_status, at)",
     "CREATE INDEX history_action ON history (action, at)"),
])
def test_the_same_figures_whichever_indexes_the_cache_has(cache: Cache, statements: tuple[str, ...]) -> None:
    before = _rows(cache)
    for statement in statements:
        cache.db.execute(statement)
    assert _rows(cache) == before


def test_each_period_counts_its_own_last_answer(cache: Cache) -> None:
    february = {r.org_id: r for r in compute(cache.db.conn, ORGS[1:], Period.month(date(2026, 2, 1)))}["v"]
    assert (february.answered, february.answered_in_time, february.average_hours) == (1, 1, pytest.approx(24))


def test_the_rating_its_history_entry_records(cache: Cache) -> None:
    item = _item("b9", "b", "2026-03-10T10:00", "2026-04-09T21:00", ["2026-03-11T10:00"], "2026-03-12T10:00")
    rated = item.history[-1].model_copy(update={"comment": "оценка заявителя: 2"})
    cache.apply_page([item.model_copy(update={"history": [*item.history[:-1], rated]})], 2)  # no rating in the record
    b = _rows(cache)["b"]
    assert (b.rated, b.reprocessed, b.average_rating) == (2, 1, pytest.approx((5 + 2) / 2))


def test_each_entry_probes_its_item_once(cache: Cache) -> None:
    """With items (id, org_id, …) indexed (0008), probing once per organisation of the list made it 3x slower."""
    entries, _received = _queries(cache.db.conn)
    params = {"orgs": '["b", "c"]', "start": "", "end": "", "prefix": "", "prefix_len": 0}
    plan = [row[3] for row in cache.db.conn.execute(f"EXPLAIN QUERY PLAN {entries}", params)]
    probes = [step for step in plan if step.startswith("SEARCH i ")]
    assert probes and all("org_id" not in step for step in probes), plan
