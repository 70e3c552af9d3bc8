"""The workflow: one permission and transition table, and ``decide`` which applies it.

The table answers, for every (status, role, action): is it allowed, and what is the next
status. A few rules cannot live in a table cell and are checked as named guards:

- ``ASSIGNEE``: only the assignee (or their deputy while they are away) works on the answer;
- ``APPROVAL_STEP``: only the role at the current step of the organisation's approval chain
  approves or returns the draft [KR 10-11];
- ``REGIONAL``: only regional coordinators stop re-processing [KR 3], of items in every
  organisation of their region.

Every other action requires the actor to belong to the item's organisation: curators see the
queues of subordinate organisations but act only in their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from offline_cache.domain.appeals import extended_due, extension_days_problem, extension_refusal
from offline_cache.domain.deadlines import DEFAULT_TERM_DAYS, calendar_term_end, routing_due
from offline_cache.domain.drafts import draft_digest as draft_digest  # workflow.draft_digest: the contract's name
from offline_cache.domain.model import (
    Action,
    Draft,
    DraftKind,
    HistoryEntry,
    ItemState,
    OrgLevel,
    Rejection,
    Role,
    Status,
)
from offline_cache.domain.staff import Actor, Organisation, StaffMember, ancestors

MAX_TEXT_LENGTH = 20_000
MAX_COMMENT_LENGTH = 4_000
MAX_ATTACHMENTS = 10
#: Ratings are 1-5; this and below is a low rating that sends the item to re-processing.
LOW_RATING_MAX = 2
#: An interim answer may promise the final result no later than this after it is given.
MAX_INTERIM_HORIZON = timedelta(days=366)


class Guard(StrEnum):
    """Checks beyond the table cell (see module docstring)."""

    ASSIGNEE = "assignee"
    APPROVAL_STEP = "approval_step"
    REGIONAL = "regional"


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the table: who may do an action in a status, and where it leads."""

    roles: frozenset[Role]
    target: Status
    guards: frozenset[Guard] = frozenset()


def _r(roles: set[Role], target: Status, *guards: Guard) -> Rule:
    return Rule(frozenset(roles), target, frozenset(guards))


_C = {Role.COORDINATOR}
_WORKERS = {Role.EXECUTOR, Role.COORDINATOR}  # a coordinator may take an item into own work [KR 9]
_APPROVERS = {Role.HEAD, Role.CURATOR}


def _routing_rules(status: Status) -> dict[tuple[Status, Action], Rule]:
    return {
        (status, Action.ROUTE_TO_EXECUTOR): _r(_C, Status.IN_WORK),
        (status, Action.TAKE_INTO_WORK): _r(_C, Status.IN_WORK),
        (status, Action.REDIRECT): _r(_C, Status.REDIRECTED),
        (status, Action.REJECT): _r(_C, Status.REJECTED),
    }


def _answer_rules(status: Status) -> dict[tuple[Status, Action], Rule]:
    return {
        (status, Action.REASSIGN): _r(_C, status),
        (status, Action.SAVE_DRAFT): _r(_WORKERS, status, Guard.ASSIGNEE),
        (status, Action.SUBMIT_FOR_APPROVAL): _r(_WORKERS, Status.ON_APPROVAL, Guard.ASSIGNEE),
    }


#: The permission and transition table. A (status, action) pair absent here is allowed to nobody.
#: APPROVE's target is the final one; before the last step it stays ON_APPROVAL, and an approved
#: interim answer leads to INTERIM_ANSWER (see ``next_status``).
TABLE: dict[tuple[Status, Action], Rule] = {
    **_routing_rules(Status.AWAITING_ROUTING),
    **_routing_rules(Status.REPROCESSING),
    (Status.REPROCESSING, Action.STOP_REPROCESSING): _r(_C, Status.CLOSED, Guard.REGIONAL),
    **_answer_rules(Status.IN_WORK),
    (Status.IN_WORK, Action.RETURN_TO_ROUTING): _r(_WORKERS, Status.AWAITING_ROUTING, Guard.ASSIGNEE),
    (Status.IN_WORK, Action.INTERIM_ANSWER): _r(_WORKERS, Status.ON_APPROVAL, Guard.ASSIGNEE),
    **_answer_rules(Status.RETURNED),
    (Status.RETURNED, Action.INTERIM_ANSWER): _r(_WORKERS, Status.ON_APPROVAL, Guard.ASSIGNEE),
    **_answer_rules(Status.INTERIM_ANSWER),
    (Status.ON_APPROVAL, Action.APPROVE): _r(_APPROVERS, Status.ANSWERED, Guard.APPROVAL_STEP),
    (Status.ON_APPROVAL, Action.RETURN_FOR_REVISION): _r(_APPROVERS, Status.RETURNED, Guard.APPROVAL_STEP),
    # 59-ФЗ art. 12: the head extends an appeal's term while it is open; appeals only, once (``check``).
    **{(s, Action.EXTEND_TERM): _r({Role.HEAD}, s) for s in (
        Status.AWAITING_ROUTING, Status.IN_WORK, Status.RETURNED, Status.ON_APPROVAL, Status.INTERIM_ANSWER)},
}


def cell(status: Status, role: Role, action: Action) -> Status | None:
    """The table cell: the next status if ``role`` may do ``action`` in ``status``, else None.

    Guards are not evaluated here; ``decide`` checks them against a concrete item and actor.
    """
    rule = TABLE.get((status, action))
    if rule is None or role not in rule.roles:
        return None
    return rule.target


def allowed_actions(item: ItemState, actor: Actor, orgs: Mapping[str, Organisation]) -> list[Action]:
    """Actions ``actor`` may start on ``item`` now (for enabling buttons)."""
    chain_role = _chain_role(item, orgs)
    result = []
    for action in Action:
        rule = TABLE.get((item.status, action))
        if rule and _first_failure(rule, item, actor, chain_role, action, orgs) is None:
            result.append(action)
    return result


# --- errors ---------------------------------------------------------------------------------


class DomainError(Exception):
    """An action that cannot be applied. ``message`` is meant for an official to read."""

    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Forbidden(DomainError):
    """The actor's roles or position do not allow the action (HTTP 403)."""

    code = "forbidden"


class NotApplicable(DomainError):
    """The item's status does not allow the action for anyone (HTTP 409)."""

    code = "not_applicable"


class InvalidPayload(DomainError):
    """The action's data is missing or wrong (HTTP 422)."""

    code = "invalid"


class StaleDraft(DomainError):
    """The draft changed after the approver saw it: approving or returning it would sign off a
    text nobody read (HTTP 409 with the current item, so the new text can be shown)."""

    code = "stale_draft"


# --- the draft an approver saw (``draft_digest`` lives in domain.drafts) ---------------------

#: Actions that sign off or send back a draft: they carry the digest of the draft the approver saw.
DRAFT_BOUND_ACTIONS = frozenset({Action.APPROVE, Action.RETURN_FOR_REVISION})


def _check_draft_digest(item: ItemState, payload: Mapping[str, object]) -> None:
    given = payload.get("draft_digest")
    if not isinstance(given, str) or not given:
        raise InvalidPayload("не указан отпечаток проекта ответа, который вы читали (draft_digest)",
                             field="draft_digest")
    if given != draft_digest(item.draft):
        raise StaleDraft("проект ответа изменился после того, как вы его открыли: прочитайте новый текст")


# --- deciding -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecisionContext:
    """Everything ``decide`` needs besides the item and the actor; no I/O behind it.

    Attributes:
        now: the moment of the action (aware).
        orgs: organisations by id (time zones, hierarchy, approval chains).
        staff: staff by id (to check who can be made an executor).
        rejection_codes: codes from the rejection catalogue.
        new_item_id: the id to give an item created by a redirect.
    """

    now: datetime
    orgs: Mapping[str, Organisation]
    staff: Mapping[str, StaffMember]
    rejection_codes: frozenset[str]
    new_item_id: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The result of an allowed action: the item's new state, and an item it created."""

    item: ItemState
    spawned: ItemState | None = None
    notes: tuple[str, ...] = field(default=())


def _chain_role(item: ItemState, orgs: Mapping[str, Organisation]) -> Role | None:
    if item.status is not Status.ON_APPROVAL or item.approval_step is None:
        return None
    org = orgs.get(item.org_id)
    if org is None:
        return None
    steps = org.approval_chain.steps
    return steps[item.approval_step] if item.approval_step < len(steps) else steps[-1]


def in_region_of(actor: Actor, org_id: str, orgs: Mapping[str, Organisation]) -> bool:
    """Whether ``org_id`` is the actor's regional organisation or one below it."""
    return actor.org_level is OrgLevel.REGION and (org_id == actor.org_id or actor.org_id in ancestors(org_id, orgs))


def reprocessing_overseers(org_id: str, orgs: Mapping[str, Organisation],
                           staff: Mapping[str, StaffMember]) -> set[str]:
    """Who decides on stopping re-processing of an item in ``org_id``: the coordinators of its region [KR 3]."""
    region = {org_id, *ancestors(org_id, orgs)}
    return {m.id for m in staff.values() if Role.COORDINATOR in m.roles and m.org_id in region
            and orgs.get(m.org_id) is not None and orgs[m.org_id].level is OrgLevel.REGION}


def _first_failure(
    rule: Rule, item: ItemState, actor: Actor, chain_role: Role | None, action: Action,
    orgs: Mapping[str, Organisation],
) -> DomainError | None:
    if action is Action.EXTEND_TERM and (refusal := extension_refusal(item)) is not None:
        return NotApplicable(refusal)  # for anyone: a message has no extension, an appeal only one
    regional = Guard.REGIONAL in rule.guards and in_region_of(actor, item.org_id, orgs)
    if actor.org_id != item.org_id and not regional:
        return Forbidden("действие доступно только сотрудникам организации, в которой находится сообщение")
    if not actor.roles & rule.roles:
        return Forbidden(f"ваша роль не позволяет действие «{action}» в статусе «{item.status}»")
    if Guard.ASSIGNEE in rule.guards and item.assignee_id not in actor.acts_for:
        return Forbidden("над ответом работает назначенный исполнитель (или его заместитель)")
    if Guard.APPROVAL_STEP in rule.guards and (chain_role is None or chain_role not in actor.roles):
        return Forbidden("сейчас проект ответа согласует другой участник цепочки согласования")
    if Guard.REGIONAL in rule.guards and actor.org_level is not OrgLevel.REGION:
        return Forbidden("прекратить повторное рассмотрение может только региональный координатор")
    return None


def check(item: ItemState, actor: Actor, action: Action, orgs: Mapping[str, Organisation]) -> Rule:
    """Return the rule that allows ``action``, or raise Forbidden / NotApplicable."""
    rule = TABLE.get((item.status, action))
    if rule is None:
        raise NotApplicable(f"в статусе «{item.status}» действие «{action}» невозможно")
    failure = _first_failure(rule, item, actor, _chain_role(item, orgs), action, orgs)
    if failure is not None:
        raise failure
    return rule


def decide(
    item: ItemState, actor: Actor, action: Action, payload: Mapping[str, object], ctx: DecisionContext
) -> Decision:
    """Apply ``action`` by ``actor`` to ``item``: the new state, or a DomainError saying why not."""
    rule = check(item, actor, action, ctx.orgs)
    if action in DRAFT_BOUND_ACTIONS:
        _check_draft_digest(item, payload)
    _text(payload, "comment", required=False, limit=MAX_COMMENT_LENGTH)
    handler = _HANDLERS[action]
    decision = handler(item, actor, payload, ctx, rule)
    return _stamp(item, decision, actor, action, payload, ctx)


def _stamp(
    before: ItemState,
    decision: Decision,
    actor: Actor,
    action: Action,
    payload: Mapping[str, object],
    ctx: DecisionContext,
) -> Decision:
    after = decision.item
    comment = _text(payload, "comment", required=False, limit=MAX_COMMENT_LENGTH)
    entry = HistoryEntry(ctx.now, actor.user_id, action.value, before.status, after.status, comment)
    stamped = after.replace(version=before.version + 1, history=(*after.history, entry))
    return Decision(stamped, decision.spawned, decision.notes)


# --- payload helpers ------------------------------------------------------------------------


def _text(payload: Mapping[str, object], key: str, *, required: bool, limit: int) -> str:
    value = payload.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidPayload("ожидается текст", field=key)
    value = value.strip()
    if required and not value:
        raise InvalidPayload("поле не заполнено", field=key)
    if len(value) > limit:
        raise InvalidPayload(f"текст длиннее {limit} символов", field=key)
    return value


def _staff_id(payload: Mapping[str, object], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidPayload("не указан сотрудник", field=key)
    return value


def _attachment_ids(payload: Mapping[str, object], default: tuple[str, ...]) -> tuple[str, ...]:
    value = payload.get("attachment_ids")
    if value is None:
        return default
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidPayload("ожидается список идентификаторов вложений", field="attachment_ids")
    if len(value) > MAX_ATTACHMENTS:
        raise InvalidPayload(f"не более {MAX_ATTACHMENTS} вложений", field="attachment_ids")
    return tuple(value)


def _zone(org_id: str, orgs: Mapping[str, Organisation]) -> ZoneInfo:
    org = orgs.get(org_id)
    return ZoneInfo(org.timezone if org else "Europe/Moscow")


def end_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local calendar day ends (00:00 of the next day), in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def _assignable(staff_id: str, item: ItemState, ctx: DecisionContext) -> StaffMember:
    member = ctx.staff.get(staff_id)
    if member is None or member.org_id != item.org_id:
        raise InvalidPayload("исполнитель должен быть сотрудником этой организации", field="executor_id")
    if not member.roles & {Role.EXECUTOR, Role.COORDINATOR}:
        raise InvalidPayload("у сотрудника нет роли исполнителя", field="executor_id")
    return member


# --- handlers -------------------------------------------------------------------------------


def _route(item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext, rule: Rule) -> Decision:
    member = _assignable(_staff_id(p, "executor_id"), item, ctx)
    _text(p, "comment", required=False, limit=MAX_COMMENT_LENGTH)
    return Decision(item.replace(status=rule.target, assignee_id=member.id, routing_due_at=None))


def _reassign(item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext, rule: Rule) -> Decision:
    member = _assignable(_staff_id(p, "executor_id"), item, ctx)
    if member.id == item.assignee_id:
        raise InvalidPayload("сообщение уже назначено этому исполнителю", field="executor_id")
    _text(p, "comment", required=False, limit=MAX_COMMENT_LENGTH)
    return Decision(item.replace(status=rule.target, assignee_id=member.id))


def _take(item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext, rule: Rule) -> Decision:
    return Decision(item.replace(status=rule.target, assignee_id=actor.user_id, routing_due_at=None))


def _redirect(item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext, rule: Rule) -> Decision:
    target_id = p.get("org_id")
    if not isinstance(target_id, str) or target_id not in ctx.orgs:
        raise InvalidPayload("укажите организацию, подключенную к платформе", field="org_id")
    if target_id == item.org_id:
        raise InvalidPayload("нельзя перенаправить сообщение в свою же организацию", field="org_id")
    _text(p, "comment", required=False, limit=MAX_COMMENT_LENGTH)
    if ctx.new_item_id is None:
        raise ValueError("redirect needs ctx.new_item_id")
    # The applicant's term runs from registration on the platform, so internal routing does not
    # move the answer deadline; the new organisation's coordinator gets a fresh 3-day term.
    spawned = ItemState(
        id=ctx.new_item_id,
        number=item.number,
        kind=item.kind,
        org_id=target_id,
        status=Status.AWAITING_ROUTING,
        version=1,
        category_code=item.category_code,
        registered_at=item.registered_at,
        received_at=ctx.now,
        due_at=item.due_at,
        routing_due_at=routing_due(ctx.now, ctx.orgs[target_id].timezone),
        parent_id=item.id,
        history=(HistoryEntry(ctx.now, actor.user_id, "received", None, Status.AWAITING_ROUTING,
                              f"перенаправлено из {ctx.orgs[item.org_id].name}"),),
    )
    closed = item.replace(status=rule.target, redirected_to_org_id=target_id, routing_due_at=None)
    return Decision(closed, spawned)


def _reject(item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext, rule: Rule) -> Decision:
    code = p.get("ground_code")
    if not isinstance(code, str) or code not in ctx.rejection_codes:
        raise InvalidPayload("выберите основание отклонения из справочника", field="ground_code")
    # The applicant is told why [KR 9]: the official's explanation is required.
    comment = _text(p, "comment", required=True, limit=MAX_COMMENT_LENGTH)
    return Decision(item.replace(status=rule.target, rejection=Rejection(code, comment), routing_due_at=None))


def _return_to_routing(
    item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext, rule: Rule
) -> Decision:
    _text(p, "comment", required=True, limit=MAX_COMMENT_LENGTH)
    zone = _zone(item.org_id, ctx.orgs)
    return Decision(item.replace(status=rule.target, assignee_id=None,
                                 routing_due_at=routing_due(ctx.now, zone.key)))


def _draft_from(item: ItemState, actor: Actor, p: Mapping[str, object], *, kind: DraftKind) -> Draft:
    previous = item.draft
    text = _text(p, "text", required=False, limit=MAX_TEXT_LENGTH)
    if not text and previous is not None and "text" not in p:
        text = previous.text
    ids = _attachment_ids(p, previous.attachment_ids if previous else ())
    return Draft(text=text, kind=kind, attachment_ids=ids, author_id=actor.user_id)


def _save_draft(item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext, rule: Rule) -> Decision:
    kind = item.draft.kind if item.draft else DraftKind.FINAL
    draft = _draft_from(item, actor, p, kind=kind)
    if item.draft is not None and draft.kind is DraftKind.INTERIM:
        draft = Draft(draft.text, draft.kind, item.draft.planned_date, draft.attachment_ids, draft.author_id)
    return Decision(item.replace(status=rule.target, draft=draft))


def _submit(item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext, rule: Rule) -> Decision:
    draft = _draft_from(item, actor, p, kind=DraftKind.FINAL)
    if not draft.text:
        raise InvalidPayload("проект ответа пуст", field="text")
    return Decision(item.replace(status=rule.target, draft=draft, approval_step=0))


def _interim(item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext, rule: Rule) -> Decision:
    draft = _draft_from(item, actor, p, kind=DraftKind.INTERIM)
    if not draft.text:
        raise InvalidPayload("текст промежуточного ответа пуст", field="text")
    raw = p.get("planned_date")
    try:
        planned = date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        planned = None
    if planned is None:
        raise InvalidPayload("укажите планируемую дату решения (ГГГГ-ММ-ДД)", field="planned_date")
    today = ctx.now.astimezone(_zone(item.org_id, ctx.orgs)).date()
    if planned <= today:
        raise InvalidPayload("планируемая дата решения должна быть в будущем", field="planned_date")
    if planned > today + MAX_INTERIM_HORIZON:
        raise InvalidPayload("планируемая дата решения — не позднее чем через год", field="planned_date")
    draft = Draft(draft.text, DraftKind.INTERIM, planned, draft.attachment_ids, draft.author_id)
    return Decision(item.replace(status=rule.target, draft=draft, approval_step=0))


def next_status(item: ItemState, org: Organisation) -> Status:
    """Where an approval leads: the next chain step, an interim answer, or the final answer."""
    step = item.approval_step or 0
    if not org.approval_chain.is_last(step):
        return Status.ON_APPROVAL
    if item.draft is not None and item.draft.kind is DraftKind.INTERIM:
        return Status.INTERIM_ANSWER
    return Status.ANSWERED


def _head_edit(item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext) -> ItemState:
    """The approver's own wording of the draft, when the approval carries ``text``.

    The edit is recorded as the approver's: the draft's author becomes the approver, and the
    history gets a ``draft_edited`` entry by them before the approval itself.
    """
    if "text" not in p or p["text"] is None:
        return item
    text = _text(p, "text", required=True, limit=MAX_TEXT_LENGTH)
    draft = item.draft
    if draft is None or text == draft.text:
        return item
    edited = Draft(text, draft.kind, draft.planned_date, draft.attachment_ids, actor.user_id)
    entry = HistoryEntry(ctx.now, actor.user_id, "draft_edited", item.status, item.status, "")
    return item.replace(draft=edited, history=(*item.history, entry))


def _approve(item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext, rule: Rule) -> Decision:
    _text(p, "comment", required=False, limit=MAX_COMMENT_LENGTH)
    item = _head_edit(item, actor, p, ctx)
    org = ctx.orgs[item.org_id]
    target = next_status(item, org)
    if target is Status.ON_APPROVAL:
        return Decision(item.replace(approval_step=(item.approval_step or 0) + 1))
    draft = item.draft
    assert draft is not None  # submit/interim always leave a draft
    if target is Status.INTERIM_ANSWER:
        assert draft.planned_date is not None
        control = end_of_local_day(draft.planned_date, _zone(item.org_id, ctx.orgs))
        return Decision(item.replace(status=target, interim_answer=draft, draft=None, approval_step=None,
                                     control_due_at=control),
                        notes=("промежуточный ответ отправлен заявителю",))
    # After the head approves, the platform sends the answer to the applicant itself [KR 11].
    return Decision(item.replace(status=target, answer=draft, draft=None, approval_step=None),
                    notes=("ответ отправлен заявителю",))


def _return_for_revision(
    item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext, rule: Rule
) -> Decision:
    _text(p, "comment", required=True, limit=MAX_COMMENT_LENGTH)
    return Decision(item.replace(status=rule.target, approval_step=None))


def _stop_reprocessing(
    item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext, rule: Rule
) -> Decision:
    _text(p, "comment", required=True, limit=MAX_COMMENT_LENGTH)
    return Decision(item.replace(status=rule.target, routing_due_at=None))


def _extend_term(item: ItemState, actor: Actor, p: Mapping[str, object], ctx: DecisionContext, rule: Rule) -> Decision:
    days = p.get("days")
    problem = extension_days_problem(days)
    if problem is not None:
        raise InvalidPayload(problem, field="days")
    assert isinstance(days, int)
    _text(p, "comment", required=True, limit=MAX_COMMENT_LENGTH)  # the reason, told to the applicant
    due = extended_due(item.due_at, days, _zone(item.org_id, ctx.orgs))
    return Decision(item.replace(due_at=due), notes=("заявитель уведомлён о продлении срока",))


_HANDLERS = {
    Action.ROUTE_TO_EXECUTOR: _route,
    Action.REASSIGN: _reassign,
    Action.TAKE_INTO_WORK: _take,
    Action.REDIRECT: _redirect,
    Action.REJECT: _reject,
    Action.RETURN_TO_ROUTING: _return_to_routing,
    Action.SAVE_DRAFT: _save_draft,
    Action.SUBMIT_FOR_APPROVAL: _submit,
    Action.INTERIM_ANSWER: _interim,
    Action.APPROVE: _approve,
    Action.RETURN_FOR_REVISION: _return_for_revision,
    Action.STOP_REPROCESSING: _stop_reprocessing,
    Action.EXTEND_TERM: _extend_term,
}


# --- the platform's own side ----------------------------------------------------------------


def is_low_rating(score: int) -> bool:
    """Ratings of 1-2 out of 5 send the item to re-processing [AS 1, NO 4.1]."""
    return score <= LOW_RATING_MAX


def apply_rating(
    item: ItemState, score: int, now: datetime, orgs: Mapping[str, Organisation], new_item_id: str
) -> Decision:
    """The applicant rates an answer: close the item, and on a low rating re-open it above.

    The re-processing item goes to the parent organisation (the region stays with itself) with
    a new 30-day term and a fresh 3-day routing term from the moment of the rating.
    """
    if item.status is not Status.ANSWERED:
        raise NotApplicable("оценить можно только отправленный ответ")
    if not 1 <= score <= 5:
        raise InvalidPayload("оценка — от 1 до 5", field="score")
    entry = HistoryEntry(now, None, "rated", item.status, Status.CLOSED, f"оценка заявителя: {score}")
    closed = item.replace(status=Status.CLOSED, rating=score, version=item.version + 1,
                          history=(*item.history, entry))
    if not is_low_rating(score):
        return Decision(closed)
    org = orgs[item.org_id]
    target = orgs.get(org.parent_id or "", org)
    reopened = ItemState(
        id=new_item_id,
        number=item.number,
        kind=item.kind,
        org_id=target.id,
        status=Status.REPROCESSING,
        version=1,
        category_code=item.category_code,
        registered_at=item.registered_at,
        received_at=now,
        due_at=calendar_term_end(now, DEFAULT_TERM_DAYS, target.timezone),
        routing_due_at=routing_due(now, target.timezone),
        parent_id=item.id,
        history=(HistoryEntry(now, None, "reprocessing", None, Status.REPROCESSING,
                              f"низкая оценка ({score}) ответа организации {org.name}"),),
    )
    return Decision(closed, reopened)
