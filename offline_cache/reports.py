"""The monthly summary of an organisation (issue 13 p.5), computed from the cache: works offline.

How each figure is computed (the month is the organisation's local calendar month, [1st 00:00, next 1st)):
- received: items of the organisation whose ``received_at`` falls in the month;
- answered in time / late: items with an entry into «answered» in the month, counted once at their last
  answer of the month, in time when that moment is before the item's ``due_at`` (the legal deadline, an
  appeal's extension included); a later answer in another month does not change this month's figures,
  so a report once sent stays true;
- rejected by ground: items rejected in the month, by the ground code of their rejection;
- redirected, interim answers: entries into «redirected» / «interim_answer» in the month;
- re-processed after a low rating: items of the organisation rated 1-2 in the month (the platform then
  sends them for processing again); the rating is read from the month's «rated» history entry;
- time to answer: hours from registration to the answer, over the items answered in the month:
  the average and the 90th percentile (nearest rank: the smallest value with at least 90 % at or below);
- average rating: over the items of the organisation rated in the month;
- overdue: items answered late in the month, and items still open whose deadline passed before the
  month ended.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from offline_cache.domain.model import OPEN_STATUSES
from offline_cache.domain.workflow import LOW_RATING_MAX
from offline_cache.store.items import iso


@dataclass(frozen=True, slots=True)
class OverdueItem:
    """An item the head accounts for in the summary (a disciplinary measure may follow)."""

    item_id: str
    number: str
    due_at: str
    answered_at: str | None  # None: still not answered
    assignee_name: str


@dataclass(frozen=True, slots=True)
class MonthlySummary:
    """The figures of one organisation's month (module docstring says how each is computed)."""

    org_id: str
    month: date  # the 1st of the month
    received: int
    answered_in_time: int
    answered_late: int
    rejected_by_ground: dict[str, int]
    redirected: int
    interim_answers: int
    reprocessed_after_low_rating: int
    average_hours_to_answer: float | None
    p90_hours_to_answer: float | None
    average_rating: float | None
    overdue: tuple[OverdueItem, ...]


def month_bounds(month: date, zone: str | ZoneInfo) -> tuple[str, str]:
    """The month as stored UTC strings [start, end) on the organisation's calendar."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    start, end = (iso(datetime.combine(d, time(0, 0), tzinfo=tz)) for d in (first, following))
    assert start is not None and end is not None
    return start, end


#: How the platform words a rating in history (``domain.workflow.apply_rating``): the month's ratings are read
#: from their history entries, the item's record only when an entry lacks it (data from before the wording).
RATING_PREFIX = "оценка заявителя: "

# One pass over the month's history entries that matter, read from indexes that cover them (item_id
# included: no history row is read), each checked against the organisation through an index that covers
# items' id, org_id and dates: one small probe per entry, never a scan of history or items. Python then
# counts: the same rows serve every figure instead of one query (and one pass) per figure.
# A record (item_records) is read only for a rejection's ground and a rating missing from its entry.
_VALUE = """
    CASE h.kind WHEN 'answered' THEN (julianday(h.at) - julianday(i.registered_at)) * 24.0
        WHEN 'rejected' THEN (SELECT r.record ->> '$.rejection.ground_code' FROM item_records r WHERE r.id = h.item_id)
        WHEN 'rated' THEN COALESCE(
            CASE WHEN substr(h.comment, 1, :prefix_len) = :prefix
                THEN CAST(substr(h.comment, :prefix_len + 1) AS INTEGER) END,
            (SELECT CAST(r.record ->> '$.rating' AS INTEGER) FROM item_records r WHERE r.id = h.item_id))
    END"""
_OF_MONTH = """
    SELECT item_id, to_status AS kind, at, NULL AS comment FROM history
    WHERE to_status IN ({kinds}) AND at >= :start AND at < :end"""
_RATED_OF_MONTH = """
    UNION ALL
    SELECT item_id, 'rated', at, comment FROM history WHERE action = 'rated' AND at >= :start AND at < :end"""
_MONTH_ENTRIES = f"""
SELECT h.item_id, h.kind, h.at, i.due_at, {_VALUE}
FROM ({_OF_MONTH.format(kinds="'answered', 'rejected', 'redirected', 'interim_answer'")} {_RATED_OF_MONTH}) h
CROSS JOIN items i ON i.id = h.item_id
WHERE i.org_id = :org
"""
# The same when the cache holds this organisation's items alone (a head's cache, as a rule): only answers
# need their item (deadline, registration); the other entries are the organisation's without a probe.
_MONTH_ENTRIES_ONE_ORG = f"""
SELECT h.item_id, h.kind, h.at, i.due_at, {_VALUE}
FROM ({_OF_MONTH.format(kinds="'answered'")}) h
CROSS JOIN items i ON i.id = h.item_id
WHERE i.org_id = :org
UNION ALL
SELECT h.item_id, h.kind, h.at, NULL, {_VALUE.replace("i.registered_at", "NULL")}
FROM ({_OF_MONTH.format(kinds="'rejected', 'redirected', 'interim_answer'")} {_RATED_OF_MONTH}) h
"""
# Whether every cached item is the organisation's: two seeks in items_org (org_id, status).
_ONE_ORG = "SELECT (SELECT MIN(org_id) FROM items) = :org AND (SELECT MAX(org_id) FROM items) = :org"

_RECEIVED = "SELECT COUNT(*) FROM items WHERE org_id = :org AND received_at >= :start AND received_at < :end"

# Answered late in the month (their ids and answers as JSON, from the pass above), and still open with the
# deadline passed before the month ended: the list the head accounts for, by deadline.
_OVERDUE = """
SELECT i.id, i.number, i.due_at, j.value, i.assignee_name
FROM json_each(:late) j CROSS JOIN items i ON i.id = j.key
UNION ALL
SELECT i.id, i.number, i.due_at, NULL, i.assignee_name
FROM items i
WHERE i.org_id = :org AND i.status IN ({open}) AND i.due_at < min(:end, :now)
ORDER BY 3, 2
"""

#: The indexes these queries need (migration 0008; ``benchmarks.bench_reports`` creates them on an older cache).
INDEXES = (
    "CREATE INDEX history_month ON history (to_status, at, item_id)",
    "CREATE INDEX history_rated ON history (action, at, item_id, comment) WHERE action = 'rated'",
    "CREATE INDEX items_report ON items (id, org_id, registered_at, due_at)",
    "CREATE INDEX items_org_open_due ON items (org_id, status, due_at)",
)


def _open_list() -> str:
    return ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES))  # enum values, no user input


def summary_queries() -> dict[str, str]:
    """Each query of the summary by name (for the benchmark and EXPLAIN QUERY PLAN)."""
    return {"month entries": _MONTH_ENTRIES, "month entries, one organisation": _MONTH_ENTRIES_ONE_ORG,
            "received": _RECEIVED, "overdue": _OVERDUE.format(open=_open_list())}


def _p90(hours: list[float]) -> float | None:
    """Nearest rank: the smallest value with at least 90 % of the values at or below it."""
    if not hours:
        return None
    ordered = sorted(hours)
    return ordered[(len(ordered) * 9 + 9) // 10 - 1]


#: Page cache (KiB) while the summary runs: its month of index pages (~25 MB over 100,000 items) fits, so each
#: page is decrypted once per run instead of again after each eviction (≈ half the CPU time at 100k items).
SUMMARY_CACHE_KIB = 32768


@contextmanager
def roomy_cache(conn: Any) -> Iterator[None]:
    """Raise the connection's page cache for the summary, and give the memory back afterwards."""
    (before,) = conn.execute("PRAGMA cache_size").fetchone()
    roomier = (before < 0 and -before < SUMMARY_CACHE_KIB) or 0 < before < SUMMARY_CACHE_KIB // 4
    if roomier:
        conn.execute(f"PRAGMA cache_size = -{SUMMARY_CACHE_KIB}")
    try:
        yield
    finally:
        if roomier:
            conn.execute(f"PRAGMA cache_size = {int(before)}")


def monthly_summary(conn: Any, org_id: str, month: date, zone: str | ZoneInfo, now: datetime) -> MonthlySummary:
    """The summary of ``org_id`` for ``month`` from the cache's connection ``conn`` (read only)."""
    with roomy_cache(conn):
        return _summary(conn, org_id, month, zone, now)


def _summary(conn: Any, org_id: str, month: date, zone: str | ZoneInfo, now: datetime) -> MonthlySummary:
    start, end = month_bounds(month, zone)
    params: dict[str, Any] = {"org": org_id, "start": start, "end": end, "now": iso(now),
                              "prefix": RATING_PREFIX, "prefix_len": len(RATING_PREFIX)}
    answered: dict[str, tuple[str, str, float]] = {}  # item → its last answer in the month: at, due, hours
    grounds: dict[str, str] = {}
    entered: dict[str, set[str]] = {"redirected": set(), "interim_answer": set()}
    ratings: dict[str, int] = {}
    (one_org,) = conn.execute(_ONE_ORG, params).fetchone()
    for item_id, kind, at, due_at, value in conn.execute(_MONTH_ENTRIES_ONE_ORG if one_org else _MONTH_ENTRIES,
                                                         params):
        if kind == "answered":
            if item_id not in answered or at > answered[item_id][0]:
                answered[item_id] = (at, due_at, float(value))
        elif kind == "rejected":
            grounds[item_id] = str(value or "")
        elif kind == "rated":
            if value is not None:
                ratings[item_id] = int(value)
        else:
            entered[kind].add(item_id)
    late = {item_id: at for item_id, (at, due_at, _h) in answered.items() if at >= due_at}
    hours = [h for _at, _due, h in answered.values()]
    rejected: dict[str, int] = {}
    for code in grounds.values():
        rejected[code] = rejected.get(code, 0) + 1
    (received,) = conn.execute(_RECEIVED, params).fetchone()
    params["late"] = json.dumps(late)
    overdue = tuple(OverdueItem(*row) for row in conn.execute(_OVERDUE.format(open=_open_list()), params))
    return MonthlySummary(
        org_id=org_id, month=month.replace(day=1), received=int(received),
        answered_in_time=len(answered) - len(late), answered_late=len(late),
        rejected_by_ground=dict(sorted(rejected.items())), redirected=len(entered["redirected"]),
        interim_answers=len(entered["interim_answer"]),
        reprocessed_after_low_rating=sum(1 for r in ratings.values() if r <= LOW_RATING_MAX),
        average_hours_to_answer=sum(hours) / len(hours) if hours else None, p90_hours_to_answer=_p90(hours),
        average_rating=sum(ratings.values()) / len(ratings) if ratings else None, overdue=overdue,
    )
