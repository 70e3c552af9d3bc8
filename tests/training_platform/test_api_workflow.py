"""Workflows over real HTTP: approval, redirect, rating, stale versions, idempotency, deputies, files, deadlines."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from offline_cache.client import PlatformClient
from offline_cache.contract.models import MAX_ATTACHMENT_BYTES, MAX_JSON_BODY, AbsenceIn, Item
from offline_cache.domain.model import Action, DraftKind, ItemKind, Status
from offline_cache.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError, PayloadTooLargeError
from tests.world import World

if TYPE_CHECKING:
    from tests.training_platform.conftest import Driver

YEKT = ZoneInfo("Asia/Yekaterinburg")
MSK = ZoneInfo("Europe/Moscow")


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """00:00 of ``day`` in ``zone``, as UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def history_len(world: World, item: Item) -> int:
    stored = world.platform.store.get_item(item.id)
    assert stored is not None
    return len(stored.history)


# --- the approval chain: curator → head --------------------------------------------------------


def test_chain_curator_then_head_sends_the_answer(shared_drive: Driver) -> None:
    draft = shared_drive.on_approval(0)
    assert (draft.status, draft.approval_step) == (Status.ON_APPROVAL, 0)
    with pytest.raises(ForbiddenError):  # step 0 is the curator's
        shared_drive.act("c-head", draft, Action.APPROVE)
    step1 = shared_drive.act("c-cur", draft, Action.APPROVE)
    assert (step1.status, step1.approval_step) == (Status.ON_APPROVAL, 1), "the curator passes it on to the head"
    assert step1.answer is None and step1.draft is not None, "nothing is sent before the head approves"
    with pytest.raises(ForbiddenError):  # the curator cannot approve twice
        shared_drive.act("c-cur", step1, Action.APPROVE)
    answered = shared_drive.act("c-head", step1, Action.APPROVE)
    assert (answered.status, answered.approval_step, answered.draft) == (Status.ANSWERED, None, None)
    assert answered.answer is not None and answered.answer.text == draft.draft.text  # type: ignore[union-attr]
    assert answered.version == draft.version + 2


@pytest.mark.parametrize("payload", [{}, {"comment": ""}, {"comment": "   "}], ids=["missing", "empty", "blank"])
def test_return_for_revision_needs_a_comment(shared_drive: Driver, payload: dict[str, Any]) -> None:
    draft = shared_drive.on_approval(0)
    with pytest.raises(InvalidError) as caught:
        shared_drive.act("c-cur", draft, Action.RETURN_FOR_REVISION, payload)
    assert (caught.value.status, caught.value.field) == (422, "comment"), caught.value.message
    assert shared_drive.get(draft).version == draft.version


def test_head_returns_and_the_chain_starts_over(shared_drive: Driver) -> None:
    step1 = shared_drive.on_approval(1)
    back = shared_drive.act("c-head", step1, Action.RETURN_FOR_REVISION, {"comment": "Нет сроков работ"})
    assert (back.status, back.approval_step) == (Status.RETURNED, None)
    assert back.history[-1].comment == "Нет сроков работ", "the head's comment reaches the executor"
    assert back.draft is not None, "the executor keeps the draft to revise"
    again = shared_drive.act("c-exec1", back, Action.SUBMIT_FOR_APPROVAL, {"text": "Работы завершатся 1 апреля"})
    assert (again.status, again.approval_step) == (Status.ON_APPROVAL, 0), "a revised draft goes through the chain"


def test_interim_answer_then_the_final_one(shared_drive: Driver) -> None:
    interim = shared_drive.interim()
    assert (interim.status, interim.approval_step) == (Status.ON_APPROVAL, 0)
    assert interim.draft is not None and interim.draft.kind is DraftKind.INTERIM
    item = shared_drive.act("c-head", shared_drive.act("c-cur", interim, Action.APPROVE), Action.APPROVE)
    assert item.status is Status.INTERIM_ANSWER
    assert item.interim_answer is not None and item.interim_answer.planned_date == date(2026, 5, 15)
    assert item.draft is None and item.answer is None
    # Control: the end of the promised day in the city's own time zone.
    assert item.control_due_at == local_midnight(date(2026, 5, 16), YEKT), item.control_due_at
    final = shared_drive.act("c-exec1", item, Action.SUBMIT_FOR_APPROVAL, {"text": "Ремонт выполнен"})
    assert (final.status, final.approval_step) == (Status.ON_APPROVAL, 0)
    done = shared_drive.act("c-head", shared_drive.act("c-cur", final, Action.APPROVE), Action.APPROVE)
    assert done.status is Status.ANSWERED
    assert done.answer is not None and (done.answer.text, done.answer.kind) == ("Ремонт выполнен", DraftKind.FINAL)
    assert done.interim_answer is not None, "the interim answer stays in the record"


@pytest.mark.parametrize("planned", [None, "вчера", "2026-03-10", "2026-03-01", "2027-06-01"])
def test_interim_answer_needs_a_future_planned_date(shared_drive: Driver, planned: str | None) -> None:
    payload: dict[str, Any] = {"text": "Сделаем"} | ({"planned_date": planned} if planned else {})
    with pytest.raises(InvalidError) as caught:
        shared_drive.act("c-exec1", shared_drive.in_work(), Action.INTERIM_ANSWER, payload)
    assert caught.value.field == "planned_date", caught.value.message


def test_submit_uses_the_saved_draft_and_refuses_an_empty_one(shared_drive: Driver) -> None:
    item = shared_drive.in_work()
    with pytest.raises(InvalidError) as caught:
        shared_drive.act("c-exec1", item, Action.SUBMIT_FOR_APPROVAL)
    assert caught.value.field == "text"
    saved = shared_drive.act("c-exec1", item, Action.SAVE_DRAFT, {"text": "Сохранённый текст"})
    sent = shared_drive.act("c-exec1", saved, Action.SUBMIT_FOR_APPROVAL)
    assert sent.draft is not None and sent.draft.text == "Сохранённый текст"


def test_return_to_routing_restarts_the_coordinators_term(shared_drive: Driver) -> None:
    item = shared_drive.in_work()
    back = shared_drive.act("c-exec1", item, Action.RETURN_TO_ROUTING, {"comment": "Не мой участок"})
    assert (back.status, back.assignee_id) == (Status.AWAITING_ROUTING, None)
    received = back.history[-1].at.astimezone(YEKT).date()
    assert back.routing_due_at == local_midnight(received + timedelta(days=4), YEKT)
    assert back.due_at == item.due_at, "internal routing does not move the applicant's deadline"


@pytest.mark.parametrize(("payload", "field"), [
    ({"ground_code": "no_such_ground", "comment": "Причина"}, "ground_code"),
    ({"ground_code": "spam", "comment": "  "}, "comment"),
    ({"ground_code": "spam"}, "comment"),
])
def test_reject_needs_a_ground_and_an_explanation(shared_drive: Driver, payload: dict[str, Any], field: str) -> None:
    item = shared_drive.new()
    with pytest.raises(InvalidError) as caught:
        shared_drive.act("c-coord", item, Action.REJECT, payload)
    assert caught.value.field == field, caught.value.message
    rejected = shared_drive.act("c-coord", item, Action.REJECT, {"ground_code": "spam", "comment": "Реклама"})
    assert rejected.rejection is not None and (rejected.rejection.ground_code, rejected.rejection.comment) == (
        "spam", "Реклама"), "the applicant is told the ground and the reason"
    assert (rejected.status, rejected.routing_due_at) == (Status.REJECTED, None)


# --- redirect ----------------------------------------------------------------------------------


def test_redirect_to_the_settlement(shared_drive: Driver) -> None:
    item = shared_drive.new("c", category="light")
    moved = shared_drive.act("c-coord", item, Action.REDIRECT, {"org_id": "v", "comment": "Их участок"})
    assert (moved.status, moved.redirected_to_org_id, moved.routing_due_at) == (Status.REDIRECTED, "v", None)
    new = shared_drive.spawned_from(moved, "v-coord")
    assert (new.org_id, new.status, new.version) == ("v", Status.AWAITING_ROUTING, 1)
    assert (new.number, new.due_at, new.kind, new.text) == (item.number, item.due_at, item.kind, item.text), \
        "the same message keeps the applicant's deadline"
    assert new.routing_due_at is not None and new.routing_due_at >= item.routing_due_at  # type: ignore[operator]
    assert new.received_at > item.received_at and new.registered_at == item.registered_at
    with pytest.raises(NotFoundError):  # the city's coordinator no longer sees the settlement's copy
        shared_drive.client("c-coord").message(new.id)
    routed = shared_drive.act("v-coord", new, Action.TAKE_INTO_WORK)
    assert routed.status is Status.IN_WORK


@pytest.mark.parametrize("org_id", ["c", "nowhere"])
def test_redirect_needs_another_connected_organisation(shared_drive: Driver, org_id: str) -> None:
    item = shared_drive.new()
    with pytest.raises(InvalidError) as caught:
        shared_drive.act("c-coord", item, Action.REDIRECT, {"org_id": org_id})
    assert caught.value.field == "org_id", caught.value.message
    assert shared_drive.get(item).status is Status.AWAITING_ROUTING


# --- rating and re-processing --------------------------------------------------------------------


@pytest.mark.parametrize("score", [3, 4, 5])
def test_good_rating_closes(shared_drive: Driver, score: int) -> None:
    answered = shared_drive.answered()
    closed = shared_drive.rate(answered, score)
    assert (closed.status, closed.rating, closed.version) == (Status.CLOSED, score, answered.version + 1)
    assert not [i for i in shared_drive.feed_items("r-coord").values() if i.parent_id == answered.id]
    with pytest.raises(ConflictError):  # rated once
        shared_drive.rate(closed, 1)


@pytest.mark.parametrize("score", [1, 2])
def test_low_rating_reopens_in_the_region(shared_drive: Driver, score: int) -> None:
    answered = shared_drive.answered("c")
    closed = shared_drive.rate(answered, score)
    assert (closed.status, closed.rating) == (Status.CLOSED, score)
    again = shared_drive.spawned_from(answered, "r-coord")
    assert (again.org_id, again.status, again.number, again.version) == ("r", Status.REPROCESSING,
                                                                         answered.number, 1)
    rated_day = again.received_at.astimezone(MSK).date()
    assert again.due_at == local_midnight(rated_day + timedelta(days=31), MSK), "a new 30-day term"
    assert again.routing_due_at == local_midnight(rated_day + timedelta(days=4), MSK), "a new 3-day routing term"
    assert again.answer is None and again.assignee_id is None and again.rating is None
    routed = shared_drive.act("r-coord", again, Action.ROUTE_TO_EXECUTOR, {"executor_id": "r-exec"})
    assert (routed.status, routed.assignee_id) == (Status.IN_WORK, "r-exec")
    assert routed.id in shared_drive.feed_items("r-exec")


def test_region_stops_reprocessing_with_a_comment(shared_drive: Driver) -> None:
    again = shared_drive.reprocessing("c")
    with pytest.raises(InvalidError) as caught:
        shared_drive.act("r-coord", again, Action.STOP_REPROCESSING, {"comment": " "})
    assert caught.value.field == "comment"
    stopped = shared_drive.act("r-coord", again, Action.STOP_REPROCESSING, {"comment": "Нарушены правила"})
    assert stopped.status is Status.CLOSED


def test_settlement_answer_rated_low_goes_to_the_city(shared_drive: Driver) -> None:
    again = shared_drive.reprocessing("v")
    assert (again.org_id, again.status) == ("c", Status.REPROCESSING)
    routed = shared_drive.act("c-coord", again, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
    assert routed.status is Status.IN_WORK


def test_region_answer_rated_low_stays_in_the_region(shared_drive: Driver) -> None:
    again = shared_drive.reprocessing("r")
    assert (again.org_id, again.status) == ("r", Status.REPROCESSING)


def test_rating_an_unanswered_item_is_a_conflict(shared_drive: Driver) -> None:
    item = shared_drive.in_work()
    with pytest.raises(ConflictError):
        shared_drive.rate(item, 1)
    assert shared_drive.get(item).status is Status.IN_WORK


# --- stale versions ------------------------------------------------------------------------------


def test_second_action_from_the_same_base_is_a_conflict(shared_world: World) -> None:
    first, second = shared_world.client("c-coord"), shared_world.client("c-coord")  # two workstations
    item = shared_world.inject()
    routed = first.act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
    with pytest.raises(ConflictError) as caught:
        second.act(item.id, Action.TAKE_INTO_WORK, item.version)
    current = caught.value.current
    assert current is not None and current.version == routed.version == item.version + 1
    assert (current.status, current.assignee_id) == (Status.IN_WORK, "c-exec1")


def test_concurrent_workstations_one_wins(shared_world: World) -> None:
    """Six coordinator sessions take the same item at once: one succeeds, the rest get 409."""
    clients = [shared_world.client("c-coord") for _ in range(6)]
    item = shared_world.inject()
    results: list[Item | Exception] = []

    def take(client: PlatformClient) -> None:
        try:
            results.append(client.act(item.id, Action.TAKE_INTO_WORK, item.version))
        except Exception as exc:  # collected and checked below
            results.append(exc)

    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(take, clients))
    won = [r for r in results if isinstance(r, Item)]
    lost = [r for r in results if isinstance(r, ConflictError)]
    assert (len(won), len(lost)) == (1, len(clients) - 1), results
    assert all(e.current is not None and e.current.version == won[0].version for e in lost)
    assert history_len(shared_world, item) == 2, "applied once"


def test_stale_base_that_still_applies_is_applied(shared_drive: Driver, shared_world: World) -> None:
    """A stale base_version alone is not a conflict: the platform decides again on the current item.

    If the action still applies to the current state (same status, rights, valid payload), it is
    applied on top of the newer version; so of two drafts saved from one base, the last one wins.
    Only when it no longer applies is the answer 409 (see the next tests).
    """
    item = shared_drive.in_work()
    laptop = shared_world.client("c-exec1")
    newer = shared_drive.act("c-exec1", item, Action.SAVE_DRAFT, {"text": "Вариант с рабочего места"})
    applied = laptop.act(item.id, Action.SAVE_DRAFT, item.version, {"text": "Вариант с ноутбука"})
    assert applied.version == newer.version + 1, "applied on top of the current version"
    assert applied.draft is not None and applied.draft.text == "Вариант с ноутбука"


def test_stale_base_refused_by_rights_is_a_conflict_not_forbidden(shared_drive: Driver) -> None:
    item = shared_drive.in_work()
    moved = shared_drive.act("c-coord", item, Action.REASSIGN, {"executor_id": "c-exec2"})
    with pytest.raises(ConflictError) as caught:  # the desk must refresh, not tell the official "forbidden"
        shared_drive.act("c-exec1", item, Action.SAVE_DRAFT, {"text": "Мой черновик"})
    assert caught.value.current is not None and caught.value.current.assignee_id == "c-exec2"
    with pytest.raises(ForbiddenError):  # from the current version the same action is a plain 403
        shared_drive.act("c-exec1", moved, Action.SAVE_DRAFT, {"text": "Мой черновик"})


def test_stale_base_with_invalid_payload_is_a_conflict(shared_drive: Driver) -> None:
    item = shared_drive.in_work()
    shared_drive.act("c-exec1", item, Action.SAVE_DRAFT, {"text": "Новее"})
    with pytest.raises(ConflictError):
        shared_drive.act("c-exec1", item, Action.SUBMIT_FOR_APPROVAL, {"text": ""})


def test_base_version_from_the_future_is_invalid(shared_drive: Driver) -> None:
    item = shared_drive.new()
    with pytest.raises(InvalidError) as caught:
        shared_drive.client("c-coord").act(item.id, Action.TAKE_INTO_WORK, item.version + 1)
    assert caught.value.field == "base_version"


# --- idempotency -----------------------------------------------------------------------------------


def test_replay_returns_the_first_result_and_applies_once(shared_drive: Driver, shared_world: World) -> None:
    item, key = shared_drive.new(), str(uuid.uuid4())
    coord = shared_drive.client("c-coord")
    payload = {"executor_id": "c-exec1"}
    first = coord.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, payload, idempotency_key=key)
    second = coord.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, payload, idempotency_key=key)
    assert second == first, "a replay returns the recorded result"
    assert first.version == 2 and history_len(shared_world, item) == 2, "applied once: received + routed"
    shared_drive.act("c-exec1", first, Action.SAVE_DRAFT, {"text": "Дальше"})
    late = coord.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, payload, idempotency_key=key)
    assert late == first, "even after later changes, the replay is the first result, not the current item"


#: How a second request under the same key differs from the first (each would be valid on its own).
CHANGES: dict[str, dict[str, Any]] = {
    "payload": {"payload": {"executor_id": "c-exec2"}},
    "base_version": {"base_version": 2},
    "action": {"action": Action.TAKE_INTO_WORK, "payload": {}},
    "item": {"item_id": "other"},
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_same_key_with_another_request_is_refused(shared_drive: Driver, change: str) -> None:
    item, other, key = shared_drive.new(), shared_drive.new(), str(uuid.uuid4())
    coord = shared_drive.client("c-coord")
    coord.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"}, idempotency_key=key)
    args: dict[str, Any] = {"item_id": item.id, "action": Action.ROUTE_TO_EXECUTOR, "base_version": 1,
                            "payload": {"executor_id": "c-exec1"}}
    args |= CHANGES[change]
    if change == "item":
        args["item_id"] = other.id
    with pytest.raises(InvalidError) as caught:
        coord.act(**args, idempotency_key=key)
    assert (caught.value.status, caught.value.code) == (422, "idempotency_mismatch"), caught.value.message
    assert shared_drive.get(other).version == 1, "nothing applied under a reused key"


def test_concurrent_retries_under_one_key_apply_once(shared_world: World) -> None:
    clients = [shared_world.client("c-coord") for _ in range(4)]
    item, key = shared_world.inject(), str(uuid.uuid4())
    with ThreadPoolExecutor(len(clients)) as pool:
        results = list(pool.map(lambda c: c.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"},
                                                idempotency_key=key), clients))
    assert all(r == results[0] for r in results), "every retry gets the one recorded result"
    assert history_len(shared_world, item) == 2, "applied once"


def test_a_refusal_is_replayed_too(shared_drive: Driver) -> None:
    """A key that got a 403 keeps it, even when a fresh request would now be allowed."""
    item, key = shared_drive.in_work(), str(uuid.uuid4())
    coord = shared_drive.client("c-coord")
    draft = {"text": "Черновик координатора"}
    with pytest.raises(ForbiddenError) as first:  # c-exec1 is the assignee
        coord.act(item.id, Action.SAVE_DRAFT, item.version, draft, idempotency_key=key)
    shared_drive.act("c-coord", item, Action.REASSIGN, {"executor_id": "c-coord"})
    with pytest.raises(ForbiddenError) as replayed:
        coord.act(item.id, Action.SAVE_DRAFT, item.version, draft, idempotency_key=key)
    assert replayed.value.message == first.value.message
    fresh = coord.act(item.id, Action.SAVE_DRAFT, item.version, draft)  # a new key: decided anew (stale, applies)
    assert fresh.draft is not None and fresh.draft.author_id == "c-coord"


def test_keys_belong_to_their_user(shared_drive: Driver) -> None:
    item, key = shared_drive.new(), str(uuid.uuid4())
    routed = shared_drive.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"},
                                                idempotency_key=key)
    saved = shared_drive.client("c-exec1").act(item.id, Action.SAVE_DRAFT, routed.version, {"text": "Текст"},
                                               idempotency_key=key)
    assert saved.version == routed.version + 1, "another user's identical key is a different request"


def test_action_without_idempotency_key_is_refused(shared_drive: Driver, shared_world: World) -> None:
    item = shared_drive.new()
    token = shared_drive.client("c-coord").tokens
    assert token is not None
    response = httpx.post(f"{shared_world.url}/api/v1/messages/{item.id}/actions",
                          json={"action": "take_into_work", "base_version": 1},
                          headers={"Authorization": f"Bearer {token.access_token}"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "Idempotency-Key"
    assert shared_drive.get(item).version == 1


# --- deputies --------------------------------------------------------------------------------------


def cover(world: World, hours: float = 2) -> AbsenceIn:
    """An absence that started an hour ago and lasts ``hours`` more."""
    now = world.clock.now()
    return AbsenceIn(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=hours), reason="болезнь")


def test_deputy_works_on_absent_colleagues_items_until_they_return(drive: Driver, world: World) -> None:
    before = drive.in_work(executor="c-exec3")
    later_one = drive.in_work(executor="c-exec3")
    assert before.id not in drive.feed_items("c-exec2"), "not before the deputy is named"  # the cursor moves on
    staff = drive.client("c-admin").set_deputy("c-exec3", "c-exec2", cover(world))
    assert (staff.deputy_id, staff.absence is not None) == ("c-exec2", True)
    during = drive.in_work(executor="c-exec3")  # assigned while the deputy covers
    feed = drive.feed_items("c-exec2")
    assert {before.id, later_one.id, during.id} <= set(feed), \
        "the deputy's next sync brings the absent colleague's items, including those assigned earlier"
    me = drive.client("c-exec2").me()
    assert me.deputising_for == ["c-exec3"], me
    saved = drive.act("c-exec2", before, Action.SAVE_DRAFT, {"text": "За коллегу"})
    sent = drive.act("c-exec2", saved, Action.SUBMIT_FOR_APPROVAL)
    assert (sent.status, sent.history[-1].actor_id) == (Status.ON_APPROVAL, "c-exec2")
    assert drive.act("c-exec2", during, Action.SAVE_DRAFT, {"text": "Тоже"}).draft is not None

    world.clock.advance(3 * 3600)  # c-exec3 is back
    assert drive.client("c-exec2").me().deputising_for == []
    with pytest.raises(ForbiddenError):
        drive.act("c-exec2", later_one, Action.SAVE_DRAFT, {"text": "Поздно"})
    assert drive.act("c-exec3", later_one, Action.SAVE_DRAFT, {"text": "Вернулся"}).draft is not None


def test_deputy_named_ahead_acts_only_once_the_absence_starts(drive: Driver, world: World) -> None:
    item = drive.in_work(executor="c-exec3")
    now = world.clock.now()
    ahead = AbsenceIn(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(days=3), reason="командировка")
    drive.client("c-exec3").set_deputy("c-exec3", "c-exec2", ahead)
    key = str(uuid.uuid4())
    with pytest.raises(ForbiddenError):
        drive.client("c-exec2").act(item.id, Action.SAVE_DRAFT, item.version, {"text": "Рано"}, idempotency_key=key)
    world.clock.advance(2 * 3600)
    with pytest.raises(ForbiddenError):  # the 403 recorded under the key is replayed
        drive.client("c-exec2").act(item.id, Action.SAVE_DRAFT, item.version, {"text": "Рано"}, idempotency_key=key)
    assert drive.act("c-exec2", item, Action.SAVE_DRAFT, {"text": "Пора"}).draft is not None


def test_staff_set_their_own_deputy_but_not_anyone_elses(drive: Driver, world: World) -> None:
    own = drive.client("c-exec1").set_deputy("c-exec1", "c-exec2", cover(world))
    assert own.deputy_id == "c-exec2"
    with pytest.raises(ForbiddenError) as caught:
        drive.client("c-exec1").set_deputy("c-exec3", "c-exec1", cover(world))
    assert caught.value.message
    with pytest.raises(ForbiddenError):  # an administrator manages only their own organisation
        drive.client("c-admin").set_deputy("r-exec", "r-coord", cover(world))
    cleared = drive.client("c-exec1").set_deputy("c-exec1", None)
    assert (cleared.deputy_id, cleared.absence) == (None, None)


@pytest.mark.parametrize(("target", "deputy"), [("c-exec3", "v-coord"), ("c-exec3", "c-exec3"),
                                                ("c-exec3", "nobody")])
def test_impossible_deputy_is_invalid(shared_drive: Driver, shared_world: World, target: str, deputy: str) -> None:
    with pytest.raises(InvalidError) as caught:  # refused, so the shared world's staff stay as they were
        shared_drive.client("c-admin").set_deputy(target, deputy, cover(shared_world))
    assert caught.value.field == "deputy_id", caught.value.message


def test_mutual_deputies_and_backwards_absence_are_invalid(drive: Driver, world: World) -> None:
    admin = drive.client("c-admin")
    admin.set_deputy("c-exec2", "c-exec3", cover(world))
    with pytest.raises(InvalidError) as mutual:
        admin.set_deputy("c-exec3", "c-exec2", cover(world))
    assert mutual.value.field == "deputy_id"
    now = world.clock.now()
    with pytest.raises(InvalidError) as backwards:
        admin.set_deputy("c-exec1", "c-exec2", AbsenceIn(starts_at=now, ends_at=now - timedelta(days=1)))
    assert backwards.value.field == "absence"


# --- attachments -----------------------------------------------------------------------------------


def test_answer_attachment_round_trip(shared_drive: Driver) -> None:
    item = shared_drive.in_work()
    data = "Акт выполненных работ №7".encode() + bytes(range(256))
    name = "Акт приёмки (подписан) №7.pdf"
    meta = shared_drive.client("c-exec1").upload_attachment(item.id, name, "application/pdf", data)
    assert (meta.name, meta.content_type, meta.size, meta.origin) == (name, "application/pdf", len(data), "answer")
    now = shared_drive.get(item)
    assert [a.id for a in now.attachments] == [meta.id] and now.version == item.version + 1
    assert now.history[-1].action == "attachment_added" and now.history[-1].comment == name
    for user in ("c-exec1", "c-coord", "r-cur"):
        assert shared_drive.client(user).download_attachment(meta.id) == ("application/pdf", data), user
    with pytest.raises(NotFoundError):
        shared_drive.client("c-exec2").download_attachment(meta.id)
    sent = shared_drive.act("c-exec1", now, Action.SUBMIT_FOR_APPROVAL, {"text": "Акт во вложении",
                                                                           "attachment_ids": [meta.id]})
    answered = shared_drive.act("c-head", shared_drive.act("c-cur", sent, Action.APPROVE), Action.APPROVE)
    assert answered.answer is not None and answered.answer.attachment_ids == [meta.id]


def test_unknown_attachment_in_a_draft_is_invalid(shared_drive: Driver) -> None:
    with pytest.raises(InvalidError) as caught:
        shared_drive.act("c-exec1", shared_drive.in_work(), Action.SAVE_DRAFT, {"attachment_ids": ["att-чужое"]})
    assert caught.value.field == "attachment_ids"


@pytest.mark.parametrize(("user", "error"), [("c-coord", ForbiddenError), ("c-head", ForbiddenError),
                                             ("c-exec2", NotFoundError)])
def test_only_the_executor_attaches_files(shared_drive: Driver, user: str, error: type[Exception]) -> None:
    item = shared_drive.in_work()
    with pytest.raises(error):
        shared_drive.client(user).upload_attachment(item.id, "справка.txt", "text/plain", b"text")
    assert shared_drive.get(item).attachments == []


def test_attachment_size_limit(shared_drive: Driver) -> None:
    item = shared_drive.in_work()
    client = shared_drive.client("c-exec1")
    with pytest.raises(PayloadTooLargeError) as caught:
        client.upload_attachment(item.id, "огромный.bin", "application/octet-stream",
                                 b"\0" * (MAX_ATTACHMENT_BYTES + 1))
    assert caught.value.status == 413
    assert shared_drive.get(item).version == item.version, "nothing stored"
    meta = client.upload_attachment(item.id, "ровно.bin", "application/octet-stream", b"\1" * MAX_ATTACHMENT_BYTES)
    assert meta.size == MAX_ATTACHMENT_BYTES, "the limit itself is allowed"


def test_oversized_json_action_is_413_with_an_error_body(shared_drive: Driver, shared_world: World) -> None:
    item = shared_drive.new()
    token = shared_drive.client("c-coord").tokens
    assert token is not None
    body = {"action": "reject", "base_version": 1,
            "payload": {"ground_code": "spam", "comment": "я" * (MAX_JSON_BODY // 2 + 1)}}
    response = httpx.post(f"{shared_world.url}/api/v1/messages/{item.id}/actions",
                          content=json.dumps(body, ensure_ascii=False).encode(),
                          headers={"Authorization": f"Bearer {token.access_token}",
                                   "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "payload_too_large"
    assert shared_drive.get(item).status is Status.AWAITING_ROUTING


@pytest.mark.parametrize("state", ["answered", "closed"])
def test_no_attachments_after_the_answer_is_sent(shared_drive: Driver, state: str) -> None:
    item = shared_drive.answered() if state == "answered" else shared_drive.closed()
    with pytest.raises(ConflictError):
        shared_drive.client("c-exec1").upload_attachment(item.id, "поздно.pdf", "application/pdf", b"%PDF")
    assert shared_drive.get(item).version == item.version, "an item whose answer was sent stays as it was"


# --- deadlines as served ---------------------------------------------------------------------------

#: Registered at WORLD_START, 2026-03-10 09:00 UTC = 14:00 in Yekaterinburg (UTC+5): a term of N
#: days ends at 00:00 local time of 10 March + N + 1.
DEADLINES = [
    ("light", ItemKind.MESSAGE, date(2026, 3, 19)),  # fast-track level 1: 8 days
    ("light", ItemKind.OPEN_SOURCE, date(2026, 3, 19)),
    ("snow", ItemKind.MESSAGE, date(2026, 3, 16)),  # a custom fast-track of 5 days
    ("roads", ItemKind.MESSAGE, date(2026, 4, 10)),  # standard 30 days
    ("light", ItemKind.APPEAL, date(2026, 4, 10)),  # appeals under 59-ФЗ: always 30 days
    ("snow", ItemKind.APPEAL, date(2026, 4, 10)),
]


@pytest.mark.parametrize(("category", "kind", "due_day"), DEADLINES)
def test_deadlines_as_served(shared_drive: Driver, category: str, kind: ItemKind, due_day: date) -> None:
    item = shared_drive.get(shared_drive.new("c", category=category, kind=kind), "c-coord")
    assert item.registered_at.astimezone(YEKT).date() == date(2026, 3, 10)
    assert item.due_at == local_midnight(due_day, YEKT), f"{category}/{kind}: due {item.due_at}"
    assert item.routing_due_at == local_midnight(date(2026, 3, 14), YEKT), "routing: 3 days"
    assert item.routing_due_at == datetime(2026, 3, 13, 19, 0, tzinfo=UTC)


def test_late_evening_registration_counts_on_the_local_calendar(world_factory: Callable[..., World]) -> None:
    """At 23:30 in Moscow it is already 01:30 of the next day in Yekaterinburg."""
    world = world_factory(start=datetime(2026, 3, 10, 20, 30, tzinfo=UTC))
    coord = world.client("c-coord")
    city = coord.message(world.inject("c", category="light").id)
    assert city.due_at == local_midnight(date(2026, 3, 20), YEKT) == datetime(2026, 3, 19, 19, 0, tzinfo=UTC)
    assert city.routing_due_at == local_midnight(date(2026, 3, 15), YEKT)
    region = world.client("r-coord").message(world.inject("r", category="light").id)
    assert region.due_at == local_midnight(date(2026, 3, 19), MSK) == datetime(2026, 3, 18, 21, 0, tzinfo=UTC)
    assert region.routing_due_at == local_midnight(date(2026, 3, 14), MSK)
