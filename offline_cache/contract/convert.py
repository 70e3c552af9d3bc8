"""Conversions between contract models (wire format) and domain dataclasses (rules)."""

from __future__ import annotations

from offline_cache.contract.models import (
    AbsenceOut,
    CalendarYearOut,
    CategoryOut,
    DraftOut,
    HistoryOut,
    Item,
    OrganisationOut,
    RejectionOut,
    StaffOut,
    StageTermOut,
)
from offline_cache.domain.calendar import ProductionCalendar, YearOverride
from offline_cache.domain.model import Draft, HistoryEntry, ItemState, Rejection
from offline_cache.domain.staff import Absence, ApprovalChain, Organisation, StaffMember
from offline_cache.domain.stages import DEFAULT_STAGE_TERMS, Stage, StageTerm, StageTerms


def draft_to_domain(d: DraftOut | None) -> Draft | None:
    if d is None:
        return None
    return Draft(d.text, d.kind, d.planned_date, tuple(d.attachment_ids), d.author_id)


def draft_to_contract(d: Draft | None) -> DraftOut | None:
    if d is None:
        return None
    return DraftOut(text=d.text, kind=d.kind, planned_date=d.planned_date,
                    attachment_ids=list(d.attachment_ids), author_id=d.author_id)


def item_to_state(item: Item) -> ItemState:
    """The workflow-relevant part of a wire item."""
    return ItemState(
        id=item.id,
        number=item.number,
        kind=item.kind,
        org_id=item.org_id,
        status=item.status,
        version=item.version,
        category_code=item.category_code,
        registered_at=item.registered_at,
        received_at=item.received_at,
        due_at=item.due_at,
        routing_due_at=item.routing_due_at,
        control_due_at=item.control_due_at,
        assignee_id=item.assignee_id,
        approval_step=item.approval_step,
        draft=draft_to_domain(item.draft),
        answer=draft_to_domain(item.answer),
        interim_answer=draft_to_domain(item.interim_answer),
        rejection=Rejection(item.rejection.ground_code, item.rejection.comment) if item.rejection else None,
        redirected_to_org_id=item.redirected_to_org_id,
        parent_id=item.parent_id,
        rating=item.rating,
        history=tuple(HistoryEntry(h.at, h.actor_id, h.action, h.from_status, h.to_status, h.comment)
                      for h in item.history),
    )


def state_fields(state: ItemState) -> dict[str, object]:
    """Wire fields carrying ``state``: merge into an Item with ``model_copy(update=...)``."""
    return {
        "id": state.id,
        "number": state.number,
        "kind": state.kind,
        "org_id": state.org_id,
        "status": state.status,
        "version": state.version,
        "category_code": state.category_code,
        "registered_at": state.registered_at,
        "received_at": state.received_at,
        "due_at": state.due_at,
        "routing_due_at": state.routing_due_at,
        "control_due_at": state.control_due_at,
        "assignee_id": state.assignee_id,
        "approval_step": state.approval_step,
        "draft": draft_to_contract(state.draft),
        "answer": draft_to_contract(state.answer),
        "interim_answer": draft_to_contract(state.interim_answer),
        "rejection": RejectionOut(ground_code=state.rejection.ground_code, comment=state.rejection.comment)
        if state.rejection else None,
        "redirected_to_org_id": state.redirected_to_org_id,
        "parent_id": state.parent_id,
        "rating": state.rating,
        "history": [HistoryOut(at=h.at, actor_id=h.actor_id, action=h.action, from_status=h.from_status,
                               to_status=h.to_status, comment=h.comment) for h in state.history],
    }


def org_to_domain(o: OrganisationOut) -> Organisation:
    return Organisation(o.id, o.name, o.level, o.parent_id, o.timezone, ApprovalChain(tuple(o.approval_chain)))


def org_to_contract(o: Organisation) -> OrganisationOut:
    return OrganisationOut(id=o.id, name=o.name, level=o.level, parent_id=o.parent_id, timezone=o.timezone,
                           approval_chain=list(o.approval_chain.steps))


def staff_to_domain(s: StaffOut) -> StaffMember:
    absence = Absence(s.absence.starts_at, s.absence.ends_at, s.absence.reason) if s.absence else None
    return StaffMember(s.id, s.org_id, s.full_name, frozenset(s.roles), s.position, absence, s.deputy_id)


def staff_to_contract(s: StaffMember) -> StaffOut:
    absence = AbsenceOut(starts_at=s.absence.starts_at, ends_at=s.absence.ends_at, reason=s.absence.reason) \
        if s.absence else None
    return StaffOut(id=s.id, org_id=s.org_id, full_name=s.full_name, position=s.position,
                    roles=sorted(s.roles), absence=absence, deputy_id=s.deputy_id)


def stage_terms_to_domain(category: CategoryOut) -> StageTerms:
    """A category's control terms; stages it does not name keep the defaults."""
    return DEFAULT_STAGE_TERMS.replaced((t.stage, StageTerm(t.days, t.day_kind)) for t in category.stage_terms)


def stage_terms_to_contract(terms: StageTerms) -> list[StageTermOut]:
    return [StageTermOut(stage=s, days=terms.of(s).days, day_kind=terms.of(s).day_kind) for s in Stage]


def calendar_to_domain(years: list[CalendarYearOut]) -> ProductionCalendar:
    """The production calendar with the platform's years on top of the bundled data."""
    return ProductionCalendar.with_overrides([
        YearOverride(y.year, frozenset(y.days_off), frozenset(y.working_weekend_days)) for y in years
    ])
