"""An item's deadlines from the cache: the legal due time, the current stage's control time and which governs.

Everything is read from the cache, so it works offline: the organisation's stage terms per category
(``categories.stage_terms``, NULL = the defaults) and the platform's years of the production calendar
(``calendar_years``, on top of the bundled ``holidays`` data). Times are in the organisation's zone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from offline_cache.contract.convert import calendar_to_domain, stage_terms_to_domain
from offline_cache.contract.models import CalendarYearOut, CategoryOut, Item
from offline_cache.domain.appeals import regime
from offline_cache.domain.calendar import ProductionCalendar
from offline_cache.domain.deadlines import (
    DEFAULT_THRESHOLDS,
    STANDARD_TERM,
    Term,
    TermError,
    Urgency,
    UrgencyThresholds,
    term_days,
    urgency,
)
from offline_cache.domain.model import ItemKind, Status
from offline_cache.domain.stages import (
    DEFAULT_STAGE_TERMS,
    Deadline,
    StageTerms,
    control_deadline,
    governing_deadline,
    legal_deadline,
    redirect_deadline,
)


@dataclass(frozen=True, slots=True)
class ItemDeadlines:
    """What the card and the countdown show for one item.

    ``governing`` is the nearer of ``legal`` and ``control`` (it drives the countdown and urgency);
    ``redirect`` is an appeal's own 7-day countdown while it awaits routing (59-ФЗ art. 8).
    """

    legal: Deadline | None
    control: Deadline | None
    redirect: Deadline | None
    governing: Deadline | None
    regime: str
    kind: ItemKind

    def urgency(self, now: datetime, thresholds: UrgencyThresholds = DEFAULT_THRESHOLDS) -> Urgency | None:
        return None if self.governing is None else urgency(self.governing.at, now, thresholds)


RowKey = tuple[Any, ...]


def row_key(row: dict[str, Any]) -> RowKey:
    """What of a queue row its deadline depends on: rows showing the same state run to the same deadline."""
    return (row["id"], row["status"], row["active_due_at"], row["assignee_id"], row["pending"], row["conflict"])


class ControlTimes:
    """Deadlines of cached items; the calendar and the categories' terms are read once, ``reload`` after a sync."""

    def __init__(self, conn: Any, zone: str | ZoneInfo) -> None:
        self.conn = conn
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        self.calendar = ProductionCalendar()
        self._categories: dict[str, tuple[Term, StageTerms]] = {}
        self.signature = 0  # changes when the calendar or the categories' terms read from the cache change
        self.reload()

    def reload(self) -> None:
        """Read the calendar and the categories' terms from the cache again (the directory changed)."""
        year_rows = [str(row[0]) for row in self.conn.execute("SELECT value FROM calendar_years ORDER BY year")]
        category_rows = [tuple(row) for row in self.conn.execute(
            "SELECT code, term_kind, term_days, stage_terms FROM categories ORDER BY code")]
        signature = hash((tuple(year_rows), tuple(category_rows)))
        if signature == self.signature:
            return
        self.signature = signature
        self.calendar = calendar_to_domain([CalendarYearOut.model_validate_json(raw) for raw in year_rows])
        categories: dict[str, tuple[Term, StageTerms]] = {}
        for code, kind, days, raw in category_rows:
            try:
                term = Term.of(kind, days)
            except (TermError, ValueError):  # a term this version does not know: the standard one
                term = STANDARD_TERM
            terms = DEFAULT_STAGE_TERMS
            if raw:
                category = CategoryOut.model_validate({"code": code, "name": "", "term_kind": term.kind,
                                                       "term_days": term.days, "stage_terms": json.loads(raw)})
                terms = stage_terms_to_domain(category)
            categories[str(code)] = (term, terms)
        self._categories = categories

    def terms(self, category_code: str) -> tuple[Term, StageTerms]:
        """The category's legal term and stage terms (defaults for a category the cache does not know)."""
        return self._categories.get(category_code, (STANDARD_TERM, DEFAULT_STAGE_TERMS))

    def of(self, item: Item) -> ItemDeadlines:
        term, stages = self.terms(item.category_code)
        legal = legal_deadline(item, term_days(item.kind, term), self.zone)
        control = control_deadline(item, stages, self.zone, self.calendar) if legal is not None else None
        return ItemDeadlines(legal, control, redirect_deadline(item, self.zone), governing_deadline(legal, control),
                             regime(item.kind), item.kind)

    def of_row(self, row: dict[str, Any]) -> Deadline | None:
        """The deadline a queue row's countdown runs to (its item's record read by primary key)."""
        if not row["active_due_at"]:
            return None
        found = self.conn.execute("SELECT COALESCE(i.local_record, r.record) FROM items i JOIN item_records r "
                                  "ON r.id = i.id WHERE i.id = ?", [row["id"]]).fetchone()
        return self.of(Item.model_validate_json(found[0])).governing if found else None

    def governing_at(self, item: Item) -> datetime | None:
        """The time the countdown runs to: the nearer of the legal and the control time."""
        governing = self.of(item).governing
        return None if governing is None else governing.at


def answer_term_text(item: Item, deadlines: ItemDeadlines, times: ControlTimes, zone: ZoneInfo) -> str:
    """Which rule produced the answer's due time (``item.due_at``), for the hover over it.

    While routing runs, or after an interim answer, the running legal deadline is another one (routing,
    the promised date); the answer's own term is explained here all the same.
    """
    if deadlines.legal is not None and deadlines.legal.rule == "legal":
        return deadlines.legal.explanation
    term, _ = times.terms(item.category_code)
    answered = legal_deadline(_AnswerTerm(item), term_days(item.kind, term), zone)
    return answered.explanation if answered is not None else ""


@dataclass(frozen=True, slots=True)
class _AnswerTerm:
    """An item seen as if in execution: only its answer term runs (for ``legal_deadline``'s wording)."""

    item: Item

    def __getattr__(self, name: str) -> Any:
        return getattr(self.item, name)

    @property
    def status(self) -> Status:
        return Status.IN_WORK

    @property
    def routing_due_at(self) -> datetime | None:
        return None
