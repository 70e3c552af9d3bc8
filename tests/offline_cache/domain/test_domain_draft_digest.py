"""Approvals bind to the draft the approver read (draft_digest); the approver may reword it (issue 10, point 1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from offline_cache.contract.models import DraftOut
from offline_cache.domain.model import Action, Draft, DraftKind, ItemState, Status
from offline_cache.domain.staff import Actor
from offline_cache.domain.workflow import (
    MAX_TEXT_LENGTH,
    DecisionContext,
    Forbidden,
    InvalidPayload,
    StaleDraft,
    decide,
    draft_digest,
)

ItemFactory = Callable[..., ItemState]
ActorFactory = Callable[..., Actor]
SEEN = Draft("Яму засыплют до 1 мая.", DraftKind.FINAL, None, ("att-1",), "exec1")


def on_approval(make_item: ItemFactory, step: int = 1, draft: Draft = SEEN) -> ItemState:
    return make_item(Status.ON_APPROVAL, org_id="muni", assignee_id="exec1", approval_step=step, draft=draft)


def test_digest_is_stable_hex_and_covers_what_the_approver_reads() -> None:
    digest = draft_digest(SEEN)
    assert len(digest) == 64 and int(digest, 16) >= 0 and digest == digest.lower()
    assert draft_digest(Draft(SEEN.text, SEEN.kind, None, ("att-1",), "someone-else")) == digest, "author is no part"
    for changed in (Draft(SEEN.text + " ", SEEN.kind, None, ("att-1",)),
                    Draft(SEEN.text, DraftKind.INTERIM, date(2026, 5, 1), ("att-1",)),
                    Draft(SEEN.text, SEEN.kind, None, ()),
                    Draft(SEEN.text, SEEN.kind, None, ("att-1", "att-2"))):
        assert draft_digest(changed) != digest, changed
    assert draft_digest(None) != digest


def test_contract_draft_has_the_same_digest_as_the_domain_draft() -> None:
    out = DraftOut(text=SEEN.text, kind=SEEN.kind, planned_date=None, attachment_ids=list(SEEN.attachment_ids),
                   author_id="exec1")
    assert draft_digest(out) == draft_digest(SEEN)


@pytest.mark.parametrize("action", [Action.APPROVE, Action.RETURN_FOR_REVISION])
def test_a_changed_draft_is_stale(action: Action, make_item: ItemFactory, actor_of: ActorFactory,
                                  ctx: DecisionContext) -> None:
    rewritten = on_approval(make_item, draft=Draft("Совсем другой текст", author_id="exec1"))
    with pytest.raises(StaleDraft, match="проект ответа изменился"):
        decide(rewritten, actor_of("head"), action, {"draft_digest": draft_digest(SEEN), "comment": "нет"}, ctx)


@pytest.mark.parametrize("action", [Action.APPROVE, Action.RETURN_FOR_REVISION])
@pytest.mark.parametrize("digest", [None, "", 5])
def test_the_digest_is_required(action: Action, digest: object, make_item: ItemFactory, actor_of: ActorFactory,
                                ctx: DecisionContext) -> None:
    payload = {"comment": "нет"} if digest is None else {"comment": "нет", "draft_digest": digest}
    with pytest.raises(InvalidPayload) as caught:
        decide(on_approval(make_item), actor_of("head"), action, payload, ctx)
    assert caught.value.field == "draft_digest"


def test_roles_are_checked_before_the_digest(make_item: ItemFactory, actor_of: ActorFactory,
                                             ctx: DecisionContext) -> None:
    with pytest.raises(Forbidden):
        decide(on_approval(make_item), actor_of("exec1"), Action.APPROVE, {}, ctx)


def test_head_rewords_the_draft_when_approving(make_item: ItemFactory, actor_of: ActorFactory,
                                               ctx: DecisionContext) -> None:
    item = on_approval(make_item)
    payload = {"draft_digest": draft_digest(SEEN), "text": "  Яму засыплют до 25 апреля.  ", "comment": "уточнил"}
    result = decide(item, actor_of("head"), Action.APPROVE, payload, ctx).item
    assert result.status is Status.ANSWERED and result.answer is not None
    assert result.answer.text == "Яму засыплют до 25 апреля."
    assert result.answer.author_id == "head", "the edit is the head's"
    assert result.answer.attachment_ids == SEEN.attachment_ids and result.answer.kind is SEEN.kind
    assert [(h.actor_id, h.action) for h in result.history[-2:]] == [("head", "draft_edited"), ("head", "approve")]
    assert result.history[-1].comment == "уточнил"
    assert result.version == item.version + 1, "one action, one version"


def test_curator_edit_goes_on_to_the_head(make_item: ItemFactory, actor_of: ActorFactory,
                                          ctx: DecisionContext) -> None:
    item = on_approval(make_item, step=0)
    result = decide(item, actor_of("cur"), Action.APPROVE, {"draft_digest": draft_digest(SEEN), "text": "Правка"},
                    ctx).item
    assert (result.status, result.approval_step) == (Status.ON_APPROVAL, 1)
    assert result.draft is not None and (result.draft.text, result.draft.author_id) == ("Правка", "cur")


@pytest.mark.parametrize("text", [None, SEEN.text])
def test_no_edit_when_the_text_is_absent_or_the_same(text: str | None, make_item: ItemFactory,
                                                     actor_of: ActorFactory, ctx: DecisionContext) -> None:
    payload: dict[str, object] = {"draft_digest": draft_digest(SEEN)}
    if text is not None:
        payload["text"] = text
    result = decide(on_approval(make_item), actor_of("head"), Action.APPROVE, payload, ctx).item
    assert result.answer == SEEN and [h.action for h in result.history] == ["approve"]


@pytest.mark.parametrize("text", ["", "   ", "я" * (MAX_TEXT_LENGTH + 1), 7])
def test_a_bad_edit_is_refused(text: object, make_item: ItemFactory, actor_of: ActorFactory,
                               ctx: DecisionContext) -> None:
    with pytest.raises(InvalidPayload) as caught:
        decide(on_approval(make_item), actor_of("head"), Action.APPROVE,
               {"draft_digest": draft_digest(SEEN), "text": text}, ctx)
    assert caught.value.field == "text"
