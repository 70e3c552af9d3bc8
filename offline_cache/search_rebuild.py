"""Rewriting the search index of an upgraded cache with reduced words, in the background, in short batches.

Migration 0006 (word forms) only records that the rows written before it hold whole folded words
(``MARKER`` in ``sync_state``): rewriting 100,000 rows inside the migration would keep the window
closed for a minute. The rows are then rewritten here, a range of rowids per transaction, each
transaction moving the marker on, so a killed program goes on from the last batch it committed.

Search works meanwhile, because a stem is a prefix of its word: the query «дорога» looks for the
prefix «дорог», which an old row's «дороге» matches as well as a new row's stem «дорог». An old
row can match a little more than it will (the query's stem may be longer than the stem of the
written word: «садовая» → «садов» matches the old «садов», whose own stem is «сад»), never less.
The feed writes the rows it touches reduced already; rewriting them again changes nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from offline_cache.store.items import _SEARCH_ROWS

#: ``sync_state`` key: {"done": the last rowid rewritten, "last": the highest rowid to rewrite}.
MARKER = "search_rebuild"
#: Rows per transaction. benchmarks/bench_rebuild.py, 10,000 items on 2 busy cores: 250 rows hold the
#: writer's lock 106 ms median (p95 514 ms, when the index merges its segments), 500 rows 468 ms
#: (p95 1.2 s); the sync and the official's actions wait behind a batch at most that long.
BATCH = 250

#: SQL recording that the whole index is to be rewritten (in migration 0006; nothing when no items).
MARK_ALL = (f"INSERT OR REPLACE INTO sync_state (key, value) SELECT '{MARKER}', "
            "json_object('done', 0, 'last', max(rowid)) FROM items HAVING count(*) > 0;")


@dataclass(frozen=True, slots=True)
class RebuildProgress:
    """How far the rewrite is: rowids up to ``done`` of ``last`` are rewritten."""

    done: int
    last: int

    @property
    def finished(self) -> bool:
        return self.done >= self.last

    @property
    def percent(self) -> int:
        """Rowids are dense (items are never deleted), so the share of rowids is the share of rows."""
        return 100 if self.last <= 0 else min(100, self.done * 100 // self.last)


def pending(conn: Any) -> RebuildProgress | None:
    """The rewrite still to be done on ``conn``'s cache, or None when the index is up to date."""
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", [MARKER]).fetchone()
    if row is None:
        return None
    marker = json.loads(row[0])
    return RebuildProgress(int(marker["done"]), int(marker["last"]))


def rebuild_batch(conn: Any, batch: int = BATCH) -> RebuildProgress | None:
    """Rewrite the next ``batch`` rowids in one transaction (the marker with them); None when nothing is left."""
    conn.execute("BEGIN IMMEDIATE")  # the writer's lock from the start: the marker is read under it
    try:
        progress = pending(conn)
        if progress is None:
            conn.execute("COMMIT")
            return None
        upto = min(progress.done + batch, progress.last)
        # Old rows by rowid range (the index is searched by rowid), orphans included; then the items' rows.
        conn.execute("DELETE FROM search WHERE rowid > ? AND rowid <= ?", [progress.done, upto])
        conn.execute(f"{_SEARCH_ROWS} WHERE i.rowid > ? AND i.rowid <= ?", [progress.done, upto])
        progress = RebuildProgress(upto, progress.last)
        if progress.finished:
            conn.execute("DELETE FROM sync_state WHERE key = ?", [MARKER])
        else:
            conn.execute("UPDATE sync_state SET value = ? WHERE key = ?",
                         [json.dumps({"done": upto, "last": progress.last}), MARKER])
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return progress


def rebuild(conn: Any, report: Callable[[RebuildProgress], None] = lambda _p: None, *,
            stop: threading.Event | None = None, batch: int = BATCH) -> bool:
    """Rewrite what is left batch by batch, reporting after each; True once the index is up to date.

    ``stop`` ends the work between batches (the program is closing); the marker keeps the place.
    """
    while stop is None or not stop.is_set():
        progress = rebuild_batch(conn, batch)
        if progress is None:
            return True
        report(progress)
        if progress.finished:
            return True
    return False
