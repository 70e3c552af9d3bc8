"""Deadlines: calendar-day terms in the organisation's zone, routing term, urgency, active deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from offline_cache.domain.deadlines import (
    ACCELERATED_TERM_DAYS,
    DEFAULT_TERM_DAYS,
    FAST_TRACK_1_DAYS,
    FAST_TRACK_2_DAYS,
    ROUTING_TERM_DAYS,
    STANDARD_TERM,
    Term,
    TermError,
    TermKind,
    Urgency,
    UrgencyThresholds,
    active_deadline,
    answer_due,
    calendar_term_end,
    item_urgency,
    remaining,
    routing_due,
    term_days,
    urgency,
)
from offline_cache.domain.model import ItemKind, ItemState, Status

MSK = ZoneInfo("Europe/Moscow")
UTC = ZoneInfo("UTC")

ItemFactory = Callable[..., ItemState]


def _msk(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, us: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, us, tzinfo=MSK)


# --- constants and terms --------------------------------------------------------------------


def test_regulatory_constants() -> None:
    assert (DEFAULT_TERM_DAYS, ACCELERATED_TERM_DAYS, FAST_TRACK_1_DAYS, FAST_TRACK_2_DAYS, ROUTING_TERM_DAYS) == (
        30, 10, 8, 10, 3)
    assert Term() == STANDARD_TERM == Term(TermKind.STANDARD, 30)


@pytest.mark.parametrize(
    ("kind", "days"),
    [
        (TermKind.STANDARD, 29), (TermKind.STANDARD, 10),
        (TermKind.ACCELERATED, 30), (TermKind.ACCELERATED, 8),
        (TermKind.FAST_TRACK_1, 10), (TermKind.FAST_TRACK_1, 7),
        (TermKind.FAST_TRACK_2, 8), (TermKind.FAST_TRACK_2, 11),
        (TermKind.CUSTOM, 0), (TermKind.CUSTOM, -1), (TermKind.CUSTOM, 30), (TermKind.CUSTOM, 31),
    ],
)
def test_term_rejects_days_the_regulations_do_not_allow(kind: TermKind, days: int) -> None:
    with pytest.raises(TermError):
        Term(kind, days)


@pytest.mark.parametrize("days", [1, 2, 15, 29])
def test_custom_term_within_1_to_29_days(days: int) -> None:
    assert Term(TermKind.CUSTOM, days).days == days


def test_term_error_is_a_value_error() -> None:
    assert issubclass(TermError, ValueError)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("standard", 30), ("accelerated", 10), ("fast_track_1", 8), ("fast_track_2", 10),
     (TermKind.ACCELERATED, 10)],
)
def test_term_of_fills_in_fixed_days(kind: TermKind | str, expected: int) -> None:
    term = Term.of(kind)
    assert (term.kind, term.days) == (TermKind(kind), expected)


def test_term_of_custom() -> None:
    assert Term.of("custom", 12) == Term(TermKind.CUSTOM, 12)
    with pytest.raises(TermError):
        Term.of("custom")
    with pytest.raises(TermError):
        Term.of("custom", 30)
    with pytest.raises(TermError):
        Term.of("fast_track_1", 10)
    with pytest.raises(ValueError):
        Term.of("weekly")


# --- answer terms ---------------------------------------------------------------------------

_REG = _msk(2025, 3, 5, 10, 0)  # registered on 5 March, Moscow


@pytest.mark.parametrize(
    ("term", "due"),
    [
        (Term.of("standard"), _msk(2025, 4, 5)),  # 5 March + 31 days
        (Term.of("accelerated"), _msk(2025, 3, 16)),
        (Term.of("fast_track_1"), _msk(2025, 3, 14)),
        (Term.of("fast_track_2"), _msk(2025, 3, 16)),
        (Term.of("custom", 1), _msk(2025, 3, 7)),
        (Term.of("custom", 5), _msk(2025, 3, 11)),
        (Term.of("custom", 29), _msk(2025, 4, 4)),
    ],
)
@pytest.mark.parametrize("kind", [ItemKind.MESSAGE, ItemKind.OPEN_SOURCE])
def test_answer_due_for_messages(kind: ItemKind, term: Term, due: datetime) -> None:
    assert answer_due(_REG, kind, term, "Europe/Moscow") == due


@pytest.mark.parametrize(
    "term", [Term.of("standard"), Term.of("accelerated"), Term.of("fast_track_1"), Term.of("custom", 3)]
)
def test_appeals_always_get_30_days(term: Term) -> None:
    assert term_days(ItemKind.APPEAL, term) == 30
    assert answer_due(_REG, ItemKind.APPEAL, term, "Europe/Moscow") == _msk(2025, 4, 5)


@pytest.mark.parametrize(("days", "due_day"), [(0, 6), (1, 7), (3, 9), (30, 36)])
def test_calendar_term_end_is_midnight_after_day_n(days: int, due_day: int) -> None:
    due = calendar_term_end(_REG, days, "Europe/Moscow")
    assert due == _msk(2025, 3, 1) + timedelta(days=due_day - 1)
    assert due.tzinfo == UTC


def test_calendar_term_end_accepts_zoneinfo_and_rejects_negative_days() -> None:
    assert calendar_term_end(_REG, 10, MSK) == calendar_term_end(_REG, 10, "Europe/Moscow")
    with pytest.raises(ValueError):
        calendar_term_end(_REG, -1, MSK)


def test_routing_due_is_three_days_from_receipt() -> None:
    assert routing_due(_msk(2025, 3, 10, 12), "Europe/Moscow") == _msk(2025, 3, 14)
    assert routing_due(_msk(2025, 3, 10, 0, 0), "Europe/Moscow") == _msk(2025, 3, 14)
    assert routing_due(_msk(2025, 3, 10, 23, 59, 59, 999_999), "Europe/Moscow") == _msk(2025, 3, 14)
    assert routing_due(_msk(2025, 3, 11, 0, 0), "Europe/Moscow") == _msk(2025, 3, 15)
    assert routing_due(_msk(2025, 3, 10, 23, 30), "Asia/Vladivostok") == datetime(2025, 3, 15, tzinfo=ZoneInfo(
        "Asia/Vladivostok"))


# --- eleven zones ---------------------------------------------------------------------------

# Registered at 23:30 Moscow time on 30 June 2025 (20:30 UTC), 30-day term. West of Samara it is still
# 30 June locally (due 00:00 on 31 July); from Samara east it is already 1 July (due 00:00 on 1 August).
ZONES = [
    ("Europe/Kaliningrad", datetime(2025, 7, 30, 22, 0, tzinfo=UTC)),
    ("Europe/Moscow", datetime(2025, 7, 30, 21, 0, tzinfo=UTC)),
    ("Europe/Samara", datetime(2025, 7, 31, 20, 0, tzinfo=UTC)),
    ("Asia/Yekaterinburg", datetime(2025, 7, 31, 19, 0, tzinfo=UTC)),
    ("Asia/Omsk", datetime(2025, 7, 31, 18, 0, tzinfo=UTC)),
    ("Asia/Krasnoyarsk", datetime(2025, 7, 31, 17, 0, tzinfo=UTC)),
    ("Asia/Irkutsk", datetime(2025, 7, 31, 16, 0, tzinfo=UTC)),
    ("Asia/Yakutsk", datetime(2025, 7, 31, 15, 0, tzinfo=UTC)),
    ("Asia/Vladivostok", datetime(2025, 7, 31, 14, 0, tzinfo=UTC)),
    ("Asia/Magadan", datetime(2025, 7, 31, 13, 0, tzinfo=UTC)),
    ("Asia/Kamchatka", datetime(2025, 7, 31, 12, 0, tzinfo=UTC)),
]
_LATE_MSK = _msk(2025, 6, 30, 23, 30)


@pytest.mark.parametrize(("zone", "due_utc"), ZONES, ids=[z for z, _ in ZONES])
def test_late_evening_moscow_registration_in_each_zone(zone: str, due_utc: datetime) -> None:
    due = answer_due(_LATE_MSK, ItemKind.MESSAGE, STANDARD_TERM, zone)
    assert due == due_utc
    assert due.tzinfo == UTC and due.utcoffset() == timedelta(0)
    local = due.astimezone(ZoneInfo(zone))
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    west = zone in ("Europe/Kaliningrad", "Europe/Moscow")
    assert local.date() == (datetime(2025, 7, 31) if west else datetime(2025, 8, 1)).date()


def test_vladivostok_falls_due_a_calendar_day_after_moscow() -> None:
    moscow = answer_due(_LATE_MSK, ItemKind.MESSAGE, STANDARD_TERM, "Europe/Moscow")
    vlad = answer_due(_LATE_MSK, ItemKind.MESSAGE, STANDARD_TERM, "Asia/Vladivostok")
    vlad_zone = ZoneInfo("Asia/Vladivostok")
    assert vlad.astimezone(vlad_zone).date() - moscow.astimezone(MSK).date() == timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "zone", "due"),
    [
        # just before and at local midnight, Moscow
        (_msk(2025, 3, 10, 23, 59, 59, 999_999), "Europe/Moscow", _msk(2025, 4, 10)),
        (_msk(2025, 3, 11, 0, 0), "Europe/Moscow", _msk(2025, 4, 11)),
        # the same instants given in UTC
        (datetime(2025, 3, 10, 20, 59, 59, tzinfo=UTC), "Europe/Moscow", datetime(2025, 4, 9, 21, 0, tzinfo=UTC)),
        (datetime(2025, 3, 10, 21, 0, tzinfo=UTC), "Europe/Moscow", datetime(2025, 4, 10, 21, 0, tzinfo=UTC)),
        # local midnight in Vladivostok is 14:00 UTC
        (datetime(2025, 3, 10, 13, 59, 59, tzinfo=UTC), "Asia/Vladivostok", datetime(2025, 4, 9, 14, 0, tzinfo=UTC)),
        (datetime(2025, 3, 10, 14, 0, tzinfo=UTC), "Asia/Vladivostok", datetime(2025, 4, 10, 14, 0, tzinfo=UTC)),
    ],
)
def test_registration_around_local_midnight(start: datetime, zone: str, due: datetime) -> None:
    assert answer_due(start, ItemKind.MESSAGE, STANDARD_TERM, zone) == due


@pytest.mark.parametrize(
    ("start", "term", "due"),
    [
        (_msk(2025, 12, 15, 10), Term.of("standard"), _msk(2026, 1, 15)),  # across the year
        (_msk(2025, 12, 31, 23, 30), Term.of("fast_track_1"), _msk(2026, 1, 9)),
        (_msk(2025, 1, 31, 10), Term.of("standard"), _msk(2025, 3, 3)),  # across a 28-day February
        (_msk(2028, 1, 31, 10), Term.of("standard"), _msk(2028, 3, 2)),  # across a 29-day February
        (_msk(2027, 2, 19, 10), Term.of("accelerated"), _msk(2027, 3, 2)),
        (_msk(2028, 2, 19, 10), Term.of("accelerated"), _msk(2028, 3, 1)),  # 29 Feb 2028 counts
        (_msk(2028, 2, 29, 10), Term.of("standard"), _msk(2028, 3, 31)),  # registered on the leap day
        (_msk(2028, 2, 29, 10), Term.of("fast_track_1"), _msk(2028, 3, 9)),
        (_msk(2028, 2, 20, 9), Term.of("custom", 8), _msk(2028, 2, 29)),  # due at the start of the leap day
        (_msk(2025, 4, 30, 18), Term.of("custom", 1), _msk(2025, 5, 2)),  # across a month end
    ],
)
def test_month_year_and_leap_day_boundaries(start: datetime, term: Term, due: datetime) -> None:
    assert answer_due(start, ItemKind.MESSAGE, term, "Europe/Moscow") == due


_NAIVE = datetime(2025, 3, 10, 12, 0)
_AWARE = _msk(2025, 3, 10, 12, 0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: calendar_term_end(_NAIVE, 30, "Europe/Moscow"),
        lambda: answer_due(_NAIVE, ItemKind.MESSAGE, STANDARD_TERM, "Europe/Moscow"),
        lambda: routing_due(_NAIVE, "Europe/Moscow"),
        lambda: remaining(_NAIVE, _AWARE),
        lambda: remaining(_AWARE, _NAIVE),
        lambda: urgency(_NAIVE, _AWARE),
        lambda: urgency(_AWARE, _NAIVE),
    ],
    ids=["calendar_term_end", "answer_due", "routing_due", "remaining-due", "remaining-now", "urgency-due",
         "urgency-now"],
)
def test_naive_datetimes_are_rejected(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


# --- urgency --------------------------------------------------------------------------------

_DUE = _msk(2025, 4, 5)
_US = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("before_due", "expected"),
    [
        (timedelta(days=-10), Urgency.OVERDUE),
        (-_US, Urgency.OVERDUE),
        (timedelta(0), Urgency.OVERDUE),  # exactly at due
        (_US, Urgency.CRITICAL),
        (timedelta(hours=5), Urgency.CRITICAL),
        (timedelta(hours=24), Urgency.CRITICAL),
        (timedelta(hours=24) + _US, Urgency.SOON),
        (timedelta(days=2), Urgency.SOON),
        (timedelta(days=3), Urgency.SOON),
        (timedelta(days=3) + _US, Urgency.OK),
        (timedelta(days=25), Urgency.OK),
    ],
)
def test_urgency_thresholds(before_due: timedelta, expected: Urgency) -> None:
    now = _DUE - before_due
    assert urgency(_DUE, now) is expected
    assert urgency(_DUE, now.astimezone(ZoneInfo("Asia/Kamchatka"))) is expected  # the zone of "now" is irrelevant
    assert remaining(_DUE, now) == before_due


@pytest.mark.parametrize(
    ("before_due", "expected"),
    [
        (timedelta(0), Urgency.OVERDUE),
        (timedelta(hours=48), Urgency.CRITICAL),
        (timedelta(hours=48) + _US, Urgency.SOON),
        (timedelta(days=7), Urgency.SOON),
        (timedelta(days=7) + _US, Urgency.OK),
    ],
)
def test_urgency_custom_thresholds(before_due: timedelta, expected: Urgency) -> None:
    thresholds = UrgencyThresholds(soon=timedelta(days=7), critical=timedelta(days=2))
    assert urgency(_DUE, _DUE - before_due, thresholds) is expected


# --- active deadline and item urgency -------------------------------------------------------

_ROUTING = _msk(2025, 3, 9)
_ANSWER = _msk(2025, 4, 5)
_CONTROL = _msk(2025, 5, 1)


@pytest.mark.parametrize(
    ("status", "routing", "due", "control", "expected"),
    [
        (Status.AWAITING_ROUTING, _ROUTING, _ANSWER, None, _ROUTING),
        (Status.AWAITING_ROUTING, _msk(2025, 4, 8), _ANSWER, None, _ANSWER),  # answer term ends first
        (Status.AWAITING_ROUTING, None, _ANSWER, None, _ANSWER),
        (Status.REPROCESSING, _ROUTING, _ANSWER, None, _ROUTING),
        (Status.REPROCESSING, _msk(2025, 4, 8), _ANSWER, None, _ANSWER),
        (Status.REPROCESSING, None, _ANSWER, None, _ANSWER),
        (Status.IN_WORK, _ROUTING, _ANSWER, _CONTROL, _ANSWER),
        (Status.ON_APPROVAL, _ROUTING, _ANSWER, _CONTROL, _ANSWER),
        (Status.RETURNED, _ROUTING, _ANSWER, _CONTROL, _ANSWER),
        (Status.INTERIM_ANSWER, _ROUTING, _ANSWER, _CONTROL, _CONTROL),
        (Status.INTERIM_ANSWER, None, _ANSWER, None, _ANSWER),
        (Status.ANSWERED, _ROUTING, _ANSWER, _CONTROL, None),
        (Status.REJECTED, _ROUTING, _ANSWER, _CONTROL, None),
        (Status.REDIRECTED, _ROUTING, _ANSWER, _CONTROL, None),
        (Status.CLOSED, _ROUTING, _ANSWER, _CONTROL, None),
    ],
)
def test_active_deadline(
    status: Status, routing: datetime | None, due: datetime, control: datetime | None, expected: datetime | None,
    make_item: ItemFactory,
) -> None:
    item = make_item(status, routing_due_at=routing, due_at=due, control_due_at=control)
    assert active_deadline(item) == expected


@pytest.mark.parametrize(
    ("status", "now", "expected"),
    [
        (Status.IN_WORK, _ANSWER - timedelta(hours=2), Urgency.CRITICAL),
        (Status.IN_WORK, _ANSWER, Urgency.OVERDUE),
        (Status.ON_APPROVAL, _ANSWER - timedelta(days=2), Urgency.SOON),
        (Status.AWAITING_ROUTING, _ROUTING, Urgency.OVERDUE),  # routing overdue, answer term far away
        (Status.AWAITING_ROUTING, _ROUTING - timedelta(days=5), Urgency.OK),
        (Status.INTERIM_ANSWER, _ANSWER + timedelta(days=1), Urgency.OK),  # the control date counts, not due_at
        (Status.ANSWERED, _ANSWER + timedelta(days=1), None),
        (Status.CLOSED, _ANSWER, None),
    ],
)
def test_item_urgency(status: Status, now: datetime, expected: Urgency | None, make_item: ItemFactory) -> None:
    item = make_item(status, routing_due_at=_ROUTING, due_at=_ANSWER, control_due_at=_CONTROL)
    assert item_urgency(item, now) == expected


def test_item_urgency_custom_thresholds(make_item: ItemFactory) -> None:
    item = make_item(Status.IN_WORK, due_at=_ANSWER)
    now = _ANSWER - timedelta(days=5)
    assert item_urgency(item, now) is Urgency.OK
    assert item_urgency(item, now, UrgencyThresholds(soon=timedelta(days=7))) is Urgency.SOON
