"""The local audit log, one row per queued action: who acted, for whom, what, on which item, when it was queued,
when it was delivered or why not; and its export as CSV that Excel opens as it is.

Read from ``audit_log`` in the encrypted cache (one line per event; ``Cache.audit_entry`` writes
them), grouped by the action's idempotency key. Lines written before the log had columns
(schema 3) are read from their free text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from offline_cache.admin import ADMIN_AUDIT_EVENT, admin_action_name
from offline_cache.labels import history_action_name, outbox_state_name
from offline_cache.store.cache import Cache

#: A cell starting with one of these is a formula to a spreadsheet (CSV injection): it gets a quote first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_HEADER = ("Сотрудник", "За кого", "Действие", "Сообщение", "Поставлено в очередь", "Доставлено", "Состояние",
              "Причина")


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One queued action as the audit log knows it."""

    entry_key: str
    item_id: str
    item_number: str
    action: str
    user_id: str | None
    user_name: str
    acting_for: str | None
    acting_for_name: str
    queued_at: str
    delivered_at: str | None
    state: str  # the outbox state it reached last: pending, done, failed, conflict, cancelled, …
    error: str
    #: An administrative change (issue 14): what changed, in Russian; "" for queued actions on items.
    details: str = ""

    @property
    def action_name(self) -> str:
        if self.details:
            return f"{admin_action_name(self.action)}: {self.details}"
        return history_action_name(self.action)

    @property
    def state_name(self) -> str:
        return outbox_state_name(self.state)


_STATE_OF_EVENT = {"enqueued": "pending", "outbox_done": "done", "outbox_failed": "failed",
                   "outbox_conflict": "conflict", "outbox_cancelled": "cancelled", "outbox_discarded": "discarded",
                   "outbox_resolved": "resolved"}


def audit_rows(cache: Cache, *, user_id: str | None = None, item_id: str | None = None,
               since: str | None = None, limit: int | None = None) -> list[AuditRow]:
    """Queued actions, newest first; of ``user_id`` (who acted) / on ``item_id`` / queued at or after ``since``."""
    names = {s.id: s.full_name for s in cache.staff()}
    numbers = dict(cache.db.execute("SELECT id, number FROM items").fetchall())
    grouped: dict[str, dict[str, str | None]] = {}
    lines = cache.db.execute("SELECT at, event, item_id, details, user_id, acting_for, action, entry_key, queued_at, "
                             "delivered_at, error FROM audit_log WHERE event IN "
                             f"({','.join('?' * len(_STATE_OF_EVENT))}) ORDER BY id", list(_STATE_OF_EVENT))
    for at, event, line_item, details, who, whom, action, key, queued, delivered, error in lines:
        if key is None:  # a line from before the columns: "<action> <key> [<error>]"
            action, key, *rest = [*str(details).split(" ", 2), ""][:3]
            error = rest[0] if event in ("outbox_failed", "outbox_conflict") else ""
            queued = at if event == "enqueued" else None
        row = grouped.setdefault(key, {"item_id": line_item, "action": action, "user_id": who, "acting_for": whom,
                                       "queued_at": queued or at, "delivered_at": None, "error": ""})
        row["state"] = _STATE_OF_EVENT[event]
        row["delivered_at"] = delivered or row["delivered_at"]
        row["error"] = error or ("" if event == "outbox_done" else row["error"])
    result = []
    for key, row in grouped.items():
        if (user_id is not None and row["user_id"] != user_id) or (item_id is not None and row["item_id"] != item_id) \
                or (since is not None and str(row["queued_at"]) < since):
            continue
        item, who, whom = str(row["item_id"]), row["user_id"], row["acting_for"]
        result.append(AuditRow(key, item, numbers.get(item, item), str(row["action"]), who,
                               names.get(who or "", who or ""), whom, names.get(whom or "", whom or ""),
                               str(row["queued_at"]), row["delivered_at"], str(row["state"]), str(row["error"] or "")))
    if item_id is None:  # administrative changes concern no item
        result += _admin_rows(cache, names, user_id, since)
    result.sort(key=lambda r: r.queued_at, reverse=True)
    return result[:limit] if limit is not None else result


def _admin_rows(cache: Cache, names: dict[str, str], user_id: str | None, since: str | None) -> list[AuditRow]:
    """Administrative changes made here: taken by the platform at once (online only), so delivered when made."""
    rows = cache.db.execute("SELECT id, at, user_id, action, details FROM audit_log WHERE event=? "
                            "AND (? IS NULL OR user_id=?) AND (? IS NULL OR at>=?) ORDER BY id",
                            [ADMIN_AUDIT_EVENT, user_id, user_id, since, since]).fetchall()
    return [AuditRow(f"admin-{line}", "", "", str(action or ""), who, names.get(who or "", who or ""), None, "",
                     str(at), str(at), "done", "", str(details) or "—") for line, at, who, action, details in rows]


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading formula character gets a quote before it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_lines(rows: Iterable[AuditRow]) -> list[tuple[str, ...]]:
    """The header and one line per row, every cell formula-safe."""
    lines: list[tuple[str, ...]] = [CSV_HEADER]
    for r in rows:
        lines.append(tuple(safe_cell(v) for v in (
            r.user_name, r.acting_for_name, r.action_name, r.item_number, r.queued_at, r.delivered_at or "",
            r.state_name, r.error)))
    return lines


def export_csv(rows: Iterable[AuditRow], path: Path | str) -> int:
    """Write ``rows`` as CSV: UTF-8 with a byte order mark (so Excel reads Cyrillic), ``;`` between cells
    (Excel's separator in a Russian locale), formula-safe. Returns how many rows were written."""
    lines = csv_lines(rows)
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    with partial.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=";", quoting=csv.QUOTE_MINIMAL).writerows(lines)
    partial.replace(target)  # a half-written export never takes the place of the file
    return len(lines) - 1
