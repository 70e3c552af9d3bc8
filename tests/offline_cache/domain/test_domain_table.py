"""Every cell of the workflow permission/transition table against an independently written grid."""

from __future__ import annotations

import itertools

import pytest

from offline_cache.domain.model import Action, Role, Status
from offline_cache.domain.workflow import TABLE, cell

# Abbreviations used in the grids below; "-" means nobody in that role may do the action.
_TARGETS: dict[str, Status] = {
    "AR": Status.AWAITING_ROUTING,
    "IW": Status.IN_WORK,
    "OA": Status.ON_APPROVAL,
    "RT": Status.RETURNED,
    "IA": Status.INTERIM_ANSWER,
    "AN": Status.ANSWERED,
    "RJ": Status.REJECTED,
    "RD": Status.REDIRECTED,
    "RP": Status.REPROCESSING,
    "CL": Status.CLOSED,
}

_COLUMNS = (Role.ADMIN, Role.COORDINATOR, Role.EXECUTOR, Role.HEAD, Role.CURATOR)

# Written from the rules of the brief, one grid per status, rows = actions, columns = roles.
_GRIDS: dict[Status, str] = {
    Status.AWAITING_ROUTING: """
        action                admin coord exec head cur
        route_to_executor     -     IW    -    -    -
        reassign              -     -     -    -    -
        redirect              -     RD    -    -    -
        take_into_work        -     IW    -    -    -
        reject                -     RJ    -    -    -
        return_to_routing     -     -     -    -    -
        save_draft            -     -     -    -    -
        submit_for_approval   -     -     -    -    -
        interim_answer        -     -     -    -    -
        approve               -     -     -    -    -
        return_for_revision   -     -     -    -    -
        stop_reprocessing     -     -     -    -    -
        extend_term           -     -     -    AR   -
    """,
    Status.IN_WORK: """
        action                admin coord exec head cur
        route_to_executor     -     -     -    -    -
        reassign              -     IW    -    -    -
        redirect              -     -     -    -    -
        take_into_work        -     -     -    -    -
        reject                -     -     -    -    -
        return_to_routing     -     AR    AR   -    -
        save_draft            -     IW    IW   -    -
        submit_for_approval   -     OA    OA   -    -
        interim_answer        -     OA    OA   -    -
        approve               -     -     -    -    -
        return_for_revision   -     -     -    -    -
        stop_reprocessing     -     -     -    -    -
        extend_term           -     -     -    IW   -
    """,
    Status.ON_APPROVAL: """
        action                admin coord exec head cur
        route_to_executor     -     -     -    -    -
        reassign              -     -     -    -    -
        redirect              -     -     -    -    -
        take_into_work        -     -     -    -    -
        reject                -     -     -    -    -
        return_to_routing     -     -     -    -    -
        save_draft            -     -     -    -    -
        submit_for_approval   -     -     -    -    -
        interim_answer        -     -     -    -    -
        approve               -     -     -    AN   AN
        return_for_revision   -     -     -    RT   RT
        stop_reprocessing     -     -     -    -    -
        extend_term           -     -     -    OA   -
    """,
    Status.RETURNED: """
        action                admin coord exec head cur
        route_to_executor     -     -     -    -    -
        reassign              -     RT    -    -    -
        redirect              -     -     -    -    -
        take_into_work        -     -     -    -    -
        reject                -     -     -    -    -
        return_to_routing     -     -     -    -    -
        save_draft            -     RT    RT   -    -
        submit_for_approval   -     OA    OA   -    -
        interim_answer        -     OA    OA   -    -
        approve               -     -     -    -    -
        return_for_revision   -     -     -    -    -
        stop_reprocessing     -     -     -    -    -
        extend_term           -     -     -    RT   -
    """,
    Status.INTERIM_ANSWER: """
        action                admin coord exec head cur
        route_to_executor     -     -     -    -    -
        reassign              -     IA    -    -    -
        redirect              -     -     -    -    -
        take_into_work        -     -     -    -    -
        reject                -     -     -    -    -
        return_to_routing     -     -     -    -    -
        save_draft            -     IA    IA   -    -
        submit_for_approval   -     OA    OA   -    -
        interim_answer        -     -     -    -    -
        approve               -     -     -    -    -
        return_for_revision   -     -     -    -    -
        stop_reprocessing     -     -     -    -    -
        extend_term           -     -     -    IA   -
    """,
    Status.ANSWERED: """
        action                admin coord exec head cur
        route_to_executor     -     -     -    -    -
        reassign              -     -     -    -    -
        redirect              -     -     -    -    -
        take_into_work        -     -     -    -    -
        reject                -     -     -    -    -
        return_to_routing     -     -     -    -    -
        save_draft            -     -     -    -    -
        submit_for_approval   -     -     -    -    -
        interim_answer        -     -     -    -    -
        approve               -     -     -    -    -
        return_for_revision   -     -     -    -    -
        stop_reprocessing     -     -     -    -    -
        extend_term           -     -     -    -    -
    """,
    Status.REJECTED: """
        action                admin coord exec head cur
        route_to_executor     -     -     -    -    -
        reassign              -     -     -    -    -
        redirect              -     -     -    -    -
        take_into_work        -     -     -    -    -
        reject                -     -     -    -    -
        return_to_routing     -     -     -    -    -
        save_draft            -     -     -    -    -
        submit_for_approval   -     -     -    -    -
        interim_answer        -     -     -    -    -
        approve               -     -     -    -    -
        return_for_revision   -     -     -    -    -
        stop_reprocessing     -     -     -    -    -
        extend_term           -     -     -    -    -
    """,
    Status.REDIRECTED: """
        action                admin coord exec head cur
        route_to_executor     -     -     -    -    -
        reassign              -     -     -    -    -
        redirect              -     -     -    -    -
        take_into_work        -     -     -    -    -
        reject                -     -     -    -    -
        return_to_routing     -     -     -    -    -
        save_draft            -     -     -    -    -
        submit_for_approval   -     -     -    -    -
        interim_answer        -     -     -    -    -
        approve               -     -     -    -    -
        return_for_revision   -     -     -    -    -
        stop_reprocessing     -     -     -    -    -
        extend_term           -     -     -    -    -
    """,
    Status.REPROCESSING: """
        action                admin coord exec head cur
        route_to_executor     -     IW    -    -    -
        reassign              -     -     -    -    -
        redirect              -     RD    -    -    -
        take_into_work        -     IW    -    -    -
        reject                -     RJ    -    -    -
        return_to_routing     -     -     -    -    -
        save_draft            -     -     -    -    -
        submit_for_approval   -     -     -    -    -
        interim_answer        -     -     -    -    -
        approve               -     -     -    -    -
        return_for_revision   -     -     -    -    -
        stop_reprocessing     -     CL    -    -    -
        extend_term           -     -     -    -    -
    """,
    Status.CLOSED: """
        action                admin coord exec head cur
        route_to_executor     -     -     -    -    -
        reassign              -     -     -    -    -
        redirect              -     -     -    -    -
        take_into_work        -     -     -    -    -
        reject                -     -     -    -    -
        return_to_routing     -     -     -    -    -
        save_draft            -     -     -    -    -
        submit_for_approval   -     -     -    -    -
        interim_answer        -     -     -    -    -
        approve               -     -     -    -    -
        return_for_revision   -     -     -    -    -
        stop_reprocessing     -     -     -    -    -
        extend_term           -     -     -    -    -
    """,
}


def _parse_grids(grids: dict[Status, str]) -> dict[tuple[Status, Role, Action], Status | None]:
    """Turn the text grids into {(status, role, action): target or None}."""
    expected: dict[tuple[Status, Role, Action], Status | None] = {}
    for status, grid in grids.items():
        lines = [line.split() for line in grid.strip().splitlines()]
        header, rows = lines[0], lines[1:]
        assert header == ["action", "admin", "coord", "exec", "head", "cur"], status
        for row in rows:
            action = Action(row[0])
            assert len(row) == 1 + len(_COLUMNS), (status, row)
            for role, mark in zip(_COLUMNS, row[1:], strict=True):
                expected[(status, role, action)] = None if mark == "-" else _TARGETS[mark]
    return expected


EXPECTED = _parse_grids(_GRIDS)

ALL_CELLS = list(itertools.product(Status, Role, Action))


def test_expected_grid_covers_all_650_cells_once() -> None:
    assert len(ALL_CELLS) == 650  # 10 statuses × 5 roles × 13 actions
    assert set(EXPECTED) == set(ALL_CELLS)
    # each grid lists each action exactly once
    for status, grid in _GRIDS.items():
        actions = [line.split()[0] for line in grid.strip().splitlines()[1:]]
        assert sorted(actions) == sorted(a.value for a in Action), status


@pytest.mark.parametrize(
    ("status", "role", "action"), ALL_CELLS, ids=[f"{s}-{r}-{a}" for s, r, a in ALL_CELLS]
)
def test_cell(status: Status, role: Role, action: Action) -> None:
    assert cell(status, role, action) == EXPECTED[(status, role, action)]


def test_table_has_no_rule_that_allows_nobody() -> None:
    """A rule with an empty role set would be dead data hiding a mistake."""
    for key, rule in TABLE.items():
        assert rule.roles, key


@pytest.mark.parametrize("status", [Status.ANSWERED, Status.REJECTED, Status.REDIRECTED, Status.CLOSED])
def test_terminal_statuses_have_no_rules(status: Status) -> None:
    assert [action for (s, action) in TABLE if s is status] == []


def test_admin_appears_in_no_rule() -> None:
    assert all(Role.ADMIN not in rule.roles for rule in TABLE.values())
