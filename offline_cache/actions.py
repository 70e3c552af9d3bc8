"""User actions as small operations: check locally with the domain rules, then queue durably.

The UI and the CLI change data only through ``perform``: it predicts the new state with the same
``decide`` the platform uses, refuses at once what the platform would refuse (with the same
message), and writes the outbox row and the optimistic change in one transaction. The entry
belongs to the logged-in official and names the absent colleague when they act as deputy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from offline_cache.clock import platform_now
from offline_cache.contract.convert import item_to_state, org_to_domain, staff_to_domain, state_fields
from offline_cache.contract.models import Item
from offline_cache.domain.model import Action, ItemState
from offline_cache.domain.staff import Actor, Organisation, StaffMember, deputised_by, make_actor
from offline_cache.domain.workflow import (
    DRAFT_BOUND_ACTIONS,
    DecisionContext,
    DomainError,
    allowed_actions,
    check,
    decide,
    draft_digest,
)
from offline_cache.store.cache import IN_FLIGHT, Cache, OutboxEntry

#: Actions that send the answer being written: once queued, the local draft has gone with them.
DRAFT_ACTIONS = frozenset({Action.SAVE_DRAFT, Action.SUBMIT_FOR_APPROVAL, Action.INTERIM_ANSWER})


class NotLoggedIn(Exception):
    """The cache does not know who the official is yet (no first sync)."""


@dataclass(frozen=True, slots=True)
class Performed:
    """What an operation changed: the queued entry and the item as the official now sees it."""

    entry: OutboxEntry
    item: Item


@dataclass(frozen=True, slots=True)
class _World:
    """The directory as the cache knows it, at one moment."""

    orgs: dict[str, Organisation]
    staff: dict[str, StaffMember]
    ctx: DecisionContext

    def actor(self, user_id: str) -> Actor:
        return make_actor(self.staff[user_id], self.staff.values(), self.orgs, self.ctx.now)


def _world(cache: Cache, moment: datetime) -> _World:
    orgs = {o.id: org_to_domain(o) for o in cache.organisations()}
    me = cache.me_id()
    # Deactivated members stay in the directory for history's names, but nobody can act with or for them.
    staff = {s.id: staff_to_domain(s) for s in cache.staff() if s.active or s.id == me}
    ctx = DecisionContext(now=moment, orgs=orgs, staff=staff, rejection_codes=cache.rejection_codes(),
                          new_item_id="local-preview")
    return _World(orgs, staff, ctx)


def _predict(item: Item, actor: Actor, action: Action, payload: dict[str, Any], world: _World) -> Item:
    decision = decide(item_to_state(item), actor, action, payload, world.ctx)
    return Item.model_validate(item.model_copy(update={**state_fields(decision.item), "updated_at": world.ctx.now})
                               .model_dump())


def acting_for(state: ItemState, actor: Actor, action: Action, world: _World) -> str | None:
    """The absent colleague ``actor`` acts for: the item's assignee, or the one whose role allows the action."""
    if state.assignee_id is not None and state.assignee_id != actor.user_id and state.assignee_id in actor.acts_for:
        return state.assignee_id
    user = world.staff[actor.user_id]
    own = make_actor(user, (), world.orgs, world.ctx.now)
    try:
        check(state, own, action, world.orgs)
        return None
    except DomainError:
        pass
    for colleague in deputised_by(actor.user_id, world.staff.values(), world.ctx.now):
        covering = make_actor(user, [colleague], world.orgs, world.ctx.now)
        try:
            check(state, covering, action, world.orgs)
        except DomainError:
            continue
        return colleague.id
    return None


def perform(cache: Cache, item_id: str, action: Action | str, payload: dict[str, Any] | None = None,
            *, now: datetime | None = None, supersedes: int | None = None) -> Performed:
    """Queue ``action`` on ``item_id`` for the logged-in official; raise DomainError when not allowed.

    ``supersedes`` names a failed or conflicting entry this action replaces (resent, re-applied).
    """
    action = Action(action)
    payload = dict(payload or {})
    item = cache.item(item_id)
    if item is None:
        raise KeyError(item_id)
    if action in DRAFT_BOUND_ACTIONS and "draft_digest" not in payload:
        payload["draft_digest"] = draft_digest(item.draft)  # bind the decision to the draft the official saw
    world, actor = _official(cache, now or platform_now(cache))
    user_id = actor.user_id
    predicted = _predict(item, actor, action, payload, world)
    deputy_for = acting_for(item_to_state(item), actor, action, world)
    entry = cache.enqueue(item_id, action.value, payload, item.version, predicted,
                          user_id=user_id, acting_for=deputy_for, supersedes=supersedes,
                          drop_draft=action in DRAFT_ACTIONS and "text" in payload)
    return Performed(entry, predicted)


def _official(cache: Cache, now: datetime) -> tuple[_World, Actor]:
    user_id = cache.me_id()
    if user_id is None:
        raise NotLoggedIn("Сначала нужна синхронизация с платформой")
    world = _world(cache, now)
    if user_id not in world.staff:
        raise NotLoggedIn("Справочник сотрудников ещё не загружен: нужна синхронизация с платформой")
    return world, world.actor(user_id)


def acting_official(cache: Cache, now: datetime) -> tuple[Actor, dict[str, Organisation], dict[str, StaffMember]]:
    """The logged-in official as an actor at ``now`` (deputised colleagues resolved), with the directory."""
    world, actor = _official(cache, now)
    return actor, world.orgs, world.staff


def offered_actions(cache: Cache, item_id: str, now: datetime | None = None) -> list[Action]:
    """What the window offers on ``item_id``: exactly the domain table's ``allowed_actions`` for the official."""
    item = cache.item(item_id)
    if item is None:
        return []
    try:
        actor, orgs, _staff = acting_official(cache, now or platform_now(cache))
    except NotLoggedIn:
        return []
    return allowed_actions(item_to_state(item), actor, orgs)


def replay(cache: Cache, item_id: str, *, skip: int | None = None, now: datetime | None = None) -> Item | None:
    """The item as the official should see it: the platform's copy with the actions still in flight
    predicted over it, oldest first (None when nothing is in flight); ``skip`` (being cancelled) is
    left out. An action the rules refuse on the new basis is skipped in the prediction; it stays
    queued and the platform decides."""
    server = cache.server_item(item_id)
    entries = [e for e in cache.outbox(IN_FLIGHT, item_id=item_id) if e.id != skip]
    if server is None or not entries:
        return None
    world = _world(cache, now or platform_now(cache))
    shown = server
    for entry in entries:
        if entry.user_id is None or entry.user_id not in world.staff:
            continue
        try:
            shown = _predict(shown, world.actor(entry.user_id), Action(entry.action), entry.payload, world)
        except DomainError:
            continue
    return shown
