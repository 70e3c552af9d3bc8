"""SQLite persistence of the training platform: records as JSON plus the columns queries need.

One connection guarded by one lock: every request runs its whole read-decide-write under it, so
the change-feed cursor (a global sequence) is assigned and committed in order, with no gaps a
reader could see.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from offline_cache.contract.models import AttachmentMeta, CategoryOut, Item, TemplateOut
from offline_cache.domain.model import OrgLevel, Role
from offline_cache.domain.staff import Absence, ApprovalChain, Organisation, StaffMember

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orgs (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS staff (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (
    login TEXT PRIMARY KEY, salt BLOB NOT NULL, hash BLOB NOT NULL, staff_id TEXT NOT NULL,
    password_hint TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS categories (org_id TEXT NOT NULL, code TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (org_id, code));
CREATE TABLE IF NOT EXISTS templates (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS auto_rules (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, position INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS auto_rules_org ON auto_rules (org_id, position);
CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, seq INTEGER NOT NULL UNIQUE,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS items_org_seq ON items (org_id, seq);
CREATE TABLE IF NOT EXISTS participants (item_id TEXT NOT NULL, user_id TEXT NOT NULL,
    PRIMARY KEY (user_id, item_id));
CREATE TABLE IF NOT EXISTS attachments (id TEXT PRIMARY KEY, item_id TEXT NOT NULL, meta TEXT NOT NULL,
    data BLOB NOT NULL, owner_id TEXT);
CREATE TABLE IF NOT EXISTS attachment_items (att_id TEXT NOT NULL, item_id TEXT NOT NULL,
    PRIMARY KEY (att_id, item_id));
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, kind TEXT NOT NULL, user_id TEXT NOT NULL,
    expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS token_families (token TEXT PRIMARY KEY, family TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS token_families_family ON token_families (family);
CREATE TABLE IF NOT EXISTS spent_refresh (token TEXT PRIMARY KEY, family TEXT NOT NULL, user_id TEXT NOT NULL,
    spent_at REAL NOT NULL, successor TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (user_id TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
    status INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (user_id, key));
"""

PBKDF2_ROUNDS = 20_000


def hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, PBKDF2_ROUNDS)


def org_to_json(org: Organisation) -> str:
    return json.dumps({"id": org.id, "name": org.name, "level": org.level.value, "parent_id": org.parent_id,
                       "timezone": org.timezone, "approval_chain": [r.value for r in org.approval_chain.steps]},
                      ensure_ascii=False)


def org_from_json(raw: str) -> Organisation:
    d = json.loads(raw)
    return Organisation(d["id"], d["name"], OrgLevel(d["level"]), d["parent_id"], d["timezone"],
                        ApprovalChain.parse(d["approval_chain"]))


def staff_to_json(m: StaffMember) -> str:
    absence = None
    if m.absence:
        absence = {"starts_at": m.absence.starts_at.isoformat(), "ends_at": m.absence.ends_at.isoformat(),
                   "reason": m.absence.reason}
    return json.dumps({"id": m.id, "org_id": m.org_id, "full_name": m.full_name, "position": m.position,
                       "roles": sorted(r.value for r in m.roles), "absence": absence, "deputy_id": m.deputy_id},
                      ensure_ascii=False)


def staff_from_json(raw: str) -> StaffMember:
    from datetime import datetime

    d = json.loads(raw)
    a = d["absence"]
    absence = Absence(datetime.fromisoformat(a["starts_at"]), datetime.fromisoformat(a["ends_at"]),
                      a["reason"]) if a else None
    return StaffMember(d["id"], d["org_id"], d["full_name"], frozenset(Role(r) for r in d["roles"]),
                       d["position"], absence, d["deputy_id"])


class Store:
    """The training platform's database."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self.lock = threading.RLock()

    def close(self) -> None:
        with self.lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and one write transaction; roll back on any error."""
        with self.lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @property
    def conn(self) -> sqlite3.Connection:
        return self._conn

    # --- sequence ---------------------------------------------------------------------------

    def next_seq(self) -> int:
        row = self._conn.execute("SELECT value FROM meta WHERE key='seq'").fetchone()
        value = int(row[0]) + 1 if row else 1
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seq', ?)", (str(value),))
        return value

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # --- directory --------------------------------------------------------------------------

    def put_org(self, org: Organisation) -> None:
        self._conn.execute("INSERT OR REPLACE INTO orgs VALUES (?, ?)", (org.id, org_to_json(org)))

    def orgs(self) -> dict[str, Organisation]:
        return {o.id: o for o in (org_from_json(r[0]) for r in self._conn.execute("SELECT data FROM orgs"))}

    def put_staff(self, m: StaffMember) -> None:
        self._conn.execute("INSERT OR REPLACE INTO staff VALUES (?, ?, ?)", (m.id, m.org_id, staff_to_json(m)))

    def staff(self) -> dict[str, StaffMember]:
        rows = self._conn.execute("SELECT data FROM staff ORDER BY id")
        return {m.id: m for m in (staff_from_json(r[0]) for r in rows)}

    def put_credential(self, login: str, password: str, staff_id: str, note: str = "", *, hint: bool) -> None:
        salt = secrets.token_bytes(16)
        self._conn.execute("INSERT OR REPLACE INTO credentials VALUES (?, ?, ?, ?, ?, ?)",
                           (login.lower(), salt, hash_password(password, salt), staff_id,
                            password if hint else "", note))

    def check_credential(self, login: str, password: str) -> str | None:
        row = self._conn.execute("SELECT salt, hash, staff_id FROM credentials WHERE login=?",
                                 (login.strip().lower(),)).fetchone()
        if row is None:
            hash_password(password, b"0" * 16)  # same cost for unknown logins: no user enumeration by timing
            return None
        return str(row[2]) if hmac.compare_digest(hash_password(password, row[0]), row[1]) else None

    def credentials(self) -> list[tuple[str, str, str, str]]:
        """(login, password hint, staff id, note) for the training mode's user picker."""
        rows = self._conn.execute("SELECT login, password_hint, staff_id, note FROM credentials ORDER BY login")
        return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]

    def put_categories(self, org_id: str, categories: Iterable[CategoryOut]) -> None:
        self._conn.executemany("INSERT OR REPLACE INTO categories VALUES (?, ?, ?)",
                               [(org_id, c.code, c.model_dump_json()) for c in categories])

    def categories(self, org_id: str) -> list[CategoryOut]:
        rows = self._conn.execute("SELECT data FROM categories WHERE org_id=? ORDER BY code", (org_id,))
        return [CategoryOut.model_validate_json(r[0]) for r in rows]

    def put_templates(self, templates: Iterable[TemplateOut]) -> None:
        self._conn.executemany("INSERT OR REPLACE INTO templates VALUES (?, ?)",
                               [(t.id, t.model_dump_json()) for t in templates])

    def templates(self) -> list[TemplateOut]:
        return [TemplateOut.model_validate_json(r[0]) for r in self._conn.execute("SELECT data FROM templates")]

    # --- items ------------------------------------------------------------------------------

    def put_item(self, item: Item) -> int:
        """Insert or replace ``item`` with a fresh feed sequence number; return it."""
        seq = self.next_seq()
        self._conn.execute("INSERT OR REPLACE INTO items (id, org_id, seq, data) VALUES (?, ?, ?, ?)",
                           (item.id, item.org_id, seq, item.model_dump_json()))
        return seq

    def touch_item(self, item_id: str) -> None:
        """Give an unchanged item a new sequence number, so feeds deliver it again."""
        self._conn.execute("UPDATE items SET seq=? WHERE id=?", (self.next_seq(), item_id))

    def get_item(self, item_id: str) -> Item | None:
        row = self._conn.execute("SELECT data FROM items WHERE id=?", (item_id,)).fetchone()
        return None if row is None else Item.model_validate_json(row[0])

    def item_count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM items").fetchone()[0])

    def add_participants(self, item_id: str, user_ids: Iterable[str]) -> None:
        self._conn.executemany("INSERT OR IGNORE INTO participants VALUES (?, ?)",
                               [(item_id, u) for u in user_ids])

    def participant_items(self, user_id: str) -> list[str]:
        rows = self._conn.execute("SELECT item_id FROM participants WHERE user_id=?", (user_id,))
        return [str(r[0]) for r in rows]

    def is_participant(self, item_id: str, user_ids: Iterable[str]) -> bool:
        ids = list(user_ids)
        marks = ",".join("?" * len(ids))
        row = self._conn.execute(f"SELECT 1 FROM participants WHERE item_id=? AND user_id IN ({marks})",
                                 (item_id, *ids)).fetchone()
        return row is not None

    def _visibility(self, org_ids: Iterable[str], user_ids: Iterable[str]) -> tuple[str, list[str]]:
        orgs, users = list(org_ids), list(user_ids)
        clause = (f"(org_id IN ({','.join('?' * len(orgs)) or 'NULL'}) OR id IN "
                  f"(SELECT item_id FROM participants WHERE user_id IN ({','.join('?' * len(users)) or 'NULL'})))")
        return clause, [*orgs, *users]

    def feed(self, org_ids: Iterable[str], user_ids: Iterable[str], cursor: int,
             limit: int) -> tuple[list[tuple[int, str]], int]:
        """Rows (seq, json) visible by org or participation after ``cursor``, and how many remain after them."""
        clause, params = self._visibility(org_ids, user_ids)
        rows = self._conn.execute(
            f"SELECT seq, data FROM items WHERE seq > ? AND {clause} ORDER BY seq LIMIT ?",
            (cursor, *params, limit)).fetchall()
        last = rows[-1][0] if rows else cursor
        remaining = self._conn.execute(f"SELECT count(*) FROM items WHERE seq > ? AND {clause}",
                                       (last, *params)).fetchone()[0]
        return [(int(s), str(d)) for s, d in rows], int(remaining)

    # --- attachments ------------------------------------------------------------------------

    def put_attachment(self, meta: AttachmentMeta, item_id: str, data: bytes, owner_id: str | None) -> None:
        self._conn.execute("INSERT OR REPLACE INTO attachments VALUES (?, ?, ?, ?, ?)",
                           (meta.id, item_id, meta.model_dump_json(), data, owner_id))
        self.link_attachments([meta.id], item_id)

    def link_attachments(self, att_ids: Iterable[str], item_id: str) -> None:
        """Make attachments reachable through ``item_id`` too (items created by redirect or re-processing)."""
        self._conn.executemany("INSERT OR IGNORE INTO attachment_items VALUES (?, ?)",
                               [(a, item_id) for a in att_ids])

    def attachment_item_ids(self, att_id: str) -> list[str]:
        rows = self._conn.execute("SELECT item_id FROM attachment_items WHERE att_id=?", (att_id,))
        return [str(r[0]) for r in rows]

    def get_attachment(self, att_id: str) -> tuple[AttachmentMeta, str, bytes, str | None] | None:
        row = self._conn.execute("SELECT meta, item_id, data, owner_id FROM attachments WHERE id=?",
                                 (att_id,)).fetchone()
        if row is None:
            return None
        return AttachmentMeta.model_validate_json(row[0]), str(row[1]), bytes(row[2]), row[3]

    # --- tokens and idempotency -------------------------------------------------------------

    def put_token(self, token: str, kind: str, user_id: str, expires_at: float) -> None:
        self._conn.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)", (token, kind, user_id, expires_at))

    def get_token(self, token: str, kind: str) -> tuple[str, float] | None:
        row = self._conn.execute("SELECT user_id, expires_at FROM tokens WHERE token=? AND kind=?",
                                 (token, kind)).fetchone()
        return None if row is None else (str(row[0]), float(row[1]))

    def delete_token(self, token: str) -> None:
        self._conn.execute("DELETE FROM tokens WHERE token=?", (token,))

    def put_family(self, family: str, *tokens: str) -> None:
        self._conn.executemany("INSERT INTO token_families VALUES (?, ?)", [(t, family) for t in tokens])

    def family_of(self, token: str) -> str | None:
        row = self._conn.execute("SELECT family FROM token_families WHERE token=?", (token,)).fetchone()
        return None if row is None else str(row[0])

    def spend_refresh(self, token: str, family: str, user_id: str, spent_at: float, successor: str) -> None:
        """Keep a rotated refresh token's successor pair (JSON) for the grace period."""
        self._conn.execute("INSERT INTO spent_refresh VALUES (?, ?, ?, ?, ?)",
                           (token, family, user_id, spent_at, successor))

    def spent_refresh(self, token: str) -> tuple[str, str, float, str] | None:
        """(family, user_id, spent_at, successor pair JSON) of a rotated refresh token, or None."""
        row = self._conn.execute("SELECT family, user_id, spent_at, successor FROM spent_refresh WHERE token=?",
                                 (token,)).fetchone()
        return None if row is None else (str(row[0]), str(row[1]), float(row[2]), str(row[3]))

    def revoke_family(self, family: str) -> None:
        """End every token of the family: its access and refresh tokens, and the grace of spent ones."""
        self._conn.execute("DELETE FROM tokens WHERE token IN (SELECT token FROM token_families WHERE family=?)",
                           (family,))
        self._conn.execute("UPDATE spent_refresh SET successor='' WHERE family=?", (family,))

    def get_idempotent(self, user_id: str, key: str) -> tuple[str, int, str] | None:
        row = self._conn.execute("SELECT request_hash, status, body FROM idempotency WHERE user_id=? AND key=?",
                                 (user_id, key)).fetchone()
        return None if row is None else (str(row[0]), int(row[1]), str(row[2]))

    def put_idempotent(self, user_id: str, key: str, request_hash: str, status: int, body: str) -> None:
        self._conn.execute("INSERT INTO idempotency VALUES (?, ?, ?, ?, ?)",
                           (user_id, key, request_hash, status, body))
