"""Who sees what across organisations (issue 10, points 4 and 5): redirected items and re-processing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.domain.model import Action, OrgLevel, Role, Status
from offline_cache.domain.staff import ancestors
from offline_cache.errors import ConflictError, ForbiddenError, NotFoundError
from training_platform.server import TrainingServer, build_platform

if TYPE_CHECKING:
    from tests.training_platform.conftest import Driver

STOP = {"comment": "Переписка утратила смысл"}


def test_item_redirected_by_the_settlement_belongs_to_the_city_only(shared_drive: Driver) -> None:
    """v-coord is coordinator and executor of the settlement: its redirect must not make it a participant."""
    origin = shared_drive.new("v")
    redirected = shared_drive.act("v-coord", origin, Action.REDIRECT, {"org_id": "c", "comment": "По компетенции"})
    assert redirected.status is Status.REDIRECTED
    spawned = shared_drive.spawned_from(origin, "c-coord")
    assert spawned.org_id == "c"
    feed = shared_drive.feed_items("v-coord")
    assert origin.id in feed, "the settlement keeps its own, final, record"
    assert spawned.id not in feed, "the city's item is not the settlement's"
    with pytest.raises(NotFoundError):
        shared_drive.client("v-coord").message(spawned.id)
    with pytest.raises(NotFoundError):
        shared_drive.act("v-coord", spawned, Action.TAKE_INTO_WORK)


def test_item_redirected_down_belongs_to_the_settlement(shared_drive: Driver) -> None:
    origin = shared_drive.redirected()  # the city's coordinator sends it to the settlement
    spawned = shared_drive.spawned_from(origin, "v-coord")
    assert spawned.org_id == "v"
    assert spawned.id not in shared_drive.feed_items("c-coord")
    assert spawned.id in shared_drive.feed_items("c-cur"), "the city's curator looks down at the settlement"


def test_regional_coordinator_sees_and_stops_reprocessing_in_the_city(shared_drive: Driver) -> None:
    in_city = shared_drive.reprocessing("v")  # a settlement answer rated low → re-processed by the city
    assert (in_city.org_id, in_city.status) == ("c", Status.REPROCESSING)
    assert in_city.id in shared_drive.feed_items("r-coord"), "the region's coordinator is told at once"
    assert shared_drive.client("r-coord").message(in_city.id).status is Status.REPROCESSING
    with pytest.raises(ForbiddenError):  # the city coordinator routes, but does not stop
        shared_drive.act("c-coord", in_city, Action.STOP_REPROCESSING, STOP)
    with pytest.raises(ForbiddenError):  # the region stops, but does not route the city's items
        shared_drive.act("r-coord", in_city, Action.TAKE_INTO_WORK)
    stopped = shared_drive.act("r-coord", in_city, Action.STOP_REPROCESSING, STOP)
    assert (stopped.status, stopped.version) == (Status.CLOSED, in_city.version + 1)
    assert stopped.history[-1].actor_id == "r-coord"
    assert shared_drive.feed_items("c-coord")[in_city.id].status is Status.CLOSED


def test_regional_coordinator_keeps_seeing_reprocessing_it_did_not_stop(shared_drive: Driver) -> None:
    in_city = shared_drive.reprocessing("v")
    routed = shared_drive.act("c-coord", in_city, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
    assert shared_drive.feed_items("r-coord")[in_city.id].version == routed.version, "the feed brings the change"
    with pytest.raises(ConflictError):  # routed: not re-processing any more, nothing to stop
        shared_drive.act("r-coord", routed, Action.STOP_REPROCESSING, STOP)
    assert shared_drive.new("c").id not in shared_drive.feed_items("r-coord"), "other city items stay the city's"


# --- the demo data ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_server() -> Iterator[TrainingServer]:
    server = TrainingServer(build_platform("demo"))
    server.start()
    yield server
    server.stop()


def test_demo_items_are_seen_only_where_they_belong(demo_server: TrainingServer) -> None:
    """Every demo user's feed holds only items of their organisation, of organisations below a curator,
    and re-processing items of the region for its coordinators."""
    platform = demo_server.platform
    orgs, staff = platform.store.orgs(), platform.store.staff()
    with PlatformClient(ClientConfig(demo_server.url)) as anonymous:
        users = anonymous.demo_users()
    spawned_seen = 0
    for user in users:
        with PlatformClient(ClientConfig(demo_server.url)) as client:
            client.login(user.login, user.password)
            me = client.me().user
            cursor, items = 0, []
            while True:
                page = client.feed(cursor=cursor, limit=500)
                items += page.items
                cursor = page.next_cursor
                if not page.has_more:
                    break
        member = staff[me.id]
        for item in items:
            above = ancestors(item.org_id, orgs)
            curator = Role.CURATOR in member.roles and member.org_id in above
            regional = (Role.COORDINATOR in member.roles and orgs[member.org_id].level is OrgLevel.REGION
                        and member.org_id in above and item.history[0].action == "reprocessing")
            assert item.org_id == member.org_id or curator or regional, (user.login, item.id, item.org_id)
            spawned_seen += item.parent_id is not None
    assert spawned_seen, "the demo has redirected and re-processed items"
