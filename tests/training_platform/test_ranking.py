"""GET /reports/ranking: the platform's figures equal the curator's cache's, and only who may rank gets them."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path

import httpx
import pytest

from offline_cache.contract.ranking import RankingOut
from offline_cache.domain.staff import Organisation
from offline_cache.ranking import compute, subordinates
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine, SyncListener
from tests.offline_cache.test_ranking import MARCH, ORGS, OTHERS
from tests.offline_cache.test_reports import MONTH
from tests.world import World

PARAMS = {"start": "2026-03-01", "end": "2026-03-31"}


def _seed(world: World) -> None:
    """The offline ranking test's organisations and items, stored on the platform as it would hold them."""
    with world.platform.store.transaction():
        for org in ORGS:
            if org.id not in world.platform.store.orgs():
                world.platform.store.put_org(Organisation(org.id, org.name, org.level, org.parent_id, org.timezone))
        for item in [*MONTH, *OTHERS]:
            world.platform.store.put_item(item)


def _get(world: World, user_id: str, params: dict[str, str] = PARAMS) -> httpx.Response:
    token = world.client(user_id).tokens
    assert token is not None
    return httpx.get(f"{world.url}/api/v1/reports/ranking", params=params,
                     headers={"Authorization": f"Bearer {token.access_token}"}, timeout=20)


def test_the_platforms_figures_equal_the_curators_cache(world: World, tmp_path: Path) -> None:
    _seed(world)
    cache = Cache.open(tmp_path / "cur.posdesk", secrets.token_bytes(32))
    engine = SyncEngine(cache, world.client("r-cur"), SyncListener())
    engine.sync_once()
    expected = {r.org_id: r for r in compute(cache.db.conn, subordinates(cache.organisations(), "r"), MARCH)}
    cache.close()
    assert expected["c"].received and expected["v"].rated, "the curator's cache holds the subordinates' items"

    for user_id in ("r-coord", "r-cur"):
        response = _get(world, user_id)
        assert response.status_code == 200, response.text
        ranking = RankingOut.model_validate(response.json())
        assert (ranking.start, ranking.end, ranking.scope_org_id) == (date(2026, 3, 1), date(2026, 3, 31), "r")
        got = {r.org_id: r for r in ranking.rows}
        assert set(got) == set(expected) == {"b", "c", "v", "y"}, "every organisation of the region, no more"
        for org_id, mine in expected.items():
            row = got[org_id]
            assert (row.received, row.answered, row.answered_in_time, row.rated, row.reprocessed) == (
                mine.received, mine.answered, mine.answered_in_time, mine.rated, mine.reprocessed), org_id
            assert row.in_time_share == mine.in_time_share and row.reprocessed_share == mine.reprocessed_share
            for theirs, ours in ((row.average_hours, mine.average_hours), (row.average_rating, mine.average_rating)):
                assert theirs == (None if ours is None else pytest.approx(ours)), org_id


def test_a_municipal_curator_ranks_only_below_their_organisation(world: World) -> None:
    _seed(world)
    response = _get(world, "c-cur")
    assert response.status_code == 200
    assert [r["org_id"] for r in response.json()["rows"]] == ["v"]


@pytest.mark.parametrize("user_id", ["r-exec", "c-coord", "r-head", "v-coord"])
def test_others_are_refused_in_russian(world: World, user_id: str) -> None:
    response = _get(world, user_id)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden" and "координатору края" in error["message"]


def test_a_bad_period_is_refused(world: World) -> None:
    assert _get(world, "r-coord", {"start": "2026-03-31", "end": "2026-03-01"}).status_code == 422
    assert _get(world, "r-coord", {"start": "2025-01-01", "end": "2026-03-01"}).status_code == 422
    assert _get(world, "r-coord", {"start": "2026-03-01"}).status_code == 422
