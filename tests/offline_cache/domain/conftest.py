"""Fixtures for the domain tests: a small region with organisations, staff and items."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from offline_cache.domain.deadlines import STANDARD_TERM, answer_due, routing_due
from offline_cache.domain.model import ItemKind, ItemState, OrgLevel, Role, Status
from offline_cache.domain.staff import Actor, ApprovalChain, Organisation, StaffMember, make_actor
from offline_cache.domain.workflow import DecisionContext

MSK = ZoneInfo("Europe/Moscow")

ItemFactory = Callable[..., ItemState]
ActorFactory = Callable[..., Actor]


def _org(
    org_id: str, name: str, level: OrgLevel, parent: str | None, tz: str, chain: tuple[Role, ...] = (Role.HEAD,)
) -> Organisation:
    return Organisation(org_id, name, level, parent, tz, ApprovalChain(chain))


def _member(member_id: str, org_id: str, *roles: Role) -> StaffMember:
    return StaffMember(member_id, org_id, f"Сотрудник {member_id}", frozenset(roles))


@pytest.fixture
def now() -> datetime:
    """Monday 10 March 2025, 12:00 Moscow time."""
    return datetime(2025, 3, 10, 12, 0, tzinfo=MSK)


@pytest.fixture
def orgs() -> dict[str, Organisation]:
    """Krasnodar krai → Sochi (curator, head chain) → a settlement; Primorye → Vladivostok."""
    items = [
        _org("region", "Краснодарский край", OrgLevel.REGION, None, "Europe/Moscow"),
        _org("muni", "Город Сочи", OrgLevel.MUNICIPALITY, "region", "Europe/Moscow", (Role.CURATOR, Role.HEAD)),
        _org("settle", "Поселение Лазаревское", OrgLevel.SETTLEMENT, "muni", "Europe/Moscow"),
        _org("primorye", "Приморский край", OrgLevel.REGION, None, "Asia/Vladivostok"),
        _org("vlad", "Город Владивосток", OrgLevel.MUNICIPALITY, "primorye", "Asia/Vladivostok"),
    ]
    return {o.id: o for o in items}


@pytest.fixture
def staff() -> dict[str, StaffMember]:
    items = [
        _member("coord", "muni", Role.COORDINATOR),
        _member("exec1", "muni", Role.EXECUTOR),
        _member("exec2", "muni", Role.EXECUTOR),
        _member("head", "muni", Role.HEAD),
        _member("cur", "muni", Role.CURATOR),
        _member("admin", "muni", Role.ADMIN),
        _member("rcoord", "region", Role.COORDINATOR),
        _member("rexec", "region", Role.EXECUTOR),
        _member("rhead", "region", Role.HEAD),
        _member("scoord", "settle", Role.COORDINATOR),
        _member("sexec", "settle", Role.EXECUTOR),
        _member("shead", "settle", Role.HEAD),
        _member("vcoord", "vlad", Role.COORDINATOR),
        _member("vexec", "vlad", Role.EXECUTOR),
        _member("vhead", "vlad", Role.HEAD),
    ]
    return {m.id: m for m in items}


@pytest.fixture
def ctx(now: datetime, orgs: dict[str, Organisation], staff: dict[str, StaffMember]) -> DecisionContext:
    codes = frozenset({"insult", "spam", "no_location", "repeated_question"})
    return DecisionContext(now=now, orgs=orgs, staff=staff, rejection_codes=codes, new_item_id="new-1")


@pytest.fixture
def actor_of(orgs: dict[str, Organisation], staff: dict[str, StaffMember], now: datetime) -> ActorFactory:
    """actor_of("exec1") → the Actor for that member at ``now`` (or at ``at=``)."""

    def build(user_id: str, at: datetime | None = None) -> Actor:
        return make_actor(staff[user_id], staff.values(), orgs, at or now)

    return build


@pytest.fixture
def make_item(orgs: dict[str, Organisation], now: datetime) -> ItemFactory:
    """make_item(Status.IN_WORK, assignee_id="exec1", ...) → an item registered five days ago."""

    def build(status: Status, org_id: str = "muni", **changes: object) -> ItemState:
        registered = datetime(2025, 3, 5, 10, 0, tzinfo=MSK)
        zone = orgs[org_id].timezone
        item = ItemState(
            id="item-1",
            number="ПОС-2025-000123",
            kind=ItemKind.MESSAGE,
            org_id=org_id,
            status=status,
            version=3,
            category_code="roads",
            registered_at=registered,
            received_at=registered,
            due_at=answer_due(registered, ItemKind.MESSAGE, STANDARD_TERM, zone),
            routing_due_at=routing_due(registered, zone) if status in {Status.AWAITING_ROUTING} else None,
        )
        return item.replace(**changes)

    return build
