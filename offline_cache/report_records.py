"""What the head records around the monthly summary: disciplinary measures, exports, and the reminder.

Rostov p. 4: an organisation sends the summary of the previous month by the 3rd; so from the 1st to the
3rd of a month (the organisation's calendar) the head and the curator are reminded until the previous
month's summary has been exported once (a row in ``report_exports``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from offline_cache.audit_chain import seal
from offline_cache.store.cache import Cache
from offline_cache.store.items import iso

#: The last day of a month on which the previous month's summary is still due (Rostov p. 4).
REPORT_DUE_DAY = 3
#: A measure is a short record of what was decided, not a document.
MEASURE_MAX = 500


class MeasureRefused(ValueError):
    """The measure cannot be recorded; ``message`` says why in Russian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Measure:
    """The disciplinary measure recorded for an overdue item."""

    item_id: str
    measure: str
    recorded_by: str | None
    recorded_at: str


def month_key(month: date) -> str:
    """«2026-03»: how a month is stored in ``report_exports``."""
    return f"{month.year:04d}-{month.month:02d}"


def previous_month(day: date) -> date:
    """The 1st of the month before ``day``'s."""
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)


def record_measure(cache: Cache, item_id: str, measure: str, user_id: str | None, now: datetime) -> Measure | None:
    """Record (or change; an empty text removes) the measure for ``item_id``, with a line in the audit log.

    Runs on the writer (the worker). Returns what is recorded now (None once removed).
    """
    text = measure.strip()
    if len(text) > MEASURE_MAX:
        raise MeasureRefused(f"Мера слишком длинная: не больше {MEASURE_MAX} символов")
    if cache.db.execute("SELECT 1 FROM items WHERE id = ?", [item_id]).fetchone() is None:
        raise MeasureRefused("Сообщения нет в локальном кэше")
    at = iso(now)
    assert at is not None
    with cache.transaction():
        if text:
            cache.db.execute(
                "INSERT INTO disciplinary_measures (item_id, measure, recorded_by, recorded_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (item_id) DO UPDATE SET measure = excluded.measure, recorded_by = excluded.recorded_by, "
                "recorded_at = excluded.recorded_at", [item_id, text, user_id, at])
        else:
            cache.db.execute("DELETE FROM disciplinary_measures WHERE item_id = ?", [item_id])
        # The audit log keeps who recorded which measure when (tamper-evident: sealed in this transaction).
        cache.db.execute("INSERT INTO audit_log (at, event, item_id, details, user_id, action) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [at, "disciplinary_measure", item_id, text, user_id, "record_measure"])
        seal(cache.db)
    return Measure(item_id, text, user_id, at) if text else None


def measures_for(conn: Any, item_ids: list[str]) -> dict[str, Measure]:
    """The recorded measures of these items, by item id."""
    if not item_ids:
        return {}
    rows = conn.execute("SELECT m.item_id, m.measure, m.recorded_by, m.recorded_at FROM json_each(?) j "
                        "CROSS JOIN disciplinary_measures m ON m.item_id = j.value", [json.dumps(item_ids)])
    return {str(r[0]): Measure(str(r[0]), str(r[1]), r[2], str(r[3])) for r in rows}


def record_export(cache: Cache, org_id: str, month: date, fmt: str, now: datetime) -> None:
    """Note that the month's summary was exported (``fmt``: xlsx/pdf): the reminder stops. On the writer."""
    with cache.transaction():
        cache.db.execute("INSERT INTO report_exports (org_id, month, format, exported_at) VALUES (?, ?, ?, ?)",
                         [org_id, month_key(month), fmt, iso(now)])


def exported(conn: Any, org_id: str, month: date) -> bool:
    """Whether the month's summary of ``org_id`` has been exported at least once."""
    return conn.execute("SELECT 1 FROM report_exports WHERE org_id = ? AND month = ? LIMIT 1",
                        [org_id, month_key(month)]).fetchone() is not None


def report_reminder(conn: Any, org_id: str, zone: str | ZoneInfo, now: datetime) -> date | None:
    """The month whose summary is due now (the previous one, from the 1st to the 3rd), unless already exported."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    today = now.astimezone(tz).date()
    if today.day > REPORT_DUE_DAY:
        return None
    month = previous_month(today)
    return None if exported(conn, org_id, month) else month
