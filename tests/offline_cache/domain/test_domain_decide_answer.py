"""decide(): drafts, assignee and deputies, approval chain, interim answers; apply_rating; allowed_actions."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from offline_cache.domain.model import Action, Draft, DraftKind, HistoryEntry, ItemState, Status
from offline_cache.domain.staff import Absence, Actor, Organisation, StaffMember, make_actor
from offline_cache.domain.workflow import (
    MAX_ATTACHMENTS,
    MAX_TEXT_LENGTH,
    DecisionContext,
    Forbidden,
    InvalidPayload,
    NotApplicable,
    allowed_actions,
    apply_rating,
    decide,
    draft_digest,
)

MSK = ZoneInfo("Europe/Moscow")
VLAT = ZoneInfo("Asia/Vladivostok")
UTC = ZoneInfo("UTC")

ItemFactory = Callable[..., ItemState]
ActorFactory = Callable[..., Actor]


def _with_absence(
    staff: dict[str, StaffMember], absent_id: str, deputy_id: str, start: datetime, end: datetime
) -> dict[str, StaffMember]:
    """A copy of ``staff`` where ``absent_id`` is away from start to end and named ``deputy_id``."""
    absent = dataclasses.replace(staff[absent_id], absence=Absence(start, end, "отпуск"), deputy_id=deputy_id)
    return {**staff, absent_id: absent}


def _at(ctx: DecisionContext, moment: datetime) -> DecisionContext:
    return dataclasses.replace(ctx, now=moment)


# --- save draft -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.IN_WORK, Status.RETURNED, Status.INTERIM_ANSWER])
def test_save_draft_creates_final_draft(
    status: Status, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(status, assignee_id="exec1")
    result = decide(item, actor_of("exec1"), Action.SAVE_DRAFT,
                    {"text": "  Яма будет заделана.  ", "attachment_ids": ["a1", "a2"]}, ctx)
    assert result.item.status is status
    assert result.item.draft == Draft("Яма будет заделана.", DraftKind.FINAL, None, ("a1", "a2"), "exec1")


def test_save_draft_keeps_previous_text_and_attachments(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(Status.IN_WORK, assignee_id="exec1", draft=Draft("старый текст", attachment_ids=("a1",)))
    assert decide(item, actor_of("exec1"), Action.SAVE_DRAFT, {}, ctx).item.draft == Draft(
        "старый текст", DraftKind.FINAL, None, ("a1",), "exec1")
    # an explicit empty text clears it; an explicit empty list clears the attachments
    cleared = decide(item, actor_of("exec1"), Action.SAVE_DRAFT, {"text": "", "attachment_ids": []}, ctx).item.draft
    assert cleared == Draft("", DraftKind.FINAL, None, (), "exec1")


def test_save_draft_keeps_interim_kind_and_planned_date(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    previous = Draft("промежуточный", DraftKind.INTERIM, date(2025, 4, 1), (), "exec1")
    item = make_item(Status.RETURNED, assignee_id="exec1", draft=previous)
    draft = decide(item, actor_of("exec1"), Action.SAVE_DRAFT, {"text": "исправлено"}, ctx).item.draft
    assert draft == Draft("исправлено", DraftKind.INTERIM, date(2025, 4, 1), (), "exec1")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": 5}, "text"),
        ({"text": "я" * (MAX_TEXT_LENGTH + 1)}, "text"),
        ({"attachment_ids": "a1"}, "attachment_ids"),
        ({"attachment_ids": ["a1", 2]}, "attachment_ids"),
        ({"attachment_ids": [f"a{i}" for i in range(MAX_ATTACHMENTS + 1)]}, "attachment_ids"),
    ],
)
def test_save_draft_payload_errors(
    payload: dict[str, object], field: str, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(Status.IN_WORK, assignee_id="exec1")
    with pytest.raises(InvalidPayload) as info:
        decide(item, actor_of("exec1"), Action.SAVE_DRAFT, payload, ctx)
    assert info.value.field == field


def test_save_draft_limits_are_inclusive(make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext) -> None:
    payload = {"text": "я" * MAX_TEXT_LENGTH, "attachment_ids": [f"a{i}" for i in range(MAX_ATTACHMENTS)]}
    draft = decide(make_item(Status.IN_WORK, assignee_id="exec1"), actor_of("exec1"), Action.SAVE_DRAFT,
                   payload, ctx).item.draft
    assert draft is not None and len(draft.text) == MAX_TEXT_LENGTH and len(draft.attachment_ids) == MAX_ATTACHMENTS


# --- ASSIGNEE guard and deputies ------------------------------------------------------------


@pytest.mark.parametrize("user", ["exec2", "coord"])
@pytest.mark.parametrize("action", [Action.SAVE_DRAFT, Action.SUBMIT_FOR_APPROVAL, Action.INTERIM_ANSWER])
def test_only_assignee_works_on_the_answer(
    user: str, action: Action, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(Status.IN_WORK, assignee_id="exec1")
    with pytest.raises(Forbidden, match="назначенный исполнитель"):
        decide(item, actor_of(user), action, {"text": "ответ", "planned_date": "2025-04-01"}, ctx)


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (datetime(2025, 3, 9, 8, 59, 59, tzinfo=MSK), False),  # before the absence
        (datetime(2025, 3, 9, 9, 0, tzinfo=MSK), True),  # the absence starts
        (datetime(2025, 3, 10, 12, 0, tzinfo=MSK), True),
        (datetime(2025, 3, 12, 8, 59, 59, tzinfo=MSK), True),
        (datetime(2025, 3, 12, 9, 0, tzinfo=MSK), False),  # back at work
        (datetime(2025, 3, 20, 9, 0, tzinfo=MSK), False),
    ],
)
def test_deputy_of_absent_assignee_works_only_during_absence(
    moment: datetime, allowed: bool, staff: dict[str, StaffMember], orgs: dict[str, Organisation],
    make_item: ItemFactory, ctx: DecisionContext,
) -> None:
    team = _with_absence(staff, "exec1", "exec2",
                         datetime(2025, 3, 9, 9, 0, tzinfo=MSK), datetime(2025, 3, 12, 9, 0, tzinfo=MSK))
    deputy = make_actor(team["exec2"], team.values(), orgs, moment)
    item = make_item(Status.IN_WORK, assignee_id="exec1")
    if allowed:
        result = decide(item, deputy, Action.SAVE_DRAFT, {"text": "за коллегу"}, _at(ctx, moment))
        assert result.item.draft is not None and result.item.draft.author_id == "exec2"
        assert result.item.assignee_id == "exec1"
    else:
        with pytest.raises(Forbidden):
            decide(item, deputy, Action.SAVE_DRAFT, {"text": "за коллегу"}, _at(ctx, moment))


def test_absent_assignee_keeps_own_rights(
    staff: dict[str, StaffMember], orgs: dict[str, Organisation], make_item: ItemFactory, ctx: DecisionContext
) -> None:
    team = _with_absence(staff, "exec1", "exec2", ctx.now - timedelta(days=1), ctx.now + timedelta(days=1))
    me = make_actor(team["exec1"], team.values(), orgs, ctx.now)
    result = decide(make_item(Status.IN_WORK, assignee_id="exec1"), me, Action.SAVE_DRAFT, {"text": "из дома"}, ctx)
    assert result.item.draft is not None


# --- submit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.IN_WORK, Status.RETURNED, Status.INTERIM_ANSWER])
def test_submit_for_approval_starts_the_chain(
    status: Status, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(status, assignee_id="exec1", draft=Draft("готовый ответ", attachment_ids=("a1",)))
    result = decide(item, actor_of("exec1"), Action.SUBMIT_FOR_APPROVAL, {}, ctx)
    assert result.item.status is Status.ON_APPROVAL
    assert result.item.approval_step == 0
    assert result.item.draft == Draft("готовый ответ", DraftKind.FINAL, None, ("a1",), "exec1")


@pytest.mark.parametrize(
    ("draft", "payload"),
    [(None, {}), (None, {"text": "   "}), (Draft("было"), {"text": ""}), (Draft(""), {})],
)
def test_submit_empty_draft_is_invalid(
    draft: Draft | None, payload: dict[str, object],
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext,
) -> None:
    item = make_item(Status.IN_WORK, assignee_id="exec1", draft=draft)
    with pytest.raises(InvalidPayload) as info:
        decide(item, actor_of("exec1"), Action.SUBMIT_FOR_APPROVAL, payload, ctx)
    assert info.value.field == "text"


# --- approval chain (APPROVAL_STEP) ---------------------------------------------------------


def signed(item: ItemState, payload: dict[str, object]) -> dict[str, object]:
    """``payload`` of an approval or a return bound to ``item``'s draft, as the approver saw it."""
    return {**payload, "draft_digest": draft_digest(item.draft)}


def _on_approval(make_item: ItemFactory, step: int, org_id: str = "muni", draft: Draft | None = None) -> ItemState:
    return make_item(Status.ON_APPROVAL, org_id=org_id, assignee_id="exec1", approval_step=step,
                     draft=draft or Draft("Ответ по существу", author_id="exec1"))


def test_curator_then_head_approve(make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext) -> None:
    item = _on_approval(make_item, 0)
    with pytest.raises(Forbidden, match="цепочки согласования"):
        decide(item, actor_of("head"), Action.APPROVE, signed(item, {}), ctx)

    after_curator = decide(item, actor_of("cur"), Action.APPROVE, signed(item, {"comment": "согласовано"}), ctx)
    step1 = after_curator.item
    assert (step1.status, step1.approval_step) == (Status.ON_APPROVAL, 1)
    assert step1.draft == item.draft and step1.answer is None
    assert after_curator.notes == ()
    with pytest.raises(Forbidden):
        decide(step1, actor_of("cur"), Action.APPROVE, signed(step1, {}), ctx)

    after_head = decide(step1, actor_of("head"), Action.APPROVE, signed(step1, {}), ctx)
    done = after_head.item
    assert done.status is Status.ANSWERED
    assert done.answer == item.draft
    assert done.draft is None and done.approval_step is None
    assert after_head.notes == ("ответ отправлен заявителю",)
    assert done.version == item.version + 2
    assert [(h.actor_id, h.from_status, h.to_status) for h in done.history] == [
        ("cur", Status.ON_APPROVAL, Status.ON_APPROVAL),
        ("head", Status.ON_APPROVAL, Status.ANSWERED),
    ]


def test_single_step_chain_head_answers_at_once(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = _on_approval(make_item, 0, org_id="region")
    result = decide(item, actor_of("rhead"), Action.APPROVE, signed(item, {}), ctx)
    assert result.item.status is Status.ANSWERED and result.item.answer == item.draft


@pytest.mark.parametrize(("step", "user"), [(0, "cur"), (1, "head")])
def test_return_for_revision_by_current_step(
    step: int, user: str, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = _on_approval(make_item, step)
    result = decide(item, actor_of(user), Action.RETURN_FOR_REVISION, signed(item, {"comment": "уточните сроки"}), ctx)
    assert result.item.status is Status.RETURNED
    assert result.item.approval_step is None
    assert result.item.draft == item.draft
    assert result.item.history[-1].comment == "уточните сроки"


@pytest.mark.parametrize(("step", "user"), [(0, "head"), (1, "cur"), (0, "exec1"), (1, "coord")])
def test_return_for_revision_by_wrong_participant_is_forbidden(
    step: int, user: str, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = _on_approval(make_item, step)
    with pytest.raises(Forbidden):
        decide(item, actor_of(user), Action.RETURN_FOR_REVISION, signed(item, {"comment": "нет"}), ctx)


@pytest.mark.parametrize("comment", [None, "", " \t"])
def test_return_for_revision_needs_comment(
    comment: str | None, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = _on_approval(make_item, 0)
    with pytest.raises(InvalidPayload) as info:
        decide(item, actor_of("cur"), Action.RETURN_FOR_REVISION, signed(item, {"comment": comment}), ctx)
    assert info.value.field == "comment"


def test_deputy_of_absent_head_approves_last_step(
    staff: dict[str, StaffMember], orgs: dict[str, Organisation], make_item: ItemFactory, ctx: DecisionContext
) -> None:
    team = _with_absence(staff, "head", "cur", ctx.now - timedelta(hours=1), ctx.now + timedelta(days=7))
    curator = make_actor(team["cur"], team.values(), orgs, ctx.now)
    result = decide(_on_approval(make_item, 1), curator, Action.APPROVE, signed(_on_approval(make_item, 1), {}), ctx)
    assert result.item.status is Status.ANSWERED


# --- interim answers ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.IN_WORK, Status.RETURNED])
def test_interim_answer_goes_to_approval(
    status: Status, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(status, assignee_id="exec1")
    payload = {"text": "Работы запланированы", "planned_date": "2025-04-15", "attachment_ids": ["plan"]}
    result = decide(item, actor_of("exec1"), Action.INTERIM_ANSWER, payload, ctx)
    assert (result.item.status, result.item.approval_step) == (Status.ON_APPROVAL, 0)
    assert result.item.draft == Draft("Работы запланированы", DraftKind.INTERIM, date(2025, 4, 15), ("plan",), "exec1")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": "", "planned_date": "2025-04-15"}, "text"),
        ({"text": "скоро"}, "planned_date"),
        ({"text": "скоро", "planned_date": "15.04.2025"}, "planned_date"),  # malformed
        ({"text": "скоро", "planned_date": "2025-02-30"}, "planned_date"),  # no such day
        ({"text": "скоро", "planned_date": date(2025, 4, 15)}, "planned_date"),  # not a string
        ({"text": "скоро", "planned_date": "2025-03-01"}, "planned_date"),  # past
        ({"text": "скоро", "planned_date": "2025-03-09"}, "planned_date"),  # yesterday
        ({"text": "скоро", "planned_date": "2025-03-10"}, "planned_date"),  # today
        ({"text": "скоро", "planned_date": "2026-03-12"}, "planned_date"),  # today + 367 days
        ({"text": "скоро", "planned_date": "2027-01-01"}, "planned_date"),
    ],
)
def test_interim_answer_payload_errors(
    payload: dict[str, object], field: str, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    with pytest.raises(InvalidPayload) as info:
        decide(make_item(Status.IN_WORK, assignee_id="exec1"), actor_of("exec1"), Action.INTERIM_ANSWER, payload, ctx)
    assert info.value.field == field


@pytest.mark.parametrize("planned", ["2025-03-11", "2026-03-11"])  # tomorrow; today + 366 days
def test_interim_planned_date_bounds_are_inclusive(
    planned: str, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    result = decide(make_item(Status.IN_WORK, assignee_id="exec1"), actor_of("exec1"), Action.INTERIM_ANSWER,
                    {"text": "скоро", "planned_date": planned}, ctx)
    assert result.item.draft is not None and result.item.draft.planned_date == date.fromisoformat(planned)


def test_interim_today_is_the_organisations_today(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    late = _at(ctx, datetime(2025, 3, 10, 22, 0, tzinfo=MSK))  # already 11 March in Vladivostok
    payload = {"text": "скоро", "planned_date": "2025-03-11"}
    in_moscow = decide(make_item(Status.IN_WORK, assignee_id="exec1"), actor_of("exec1", late.now),
                       Action.INTERIM_ANSWER, payload, late)
    assert in_moscow.item.status is Status.ON_APPROVAL
    with pytest.raises(InvalidPayload):
        decide(make_item(Status.IN_WORK, org_id="vlad", assignee_id="vexec"), actor_of("vexec", late.now),
               Action.INTERIM_ANSWER, payload, late)


def test_approved_interim_answer_sets_control_date_in_org_zone(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(Status.IN_WORK, org_id="vlad", assignee_id="vexec")
    sent = decide(item, actor_of("vexec"), Action.INTERIM_ANSWER,
                  {"text": "Ремонт в апреле", "planned_date": "2025-04-15"}, ctx).item
    result = decide(sent, actor_of("vhead"), Action.APPROVE, signed(sent, {}), ctx)
    done = result.item
    assert done.status is Status.INTERIM_ANSWER
    assert done.interim_answer == sent.draft
    assert done.answer is None and done.draft is None and done.approval_step is None
    assert done.control_due_at == datetime(2025, 4, 16, 0, 0, tzinfo=VLAT)
    assert done.control_due_at == datetime(2025, 4, 15, 14, 0, tzinfo=UTC)
    assert result.notes == ("промежуточный ответ отправлен заявителю",)


def test_interim_then_final_answer_through_two_step_chain(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(Status.IN_WORK, assignee_id="exec1")
    item = decide(item, actor_of("exec1"), Action.INTERIM_ANSWER, {"text": "в плане", "planned_date": "2025-05-31"},
                  ctx).item
    item = decide(item, actor_of("cur"), Action.APPROVE, signed(item, {}), ctx).item
    assert item.status is Status.ON_APPROVAL
    item = decide(item, actor_of("head"), Action.APPROVE, signed(item, {}), ctx).item
    assert item.status is Status.INTERIM_ANSWER
    assert item.control_due_at == datetime(2025, 5, 31, 21, 0, tzinfo=UTC)  # 1 June 00:00 Moscow
    item = decide(item, actor_of("exec1"), Action.SUBMIT_FOR_APPROVAL, {"text": "Сделано"}, ctx).item
    item = decide(item, actor_of("cur"), Action.APPROVE, signed(item, {}), ctx).item
    item = decide(item, actor_of("head"), Action.APPROVE, signed(item, {}), ctx).item
    assert item.status is Status.ANSWERED
    assert item.answer is not None and item.answer.text == "Сделано" and item.answer.kind is DraftKind.FINAL
    assert item.interim_answer is not None and item.interim_answer.text == "в плане"
    assert item.version == 3 + 6


# --- apply_rating ---------------------------------------------------------------------------


@pytest.mark.parametrize("score", [3, 4, 5])
def test_good_rating_closes(score: int, make_item: ItemFactory, orgs: dict[str, Organisation], now: datetime) -> None:
    item = make_item(Status.ANSWERED)
    result = apply_rating(item, score, now, orgs, "re-1")
    assert result.spawned is None
    assert (result.item.status, result.item.rating, result.item.version) == (Status.CLOSED, score, item.version + 1)
    assert result.item.history[-1] == HistoryEntry(now, None, "rated", Status.ANSWERED, Status.CLOSED,
                                                   f"оценка заявителя: {score}")


@pytest.mark.parametrize(
    ("org_id", "parent_id", "zone"),
    [
        ("muni", "region", MSK),
        ("settle", "muni", MSK),
        ("region", "region", MSK),  # the region re-processes its own answers
        ("vlad", "primorye", VLAT),
        ("primorye", "primorye", VLAT),
    ],
)
@pytest.mark.parametrize("score", [1, 2])
def test_low_rating_closes_and_reopens_above(
    score: int, org_id: str, parent_id: str, zone: ZoneInfo,
    make_item: ItemFactory, orgs: dict[str, Organisation], now: datetime,
) -> None:
    item = make_item(Status.ANSWERED, org_id=org_id)
    result = apply_rating(item, score, now, orgs, "re-1")
    assert (result.item.status, result.item.rating) == (Status.CLOSED, score)
    new = result.spawned
    assert new is not None
    assert new.id == "re-1" and new.parent_id == item.id and new.number == item.number
    assert (new.org_id, new.status, new.version) == (parent_id, Status.REPROCESSING, 1)
    assert new.registered_at == item.registered_at and new.received_at == now
    # rated on 10 March (local date in both zones): a fresh 30-day term and a 3-day routing term
    assert new.due_at == datetime(2025, 4, 10, 0, 0, tzinfo=zone)
    assert new.routing_due_at == datetime(2025, 3, 14, 0, 0, tzinfo=zone)
    assert [(h.action, h.to_status) for h in new.history] == [("reprocessing", Status.REPROCESSING)]
    assert f"({score})" in new.history[0].comment


@pytest.mark.parametrize("score", [0, -1, 6, 10])
def test_invalid_score(score: int, make_item: ItemFactory, orgs: dict[str, Organisation], now: datetime) -> None:
    with pytest.raises(InvalidPayload) as info:
        apply_rating(make_item(Status.ANSWERED), score, now, orgs, "re-1")
    assert info.value.field == "score"


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.ANSWERED])
def test_rating_non_answered_item_is_not_applicable(
    status: Status, make_item: ItemFactory, orgs: dict[str, Organisation], now: datetime
) -> None:
    with pytest.raises(NotApplicable):
        apply_rating(make_item(status), 5, now, orgs, "re-1")


# --- allowed_actions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "org_id", "user", "assignee", "step", "expected"),
    [
        (Status.AWAITING_ROUTING, "muni", "coord", None, None,
         [Action.ROUTE_TO_EXECUTOR, Action.REDIRECT, Action.TAKE_INTO_WORK, Action.REJECT]),
        (Status.REPROCESSING, "muni", "coord", None, None,
         [Action.ROUTE_TO_EXECUTOR, Action.REDIRECT, Action.TAKE_INTO_WORK, Action.REJECT]),
        (Status.REPROCESSING, "region", "rcoord", None, None,
         [Action.ROUTE_TO_EXECUTOR, Action.REDIRECT, Action.TAKE_INTO_WORK, Action.REJECT, Action.STOP_REPROCESSING]),
        (Status.AWAITING_ROUTING, "muni", "exec1", None, None, []),
        (Status.IN_WORK, "muni", "exec1", "exec1", None,
         [Action.RETURN_TO_ROUTING, Action.SAVE_DRAFT, Action.SUBMIT_FOR_APPROVAL, Action.INTERIM_ANSWER]),
        (Status.RETURNED, "muni", "exec1", "exec1", None,
         [Action.SAVE_DRAFT, Action.SUBMIT_FOR_APPROVAL, Action.INTERIM_ANSWER]),
        (Status.INTERIM_ANSWER, "muni", "exec1", "exec1", None, [Action.SAVE_DRAFT, Action.SUBMIT_FOR_APPROVAL]),
        (Status.IN_WORK, "muni", "exec2", "exec1", None, []),
        (Status.IN_WORK, "muni", "coord", "exec1", None, [Action.REASSIGN]),
        (Status.IN_WORK, "muni", "coord", "coord", None,
         [Action.REASSIGN, Action.RETURN_TO_ROUTING, Action.SAVE_DRAFT, Action.SUBMIT_FOR_APPROVAL,
          Action.INTERIM_ANSWER]),
        (Status.ON_APPROVAL, "muni", "head", "exec1", 1, [Action.APPROVE, Action.RETURN_FOR_REVISION]),
        (Status.ON_APPROVAL, "muni", "head", "exec1", 0, []),
        (Status.ON_APPROVAL, "muni", "cur", "exec1", 0, [Action.APPROVE, Action.RETURN_FOR_REVISION]),
        (Status.ON_APPROVAL, "muni", "cur", "exec1", 1, []),  # the head's step, not the curator's
        (Status.ON_APPROVAL, "region", "head", "exec1", 1, []),  # another organisation
        (Status.ANSWERED, "muni", "head", "exec1", 1, []),
        (Status.CLOSED, "muni", "coord", None, None, []),
    ],
)
def test_allowed_actions(
    status: Status, org_id: str, user: str, assignee: str | None, step: int | None, expected: list[Action],
    make_item: ItemFactory, actor_of: ActorFactory, orgs: dict[str, Organisation],
) -> None:
    """The approval step's role comes from the organisation's chain: muni is (curator, head), region (head,)."""
    item = make_item(status, org_id=org_id, assignee_id=assignee, approval_step=step)
    assert allowed_actions(item, actor_of(user), orgs) == expected


@pytest.mark.parametrize("status", list(Status))
def test_admin_has_no_item_actions(
    status: Status, make_item: ItemFactory, actor_of: ActorFactory, orgs: dict[str, Organisation]
) -> None:
    item = make_item(status, assignee_id="admin", approval_step=1 if status is Status.ON_APPROVAL else None)
    assert allowed_actions(item, actor_of("admin"), orgs) == []


# --- model vocabulary -----------------------------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
def test_is_final(status: Status) -> None:
    assert status.is_final == (status in {Status.REJECTED, Status.REDIRECTED, Status.CLOSED})


def test_item_replace_returns_a_changed_copy(make_item: ItemFactory) -> None:
    item = make_item(Status.IN_WORK)
    changed = item.replace(assignee_id="exec2")
    assert changed.assignee_id == "exec2" and item.assignee_id is None
    assert dataclasses.replace(changed, assignee_id=None) == item
