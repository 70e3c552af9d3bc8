"""The official's hand on the outbox: cancel (rolled back), discard, resend corrected, re-apply, accept theirs;
local drafts kept and searchable."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from offline_cache.actions import perform
from offline_cache.domain.model import Action, Status
from offline_cache.domain.workflow import draft_digest
from offline_cache.outbox import Outbox, OutboxRefused
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine, SyncStatus
from tests.offline_cache.test_sync_conflicts import item_flags, synced_cache
from tests.world import World


def in_work(world: World, executor: str = "c-exec1") -> str:
    """An item routed to ``executor`` on the platform; returns its id (version 2)."""
    item = world.inject()
    world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": executor})
    return item.id


def history(world: World, item_id: str) -> list[str]:
    server = world.platform.store.get_item(item_id)
    assert server is not None
    return [h.action for h in server.history]


def test_local_draft_is_durable_searchable_and_survives_a_pull(world: World, tmp_path: Path) -> None:
    item_id = in_work(world)
    key, path = secrets.token_bytes(32), tmp_path / "drafts.posdesk"
    cache = Cache.open(path, key)
    engine = SyncEngine(cache, world.client("c-exec1"))
    assert engine.sync_once().status is SyncStatus.IDLE
    assert cache.search("ежевик") == []
    draft = cache.save_local_draft(item_id, "Ёжевика у забора будет вырублена")
    assert (draft.text, draft.kind, draft.attachment_ids) == ("Ёжевика у забора будет вырублена", "final", ())
    cache.close()

    cache = Cache.open(path, key)  # a new process: the draft is on disk
    engine = SyncEngine(cache, world.client("c-exec1"))
    assert cache.local_draft(item_id) == draft
    assert [h["id"] for h in cache.search("ежевика")] == [item_id]
    world.client("c-exec1").act(item_id, Action.SAVE_DRAFT, 2, {"text": "Текст с другого компьютера"})
    assert engine.sync_once().pulled == 1
    assert [h["id"] for h in cache.search("ежевик")] == [item_id], "the page writer prefers the local draft"
    assert cache.search("компьютера") == []
    assert cache.db.execute("SELECT has_draft FROM items WHERE id=?", [item_id]).fetchone()[0] == 1

    cache.drop_local_draft(item_id)
    assert cache.local_draft(item_id) is None and cache.search("ежевик") == []
    assert [h["id"] for h in cache.search("компьютера")] == [item_id]
    perform(cache, item_id, Action.SAVE_DRAFT, {"text": "Сохранённый черновик"})
    cache.save_local_draft(item_id, "Набираю дальше")
    perform(cache, item_id, Action.SUBMIT_FOR_APPROVAL, {"text": "Набираю дальше и отправляю"})
    assert cache.local_draft(item_id) is None, "a queued answer takes the local draft with it"
    cache.close()


def test_cancel_rolls_back_only_the_cancelled_action(world: World, tmp_path: Path) -> None:
    item_id = in_work(world)
    cache, engine = synced_cache(world, tmp_path, "c-exec1")
    first = perform(cache, item_id, Action.SAVE_DRAFT, {"text": "Первый вариант"})
    second = perform(cache, item_id, Action.SAVE_DRAFT, {"text": "Второй вариант"})
    assert cache.item(item_id).draft.text == "Второй вариант"  # type: ignore[union-attr]
    outbox = Outbox(cache)

    outbox.cancel(second.entry.id)
    shown = cache.item(item_id)
    assert shown is not None and shown.draft is not None and shown.draft.text == "Первый вариант"
    assert item_flags(cache, item_id)[0] == 1
    with pytest.raises(OutboxRefused, match="уже отменено"):
        outbox.cancel(second.entry.id)

    draft = cache.local_draft(item_id)
    assert draft is not None and draft.text == "Второй вариант", "the cancelled text goes back to the editor"
    outbox.cancel(first.entry.id)
    assert item_flags(cache, item_id) == (0, 0, None)
    assert cache.item(item_id).draft is None  # type: ignore[union-attr]
    assert cache.local_draft(item_id) == draft, "the newer local draft wins"

    report = engine.sync_once()
    assert report.status is SyncStatus.IDLE and report.pushed == 0
    assert "save_draft" not in history(world, item_id), "nothing cancelled reached the platform"
    assert [e.state for e in outbox.entries()] == ["cancelled", "cancelled"]
    cache.close()


def test_failed_action_is_corrected_and_resent_or_discarded(world: World, tmp_path: Path) -> None:
    item_id, other_id = in_work(world), in_work(world)
    cache, engine = synced_cache(world, tmp_path, "c-exec1")
    # A payload the local rules let through but the platform refuses (an answer file it does not know).
    bad = {"text": "Ответ", "attachment_ids": ["att-unknown"]}
    refused = perform(cache, item_id, Action.SAVE_DRAFT, bad)
    refused_too = perform(cache, other_id, Action.SAVE_DRAFT, bad)
    report = engine.sync_once()
    assert report.failed == 2, report
    outbox = Outbox(cache)
    failed = cache.outbox_entry(refused.entry.id)
    assert failed is not None and failed.state == "failed" and "Вложение не найдено" in failed.last_error

    with pytest.raises(OutboxRefused):
        outbox.reapply(failed.id)  # re-apply is for conflicts
    again = outbox.resend(failed.id, {"text": "Ответ без вложения"})
    assert again.state == "pending" and again.base_version == 2 and again.user_id == "c-exec1"
    assert cache.outbox_entry(failed.id).state == "resolved"  # type: ignore[union-attr]
    discarded = outbox.discard(refused_too.entry.id)
    assert discarded.state == "discarded"

    report = engine.sync_once()
    assert report.pushed == 1 and report.failed == 0, report
    assert world.platform.store.get_item(item_id).draft.text == "Ответ без вложения"  # type: ignore[union-attr]
    assert history(world, other_id).count("save_draft") == 0
    states = {e.id: e.state for e in outbox.entries()}
    assert states == {refused.entry.id: "resolved", refused_too.entry.id: "discarded", again.id: "done"}
    cache.close()


def submit_conflict(world: World, tmp_path: Path) -> tuple[Cache, SyncEngine, str, int]:
    """The executor submits offline while another session of theirs already submitted: a conflict."""
    item_id = in_work(world)
    cache, engine = synced_cache(world, tmp_path, "c-exec1")
    mine = perform(cache, item_id, Action.SUBMIT_FOR_APPROVAL, {"text": "Мой окончательный текст"})
    world.client("c-exec1").act(item_id, Action.SUBMIT_FOR_APPROVAL, 2, {"text": "Текст с ноутбука"})
    report = engine.sync_once()
    assert report.conflicts == 1, report
    entry = cache.outbox_entry(mine.entry.id)
    assert entry is not None and entry.state == "conflict" and entry.server_record is not None
    assert entry.server_record.status is Status.ON_APPROVAL
    return cache, engine, item_id, entry.id


def test_conflict_reapplied_on_the_current_version(world: World, tmp_path: Path) -> None:
    cache, engine, item_id, entry_id = submit_conflict(world, tmp_path)
    seen = world.client("c-cur").message(item_id)
    world.client("c-cur").act(item_id, Action.RETURN_FOR_REVISION, 3,
                              {"comment": "Уточните сроки", "draft_digest": draft_digest(seen.draft)})
    engine.sync_once()
    again = Outbox(cache).reapply(entry_id)
    assert again.base_version == 4 and cache.outbox_entry(entry_id).state == "resolved"  # type: ignore[union-attr]
    assert item_flags(cache, item_id)[1] == 0, "the conflict mark goes with the conflict"
    assert engine.sync_once().pushed == 1
    server = world.platform.store.get_item(item_id)
    assert server is not None and server.status is Status.ON_APPROVAL and server.draft is not None
    assert server.draft.text == "Мой окончательный текст"
    assert history(world, item_id).count("submit_for_approval") == 2
    cache.close()


def test_accept_theirs_keeps_my_text_as_the_local_draft(world: World, tmp_path: Path) -> None:
    cache, engine, item_id, entry_id = submit_conflict(world, tmp_path)
    done = Outbox(cache).accept_theirs(entry_id)
    assert done.state == "resolved"
    draft = cache.local_draft(item_id)
    assert draft is not None and draft.text == "Мой окончательный текст"
    assert item_flags(cache, item_id) == (0, 0, None)
    shown = cache.item(item_id)
    assert shown is not None and shown.draft is not None and shown.draft.text == "Текст с ноутбука"
    assert [h["id"] for h in cache.search("окончательн")] == [item_id]
    assert engine.sync_once().pushed == 0
    cache.close()


def test_entries_of_another_official_cannot_be_changed(world: World, tmp_path: Path) -> None:
    item_id = in_work(world)
    cache, _ = synced_cache(world, tmp_path, "c-exec1")
    mine = perform(cache, item_id, Action.SAVE_DRAFT, {"text": "Мой текст"})
    cache.set_state("me", cache.state("me").replace('"c-exec1"', '"c-exec2"', 1))  # type: ignore[union-attr]
    with pytest.raises(OutboxRefused, match="другой сотрудник"):
        Outbox(cache).cancel(mine.entry.id)
    cache.close()
