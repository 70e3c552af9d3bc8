"""The monthly summary from a real encrypted cache against a month computed by hand."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from offline_cache.contract.models import Item
from offline_cache.reports import INDEXES, RATING_PREFIX, OverdueItem, month_bounds, monthly_summary, summary_queries
from offline_cache.store.cache import Cache

ZONE = "Asia/Yekaterinburg"  # UTC+5: March 2026 is [28.02 19:00 UTC, 31.03 19:00 UTC)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _item(item_id: str, status: str, received: str, due: str, steps: list[tuple[str, str | None, str, str]],
          org_id: str = "c", **extra: Any) -> Item:
    return Item.model_validate({
        "id": item_id, "number": f"2026-{item_id}", "kind": "message", "org_id": org_id, "status": status,
        "version": 1 + len(steps), "category_code": "roads", "subject": "Дороги", "text": "Яма",
        "address": "ул. Садовая, д. 1", "applicant_name": "Заявитель", "registered_at": _at(received),
        "received_at": _at(received), "due_at": _at(due), "updated_at": _at(received),
        "history": [{"at": _at(at), "actor_id": "x", "action": action, "from_status": src, "to_status": dst}
                    for at, src, dst, action in steps],
        **extra,
    })


def _answered(at: str) -> tuple[str, str | None, str, str]:
    return (at, "on_approval", "answered", "approve")


MONTH = [
    # answered in time after 240 h
    _item("A", "answered", "2026-03-02T05:00", "2026-04-01T19:00", [_answered("2026-03-12T05:00")]),
    # received in February, answered late in March after 768 h (32 days)
    _item("B", "answered", "2026-02-10T05:00", "2026-03-12T19:00", [_answered("2026-03-14T05:00")]),
    # answered in 24 h, rated 5
    _item("C", "closed", "2026-03-05T05:00", "2026-04-04T19:00",
          [_answered("2026-03-06T05:00"), ("2026-03-08T05:00", "answered", "closed", "rated")], rating=5),
    _item("D", "rejected", "2026-03-10T05:00", "2026-04-09T19:00",
          [("2026-03-11T05:00", "awaiting_routing", "rejected", "reject")],
          rejection={"ground_code": "no_location", "comment": "нет адреса"}),
    _item("E", "rejected", "2026-03-15T05:00", "2026-04-14T19:00",
          [("2026-03-16T05:00", "awaiting_routing", "rejected", "reject")],
          rejection={"ground_code": "spam", "comment": "реклама"}),
    _item("F", "redirected", "2026-03-20T05:00", "2026-04-19T19:00",
          [("2026-03-21T05:00", "awaiting_routing", "redirected", "redirect")]),
    # received in February, still in work, its deadline passed on 3.03: overdue
    _item("G", "in_work", "2026-02-01T05:00", "2026-03-03T19:00",
          [("2026-02-02T05:00", "awaiting_routing", "in_work", "route_to_executor")]),
    # 20:00 UTC on 31.03 is already 1.04 in Yekaterinburg: April's
    _item("H", "awaiting_routing", "2026-03-31T20:00", "2026-05-01T19:00", []),
    # 20:00 UTC on 28.02 is already 1.03 in Yekaterinburg: March's
    _item("I", "awaiting_routing", "2026-02-28T20:00", "2026-03-31T19:00", []),
    # answered in 48 h, rated 2: re-processed above
    _item("J", "closed", "2026-03-01T05:00", "2026-03-31T19:00",
          [_answered("2026-03-03T05:00"), ("2026-03-04T05:00", "answered", "closed", "rated")], rating=2),
    _item("K", "interim_answer", "2026-03-17T05:00", "2026-04-16T19:00",
          [("2026-03-18T05:00", "on_approval", "interim_answer", "approve")]),
    # another organisation's items do not count
    _item("V", "answered", "2026-03-02T05:00", "2026-04-01T19:00", [_answered("2026-03-04T05:00")], org_id="v"),
]


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    cache = Cache.open(tmp_path / "c.db", secrets.token_bytes(32))
    cache.apply_page(MONTH, 1)
    return cache


def test_month_bounds_on_the_organisations_calendar() -> None:
    assert month_bounds(date(2026, 3, 15), ZONE) == ("2026-02-28T19:00:00+00:00", "2026-03-31T19:00:00+00:00")
    assert month_bounds(date(2026, 12, 1), "Europe/Moscow") == ("2026-11-30T21:00:00+00:00",
                                                                "2026-12-31T21:00:00+00:00")


def test_monthly_summary_against_a_hand_computed_month(cache: Cache) -> None:
    s = monthly_summary(cache.db.conn, "c", date(2026, 3, 1), ZONE, now=_at("2026-04-02T05:00"))
    assert s.received == 8  # A C D E F I J K
    assert (s.answered_in_time, s.answered_late) == (3, 1)  # A C J in time, B late
    assert s.rejected_by_ground == {"no_location": 1, "spam": 1}
    assert (s.redirected, s.interim_answers) == (1, 1)
    assert s.reprocessed_after_low_rating == 1  # J
    assert s.average_hours_to_answer == pytest.approx((240 + 768 + 24 + 48) / 4)
    assert s.p90_hours_to_answer == pytest.approx(768)  # 4 answers: the 4th is the first with ≥ 90 % at or below
    assert s.average_rating == pytest.approx(3.5)
    assert s.overdue == (
        OverdueItem("G", "2026-G", "2026-03-03T19:00:00+00:00", None, ""),
        OverdueItem("B", "2026-B", "2026-03-12T19:00:00+00:00", "2026-03-14T05:00:00+00:00", ""),
    )


def test_an_empty_month(cache: Cache) -> None:
    s = monthly_summary(cache.db.conn, "c", date(2025, 6, 1), ZONE, now=_at("2025-07-01T00:00"))
    assert (s.received, s.answered_in_time, s.answered_late, s.redirected) == (0, 0, 0, 0)
    assert s.average_hours_to_answer is None and s.p90_hours_to_answer is None and s.average_rating is None
    assert s.rejected_by_ground == {} and s.overdue == ()


def test_an_item_counts_once_at_its_last_answer_of_the_month_and_later_months_change_nothing(tmp_path: Path) -> None:
    cache = Cache.open(tmp_path / "c.db", secrets.token_bytes(32))
    cache.apply_page([
        # answered twice in March (returned in between): counted once, at the second (late) answer
        _item("T", "answered", "2026-03-02T05:00", "2026-03-10T19:00", [
            _answered("2026-03-05T05:00"), ("2026-03-06T05:00", "answered", "in_work", "return_for_revision"),
            _answered("2026-03-12T05:00")]),
        # answered in time in March and again in April: March keeps it in time
        _item("U", "answered", "2026-03-02T05:00", "2026-03-31T19:00", [
            _answered("2026-03-03T05:00"), ("2026-04-06T05:00", "answered", "in_work", "return_for_revision"),
            _answered("2026-04-12T05:00")]),
        # the rating as the platform words it in history wins over a record without one
        _item("W", "closed", "2026-03-02T05:00", "2026-03-31T19:00", [
            _answered("2026-03-04T05:00"),
            ("2026-03-05T05:00", "answered", "closed", "rated")]),
    ], 1)
    cache.db.execute("UPDATE history SET comment = 'оценка заявителя: 1' WHERE item_id = 'W' AND action = 'rated'")
    cache.db.conn.commit()
    s = monthly_summary(cache.db.conn, "c", date(2026, 3, 1), ZONE, now=_at("2026-04-20T05:00"))
    assert (s.answered_in_time, s.answered_late) == (2, 1)  # U and W in time, T late
    assert s.average_hours_to_answer == pytest.approx((240 + 24 + 48) / 3)
    assert [o.item_id for o in s.overdue] == ["T"]
    assert (s.average_rating, s.reprocessed_after_low_rating) == (1.0, 1)
    april = monthly_summary(cache.db.conn, "c", date(2026, 4, 1), ZONE, now=_at("2026-05-20T05:00"))
    assert (april.answered_in_time, april.answered_late) == (0, 1)  # U's second answer, after its deadline


def test_a_cache_of_one_organisation_gives_the_same_figures(tmp_path: Path) -> None:
    """A head's cache holds its organisation alone: the entries are not checked against items (same figures)."""
    cache = Cache.open(tmp_path / "c.db", secrets.token_bytes(32))
    cache.apply_page([i for i in MONTH if i.org_id == "c"], 1)
    one = monthly_summary(cache.db.conn, "c", date(2026, 3, 1), ZONE, now=_at("2026-04-02T05:00"))
    cache.apply_page([i for i in MONTH if i.org_id != "c"], 2)
    both = monthly_summary(cache.db.conn, "c", date(2026, 3, 1), ZONE, now=_at("2026-04-02T05:00"))
    assert one == both
    assert (one.received, one.answered_in_time, one.redirected, one.interim_answers) == (8, 3, 1, 1)
    assert one.rejected_by_ground == {"no_location": 1, "spam": 1} and one.average_rating == pytest.approx(3.5)


def test_the_month_is_read_from_covering_indexes_without_statistics(cache: Cache) -> None:
    """With the summary's indexes (migration 0008), no history or items row is read to find the month's entries:
    the planner picks covering indexes even without ANALYZE (which the app never runs)."""
    for sql in INDEXES:
        cache.db.execute(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
    cache.db.conn.commit()
    params = {"org": "c", "start": "2026-02-28T19:00:00+00:00", "end": "2026-03-31T19:00:00+00:00",
              "now": "2026-04-02T05:00:00+00:00", "prefix": RATING_PREFIX, "prefix_len": len(RATING_PREFIX),
              "late": "{}"}
    queries = summary_queries()
    for name in ("month entries", "month entries, one organisation", "received"):
        plan = [row[-1] for row in cache.db.execute(f"EXPLAIN QUERY PLAN {queries[name]}", params)]
        searches = [p for p in plan if p.startswith(("SEARCH history", "SEARCH items", "SEARCH i ", "SCAN"))
                    and "item_records" not in p and not p.startswith(("SCAN h", "SCAN j"))]
        assert searches and all("COVERING INDEX" in p for p in searches), (name, plan)
