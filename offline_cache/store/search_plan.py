"""Planning a search over the FTS index so that a word matching every cached item stays fast (issue 15).

A profile of searches over 100,000 cached items (benchmarks/README.md) showed where the time went:

- a prefix term is cheap only when its length has a prefix index (2, 3 or 4 letters). A longer stem
  («приня»*, «заявител»*) or a single letter makes FTS5 merge every matching term's whole doclist
  into a buffer before returning the first row: 50–75 ms for a word in every item, against 10 ms for
  the same documents as a plain term. Such a term is spelled here as the terms the index holds with
  that prefix (from the ``fts5vocab`` table), which FTS5 reads as a stream: the same documents;
- the plan (``membership``) counted the hits, then the query read them again; the window counts them a
  third time. The count is kept per connection until the cache changes;
- a query matching every item was still tested item by item against a set of 100,000 row ids built
  for the purpose (~50 ms). When the hits are as many as the items, there is nothing to test.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

import sqlcipher3

from offline_cache.word_forms import stems

#: Prefix lengths with their own prefix index (schema: ``prefix = '2 3 4'``): cheap as they are.
INDEXED_PREFIXES = range(2, 5)
#: A prefix standing for more terms than this stays a prefix term (an OR of many terms costs more).
MAX_TERMS = 16

#: Answers kept until the cache changes: (connection id, kind, query) → (connection, version, answer).
#: The connection is kept too, so that its id is not reused while the entry exists; a few entries only.
_memo: dict[tuple[int, str, str], tuple[Any, tuple[int, int], Any]] = {}
_MEMO_SIZE = 16
T = TypeVar("T")


def _remembered(conn: Any, kind: str, key: str, work: Callable[[], T]) -> T:
    version = _version(conn)
    known = _memo.get((id(conn), kind, key))
    if known is not None and known[0] is conn and known[1] == version:
        return known[2]  # type: ignore[no-any-return]
    answer = work()
    if len(_memo) >= _MEMO_SIZE:
        del _memo[next(iter(_memo))]  # the oldest
    _memo[(id(conn), kind, key)] = (conn, version, answer)
    return answer


def forget() -> None:
    """Drop every remembered plan and count (benchmarks time each query from scratch)."""
    _memo.clear()


def _terms(conn: Any, prefix: str) -> list[str] | None:
    """The index's terms starting with ``prefix``; None when there are more than ``MAX_TERMS``."""
    sql = "SELECT term FROM temp.search_terms WHERE term >= ? AND term < ? LIMIT ?"
    params = [prefix, prefix + "\U0010ffff", MAX_TERMS + 1]
    try:
        rows = conn.execute(sql, params).fetchall()
    except (sqlite3.OperationalError, sqlcipher3.OperationalError):
        # First use on this connection: a temporary table of the connection only (the schema is unchanged).
        conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_terms USING fts5vocab(main, search, row)")
        rows = conn.execute(sql, params).fetchall()
    return None if len(rows) > MAX_TERMS else [str(r[0]) for r in rows]


def planned_query(conn: Any, text: str) -> str | None:
    """An FTS5 query finding exactly what ``word_forms.prefix_query(text)`` finds, spelled to be read as a stream:
    each stem's prefix term becomes the terms it stands for unless a prefix index serves it. None without words.
    Kept per connection until the cache changes (a page and its count plan the same text)."""
    return _remembered(conn, "plan", text, lambda: _plan(conn, text))


def _plan(conn: Any, text: str) -> str | None:
    found = list(dict.fromkeys(stems(text)))  # a word given twice narrows nothing
    if not found:
        return None
    parts = []
    for stem in found:
        terms = None if len(stem) in INDEXED_PREFIXES else _terms(conn, stem)
        if terms is None or not terms:  # no such term: the prefix term finds nothing, cheaply
            parts.append(f'"{stem}"*')
        elif len(terms) == 1:
            parts.append(f'"{terms[0]}"')
        else:
            parts.append("(" + " OR ".join(f'"{t}"' for t in terms) + ")")
    return " AND ".join(parts)  # FTS5 joins a group to a phrase only by an explicit AND


def _version(conn: Any) -> tuple[int, int]:
    """Changes by other connections (``data_version``) and by this one (``total_changes``)."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0]), int(conn.total_changes)


def hits(conn: Any, query: str) -> int:
    """How many items match ``query``, counted once per query until the cache changes."""
    return _remembered(conn, "hits", query, lambda: int(
        conn.execute("SELECT count(*) FROM search WHERE search MATCH ?", [query]).fetchone()[0]))


def membership(conn: Any, query: str) -> str:
    """SQL testing that item ``i`` matches FTS ``query`` (one ``?`` parameter), planned by hit count.

    Every item matches: nothing to test. A rare word: look its few items up by rowid. A common one:
    walk the sort index in order and test membership (the unary + keeps SQLite off the rowid lookups),
    which finds a page of matches after a few hundred rows instead of sorting thousands.
    """
    found = hits(conn, query)
    # Every search row has its item's rowid, so as many hits as the highest rowid means every item matches.
    size = conn.execute("SELECT COALESCE(max(rowid), 0) FROM items").fetchone()[0]
    if found and found >= size:
        return "? IS NOT NULL"
    rowid = "+i.rowid" if found > max(500, size // 50) else "i.rowid"
    return f"{rowid} IN (SELECT rowid FROM search WHERE search MATCH ?)"
