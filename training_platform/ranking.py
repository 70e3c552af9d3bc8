"""GET /reports/ranking: the platform computes the ranking's figures and sends aggregates only.

A regional coordinator gets from the feed only the items under re-processing, so their cache cannot rank the
region's organisations; sending them every citizen's message for that would break data minimisation
(152-ФЗ). The platform computes the same five figures as ``offline_cache.ranking`` (which a curator computes
from the cache) from its own items, with the same definitions, and answers with counts and averages.
"""

# No "from __future__ import annotations": FastAPI must resolve the route's Annotated[..., Depends(user)] at once.
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Query

from offline_cache.contract.models import API_PREFIX
from offline_cache.contract.ranking import RANKING_PATH, RankingOut, RankingRowOut
from offline_cache.domain.model import OrgLevel, Role, Status
from offline_cache.domain.staff import Actor, Organisation, StaffMember, descendants
from offline_cache.domain.workflow import LOW_RATING_MAX
from training_platform.service import ApiError, Platform

#: How the platform words a rating in history (``domain.workflow.apply_rating``).
RATING_PREFIX = "оценка заявителя: "
#: The longest period served: a year and a day (a leap year's full year, either way round).
MAX_DAYS = 367
REFUSAL = ("Рейтинг организаций доступен куратору (по подчинённым организациям) и координатору края "
           "(по организациям края)")


def may_rank(actor: Actor, org: Organisation) -> bool:
    """A curator ranks the organisations below theirs; a coordinator of the region, the region's."""
    return Role.CURATOR in actor.roles or (Role.COORDINATOR in actor.roles and org.level is OrgLevel.REGION)


def bounds(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    """Days [first, last] as moments [start, end) on the calendar of ``zone``."""
    tz = ZoneInfo(zone)
    return (datetime.combine(first, time(0, 0), tzinfo=tz),
            datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=tz))


@dataclass(slots=True)
class Facts:
    """What the figures need of one item: its moments, its rating, and its answers and ratings in history."""

    received_at: datetime
    due_at: datetime
    registered_at: datetime
    rating: int | None
    answers: list[datetime] = field(default_factory=list)
    ratings: list[tuple[datetime, str]] = field(default_factory=list)  # (at, comment)


# The few fields the figures need, cut out by one json_extract (the item parsed once, in C) and loaded as
# plain JSON (100,000 demo items, one run on the loaded machine: the whole ranking 6.5 s; parsing the items as
# models alone 8.1 s in the same run; six ->> and a json_each per item: 6.2 s against 6.0 s for models). The
# rest is the JSON itself: a table of answer/rating facts kept by put_item would make it a query.
_FACTS = """
SELECT org_id, json_extract(data, '$.received_at', '$.due_at', '$.registered_at', '$.rating', '$.history')
FROM items WHERE org_id IN ({marks})
"""


def read_facts(conn: Any, lock: Any, org_ids: list[str]) -> dict[str, list[Facts]]:
    """Each organisation's items as ``Facts``, from the platform's store; only the read holds ``lock``, the
    parsing (most of the time) does not block the other requests."""
    marks = ",".join("?" * len(org_ids)) or "NULL"
    with lock:
        rows = conn.execute(_FACTS.format(marks=marks), org_ids).fetchall()
    by_org: dict[str, list[Facts]] = {}
    answered = Status.ANSWERED.value  # once: an enum member's .value costs a descriptor call per entry
    for org_id, raw in rows:
        received, due, registered, rating, history = json.loads(raw)
        facts = Facts(datetime.fromisoformat(received), datetime.fromisoformat(due),
                      datetime.fromisoformat(registered), None if rating is None else int(rating))
        for entry in history or ():
            if entry.get("to_status") == answered:
                facts.answers.append(datetime.fromisoformat(entry["at"]))
            if entry.get("action") == "rated":
                facts.ratings.append((datetime.fromisoformat(entry["at"]), entry.get("comment") or ""))
        by_org.setdefault(str(org_id), []).append(facts)
    return by_org


def _score(comment: str, rating: int | None) -> int | None:
    """The rating a «rated» entry records; the item's record when the entry lacks it (as the cache reads it)."""
    if comment.startswith(RATING_PREFIX):
        try:
            return int(comment[len(RATING_PREFIX):])
        except ValueError:
            return None  # SQLite's CAST of a non-number gives 0, but the platform never writes one
    return rating


def org_row(org: Organisation, items: list[Facts], first: date, last: date) -> RankingRowOut:
    """One organisation's figures from its own items (``offline_cache.ranking``'s definitions)."""
    start, end = bounds(first, last, org.timezone)
    received = answered = in_time = rated = reprocessed = 0
    hours: list[float] = []
    scores: list[int] = []
    for item in items:
        if start <= item.received_at < end:
            received += 1
        answers = [at for at in item.answers if start <= at < end]
        if answers:
            at = max(answers)  # an item counts once, at its last answer of the period
            answered += 1
            in_time += at < item.due_at
            hours.append((at - item.registered_at).total_seconds() / 3600)
        ratings = [(at, comment) for at, comment in item.ratings if start <= at < end]
        # The last rating of the period that records a score (an entry without one is passed over).
        for _at, comment in sorted(ratings, key=lambda r: r[0], reverse=True):
            score = _score(comment, item.rating)
            if score is not None:
                rated += 1
                scores.append(score)
                reprocessed += score <= LOW_RATING_MAX
                break
    return RankingRowOut(
        org_id=org.id, name=org.name, level=org.level, parent_id=org.parent_id, timezone=org.timezone,
        received=received, answered=answered, answered_in_time=in_time,
        in_time_share=in_time / answered if answered else None,
        average_hours=sum(hours) / len(hours) if hours else None, rated=rated,
        average_rating=sum(scores) / len(scores) if scores else None, reprocessed=reprocessed,
        reprocessed_share=reprocessed / rated if rated else None)


def ranking(platform: Platform, user: StaffMember, first: date, last: date) -> RankingOut:
    """The figures of every organisation below the caller's, or 403 for whom the domain does not allow it."""
    if last < first:
        raise ApiError(422, "invalid", "Конец периода раньше начала", field="end")
    if (last - first).days + 1 > MAX_DAYS:
        raise ApiError(422, "invalid", f"Период длиннее {MAX_DAYS} дней", field="end")
    store = platform.store
    with store.lock:
        orgs = store.orgs()
        if not may_rank(platform.actor(user), orgs[user.org_id]):
            raise ApiError(403, "forbidden", REFUSAL)
        below = sorted((orgs[o] for o in descendants(user.org_id, orgs)), key=lambda o: (o.name, o.id))
    by_org = read_facts(store.conn, store.lock, [o.id for o in below])
    return RankingOut(start=first, end=last, scope_org_id=user.org_id, computed_at=platform.clock.now(),
                      rows=[org_row(o, by_org.get(o.id, []), first, last) for o in below])


def install_ranking_route(api: FastAPI, platform: Platform, user: Callable[..., StaffMember],
                          errors: dict[int | str, dict[str, object]]) -> None:
    """Register GET /reports/ranking; ``user`` is the app's dependency giving the authenticated member."""

    @api.get(f"{API_PREFIX}{RANKING_PATH}", responses=errors, tags=["reports"])
    def ranking_route(u: Annotated[StaffMember, Depends(user)], start: Annotated[date, Query()],
                      end: Annotated[date, Query()]) -> RankingOut:
        return ranking(platform, u, start, end)
