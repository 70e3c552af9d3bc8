"""Queues as SQL: which items each queue holds, filters, sorting, search and paging over the cache.

Everything a queue table shows is sorted, filtered and searched here, in SQL over indexed
columns and the FTS index, so a queue of 100,000 items stays fast; the UI only asks for pages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from offline_cache.domain.deadlines import DEFAULT_THRESHOLDS, UrgencyThresholds
from offline_cache.domain.model import OPEN_STATUSES, Role, Status
from offline_cache.store.cache import fts_membership
from offline_cache.store.search_plan import hits, planned_query

#: ``due_key`` of items with no running deadline: sorts after every real date.
NO_DEADLINE = "9999"


class QueueId(StrEnum):
    ROUTING = "routing"  # На распределение
    MY_WORK = "my_work"  # Мне на исполнение
    RETURNED = "returned"  # На доработке
    APPROVAL = "approval"  # На утверждении
    INTERIM = "interim"  # Промежуточный ответ
    REPROCESSING = "reprocessing"  # Повторное рассмотрение
    OVERDUE = "overdue"  # Просроченные
    ALL = "all"  # Все
    DRAFTS = "drafts"  # Черновики
    OUTBOX = "outbox"  # Ожидают отправки
    DEPUTISING = "deputising"  # За отсутствующих коллег (замещение)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking: decides which queues exist and what "mine" means.

    Attributes:
        user_id: the official.
        acts_for: the official and the absent colleagues they deputise for.
        roles: effective roles.
        approval_steps: per organisation, the approval-chain steps this official approves.
        deputy_steps: per organisation, the steps approved only as a deputy of an absent colleague.
    """

    user_id: str
    acts_for: frozenset[str]
    roles: frozenset[Role]
    approval_steps: dict[str, tuple[int, ...]] = field(default_factory=dict)
    deputy_steps: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def deputising(self) -> bool:
        """Whether the official covers an absent colleague right now."""
        return bool(self.acts_for - {self.user_id}) or any(self.deputy_steps.values())


def queues_for(viewer: Viewer) -> list[QueueId]:
    """The queues to show, in navigation order, for the viewer's roles."""
    roles = viewer.roles
    result: list[QueueId] = []
    if Role.COORDINATOR in roles:
        result.append(QueueId.ROUTING)
    if roles & {Role.EXECUTOR, Role.COORDINATOR}:
        result += [QueueId.MY_WORK, QueueId.RETURNED]
    if roles & {Role.HEAD, Role.CURATOR}:
        result.append(QueueId.APPROVAL)
    if viewer.deputising:
        result.append(QueueId.DEPUTISING)
    result += [QueueId.INTERIM, QueueId.REPROCESSING, QueueId.OVERDUE, QueueId.ALL]
    if roles & {Role.EXECUTOR, Role.COORDINATOR}:
        result.append(QueueId.DRAFTS)
    result.append(QueueId.OUTBOX)
    return result


def _in(values: Sequence[str]) -> str:
    return f"({','.join('?' * len(values))})" if values else "(NULL)"


def queue_clause(queue: QueueId, viewer: Viewer, now: datetime) -> tuple[str, list[Any]]:
    """SQL condition (over ``items i``) and parameters selecting the queue's items."""
    mine = sorted(viewer.acts_for)
    if queue is QueueId.ROUTING:
        return "i.status = ?", [Status.AWAITING_ROUTING.value]
    if queue is QueueId.MY_WORK:
        return f"i.status = ? AND i.assignee_id IN {_in(mine)}", [Status.IN_WORK.value, *mine]
    if queue is QueueId.RETURNED:
        return f"i.status = ? AND i.assignee_id IN {_in(mine)}", [Status.RETURNED.value, *mine]
    if queue is QueueId.APPROVAL:
        return _approval_clause(viewer.approval_steps)
    if queue is QueueId.DEPUTISING:
        return _deputising_clause(viewer)
    if queue is QueueId.INTERIM:
        return "i.status = ?", [Status.INTERIM_ANSWER.value]
    if queue is QueueId.REPROCESSING:
        return "i.status = ?", [Status.REPROCESSING.value]
    if queue is QueueId.OVERDUE:
        statuses = sorted(s.value for s in OPEN_STATUSES)
        return f"i.status IN {_in(statuses)} AND i.due_key <= ?", [*statuses, _iso(now)]
    # Unions of small index lookups: an OR across columns would make SQLite scan the whole queue.
    if queue is QueueId.DRAFTS:
        return (f"i.rowid IN (SELECT rowid FROM items WHERE id IN (SELECT item_id FROM drafts) UNION "
                f"SELECT rowid FROM items WHERE has_draft = 1 AND assignee_id IN {_in(mine)} AND status IN (?, ?))",
                [*mine, Status.IN_WORK.value, Status.RETURNED.value])
    if queue is QueueId.OUTBOX:
        return ("i.rowid IN (SELECT rowid FROM items WHERE pending > 0 UNION SELECT rowid FROM items "
                "WHERE conflict = 1 UNION SELECT rowid FROM items WHERE id IN (SELECT item_id FROM outbox "
                "WHERE state IN ('pending', 'sending', 'failed', 'conflict')))", [])
    return "1", []


def _approval_clause(approval_steps: dict[str, tuple[int, ...]], alias: str = "i") -> tuple[str, list[Any]]:
    parts, params = [], []
    for org_id, steps in sorted(approval_steps.items()):
        if steps:
            parts.append(f"({alias}.org_id = ? AND {alias}.approval_step IN ({','.join('?' * len(steps))}))")
            params += [org_id, *steps]
    if not parts:
        return "0", []
    return f"{alias}.status = ? AND ({' OR '.join(parts)})", [Status.ON_APPROVAL.value, *params]


def _deputising_clause(viewer: Viewer) -> tuple[str, list[Any]]:
    """Open items assigned to absent colleagues, and drafts waiting at an absent approver's step.

    A union of two index lookups (assignee, approval step): an OR across them would scan the queue.
    """
    covered = sorted(viewer.acts_for - {viewer.user_id})
    statuses = sorted(s.value for s in OPEN_STATUSES)
    assigned = f"SELECT rowid FROM items WHERE assignee_id IN {_in(covered)} AND status IN {_in(statuses)}"
    if not any(viewer.deputy_steps.values()):
        return f"i.rowid IN ({assigned})", [*covered, *statuses]
    approval, approval_params = _approval_clause(viewer.deputy_steps, alias="a")
    return (f"i.rowid IN ({assigned} UNION SELECT a.rowid FROM items a WHERE {approval})",
            [*covered, *statuses, *approval_params])


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class Urgent(StrEnum):
    """Urgency filter values (computed in SQL from the active deadline)."""

    OK = "ok"
    SOON = "soon"
    CRITICAL = "critical"
    OVERDUE = "overdue"


class Narrowing(Protocol):
    """A condition from elsewhere (a cell of the control board), evaluated at the queue's ``now``."""

    @property
    def label(self) -> str: ...

    def clause(self, now: datetime) -> tuple[str, list[Any]]: ...


@dataclass(frozen=True, slots=True)
class Filters:
    """Narrowing of a queue. Empty fields do not filter."""

    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    urgency: tuple[Urgent, ...] = ()
    text: str = ""
    narrowing: Narrowing | None = None  # hashable and comparable (a frozen dataclass)


SORT_COLUMNS = {
    "number": "i.number",
    "received": "i.registered_at",
    "kind": "i.kind",
    "category": "i.category_name",
    "address": "i.address",
    "status": "i.status",
    "assignee": "i.assignee_name",
    "deadline": "i.due_key",
}

ROW_COLUMNS = ("id", "number", "registered_at", "kind", "category_code", "category_name", "address", "status",
               "assignee_id", "assignee_name", "active_due_at", "pending", "conflict", "org_id", "subject")

# The status shown is the one the official's pending actions lead to (the row also shows them as
# pending); filters, sorting and queue membership stay on the platform's status until delivery.
_SELECT = ("SELECT i.id, i.number, i.registered_at, i.kind, i.category_code, i.category_name, i.address, "
           "COALESCE(i.local_record ->> '$.status', i.status), i.assignee_id, i.assignee_name, i.active_due_at, "
           "i.pending, i.conflict, i.org_id, i.subject "
           "FROM items i")


def _urgency_clause(values: Sequence[Urgent], now: datetime, t: UrgencyThresholds) -> tuple[str, list[Any]]:
    # Ranges over due_key, the column queues sort by, so one index serves both the filter and the order.
    bounds = {
        Urgent.OVERDUE: ("i.due_key <= ?", [_iso(now)]),
        Urgent.CRITICAL: ("i.due_key > ? AND i.due_key <= ?", [_iso(now), _iso(now + t.critical)]),
        Urgent.SOON: ("i.due_key > ? AND i.due_key <= ?", [_iso(now + t.critical), _iso(now + t.soon)]),
        Urgent.OK: ("i.due_key > ? AND i.due_key < ?", [_iso(now + t.soon), NO_DEADLINE]),
    }
    parts, params = [], []
    for value in values:
        sql, p = bounds[value]
        parts.append(f"({sql})")
        params += p
    return " OR ".join(parts), params


class QueueQuery:
    """Paged reads of one queue with filters and sorting. Cheap enough for the UI thread."""

    def __init__(self, conn: sqlite3.Connection | Any, viewer: Viewer, *,
                 thresholds: UrgencyThresholds = DEFAULT_THRESHOLDS) -> None:
        self.conn = conn
        self.viewer = viewer
        self.thresholds = thresholds

    def where(self, queue: QueueId, filters: Filters, now: datetime) -> tuple[str, list[Any]]:
        clause, params = queue_clause(queue, self.viewer, now)
        parts = [clause]
        for column, values in (("i.status", filters.statuses), ("i.category_code", filters.categories),
                               ("i.org_id", filters.organisations)):
            if values:
                parts.append(f"{column} IN {_in(values)}")
                params += list(values)
        if filters.narrowing is not None:
            sql, p = filters.narrowing.clause(now)
            parts.append(sql)
            params += p
        if filters.urgency:
            sql, p = _urgency_clause(filters.urgency, now, self.thresholds)
            parts.append(sql)
            params += p
        query = planned_query(self.conn, filters.text) if filters.text.strip() else None
        if filters.text.strip():
            if query is None:
                parts.append("0")
            else:
                parts.append(fts_membership(self.conn, query))
                params.append(query)
        return " AND ".join(f"({p})" for p in parts), params

    def text_hits(self, query: str) -> int:
        return hits(self.conn, query)


    def count(self, queue: QueueId, filters: Filters, now: datetime) -> int:
        text_only = Filters(text=filters.text)
        if queue is QueueId.ALL and filters == text_only \
                and (query := planned_query(self.conn, filters.text)) is not None:
            return self.text_hits(query)  # every cached item is in «Все»: the index alone knows
        where, params = self.where(queue, filters, now)
        return int(self.conn.execute(f"SELECT count(*) FROM items i WHERE {where}", params).fetchone()[0])

    def counts(self, queues: Sequence[QueueId], now: datetime) -> dict[QueueId, int]:
        return {q: self.count(q, Filters(), now) for q in queues}

    def page(self, queue: QueueId, filters: Filters, now: datetime, *, sort: str = "deadline",
             descending: bool = False, offset: int = 0, limit: int = 200) -> list[dict[str, Any]]:
        where, params = self.where(queue, filters, now)
        column = SORT_COLUMNS.get(sort, "i.due_key")
        direction = "DESC" if descending else "ASC"
        # Plain indexed columns only, so SQLite walks an index instead of sorting the queue;
        # the id makes the order total, which keeps paging stable.
        order = f"{column} {direction}, i.id {direction}"
        rows = self.conn.execute(f"{_SELECT} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                                 [*params, limit, offset]).fetchall()
        return [dict(zip(ROW_COLUMNS, row, strict=True)) for row in rows]

    def rows(self, item_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The rows of ``item_ids`` by id (by primary key: for updating rows already shown in place)."""
        ids = list(item_ids)
        found = self.conn.execute(f"{_SELECT} WHERE i.id IN {_in(ids)}", ids).fetchall()
        return {row[0]: dict(zip(ROW_COLUMNS, row, strict=True)) for row in found}

