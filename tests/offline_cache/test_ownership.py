"""Queued actions belong to the official who made them: never sent under another login; a deputy's action
names the absent colleague it was done for."""

from __future__ import annotations

import secrets
from pathlib import Path

from offline_cache.actions import perform
from offline_cache.domain.model import Action
from offline_cache.domain.workflow import draft_digest
from offline_cache.outbox import Outbox
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine, SyncStatus
from tests.offline_cache.test_outbox_ops import history, in_work
from tests.world import WORLD_START, World, absent


def test_actions_are_never_sent_under_another_login(world: World, tmp_path: Path) -> None:
    mine, theirs = in_work(world, "c-exec1"), in_work(world, "c-exec2")
    cache = Cache.open(tmp_path / "shared.posdesk", secrets.token_bytes(32))
    first = SyncEngine(cache, world.client("c-exec1"))
    assert first.sync_once().status is SyncStatus.IDLE
    queued = perform(cache, mine, Action.SAVE_DRAFT, {"text": "Черновик первого исполнителя"})
    assert (queued.entry.user_id, queued.entry.acting_for) == ("c-exec1", None)

    # The same cache file, now opened by a colleague's login (a shared computer, a switched profile).
    second = SyncEngine(cache, world.client("c-exec2"))
    report = second.sync_once()
    assert report.status is SyncStatus.IDLE and report.pushed == 0, report
    assert cache.me_id() == "c-exec2"
    assert history(world, mine).count("save_draft") == 0, "not sent under c-exec2's login"
    [waiting] = Outbox(cache).entries(("pending",))
    assert waiting.id == queued.entry.id and waiting.user_id == "c-exec1"  # kept and visible
    assert Outbox(cache).entries(("pending",), user_id="c-exec2") == []
    own = perform(cache, theirs, Action.SAVE_DRAFT, {"text": "Черновик второго"})
    assert own.entry.user_id == "c-exec2"
    report = second.sync_once()
    assert report.pushed == 1 and cache.outbox_entry(queued.entry.id).state == "pending"  # type: ignore[union-attr]

    # Its owner logs in again: now it goes, as theirs.
    report = SyncEngine(cache, world.client("c-exec1")).sync_once()
    assert report.pushed == 1, report
    server = world.platform.store.get_item(mine)
    assert server is not None and server.draft is not None and server.draft.text == "Черновик первого исполнителя"
    assert [h.actor_id for h in server.history if h.action == "save_draft"] == ["c-exec1"]
    cache.close()


def test_a_deputy_acts_for_the_absent_assignee_and_the_absent_head(world: World, tmp_path: Path) -> None:
    item_id = in_work(world, "c-exec1")
    world.platform.store.put_staff(absent("c-exec1", "c-exec2", WORLD_START))
    cache = Cache.open(tmp_path / "deputy.posdesk", secrets.token_bytes(32))
    engine = SyncEngine(cache, world.client("c-exec2"))
    assert engine.sync_once().status is SyncStatus.IDLE

    done = perform(cache, item_id, Action.SUBMIT_FOR_APPROVAL, {"text": "Ответ за коллегу"})
    assert (done.entry.user_id, done.entry.acting_for) == ("c-exec2", "c-exec1")
    assert engine.sync_once().pushed == 1
    seen = world.client("c-cur").message(item_id)
    world.client("c-cur").act(item_id, Action.APPROVE, 3, {"draft_digest": draft_digest(seen.draft)})

    world.platform.store.put_staff(absent("c-head", "c-cur", WORLD_START))
    curator = Cache.open(tmp_path / "curator.posdesk", secrets.token_bytes(32))
    curator_engine = SyncEngine(curator, world.client("c-cur"))
    assert curator_engine.sync_once().status is SyncStatus.IDLE
    approved = perform(curator, item_id, Action.APPROVE, {})
    assert (approved.entry.user_id, approved.entry.acting_for) == ("c-cur", "c-head")
    assert curator_engine.sync_once().pushed == 1
    rows = curator.db.execute("SELECT event, user_id, acting_for FROM audit_log WHERE entry_key=? ORDER BY id",
                              [approved.entry.idempotency_key]).fetchall()
    assert [tuple(r) for r in rows] == [("enqueued", "c-cur", "c-head"), ("outbox_done", "c-cur", "c-head")]
    cache.close()
    curator.close()
