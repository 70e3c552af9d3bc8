"""The platform's clock: the skew measured at each sync, kept in the cache, reported beyond two minutes (and once
when back), and the platform's time used for the official's actions."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from offline_cache.actions import perform
from offline_cache.client import PlatformClient
from offline_cache.clock import SKEW_WARNING_SECONDS, measure_skew, platform_now, skew_seconds, skew_warning
from offline_cache.contract.models import Me
from offline_cache.domain.model import Action
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine, SyncListener, SyncStatus
from tests.world import World


class _Shifted(PlatformClient):
    """A real client whose platform clock reads ``offset`` seconds from the computer's."""

    offset = 0.0

    def me(self) -> Me:
        me = super().me()
        return me.model_copy(update={"server_time": datetime.now(UTC) + timedelta(seconds=self.offset)})


class _Skews(SyncListener):
    def __init__(self) -> None:
        self.seen: list[float] = []

    def clock_skew(self, seconds: float) -> None:
        self.seen.append(seconds)


def test_skew_arithmetic_and_warning() -> None:
    sent = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert measure_skew(sent + timedelta(minutes=5, seconds=1), sent, sent + timedelta(seconds=2)) == 300.0
    assert skew_warning(SKEW_WARNING_SECONDS) is None and skew_warning(-SKEW_WARNING_SECONDS) is None
    assert "отстают от часов платформы примерно на 5 мин" in (skew_warning(300) or "")
    assert "спешат" in (skew_warning(-3600) or "")


def test_skew_is_kept_reported_and_used_for_actions(world: World, tmp_path: Path) -> None:
    item = world.inject()
    client = world.client()
    client.__class__ = _Shifted
    client.login("c-coord", "pw")
    listener = _Skews()
    cache = Cache.open(tmp_path / "clock.posdesk", secrets.token_bytes(32))
    engine = SyncEngine(cache, client, listener)

    client.offset = 30.0  # type: ignore[attr-defined]
    assert engine.sync_once().status is SyncStatus.IDLE
    assert abs(skew_seconds(cache) - 30) < 5 and listener.seen == [], "within two minutes: no warning"
    client.offset = -600.0  # type: ignore[attr-defined]
    engine.sync_once()
    assert len(listener.seen) == 1 and abs(listener.seen[0] + 600) < 5
    moment = platform_now(cache)
    assert abs((moment - datetime.now(UTC)).total_seconds() + 600) < 5
    queued = perform(cache, item.id, Action.TAKE_INTO_WORK, {})
    assert abs((queued.item.updated_at - moment).total_seconds()) < 5, "the action is stamped in platform time"
    client.offset = 0.0  # type: ignore[attr-defined]
    engine.sync_once()
    assert len(listener.seen) == 2 and abs(listener.seen[1]) < 5, "once more when back, to clear the warning"
    engine.sync_once()
    assert len(listener.seen) == 2
    cache.close()
