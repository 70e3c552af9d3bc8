"""The heads' control board (issue 13 p.4): per executor and per category, computed in SQL from the cache.

How each count is computed (times in the organisation's zone; «deadline» is the item's running legal
deadline ``active_due_at``, the one the queue's deadline column sorts by — the earlier of routing and
answer while routing, the promised date after an interim answer):
- open: items in an open status (the organisation still owes the applicant something);
- due today: open items whose deadline is still ahead and ends today (at the latest at 24:00 today);
- due in 3 days: open items whose deadline ends on one of the next three days (after today);
- overdue: open items whose deadline has passed;
- returned: items returned for revision and not yet resubmitted;
- answered in time this month: items whose last entry into «answered» falls in this calendar month,
  before their ``due_at`` (the same rule as the monthly summary, ``offline_cache.reports``).

Stage control times are not counted here: they come from each item's history and the organisation's
stage terms (``offline_cache.control``), so the card and the countdown show them item by item.

Every cell is also a SQL condition (``Cell.clause``), so a click opens the queue filtered to exactly the
items counted, with the same statement shape: the board and the queue cannot disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from offline_cache.domain.model import OPEN_STATUSES, Status
from offline_cache.queues import NO_DEADLINE
from offline_cache.reports import month_bounds
from offline_cache.store.items import iso

SOON_DAYS = 3
#: The executor key of items nobody is assigned to (awaiting routing).
UNASSIGNED = ""


class Dimension(StrEnum):
    """What the board's rows are."""

    EXECUTOR = "executor"
    CATEGORY = "category"


class Measure(StrEnum):
    """The board's columns, in display order."""

    OPEN = "open"
    DUE_TODAY = "due_today"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    RETURNED = "returned"
    ANSWERED_IN_TIME = "answered_in_time"


MEASURES = tuple(Measure)
_OPEN = "(" + ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES)) + ")"  # enum values, no user input
_KEY = {Dimension.EXECUTOR: "COALESCE(i.assignee_id, '')", Dimension.CATEGORY: "i.category_code"}
_COLUMN = {Dimension.EXECUTOR: "assignee_id", Dimension.CATEGORY: "category_code"}


@dataclass(frozen=True, slots=True)
class Bounds:
    """The moments a board is counted against, as stored UTC strings."""

    now: str
    today_end: str  # 24:00 today, organisation's zone
    soon_end: str  # 24:00 of the third day after today
    month_start: str
    month_end: str

    @classmethod
    def at(cls, now: datetime, zone: str | ZoneInfo) -> Bounds:
        tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        today = now.astimezone(tz).date()

        def midnight(day: date) -> str:
            stamp = iso(datetime.combine(day, time(0, 0), tzinfo=tz))
            assert stamp is not None
            return stamp

        start, end = month_bounds(today, tz)
        stamp = iso(now)
        assert stamp is not None
        return cls(stamp, midnight(today + timedelta(days=1)), midnight(today + timedelta(days=1 + SOON_DAYS)),
                   start, end)


def _measure_sql(measure: Measure) -> tuple[str, tuple[str, ...]]:
    """The condition (over ``items i``) selecting one measure's items: SQL with ``?`` and the ``Bounds``
    fields it takes, in order."""
    if measure is Measure.OPEN:
        return f"i.status IN {_OPEN}", ()
    if measure is Measure.DUE_TODAY:
        return f"i.status IN {_OPEN} AND i.due_key > ? AND i.due_key <= ?", ("now", "today_end")
    if measure is Measure.DUE_SOON:
        return f"i.status IN {_OPEN} AND i.due_key > ? AND i.due_key <= ?", ("today_end", "soon_end")
    if measure is Measure.OVERDUE:
        return f"i.status IN {_OPEN} AND i.due_key <= ?", ("now",)
    if measure is Measure.RETURNED:
        return f"i.status = '{Status.RETURNED.value}'", ()
    return f"i.id IN ({_ANSWERED_IN_TIME})", ("month_start", "month_end")


# The last entry into «answered» of each item answered this month, before its due time (as in reports).
_ANSWERED_IN_TIME = """
SELECT h.item_id FROM history h CROSS JOIN items a ON a.id = h.item_id
WHERE h.to_status = 'answered' AND h.at >= ? AND h.at < ? AND h.at < a.due_at
    AND NOT EXISTS (SELECT 1 FROM history later WHERE later.item_id = h.item_id AND later.idx > h.idx
                    AND later.to_status = 'answered')
"""


def _bound(measure: Measure, bounds: Bounds) -> tuple[str, list[Any]]:
    sql, names = _measure_sql(measure)
    return sql, [getattr(bounds, n) for n in names]


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One executor's or category's counts; ``key`` is the staff id or category code."""

    key: str
    name: str
    counts: dict[Measure, int]


@dataclass(frozen=True, slots=True)
class Board:
    """The board by one dimension: its rows (most overdue first) and the totals."""

    dimension: Dimension
    rows: tuple[BoardRow, ...]
    totals: dict[Measure, int]
    bounds: Bounds


def _names(conn: Any, dimension: Dimension) -> dict[str, str]:
    if dimension is Dimension.EXECUTOR:
        return {str(k): str(v) for k, v in conn.execute("SELECT id, full_name FROM staff")}
    return {str(k): str(v) for k, v in conn.execute("SELECT code, name FROM categories")}


def control_board(conn: Any, dimension: Dimension, now: datetime, zone: str | ZoneInfo,
                  memo: AnsweredMemo | None = None) -> Board:
    """Count the board from the cache's connection ``conn`` (read only).

    The open counts read only open items, by ranges of a covering index. The month's answers need each
    answered item's due time, a lookup per item: ``memo`` keeps them until the month's answers change.
    """
    bounds = Bounds.at(now, zone)
    column = _COLUMN[dimension]
    # Inside the open items the measures need no status test of their own (it cost more than the reading).
    sums = ["COUNT(*)", "SUM(i.due_key > ? AND i.due_key <= ?)", "SUM(i.due_key > ? AND i.due_key <= ?)",
            "SUM(i.due_key <= ?)", f"SUM(i.status = '{Status.RETURNED.value}')"]
    params = [bounds.now, bounds.today_end, bounds.today_end, bounds.soon_end, bounds.now]
    if dimension is Dimension.EXECUTOR:  # (assignee_id, status, due_key, id) covers every open measure
        is_open = f"i.status IN {_OPEN}"
    else:
        # (category_code, due_key, id) has no status; an item is open exactly when a deadline runs for it
        # (due_key below NO_DEADLINE: store.items writes it from domain.deadlines.active_deadline), and the
        # few returned items are counted apart.
        is_open, sums = f"i.due_key < '{NO_DEADLINE}'", [*sums[:-1], "0"]
    # The keys first, by a seek per distinct value on the index that leads with them; then each key's open
    # items by ranges of that covering index: only open items are read, never the table.
    grouped = (f"WITH RECURSIVE keys(v) AS (SELECT min({column}) FROM items UNION ALL "
               f"SELECT (SELECT min({column}) FROM items WHERE {column} > v) FROM keys WHERE v IS NOT NULL) "
               f"SELECT i.{column}, {', '.join(sums)} FROM items i "
               f"WHERE i.{column} IN (SELECT v FROM keys WHERE v IS NOT NULL) AND {is_open} GROUP BY 1")
    counts: dict[str, dict[Measure, int]] = {}
    for row in conn.execute(grouped, params):
        counts[str(row[0])] = {m: int(v) for m, v in zip(MEASURES[:-1], row[1:], strict=True)}
    if dimension is Dimension.EXECUTOR:  # items nobody is assigned to yet: the NULL key, by its own ranges
        row = conn.execute(f"SELECT {', '.join(sums)} FROM items i "
                           f"WHERE i.assignee_id IS NULL AND i.status IN {_OPEN}", params).fetchone()
        if row[0]:
            counts[UNASSIGNED] = {m: int(v) for m, v in zip(MEASURES[:-1], row, strict=True)}
    else:
        for row_key, n in conn.execute(f"SELECT category_code, COUNT(*) FROM items WHERE status = "
                                       f"'{Status.RETURNED.value}' GROUP BY 1"):
            counts.setdefault(str(row_key), dict.fromkeys(MEASURES[:-1], 0))[Measure.RETURNED] = int(n)
    for row_key, n in (memo or AnsweredMemo()).counts(conn, dimension, bounds).items():
        counts.setdefault(row_key, dict.fromkeys(MEASURES[:-1], 0))[Measure.ANSWERED_IN_TIME] = n
    names = _names(conn, dimension)
    rows = []
    for row_key, row_counts in counts.items():
        full = {m: row_counts.get(m, 0) for m in MEASURES}
        name = names.get(row_key) or ("Не назначено" if row_key == UNASSIGNED else row_key)
        rows.append(BoardRow(row_key, name, full))
    rows.sort(key=lambda r: (-r.counts[Measure.OVERDUE], -r.counts[Measure.DUE_TODAY], r.name, r.key))
    totals = {m: sum(r.counts[m] for r in rows) for m in MEASURES}
    return Board(dimension, tuple(rows), totals, bounds)


class AnsweredMemo:
    """«Answered in time this month», kept per entry into «answered» and brought up to date by the difference.

    Whether an answer counts needs its item's due time: a random read per item of an encrypted file, about
    half a second for a month of 1,500 answers. The month's entries themselves (their rowids) come from the
    history index alone, so each refresh reads them, drops the entries gone and looks up only the new ones:
    a synced item's history is written again whole, with new rowids, so any change to it is a new entry.
    """

    def __init__(self) -> None:
        self._month: tuple[str, str] | None = None
        self.counted: dict[str, list[str]] = {}  # by the last dimension counted: the items under each key
        # history rowid → (executor key, category, counted, item id), None for an entry whose item is not cached
        self._entries: dict[int, tuple[str, str, bool, str] | None] = {}

    def counts(self, conn: Any, dimension: Dimension, bounds: Bounds) -> dict[str, int]:
        month = (bounds.month_start, bounds.month_end)
        if month != self._month:
            self._month, self._entries = month, {}
        current = {int(r[0]) for r in conn.execute(
            "SELECT rowid FROM history WHERE to_status = 'answered' AND at >= ? AND at < ?", month)}
        for gone in self._entries.keys() - current:
            del self._entries[gone]
        new = sorted(current - self._entries.keys())
        for start in range(0, len(new), 5000):
            chunk = new[start:start + 5000]
            self._entries.update(dict.fromkeys(chunk))
            for rowid, executor, category, counted, item_id in conn.execute(_ANSWER_ENTRIES, [json.dumps(chunk)]):
                self._entries[int(rowid)] = (str(executor), str(category), bool(counted), str(item_id))
        counts: dict[str, int] = {}
        self.counted = {}  # by the last dimension counted: the items counted under each key, for the queue
        for entry in self._entries.values():
            if entry is not None and entry[2]:
                key = entry[0] if dimension is Dimension.EXECUTOR else entry[1]
                counts[key] = counts.get(key, 0) + 1
                self.counted.setdefault(key, []).append(entry[3])
        return counts


# Whether each of some entries into «answered» counts (the rule of _ANSWERED_IN_TIME), with its item's keys.
_ANSWER_ENTRIES = """
SELECT h.rowid, COALESCE(a.assignee_id, ''), a.category_code, h.at < a.due_at AND NOT EXISTS (
    SELECT 1 FROM history later WHERE later.item_id = h.item_id AND later.idx > h.idx AND later.to_status = 'answered'),
    h.item_id
FROM history h CROSS JOIN items a ON a.id = h.item_id
WHERE h.rowid IN (SELECT value FROM json_each(?))
"""


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of the board as a queue filter: the items it counts, recomputed at the queue's ``now``.

    ``key`` None: the totals row (every executor or category).
    """

    dimension: Dimension
    key: str | None
    measure: Measure
    zone: str
    label: str = ""
    # «Answered in time»: the items counted when the board was read (``AnsweredMemo.counted``), looked up by
    # id; without them the rule itself is evaluated, which reads every answer of the month.
    item_ids: tuple[str, ...] | None = None

    def clause(self, now: datetime) -> tuple[str, list[Any]]:
        """SQL condition over ``items i`` with its parameters, for ``QueueQuery``."""
        if self.item_ids is not None:
            return "i.id IN (SELECT value FROM json_each(?))", [json.dumps(list(self.item_ids))]
        sql, params = _bound(self.measure, Bounds.at(now, self.zone))
        if self.key == UNASSIGNED and self.dimension is Dimension.EXECUTOR:
            sql = f"({sql}) AND i.assignee_id IS NULL"
        elif self.key is not None:
            # The bare column (no COALESCE), so that the (key, status, due) index serves the filter.
            sql = f"({sql}) AND i.{_COLUMN[self.dimension]} = ?"
            params.append(self.key)
        return sql, params
