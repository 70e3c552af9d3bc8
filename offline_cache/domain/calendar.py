"""The Russian production calendar: working days, holidays, moved working Saturdays, working-day terms.

The data comes from the ``holidays`` package (``country_holidays("RU")``): the public
holidays of the Labour Code (art. 112) and the government's yearly decrees moving days off, with the
weekend days made working (``weekend_workdays``, e.g. Saturday 2.11.2024). The platform may override
a whole year (a late decree, a regional day off): ``YearOverride`` is passed in, this module does no I/O.

Working-day terms follow the calendar-day rule of ``deadlines``: a term of N working days starts on
the day after the start and ends at the end of the N-th working day, on the calendar of the
organisation's own time zone; so the end is 00:00 local time of the day after that working day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays.countries.russia  # noqa: F401 - the registry imports it lazily; a static import gets it bundled
from holidays import country_holidays

_SATURDAY = 5
# A year has at most ~30 days off in a row (the 1990s New Year holidays are 10): a bound so that a
# broken override (every day off) fails loudly instead of looping for ever.
_MAX_DAYS_OFF_IN_A_ROW = 366


@dataclass(frozen=True, slots=True)
class YearOverride:
    """A year's calendar as the platform publishes it: it replaces the package's data for that year.

    ``days_off``: weekdays that are not working (holidays and days moved onto weekdays);
    ``working_weekend_days``: Saturdays and Sundays made working by a decree.
    """

    year: int
    days_off: frozenset[date] = field(default_factory=frozenset)
    working_weekend_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        stray = [d for d in self.days_off | self.working_weekend_days if d.year != self.year]
        if stray:
            raise ValueError(f"дни {sorted(stray)} не относятся к {self.year} году")
        weekdays = [d for d in self.working_weekend_days if d.weekday() < _SATURDAY]
        if weekdays:
            raise ValueError(f"рабочими выходными названы будни: {sorted(weekdays)}")


@lru_cache(maxsize=64)
def _package_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, working weekend days) of ``year`` from the package; cached, the data never changes."""
    russia = country_holidays("RU", years=year)
    days_off = frozenset(d for d in russia if d.year == year)
    working = frozenset(d for d in russia.weekend_workdays if d.year == year)
    return days_off, working


@dataclass(frozen=True, slots=True)
class ProductionCalendar:
    """Working days in Russia: the package's data with the platform's per-year overrides on top."""

    overrides: Mapping[int, YearOverride] = field(default_factory=dict)

    @classmethod
    def with_overrides(cls, overrides: list[YearOverride] | tuple[YearOverride, ...]) -> ProductionCalendar:
        return cls({o.year: o for o in overrides})

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        override = self.overrides.get(year)
        if override is not None:
            return override.days_off, override.working_weekend_days
        return _package_year(year)

    def is_working_day(self, day: date) -> bool:
        """True on a working day: a weekday that is no holiday, or a weekend day a decree made working."""
        days_off, working_weekend = self._year(day.year)
        if day.weekday() >= _SATURDAY:
            return day in working_weekend
        return day not in days_off

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, counted, idle = start, 0, 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted, idle = counted + 1, 0
            else:
                idle += 1
                if idle > _MAX_DAYS_OFF_IN_A_ROW:
                    raise ValueError(f"в календаре нет рабочих дней после {day - timedelta(days=idle)}")
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the half-open range (``start``, ``end``]: how many a term used up."""
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))


DEFAULT_CALENDAR = ProductionCalendar()


def working_term_end(
    start: datetime, days: int, zone: str | ZoneInfo, calendar: ProductionCalendar = DEFAULT_CALENDAR
) -> datetime:
    """End of a term of ``days`` working days from ``start`` (see module docstring), in UTC."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be timezone-aware")
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    last_day = calendar.add_working_days(start.astimezone(tz).date(), days)
    end_local = datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=tz)
    return end_local.astimezone(ZoneInfo("UTC"))
