"""A queued approval carries the digest of the draft the official read; a rewritten draft comes back as a
conflict showing the new text (issue 10, point 1, the workstation's side)."""

from __future__ import annotations

import secrets
from pathlib import Path

from offline_cache.actions import perform
from offline_cache.domain.model import Action, Status
from offline_cache.domain.workflow import draft_digest
from offline_cache.outbox import Outbox
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine, SyncStatus
from tests.world import World

FIRST, SECOND = "Яму засыплем в мае.", "Яму засыплем до 25 апреля, работы в плане."


def test_queued_approval_of_a_rewritten_draft_is_a_conflict_with_the_new_text(world: World, tmp_path: Path) -> None:
    coord, exec1, cur = world.client("c-coord"), world.client("c-exec1"), world.client("c-cur")
    item = world.inject()
    item = coord.act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
    item = exec1.act(item.id, Action.SUBMIT_FOR_APPROVAL, item.version, {"text": FIRST})
    seen = cur.act(item.id, Action.APPROVE, item.version, {"draft_digest": draft_digest(item.draft)})

    cache = Cache.open(tmp_path / "head.posdesk", secrets.token_bytes(32))
    engine = SyncEngine(cache, world.client("c-head"))
    assert engine.sync_once().status is SyncStatus.IDLE
    queued = perform(cache, seen.id, Action.APPROVE)  # offline: the head read FIRST and approved
    assert queued.entry.payload["draft_digest"] == draft_digest(seen.draft)

    # Meanwhile, from another session: returned, rewritten, back at the head's step.
    head = world.client("c-head")
    back = head.act(seen.id, Action.RETURN_FOR_REVISION, seen.version,
                    {"comment": "Уточните сроки", "draft_digest": draft_digest(seen.draft)})
    again = exec1.act(back.id, Action.SUBMIT_FOR_APPROVAL, back.version, {"text": SECOND})
    current = cur.act(again.id, Action.APPROVE, again.version, {"draft_digest": draft_digest(again.draft)})

    report = engine.sync_once()
    assert report.conflicts == 1 and report.pushed == 0, report
    [entry] = cache.outbox(("conflict",))
    assert "проект ответа изменился" in entry.last_error
    shown = cache.item(seen.id)
    assert shown is not None and shown.draft is not None and shown.draft.text == SECOND, "the new text is shown"
    server = world.platform.store.get_item(seen.id)
    assert server is not None and (server.status, server.version) == (Status.ON_APPROVAL, current.version)

    # Having read SECOND beside the old text, the head re-applies the approval: it binds to SECOND now.
    reapplied = Outbox(cache).reapply(entry.id)
    assert reapplied.payload["draft_digest"] == draft_digest(current.draft)
    assert engine.sync_once().pushed == 1
    answered = world.platform.store.get_item(seen.id)
    assert answered is not None and answered.status is Status.ANSWERED
    assert answered.answer is not None and answered.answer.text == SECOND
    cache.close()
