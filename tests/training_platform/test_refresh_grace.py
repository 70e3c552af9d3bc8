"""Refresh rotation with a grace period: a lost answer does not end the session; reuse later revokes the family."""

from __future__ import annotations

import pytest

from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.contract.models import FaultConfig
from offline_cache.errors import AuthExpiredError
from tests.world import PASSWORD, World
from training_platform.service import ApiError


def works(world: World, access_token: str) -> bool:
    try:
        world.platform.authenticate(access_token)
        return True
    except ApiError:
        return False


def test_the_old_refresh_token_gives_the_same_pair_within_the_grace(world: World) -> None:
    first = world.platform.login("c-exec1", PASSWORD)
    second = world.platform.refresh(first.refresh_token)  # the answer is "lost"
    world.clock.advance(59)
    again = world.platform.refresh(first.refresh_token)
    assert again == second and works(world, again.access_token)
    third = world.platform.refresh(second.refresh_token)  # the session goes on from the pair it got
    assert works(world, third.access_token) and third.refresh_token != second.refresh_token


def test_reuse_after_the_grace_revokes_the_whole_family(world: World) -> None:
    first = world.platform.login("c-exec1", PASSWORD)
    other = world.platform.login("c-exec1", PASSWORD)  # another login: another family, untouched
    second = world.platform.refresh(first.refresh_token)
    third = world.platform.refresh(second.refresh_token)
    world.clock.advance(61)
    with pytest.raises(ApiError) as refused:
        world.platform.refresh(first.refresh_token)  # a replayed (stolen) token
    assert refused.value.status == 401 and "отозван" in refused.value.message
    assert not works(world, third.access_token) and not works(world, second.access_token)
    with pytest.raises(ApiError):
        world.platform.refresh(third.refresh_token)  # the family's live refresh token is gone too
    with pytest.raises(ApiError):
        world.platform.refresh(second.refresh_token)  # and the grace of spent ones
    assert works(world, other.access_token)
    assert works(world, world.platform.refresh(other.refresh_token).access_token)


def test_a_refresh_whose_answer_is_lost_is_repeated_by_the_client(world: World) -> None:
    """Over HTTP: the platform rotates, the body is truncated on the way; the client retries and goes on."""
    truncated: list[int] = []

    def sleep(_seconds: float) -> None:  # before the retry: the network is back
        truncated.append(world.server.faults.counts["truncate"])
        world.server.faults.configure(FaultConfig())

    client = PlatformClient(ClientConfig(world.url), sleep=sleep)
    world.clients.append(client)
    client.login("c-exec1", PASSWORD)
    before = client.tokens
    world.server.faults.configure(FaultConfig(truncate_rate=1.0, path_prefix="/api/v1/auth/refresh"))
    pair = client.refresh()
    assert truncated == [1]  # the platform rotated, the answer was cut, the client asked again
    assert before is not None and pair.refresh_token != before.refresh_token
    assert client.me().user.id == "c-exec1"  # the session survived the lost answer
    world.clock.advance(120)
    client.tokens = before  # an attacker replays the old refresh token after the grace
    with pytest.raises(AuthExpiredError):
        client.refresh()
    client.tokens = pair
    with pytest.raises(AuthExpiredError):  # the whole family was revoked: the official logs in again
        client.refresh()
