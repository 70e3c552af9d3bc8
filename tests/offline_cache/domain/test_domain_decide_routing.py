"""decide(): organisation and status checks, routing, redirect, rejection, re-processing, history."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from offline_cache.domain.model import Action, HistoryEntry, ItemState, Rejection, Status
from offline_cache.domain.staff import Actor
from offline_cache.domain.workflow import (
    MAX_COMMENT_LENGTH,
    DecisionContext,
    DomainError,
    Forbidden,
    InvalidPayload,
    NotApplicable,
    allowed_actions,
    decide,
    reprocessing_overseers,
)

UTC = ZoneInfo("UTC")

# The shapes of the conftest fixtures (conftest itself is not importable reliably).
ItemFactory = Callable[..., ItemState]
ActorFactory = Callable[..., Actor]


def _fails(
    exc: type[DomainError], item_status: Status, user: str, action: Action, payload: Mapping[str, object],
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext, **item_changes: object,
) -> DomainError:
    item = make_item(item_status, **item_changes)
    with pytest.raises(exc) as info:
        decide(item, actor_of(user), action, payload, ctx)
    return info.value


# --- organisation, role and status checks ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "user", "action", "payload"),
    [
        (Status.AWAITING_ROUTING, "rcoord", Action.TAKE_INTO_WORK, {}),
        (Status.AWAITING_ROUTING, "vcoord", Action.REJECT, {"ground_code": "spam", "comment": "спам"}),
        (Status.IN_WORK, "sexec", Action.SAVE_DRAFT, {"text": "ответ"}),
        (Status.ON_APPROVAL, "rhead", Action.APPROVE, {}),
    ],
)
def test_actor_from_another_organisation_is_forbidden(
    status: Status, user: str, action: Action, payload: dict[str, object],
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext,
) -> None:
    error = _fails(Forbidden, status, user, action, payload, make_item, actor_of, ctx,
                   assignee_id="exec1", approval_step=1)
    assert error.code == "forbidden"
    assert "организации" in error.message


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.IN_WORK, Action.ROUTE_TO_EXECUTOR),
        (Status.AWAITING_ROUTING, Action.STOP_REPROCESSING),
        (Status.AWAITING_ROUTING, Action.REASSIGN),
        (Status.INTERIM_ANSWER, Action.INTERIM_ANSWER),
        (Status.RETURNED, Action.RETURN_TO_ROUTING),
        (Status.ANSWERED, Action.REJECT),
        (Status.CLOSED, Action.TAKE_INTO_WORK),
        (Status.REDIRECTED, Action.REDIRECT),
        (Status.REJECTED, Action.ROUTE_TO_EXECUTOR),
    ],
)
def test_status_that_does_not_allow_action_is_not_applicable(
    status: Status, action: Action, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    error = _fails(NotApplicable, status, "coord", action, {}, make_item, actor_of, ctx)
    assert error.code == "not_applicable"


@pytest.mark.parametrize(
    ("user", "action", "payload"),
    [
        ("exec1", Action.TAKE_INTO_WORK, {}),
        ("head", Action.ROUTE_TO_EXECUTOR, {"executor_id": "exec1"}),
        ("admin", Action.REJECT, {"ground_code": "spam", "comment": "спам"}),
        ("cur", Action.REDIRECT, {"org_id": "region"}),
    ],
)
def test_role_without_the_right_is_forbidden(
    user: str, action: Action, payload: dict[str, object],
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext,
) -> None:
    error = _fails(Forbidden, Status.AWAITING_ROUTING, user, action, payload, make_item, actor_of, ctx)
    assert "роль" in error.message


# --- route, take, reassign ------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.AWAITING_ROUTING, Status.REPROCESSING])
def test_route_to_executor(
    status: Status, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(status, routing_due_at=ctx.now + timedelta(days=1))
    result = decide(item, actor_of("coord"), Action.ROUTE_TO_EXECUTOR,
                    {"executor_id": "exec2", "comment": "срочно"}, ctx)
    assert result.item.status is Status.IN_WORK
    assert result.item.assignee_id == "exec2"
    assert result.item.routing_due_at is None
    assert result.item.due_at == item.due_at
    assert result.spawned is None


def test_coordinator_may_be_made_executor(make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext) -> None:
    result = decide(make_item(Status.AWAITING_ROUTING), actor_of("coord"), Action.ROUTE_TO_EXECUTOR,
                    {"executor_id": "coord"}, ctx)
    assert result.item.assignee_id == "coord"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"executor_id": ""},
        {"executor_id": 42},
        {"executor_id": "nobody"},  # unknown executor
        {"executor_id": "rexec"},  # an executor of another organisation
        {"executor_id": "head"},  # staff without the executor or coordinator role
        {"executor_id": "admin"},
    ],
)
def test_route_rejects_bad_executor(
    payload: dict[str, object], make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    error = _fails(InvalidPayload, Status.AWAITING_ROUTING, "coord", Action.ROUTE_TO_EXECUTOR, payload,
                   make_item, actor_of, ctx)
    assert error.field == "executor_id"
    assert error.code == "invalid"


def test_route_rejects_too_long_comment(make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext) -> None:
    payload = {"executor_id": "exec1", "comment": "к" * (MAX_COMMENT_LENGTH + 1)}
    error = _fails(InvalidPayload, Status.AWAITING_ROUTING, "coord", Action.ROUTE_TO_EXECUTOR, payload,
                   make_item, actor_of, ctx)
    assert error.field == "comment"


@pytest.mark.parametrize("comment", [5, ["a"], "к" * (MAX_COMMENT_LENGTH + 1)])
def test_every_action_checks_its_comment(
    comment: object, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    """A comment lands in the history, so even actions that do not need one refuse a bad one."""
    error = _fails(InvalidPayload, Status.AWAITING_ROUTING, "coord", Action.TAKE_INTO_WORK, {"comment": comment},
                   make_item, actor_of, ctx)
    assert error.field == "comment"


def test_history_comment_is_trimmed(make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext) -> None:
    result = decide(make_item(Status.AWAITING_ROUTING), actor_of("coord"), Action.TAKE_INTO_WORK,
                    {"comment": "  беру себе  "}, ctx)
    assert result.item.history[-1].comment == "беру себе"


@pytest.mark.parametrize("status", [Status.AWAITING_ROUTING, Status.REPROCESSING])
def test_take_into_work_assigns_the_coordinator(
    status: Status, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(status, routing_due_at=ctx.now)
    result = decide(item, actor_of("coord"), Action.TAKE_INTO_WORK, {}, ctx)
    assert (result.item.status, result.item.assignee_id, result.item.routing_due_at) == (Status.IN_WORK, "coord", None)


@pytest.mark.parametrize("status", [Status.IN_WORK, Status.RETURNED, Status.INTERIM_ANSWER])
def test_reassign_keeps_status(
    status: Status, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(status, assignee_id="exec1")
    result = decide(item, actor_of("coord"), Action.REASSIGN, {"executor_id": "exec2"}, ctx)
    assert result.item.status is status
    assert result.item.assignee_id == "exec2"


@pytest.mark.parametrize("executor", ["exec1", "nobody", "rexec", "cur"])
def test_reassign_rejects_same_unknown_or_foreign_executor(
    executor: str, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    error = _fails(InvalidPayload, Status.IN_WORK, "coord", Action.REASSIGN, {"executor_id": executor},
                   make_item, actor_of, ctx, assignee_id="exec1")
    assert error.field == "executor_id"


def test_reassign_by_executor_is_forbidden(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    _fails(Forbidden, Status.IN_WORK, "exec1", Action.REASSIGN, {"executor_id": "exec2"},
           make_item, actor_of, ctx, assignee_id="exec1")


# --- redirect -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.AWAITING_ROUTING, Status.REPROCESSING])
def test_redirect_spawns_item_in_target_org(
    status: Status, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    # 12:00 Moscow on 10 March is 19:00 in Vladivostok: the 3-day term ends there at 00:00 on 14 March.
    item = make_item(status, routing_due_at=ctx.now + timedelta(hours=5))
    result = decide(item, actor_of("coord"), Action.REDIRECT, {"org_id": "vlad", "comment": "не наша территория"}, ctx)

    original = result.item
    assert original.status is Status.REDIRECTED
    assert original.redirected_to_org_id == "vlad"
    assert original.routing_due_at is None

    new = result.spawned
    assert new is not None
    assert new.id == "new-1"
    assert new.org_id == "vlad"
    assert new.status is Status.AWAITING_ROUTING
    assert new.version == 1
    assert new.number == item.number
    assert new.kind is item.kind
    assert new.category_code == item.category_code
    assert new.registered_at == item.registered_at
    assert new.received_at == ctx.now
    assert new.due_at == item.due_at  # the applicant's term runs from registration
    assert new.parent_id == item.id
    assert new.assignee_id is None
    assert new.routing_due_at == datetime(2025, 3, 14, 0, 0, tzinfo=ZoneInfo("Asia/Vladivostok"))
    assert new.routing_due_at == datetime(2025, 3, 13, 14, 0, tzinfo=UTC)
    assert [(h.action, h.from_status, h.to_status) for h in new.history] == [
        ("received", None, Status.AWAITING_ROUTING)
    ]
    assert "Город Сочи" in new.history[0].comment


def test_redirect_routing_term_is_counted_in_target_zone(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    # 22:00 Moscow is already the next day in Vladivostok, but not in Moscow.
    late = ctx.now.replace(hour=22)
    late_ctx = DecisionContext(late, ctx.orgs, ctx.staff, ctx.rejection_codes, "new-2")
    to_vlad = decide(make_item(Status.AWAITING_ROUTING), actor_of("coord", late), Action.REDIRECT,
                     {"org_id": "vlad"}, late_ctx).spawned
    to_region = decide(make_item(Status.AWAITING_ROUTING), actor_of("coord", late), Action.REDIRECT,
                       {"org_id": "region"}, late_ctx).spawned
    assert to_vlad is not None and to_region is not None
    assert to_vlad.routing_due_at == datetime(2025, 3, 15, 0, 0, tzinfo=ZoneInfo("Asia/Vladivostok"))
    assert to_region.routing_due_at == datetime(2025, 3, 14, 0, 0, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.mark.parametrize("payload", [{}, {"org_id": "muni"}, {"org_id": "atlantis"}, {"org_id": 7}])
def test_redirect_rejects_own_or_unknown_org(
    payload: dict[str, object], make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    error = _fails(InvalidPayload, Status.AWAITING_ROUTING, "coord", Action.REDIRECT, payload,
                   make_item, actor_of, ctx)
    assert error.field == "org_id"


def test_redirect_without_new_item_id_is_a_programming_error(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    bare = DecisionContext(ctx.now, ctx.orgs, ctx.staff, ctx.rejection_codes)
    with pytest.raises(ValueError, match="new_item_id"):
        decide(make_item(Status.AWAITING_ROUTING), actor_of("coord"), Action.REDIRECT, {"org_id": "region"}, bare)


# --- reject ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.AWAITING_ROUTING, Status.REPROCESSING])
def test_reject_records_ground_and_comment(
    status: Status, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(status, routing_due_at=ctx.now)
    result = decide(item, actor_of("coord"), Action.REJECT,
                    {"ground_code": "no_location", "comment": "  Укажите адрес.  "}, ctx)
    assert result.item.status is Status.REJECTED
    assert result.item.rejection == Rejection("no_location", "Укажите адрес.")
    assert result.item.routing_due_at is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"comment": "нет адреса"}, "ground_code"),
        ({"ground_code": "no_such_ground", "comment": "нет адреса"}, "ground_code"),
        ({"ground_code": 6, "comment": "нет адреса"}, "ground_code"),
        ({"ground_code": "no_location"}, "comment"),
        ({"ground_code": "no_location", "comment": ""}, "comment"),
        ({"ground_code": "no_location", "comment": "   \n "}, "comment"),
        ({"ground_code": "no_location", "comment": ["нет"]}, "comment"),
        ({"ground_code": "no_location", "comment": "x" * (MAX_COMMENT_LENGTH + 1)}, "comment"),
    ],
)
def test_reject_payload_errors(
    payload: dict[str, object], field: str, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    error = _fails(InvalidPayload, Status.AWAITING_ROUTING, "coord", Action.REJECT, payload, make_item, actor_of, ctx)
    assert error.field == field


def test_reject_comment_at_length_limit_is_accepted(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    payload = {"ground_code": "spam", "comment": "x" * MAX_COMMENT_LENGTH}
    result = decide(make_item(Status.AWAITING_ROUTING), actor_of("coord"), Action.REJECT, payload, ctx)
    assert result.item.rejection is not None and len(result.item.rejection.comment) == MAX_COMMENT_LENGTH


# --- return to routing ----------------------------------------------------------------------


@pytest.mark.parametrize("user", ["exec1", "coord"])
def test_return_to_routing_restarts_routing_term(
    user: str, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(Status.IN_WORK, assignee_id=user)
    result = decide(item, actor_of(user), Action.RETURN_TO_ROUTING, {"comment": "не мой профиль"}, ctx)
    assert result.item.status is Status.AWAITING_ROUTING
    assert result.item.assignee_id is None
    assert result.item.routing_due_at == datetime(2025, 3, 14, 0, 0, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.mark.parametrize("comment", [None, "", "  "])
def test_return_to_routing_needs_comment(
    comment: str | None, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    error = _fails(InvalidPayload, Status.IN_WORK, "exec1", Action.RETURN_TO_ROUTING, {"comment": comment},
                   make_item, actor_of, ctx, assignee_id="exec1")
    assert error.field == "comment"


def test_return_to_routing_by_non_assignee_is_forbidden(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    _fails(Forbidden, Status.IN_WORK, "exec2", Action.RETURN_TO_ROUTING, {"comment": "не моё"},
           make_item, actor_of, ctx, assignee_id="exec1")


# --- stop re-processing (REGIONAL) ----------------------------------------------------------


def test_regional_coordinator_stops_reprocessing(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(Status.REPROCESSING, org_id="region", routing_due_at=ctx.now + timedelta(days=2))
    result = decide(item, actor_of("rcoord"), Action.STOP_REPROCESSING, {"comment": "переписка утратила смысл"}, ctx)
    assert result.item.status is Status.CLOSED
    assert result.item.routing_due_at is None


@pytest.mark.parametrize(("org_id", "user"), [("muni", "coord"), ("settle", "scoord"), ("vlad", "vcoord")])
def test_non_regional_coordinator_cannot_stop_reprocessing(
    org_id: str, user: str, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(Status.REPROCESSING, org_id=org_id)
    with pytest.raises(Forbidden, match="региональный"):
        decide(item, actor_of(user), Action.STOP_REPROCESSING, {"comment": "переписка утратила смысл"}, ctx)


def test_stop_reprocessing_needs_comment(make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext) -> None:
    error = _fails(InvalidPayload, Status.REPROCESSING, "rcoord", Action.STOP_REPROCESSING, {"comment": " "},
                   make_item, actor_of, ctx, org_id="region")
    assert error.field == "comment"


def test_regional_executor_cannot_stop_reprocessing(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    _fails(Forbidden, Status.REPROCESSING, "rexec", Action.STOP_REPROCESSING, {"comment": "хватит"},
           make_item, actor_of, ctx, org_id="region")


@pytest.mark.parametrize("org_id", ["muni", "settle"])
def test_regional_coordinator_stops_reprocessing_anywhere_in_the_region(
    org_id: str, make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(Status.REPROCESSING, org_id=org_id)
    actor = actor_of("rcoord")
    assert Action.STOP_REPROCESSING in allowed_actions(item, actor, ctx.orgs)
    assert allowed_actions(item, actor, ctx.orgs) == [Action.STOP_REPROCESSING], "routing stays the city's"
    result = decide(item, actor, Action.STOP_REPROCESSING, {"comment": "переписка утратила смысл"}, ctx)
    assert result.item.status is Status.CLOSED


def test_regional_coordinator_cannot_stop_reprocessing_in_another_region(
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext
) -> None:
    item = make_item(Status.REPROCESSING, org_id="vlad")
    with pytest.raises(Forbidden, match="организации"):
        decide(item, actor_of("rcoord"), Action.STOP_REPROCESSING, {"comment": "переписка утратила смысл"}, ctx)


def test_reprocessing_overseers_are_the_regions_coordinators(ctx: DecisionContext) -> None:
    assert reprocessing_overseers("settle", ctx.orgs, ctx.staff) == {"rcoord"}
    assert reprocessing_overseers("muni", ctx.orgs, ctx.staff) == {"rcoord"}
    assert reprocessing_overseers("region", ctx.orgs, ctx.staff) == {"rcoord"}
    assert reprocessing_overseers("vlad", ctx.orgs, ctx.staff) == set(), "Primorye has no regional coordinator here"


# --- version and history --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "user", "action", "payload", "to_status", "comment"),
    [
        (Status.AWAITING_ROUTING, "coord", Action.ROUTE_TO_EXECUTOR, {"executor_id": "exec1", "comment": "в работу"},
         Status.IN_WORK, "в работу"),
        (Status.AWAITING_ROUTING, "coord", Action.TAKE_INTO_WORK, {}, Status.IN_WORK, ""),
        (Status.AWAITING_ROUTING, "coord", Action.REJECT, {"ground_code": "spam", "comment": "реклама"},
         Status.REJECTED, "реклама"),
        (Status.IN_WORK, "coord", Action.REASSIGN, {"executor_id": "exec2", "comment": "отпуск"},
         Status.IN_WORK, "отпуск"),
        (Status.IN_WORK, "exec1", Action.SAVE_DRAFT, {"text": "черновик"}, Status.IN_WORK, ""),
        (Status.IN_WORK, "exec1", Action.SUBMIT_FOR_APPROVAL, {"text": "ответ"}, Status.ON_APPROVAL, ""),
        (Status.IN_WORK, "exec1", Action.RETURN_TO_ROUTING, {"comment": "не мой профиль"},
         Status.AWAITING_ROUTING, "не мой профиль"),
    ],
)
def test_decide_bumps_version_and_appends_history(
    status: Status, user: str, action: Action, payload: dict[str, object], to_status: Status, comment: str,
    make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext,
) -> None:
    earlier = HistoryEntry(ctx.now - timedelta(days=1), None, "received", None, status)
    item = make_item(status, assignee_id="exec1", history=(earlier,))
    result = decide(item, actor_of(user), action, payload, ctx)
    assert result.item.version == item.version + 1
    assert result.item.history == (earlier, HistoryEntry(ctx.now, user, action.value, status, to_status, comment))
    assert item.version == 3 and item.history == (earlier,)  # the input is not mutated


def test_failed_decision_changes_nothing(make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext) -> None:
    item = make_item(Status.AWAITING_ROUTING)
    with pytest.raises(InvalidPayload):
        decide(item, actor_of("coord"), Action.REJECT, {"ground_code": "spam"}, ctx)
    assert item == make_item(Status.AWAITING_ROUTING)
