"""Writing the platform's items into the cache: a whole feed page with one statement per table.

A first download brings tens of thousands of items; one ``executemany`` per table per page
(rather than ten statements per item) is what keeps it close to the speed of the bare transfer.
The caller owns the transaction. Every item's FTS row shares the item's rowid, so an update
deletes and re-inserts it by rowid (a lookup) rather than by item id (a full scan).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from offline_cache.contract.models import Item
from offline_cache.domain.deadlines import active_deadline

#: The indexed columns of ``items`` written from the server's record, in statement order.
ITEM_COLUMNS = (
    "id", "number", "kind", "source", "org_id", "status", "version", "category_code", "subject", "address",
    "applicant_name", "assignee_id", "approval_step", "registered_at", "received_at", "due_at",
    "routing_due_at", "control_due_at", "active_due_at", "due_key", "updated_at", "category_name",
    "assignee_name", "feed_seq", "has_draft",
)

# pending/conflict/local_record are not among the updated columns: the official's own unconfirmed
# change keeps showing over the server's state. ON CONFLICT keeps the rowid (the FTS row's key),
# which INSERT OR REPLACE would change.
_UPSERT = (
    f"INSERT INTO items ({', '.join(ITEM_COLUMNS)}) VALUES ({', '.join('?' * len(ITEM_COLUMNS))}) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in ITEM_COLUMNS if c != "id")
)
_SEARCH_COLUMNS = ("rowid", "number", "subject", "body", "address", "applicant", "category", "draft")
_SEARCH_INSERT = f"INSERT INTO search ({', '.join(_SEARCH_COLUMNS)}) VALUES ({', '.join('?' * len(_SEARCH_COLUMNS))})"
_IN_JSON = "IN (SELECT value FROM json_each(?))"  # any number of ids as one parameter


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


def _lookup(conn: Any, sql: str, keys: Iterable[str]) -> dict[str, Any]:
    return {str(k): v for k, v in conn.execute(sql.format(_IN_JSON), [json.dumps(list(keys))])}


def write_items(conn: Any, items: Sequence[Item], seq: int) -> list[str]:
    """Store ``items`` (from feed position ``seq``) with their history, attachments and search rows.

    An item older than the cached copy (a page delivered again after a crash) is skipped; within
    ``items`` the newest copy of an id wins. Returns the ids written.
    """
    newest: dict[str, Item] = {}
    for item in items:
        seen = newest.get(item.id)
        if seen is None or item.version >= seen.version:
            newest[item.id] = item
    cached = _lookup(conn, "SELECT id, version FROM items WHERE id {}", newest)
    fresh = [i for i in newest.values() if cached.get(i.id, 0) <= i.version]
    if not fresh:
        return []
    categories = dict(conn.execute("SELECT code, name FROM categories").fetchall())
    staff = _lookup(conn, "SELECT id, full_name FROM staff WHERE id {}",
                    {i.assignee_id for i in fresh if i.assignee_id})

    rows = []
    for item in fresh:
        due = iso(active_deadline(item))
        rows.append((
            item.id, item.number, item.kind.value, item.source, item.org_id, item.status.value, item.version,
            item.category_code, item.subject, item.address, item.applicant_name, item.assignee_id,
            item.approval_step, iso(item.registered_at), iso(item.received_at), iso(item.due_at),
            iso(item.routing_due_at), iso(item.control_due_at), due, due or "9999", iso(item.updated_at),
            categories.get(item.category_code, item.category_code), staff.get(item.assignee_id or "", ""),
            seq, int(item.draft is not None),
        ))
    conn.executemany(_UPSERT, rows)
    conn.executemany("INSERT OR REPLACE INTO item_records (id, record) VALUES (?, ?)",
                     [(i.id, i.model_dump_json()) for i in fresh])

    updated = [(i.id,) for i in fresh if i.id in cached]
    conn.executemany("DELETE FROM history WHERE item_id = ?", updated)
    conn.executemany("INSERT INTO history VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
        (i.id, n, iso(h.at), h.actor_id, h.action, h.from_status.value if h.from_status else None,
         h.to_status.value, h.comment)
        for i in fresh for n, h in enumerate(i.history)])
    conn.executemany("INSERT OR IGNORE INTO attachments (id, item_id, name, content_type, size, origin) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     [(a.id, i.id, a.name, a.content_type, a.size, a.origin) for i in fresh for a in i.attachments])

    ids = [i.id for i in fresh]
    rowids = _lookup(conn, "SELECT id, rowid FROM items WHERE id {}", ids)
    drafts = _lookup(conn, "SELECT item_id, text FROM drafts WHERE item_id {}", ids)
    conn.executemany("DELETE FROM search WHERE rowid = ?", [(rowids[item_id],) for (item_id,) in updated])
    conn.executemany(_SEARCH_INSERT, [
        (rowids[i.id], i.number, normalise(i.subject), normalise(i.text), normalise(i.address),
         normalise(i.applicant_name), normalise(row[21]),
         normalise(drafts.get(i.id, i.draft.text if i.draft else "")))
        for i, row in zip(fresh, rows, strict=True)])
    return ids
