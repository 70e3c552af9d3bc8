"""The local audit log as a hash chain (issue 12, point 7): an edit made behind POS Desk's back shows.

Each line of ``audit_log`` carries ``chain`` = sha256 of the previous line's chain and this line's
content, sealed by the writer in the same transaction as the line. The newest line's id and chain are
also kept in ``sync_state`` (``audit_head``), so removing lines from the end shows too. What it proves:
nobody changed, inserted, reordered or removed lines through SQL without recomputing the chain; the
cache is encrypted, so recomputing needs the cache key from the official's keyring.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

HEAD_KEY = "audit_head"
COLUMNS = ("id", "at", "event", "item_id", "details", "user_id", "acting_for", "action", "entry_key", "queued_at",
           "delivered_at", "error")
_SELECT = f"SELECT {', '.join(COLUMNS)}, chain FROM audit_log"


def link(previous: str, row: tuple[Any, ...]) -> str:
    """The chain value of ``row`` (its COLUMNS, in order) after the line whose chain is ``previous``."""
    content = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous}\n{content}".encode()).hexdigest()


def seal(db: Any) -> int:
    """Chain every line not chained yet (the new one; on first use, the lines from before the chain).

    Runs on the writer, inside the transaction that wrote the line. Returns how many lines it sealed.
    """
    last = db.execute("SELECT id, chain FROM audit_log WHERE chain IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
    last_id, previous = (int(last[0]), str(last[1])) if last else (0, "")
    fresh = db.execute(f"{_SELECT} WHERE id > ? ORDER BY id", [last_id]).fetchall()
    for row in fresh:
        previous = link(previous, tuple(row[: len(COLUMNS)]))
        db.execute("UPDATE audit_log SET chain = ? WHERE id = ?", [previous, row[0]])
        last_id = int(row[0])
    if fresh:
        db.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [HEAD_KEY, f"{last_id}:{previous}"])
    return len(fresh)


def seal_from_before(db: Any) -> int:
    """On the writer's open: chain the lines written before the chain existed, once (no head kept yet).

    Only then: an unchained line appearing later was not written by POS Desk and must stay visible.
    """
    if db.execute("SELECT 1 FROM sync_state WHERE key = ?", [HEAD_KEY]).fetchone() is not None:
        return 0
    return seal(db)


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """Whether the audit log is intact; when not, the first line found wrong and why (Russian)."""

    intact: bool
    lines: int
    bad_id: int | None = None
    reason: str = ""

    @property
    def message(self) -> str:
        if self.intact:
            return f"Журнал аудита не нарушен: {self.lines} записей, цепочка хэшей сходится."
        where = f" (запись № {self.bad_id})" if self.bad_id is not None else ""
        return f"Журнал аудита нарушен{where}: {self.reason}"


def verify(db: Any) -> ChainCheck:
    """Walk the chain from the first line; read-only (any connection)."""
    previous, count, last_id = "", 0, 0
    for row in db.execute(f"{_SELECT} ORDER BY id"):
        line_id, chain = int(row[0]), row[len(COLUMNS)]
        if chain is None:
            return ChainCheck(False, count, line_id, "запись добавлена в обход программы (без звена цепочки).")
        previous = link(previous, tuple(row[: len(COLUMNS)]))
        if chain != previous:
            return ChainCheck(False, count, line_id, "запись изменена, вставлена или удалена запись перед ней.")
        count, last_id = count + 1, line_id
    head = db.execute("SELECT value FROM sync_state WHERE key = ?", [HEAD_KEY]).fetchone()
    expected = f"{last_id}:{previous}" if count else None
    if (head[0] if head else None) != expected:
        return ChainCheck(False, count, None, "последние записи удалены или подменены.")
    return ChainCheck(True, count)
