"""Writing the platform's items into the cache: a whole feed page with one statement per table.

A first download brings tens of thousands of items, so a page is written in two steps:
``prepare`` turns the items into rows without touching the database (the sync engine runs it on
the download thread, beside the writes of the previous page), and ``write_prepared`` writes them
with one statement per table, in which SQLite adds what only the cache knows (directory names,
local drafts, rowids). The caller owns the transaction. Every item's FTS row shares the item's
rowid, so an update deletes and re-inserts it by rowid (a lookup) rather than by item id (a scan).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic_core import PydanticSerializationError

from offline_cache.contract.models import Item
from offline_cache.domain.deadlines import active_deadline
from offline_cache.interpreter import pause_for_window
from offline_cache.word_forms import reduce

#: The indexed columns of ``items`` written from the server's record, in statement order.
ITEM_COLUMNS = (
    "id", "number", "kind", "source", "org_id", "status", "version", "category_code", "subject", "address",
    "applicant_name", "assignee_id", "approval_step", "registered_at", "received_at", "due_at",
    "routing_due_at", "control_due_at", "active_due_at", "due_key", "updated_at", "has_draft",
    "category_name", "assignee_name", "feed_seq",
)


def normalise(text: str) -> str:
    """Fold case and ё→е, which FTS5's unicode61 tokenizer does not treat as the same letter."""
    return text.lower().replace("ё", "е")


def iso(moment: datetime | None) -> str | None:
    """The stored form of a moment: ISO 8601 in UTC (``+00:00``), so that strings sort as times."""
    if moment is None:
        return None
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.isoformat()  # any zero offset prints as +00:00, the usual case (the platform sends UTC)


def _values(count: int) -> str:
    """SQL reading the first ``count`` fields of each JSON array in one parameter (``jsonb_each``)."""
    return ", ".join(f"value ->> {n}" for n in range(count))


_IDS = "SELECT value ->> 0 FROM jsonb_each(?)"
_FROM_RECORD = ITEM_COLUMNS.index("category_name")  # the columns before it come from the record alone
# pending/conflict/local_record are not among the updated columns: the official's own unconfirmed
# change keeps showing over the server's state. ON CONFLICT keeps the rowid (the FTS row's key),
# which INSERT OR REPLACE would change.
_UPSERT = (
    f"INSERT INTO items ({', '.join(ITEM_COLUMNS)}) "
    f"SELECT {_values(_FROM_RECORD)}, "
    "COALESCE((SELECT name FROM categories WHERE code = value ->> 7), value ->> 7), "
    "COALESCE((SELECT full_name FROM staff WHERE id = value ->> 11), ''), ? "
    "FROM jsonb_each(?) WHERE true "  # WHERE: an upsert's SELECT needs one (SQLite's grammar)
    "ON CONFLICT (id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in ITEM_COLUMNS
                                                 if c not in ("id", "has_draft"))
    # An item with the official's local draft stays among the drafts whatever the platform's copy says.
    + ", has_draft = excluded.has_draft OR EXISTS (SELECT 1 FROM drafts d WHERE d.item_id = excluded.id)"
)
_STATEMENTS = (
    # The search rows of cached copies go first, while only the cached copies have rowids.
    f"DELETE FROM search WHERE rowid IN (SELECT rowid FROM items WHERE id IN ({_IDS}))",
    _UPSERT,
    f"INSERT OR REPLACE INTO item_records (id, record) SELECT {_values(2)} FROM jsonb_each(?)",
    f"DELETE FROM history WHERE item_id IN ({_IDS})",
    f"INSERT INTO history SELECT {_values(8)} FROM jsonb_each(?)",
    "INSERT OR IGNORE INTO attachments (id, item_id, name, content_type, size, origin) "
    f"SELECT {_values(6)} FROM jsonb_each(?)",
    # Words are stored reduced (offline_cache.word_forms); what only the cache knows (the category's
    # name, a local draft) is reduced here by the connection's reduce_words(). The page's category names
    # come reduced in the first parameter (name → reduced): reduce_words() calls back into Python, and
    # 500 callbacks a page each waited for the interpreter lock while the next page was being prepared.
    "INSERT INTO search (rowid, number, subject, body, address, applicant, category, draft) "
    "SELECT i.rowid, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, "
    "COALESCE((SELECT m.value FROM json_each(?) m WHERE m.key = i.category_name), reduce_words(i.category_name)), "
    "COALESCE((SELECT reduce_words(d.text) FROM drafts d WHERE d.item_id = i.id), value ->> 6) "
    "FROM jsonb_each(?) JOIN items i ON i.id = value ->> 0",
)


@dataclass(frozen=True, slots=True)
class PreparedPage:
    """Items turned into rows, except for what only the cache knows, as one JSON text per table.

    JSON, because SQLite then reads a whole page in one statement per table (``jsonb_each``)
    without the interpreter: the next page is prepared meanwhile on another thread. Row by row,
    each row would wait for the interpreter lock.
    """

    items: list[Item]
    rows: str  # per item: the ITEM_COLUMNS up to category_name
    records: str  # per item: id, the full record as JSON
    history: str
    attachments: str
    search: str  # per item: id, number, subject, body, address, applicant, draft (reduced)
    rejected: list[tuple[Item, str]] = field(default_factory=list)  # (item, why it cannot be stored)


def prepare(items: Iterable[Item]) -> PreparedPage:
    """Rows for ``items``, the newest copy of each id only (a later copy wins a tie). No I/O."""
    newest: dict[str, Item] = {}
    for item in items:
        seen = newest.get(item.id)
        if seen is None or item.version >= seen.version:
            newest[item.id] = item
    accepted: list[Item] = []
    rejected: list[tuple[Item, str]] = []
    rows, records, history, attachments, search = [], [], [], [], []
    for i in newest.values():
        pause_for_window()  # the window repaints first: it waits for the interpreter at each cell otherwise
        try:
            record = i.model_dump_json()
        except PydanticSerializationError as exc:
            # Valid JSON may still hold text that is not Unicode (a lone surrogate escape such as
            # "\\ud800"): SQLite could not store it, and one such record must not block the page.
            rejected.append((i, f"текст не в Юникоде: {exc}"))
            continue
        accepted.append(i)
        due = iso(active_deadline(i))
        rows.append((i.id, i.number, i.kind.value, i.source, i.org_id, i.status.value, i.version, i.category_code,
                     i.subject, i.address, i.applicant_name, i.assignee_id, i.approval_step, iso(i.registered_at),
                     iso(i.received_at), iso(i.due_at), iso(i.routing_due_at), iso(i.control_due_at), due,
                     due or "9999", iso(i.updated_at), int(i.draft is not None)))
        records.append((i.id, record))
        history += [(i.id, n, iso(h.at), h.actor_id, h.action, h.from_status.value if h.from_status else None,
                     h.to_status.value, h.comment) for n, h in enumerate(i.history)]
        attachments += [(a.id, i.id, a.name, a.content_type, a.size, a.origin) for a in i.attachments]
        search.append((i.id, i.number, reduce(i.subject), reduce(i.text), reduce(i.address),
                       reduce(i.applicant_name), reduce(i.draft.text) if i.draft else ""))
    rows_json, records_json, history_json, attachments_json, search_json = (
        json.dumps(t, ensure_ascii=False) for t in (rows, records, history, attachments, search))
    return PreparedPage(accepted, rows_json, records_json, history_json, attachments_json, search_json, rejected)


def write_prepared(conn: Any, page: PreparedPage, seq: int) -> list[str]:
    """Store a prepared page (from feed position ``seq``) with history, attachments and search rows.

    An item older than the cached copy (a page delivered again after a crash) is skipped.
    Returns the ids written.
    """
    incoming = {i.id: i.version for i in page.items}
    cached = conn.execute(f"SELECT id, version FROM items WHERE id IN ({_IDS})", [page.rows]).fetchall()
    stale = {item_id for item_id, version in cached if incoming[item_id] < version}
    if stale:  # rare: only a page delivered again, so preparing it again here costs nothing that matters
        page = prepare(i for i in page.items if i.id not in stale)
    if not page.items:
        return []
    params = (page.rows, page.rows, page.records, page.rows, page.history, page.attachments, page.search)
    for sql, param in zip(_STATEMENTS, params, strict=True):
        if sql is _UPSERT:
            conn.execute(sql, [seq, param])
        elif sql is _STATEMENTS[-1]:
            conn.execute(sql, [_reduced_category_names(conn, page.items), param])
        else:
            conn.execute(sql, [param])
    return [i.id for i in page.items]


def _reduced_category_names(conn: Any, items: list[Item]) -> str:
    """JSON: each category name the page's items get (``_UPSERT``: the cached name, or the code) → its reduced form."""
    codes = sorted({i.category_code for i in items if i.category_code})
    names = dict(conn.execute("SELECT code, name FROM categories WHERE code IN (SELECT value FROM json_each(?))",
                              [json.dumps(codes, ensure_ascii=False)]).fetchall())
    return json.dumps({name: reduce(name) for name in {names.get(c) or c for c in codes}}, ensure_ascii=False)


def write_items(conn: Any, items: Iterable[Item], seq: int) -> list[str]:
    """``prepare`` and ``write_prepared`` in one step, for a few items (a confirmed action)."""
    return write_prepared(conn, prepare(items), seq)


_BODY = "r.record ->> '$.text'"
_DRAFT = "COALESCE((SELECT d.text FROM drafts d WHERE d.item_id = i.id), r.record ->> '$.draft.text', '')"
# The search row of the item selected by a WHERE clause, from what the cache holds (words reduced).
_SEARCH_ROWS = (
    "INSERT INTO search (rowid, number, subject, body, address, applicant, category, draft) "
    f"SELECT i.rowid, i.number, reduce_words(i.subject), reduce_words({_BODY}), reduce_words(i.address), "
    f"reduce_words(i.applicant_name), reduce_words(i.category_name), reduce_words({_DRAFT}) "
    "FROM items i JOIN item_records r ON r.id = i.id"
)
_SEARCH_ROW = f"{_SEARCH_ROWS} WHERE i.id = ?"


def refresh_search_row(conn: Any, item_id: str) -> None:
    """Write the item's search row again from the cache (after its local draft changed); caller's transaction."""
    conn.execute("DELETE FROM search WHERE rowid = (SELECT rowid FROM items WHERE id = ?)", [item_id])
    conn.execute(_SEARCH_ROW, [item_id])
