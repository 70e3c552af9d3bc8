"""Every action for every role over real HTTP: allowed ones change the item, refused ones are 403 or 409."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from offline_cache.client import PlatformClient
from offline_cache.contract.models import Item
from offline_cache.domain.model import Action, Status
from offline_cache.errors import ConflictError, ForbiddenError, NotFoundError
from tests.world import World

USERS = ("c-coord", "c-exec1", "c-exec2", "c-head", "c-cur", "c-admin")


def routed(world: World) -> Item:
    item = world.inject()
    return world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})


def submitted(world: World) -> Item:
    item = routed(world)
    return world.client("c-exec1").act(item.id, Action.SUBMIT_FOR_APPROVAL, item.version, {"text": "Ответ"})


Prepare = Callable[[World], Item]

#: action → (how to prepare the item, valid payload, who may do it, resulting status).
#: Written out by hand from the regulations (KR 9-11), not derived from the code under test.
CASES: dict[Action, tuple[Prepare, dict[str, Any], set[str], Status]] = {
    Action.ROUTE_TO_EXECUTOR: (lambda w: w.inject(), {"executor_id": "c-exec2"}, {"c-coord"}, Status.IN_WORK),
    Action.TAKE_INTO_WORK: (lambda w: w.inject(), {}, {"c-coord"}, Status.IN_WORK),
    Action.REDIRECT: (lambda w: w.inject(), {"org_id": "v"}, {"c-coord"}, Status.REDIRECTED),
    Action.REJECT: (lambda w: w.inject(), {"ground_code": "no_location", "comment": "Не указан адрес"},
                    {"c-coord"}, Status.REJECTED),
    Action.REASSIGN: (routed, {"executor_id": "c-exec2"}, {"c-coord"}, Status.IN_WORK),
    Action.RETURN_TO_ROUTING: (routed, {"comment": "Не моя тема"}, {"c-exec1"}, Status.AWAITING_ROUTING),
    Action.SAVE_DRAFT: (routed, {"text": "Черновик"}, {"c-exec1"}, Status.IN_WORK),
    Action.SUBMIT_FOR_APPROVAL: (routed, {"text": "Ответ"}, {"c-exec1"}, Status.ON_APPROVAL),
    Action.INTERIM_ANSWER: (routed, {"text": "Сделаем весной", "planned_date": "2026-05-01"}, {"c-exec1"},
                            Status.ON_APPROVAL),
    # The city's chain is curator → head: at step 0 only the curator decides.
    Action.APPROVE: (submitted, {}, {"c-cur"}, Status.ON_APPROVAL),
    Action.RETURN_FOR_REVISION: (submitted, {"comment": "Дополните"}, {"c-cur"}, Status.RETURNED),
}


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("action", list(CASES))
def test_action_by_role(world: World, action: Action, user: str) -> None:
    prepare, payload, allowed, result = CASES[action]
    item = prepare(world)
    client: PlatformClient = world.client(user)
    if user in allowed:
        after = client.act(item.id, action, item.version, payload)
        assert (after.status, after.version) == (result, item.version + 1)
        assert after.history[-1].actor_id == user
        assert after.history[-1].action == action.value
        return
    # Executors see only what they were given; everyone else in the city sees the whole queue.
    visible = not user.startswith("c-exec") or item.assignee_id == user
    with pytest.raises(ForbiddenError if visible else NotFoundError) as caught:
        client.act(item.id, action, item.version, payload)
    assert caught.value.message  # a reason an official can read
    assert world.platform.store.get_item(item.id).version == item.version  # type: ignore[union-attr]


@pytest.mark.parametrize("action", [Action.APPROVE, Action.ROUTE_TO_EXECUTOR, Action.SAVE_DRAFT])
def test_action_in_the_wrong_status_is_a_conflict(world: World, action: Action) -> None:
    item = world.inject() if action is not Action.ROUTE_TO_EXECUTOR else submitted(world)
    user = {Action.APPROVE: "c-cur", Action.ROUTE_TO_EXECUTOR: "c-coord", Action.SAVE_DRAFT: "c-coord"}[action]
    with pytest.raises(ConflictError) as caught:
        world.client(user).act(item.id, action, item.version, CASES[action][1])
    assert caught.value.current is not None and caught.value.current.id == item.id


def test_the_head_approves_the_second_step_and_the_answer_goes_out(world: World) -> None:
    draft = submitted(world)
    item = world.client("c-cur").act(draft.id, Action.APPROVE, draft.version)
    assert (item.status, item.approval_step) == (Status.ON_APPROVAL, 1)
    with pytest.raises(ForbiddenError):
        world.client("c-cur").act(item.id, Action.APPROVE, item.version)
    answered = world.client("c-head").act(item.id, Action.APPROVE, item.version)
    assert answered.status is Status.ANSWERED and answered.answer is not None and answered.draft is None


def test_stopping_reprocessing_is_regional(world: World) -> None:
    draft = submitted(world)
    item = world.client("c-cur").act(draft.id, Action.APPROVE, draft.version)
    world.client("c-head").act(item.id, Action.APPROVE, item.version)
    world.platform.rate(item.id, 1)  # a low rating: the region processes it again
    region_items = [i for i in world.client("r-coord").feed().items if i.status is Status.REPROCESSING]
    assert len(region_items) == 1 and region_items[0].number == item.number
    again = region_items[0]
    with pytest.raises(NotFoundError):  # the city no longer sees the region's copy
        world.client("c-coord").act(again.id, Action.STOP_REPROCESSING, again.version, {"comment": "x"})
    with pytest.raises(ForbiddenError):
        world.client("r-head").act(again.id, Action.STOP_REPROCESSING, again.version, {"comment": "x"})
    stopped = world.client("r-coord").act(again.id, Action.STOP_REPROCESSING, again.version,
                                          {"comment": "Переписка потеряла суть"})
    assert stopped.status is Status.CLOSED


def test_the_regional_curator_sees_subordinate_queues_but_cannot_act(world: World) -> None:
    village = world.inject(org_id="v")
    city = world.inject(org_id="c")
    seen = {i.id for i in world.client("r-cur").feed().items}
    assert {village.id, city.id} <= seen
    with pytest.raises(ForbiddenError):
        world.client("r-cur").act(city.id, Action.TAKE_INTO_WORK, city.version)
    assert city.id not in {i.id for i in world.client("v-coord").feed().items}
