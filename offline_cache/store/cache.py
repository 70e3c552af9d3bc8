"""The cache's records: items, history, attachments, directory, sync state, outbox and search.

Every write that belongs together happens in one transaction: a feed page with its cursor; a
user action's outbox row with its optimistic local change. Once ``enqueue`` returns, the action
is on disk (WAL, synchronous=FULL) and survives a killed process or a power cut.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from offline_cache.audit_chain import seal, seal_from_before
from offline_cache.contract.models import (
    CalendarYearOut,
    CategoryOut,
    Item,
    OrganisationOut,
    RejectionGroundOut,
    StaffOut,
    TemplateOut,
)
from offline_cache.store.database import STORAGE_ERRORS, open_encrypted, rekey, storage_error
from offline_cache.store.items import PreparedPage, prepare, write_items, write_prepared
from offline_cache.store.items import normalise as normalise  # re-exported: callers fold text for display
from offline_cache.store.local import LocalDraft, LocalWork, adopt_uploaded_files
from offline_cache.store.schema import migrate
from offline_cache.store.search_plan import membership, planned_query
from offline_cache.word_forms import prefix_query, register

OUTBOX_STATES = ("pending", "sending", "done", "failed", "conflict", "cancelled", "discarded", "resolved")
#: Entries still to be delivered (and shown as pending on their items).
IN_FLIGHT = ("pending", "sending")


def _now() -> str:
    return datetime.now(UTC).isoformat()


def storable(text: str | None) -> str | None:
    """``text`` with anything UTF-8 cannot hold (lone surrogates) written as escapes, for SQLite."""
    if text is None:
        return None
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def storable_json(value: Any) -> str:
    """JSON for the quarantine: readable Cyrillic, or all escapes where the text is not Unicode."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, default=str)
    return text


def fts_query(text: str) -> str | None:
    """A query matching all words of ``text`` by the prefix of their stems (``word_forms.prefix_query``)."""
    return prefix_query(text)


def fts_membership(conn: Any, query: str) -> str:
    """SQL testing that item ``i`` matches FTS ``query`` (one ``?`` parameter), planned by hit count
    (``search_plan.membership``)."""
    return membership(conn, query)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One queued user action."""

    id: int
    idempotency_key: str
    item_id: str
    base_version: int
    action: str
    payload: dict[str, Any]
    created_at: str
    state: str
    attempts: int
    last_error: str
    user_id: str | None = None  # the official who queued it; only their login sends it
    acting_for: str | None = None  # the absent colleague this was done for, as their deputy
    server_record: Item | None = None  # a conflict's (or a delivery's) item as the platform had it
    delivered_at: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> OutboxEntry:
        server = row.get("server_record")
        return cls(row["id"], row["idempotency_key"], row["item_id"], row["base_version"], row["action"],
                   json.loads(row["payload"]), row["created_at"], row["state"], row["attempts"], row["last_error"],
                   row.get("user_id"), row.get("acting_for"),
                   Item.model_validate_json(server) if server else None, row.get("delivered_at"))


class Cache(LocalWork):
    """The decrypted view of one profile's cache file."""

    def __init__(self, db: sqlite_utils.Database, *, upgrade: bool = True) -> None:
        self.db = db
        register(db.conn)  # search rows written from the cache reduce their words in SQL
        if upgrade:
            migrate(db)
            with self.transaction():
                seal_from_before(db)  # audit lines from before the hash chain (issue 12)

    @classmethod
    def open(cls, path: Path | str, key: bytes, *, create: bool = True, upgrade: bool = True) -> Cache:
        """Open the cache; readers beside the writer pass ``upgrade=False`` (the writer migrates)."""
        db = open_encrypted(path, key, create=create)
        try:
            return cls(db, upgrade=upgrade)
        except STORAGE_ERRORS as exc:  # a migration that met a full disk or a lock: told as it is
            db.conn.close()
            raise storage_error(exc, Path(path)) from exc

    def close(self) -> None:
        self.db.conn.close()

    def rekey(self, new_key: bytes) -> None:
        """Re-encrypt the cache with ``new_key``; the caller stores the key in the vault afterwards."""
        rekey(self.db, new_key)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (a full disk, say)
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # a failed COMMIT leaves the transaction open: end it, keep the error
                conn.execute("ROLLBACK")
            raise

    # --- sync state -------------------------------------------------------------------------

    def state(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM sync_state WHERE key=?", [key]).fetchone()
        return default if row is None else str(row[0])

    def set_state(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)", [key, value])

    @property
    def cursor(self) -> int:
        return int(self.state("cursor", "0") or 0)

    # --- pull -------------------------------------------------------------------------------

    def apply_page(self, items: Iterable[Item] | PreparedPage, next_cursor: int,
                   quarantined: Iterable[tuple[str | None, str, str]] = ()) -> int:
        """Store a feed page and its cursor in one transaction; return how many items changed.

        ``items`` may come already prepared (``store.items.prepare``, done off the writer's
        thread). ``quarantined`` holds (item id, error, raw JSON) for records that failed
        validation: they are kept aside for the administrator and the rest of the page applies,
        like the items ``prepare`` rejected.
        """
        prepared = items if isinstance(items, PreparedPage) else prepare(items)
        bad = [*quarantined, *((item.id, error, storable_json(item.model_dump(mode="json")))
                               for item, error in prepared.rejected)]
        with self.transaction():
            written = write_prepared(self.db.conn, prepared, next_cursor)
            self.db.conn.executemany(
                "INSERT INTO quarantine (at, feed_seq, item_id, error, raw) VALUES (?, ?, ?, ?, ?)",
                [(_now(), next_cursor, storable(item_id), storable(error), raw) for item_id, error, raw in bad])
            self.set_state("cursor", str(next_cursor))
        return len(written)

    # --- directory --------------------------------------------------------------------------

    def store_directory(self, organisations: list[OrganisationOut], staff: list[StaffOut],
                        categories: list[CategoryOut], templates: list[TemplateOut],
                        grounds: list[RejectionGroundOut], calendar: list[CalendarYearOut] | None = None) -> None:
        """Replace the cached directory; ``calendar`` (the platform's years of the production calendar)
        replaces the cached years when given, so a platform without them leaves the bundled calendar."""
        with self.transaction():
            old_categories = dict(self.db.execute("SELECT code, name FROM categories").fetchall())
            old_staff = dict(self.db.execute("SELECT id, full_name FROM staff").fetchall())
            for table in ("organisations", "staff", "categories", "templates", "rejection_grounds"):
                self.db.execute(f"DELETE FROM {table}")
            self.db.conn.executemany("INSERT INTO organisations VALUES (?, ?, ?)",
                                     [(o.id, o.parent_id, o.model_dump_json()) for o in organisations])
            self.db.conn.executemany("INSERT INTO staff VALUES (?, ?, ?, ?)",
                                     [(s.id, s.org_id, s.full_name, s.model_dump_json()) for s in staff])
            # Stage terms as the contract's JSON; none sent (an older platform) is NULL: the defaults.
            self.db.conn.executemany(
                "INSERT INTO categories (code, name, parent_code, term_kind, term_days, stage_terms) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(c.code, c.name, c.parent_code, c.term_kind.value, c.term_days,
                  json.dumps([t.model_dump(mode="json") for t in c.stage_terms]) if c.stage_terms else None)
                 for c in categories])
            if calendar is not None:
                self.db.execute("DELETE FROM calendar_years")
                self.db.conn.executemany("INSERT INTO calendar_years (year, value) VALUES (?, ?)",
                                         [(y.year, y.model_dump_json()) for y in calendar])
            self.db.conn.executemany(
                "INSERT INTO templates (id, title, text, purpose, category_code, ground_code, version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(t.id, t.title, t.text, t.purpose, t.category_code, t.ground_code, t.version) for t in templates])
            self.db.conn.executemany("INSERT INTO rejection_grounds VALUES (?, ?, ?, ?)",
                                     [(g.code, g.number, g.title, g.text) for g in grounds])
            self._copy_names(old_categories, {c.code: c.name for c in categories},
                             old_staff, {s.id: s.full_name for s in staff})

    def _copy_names(self, old_categories: dict[str, str], categories: dict[str, str],
                    old_staff: dict[str, str], staff: dict[str, str]) -> None:
        """Copy renamed categories' and colleagues' names into their items (the queue sorts by them).

        Only the items of a name that changed are written: rewriting all 100,000 rows (and two
        indexes) on every directory refresh held the writer for two seconds, and an action pressed
        meanwhile waited for it. The first directory (an empty one before) sets every row.
        """
        if not old_categories and not old_staff:
            self.db.execute(
                "UPDATE items SET category_name = COALESCE((SELECT name FROM categories c "
                "WHERE c.code = items.category_code), category_code), assignee_name = COALESCE("
                "(SELECT full_name FROM staff s WHERE s.id = items.assignee_id), '')")
            return
        renamed = [(categories.get(code, code), code) for code in old_categories.keys() | categories.keys()
                   if old_categories.get(code) != categories.get(code)]
        self.db.conn.executemany("UPDATE items SET category_name = ? WHERE category_code = ?", renamed)
        moved = [(staff.get(user, ""), user) for user in old_staff.keys() | staff.keys()
                 if old_staff.get(user) != staff.get(user)]
        self.db.conn.executemany("UPDATE items SET assignee_name = ? WHERE assignee_id = ?", moved)

    def organisations(self) -> list[OrganisationOut]:
        return [OrganisationOut.model_validate_json(r[0]) for r in self.db.execute("SELECT record FROM organisations")]

    def staff(self) -> list[StaffOut]:
        return [StaffOut.model_validate_json(r[0]) for r in self.db.execute("SELECT record FROM staff")]

    def rejection_codes(self) -> frozenset[str]:
        return frozenset(str(r[0]) for r in self.db.execute("SELECT code FROM rejection_grounds"))

    # --- reads ------------------------------------------------------------------------------

    def item(self, item_id: str) -> Item | None:
        """The item as the official should see it: their pending change over the server's state."""
        row = self.db.execute("SELECT r.record, i.local_record FROM items i JOIN item_records r ON r.id = i.id "
                              "WHERE i.id=?", [item_id]).fetchone()
        if row is None:
            return None
        return Item.model_validate_json(row[1] or row[0])

    def server_item(self, item_id: str) -> Item | None:
        row = self.db.execute("SELECT record FROM item_records WHERE id=?", [item_id]).fetchone()
        return None if row is None else Item.model_validate_json(row[0])

    def item_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM items").fetchone()[0])

    def counts_by_status(self) -> dict[str, int]:
        return {str(s): int(n) for s, n in self.db.execute("SELECT status, count(*) FROM items GROUP BY status")}

    def search(self, text: str, limit: int = 50) -> list[dict[str, Any]]:
        """Items matching every word of ``text`` in any of its forms (stem prefixes; ё = е), nearest deadline first.

        Deadline order rather than relevance: ranking scores every match, which for a common word
        in a large cache costs hundreds of milliseconds, and officials work by deadline anyway.
        """
        query = planned_query(self.db.conn, text)  # what fts_query(text) finds, read faster
        if query is None:
            return []
        sql = ("SELECT i.id, i.number, i.status, i.subject, i.address, i.active_due_at FROM items i "
               f"WHERE {fts_membership(self.db.conn, query)} ORDER BY i.due_key, i.id LIMIT ?")
        return [dict(zip(("id", "number", "status", "subject", "address", "active_due_at"), row, strict=True))
                for row in self.db.execute(sql, [query, limit])]

    # --- attachments (bytes live only inside the encrypted database) ------------------------

    def attachment_data(self, att_id: str) -> bytes | None:
        row = self.db.execute("SELECT data FROM attachments WHERE id=?", [att_id]).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def store_attachment_data(self, att_id: str, data: bytes) -> None:
        self.db.execute("UPDATE attachments SET data=?, fetched_at=? WHERE id=?", [data, _now(), att_id])

    def attachment_meta(self, att_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT id, item_id, name, content_type, size, origin FROM attachments WHERE id=?",
                              [att_id]).fetchone()
        names = ("id", "item_id", "name", "content_type", "size", "origin")
        return None if row is None else dict(zip(names, row, strict=True))

    # --- outbox -----------------------------------------------------------------------------

    def me_id(self) -> str | None:
        """The id of the official the cache last synced as (``state("me")``), None before the first sync."""
        raw = self.state("me")
        return None if raw is None else str(json.loads(raw)["user"]["id"])

    def enqueue(self, item_id: str, action: str, payload: dict[str, Any], base_version: int,
                predicted: Item | None = None, *, key: str | None = None, user_id: str | None = None,
                acting_for: str | None = None, supersedes: int | None = None,
                drop_draft: bool = False) -> OutboxEntry:
        """Queue a user action with its optimistic local change, in one transaction.

        ``user_id`` defaults to the logged-in official; ``supersedes`` names a failed or conflicting
        entry this one replaces (resent or re-applied): it becomes «resolved» in the same transaction.
        ``drop_draft``: the action carries the answer being written, so its local draft goes with it.
        """
        key = key or str(uuid.uuid4())
        user_id = user_id or self.me_id()
        with self.transaction():
            if supersedes is not None:
                self._finish(supersedes, "resolved")
            self.db.execute(
                "INSERT INTO outbox (idempotency_key, item_id, base_version, action, payload, created_at, state, "
                "user_id, acting_for) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                [key, item_id, base_version, action, json.dumps(payload, ensure_ascii=False), _now(), user_id,
                 acting_for])
            if predicted is not None:
                self.db.execute("UPDATE items SET local_record=?, pending=pending+1 WHERE id=?",
                                [predicted.model_dump_json(), item_id])
            else:
                self.db.execute("UPDATE items SET pending=pending+1 WHERE id=?", [item_id])
            if drop_draft:
                self._drop_draft(item_id)
            entry = self.outbox_entry_by_key(key)
            self.audit_entry("enqueued", entry)
        return entry

    def outbox_entry_by_key(self, key: str) -> OutboxEntry:
        entry = self._entries("idempotency_key=?", [key])
        return entry[0]

    def outbox_entry(self, entry_id: int) -> OutboxEntry | None:
        found = self._entries("id=?", [entry_id])
        return found[0] if found else None

    def _entries(self, where: str, params: list[Any]) -> list[OutboxEntry]:
        cursor = self.db.execute(f"SELECT * FROM outbox WHERE {where} ORDER BY id", params)
        names = [d[0] for d in cursor.description]
        return [OutboxEntry.from_row(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]

    def outbox(self, states: Iterable[str] | None = ("pending",), *, user_id: str | None = None,
               item_id: str | None = None) -> list[OutboxEntry]:
        """Entries in ``states`` (all when None), oldest first; only ``user_id``'s / ``item_id``'s when given."""
        where, params = ["1"], []
        if states is not None:
            wanted = list(states)
            where.append(f"state IN ({','.join('?' * len(wanted))})")
            params += wanted
        if user_id is not None:
            where.append("user_id=?")
            params.append(user_id)
        if item_id is not None:
            where.append("item_id=?")
            params.append(item_id)
        return self._entries(" AND ".join(where), params)

    def outbox_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTBOX_STATES, 0)
        for state, n in self.db.execute("SELECT state, count(*) FROM outbox GROUP BY state"):
            counts[str(state)] = int(n)
        return counts

    def mark_sending(self, entry_id: int) -> None:
        """The entry's request is about to leave: from now on the platform may have applied it.

        After a crash an entry still «sending» is sent again under its idempotency key, which the
        platform answers with the first result: nothing is applied twice.
        """
        self.db.execute("UPDATE outbox SET state='sending' WHERE id=? AND state='pending'", [entry_id])

    def mark_attempt(self, entry_id: int, error: str = "") -> None:
        """The request did not get through (network, 5xx): back to «pending» with the reason."""
        self.db.execute("UPDATE outbox SET state='pending', attempts=attempts+1, last_error=? WHERE id=?",
                        [error, entry_id])

    def rewrite_payload(self, entry_id: int, payload: dict[str, Any]) -> None:
        """Store the payload an entry will be sent with (local file ids replaced by the platform's)."""
        self.db.execute("UPDATE outbox SET payload=? WHERE id=?",
                        [json.dumps(payload, ensure_ascii=False), entry_id])

    def resolve(self, entry: OutboxEntry, state: str, *, server: Item | None = None, error: str = "") -> None:
        """Finish an outbox entry: done (with the server's new state), failed or conflict."""
        assert state in ("done", "failed", "conflict")
        with self.transaction():
            delivered = _now() if state == "done" else None
            self.db.execute("UPDATE outbox SET state=?, last_error=?, server_record=?, attempts=attempts+1, "
                            "delivered_at=? WHERE id=?",
                            [state, error, server.model_dump_json() if server else None, delivered, entry.id])
            if server is not None:
                write_items(self.db.conn, [server], self.cursor)
            if state == "conflict":
                self.db.execute("UPDATE items SET conflict=1 WHERE id=?", [entry.item_id])
            if state == "done":
                adopt_uploaded_files(self.db.conn, entry.payload)
            self._settle(entry.item_id)
            self.audit_entry(f"outbox_{state}", entry, error=error, delivered_at=delivered)

    def _finish(self, entry_id: int, state: str) -> OutboxEntry:
        """Set a final state chosen by the official (cancelled, discarded, resolved); caller's transaction."""
        self.db.execute("UPDATE outbox SET state=? WHERE id=?", [state, entry_id])
        entry = self.outbox_entry(entry_id)
        assert entry is not None
        left = self.db.execute("SELECT count(*) FROM outbox WHERE item_id=? AND state='conflict'",
                               [entry.item_id]).fetchone()[0]
        if left == 0:
            self.db.execute("UPDATE items SET conflict=0 WHERE id=?", [entry.item_id])
        self.audit_entry(f"outbox_{state}", entry)
        return entry

    def finish(self, entry_id: int, state: str, *, predicted: Item | None = None,
               draft: LocalDraft | None = None) -> OutboxEntry:
        """The official ends an entry by hand (``Outbox`` checks that it may); ``predicted`` is the item's
        optimistic state over what remains in flight; ``draft`` is kept as the item's local draft."""
        with self.transaction():
            entry = self._finish(entry_id, state)
            self._settle(entry.item_id, predicted)
            if draft is not None:
                self._write_draft(draft.item_id, draft.text, draft.kind, draft.planned_date, list(draft.attachment_ids))
        return entry

    def _settle(self, item_id: str, predicted: Item | None = None) -> None:
        """Count the item's entries in flight; with none left, show the server's state."""
        left = self.db.execute("SELECT count(*) FROM outbox WHERE item_id=? AND state IN ('pending', 'sending')",
                               [item_id]).fetchone()[0]
        if left == 0:
            # Nothing of the official's left in flight: show the server's state. A failed or
            # conflicting action is not lost: it stays in the outbox with its payload and reason.
            self.db.execute("UPDATE items SET pending=0, local_record=NULL WHERE id=?", [item_id])
        elif predicted is not None:
            self.db.execute("UPDATE items SET pending=?, local_record=? WHERE id=?",
                            [left, predicted.model_dump_json(), item_id])
        else:
            self.db.execute("UPDATE items SET pending=? WHERE id=?", [left, item_id])

    # --- audit ------------------------------------------------------------------------------

    def audit_entry(self, event: str, entry: OutboxEntry, *, error: str = "", delivered_at: str | None = None) -> None:
        """One line of the local audit log about an outbox entry (the caller's transaction)."""
        self.db.execute(
            "INSERT INTO audit_log (at, event, item_id, details, user_id, acting_for, action, entry_key, queued_at, "
            "delivered_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [_now(), event, entry.item_id, f"{entry.action} {entry.idempotency_key}", entry.user_id,
             entry.acting_for, entry.action, entry.idempotency_key, entry.created_at, delivered_at, error])
        seal(self.db)  # the hash chain, in the same transaction

    def _audit(self, event: str, item_id: str | None, details: str = "") -> None:
        self.db.execute("INSERT INTO audit_log (at, event, item_id, details) VALUES (?, ?, ?, ?)",
                        [_now(), event, item_id, details])
        seal(self.db)
