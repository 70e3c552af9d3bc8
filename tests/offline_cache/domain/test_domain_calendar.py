"""Production calendar: holidays and moved working Saturdays from the package, overrides, working-day terms."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from offline_cache.domain.calendar import (
    DEFAULT_CALENDAR,
    ProductionCalendar,
    YearOverride,
    working_term_end,
)

MSK = ZoneInfo("Europe/Moscow")
VLAT = ZoneInfo("Asia/Vladivostok")
UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 12, 28), True),  # Saturday made working (decree for 2024)
        (date(2024, 11, 2), True),  # Saturday made working
        (date(2025, 11, 1), True),  # Saturday made working (decree for 2025)
        (date(2024, 12, 30), False),  # Monday off, moved from 28.12
        (date(2024, 12, 31), False),  # Tuesday off, moved from 7.01
        (date(2025, 1, 8), False),  # New Year holidays
        (date(2025, 1, 9), True),
        (date(2026, 1, 9), False),  # Friday off, moved from Saturday 3.01.2026
        (date(2026, 1, 3), False),  # that Saturday stays off
        (date(2024, 12, 27), True),
        (date(2024, 12, 29), False),  # an ordinary Sunday
        (date(2025, 6, 12), False),  # Russia Day
    ],
)
def test_package_knows_holidays_and_moved_working_days(day: date, working: bool) -> None:
    assert DEFAULT_CALENDAR.is_working_day(day) is working


def test_override_replaces_the_year_wholly() -> None:
    # The platform publishes 2024 with no moved days at all: 28.12 is an ordinary Saturday again.
    override = YearOverride(2024, days_off=frozenset({date(2024, 12, 30)}))
    calendar = ProductionCalendar.with_overrides([override])
    assert not calendar.is_working_day(date(2024, 12, 28))
    assert not calendar.is_working_day(date(2024, 12, 30))
    assert calendar.is_working_day(date(2024, 12, 31))
    assert calendar.is_working_day(date(2024, 6, 12))  # not listed in the override: a working Wednesday
    # other years keep the package's data
    assert not calendar.is_working_day(date(2025, 1, 8))


def test_override_rejects_days_of_another_year_and_weekdays_as_working_weekend() -> None:
    with pytest.raises(ValueError):
        YearOverride(2024, days_off=frozenset({date(2025, 1, 1)}))
    with pytest.raises(ValueError):
        YearOverride(2024, working_weekend_days=frozenset({date(2024, 12, 27)}))  # a Friday


def test_add_working_days_across_new_year_and_a_moved_saturday() -> None:
    # 26.12 Thu (1), 27 Fri (2), 28 Sat working (3), 30.12-8.01 off, 9.01 Thu (4), 10.01 Fri (5)
    assert DEFAULT_CALENDAR.add_working_days(date(2024, 12, 25), 3) == date(2024, 12, 28)
    assert DEFAULT_CALENDAR.add_working_days(date(2024, 12, 25), 5) == date(2025, 1, 10)
    assert DEFAULT_CALENDAR.add_working_days(date(2024, 12, 25), 0) == date(2024, 12, 25)
    assert DEFAULT_CALENDAR.working_days_between(date(2024, 12, 25), date(2025, 1, 10)) == 5


def test_working_term_in_moscow_across_new_year() -> None:
    start = datetime(2024, 12, 25, 22, 30, tzinfo=MSK)
    end = working_term_end(start, 5, "Europe/Moscow")
    assert end == datetime(2025, 1, 11, 0, 0, tzinfo=MSK)
    assert end.tzinfo == UTC


def test_same_moment_in_vladivostok_is_already_the_next_day() -> None:
    # 22:30 in Moscow is 05:30 on 26.12 in Vladivostok: the term counts from 27.12 there
    # 27 Fri (1), 28 Sat working (2), 9.01 (3), 10.01 (4), 13.01 Mon (5)
    start = datetime(2024, 12, 25, 22, 30, tzinfo=MSK)
    assert working_term_end(start, 5, VLAT) == datetime(2025, 1, 14, 0, 0, tzinfo=VLAT)


def test_a_term_on_a_moved_saturday_ends_that_saturday() -> None:
    start = datetime(2024, 11, 1, 10, 0, tzinfo=MSK)  # Friday
    assert working_term_end(start, 1, MSK) == datetime(2024, 11, 3, 0, 0, tzinfo=MSK)
    # with the year overridden to no moved days, the next working day is Tuesday 5.11 (4.11 is a holiday)
    calendar = ProductionCalendar.with_overrides([YearOverride(2024, days_off=frozenset({date(2024, 11, 4)}))])
    assert working_term_end(start, 1, MSK, calendar) == datetime(2024, 11, 6, 0, 0, tzinfo=MSK)


def test_naive_start_and_negative_days_refused() -> None:
    with pytest.raises(ValueError):
        working_term_end(datetime(2024, 1, 1), 1, MSK)  # the naive time is the point
    with pytest.raises(ValueError):
        DEFAULT_CALENDAR.add_working_days(date(2024, 1, 1), -1)


def test_calendar_with_no_working_days_fails_loudly() -> None:
    every_weekday = frozenset(
        date.fromordinal(n) for n in range(date(2030, 1, 1).toordinal(), date(2031, 1, 1).toordinal())
        if date.fromordinal(n).weekday() < 5
    )
    calendar = ProductionCalendar.with_overrides([YearOverride(2030, days_off=every_weekday)])
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2029, 12, 31), 1)
