"""Logout and wipe: refused while the cache holds undelivered actions (listed first), done after an explicit
discard of exactly those, or at once when the outbox is empty."""

from __future__ import annotations

import pytest

from offline_cache import cli
from offline_cache.actions import perform
from offline_cache.domain.model import Action
from offline_cache.profile import ProfileSettings, cache_path, load_tokens, remembered
from offline_cache.store.cache import Cache
from offline_cache.store.vault import stored_key
from offline_cache.wipe import WipeRefused, wipe_profile
from tests.world import PASSWORD, World


def synced(world: World, monkeypatch: pytest.MonkeyPatch) -> ProfileSettings:
    monkeypatch.setenv("POSDESK_PASSWORD", PASSWORD)
    assert cli.main(["--url", world.url, "--login", "c-coord", "sync", "--once"]) == 0
    monkeypatch.delenv("POSDESK_PASSWORD")
    return ProfileSettings(world.url, "c-coord")


def queue_offline(settings: ProfileSettings, item_ids: list[str]) -> None:
    key = stored_key(settings.profile)
    assert key is not None
    cache = Cache.open(cache_path(settings.profile), key)
    for item_id in item_ids:
        perform(cache, item_id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
    cache.close()


@pytest.mark.usefixtures("posdesk_home", "memory_keyring")
def test_wipe_is_refused_with_undelivered_actions_listed_then_done_after_explicit_discard(
        world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    items = [world.inject(), world.inject()]
    settings = synced(world, monkeypatch)
    queue_offline(settings, [i.id for i in items])
    path = cache_path(settings.profile)
    with pytest.raises(WipeRefused) as refused:
        wipe_profile(settings, stored_key(settings.profile))
    assert len(refused.value.entries) == 2
    assert all(f"№ {i.number}" in refused.value.message for i in items) and "2 не доставленных" in refused.value.message
    with pytest.raises(WipeRefused):
        wipe_profile(settings, stored_key(settings.profile), discard_undelivered=1)  # not what is there
    assert path.exists() and stored_key(settings.profile) is not None

    capsys.readouterr()
    assert cli.main(["logout", "--wipe"]) == 2
    err = capsys.readouterr().err
    assert items[0].number in err and "--discard-undelivered 2" in err and path.exists()
    assert cli.main(["logout", "--wipe", "--discard-undelivered", "2"]) == 0
    assert "отказались: 2" in capsys.readouterr().out
    assert not path.exists() and not list(path.parent.glob("*.posdesk*"))
    assert stored_key(settings.profile) is None and load_tokens(settings.profile) is None and remembered() is None


@pytest.mark.usefixtures("posdesk_home", "memory_keyring")
def test_logout_keeps_the_cache_and_wipe_with_an_empty_outbox_goes_at_once(
        world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    item = world.inject()
    settings = synced(world, monkeypatch)
    queue_offline(settings, [item.id])
    monkeypatch.setenv("POSDESK_PASSWORD", PASSWORD)
    assert cli.main(["sync", "--once"]) == 0  # delivered: nothing is waiting any more
    monkeypatch.delenv("POSDESK_PASSWORD")
    assert cli.main(["logout"]) == 0
    assert load_tokens(settings.profile) is None and cache_path(settings.profile).exists()
    assert cli.main(["logout", "--wipe"]) == 0
    assert "отказались" not in capsys.readouterr().out
    assert not cache_path(settings.profile).exists() and stored_key(settings.profile) is None
