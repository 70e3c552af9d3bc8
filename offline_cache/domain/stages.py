"""Internal control terms of the stages (coordination, execution, approval) and the deadline that governs.

An organisation may set its own control term for each stage, in calendar or working days (the
production calendar, ``calendar``); with none set, ``DEFAULT_STAGE_TERMS`` apply. The legal term
stays in calendar days (``deadlines``). The nearer of the legal deadline and the current stage's
control time drives the countdown and urgency; each comes with a Russian sentence saying which rule
produced it («30 календарных дней с 25.10.2025 …»).

When a stage starts (from the item's history):
- coordination: the last entry into a routing status (receipt, or re-processing after a low rating);
- execution: the first entry into execution after that; a return for revision does not restart it,
  so the executor's term keeps running;
- approval: the last submission (each round of approval has its own term).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from offline_cache.domain.appeals import APPEAL_REDIRECT_DAYS, redirect_due
from offline_cache.domain.calendar import DEFAULT_CALENDAR, ProductionCalendar, working_term_end
from offline_cache.domain.deadlines import (
    DEFAULT_THRESHOLDS,
    ROUTING_TERM_DAYS,
    HasDeadlines,
    Urgency,
    UrgencyThresholds,
    active_deadline,
    calendar_term_end,
    urgency,
)
from offline_cache.domain.model import ROUTING_STATUSES, ItemKind, Status
from offline_cache.domain.russian import plural

MAX_STAGE_TERM_DAYS = 60


class Stage(StrEnum):
    """A stage of processing inside the organisation with its own control term."""

    COORDINATION = "coordination"
    EXECUTION = "execution"
    APPROVAL = "approval"


class DayKind(StrEnum):
    """How a term's days are counted."""

    CALENDAR = "calendar"
    WORKING = "working"


STAGE_OF_STATUS: dict[Status, Stage] = {
    Status.AWAITING_ROUTING: Stage.COORDINATION,
    Status.REPROCESSING: Stage.COORDINATION,
    Status.IN_WORK: Stage.EXECUTION,
    Status.RETURNED: Stage.EXECUTION,
    Status.ON_APPROVAL: Stage.APPROVAL,
}

STAGE_NAMES: dict[Stage, str] = {
    Stage.COORDINATION: "распределение",
    Stage.EXECUTION: "исполнение",
    Stage.APPROVAL: "утверждение",
}


@dataclass(frozen=True, slots=True)
class StageTerm:
    """A control term: ``days`` calendar or working days."""

    days: int
    day_kind: DayKind = DayKind.CALENDAR

    def __post_init__(self) -> None:
        if not 1 <= self.days <= MAX_STAGE_TERM_DAYS:
            raise ValueError(f"контрольный срок этапа — от 1 до {MAX_STAGE_TERM_DAYS} дней, а не {self.days}")


@dataclass(frozen=True, slots=True)
class StageTerms:
    """The organisation's control terms for its three stages."""

    coordination: StageTerm
    execution: StageTerm
    approval: StageTerm

    def of(self, stage: Stage) -> StageTerm:
        term: StageTerm = getattr(self, stage.value)
        return term

    def replaced(self, changes: Iterable[tuple[Stage, StageTerm]]) -> StageTerms:
        """These terms with some stages set otherwise (an organisation sets only some)."""
        terms = {s: self.of(s) for s in Stage} | dict(changes)
        return StageTerms(terms[Stage.COORDINATION], terms[Stage.EXECUTION], terms[Stage.APPROVAL])


#: With nothing set: routing within 3 days [KR 9]; execution in 20 working days and approval in 2, which
#: leaves an answer room inside the 30 calendar days of the legal term even across the New Year holidays.
DEFAULT_STAGE_TERMS = StageTerms(
    coordination=StageTerm(ROUTING_TERM_DAYS, DayKind.CALENDAR),
    execution=StageTerm(20, DayKind.WORKING),
    approval=StageTerm(2, DayKind.WORKING),
)


class _HistoryStep(Protocol):
    @property
    def at(self) -> datetime: ...
    @property
    def from_status(self) -> Status | None: ...
    @property
    def to_status(self) -> Status: ...


class HasStageHistory(HasDeadlines, Protocol):
    """What the stage's control time depends on: an ``ItemState`` or a wire ``Item`` both have it."""

    @property
    def kind(self) -> ItemKind: ...
    @property
    def registered_at(self) -> datetime: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def history(self) -> Sequence[_HistoryStep]: ...


def stage_started(item: HasStageHistory) -> datetime | None:
    """When the item's current stage started (module docstring), or None outside the three stages."""
    stage = STAGE_OF_STATUS.get(item.status)
    if stage is None:
        return None
    coordination_start = item.received_at
    execution_start: datetime | None = None
    approval_start: datetime | None = None
    for step in sorted(item.history, key=lambda s: s.at):
        into = STAGE_OF_STATUS.get(step.to_status)
        if step.to_status in ROUTING_STATUSES and step.from_status not in ROUTING_STATUSES:
            coordination_start, execution_start = step.at, None
        elif into is Stage.EXECUTION and execution_start is None:
            execution_start = step.at
        elif into is Stage.APPROVAL and step.from_status is not Status.ON_APPROVAL:
            approval_start = step.at
    starts = {Stage.COORDINATION: coordination_start, Stage.EXECUTION: execution_start,
              Stage.APPROVAL: approval_start}
    return starts[stage] or coordination_start


def stage_term_end(start: datetime, term: StageTerm, zone: str | ZoneInfo,
                   calendar: ProductionCalendar = DEFAULT_CALENDAR) -> datetime:
    """End of a control term from ``start`` in the organisation's zone, in UTC."""
    if term.day_kind is DayKind.WORKING:
        return working_term_end(start, term.days, zone, calendar)
    return calendar_term_end(start, term.days, zone)


@dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline with the rule that produced it, in Russian for the hover."""

    at: datetime
    rule: str  # "legal", "routing", "promised", "control", "redirect"
    explanation: str


def days_phrase(days: int, day_kind: DayKind) -> str:
    """«1 календарный день», «3 рабочих дня», «30 календарных дней»."""
    adjective = {
        DayKind.CALENDAR: ("календарный", "календарных", "календарных"),
        DayKind.WORKING: ("рабочий", "рабочих", "рабочих"),
    }[day_kind]
    return f"{days} {plural(days, *adjective)} {plural(days, 'день', 'дня', 'дней')}"


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d.%m.%Y")


def _last_day(end: datetime, zone: ZoneInfo) -> str:
    """The last day of a term that ends at 00:00 local: the day before."""
    return _local(end.astimezone(zone) - timedelta(microseconds=1), zone)


def _offset(zone: ZoneInfo, moment: datetime) -> str:
    offset = moment.astimezone(zone).utcoffset() or timedelta(0)
    hours = int(offset.total_seconds() // 3600)
    return f"UTC{hours:+d}"


def explain_term(days: int, day_kind: DayKind, start: datetime, start_label: str, end: datetime,
                 zone: ZoneInfo) -> str:
    """«30 календарных дней с 25.10.2025 (регистрация) — до 24.11.2025 включительно (UTC+3)»."""
    return (f"{days_phrase(days, day_kind)} с {_local(start, zone)} ({start_label}) — "
            f"до {_last_day(end, zone)} включительно ({_offset(zone, end)})")


def control_deadline(item: HasStageHistory, terms: StageTerms, zone: str | ZoneInfo,
                     calendar: ProductionCalendar = DEFAULT_CALENDAR) -> Deadline | None:
    """The current stage's control time with its explanation, or None outside the three stages."""
    stage = STAGE_OF_STATUS.get(item.status)
    start = stage_started(item)
    if stage is None or start is None:
        return None
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    term = terms.of(stage)
    end = stage_term_end(start, term, tz, calendar)
    text = explain_term(term.days, term.day_kind, start, f"начало этапа «{STAGE_NAMES[stage]}»", end, tz)
    return Deadline(end, "control", f"Контрольный срок организации: {text}")


def legal_deadline(item: HasStageHistory, legal_days: int, zone: str | ZoneInfo) -> Deadline | None:
    """The deadline the regulations set (``deadlines.active_deadline``) with its explanation."""
    due = active_deadline(item)
    if due is None:
        return None
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    if item.routing_due_at is not None and due == item.routing_due_at and due != item.due_at:
        text = explain_term(ROUTING_TERM_DAYS, DayKind.CALENDAR, item.received_at, "поступление", due, tz)
        return Deadline(due, "routing", f"Срок распределения [KR 9]: {text}")
    if item.status is Status.INTERIM_ANSWER and item.control_due_at is not None and due == item.control_due_at:
        return Deadline(due, "promised", f"Срок, обещанный в промежуточном ответе: до {_last_day(due, tz)} "
                                         f"включительно ({_offset(tz, due)})")
    law = "59-ФЗ, ст. 12" if item.kind is ItemKind.APPEAL else "регламент ПОС"
    # An appeal's term extended by the head (59-ФЗ art. 12 part 2) ends later than the term itself.
    extension = (due.astimezone(tz).date() - item.registered_at.astimezone(tz).date()).days - 1 - legal_days
    days = f"{days_phrase(legal_days, DayKind.CALENDAR)} + продление на {days_phrase(extension, DayKind.CALENDAR)}"
    text = explain_term(legal_days, DayKind.CALENDAR, item.registered_at, "регистрация", due, tz)
    if extension > 0:
        text = text.replace(days_phrase(legal_days, DayKind.CALENDAR), days, 1)
    return Deadline(due, "legal", f"Срок ответа ({law}): {text}")


def redirect_deadline(item: HasStageHistory, zone: str | ZoneInfo) -> Deadline | None:
    """An appeal's own countdown to redirect it by competence (59-ФЗ art. 8), or None."""
    due = redirect_due(item, zone)
    if due is None:
        return None
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    text = explain_term(APPEAL_REDIRECT_DAYS, DayKind.CALENDAR, item.registered_at, "регистрация", due, tz)
    return Deadline(due, "redirect", f"Перенаправить по компетенции (59-ФЗ, ст. 8): {text}")


def governing_deadline(legal: Deadline | None, control: Deadline | None) -> Deadline | None:
    """The nearer of the legal deadline and the stage's control time: it drives countdown and urgency.

    Control times matter only while a legal one runs (a closed item owes nothing); a tie goes to the
    legal deadline, which is the one with consequences.
    """
    if legal is None:
        return None
    if control is None or legal.at <= control.at:
        return legal
    return control


def governing_urgency(legal: Deadline | None, control: Deadline | None, now: datetime,
                      thresholds: UrgencyThresholds = DEFAULT_THRESHOLDS) -> Urgency | None:
    """Urgency by the nearer deadline, or None when nothing is owed."""
    governing = governing_deadline(legal, control)
    return None if governing is None else urgency(governing.at, now, thresholds)
