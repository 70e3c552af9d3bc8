"""Deadlines: answer terms, the coordinator's routing term, remaining time and urgency.

Where a calendar-day term ends (the rule this module implements and its tests state):
a term of N calendar days starts on the day after registration and ends at the end of the
N-th calendar day (Civil Code of the Russian Federation, art. 191 and 192), counted on the
calendar of the organisation's own time zone. So the due time is 00:00 local time of day
``registration_date + N + 1``. Weekends and holidays do not move it: the terms in the
regulations are calendar days [KR 8, NO 5.2]. Registration late in the evening in Moscow can
already be the next day in Vladivostok, so the same message can fall due a day later there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from offline_cache.domain.model import ROUTING_STATUSES, ItemKind, ItemState, Status

DEFAULT_TERM_DAYS = 30
ACCELERATED_TERM_DAYS = 10
FAST_TRACK_1_DAYS = 8
FAST_TRACK_2_DAYS = 10
ROUTING_TERM_DAYS = 3


class TermKind(StrEnum):
    """How a category's answer term is set."""

    STANDARD = "standard"  # 30 days, all seeds
    ACCELERATED = "accelerated"  # 10 days [NO 5.2, AS 3]
    FAST_TRACK_1 = "fast_track_1"  # 8 days in total [KR 8]
    FAST_TRACK_2 = "fast_track_2"  # 10 days in total [KR 8]
    CUSTOM = "custom"  # any other fast-track under 30 days [KR 8]


class TermError(ValueError):
    """A term that the regulations do not allow."""


@dataclass(frozen=True, slots=True)
class Term:
    """An answer term in calendar days."""

    kind: TermKind = TermKind.STANDARD
    days: int = DEFAULT_TERM_DAYS

    def __post_init__(self) -> None:
        fixed = {
            TermKind.STANDARD: DEFAULT_TERM_DAYS,
            TermKind.ACCELERATED: ACCELERATED_TERM_DAYS,
            TermKind.FAST_TRACK_1: FAST_TRACK_1_DAYS,
            TermKind.FAST_TRACK_2: FAST_TRACK_2_DAYS,
        }
        if self.kind in fixed and self.days != fixed[self.kind]:
            raise TermError(f"срок «{self.kind}» — {fixed[self.kind]} дн., а не {self.days}")
        if self.kind is TermKind.CUSTOM and not 1 <= self.days < DEFAULT_TERM_DAYS:
            raise TermError("иной фаст-трек должен быть короче 30 дней")

    @classmethod
    def of(cls, kind: TermKind | str, days: int | None = None) -> Term:
        kind = TermKind(kind)
        defaults = {
            TermKind.STANDARD: DEFAULT_TERM_DAYS,
            TermKind.ACCELERATED: ACCELERATED_TERM_DAYS,
            TermKind.FAST_TRACK_1: FAST_TRACK_1_DAYS,
            TermKind.FAST_TRACK_2: FAST_TRACK_2_DAYS,
        }
        if days is None:
            if kind is TermKind.CUSTOM:
                raise TermError("для иного фаст-трека нужен срок в днях")
            days = defaults[kind]
        return cls(kind, days)


STANDARD_TERM = Term()


def term_days(kind: ItemKind, category_term: Term) -> int:
    """Answer term in days for an item of ``kind`` in a category with ``category_term``.

    Appeals under 59-ФЗ always get 30 days (art. 12): fast-tracks are a feature of platform
    messages and open-source messages, which 59-ФЗ does not govern [KR 2, AL 1].
    """
    if kind is ItemKind.APPEAL:
        return DEFAULT_TERM_DAYS
    return category_term.days


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def calendar_term_end(start: datetime, days: int, zone: str | ZoneInfo) -> datetime:
    """End of a term of ``days`` calendar days from ``start`` (see module docstring), in UTC."""
    _require_aware(start, "start")
    if days < 0:
        raise ValueError("days must not be negative")
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    local_day = start.astimezone(tz).date()
    end_local = datetime.combine(local_day + timedelta(days=days + 1), time(0, 0), tzinfo=tz)
    return end_local.astimezone(ZoneInfo("UTC"))


def answer_due(registered_at: datetime, kind: ItemKind, category_term: Term, zone: str) -> datetime:
    """When the answer is due: the term runs from registration on the platform [KR 8]."""
    return calendar_term_end(registered_at, term_days(kind, category_term), zone)


def routing_due(received_at: datetime, zone: str) -> datetime:
    """The coordinator's deadline to route or reject: 3 days from receipt [KR 9]."""
    return calendar_term_end(received_at, ROUTING_TERM_DAYS, zone)


class Urgency(StrEnum):
    """How close a deadline is; drives colours and notifications."""

    OK = "ok"
    SOON = "soon"
    CRITICAL = "critical"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class UrgencyThresholds:
    """Remaining time at or below which a deadline turns soon / critical."""

    soon: timedelta = timedelta(days=3)
    critical: timedelta = timedelta(days=1)


DEFAULT_THRESHOLDS = UrgencyThresholds()


def remaining(due: datetime, now: datetime) -> timedelta:
    """Time left until ``due``; negative once overdue."""
    _require_aware(due, "due")
    _require_aware(now, "now")
    return due - now


def urgency(due: datetime, now: datetime, thresholds: UrgencyThresholds = DEFAULT_THRESHOLDS) -> Urgency:
    """Urgency of a deadline: overdue at and after ``due``; critical / soon within thresholds."""
    left = remaining(due, now)
    if left <= timedelta(0):
        return Urgency.OVERDUE
    if left <= thresholds.critical:
        return Urgency.CRITICAL
    if left <= thresholds.soon:
        return Urgency.SOON
    return Urgency.OK


class HasDeadlines(Protocol):
    """What the running deadline depends on: an ``ItemState`` or a wire ``Item`` both have it."""

    @property
    def status(self) -> Status: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def routing_due_at(self) -> datetime | None: ...
    @property
    def control_due_at(self) -> datetime | None: ...


def active_deadline(item: HasDeadlines) -> datetime | None:
    """The deadline that matters for ``item`` now, or None when nothing is owed.

    Awaiting routing: the earlier of the routing and answer deadlines. After an interim answer:
    the promised date of the final result. Answered, rejected, redirected, closed: none.
    """
    if item.status in ROUTING_STATUSES:
        if item.routing_due_at is None:
            return item.due_at
        return min(item.routing_due_at, item.due_at)
    if item.status is Status.INTERIM_ANSWER:
        return item.control_due_at or item.due_at
    if item.status in (Status.IN_WORK, Status.ON_APPROVAL, Status.RETURNED):
        return item.due_at
    return None


def item_urgency(
    item: ItemState, now: datetime, thresholds: UrgencyThresholds = DEFAULT_THRESHOLDS
) -> Urgency | None:
    """Urgency of ``item`` at ``now``, or None when no deadline runs."""
    due = active_deadline(item)
    return None if due is None else urgency(due, now, thresholds)
