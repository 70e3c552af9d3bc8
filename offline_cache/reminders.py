"""Deadline reminders: the morning summary and a notice when an item's control or legal time arrives.

No clock of its own and no I/O except reading the cache: the window calls ``Reminders.check(now)`` on its
minute timer (tests call it with a fake clock). A summary is due at the first check (the start) and then
once a day, at the first check after the morning hour in the organisation's zone. A notice is due for
each deadline that falls between the previous check and this one, so starting the window after a week
away brings the summary, not a flood of notices for times long past.

Whose items: an official's own (assigned to them or to a colleague they deputise for, and for a
coordinator those awaiting routing); a head's or a curator's, the whole organisation's as cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from offline_cache.contract.models import Item
from offline_cache.control import ControlTimes
from offline_cache.control_board import UNASSIGNED, Cell, Dimension, Measure
from offline_cache.domain.model import OPEN_STATUSES, Role
from offline_cache.queues import Filters, QueueId, QueueQuery, Viewer

MORNING = time(9, 0)
#: Items whose deadlines are watched for notices, nearest first: a bound on the work of each refresh.
WATCHED = 300


@dataclass(frozen=True, slots=True)
class Notice:
    """One reminder: a title and a text (numbers and counts only: nothing of a citizen's text)."""

    kind: str  # "summary", "control", "legal"
    title: str
    text: str
    at: datetime
    item_id: str | None = None


@dataclass(frozen=True, slots=True)
class Watched:
    """A deadline of one watched item."""

    item_id: str
    number: str
    kind: str  # "control" or "legal"
    at: datetime


def summary_text(due_today: int, overdue: int) -> str:
    """«Сегодня срок у 4, просрочено 2»; «Сегодня сроков нет, просроченных нет»."""
    today = f"сегодня срок у {due_today}" if due_today else "сегодня сроков нет"
    late = f"просрочено {overdue}" if overdue else "просроченных нет"
    return f"{today[0].upper()}{today[1:]}, {late}"


@dataclass
class Reminders:
    """What to remind ``viewer`` of, from the cache's connection ``conn`` (read only)."""

    conn: Any
    viewer: Viewer
    zone: str
    times: ControlTimes
    morning: time = MORNING
    _last: datetime | None = None
    _summary_day: date | None = None
    _watched: list[Watched] = field(default_factory=list)
    _told: set[tuple[str, str, datetime]] = field(default_factory=set)

    @property
    def organisation_wide(self) -> bool:
        return bool(self.viewer.roles & {Role.HEAD, Role.CURATOR})

    @property
    def routing(self) -> bool:
        """A coordinator's own items include those awaiting routing (nobody assigned yet)."""
        return Role.COORDINATOR in self.viewer.roles

    def _cell(self, measure: Measure) -> list[Cell]:
        if self.organisation_wide:
            return [Cell(Dimension.EXECUTOR, None, measure, self.zone)]
        keys = [*sorted(self.viewer.acts_for), *([UNASSIGNED] if self.routing else [])]
        return [Cell(Dimension.EXECUTOR, key, measure, self.zone) for key in keys]

    def counts(self, now: datetime) -> tuple[int, int]:
        """(due today, overdue) of the viewer's items, by the control board's rules."""
        query = QueueQuery(self.conn, self.viewer)
        due = sum(query.count(QueueId.ALL, Filters(narrowing=c), now) for c in self._cell(Measure.DUE_TODAY))
        late = sum(query.count(QueueId.ALL, Filters(narrowing=c), now) for c in self._cell(Measure.OVERDUE))
        return due, late

    def summary(self, now: datetime, counts: tuple[int, int] | None = None) -> Notice:
        """The day's summary; ``counts`` (due today, overdue), when given, were read at ``now`` elsewhere."""
        due, late = counts if counts is not None else self.counts(now)
        whose = "Организация" if self.organisation_wide else "Ваши сообщения"
        return Notice("summary", f"Сроки на {now.astimezone(ZoneInfo(self.zone)).strftime('%d.%m.%Y')}",
                      f"{whose}: {summary_text(due, late)}", now)

    def refresh(self) -> None:
        """Read the watched items' deadlines again (the cache changed): legal and stage control times."""
        statuses = sorted(s.value for s in OPEN_STATUSES)
        marks = ",".join("?" * len(statuses))
        if self.organisation_wide:
            where, params = f"i.status IN ({marks})", [*statuses]
        else:
            mine = sorted(self.viewer.acts_for)
            unassigned = " OR i.assignee_id IS NULL" if self.routing else ""
            where = f"i.status IN ({marks}) AND (i.assignee_id IN ({','.join('?' * len(mine))}){unassigned})"
            params = [*statuses, *mine]
        rows = self.conn.execute(
            "SELECT COALESCE(i.local_record, r.record) FROM items i JOIN item_records r ON r.id = i.id "
            f"WHERE {where} ORDER BY i.due_key LIMIT ?", [*params, WATCHED]).fetchall()
        watched = []
        for (raw,) in rows:
            item = Item.model_validate_json(raw)
            deadlines = self.times.of(item)
            for kind, deadline in (("control", deadlines.control), ("legal", deadlines.legal)):
                if deadline is not None:
                    watched.append(Watched(item.id, item.number, kind, deadline.at))
        self._watched = watched

    @property
    def watched(self) -> list[Watched]:
        return list(self._watched)

    def watch(self, watched: list[Watched]) -> None:
        """Take the watched deadlines ``refresh`` read on another connection (off the window's thread)."""
        self._watched = list(watched)

    def check(self, now: datetime, counts: tuple[int, int] | None = None) -> list[Notice]:
        """The reminders due at ``now``: the day's summary, and the deadlines reached since the last check.
        ``counts``: the summary's figures if read at ``now`` already (otherwise counted here when due)."""
        notices = []
        local = now.astimezone(ZoneInfo(self.zone))
        first = self._last is None
        if first or (self._summary_day != local.date() and local.time() >= self.morning):
            notices.append(self.summary(now, counts))
            self._summary_day = local.date()
        if not first:
            assert self._last is not None
            for w in self._watched:
                key = (w.item_id, w.kind, w.at)
                if self._last < w.at <= now and key not in self._told:
                    self._told.add(key)
                    notices.append(Notice(
                        w.kind,
                        "Контрольный срок этапа наступил" if w.kind == "control" else "Срок ответа истёк",
                        f"№ {w.number}", w.at, w.item_id))
        self._last = now
        return notices
