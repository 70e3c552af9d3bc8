"""Fixtures for the API tests: one training platform world shared by a module, with cached logins."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from offline_cache.client import PlatformClient
from offline_cache.contract.models import Item
from offline_cache.domain.model import Action, ItemKind
from offline_cache.domain.workflow import DRAFT_BOUND_ACTIONS, draft_digest
from tests.world import WORLD_START, World, populate
from training_platform.server import TrainingServer
from training_platform.service import Clock, Platform, PlatformConfig
from training_platform.store import Store


@pytest.fixture(scope="module")
def shared_world() -> Iterator[World]:
    """The same world as ``world`` but started once per module (starting one costs ~0.7 s).

    Tests on it must not advance the clock or change staff: they only inject fresh items.
    """
    clock = Clock(WORLD_START)
    platform = Platform(Store(":memory:"), clock=clock, config=PlatformConfig(access_ttl=3600))
    populate(platform, WORLD_START)
    server = TrainingServer(platform)
    server.start()
    world = World(server, clock)
    yield world
    for client in world.clients:
        client.close()
    server.stop()


COORDINATORS = {"r": "r-coord", "c": "c-coord", "v": "v-coord"}


def with_digest(item: Item, action: Action, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """``payload`` with ``draft_digest`` of ``item``'s draft for approve and return (unless given)."""
    payload = dict(payload or {})
    if action in DRAFT_BOUND_ACTIONS:
        payload.setdefault("draft_digest", draft_digest(item.draft))
    return payload


class Driver:
    """Brings items into a status through real API calls, as the people of the world would.

    The city's chain is curator → head; the settlement's and the region's is just the head.
    Items of the city are worked on by c-exec1 unless said otherwise.
    """

    def __init__(self, world: World) -> None:
        self.world = world
        self._clients: dict[str, PlatformClient] = {}
        self._cursors: dict[str, int] = {}
        self._seen: dict[str, dict[str, Item]] = {}
        self._anonymous: PlatformClient | None = None
        self._reusable: dict[str, Item] = {}

    def client(self, user_id: str) -> PlatformClient:
        """A logged-in client for ``user_id`` (one per user: logins are deliberately slow)."""
        if user_id not in self._clients:
            self._clients[user_id] = self.world.client(user_id)
        return self._clients[user_id]

    def act(self, user_id: str, item: Item, action: Action, payload: dict[str, Any] | None = None) -> Item:
        """``user_id`` does ``action`` on ``item`` from the item's current version (an approval or a
        return binds to the draft of ``item``, as the workstation's would)."""
        return self.client(user_id).act(item.id, action, item.version, with_digest(item, action, payload))

    def get(self, item: Item | str, user_id: str = "c-cur") -> Item:
        """The item as the platform serves it now (the city's curator sees c, v and their items)."""
        return self.client(user_id).message(item if isinstance(item, str) else item.id)

    def reuse(self, key: str, make: Callable[[], Item]) -> Item:
        """The item made under ``key`` before if nothing changed it since (refusals leave items alone)."""
        item = self._reusable.get(key)
        if item is not None:
            now = self.get(item)
            if (now.status, now.version) == (item.status, item.version):
                return item
        self._reusable[key] = item = make()
        return item

    def rate(self, item: Item, score: int) -> Item:
        """The applicant rates the answer (the platform's own side, over HTTP)."""
        if self._anonymous is None:
            self._anonymous = self.world.client()
        return self._anonymous.rate(item.id, score)

    def feed_items(self, user_id: str) -> dict[str, Item]:
        """Everything ``user_id`` has seen in the feed so far, latest version of each item, by id."""
        client, seen = self.client(user_id), self._seen.setdefault(user_id, {})
        while True:
            page = client.feed(cursor=self._cursors.get(user_id, 0), limit=200)
            seen.update((i.id, i) for i in page.items)
            self._cursors[user_id] = page.next_cursor
            if not page.has_more:
                return seen

    def spawned_from(self, parent: Item, user_id: str) -> Item:
        """The one item created from ``parent`` (by redirect or re-processing), from ``user_id``'s feed."""
        found = [i for i in self.feed_items(user_id).values() if i.parent_id == parent.id]
        assert len(found) == 1, f"expected one item spawned from {parent.id} in {user_id}'s feed, got {found}"
        return found[0]

    # --- statuses ---------------------------------------------------------------------------

    def new(self, org_id: str = "c", category: str = "roads", kind: ItemKind = ItemKind.MESSAGE) -> Item:
        return self.world.inject(org_id=org_id, category=category, kind=kind)

    def in_work(self, org_id: str = "c", executor: str | None = None) -> Item:
        executor = executor or {"c": "c-exec1", "r": "r-exec", "v": "v-coord"}[org_id]
        return self.act(COORDINATORS[org_id], self.new(org_id), Action.ROUTE_TO_EXECUTOR, {"executor_id": executor})

    def on_approval(self, step: int = 0) -> Item:
        """A city item whose final draft waits at ``step`` of the chain (0: curator, 1: head)."""
        item = self.act("c-exec1", self.in_work(), Action.SUBMIT_FOR_APPROVAL, {"text": "Яму засыпали 12 марта."})
        for _ in range(step):
            item = self.act("c-cur", item, Action.APPROVE)
        return item

    def returned(self) -> Item:
        return self.act("c-cur", self.on_approval(0), Action.RETURN_FOR_REVISION, {"comment": "Дополните сроки"})

    def interim(self) -> Item:
        """A city item whose interim answer waits for approval at step 0."""
        return self.act("c-exec1", self.in_work(), Action.INTERIM_ANSWER,
                        {"text": "Ремонт запланирован", "planned_date": "2026-05-15"})

    def interim_answer(self) -> Item:
        item = self.act("c-cur", self.interim(), Action.APPROVE)
        return self.act("c-head", item, Action.APPROVE)

    def answered(self, org_id: str = "c") -> Item:
        if org_id == "c":
            return self.act("c-head", self.on_approval(1), Action.APPROVE)
        worker = {"r": "r-exec", "v": "v-coord"}[org_id]
        item = self.act(worker, self.in_work(org_id), Action.SUBMIT_FOR_APPROVAL, {"text": "Ответ по существу"})
        return self.act(f"{org_id}-head", item, Action.APPROVE)

    def rejected(self) -> Item:
        return self.act("c-coord", self.new(), Action.REJECT, {"ground_code": "no_location", "comment": "Нет адреса"})

    def redirected(self) -> Item:
        return self.act("c-coord", self.new(), Action.REDIRECT, {"org_id": "v"})

    def closed(self) -> Item:
        return self.rate(self.answered(), 5)

    def reprocessing(self, answered_in: str = "v") -> Item:
        """The re-processing item a low rating of an answer of ``answered_in`` opens one level up."""
        answer = self.answered(answered_in)
        self.rate(answer, 1)
        above = {"v": "c", "c": "r", "r": "r"}[answered_in]
        return self.spawned_from(answer, COORDINATORS[above])


@pytest.fixture(scope="module")
def shared_drive(shared_world: World) -> Driver:
    """A Driver over ``shared_world``."""
    return Driver(shared_world)


@pytest.fixture
def drive(world: World) -> Driver:
    """A Driver over this test's own ``world`` (for tests that move the clock or change staff)."""
    return Driver(world)
