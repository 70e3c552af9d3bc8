"""Stage control terms: calendar and working days across the New Year, two zones, the nearer deadline, hovers."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from offline_cache.domain.deadlines import STANDARD_TERM, Urgency, answer_due, routing_due
from offline_cache.domain.model import HistoryEntry, ItemKind, ItemState, Status
from offline_cache.domain.stages import (
    DEFAULT_STAGE_TERMS,
    DayKind,
    Deadline,
    Stage,
    StageTerm,
    control_deadline,
    days_phrase,
    governing_deadline,
    governing_urgency,
    legal_deadline,
    redirect_deadline,
    stage_started,
)

MSK = ZoneInfo("Europe/Moscow")
VLAT = ZoneInfo("Asia/Vladivostok")
REGISTERED = datetime(2024, 12, 20, 9, 0, tzinfo=MSK)
ASSIGNED = datetime(2024, 12, 25, 22, 30, tzinfo=MSK)  # 05:30 on 26.12 in Vladivostok


def _step(at: datetime, src: Status | None, dst: Status, action: str = "x") -> HistoryEntry:
    return HistoryEntry(at, "someone", action, src, dst)


def _item(status: Status, history: tuple[HistoryEntry, ...], zone: ZoneInfo = MSK,
          kind: ItemKind = ItemKind.MESSAGE) -> ItemState:
    return ItemState(
        id="i1", number="ПОС-1", kind=kind, org_id="muni", status=status, version=1, category_code="roads",
        registered_at=REGISTERED, received_at=REGISTERED,
        due_at=answer_due(REGISTERED, kind, STANDARD_TERM, zone.key),
        routing_due_at=routing_due(REGISTERED, zone.key) if status is Status.AWAITING_ROUTING else None,
        history=history,
    )


REGISTERED_STEP = _step(REGISTERED, None, Status.AWAITING_ROUTING, "registered")
ASSIGNED_STEP = _step(ASSIGNED, Status.AWAITING_ROUTING, Status.IN_WORK, "route_to_executor")
IN_WORK = _item(Status.IN_WORK, (REGISTERED_STEP, ASSIGNED_STEP))



@pytest.mark.parametrize(
    ("term", "zone", "expected"),
    [
        # working days: 26, 27, Sat 28.12 (moved working day), 30.12-8.01 off, 9.01, 10.01
        (StageTerm(5, DayKind.WORKING), MSK, datetime(2025, 1, 11, tzinfo=MSK)),
        # in Vladivostok the assignment is on 26.12: 27, 28, 9.01, 10.01, Mon 13.01
        (StageTerm(5, DayKind.WORKING), VLAT, datetime(2025, 1, 14, tzinfo=VLAT)),
        # calendar days do not care about holidays: 25.12 + 10 days, a day later in Vladivostok
        (StageTerm(10, DayKind.CALENDAR), MSK, datetime(2025, 1, 5, tzinfo=MSK)),
        (StageTerm(10, DayKind.CALENDAR), VLAT, datetime(2025, 1, 6, tzinfo=VLAT)),
        # 3 working days end on the moved working Saturday in Moscow, on 9.01 in Vladivostok
        (StageTerm(3, DayKind.WORKING), MSK, datetime(2024, 12, 29, tzinfo=MSK)),
        (StageTerm(3, DayKind.WORKING), VLAT, datetime(2025, 1, 10, tzinfo=VLAT)),
    ],
)
def test_execution_control_time_across_new_year_and_moved_saturday(
        term: StageTerm, zone: ZoneInfo, expected: datetime) -> None:
    terms = DEFAULT_STAGE_TERMS.replaced([(Stage.EXECUTION, term)])
    control = control_deadline(IN_WORK, terms, zone)
    assert control is not None
    assert control.at == expected
    assert control.rule == "control"


def test_explanation_says_which_rule_in_the_organisations_zone() -> None:
    terms = DEFAULT_STAGE_TERMS.replaced([(Stage.EXECUTION, StageTerm(5, DayKind.WORKING))])
    control = control_deadline(IN_WORK, terms, VLAT)
    assert control is not None
    assert control.explanation == ("Контрольный срок организации: 5 рабочих дней с 26.12.2024 "
                                   "(начало этапа «исполнение») — до 13.01.2025 включительно (UTC+10)")
    legal = legal_deadline(IN_WORK, 30, MSK)
    assert legal is not None
    assert legal.explanation == ("Срок ответа (регламент ПОС): 30 календарных дней с 20.12.2024 (регистрация) — "
                                 "до 19.01.2025 включительно (UTC+3)")


def test_appeal_and_routing_explanations() -> None:
    appeal = _item(Status.IN_WORK, (REGISTERED_STEP, ASSIGNED_STEP), kind=ItemKind.APPEAL)
    legal = legal_deadline(appeal, 30, MSK)
    assert legal is not None and "59-ФЗ, ст. 12" in legal.explanation
    routing = _item(Status.AWAITING_ROUTING, (REGISTERED_STEP,))
    first = legal_deadline(routing, 30, MSK)
    assert first is not None and first.rule == "routing"
    assert first.explanation.startswith("Срок распределения [KR 9]: 3 календарных дня с 20.12.2024 (поступление)")


@pytest.mark.parametrize(
    ("days", "kind", "text"),
    [(1, DayKind.CALENDAR, "1 календарный день"), (2, DayKind.WORKING, "2 рабочих дня"),
     (5, DayKind.WORKING, "5 рабочих дней"), (11, DayKind.CALENDAR, "11 календарных дней"),
     (21, DayKind.WORKING, "21 рабочий день"), (22, DayKind.CALENDAR, "22 календарных дня"),
     (30, DayKind.CALENDAR, "30 календарных дней")],
)
def test_days_phrase_agrees_in_number(days: int, kind: DayKind, text: str) -> None:
    assert days_phrase(days, kind) == text


def test_return_for_revision_does_not_restart_execution_but_each_submission_restarts_approval() -> None:
    submitted = ASSIGNED + timedelta(days=2)
    returned = submitted + timedelta(days=1)
    resubmitted = returned + timedelta(days=3)
    history: tuple[HistoryEntry, ...] = (
        REGISTERED_STEP, ASSIGNED_STEP,
        _step(submitted, Status.IN_WORK, Status.ON_APPROVAL),
        _step(returned, Status.ON_APPROVAL, Status.RETURNED),
    )
    assert stage_started(_item(Status.RETURNED, history)) == ASSIGNED
    history += (_step(resubmitted, Status.RETURNED, Status.ON_APPROVAL),)
    assert stage_started(_item(Status.ON_APPROVAL, history)) == resubmitted


def test_coordination_starts_at_receipt_and_again_at_reprocessing() -> None:
    assert stage_started(_item(Status.AWAITING_ROUTING, (REGISTERED_STEP,))) == REGISTERED
    reprocessed = ASSIGNED + timedelta(days=20)
    history = (REGISTERED_STEP, ASSIGNED_STEP, _step(reprocessed, Status.ANSWERED, Status.REPROCESSING))
    assert stage_started(_item(Status.REPROCESSING, history)) == reprocessed
    # with no history at all (an item created in the stage) the stage runs from receipt
    assert stage_started(_item(Status.IN_WORK, ())) == REGISTERED


def test_no_control_time_outside_the_three_stages() -> None:
    for status in (Status.ANSWERED, Status.CLOSED, Status.INTERIM_ANSWER, Status.REJECTED):
        assert control_deadline(_item(status, (REGISTERED_STEP,)), DEFAULT_STAGE_TERMS, MSK) is None


def test_default_terms() -> None:
    assert DEFAULT_STAGE_TERMS.of(Stage.COORDINATION) == StageTerm(3, DayKind.CALENDAR)
    assert DEFAULT_STAGE_TERMS.of(Stage.EXECUTION) == StageTerm(20, DayKind.WORKING)
    assert DEFAULT_STAGE_TERMS.of(Stage.APPROVAL) == StageTerm(2, DayKind.WORKING)


@pytest.mark.parametrize("days", [0, -1, 61])
def test_stage_term_bounds(days: int) -> None:
    with pytest.raises(ValueError):
        StageTerm(days)


# --- the nearer deadline governs -------------------------------------------------------------

LEGAL = Deadline(datetime(2025, 1, 20, tzinfo=MSK), "legal", "закон")
EARLY_CONTROL = Deadline(datetime(2025, 1, 11, tzinfo=MSK), "control", "контроль")
LATE_CONTROL = Deadline(datetime(2025, 1, 25, tzinfo=MSK), "control", "контроль")


def test_nearer_deadline_governs() -> None:
    assert governing_deadline(LEGAL, EARLY_CONTROL) is EARLY_CONTROL
    assert governing_deadline(LEGAL, LATE_CONTROL) is LEGAL
    assert governing_deadline(LEGAL, None) is LEGAL
    tie = Deadline(LEGAL.at, "control", "контроль")
    assert governing_deadline(LEGAL, tie) is LEGAL
    assert governing_deadline(None, EARLY_CONTROL) is None  # nothing owed: no control either


def test_urgency_follows_the_nearer_deadline() -> None:
    now = datetime(2025, 1, 10, 12, 0, tzinfo=MSK)  # 12 h before the control time, 9.5 days before the legal
    assert governing_urgency(LEGAL, None, now) is Urgency.OK
    assert governing_urgency(LEGAL, EARLY_CONTROL, now) is Urgency.CRITICAL
    assert governing_urgency(LEGAL, EARLY_CONTROL, datetime(2025, 1, 11, tzinfo=MSK)) is Urgency.OVERDUE
    assert governing_urgency(None, EARLY_CONTROL, now) is None


def test_control_time_on_a_real_item_against_its_legal_deadline() -> None:
    # 5 working days from 25.12 end before the legal 19.01; the control time governs
    terms = DEFAULT_STAGE_TERMS.replaced([(Stage.EXECUTION, StageTerm(5, DayKind.WORKING))])
    legal, control = legal_deadline(IN_WORK, 30, MSK), control_deadline(IN_WORK, terms, MSK)
    assert governing_deadline(legal, control) is control
    # 25 working days run past the legal deadline; the legal one governs
    terms = DEFAULT_STAGE_TERMS.replaced([(Stage.EXECUTION, StageTerm(25, DayKind.WORKING))])
    control = control_deadline(IN_WORK, terms, MSK)
    assert governing_deadline(legal, control) is legal


def test_extended_appeal_explains_the_extension_and_its_redirect_countdown() -> None:
    appeal = _item(Status.IN_WORK, (REGISTERED_STEP, ASSIGNED_STEP), kind=ItemKind.APPEAL)
    extended = appeal.replace(due_at=appeal.due_at + timedelta(days=10))
    legal = legal_deadline(extended, 30, MSK)
    assert legal is not None
    assert legal.explanation == ("Срок ответа (59-ФЗ, ст. 12): 30 календарных дней + продление на 10 календарных "
                                 "дней с 20.12.2024 (регистрация) — до 29.01.2025 включительно (UTC+3)")
    assert redirect_deadline(appeal, MSK) is None  # already routed
    waiting = _item(Status.AWAITING_ROUTING, (REGISTERED_STEP,), kind=ItemKind.APPEAL)
    redirect = redirect_deadline(waiting, MSK)
    assert redirect is not None and redirect.at == datetime(2024, 12, 28, tzinfo=MSK)
    assert redirect.explanation == ("Перенаправить по компетенции (59-ФЗ, ст. 8): 7 календарных дней с 20.12.2024 "
                                    "(регистрация) — до 27.12.2024 включительно (UTC+3)")
    assert redirect_deadline(_item(Status.AWAITING_ROUTING, (REGISTERED_STEP,)), MSK) is None  # a message
