"""Organisations, staff, absences and deputies: who may act for whom, and when."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from offline_cache.domain.model import OrgLevel, Role


class ApprovalChainError(ValueError):
    """An approval chain that cannot work (empty, not ending with the head, repeated steps)."""


@dataclass(frozen=True, slots=True)
class ApprovalChain:
    """Who approves a draft, in order: executor → [curator] → head [KR 10-11].

    The chain always ends with the head (Руководитель): only the head's approval sends the
    answer. A curator step before it is optional and configured per organisation.
    """

    steps: tuple[Role, ...] = (Role.HEAD,)

    def __post_init__(self) -> None:
        try:  # accept plain role values ("head") as well as Role members
            object.__setattr__(self, "steps", tuple(Role(r) for r in self.steps))
        except ValueError as exc:
            raise ApprovalChainError(f"неизвестная роль в цепочке согласования: {exc}") from exc
        if not self.steps:
            raise ApprovalChainError("цепочка согласования пуста")
        if self.steps[-1] is not Role.HEAD:
            raise ApprovalChainError("последним в цепочке согласования должен быть руководитель")
        if len(set(self.steps)) != len(self.steps):
            raise ApprovalChainError("роль повторяется в цепочке согласования")
        allowed = {Role.HEAD, Role.CURATOR}
        if not set(self.steps) <= allowed:
            raise ApprovalChainError("согласовать могут только руководитель и куратор")

    @classmethod
    def parse(cls, roles: Iterable[str]) -> ApprovalChain:
        return cls(tuple(Role(r) for r in roles))

    def role_at(self, step: int) -> Role:
        return self.steps[step]

    def is_last(self, step: int) -> bool:
        return step >= len(self.steps) - 1


@dataclass(frozen=True, slots=True)
class Organisation:
    """An organisation with its cabinet: place in the hierarchy, time zone, approval chain."""

    id: str
    name: str
    level: OrgLevel
    parent_id: str | None
    timezone: str  # IANA zone, e.g. "Europe/Moscow"; Russia spans eleven zones
    approval_chain: ApprovalChain = field(default_factory=ApprovalChain)


@dataclass(frozen=True, slots=True)
class Absence:
    """A period when a member of staff is away (illness, leave, business trip, study) [KR 5.2]."""

    starts_at: datetime
    ends_at: datetime
    reason: str = ""

    def covers(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A member of an organisation's staff with roles and, when away, a deputy."""

    id: str
    org_id: str
    full_name: str
    roles: frozenset[Role]
    position: str = ""
    absence: Absence | None = None
    deputy_id: str | None = None

    def is_absent(self, now: datetime) -> bool:
        return self.absence is not None and self.absence.covers(now)


@dataclass(frozen=True, slots=True)
class Actor:
    """Someone acting on an item right now, with deputised colleagues resolved.

    Attributes:
        user_id: the person acting.
        org_id: the person's organisation.
        roles: own roles plus the roles of absent colleagues this person deputises for.
        acts_for: ids whose assigned items this person may work on (self and the deputised).
        org_level: level of the person's organisation (stopping re-processing is regional).
    """

    user_id: str
    org_id: str
    roles: frozenset[Role]
    acts_for: frozenset[str]
    org_level: OrgLevel = OrgLevel.MUNICIPALITY


def deputised_by(user_id: str, staff: Iterable[StaffMember], now: datetime) -> list[StaffMember]:
    """Colleagues who are absent now and named ``user_id`` as their deputy."""
    return [m for m in staff if m.deputy_id == user_id and m.is_absent(now) and m.id != user_id]


def make_actor(
    user: StaffMember, staff: Iterable[StaffMember], orgs: Mapping[str, Organisation], now: datetime
) -> Actor:
    """Resolve the effective roles of ``user`` at ``now``, deputies included.

    A deputy takes over the absent colleague's roles and assigned items only while the absence
    lasts, and only within the same organisation. An absent person keeps their own rights: being
    on leave does not lock anyone out of their account.
    """
    covered = [m for m in deputised_by(user.id, staff, now) if m.org_id == user.org_id]
    roles = set(user.roles)
    for member in covered:
        roles |= member.roles
    org = orgs.get(user.org_id)
    return Actor(
        user_id=user.id,
        org_id=user.org_id,
        roles=frozenset(roles),
        acts_for=frozenset({user.id, *(m.id for m in covered)}),
        org_level=org.level if org else OrgLevel.MUNICIPALITY,
    )


def may_manage_staff(actor: Actor, target: StaffMember, action: str) -> bool:
    """Whether ``actor`` may change ``target``'s deputy or roles.

    Administrators manage everyone in their organisation [KR 5.3]; anyone may name or clear their
    own deputy; only administrators change roles.
    """
    if target.org_id != actor.org_id:
        return False
    if Role.ADMIN in actor.roles:
        return True
    return action in ("set_deputy", "clear_deputy") and target.id == actor.user_id


def validate_deputy(target: StaffMember, deputy: StaffMember | None) -> str | None:
    """Why ``deputy`` cannot cover ``target``, or None when it can."""
    if deputy is None:
        return None
    if deputy.id == target.id:
        return "сотрудник не может замещать сам себя"
    if deputy.org_id != target.org_id:
        return "заместитель должен работать в той же организации"
    if deputy.deputy_id == target.id:
        return "сотрудники не могут замещать друг друга одновременно"
    return None


def ancestors(org_id: str, orgs: Mapping[str, Organisation]) -> list[str]:
    """Ids of the organisations above ``org_id``, nearest first."""
    result: list[str] = []
    current = orgs.get(org_id)
    while current is not None and current.parent_id is not None and current.parent_id not in result:
        result.append(current.parent_id)
        current = orgs.get(current.parent_id)
    return result


def descendants(org_id: str, orgs: Mapping[str, Organisation]) -> set[str]:
    """Ids of every organisation below ``org_id``."""
    below: set[str] = set()
    frontier = [org_id]
    while frontier:
        parent = frontier.pop()
        for org in orgs.values():
            if org.parent_id == parent and org.id not in below:
                below.add(org.id)
                frontier.append(org.id)
    return below
