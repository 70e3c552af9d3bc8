"""PlatformClient under injected faults: typed errors, retries to success, idempotent actions, backoff."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.contract.models import FaultConfig, Item
from offline_cache.domain.model import Action, Status
from offline_cache.errors import AuthExpiredError, OfflineError, ServerError
from tests.world import PASSWORD, World

FAULT_KINDS = {
    "error500": FaultConfig(error_rate=1.0, error_statuses=[500]),
    "error502": FaultConfig(error_rate=1.0, error_statuses=[502]),
    "error503": FaultConfig(error_rate=1.0, error_statuses=[503]),
    "drop": FaultConfig(drop_rate=1.0),
    "truncate": FaultConfig(truncate_rate=1.0),
}
FLAKY = {
    "error": FaultConfig(error_rate=0.5, seed=11),
    "drop": FaultConfig(drop_rate=0.5, seed=12),
    "truncate": FaultConfig(truncate_rate=0.5, seed=13),
    "mixed": FaultConfig(error_rate=0.2, drop_rate=0.15, truncate_rate=0.15, seed=14),
}


class Sleeps:
    """A sleep callable that records delays and can run a hook before each retry."""

    def __init__(self, hook: Callable[[int], None] | None = None) -> None:
        self.delays: list[float] = []
        self.hook = hook

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self.hook is not None:
            self.hook(len(self.delays))


def client_for(world: World, user_id: str, sleeps: Sleeps, **config: object) -> PlatformClient:
    """A client logged in as ``user_id`` (before any faults) whose retries go through ``sleeps``."""
    client = PlatformClient(ClientConfig(world.url, **config), sleep=sleeps)  # type: ignore[arg-type]
    world.clients.append(client)
    client.login(user_id, PASSWORD)
    return client


def faults_off_after(world: World, retries: int) -> Callable[[int], None]:
    """A Sleeps hook that clears the faults before retry number ``retries``."""

    def hook(n: int) -> None:
        if n == retries:
            world.server.faults.configure(FaultConfig())

    return hook


def stored(world: World, item_id: str) -> Item:
    item = world.platform.store.get_item(item_id)
    assert item is not None
    return item


def routings(item: Item) -> int:
    return sum(1 for h in item.history if h.action == Action.ROUTE_TO_EXECUTOR)


def feed_ids(client: PlatformClient, limit: int) -> list[tuple[str, int]]:
    cursor, result = 0, []
    while True:
        page = client.feed(cursor, limit)
        result += [(i.id, i.version) for i in page.items]
        cursor = page.next_cursor
        if not page.has_more:
            return result


# --- every fault surfaces as its typed error when not retried -------------------------------


@pytest.mark.parametrize("kind", list(FAULT_KINDS))
def test_fault_surfaces_as_typed_error(world: World, kind: str) -> None:
    world.inject()
    sleeps = Sleeps()
    client = client_for(world, "c-coord", sleeps, retries=0)
    world.server.faults.configure(FAULT_KINDS[kind])
    for call in (client.me, lambda: client.feed(0, 10), lambda: client.feed_raw(0, 10)):
        with pytest.raises((ServerError, OfflineError)) as info:
            call()
        err = info.value
        if kind.startswith("error"):
            assert isinstance(err, ServerError) and err.status == int(kind[-3:])
            assert err.code == "server_error" and f"HTTP {err.status}" in err.message
        else:
            assert isinstance(err, OfflineError) and err.code == "dropped"
        assert err.retryable and err.message
    assert sleeps.delays == []
    assert world.server.faults.counts["error" if kind.startswith("error") else kind] == 3


@pytest.mark.parametrize("kind", list(FAULT_KINDS))
def test_persistent_fault_gives_up_after_retries(world: World, kind: str) -> None:
    sleeps = Sleeps()
    client = client_for(world, "c-coord", sleeps, retries=3)
    world.server.faults.configure(FAULT_KINDS[kind])
    with pytest.raises((ServerError, OfflineError)):
        client.me()
    assert len(sleeps.delays) == 3


# --- flaky platform: retried to success -------------------------------------------------------


@pytest.mark.parametrize("kind", list(FLAKY))
def test_flaky_platform_retried_to_success(world: World, kind: str) -> None:
    for n in range(60):
        world.inject(text=f"Обращение {n}")
    sleeps = Sleeps()
    client = client_for(world, "c-coord", sleeps, retries=8)
    expected = feed_ids(client, 7)
    assert len(expected) == 60
    world.server.faults.configure(FLAKY[kind])
    assert client.me().user.id == "c-coord"
    assert client.staff() and client.categories()
    assert feed_ids(client, 7) == expected
    raw, cursor = [], 0
    while True:
        page = client.feed_raw(cursor, 9)
        raw += [(i["id"], i["version"]) for i in page.items]
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert raw == expected
    assert sleeps.delays, "the seeded faults should have caused at least one retry"
    assert sum(world.server.faults.counts.values()) == len(sleeps.delays)


# --- actions: applied once whatever happens to the responses ---------------------------------


def test_truncated_action_applied_then_replayed_under_same_key(world: World) -> None:
    item = world.inject()
    sleeps = Sleeps()
    client = client_for(world, "c-coord", sleeps, retries=0)
    world.server.faults.configure(FaultConfig(truncate_rate=1.0))
    with pytest.raises(OfflineError) as info:
        client.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"}, idempotency_key="key-route-1")
    assert info.value.code == "dropped"
    applied = stored(world, item.id)
    assert applied.version == 2 and routings(applied) == 1  # applied, although the answer was lost
    world.server.faults.configure(FaultConfig())
    result = client.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"},
                        idempotency_key="key-route-1")
    assert result.version == 2 and result.assignee_id == "c-exec1" and result.status is Status.IN_WORK
    after = stored(world, item.id)
    assert after == applied and routings(after) == 1


@pytest.mark.parametrize("kind", ["truncate", "drop", "error503"])
def test_action_retried_under_one_key_applied_once(world: World, kind: str) -> None:
    item = world.inject()
    sleeps = Sleeps(faults_off_after(world, 3))
    client = client_for(world, "c-coord", sleeps, retries=8)
    world.server.faults.configure(FAULT_KINDS[kind])
    result = client.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    assert len(sleeps.delays) == 3  # three failed attempts, the fourth answered
    after = stored(world, item.id)
    assert result.version == after.version == 2 and routings(after) == 1
    assert [h.action for h in after.history] == ["received", "route_to_executor"]


def test_actions_under_flaky_platform_each_applied_once(world: World) -> None:
    items = [world.inject(text=f"Обращение {n}") for n in range(12)]
    sleeps = Sleeps()
    client = client_for(world, "c-coord", sleeps, retries=8)
    world.server.faults.configure(FaultConfig(error_rate=0.15, drop_rate=0.1, truncate_rate=0.2, seed=5))
    for item in items:
        client.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec2"})
    counts = dict(world.server.faults.counts)
    world.server.faults.configure(FaultConfig())
    assert all(counts.values()), counts  # every kind of fault happened at least once
    assert sum(counts.values()) == len(sleeps.delays)
    for item in items:
        after = stored(world, item.id)
        assert after.version == 2 and routings(after) == 1 and after.assignee_id == "c-exec2"


def test_login_not_retried_on_5xx(world: World) -> None:
    """Login is retried only when the connection could not be made: a 5xx reaches the official at once."""
    sleeps = Sleeps()
    client = PlatformClient(ClientConfig(world.url, retries=5), sleep=sleeps)
    world.clients.append(client)
    world.server.faults.configure(FaultConfig(error_rate=1.0, error_statuses=[502]))
    with pytest.raises(ServerError):
        client.login("c-coord", PASSWORD)
    assert sleeps.delays == []


def test_transient_refresh_failure_does_not_end_session(world_factory: Callable[..., World]) -> None:
    world = world_factory(access_ttl=60)
    sleeps = Sleeps(faults_off_after(world, 1))
    client = client_for(world, "c-coord", sleeps, retries=4)
    world.clock.advance(120)
    world.server.faults.configure(FaultConfig(error_rate=1.0, error_statuses=[503], path_prefix="/api/v1/auth"))
    try:
        me = client.me()
    except AuthExpiredError:
        pytest.fail("the session ended after one 503 from /auth/refresh")
    assert me.user.id == "c-coord"


# --- backoff ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("base", "cap"), [(0.25, 8.0), (0.1, 0.5), (1.0, 2.0)])
def test_backoff_full_jitter_bounds(world: World, base: float, cap: float) -> None:
    sleeps = Sleeps()
    client = PlatformClient(ClientConfig(world.url, retries=8, backoff_base=base, backoff_max=cap),
                            sleep=sleeps, rng=random.Random(1))
    world.clients.append(client)
    client.login("c-coord", PASSWORD)
    world.server.faults.configure(FaultConfig(error_rate=1.0, error_statuses=[503]))
    with pytest.raises(ServerError):
        client.me()
    assert len(sleeps.delays) == 8
    for n, delay in enumerate(sleeps.delays):
        assert 0 <= delay <= min(cap, base * 2**n), (n, delay)
    replay = random.Random(1)
    assert sleeps.delays == [replay.uniform(0, min(cap, base * 2**n)) for n in range(8)]
    assert max(sleeps.delays[4:]) > base  # the jitter window does grow


def test_backoff_differs_between_clients(world: World) -> None:
    """Full jitter: two clients failing together do not come back at the same moments."""
    world.server.faults.configure(FaultConfig(error_rate=1.0, path_prefix="/api/v1/me"))
    runs = []
    for seed in (1, 2):
        sleeps = Sleeps()
        client = PlatformClient(ClientConfig(world.url, retries=5), sleep=sleeps, rng=random.Random(seed))
        world.clients.append(client)
        client.login("c-coord", PASSWORD)
        with pytest.raises(ServerError):
            client.me()
        runs.append(sleeps.delays)
    assert runs[0] != runs[1]
