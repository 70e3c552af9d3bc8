"""End to end over loopback HTTP: a message arrives, is routed, answered, approved through the chain and rated."""

from __future__ import annotations

from offline_cache.domain.model import Action, Status
from offline_cache.domain.workflow import draft_digest
from tests.world import World


def test_message_travels_the_whole_flow(world: World) -> None:
    item = world.inject(text="Не горит фонарь у подъезда, во дворе совсем темно")
    coordinator = world.client("c-coord")
    assert [i.id for i in coordinator.feed().items] == [item.id]

    routed = coordinator.act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
    assert (routed.status, routed.assignee_id, routed.routing_due_at) == (Status.IN_WORK, "c-exec1", None)

    executor = world.client("c-exec1")
    submitted = executor.act(item.id, Action.SUBMIT_FOR_APPROVAL, routed.version, {"text": "Фонарь заменён."})
    assert (submitted.status, submitted.approval_step) == (Status.ON_APPROVAL, 0)

    seen = {"draft_digest": draft_digest(submitted.draft)}
    curated = world.client("c-cur").act(item.id, Action.APPROVE, submitted.version, seen)
    assert (curated.status, curated.approval_step) == (Status.ON_APPROVAL, 1)
    answered = world.client("c-head").act(item.id, Action.APPROVE, curated.version, seen)
    assert answered.status is Status.ANSWERED
    assert answered.answer is not None and answered.answer.text == "Фонарь заменён."
    assert [h.to_status for h in answered.history] == [
        Status.AWAITING_ROUTING, Status.IN_WORK, Status.ON_APPROVAL, Status.ON_APPROVAL, Status.ANSWERED]

    closed = world.platform.rate(item.id, 5)
    assert (closed.status, closed.rating) == (Status.CLOSED, 5)
    latest = {i.id: i for i in coordinator.feed().items}
    assert latest[item.id].status is Status.CLOSED
