"""Every action × every role × every status where it applies, over real HTTP: 200, 403, 404 or 409."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from offline_cache.contract.models import Item
from offline_cache.domain.model import Action, ItemKind, Status
from offline_cache.errors import ConflictError, ForbiddenError, NotFoundError, PlatformError
from tests.training_platform.conftest import with_digest

if TYPE_CHECKING:
    from tests.training_platform.conftest import Driver

CYRILLIC = re.compile("[А-Яа-яЁё]")

#: The city's staff, plus two regional officials: the curator (sees the city's queue) and the
#: coordinator (sees the region's own queue, and re-processing items anywhere in the region).
USERS = ("c-coord", "c-exec1", "c-exec2", "c-head", "c-cur", "c-admin", "r-cur", "r-coord")

#: How to bring a city item into each status, through the API.
STATES: dict[str, Callable[[Driver], Item]] = {
    "awaiting_routing": lambda d: d.new(),
    "reprocessing": lambda d: d.reprocessing("v"),  # a settlement's answer rated low: the city re-processes
    "in_work": lambda d: d.in_work(),
    "returned": lambda d: d.returned(),
    "interim_answer": lambda d: d.interim_answer(),
    "on_approval_0": lambda d: d.on_approval(0),
    "on_approval_1": lambda d: d.on_approval(1),
    "answered": lambda d: d.answered(),
    "rejected": lambda d: d.rejected(),
    "redirected": lambda d: d.redirected(),
    "closed": lambda d: d.closed(),
    # 59-ФЗ appeals: the head may extend the term (once, appeals only; messages above have no extension)
    "appeal_awaiting_routing": lambda d: d.new(kind=ItemKind.APPEAL),
    "appeal_in_work": lambda d: d.act("c-coord", d.new(kind=ItemKind.APPEAL), Action.ROUTE_TO_EXECUTOR,
                                      {"executor_id": "c-exec1"}),
}

#: Statuses in which c-exec1 took part (assigned to them): only there do they see the item.
EXEC1_SEES = {"in_work", "returned", "interim_answer", "on_approval_0", "on_approval_1", "answered", "closed",
              "appeal_in_work"}

#: A valid payload for each action (so that a refusal is about roles and statuses, not data).
PAYLOADS: dict[Action, dict[str, Any]] = {
    Action.ROUTE_TO_EXECUTOR: {"executor_id": "c-exec2"},
    Action.REASSIGN: {"executor_id": "c-exec2"},
    Action.TAKE_INTO_WORK: {},
    Action.REDIRECT: {"org_id": "v", "comment": "По компетенции"},
    Action.REJECT: {"ground_code": "no_location", "comment": "Не указан адрес"},
    Action.RETURN_TO_ROUTING: {"comment": "Вопрос не моего отдела"},
    Action.SAVE_DRAFT: {"text": "Черновик ответа"},
    Action.SUBMIT_FOR_APPROVAL: {"text": "Ответ по существу"},
    Action.INTERIM_ANSWER: {"text": "Работы запланированы", "planned_date": "2026-06-01"},
    Action.APPROVE: {},
    Action.RETURN_FOR_REVISION: {"comment": "Уточните сроки"},
    Action.STOP_REPROCESSING: {"comment": "Переписка утратила смысл"},
    Action.EXTEND_TERM: {"days": 10, "comment": "Запрошены документы в управляющей компании"},
}

_ROUTING = {
    Action.ROUTE_TO_EXECUTOR: ({"c-coord"}, Status.IN_WORK),
    Action.TAKE_INTO_WORK: ({"c-coord"}, Status.IN_WORK),
    Action.REDIRECT: ({"c-coord"}, Status.REDIRECTED),
    Action.REJECT: ({"c-coord"}, Status.REJECTED),
}

#: state → action → (who of USERS may do it, the status it leads to). Written out by hand from
#: the regulations [KR 9-11, KR 3], not derived from the table under test. Actions missing for a
#: state do not apply there at all (409 for whoever sees the item).
EXPECTED: dict[str, dict[Action, tuple[set[str], Status]]] = {
    "awaiting_routing": _ROUTING,
    # Only a regional coordinator stops re-processing, in every organisation of the region [KR 3].
    "reprocessing": {**_ROUTING, Action.STOP_REPROCESSING: ({"r-coord"}, Status.CLOSED)},
    "in_work": {
        Action.REASSIGN: ({"c-coord"}, Status.IN_WORK),
        Action.SAVE_DRAFT: ({"c-exec1"}, Status.IN_WORK),
        Action.SUBMIT_FOR_APPROVAL: ({"c-exec1"}, Status.ON_APPROVAL),
        Action.INTERIM_ANSWER: ({"c-exec1"}, Status.ON_APPROVAL),
        Action.RETURN_TO_ROUTING: ({"c-exec1"}, Status.AWAITING_ROUTING),
    },
    "returned": {
        Action.REASSIGN: ({"c-coord"}, Status.RETURNED),
        Action.SAVE_DRAFT: ({"c-exec1"}, Status.RETURNED),
        Action.SUBMIT_FOR_APPROVAL: ({"c-exec1"}, Status.ON_APPROVAL),
        Action.INTERIM_ANSWER: ({"c-exec1"}, Status.ON_APPROVAL),
    },
    "interim_answer": {
        Action.REASSIGN: ({"c-coord"}, Status.INTERIM_ANSWER),
        Action.SAVE_DRAFT: ({"c-exec1"}, Status.INTERIM_ANSWER),
        Action.SUBMIT_FOR_APPROVAL: ({"c-exec1"}, Status.ON_APPROVAL),
    },
    # The city's chain is curator → head.
    "on_approval_0": {
        Action.APPROVE: ({"c-cur"}, Status.ON_APPROVAL),
        Action.RETURN_FOR_REVISION: ({"c-cur"}, Status.RETURNED),
    },
    "on_approval_1": {
        Action.APPROVE: ({"c-head"}, Status.ANSWERED),
        Action.RETURN_FOR_REVISION: ({"c-head"}, Status.RETURNED),
    },
    "appeal_awaiting_routing": {**_ROUTING, Action.EXTEND_TERM: ({"c-head"}, Status.AWAITING_ROUTING)},
    "appeal_in_work": {
        Action.REASSIGN: ({"c-coord"}, Status.IN_WORK),
        Action.SAVE_DRAFT: ({"c-exec1"}, Status.IN_WORK),
        Action.SUBMIT_FOR_APPROVAL: ({"c-exec1"}, Status.ON_APPROVAL),
        Action.INTERIM_ANSWER: ({"c-exec1"}, Status.ON_APPROVAL),
        Action.RETURN_TO_ROUTING: ({"c-exec1"}, Status.AWAITING_ROUTING),
        Action.EXTEND_TERM: ({"c-head"}, Status.IN_WORK),
    },
    "answered": {},
    "rejected": {},
    "redirected": {},
    "closed": {},
}

APPLICABLE = [(state, action) for state, actions in EXPECTED.items() for action in actions]


def sees(user: str, state: str) -> bool:
    """Whether ``user`` sees a city item in ``state`` (org-wide roles, curators above, participants,
    the region's coordinators for re-processing)."""
    if user in ("c-coord", "c-head", "c-cur", "c-admin", "r-cur"):
        return True
    if user == "r-coord":
        return state == "reprocessing"
    return user == "c-exec1" and state in EXEC1_SEES


def assert_readable(exc: PlatformError) -> None:
    assert CYRILLIC.search(exc.message), f"the refusal must be explained in Russian, got {exc.message!r}"


def assert_unchanged(drive: Driver, item: Item) -> None:
    now = drive.get(item)
    assert (now.status, now.version) == (item.status, item.version), f"a refused action changed the item: {now}"


def test_expected_table_covers_every_action() -> None:
    covered = {action for actions in EXPECTED.values() for action in actions}
    assert covered == set(Action), f"actions never exercised as applicable: {set(Action) - covered}"
    assert set(EXPECTED) == set(STATES)


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(("state", "action"), APPLICABLE, ids=[f"{s}-{a}" for s, a in APPLICABLE])
def test_applicable_action_by_role(shared_drive: Driver, state: str, action: Action, user: str) -> None:
    allowed, target = EXPECTED[state][action]
    # Refusals change nothing, so the refused users of one status share an item.
    item = STATES[state](shared_drive) if user in allowed else shared_drive.reuse(state, lambda: STATES[state](
        shared_drive))
    client = shared_drive.client(user)
    if user in allowed:
        after = client.act(item.id, action, item.version, with_digest(item, action, PAYLOADS[action]))
        assert after.status is target, f"{user} {action} in {state}: expected {target}, got {after.status}"
        assert after.version == item.version + 1, "an applied action raises the version by exactly one"
        assert (after.history[-1].actor_id, after.history[-1].action) == (user, action.value)
        assert (after.history[-1].from_status, after.history[-1].to_status) == (item.status, target)
        return
    expected_error = ForbiddenError if sees(user, state) else NotFoundError
    with pytest.raises(PlatformError) as caught:
        client.act(item.id, action, item.version, with_digest(item, action, PAYLOADS[action]))
    assert type(caught.value) is expected_error, (
        f"{user} {action} in {state}: expected {expected_error.__name__}, got {caught.value!r}")
    assert caught.value.status == (403 if expected_error is ForbiddenError else 404)
    assert_readable(caught.value)
    assert_unchanged(shared_drive, item)


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("state", list(STATES))
def test_action_not_applicable_in_status_is_a_conflict(shared_drive: Driver, state: str, user: str) -> None:
    """Whatever the role, an action the status does not allow at all is 409 with the current item."""
    item = shared_drive.reuse(state, lambda: STATES[state](shared_drive))
    client = shared_drive.client(user)
    for action in set(Action) - set(EXPECTED[state]):
        with pytest.raises(PlatformError) as caught:
            client.act(item.id, action, item.version, with_digest(item, action, PAYLOADS[action]))
        if not sees(user, state):
            assert isinstance(caught.value, NotFoundError), f"{user} must not see a {state} item: {caught.value!r}"
            continue
        assert isinstance(caught.value, ConflictError), f"{user} {action} in {state}: {caught.value!r}"
        assert caught.value.status == 409
        current = caught.value.current
        assert current is not None, "a 409 carries the item as the platform has it"
        assert (current.id, current.version, current.status) == (item.id, item.version, item.status)
        assert_readable(caught.value)
    assert_unchanged(shared_drive, item)


# --- who sees what ----------------------------------------------------------------------------


def test_executors_see_only_items_they_take_part_in(shared_drive: Driver) -> None:
    mine = shared_drive.in_work()
    unrouted = shared_drive.new()
    exec1_feed = shared_drive.feed_items("c-exec1")
    assert mine.id in exec1_feed, "the assignee sees the item in the feed"
    assert unrouted.id not in exec1_feed, "an executor does not see the coordinator's queue"
    assert mine.id not in shared_drive.feed_items("c-exec2"), "another executor does not see it"
    with pytest.raises(NotFoundError) as caught:
        shared_drive.client("c-exec2").message(mine.id)
    assert_readable(caught.value)
    with pytest.raises(NotFoundError):
        shared_drive.act("c-exec2", mine, Action.SAVE_DRAFT, {"text": "Чужой черновик"})
    coordinator_feed = shared_drive.feed_items("c-coord")
    assert {mine.id, unrouted.id} <= set(coordinator_feed), "the coordinator sees the whole city queue"


def test_reassigned_item_appears_for_the_new_executor(shared_drive: Driver) -> None:
    item = shared_drive.act("c-coord", shared_drive.in_work(), Action.REASSIGN, {"executor_id": "c-exec2"})
    assert item.assignee_id == "c-exec2"
    assert item.id in shared_drive.feed_items("c-exec2"), "the new assignee sees the item"
    after = shared_drive.act("c-exec2", item, Action.SAVE_DRAFT, {"text": "Берусь"})
    assert after.draft is not None and after.draft.author_id == "c-exec2"
    with pytest.raises(ForbiddenError):  # the former assignee still sees it, but may no longer work on it
        shared_drive.act("c-exec1", after, Action.SAVE_DRAFT, {"text": "Моя версия"})


def test_regional_curator_sees_city_and_settlement_but_acts_on_neither(shared_drive: Driver) -> None:
    city, village = shared_drive.new("c"), shared_drive.new("v")
    draft = shared_drive.on_approval(0)
    feed = shared_drive.feed_items("r-cur")
    assert {city.id, village.id, draft.id} <= set(feed), "a curator sees the queues of subordinate organisations"
    for item, action in ((city, Action.TAKE_INTO_WORK), (village, Action.ROUTE_TO_EXECUTOR),
                         (draft, Action.APPROVE), (draft, Action.RETURN_FOR_REVISION)):
        with pytest.raises(ForbiddenError) as caught:  # a curator step in the city's chain is the city's curator
            shared_drive.act("r-cur", item, action, PAYLOADS[action] | {"executor_id": "v-coord"}
                             if action is Action.ROUTE_TO_EXECUTOR else PAYLOADS[action])
        assert_readable(caught.value)
    assert_unchanged(shared_drive, draft)
    with pytest.raises(NotFoundError):  # a coordinator is not a curator: the region's queue only
        shared_drive.client("r-coord").message(city.id)


def test_city_curator_sees_settlement_but_not_region(shared_drive: Driver) -> None:
    village, region = shared_drive.new("v"), shared_drive.new("r")
    feed = shared_drive.feed_items("c-cur")
    assert village.id in feed and region.id not in feed, "curators look down the hierarchy, not up"
    assert village.id not in shared_drive.feed_items("c-coord"), "a city coordinator sees only the city"


def test_stop_reprocessing_only_by_regional_coordinator(shared_drive: Driver) -> None:
    in_city = shared_drive.reprocessing("v")  # a settlement answer rated low → the city
    assert (in_city.org_id, in_city.status) == ("c", Status.REPROCESSING)
    with pytest.raises(ForbiddenError) as caught:
        shared_drive.act("c-coord", in_city, Action.STOP_REPROCESSING, PAYLOADS[Action.STOP_REPROCESSING])
    assert_readable(caught.value)
    assert_unchanged(shared_drive, in_city)

    in_region = shared_drive.reprocessing("c")  # a city answer rated low → the region
    assert (in_region.org_id, in_region.status) == ("r", Status.REPROCESSING)
    for user in ("r-head", "r-cur"):
        with pytest.raises(ForbiddenError):
            shared_drive.act(user, in_region, Action.STOP_REPROCESSING, PAYLOADS[Action.STOP_REPROCESSING])
    with pytest.raises(NotFoundError):  # the city does not see the region's copy
        shared_drive.act("c-coord", in_region, Action.STOP_REPROCESSING, PAYLOADS[Action.STOP_REPROCESSING])
    stopped = shared_drive.act("r-coord", in_region, Action.STOP_REPROCESSING, PAYLOADS[Action.STOP_REPROCESSING])
    assert (stopped.status, stopped.version) == (Status.CLOSED, in_region.version + 1)
    assert stopped.routing_due_at is None, "a closed item has no routing deadline left"
    assert stopped.history[-1].comment == PAYLOADS[Action.STOP_REPROCESSING]["comment"]


def test_coordinator_takes_into_own_work_and_answers(shared_drive: Driver) -> None:
    item = shared_drive.act("c-coord", shared_drive.new(), Action.TAKE_INTO_WORK)
    assert (item.status, item.assignee_id, item.routing_due_at) == (Status.IN_WORK, "c-coord", None)
    submitted = shared_drive.act("c-coord", item, Action.SUBMIT_FOR_APPROVAL, {"text": "Сам отвечу"})
    assert (submitted.status, submitted.approval_step) == (Status.ON_APPROVAL, 0)
    with pytest.raises(ForbiddenError):  # the coordinator is a worker here, not an approver
        shared_drive.act("c-coord", submitted, Action.APPROVE)


def test_admin_only_administers(shared_drive: Driver) -> None:
    """The ЛКО administrator manages staff and settings; items are not theirs to work on."""
    item = shared_drive.new()
    for action in (Action.TAKE_INTO_WORK, Action.ROUTE_TO_EXECUTOR, Action.REJECT):
        with pytest.raises(ForbiddenError):
            shared_drive.act("c-admin", item, action, PAYLOADS[action])
    assert_unchanged(shared_drive, item)
