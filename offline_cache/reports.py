"""The monthly summary of an organisation (issue 13 p.5), computed in SQL from the cache: works offline.

How each figure is computed (the month is the organisation's local calendar month, [1st 00:00, next 1st)):
- received: items of the organisation whose ``received_at`` falls in the month;
- answered in time / late: items whose (last) entry into «answered» falls in the month, in time when
  that moment is before the item's ``due_at`` (the legal deadline, an appeal's extension included);
- rejected by ground: items rejected in the month, by the ground code of their rejection;
- redirected, interim answers: entries into «redirected» / «interim_answer» in the month;
- re-processed after a low rating: items of the organisation rated 1-2 in the month (the platform then
  sends them for processing again);
- time to answer: hours from registration to the answer, over the items answered in the month:
  the average and the 90th percentile (nearest rank: the smallest value with at least 90 % at or below);
- average rating: over the items of the organisation rated in the month;
- overdue: items answered late in the month, and items still open whose deadline passed before the
  month ended.
"""

from __future__ import annotations

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


# Each query reads the history entries of the month once and joins items by their primary key; whether an
# answer is the item's last one is a primary-key probe (item_id, idx). Without an index on history's
# (to_status, at) each query still scans history whole: see the module's note in the lead's report.
_ANSWERED = """
WITH month_answered AS MATERIALIZED (
    SELECT i.id, i.due_at, h.at, (julianday(h.at) - julianday(i.registered_at)) * 24.0 AS hours
    FROM history h CROSS JOIN items i ON i.id = h.item_id
    WHERE h.to_status = 'answered' AND h.at >= :start AND h.at < :end AND i.org_id = :org AND NOT EXISTS (
        SELECT 1 FROM history later WHERE later.item_id = h.item_id AND later.idx > h.idx
            AND later.to_status = 'answered')
), ranked AS (
    SELECT hours, ROW_NUMBER() OVER (ORDER BY hours) AS n, COUNT(*) OVER () AS total FROM month_answered
)
SELECT
    (SELECT COUNT(*) FROM items WHERE org_id = :org AND received_at >= :start AND received_at < :end),
    (SELECT COUNT(*) FROM month_answered WHERE at < due_at),
    (SELECT COUNT(*) FROM month_answered WHERE at >= due_at),
    (SELECT AVG(hours) FROM month_answered),
    (SELECT MIN(hours) FROM ranked WHERE n * 10 >= total * 9)
"""

_ENTRIES = """
SELECT h.to_status, COUNT(DISTINCT h.item_id)
FROM history h CROSS JOIN items i ON i.id = h.item_id
WHERE h.to_status IN ('redirected', 'interim_answer') AND h.at >= :start AND h.at < :end AND i.org_id = :org
GROUP BY h.to_status
"""

_REJECTED = """
SELECT COALESCE(r.record ->> '$.rejection.ground_code', ''), COUNT(*)
FROM (SELECT DISTINCT item_id FROM history WHERE to_status = 'rejected' AND at >= :start AND at < :end) h
CROSS JOIN items i ON i.id = h.item_id CROSS JOIN item_records r ON r.id = h.item_id
WHERE i.org_id = :org
GROUP BY 1 ORDER BY 1
"""

_RATED = """
SELECT AVG(rating), COALESCE(SUM(rating <= :low), 0) FROM (
    SELECT CAST(r.record ->> '$.rating' AS INTEGER) AS rating
    FROM (SELECT DISTINCT item_id FROM history WHERE action = 'rated' AND at >= :start AND at < :end) h
    CROSS JOIN items i ON i.id = h.item_id CROSS JOIN item_records r ON r.id = h.item_id
    WHERE i.org_id = :org AND r.record ->> '$.rating' IS NOT NULL
)
"""

_OVERDUE = """
SELECT i.id, i.number, i.due_at, h.at, i.assignee_name
FROM history h CROSS JOIN items i ON i.id = h.item_id
WHERE h.to_status = 'answered' AND h.at >= :start AND h.at < :end AND i.org_id = :org AND h.at >= i.due_at
    AND NOT EXISTS (SELECT 1 FROM history later WHERE later.item_id = h.item_id AND later.idx > h.idx
                    AND later.to_status = 'answered')
UNION ALL
SELECT i.id, i.number, i.due_at, NULL, i.assignee_name
FROM items i
WHERE i.org_id = :org AND i.status IN ({open}) AND i.due_at < :end AND i.due_at < :now
ORDER BY 3, 2
"""


def monthly_summary(conn: Any, org_id: str, month: date, zone: str | ZoneInfo, now: datetime) -> MonthlySummary:
    """The summary of ``org_id`` for ``month`` from the cache's connection ``conn`` (read only)."""
    start, end = month_bounds(month, zone)
    params = {"org": org_id, "start": start, "end": end, "low": LOW_RATING_MAX, "now": iso(now)}
    received, in_time, late, avg_hours, p90_hours = conn.execute(_ANSWERED, params).fetchone()
    entries = dict(conn.execute(_ENTRIES, params).fetchall())
    rejected = {str(code): int(n) for code, n in conn.execute(_REJECTED, params).fetchall()}
    avg_rating, low = conn.execute(_RATED, params).fetchone()
    open_list = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES))  # enum values, no user input
    overdue = tuple(OverdueItem(*row) for row in conn.execute(_OVERDUE.format(open=open_list), params).fetchall())
    return MonthlySummary(
        org_id=org_id, month=month.replace(day=1), received=int(received), answered_in_time=int(in_time),
        answered_late=int(late), rejected_by_ground=rejected, redirected=int(entries.get("redirected", 0)),
        interim_answers=int(entries.get("interim_answer", 0)), reprocessed_after_low_rating=int(low),
        average_hours_to_answer=None if avg_hours is None else float(avg_hours),
        p90_hours_to_answer=None if p90_hours is None else float(p90_hours),
        average_rating=None if avg_rating is None else float(avg_rating), overdue=overdue,
    )
