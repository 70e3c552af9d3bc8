"""A regional coordinator's ranking: fetched from the platform, kept in sync_state, read back offline."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from offline_cache import platform_ranking
from offline_cache.contract.models import FaultConfig
from offline_cache.contract.ranking import RankingOut
from offline_cache.errors import ForbiddenError
from offline_cache.ranking import Period
from offline_cache.store.cache import Cache
from tests.offline_cache.test_ranking import MARCH
from tests.world import World


def test_fetched_figures_are_kept_per_period_and_read_back(world: World, tmp_path: Path) -> None:
    world.inject("c")
    world.inject("v")
    cache = Cache.open(tmp_path / "r.posdesk", secrets.token_bytes(32))
    assert platform_ranking.stored(cache, MARCH) is None
    ranking = platform_ranking.fetch(world.client("r-coord"), MARCH)
    assert {r.org_id: r.received for r in ranking.rows} == {"c": 1, "v": 1}
    platform_ranking.store(cache, ranking)
    assert cache.state("ranking:2026-03-01:2026-03-31") is not None
    assert platform_ranking.stored(cache, MARCH) == ranking
    assert platform_ranking.stored(cache, Period.month(datetime(2026, 4, 1).date())) is None
    rows = {r.org_id: r for r in platform_ranking.figures(ranking)}
    assert rows["c"].received == 1 and rows["c"].in_time_share is None
    cache.set_state("ranking:2026-03-01:2026-03-31", "{broken")
    assert platform_ranking.stored(cache, MARCH) is None, "an unreadable copy is fetched again, not shown"
    cache.close()


def test_the_moment_is_labelled_with_its_zone() -> None:
    ranking = RankingOut(start=MARCH.first, end=MARCH.last, scope_org_id="r",
                         computed_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC), rows=[])
    assert platform_ranking.as_of(ranking, "Asia/Yekaterinburg") == "по данным платформы на 10.03.2026 14:00 (UTC+5)"
    assert platform_ranking.as_of(ranking, "Asia/Kolkata").endswith("14:30 (UTC+5:30)")
    assert platform_ranking.as_of(ranking, "America/New_York").endswith("(UTC−4)")


def test_offline_the_kept_figures_and_a_refusal_is_raised(world: World, tmp_path: Path) -> None:
    world.inject("c")
    cache = Cache.open(tmp_path / "r.posdesk", secrets.token_bytes(32))
    client = world.client("r-coord")
    fresh = platform_ranking.fetch_or_stored(client, cache, MARCH)
    assert fresh.fresh and fresh.ranking is not None and fresh.offline_reason == ""
    world.server.faults.configure(FaultConfig(drop_rate=1.0))
    try:
        kept = platform_ranking.fetch_or_stored(client, cache, MARCH)
        assert not kept.fresh and kept.ranking == fresh.ranking and kept.offline_reason
        never = platform_ranking.fetch_or_stored(client, cache, Period.month(date(2026, 1, 1)))
        assert never.ranking is None and never.offline_reason
    finally:
        world.server.faults.configure(FaultConfig())
    with pytest.raises(ForbiddenError):  # an answer, not an outage: the window says why
        platform_ranking.fetch_or_stored(world.client("c-coord"), cache, MARCH)
    cache.close()


def test_only_the_latest_periods_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform_ranking, "KEPT", 3)
    cache = Cache.open(tmp_path / "r.posdesk", secrets.token_bytes(32))
    periods = [Period(date(2026, 3, day), date(2026, 3, 20)) for day in range(1, 6)]
    for n, period in enumerate(periods):
        platform_ranking.store(cache, RankingOut(start=period.first, end=period.last, scope_org_id="r",
                                                 computed_at=datetime(2026, 3, 10, 9, n, tzinfo=UTC), rows=[]))
    assert [platform_ranking.stored(cache, p) is not None for p in periods] == [False, False, True, True, True]
    cache.close()
