"""User actions as small operations: check locally with the domain rules, then queue durably.

The UI and the CLI change data only through ``perform``: it predicts the new state with the same
``decide`` the platform uses, refuses at once what the platform would refuse (with the same
message), and writes the outbox row and the optimistic change in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from offline_cache.contract.convert import item_to_state, org_to_domain, staff_to_domain, state_fields
from offline_cache.contract.models import Item
from offline_cache.domain.model import Action
from offline_cache.domain.staff import Actor, Organisation, StaffMember, make_actor
from offline_cache.domain.workflow import DecisionContext, allowed_actions, decide
from offline_cache.store.cache import Cache, OutboxEntry


class NotLoggedIn(Exception):
    """The cache does not know who the official is yet (no first sync)."""


@dataclass(frozen=True, slots=True)
class Performed:
    """What an operation changed: the queued entry and the item as the official now sees it."""

    entry: OutboxEntry
    item: Item


def perform(cache: Cache, item_id: str, action: Action | str, payload: dict[str, Any] | None = None,
            *, now: datetime | None = None) -> Performed:
    """Queue ``action`` on ``item_id`` for the logged-in official; raise DomainError when not allowed."""
    action = Action(action)
    payload = dict(payload or {})
    item = cache.item(item_id)
    if item is None:
        raise KeyError(item_id)
    moment = now or datetime.now(UTC)
    actor, orgs, staff = acting_official(cache, moment)
    ctx = DecisionContext(now=moment, orgs=orgs, staff=staff, rejection_codes=cache.rejection_codes(),
                          new_item_id="local-preview")
    decision = decide(item_to_state(item), actor, action, payload, ctx)
    predicted = Item.model_validate(item.model_copy(update={**state_fields(decision.item), "updated_at": moment})
                                    .model_dump())
    entry = cache.enqueue(item_id, action.value, payload, item.version, predicted)
    return Performed(entry, predicted)


def acting_official(cache: Cache, now: datetime) -> tuple[Actor, dict[str, Organisation], dict[str, StaffMember]]:
    """The logged-in official as an actor at ``now`` (deputised colleagues resolved), with the directory."""
    me_raw = cache.state("me")
    if me_raw is None:
        raise NotLoggedIn("Сначала нужна синхронизация с платформой")
    user_id = json.loads(me_raw)["user"]["id"]
    orgs = {o.id: org_to_domain(o) for o in cache.organisations()}
    staff = {s.id: staff_to_domain(s) for s in cache.staff()}
    if user_id not in staff:
        raise NotLoggedIn("Справочник сотрудников ещё не загружен: нужна синхронизация с платформой")
    return make_actor(staff[user_id], staff.values(), orgs, now), orgs, staff


def offered_actions(cache: Cache, item_id: str, now: datetime | None = None) -> list[Action]:
    """What the window offers on ``item_id``: exactly the domain table's ``allowed_actions`` for the official."""
    item = cache.item(item_id)
    if item is None:
        return []
    try:
        actor, orgs, _staff = acting_official(cache, now or datetime.now(UTC))
    except NotLoggedIn:
        return []
    return allowed_actions(item_to_state(item), actor, orgs)
