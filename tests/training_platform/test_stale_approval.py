"""Approvals bind to the draft the approver read (issue 10, point 1), over HTTP; the head may reword it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx
import pytest

from offline_cache.contract.models import Item
from offline_cache.domain.model import Action, Status
from offline_cache.domain.workflow import draft_digest
from offline_cache.errors import ConflictError, InvalidError
from tests.training_platform.http_helpers import assert_russian_error, auth

if TYPE_CHECKING:
    from tests.training_platform.conftest import Driver


def rewritten_after_return(drive: Driver, seen: Item) -> Item:
    """``seen`` (the head's step) returned from another session, rewritten and back at the head's step."""
    back = drive.act("c-head", seen, Action.RETURN_FOR_REVISION, {"comment": "Уточните сроки"})
    again = drive.act("c-exec1", back, Action.SUBMIT_FOR_APPROVAL, {"text": "Засыплем до 25 апреля, сроки в плане."})
    return drive.act("c-cur", again, Action.APPROVE)


@pytest.mark.parametrize(("action", "payload"), [(Action.APPROVE, {}),
                                                 (Action.RETURN_FOR_REVISION, {"comment": "Нет"})])
def test_a_stale_decision_on_a_rewritten_draft_is_a_conflict(shared_drive: Driver, action: Action,
                                                             payload: dict[str, str]) -> None:
    seen = shared_drive.on_approval(1)  # what the head read (and queued a decision on, offline)
    current = rewritten_after_return(shared_drive, seen)
    assert (current.status, current.approval_step) == (seen.status, seen.approval_step)
    with pytest.raises(ConflictError) as caught:
        shared_drive.client("c-head").act(seen.id, action, seen.version,
                                          {**payload, "draft_digest": draft_digest(seen.draft)})
    shown = caught.value.current
    assert shown is not None and shown.draft is not None, "the 409 carries the item with the new text"
    assert shown.draft.text == "Засыплем до 25 апреля, сроки в плане." and shown.version == current.version
    assert "проект ответа изменился" in caught.value.message
    unchanged = shared_drive.get(seen)
    assert (unchanged.status, unchanged.version) == (current.status, current.version)
    # Having read the new text, the head decides on it.
    decided = shared_drive.act("c-head", current, action, payload)
    assert decided.status is (Status.ANSWERED if action is Action.APPROVE else Status.RETURNED)


def test_a_stale_base_version_with_the_same_draft_still_applies(shared_drive: Driver) -> None:
    """Only the text matters: the curator's step moving the version on does not void the head's reading."""
    seen = shared_drive.on_approval(0)
    step1 = shared_drive.act("c-cur", seen, Action.APPROVE)
    answered = shared_drive.client("c-head").act(seen.id, Action.APPROVE, seen.version,
                                                 {"draft_digest": draft_digest(seen.draft)})
    assert answered.status is Status.ANSWERED and answered.version == step1.version + 1


@pytest.mark.parametrize("payload", [{}, {"draft_digest": ""}, {"draft_digest": "abc"},
                                     {"draft_digest": "A" * 64}, {"draft_digest": 5}])
def test_the_digest_is_required_and_well_formed(shared_drive: Driver, payload: dict[str, object]) -> None:
    item = shared_drive.on_approval(1)
    for action in (Action.APPROVE, Action.RETURN_FOR_REVISION):
        body = {**payload, "comment": "Нет"} if action is Action.RETURN_FOR_REVISION else payload
        with pytest.raises(InvalidError) as caught:
            shared_drive.client("c-head").act(item.id, action, item.version, body)
        assert caught.value.status == 422 and caught.value.field == "draft_digest"
    assert shared_drive.get(item).version == item.version


def test_head_rewords_the_draft_when_approving(shared_drive: Driver) -> None:
    item = shared_drive.on_approval(1)
    answered = shared_drive.act("c-head", item, Action.APPROVE, {"text": "Яму засыпали 12 марта. Спасибо!"})
    assert answered.status is Status.ANSWERED and answered.answer is not None
    assert (answered.answer.text, answered.answer.author_id) == ("Яму засыпали 12 марта. Спасибо!", "c-head")
    assert [(h.actor_id, h.action) for h in answered.history[-2:]] == [("c-head", "draft_edited"),
                                                                        ("c-head", "approve")]
    assert answered.version == item.version + 1


def test_schema_refuses_reject_without_its_payload(shared_drive: Driver) -> None:
    """A discriminated payload per action: ``reject`` with ``{}`` is refused by the schema (422)."""
    item = shared_drive.new()
    with httpx.Client(base_url=shared_drive.world.url, timeout=10) as http:
        response = http.post(f"/api/v1/messages/{item.id}/actions", json={
            "action": "reject", "base_version": 1, "payload": {}}, headers=auth(http))
        assert assert_russian_error(response, 422)["field"] in ("ground_code", "comment")
        response = http.post(f"/api/v1/messages/{item.id}/actions", json={"action": "approve", "base_version": 1},
                             headers={**auth(http), "Idempotency-Key": str(uuid.uuid4())})
        assert assert_russian_error(response, 422)["field"] == "payload"
