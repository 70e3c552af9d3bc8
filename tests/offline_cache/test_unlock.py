"""Unlocking headless: the Argon2id hash kept in the cache, the platform as judge when reachable, the delay."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from offline_cache.client import ClientConfig
from offline_cache.store.cache import Cache
from offline_cache.unlock import (
    FIRST_DELAY,
    Attempts,
    Unlocker,
    check_offline,
    kept_record,
    platform_check,
    remember_password,
)
from tests.desktop.profiles import Relay
from tests.world import PASSWORD, World


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache.open(tmp_path / "c.posdesk", secrets.token_bytes(32))


def test_the_kept_hash_is_argon2id_and_checks_only_the_right_password(cache: Cache) -> None:
    remember_password(cache, "c-exec1", "верный пароль")
    record = json.loads(kept_record(cache) or "{}")
    assert record["login"] == "c-exec1" and record["hash"].startswith("$argon2id$")
    assert "верный пароль" not in (kept_record(cache) or "")
    assert check_offline(kept_record(cache), "c-exec1", "верный пароль") is True
    assert check_offline(kept_record(cache), "c-exec1", "неверный") is False
    assert check_offline(kept_record(cache), "c-coord", "верный пароль") is None  # someone else's hash
    assert check_offline(None, "c-exec1", "верный пароль") is None
    assert check_offline('{"login": "c-exec1", "hash": "мусор"}', "c-exec1", "x") is None


def test_five_wrong_tries_block_for_a_delay_that_doubles() -> None:
    clock = FakeClock()
    attempts = Attempts(clock)
    for _ in range(4):
        attempts.failed()
        assert attempts.blocked_for() == 0
    attempts.failed()
    assert attempts.blocked_for() == FIRST_DELAY == 30
    clock.now += 29
    assert attempts.blocked_for() == 1
    clock.now += 1
    assert attempts.blocked_for() == 0
    attempts.failed()  # the sixth in a row
    assert attempts.blocked_for() == 60
    clock.now += 60
    attempts.failed()
    assert attempts.blocked_for() == 120
    attempts.succeeded()
    assert attempts.blocked_for() == 0 and attempts.wrong == 0


def test_unlock_online_while_reachable_and_offline_from_the_hash(world: World, cache: Cache) -> None:
    relay = Relay(world.url)
    remembered: list[str] = []
    clock = FakeClock()
    unlocker = Unlocker("c-exec1", online=platform_check(ClientConfig(relay.url), "c-exec1"), clock=clock,
                        remember=remembered.append)
    assert unlocker.verify(PASSWORD, None).by == "online" and unlocker.verify(PASSWORD, None).ok
    assert remembered == [PASSWORD, PASSWORD]  # the platform confirmed it: the hash is refreshed
    wrong = unlocker.verify("не тот", None)
    assert not wrong.ok and wrong.by == "online" and "Осталось попыток до паузы: 4" in wrong.message

    relay.down()  # the network is gone: the kept hash decides
    remember_password(cache, "c-exec1", PASSWORD)
    kept = kept_record(cache)
    assert unlocker.verify(PASSWORD, kept) == unlocker.verify(PASSWORD, kept)
    right = unlocker.verify(PASSWORD, kept)
    assert right.ok and right.by == "offline"
    for n in range(5):
        refused = unlocker.verify("не тот", kept)
        assert not refused.ok and refused.by == "offline", n
    assert "через 30 с" in refused.message
    blocked = unlocker.verify(PASSWORD, kept)  # even the right password waits out the block
    assert not blocked.ok and blocked.wait == 30 and blocked.by == ""
    clock.now += 30
    assert unlocker.verify(PASSWORD, kept).ok
    nothing_kept = unlocker.verify(PASSWORD, None)
    assert not nothing_kept.ok and "Нет связи с платформой" in nothing_kept.message
    relay.down()  # closes the relay's sockets
