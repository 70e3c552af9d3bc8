"""Staff: approval chains, deputies and effective roles, staff management rights, the org hierarchy."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from offline_cache.domain.model import OrgLevel, Role, StaffAction
from offline_cache.domain.staff import (
    Absence,
    Actor,
    ApprovalChain,
    ApprovalChainError,
    Organisation,
    StaffMember,
    ancestors,
    deputised_by,
    descendants,
    make_actor,
    may_manage_staff,
    validate_deputy,
)

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=MSK)
LEAVE = Absence(datetime(2025, 3, 3, tzinfo=MSK), datetime(2025, 3, 17, tzinfo=MSK), "ежегодный отпуск")


def _org(org_id: str, level: OrgLevel, parent: str | None) -> Organisation:
    return Organisation(org_id, f"Организация {org_id}", level, parent, "Europe/Moscow")


# region → muni1 (→ s1, s2), muni2 (→ s3); a second region with one municipality.
TREE = {
    o.id: o
    for o in [
        _org("region", OrgLevel.REGION, None),
        _org("muni1", OrgLevel.MUNICIPALITY, "region"),
        _org("muni2", OrgLevel.MUNICIPALITY, "region"),
        _org("s1", OrgLevel.SETTLEMENT, "muni1"),
        _org("s2", OrgLevel.SETTLEMENT, "muni1"),
        _org("s3", OrgLevel.SETTLEMENT, "muni2"),
        _org("other", OrgLevel.REGION, None),
        _org("other_muni", OrgLevel.MUNICIPALITY, "other"),
    ]
}


def _m(member_id: str, org_id: str, *roles: Role, absence: Absence | None = None,
       deputy: str | None = None) -> StaffMember:
    return StaffMember(member_id, org_id, f"Сотрудник {member_id}", frozenset(roles), absence=absence,
                       deputy_id=deputy)


# --- approval chains ------------------------------------------------------------------------


@pytest.mark.parametrize("steps", [(Role.HEAD,), (Role.CURATOR, Role.HEAD)])
def test_valid_chains(steps: tuple[Role, ...]) -> None:
    chain = ApprovalChain(steps)
    assert chain.steps == steps
    assert chain.role_at(len(steps) - 1) is Role.HEAD
    assert chain.is_last(len(steps) - 1)


def test_default_chain_is_head_only() -> None:
    assert ApprovalChain().steps == (Role.HEAD,)
    assert ApprovalChain().is_last(0)


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ((), "пуста"),
        ((Role.CURATOR,), "последним"),
        ((Role.HEAD, Role.CURATOR), "последним"),
        ((Role.HEAD, Role.HEAD), "повторяется"),
        ((Role.CURATOR, Role.CURATOR, Role.HEAD), "повторяется"),
        ((Role.EXECUTOR, Role.HEAD), "только руководитель и куратор"),
        ((Role.COORDINATOR, Role.HEAD), "только руководитель и куратор"),
        ((Role.ADMIN, Role.CURATOR, Role.HEAD), "только руководитель и куратор"),
    ],
)
def test_invalid_chains(steps: tuple[Role, ...], message: str) -> None:
    with pytest.raises(ApprovalChainError, match=message):
        ApprovalChain(steps)


def test_chain_error_is_a_value_error() -> None:
    assert issubclass(ApprovalChainError, ValueError)


def test_chain_is_last_and_role_at() -> None:
    chain = ApprovalChain((Role.CURATOR, Role.HEAD))
    assert (chain.role_at(0), chain.role_at(1)) == (Role.CURATOR, Role.HEAD)
    assert [chain.is_last(i) for i in range(4)] == [False, True, True, True]


def test_chain_parse() -> None:
    assert ApprovalChain.parse(["curator", "head"]) == ApprovalChain((Role.CURATOR, Role.HEAD))
    assert ApprovalChain.parse(("head",)) == ApprovalChain()
    with pytest.raises(ApprovalChainError):
        ApprovalChain.parse([])
    with pytest.raises(ApprovalChainError):
        ApprovalChain.parse(["executor", "head"])
    with pytest.raises(ValueError):
        ApprovalChain.parse(["boss", "head"])


# --- absences -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "covered"),
    [
        (LEAVE.starts_at - timedelta(microseconds=1), False),
        (LEAVE.starts_at, True),
        (NOW, True),
        (LEAVE.ends_at - timedelta(microseconds=1), True),
        (LEAVE.ends_at, False),
    ],
)
def test_absence_covers_half_open_interval(moment: datetime, covered: bool) -> None:
    assert LEAVE.covers(moment) is covered
    assert _m("x", "muni1", Role.EXECUTOR, absence=LEAVE).is_absent(moment) is covered


def test_member_without_absence_is_present() -> None:
    assert not _m("x", "muni1", Role.EXECUTOR).is_absent(NOW)


# --- make_actor -----------------------------------------------------------------------------


def test_actor_without_deputising() -> None:
    me = _m("me", "muni1", Role.EXECUTOR)
    assert make_actor(me, [me], TREE, NOW) == Actor("me", "muni1", frozenset({Role.EXECUTOR}), frozenset({"me"}),
                                                    OrgLevel.MUNICIPALITY)


@pytest.mark.parametrize(("org_id", "level"), [("region", OrgLevel.REGION), ("s1", OrgLevel.SETTLEMENT),
                                               ("unknown", OrgLevel.MUNICIPALITY)])
def test_actor_org_level(org_id: str, level: OrgLevel) -> None:
    me = _m("me", org_id, Role.COORDINATOR)
    assert make_actor(me, [me], TREE, NOW).org_level is level


def test_deputy_takes_absent_colleagues_roles_and_items() -> None:
    me = _m("me", "muni1", Role.EXECUTOR)
    head = _m("head", "muni1", Role.HEAD, absence=LEAVE, deputy="me")
    coord = _m("coord", "muni1", Role.COORDINATOR, absence=LEAVE, deputy="me")
    actor = make_actor(me, [me, head, coord], TREE, NOW)
    assert actor.roles == {Role.EXECUTOR, Role.HEAD, Role.COORDINATOR}
    assert actor.acts_for == {"me", "head", "coord"}


@pytest.mark.parametrize("moment", [LEAVE.starts_at - timedelta(seconds=1), LEAVE.ends_at,
                                    LEAVE.ends_at + timedelta(days=30)])
def test_deputising_only_while_the_absence_lasts(moment: datetime) -> None:
    me = _m("me", "muni1", Role.EXECUTOR)
    head = _m("head", "muni1", Role.HEAD, absence=LEAVE, deputy="me")
    actor = make_actor(me, [me, head], TREE, moment)
    assert actor.roles == {Role.EXECUTOR}
    assert actor.acts_for == {"me"}


@pytest.mark.parametrize(
    "colleague",
    [
        _m("head", "muni1", Role.HEAD, deputy="me"),  # named me, but at work
        _m("head", "muni1", Role.HEAD, absence=LEAVE, deputy="someone_else"),
        _m("head", "muni1", Role.HEAD, absence=LEAVE),  # no deputy at all
        _m("head", "muni2", Role.HEAD, absence=LEAVE, deputy="me"),  # another organisation
        _m("head", "region", Role.HEAD, absence=LEAVE, deputy="me"),
    ],
    ids=["present", "other-deputy", "no-deputy", "other-org", "parent-org"],
)
def test_no_deputising_without_absence_naming_me_in_my_org(colleague: StaffMember) -> None:
    me = _m("me", "muni1", Role.EXECUTOR)
    actor = make_actor(me, [me, colleague], TREE, NOW)
    assert (actor.roles, actor.acts_for) == (frozenset({Role.EXECUTOR}), frozenset({"me"}))


def test_deputising_is_not_transitive() -> None:
    me = _m("me", "muni1", Role.EXECUTOR)
    head = _m("head", "muni1", Role.HEAD, absence=LEAVE, deputy="cur")
    cur = _m("cur", "muni1", Role.CURATOR, absence=LEAVE, deputy="me")
    actor = make_actor(me, [me, head, cur], TREE, NOW)
    assert actor.roles == {Role.EXECUTOR, Role.CURATOR}
    assert actor.acts_for == {"me", "cur"}


def test_absent_person_keeps_own_rights_and_self_deputy_is_ignored() -> None:
    me = _m("me", "muni1", Role.HEAD, absence=LEAVE, deputy="me")
    assert deputised_by("me", [me], NOW) == []
    actor = make_actor(me, [me], TREE, NOW)
    assert (actor.roles, actor.acts_for) == (frozenset({Role.HEAD}), frozenset({"me"}))


def test_deputised_by_lists_absent_colleagues_naming_the_user() -> None:
    a = _m("a", "muni1", Role.HEAD, absence=LEAVE, deputy="me")
    b = _m("b", "muni1", Role.EXECUTOR, deputy="me")
    c = _m("c", "muni2", Role.EXECUTOR, absence=LEAVE, deputy="me")  # filtered by org in make_actor only
    assert [m.id for m in deputised_by("me", [a, b, c], NOW)] == ["a", "c"]


# --- may_manage_staff -----------------------------------------------------------------------


def _actor(user_id: str, org_id: str, *roles: Role) -> Actor:
    return Actor(user_id, org_id, frozenset(roles), frozenset({user_id}))


@pytest.mark.parametrize("action", [*StaffAction, "set_deputy", "set_roles"])
def test_admin_manages_everyone_in_own_org_only(action: str) -> None:
    admin = _actor("admin", "muni1", Role.ADMIN)
    assert may_manage_staff(admin, _m("x", "muni1", Role.EXECUTOR), action)
    assert may_manage_staff(admin, _m("admin", "muni1", Role.ADMIN), action)
    assert not may_manage_staff(admin, _m("y", "muni2", Role.EXECUTOR), action)
    assert not may_manage_staff(admin, _m("z", "s1", Role.EXECUTOR), action)


@pytest.mark.parametrize(
    ("target_id", "target_org", "action", "allowed"),
    [
        ("me", "muni1", StaffAction.SET_DEPUTY, True),
        ("me", "muni1", StaffAction.CLEAR_DEPUTY, True),
        ("me", "muni1", StaffAction.SET_ROLES, False),
        ("other", "muni1", StaffAction.SET_DEPUTY, False),
        ("other", "muni1", StaffAction.CLEAR_DEPUTY, False),
        ("other", "muni1", StaffAction.SET_ROLES, False),
        ("me", "muni2", StaffAction.SET_DEPUTY, False),  # same id, another organisation's record
    ],
)
@pytest.mark.parametrize("role", [Role.EXECUTOR, Role.COORDINATOR, Role.HEAD, Role.CURATOR])
def test_non_admin_manages_only_own_deputy(
    role: Role, target_id: str, target_org: str, action: StaffAction, allowed: bool
) -> None:
    me = _actor("me", "muni1", role)
    assert may_manage_staff(me, _m(target_id, target_org, Role.EXECUTOR), action) is allowed


# --- validate_deputy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deputy", "problem"),
    [
        (None, None),
        (_m("dep", "muni1", Role.EXECUTOR), None),
        (_m("dep", "muni1", Role.EXECUTOR, deputy="third"), None),
        (_m("target", "muni1", Role.EXECUTOR), "сам себя"),
        (_m("dep", "muni2", Role.EXECUTOR), "той же организации"),
        (_m("dep", "muni1", Role.EXECUTOR, deputy="target"), "друг друга"),
    ],
)
def test_validate_deputy(deputy: StaffMember | None, problem: str | None) -> None:
    target = _m("target", "muni1", Role.HEAD)
    result = validate_deputy(target, deputy)
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result


# --- hierarchy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("org_id", "expected"),
    [
        ("s1", ["muni1", "region"]),
        ("s3", ["muni2", "region"]),
        ("muni1", ["region"]),
        ("region", []),
        ("other_muni", ["other"]),
        ("unknown", []),
    ],
)
def test_ancestors_nearest_first(org_id: str, expected: list[str]) -> None:
    assert ancestors(org_id, TREE) == expected


@pytest.mark.parametrize(
    ("org_id", "expected"),
    [
        ("region", {"muni1", "muni2", "s1", "s2", "s3"}),
        ("muni1", {"s1", "s2"}),
        ("muni2", {"s3"}),
        ("s1", set()),
        ("other", {"other_muni"}),
        ("unknown", set()),
    ],
)
def test_descendants(org_id: str, expected: set[str]) -> None:
    assert descendants(org_id, TREE) == expected


def test_ancestors_stop_at_missing_parent_and_cycles() -> None:
    orphan = {"s": _org("s", OrgLevel.SETTLEMENT, "gone")}
    assert ancestors("s", orphan) == ["gone"]
    looped = {"a": _org("a", OrgLevel.MUNICIPALITY, "b"), "b": _org("b", OrgLevel.MUNICIPALITY, "a")}
    assert set(ancestors("a", looped)) == {"a", "b"}  # terminates instead of looping forever


def test_organisation_default_chain() -> None:
    org = _org("x", OrgLevel.REGION, None)
    assert org.approval_chain == ApprovalChain()
    assert dataclasses.replace(org, approval_chain=ApprovalChain.parse(["curator", "head"])).approval_chain.steps == (
        Role.CURATOR, Role.HEAD)


def test_chain_accepts_plain_role_values() -> None:
    assert ApprovalChain(("curator", "head")).steps == (Role.CURATOR, Role.HEAD)  # type: ignore[arg-type]
    with pytest.raises(ApprovalChainError):
        ApprovalChain(("deputy", "head"))  # type: ignore[arg-type]
