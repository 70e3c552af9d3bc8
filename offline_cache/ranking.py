"""The ranking of subordinate organisations (issue 13 p.6) from the cache, on monthly_summary's definitions.

Who is ranked: every organisation below the curator's own, at any depth (the platform lets a curator see
the queues of all of them, ``training_platform.service.Platform._scope``); each organisation counts only
its own items, so a municipality's row does not include its settlements. The curator's own organisation
is not ranked. The period is a range of days [first, last] on each organisation's own calendar (its time
zone), so a month here is exactly ``offline_cache.reports.month_bounds``.

The five figures (FIGURES holds the Russian text the window shows) follow the monthly summary
(``offline_cache.reports``):
- messages: items whose ``received_at`` falls in the period (the summary's «received»);
- share answered in time: of the items with an entry into «answered» in the period, each counted once at its
  last answer of the period, those answered before ``due_at`` (the summary's in time / (in time + late));
- average time: hours from registration to that answer (the summary's average time to answer);
- average rating: over the items rated in the period (history action «rated»), the rating its entry
  records (the item's record when the entry lacks it);
- share re-processed: of those rated items, the ones rated 1-2, which the platform sends for processing
  again (the summary's «re-processed after a low rating» / the number rated).

One read per time zone of the period's history entries serves all the organisations (instead of the
summary once per organisation); tests check the two agree on each figure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from offline_cache.contract.models import Me, OrganisationOut
from offline_cache.domain.model import OrgLevel, Role
from offline_cache.domain.workflow import LOW_RATING_MAX
from offline_cache.reports import RATING_PREFIX, roomy_cache  # the summary's wording and page cache rule
from offline_cache.store.items import iso


class Figure(StrEnum):
    """What the organisations are ranked by."""

    MESSAGES = "messages"
    IN_TIME_SHARE = "in_time_share"
    AVERAGE_HOURS = "average_hours"
    AVERAGE_RATING = "average_rating"
    REPROCESSED_SHARE = "reprocessed_share"


@dataclass(frozen=True, slots=True)
class FigureInfo:
    """How a figure is named, shown and ordered; ``definition`` says how it is computed (Russian)."""

    title: str
    short: str  # the table's column
    unit: str
    definition: str
    higher_is_better: bool


FIGURES: dict[Figure, FigureInfo] = {
    Figure.MESSAGES: FigureInfo(
        "Сообщений", "Сообщений", "шт.",
        "Число сообщений и обращений, поступивших в организацию за период (дата поступления в её часовом поясе).",
        True),
    Figure.IN_TIME_SHARE: FigureInfo(
        "Ответов в срок", "В срок", "%",
        "Доля ответов в срок: из сообщений, получивших ответ за период (по последнему ответу за период), — "
        "те, где ответ дан раньше установленного срока (с учётом продления обращения).",
        True),
    Figure.AVERAGE_HOURS: FigureInfo(
        "Среднее время ответа", "Ср. время", "ч",
        "Среднее время ответа в часах: от регистрации до ответа, по сообщениям, получившим ответ за период.",
        False),
    Figure.AVERAGE_RATING: FigureInfo(
        "Средняя оценка", "Ср. оценка", "балла",
        "Средняя оценка заявителей (1–5) по сообщениям, оценённым за период (последняя оценка за период).",
        True),
    Figure.REPROCESSED_SHARE: FigureInfo(
        "Доля повторной обработки", "Повторно", "%",
        f"Доля повторной обработки: из сообщений, оценённых за период, — оценённые на 1–{LOW_RATING_MAX} "
        "балла; такие ответы платформа отправляет на повторное рассмотрение.",
        False),
}


@dataclass(frozen=True, slots=True)
class Period:
    """Days [first, last], both included, on each organisation's calendar."""

    first: date
    last: date

    @classmethod
    def month(cls, day: date) -> Period:
        first = day.replace(day=1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return cls(first, following - timedelta(days=1))

    def bounds(self, zone: str | ZoneInfo) -> tuple[str, str]:
        """The period as stored UTC strings [start, end) in ``zone``."""
        tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        start = iso(datetime.combine(self.first, time(0, 0), tzinfo=tz))
        end = iso(datetime.combine(self.last + timedelta(days=1), time(0, 0), tzinfo=tz))
        assert start is not None and end is not None
        return start, end


@dataclass(frozen=True, slots=True)
class OrgFigures:
    """One organisation's row: the counts behind the figures, and the figures."""

    org_id: str
    name: str
    level: OrgLevel
    parent_id: str | None
    received: int = 0
    answered: int = 0
    answered_in_time: int = 0
    average_hours: float | None = None
    rated: int = 0
    average_rating: float | None = None
    reprocessed: int = 0

    @property
    def in_time_share(self) -> float | None:
        return self.answered_in_time / self.answered if self.answered else None

    @property
    def reprocessed_share(self) -> float | None:
        return self.reprocessed / self.rated if self.rated else None

    def value(self, figure: Figure) -> float | None:
        if figure is Figure.MESSAGES:
            return float(self.received)
        result: float | None = getattr(self, figure.value)
        return result


@dataclass(frozen=True, slots=True)
class Ranking:
    """The ranked rows for a period, ordered by ``figure``."""

    period: Period
    figure: Figure
    descending: bool
    rows: tuple[OrgFigures, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Access:
    """Whether the official may rank, which organisations, and if not, why (Russian)."""

    allowed: bool
    scope_org_id: str = ""
    reason: str = ""
    from_platform: bool = False  # the figures come from the platform, not from the cache


def subordinates(orgs: Iterable[OrganisationOut], org_id: str) -> list[OrganisationOut]:
    """Every organisation below ``org_id``, at any depth, in the order of the directory walk (by id)."""
    children: dict[str | None, list[OrganisationOut]] = {}
    for org in orgs:
        children.setdefault(org.parent_id, []).append(org)
    found: list[OrganisationOut] = []
    seen = {org_id}
    frontier = [org_id]
    while frontier:
        for child in sorted(children.get(frontier.pop(0), []), key=lambda o: o.id):
            if child.id not in seen:  # a malformed directory with a cycle must not loop
                seen.add(child.id)
                found.append(child)
                frontier.append(child.id)
    return found


def access(me: Me, orgs: Sequence[OrganisationOut]) -> Access | None:
    """Whether ``me`` is offered the ranking (None: not at all), and whether the cache or the platform computes it."""
    roles = set(me.effective_roles)
    org = me.organisation
    regional_coordinator = Role.COORDINATOR in roles and org.level is OrgLevel.REGION
    if Role.CURATOR not in roles and not regional_coordinator:
        return None
    if not subordinates(orgs, org.id):
        return Access(False, org.id, "У вашей организации нет подчинённых организаций: сравнивать некого.")
    if Role.CURATOR not in roles:
        # The platform sends a regional coordinator only the subordinates' items under re-processing
        # (tests/training_platform/test_visibility.py), so their cache cannot rank: the platform computes the
        # figures (GET /reports/ranking) and sends aggregates only (``offline_cache.platform_ranking``).
        return Access(True, org.id, from_platform=True)
    return Access(True, org.id)


# The period's answers and ratings, each with its item's organisation, deadline and registration: one probe
# of items per entry; Python then counts (an item once, at its last answer of the period), as the monthly
# summary does. With migration 0008's covering indexes (``offline_cache.reports.INDEXES``) every read here is
# index-only; with plain (to_status, at) and (action, at) each entry costs a visit to its history row; with
# neither (a cache the code meets before it migrates), the period's entries come from one scan of history.
# The unary + keeps the organisation out of the item probe: with items (id, org_id, ...) the planner would
# otherwise probe once per organisation of the list (23x).
_VALUE = """
    CASE h.kind WHEN 'answered' THEN (julianday(h.at) - julianday(i.registered_at)) * 24.0
        ELSE COALESCE(
            CASE WHEN substr(h.comment, 1, :prefix_len) = :prefix THEN CAST(substr(h.comment, :prefix_len + 1)
                 AS INTEGER) END,
            (SELECT CAST(r.record ->> '$.rating' AS INTEGER) FROM item_records r WHERE r.id = h.item_id))
    END"""
_BY_INDEX = """
    SELECT item_id, 'answered' AS kind, at, NULL AS comment FROM history
    WHERE to_status = 'answered' AND at >= :start AND at < :end
    UNION ALL
    SELECT item_id, 'rated', at, comment FROM history WHERE action = 'rated' AND at >= :start AND at < :end"""
_BY_SCAN = """
    SELECT item_id, CASE WHEN action = 'rated' THEN 'rated' ELSE 'answered' END AS kind, at, comment FROM history
    WHERE at >= :start AND at < :end AND (to_status = 'answered' OR action = 'rated')"""
_ENTRIES = """
SELECT h.item_id, h.kind, h.at, i.org_id, i.due_at, {value}
FROM ({entries}) h CROSS JOIN items i ON i.id = h.item_id
WHERE +i.org_id IN (SELECT value FROM json_each(:orgs))
"""

_RECEIVED = """
SELECT org_id, COUNT(*) FROM items {hint}
WHERE org_id IN (SELECT value FROM json_each(:orgs)) AND received_at >= :start AND received_at < :end
GROUP BY org_id
"""


def _index(conn: Any, table: str, columns: str) -> str | None:
    """The name of an index on ``table`` that starts with ``columns`` ("a,b"), if there is one."""
    row = conn.execute(
        "SELECT l.name FROM pragma_index_list(?) l WHERE (SELECT group_concat(name, ',') FROM (SELECT name FROM "
        "pragma_index_info(l.name) ORDER BY seqno LIMIT ?)) = ? ORDER BY l.name",
        (table, columns.count(",") + 1, columns)).fetchone()
    return None if row is None else str(row[0])


def _queries(conn: Any) -> tuple[str, str]:
    """The SQL for answers and ratings, and for messages received, fit for the indexes this cache has.
    Without an index on items (org_id, received_at) one scan of items beats probing the table through
    items_org for each of the organisations' items (10x over 100,000 items)."""
    by_index = _index(conn, "history", "to_status,at") and _index(conn, "history", "action,at")
    entries = _ENTRIES.format(value=_VALUE, entries=_BY_INDEX if by_index else _BY_SCAN)
    received = _RECEIVED.format(hint="" if _index(conn, "items", "org_id,received_at") else "NOT INDEXED")
    return entries, received


def compute(conn: Any, orgs: Sequence[OrganisationOut], period: Period) -> list[OrgFigures]:
    """The figures of each organisation in ``orgs`` for ``period``, from the cache's connection (read only)."""
    received: dict[str, int] = {}
    answers: dict[str, tuple[str, str, str, float]] = {}  # item → its last answer of the period: at, org, due, hours
    ratings: dict[str, tuple[str, str, int]] = {}  # item → its last rating of the period: at, org, score
    by_zone: dict[str, list[str]] = {}
    for org in orgs:
        by_zone.setdefault(org.timezone, []).append(org.id)
    with roomy_cache(conn):
        entries_sql, received_sql = _queries(conn)
        for zone, ids in sorted(by_zone.items()):
            start, end = period.bounds(zone)
            params = {"orgs": json.dumps(ids), "start": start, "end": end, "prefix": RATING_PREFIX,
                      "prefix_len": len(RATING_PREFIX)}
            received.update((str(org_id), int(n)) for org_id, n in conn.execute(received_sql, params))
            for item_id, kind, at, org_id, due_at, value in conn.execute(entries_sql, params):
                if kind == "answered":
                    if item_id not in answers or at > answers[item_id][0]:
                        answers[item_id] = (at, org_id, due_at, float(value))
                elif value is not None and (item_id not in ratings or at > ratings[item_id][0]):
                    ratings[item_id] = (at, org_id, int(value))
    counts: dict[str, dict[str, Any]] = {o.id: {"received": received.get(o.id, 0)} for o in orgs}
    hours: dict[str, list[float]] = {}
    for at, org_id, due_at, spent in answers.values():
        row = counts[org_id]
        row["answered"] = row.get("answered", 0) + 1
        row["answered_in_time"] = row.get("answered_in_time", 0) + (at < due_at)
        hours.setdefault(org_id, []).append(spent)
    scores: dict[str, list[int]] = {}
    for _at, org_id, score in ratings.values():
        scores.setdefault(org_id, []).append(score)
    for org_id, taken in hours.items():
        counts[org_id]["average_hours"] = sum(taken) / len(taken)
    for org_id, given in scores.items():
        counts[org_id].update(rated=len(given), average_rating=sum(given) / len(given),
                              reprocessed=sum(1 for s in given if s <= LOW_RATING_MAX))
    return [OrgFigures(o.id, o.name, o.level, o.parent_id, **counts[o.id]) for o in orgs]


def ordered(rows: Iterable[OrgFigures], figure: Figure, descending: bool | None = None) -> list[OrgFigures]:
    """``rows`` by ``figure`` (best first unless told), organisations without the figure last whatever the
    direction; ties by name, then id, so the order never depends on the query's."""
    down = FIGURES[figure].higher_is_better if descending is None else descending
    rows = list(rows)
    present = [r for r in rows if r.value(figure) is not None]
    absent = [r for r in rows if r.value(figure) is None]
    present.sort(key=lambda r: (r.name, r.org_id))
    present.sort(key=lambda r: r.value(figure) or 0.0, reverse=down)  # stable: ties keep name order
    absent.sort(key=lambda r: (r.name, r.org_id))
    return present + absent


def rank(conn: Any, orgs: Sequence[OrganisationOut], scope_org_id: str, period: Period,
         figure: Figure = Figure.IN_TIME_SHARE, descending: bool | None = None) -> Ranking:
    """The organisations below ``scope_org_id`` ranked by ``figure`` over ``period``."""
    below = subordinates(orgs, scope_org_id)
    down = FIGURES[figure].higher_is_better if descending is None else descending
    return Ranking(period, figure, down, tuple(ordered(compute(conn, below, period), figure, down)))
