"""Pushing the outbox: 409 keeps both versions, 403 keeps the reason, local changes show until confirmed, order,
and «sending» while a request is out."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from offline_cache.actions import perform
from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.contract.models import Item
from offline_cache.domain.model import Action, Status
from offline_cache.domain.workflow import draft_digest
from offline_cache.errors import OfflineError
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine, SyncStatus
from tests.world import PASSWORD, World


def synced_cache(world: World, tmp_path: Path, user: str, name: str = "cache") -> tuple[Cache, SyncEngine]:
    cache = Cache.open(tmp_path / f"{name}.posdesk", secrets.token_bytes(32))
    engine = SyncEngine(cache, world.client(user), page_size=10)
    report = engine.sync_once()
    assert report.status is SyncStatus.IDLE, report.error
    return cache, engine


def item_flags(cache: Cache, item_id: str) -> tuple[int, int, str | None]:
    """(pending, conflict, local_record) of a cached item."""
    row = cache.db.execute("SELECT pending, conflict, local_record FROM items WHERE id=?", [item_id]).fetchone()
    return int(row[0]), int(row[1]), row[2]


def test_conflict_keeps_the_platform_state_and_the_officials_action(world: World, tmp_path: Path) -> None:
    item_id = world.inject().id
    cache, engine = synced_cache(world, tmp_path, "c-coord")
    queued = perform(cache, item_id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1", "comment": "срочно"})
    other: PlatformClient = world.client("c-coord")  # a colleague's session routes it first
    other.act(item_id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec2"})

    report = engine.sync_once()
    assert report.status is SyncStatus.IDLE and report.conflicts == 1 and report.pushed == 0, report
    [entry] = cache.outbox(("conflict",))
    assert entry.idempotency_key == queued.entry.idempotency_key
    assert entry.last_error.startswith("Сообщение изменилось")
    assert entry.payload == {"executor_id": "c-exec1", "comment": "срочно"}  # the official's action is kept
    assert entry.base_version == 1 and entry.action == "route_to_executor"
    shown = cache.item(item_id)
    assert shown is not None and shown.assignee_id == "c-exec2" and shown.status is Status.IN_WORK
    assert shown.version == 2 == cache.server_item(item_id).version  # type: ignore[union-attr]
    assert item_flags(cache, item_id) == (0, 1, None)
    assert cache.outbox_counts() == {"pending": 0, "sending": 0, "done": 0, "failed": 0, "conflict": 1, "cancelled": 0,
                                     "discarded": 0, "resolved": 0}
    server = world.platform.store.get_item(item_id)
    assert server is not None and server.assignee_id == "c-exec2"
    assert [h.action for h in server.history].count("route_to_executor") == 1

    again = engine.sync_once()  # a conflict is final: it is not re-sent
    assert again.conflicts == 0 and again.pushed == 0 and len(cache.outbox(("conflict",))) == 1
    cache.close()


def test_forbidden_action_fails_with_the_platforms_reason(world: World, tmp_path: Path) -> None:
    item_id = world.inject().id
    coordinator = world.client("c-coord")
    coordinator.act(item_id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    executor = world.client("c-exec1")
    executor.act(item_id, Action.SUBMIT_FOR_APPROVAL, 2, {"text": "Яма будет заделана до 1 мая."})
    cache, engine = synced_cache(world, tmp_path, "c-exec1")
    shown = cache.item(item_id)
    assert shown is not None and shown.status is Status.ON_APPROVAL and shown.version == 3
    # perform() refuses this locally; a stale client (or another version of the rules) might not.
    cache.enqueue(item_id, Action.APPROVE.value, {"comment": "", "draft_digest": draft_digest(shown.draft)},
                  shown.version)

    report = engine.sync_once()
    assert report.status is SyncStatus.IDLE and report.failed == 1 and report.pushed == 0, report
    [entry] = cache.outbox(("failed",))
    assert "ваша роль не позволяет" in entry.last_error and "approve" in entry.last_error, entry.last_error
    assert item_flags(cache, item_id) == (0, 0, None)
    server = world.platform.store.get_item(item_id)
    assert server is not None and server.status is Status.ON_APPROVAL and server.version == 3
    cache.close()


def test_pending_change_shows_over_newer_server_state_until_confirmed(world: World, tmp_path: Path) -> None:
    item_id = world.inject().id
    world.client("c-coord").act(item_id, Action.TAKE_INTO_WORK, 1, {})
    cache, engine = synced_cache(world, tmp_path, "c-coord")
    mine = perform(cache, item_id, Action.SAVE_DRAFT, {"text": "Мой проект ответа"})
    assert mine.item.version == 3 and mine.entry.base_version == 2
    # Meanwhile the same coordinator, from another workstation, saves a different draft.
    world.client("c-coord").act(item_id, Action.SAVE_DRAFT, 2, {"text": "Проект с другого компьютера"})

    pulled = engine.pull()  # the newer server version arrives while our change is still queued
    assert item_id in pulled.changed
    server_view = cache.server_item(item_id)
    assert server_view is not None and server_view.version == 3
    assert server_view.draft is not None and server_view.draft.text == "Проект с другого компьютера"
    shown = cache.item(item_id)
    assert shown is not None and shown.draft is not None and shown.draft.text == "Мой проект ответа"
    assert item_flags(cache, item_id)[:2] == (1, 0)

    report = engine.sync_once()
    assert report.pushed == 1 and report.conflicts == 0 and report.failed == 0, report
    assert item_flags(cache, item_id) == (0, 0, None)
    platform_item = world.platform.store.get_item(item_id)
    assert platform_item is not None and platform_item.version == 4
    assert platform_item.draft is not None and platform_item.draft.text == "Мой проект ответа"
    assert cache.item(item_id) == cache.server_item(item_id) == platform_item
    cache.close()


def test_actions_on_one_item_are_sent_in_creation_order(world: World, tmp_path: Path) -> None:
    item_id = world.inject().id
    cache, engine = synced_cache(world, tmp_path, "c-coord")
    take = perform(cache, item_id, Action.TAKE_INTO_WORK, {"comment": "беру себе"})
    draft = perform(cache, item_id, Action.SAVE_DRAFT, {"text": "Ответ координатора"})
    assert (take.entry.base_version, draft.entry.base_version) == (1, 2)
    assert take.entry.id < draft.entry.id
    assert item_flags(cache, item_id)[0] == 2

    report = engine.sync_once()
    assert report.pushed == 2 and report.failed == 0 and report.conflicts == 0, report
    assert [e.idempotency_key for e in cache.outbox(("done",))] == [take.entry.idempotency_key,
                                                                      draft.entry.idempotency_key]
    server = world.platform.store.get_item(item_id)
    assert server is not None and server.version == 3 and server.assignee_id == "c-coord"
    assert [h.action for h in server.history] == ["received", "take_into_work", "save_draft"]
    assert server.draft is not None and server.draft.text == "Ответ координатора"
    assert item_flags(cache, item_id) == (0, 0, None)
    assert cache.item(item_id) == server
    cache.close()


class ObservingClient(PlatformClient):
    """A real client that records the outbox state of each action as its request leaves, and can drop it."""

    cache: Cache
    states: list[str]
    offline = False

    def act(self, item_id: str, action: Action | str, base_version: int, payload: Any = None, *,
            idempotency_key: str | None = None) -> Item:
        [(state,)] = self.cache.db.execute("SELECT state FROM outbox WHERE idempotency_key=?",
                                           [idempotency_key]).fetchall()
        self.states.append(state)
        if self.offline:
            raise OfflineError("Нет связи с платформой (проверка)")
        return super().act(item_id, action, base_version, payload, idempotency_key=idempotency_key)


def test_an_action_is_sending_while_its_request_is_out_and_pending_again_when_it_fails(world: World,
                                                                                      tmp_path: Path) -> None:
    item_id = world.inject().id
    client = ObservingClient(ClientConfig(world.url), sleep=lambda _s: None)
    world.clients.append(client)
    client.login("c-coord", PASSWORD)
    cache = Cache.open(tmp_path / "s.posdesk", secrets.token_bytes(32))
    client.cache, client.states = cache, []
    engine = SyncEngine(cache, client)
    assert engine.sync_once().status is SyncStatus.IDLE
    queued = perform(cache, item_id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})

    client.offline = True
    report = engine.sync_once()
    assert report.status is SyncStatus.OFFLINE and client.states == ["sending"]
    [entry] = cache.outbox(("pending",))  # not lost, not stuck as «sending»: pending, with the reason
    assert entry.attempts == 1 and "Нет связи" in entry.last_error
    assert item_flags(cache, item_id)[0] == 1

    client.offline = False
    report = engine.sync_once()
    assert report.status is SyncStatus.IDLE and report.pushed == 1 and client.states == ["sending", "sending"]
    assert [e.idempotency_key for e in cache.outbox(("done",))] == [queued.entry.idempotency_key]
    assert item_flags(cache, item_id) == (0, 0, None)
    cache.close()


def test_an_action_left_sending_by_a_crash_after_the_platform_applied_it_is_confirmed_once(
        world: World, tmp_path: Path) -> None:
    item_id = world.inject().id
    cache, engine = synced_cache(world, tmp_path, "c-coord")
    queued = perform(cache, item_id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
    key = queued.entry.idempotency_key
    # The request reached the platform, then the workstation died before it stored the answer.
    cache.mark_sending(queued.entry.id)
    world.client("c-coord").act(item_id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"},
                                idempotency_key=key)
    assert cache.outbox_counts()["sending"] == 1

    report = engine.sync_once()
    assert report.status is SyncStatus.IDLE and report.pushed == 1 and report.conflicts == 0, report
    assert cache.outbox_counts()["done"] == 1 and cache.outbox_counts()["sending"] == 0
    server = world.platform.store.get_item(item_id)
    assert server is not None and [h.action for h in server.history].count("route_to_executor") == 1
    shown = cache.item(item_id)
    assert shown is not None and shown.status is Status.IN_WORK and item_flags(cache, item_id) == (0, 0, None)
    cache.close()
