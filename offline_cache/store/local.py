"""The official's unsent work kept in the encrypted cache: autosaved answer drafts and answer files not uploaded yet.

A local draft overrides the platform's draft in the item's search row (and in the drafts queue) until
it is dropped. A local file gets the id ``local-<uuid>``; its bytes stay in the encrypted
``attachments`` table until the action that references it is delivered. The upload records the
platform's id on the local row (``uploaded_id``) so that a resent action, or a pass after a crash,
never uploads the same file twice.
"""

from __future__ import annotations

import json
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlite_utils

from offline_cache.contract.models import AttachmentMeta, DraftOut, Item
from offline_cache.domain.files import MAX_ATTACHMENTS, check_answer_file
from offline_cache.store.items import refresh_search_row

LOCAL_PREFIX = "local-"
#: ``uploaded_id`` while an upload is out: the platform's answer file ids seen just before it, so
#: that after a crash the new one can be recognised instead of uploading again.
UPLOADING = "uploading:"


class LocalFileRefused(Exception):
    """A file cannot go with the answer; ``message`` says why, in Russian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class LocalDraft:
    """The official's answer being written, autosaved in the cache."""

    item_id: str
    text: str
    kind: str = "final"
    planned_date: date | None = None
    attachment_ids: tuple[str, ...] = ()
    updated_at: str = ""


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A local answer file with its bytes and, once uploaded, the platform's id."""

    meta: AttachmentMeta
    item_id: str
    data: bytes
    uploaded_id: str | None  # None: not sent; UPLOADING…: an upload was started; else the platform's id


def is_local(att_id: str) -> bool:
    return att_id.startswith(LOCAL_PREFIX)


def _now() -> str:
    return datetime.now(UTC).isoformat()


class LocalWork:
    """Local drafts and local answer files (mixed into ``Cache``)."""

    db: sqlite_utils.Database

    def transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def item(self, item_id: str) -> Item | None:
        raise NotImplementedError

    # --- drafts -----------------------------------------------------------------------------

    def save_local_draft(self, item_id: str, text: str, *, kind: str = "final", planned_date: date | None = None,
                         attachment_ids: list[str] | None = None) -> LocalDraft:
        """Keep the answer being typed (and its files, when given) durably, and make it searchable."""
        if attachment_ids is None:
            attachment_ids = list(self._draft_or_platforms(item_id).attachment_ids)
        with self.transaction():
            self._write_draft(item_id, text, kind, planned_date, attachment_ids)
        draft = self.local_draft(item_id)
        assert draft is not None
        return draft

    def _write_draft(self, item_id: str, text: str, kind: str, planned_date: date | None,
                     attachment_ids: list[str]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO drafts (item_id, text, kind, planned_date, attachment_ids, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [item_id, text, kind, planned_date.isoformat() if planned_date else None, json.dumps(attachment_ids),
             _now()])
        self.db.execute("UPDATE items SET has_draft=1 WHERE id=?", [item_id])
        refresh_search_row(self.db.conn, item_id)

    def local_draft(self, item_id: str) -> LocalDraft | None:
        row = self.db.execute("SELECT text, kind, planned_date, attachment_ids, updated_at FROM drafts "
                              "WHERE item_id=?", [item_id]).fetchone()
        if row is None:
            return None
        return LocalDraft(item_id, row[0], row[1], date.fromisoformat(row[2]) if row[2] else None,
                          tuple(json.loads(row[3])), row[4])

    def drop_local_draft(self, item_id: str) -> None:
        """Forget the local draft (sent, or given up); the platform's draft shows and is searched again."""
        with self.transaction():
            self._drop_draft(item_id)

    def _drop_draft(self, item_id: str) -> None:
        self.db.execute("DELETE FROM drafts WHERE item_id=?", [item_id])
        self.db.execute("UPDATE items SET has_draft = (SELECT record ->> '$.draft' IS NOT NULL FROM item_records r "
                        "WHERE r.id = items.id) WHERE id=?", [item_id])
        refresh_search_row(self.db.conn, item_id)

    def _draft_or_platforms(self, item_id: str) -> LocalDraft:
        """The local draft, else the item's draft as the official sees it (empty when there is none)."""
        draft = self.local_draft(item_id)
        if draft is not None:
            return draft
        item = self.item(item_id)
        base: DraftOut | None = item.draft if item is not None else None
        if base is None:
            return LocalDraft(item_id, "")
        return LocalDraft(item_id, base.text, base.kind.value, base.planned_date, tuple(base.attachment_ids))

    # --- local answer files -----------------------------------------------------------------

    def add_local_attachment(self, item_id: str, name: str, content_type: str, data: bytes) -> AttachmentMeta:
        """Keep a file for the answer inside the encrypted cache and add it to the local draft.

        Raises LocalFileRefused (with the reason) for what the platform would refuse.
        """
        refused = check_answer_file(name, content_type, len(data))
        if refused is not None:
            raise LocalFileRefused(refused)
        if self.item(item_id) is None:
            raise KeyError(item_id)
        draft = self._draft_or_platforms(item_id)
        if len(draft.attachment_ids) >= MAX_ATTACHMENTS:
            raise LocalFileRefused(f"К ответу можно приложить не более {MAX_ATTACHMENTS} файлов")
        meta = AttachmentMeta(id=f"{LOCAL_PREFIX}{uuid.uuid4()}", name=name, content_type=content_type,
                              size=len(data), origin="answer")
        with self.transaction():
            self.db.execute("INSERT INTO attachments (id, item_id, name, content_type, size, origin, data, fetched_at, "
                            "added_at) VALUES (?, ?, ?, ?, ?, 'answer', ?, ?, ?)",
                            [meta.id, item_id, name, content_type, len(data), data, _now(), _now()])
            self._write_draft(item_id, draft.text, draft.kind, draft.planned_date, [*draft.attachment_ids, meta.id])
        return meta

    def remove_local_attachment(self, att_id: str) -> None:
        """Take a file off the answer: a local one is deleted, unless an action waiting to be sent needs it."""
        row = self.db.execute("SELECT item_id FROM attachments WHERE id=?", [att_id]).fetchone()
        item_id = None if row is None else str(row[0])
        if is_local(att_id) and self._referenced(att_id, ("pending", "sending")):
            raise LocalFileRefused("Файл уже в очереди отправки: сначала отмените действие в «Исходящих»")
        with self.transaction():
            if item_id is not None:
                draft = self.local_draft(item_id)
                if draft is not None:
                    self._write_draft(item_id, draft.text, draft.kind, draft.planned_date,
                                      [a for a in draft.attachment_ids if a != att_id])
            if is_local(att_id):
                self.db.execute("DELETE FROM attachments WHERE id=?", [att_id])

    def detach_from_draft(self, item_id: str, att_id: str) -> None:
        """Take a file (local or already on the platform) off the item's answer."""
        if is_local(att_id):
            self.remove_local_attachment(att_id)
            return
        draft = self._draft_or_platforms(item_id)
        self.save_local_draft(item_id, draft.text, kind=draft.kind, planned_date=draft.planned_date,
                              attachment_ids=[a for a in draft.attachment_ids if a != att_id])

    def local_attachments(self, item_id: str) -> list[AttachmentMeta]:
        """The item's answer files not on the platform yet, oldest first."""
        rows = self.db.execute("SELECT id, name, content_type, size FROM attachments WHERE item_id=? AND id LIKE ? "
                               "ORDER BY added_at, id", [item_id, f"{LOCAL_PREFIX}%"]).fetchall()
        return [AttachmentMeta(id=r[0], name=r[1], content_type=r[2], size=r[3], origin="answer") for r in rows]

    def local_file(self, att_id: str) -> LocalFile | None:
        row = self.db.execute("SELECT id, item_id, name, content_type, size, data, uploaded_id FROM attachments "
                              "WHERE id=?", [att_id]).fetchone()
        if row is None or not is_local(att_id):
            return None
        meta = AttachmentMeta(id=row[0], name=row[2], content_type=row[3], size=row[4], origin="answer")
        return LocalFile(meta, row[1], bytes(row[5] or b""), row[6])

    def mark_upload(self, att_id: str, uploaded_id: str) -> None:
        """Record an upload started (``UPLOADING`` + the ids seen before) or finished (the platform's id)."""
        self.db.execute("UPDATE attachments SET uploaded_id=? WHERE id=?", [uploaded_id, att_id])

    def adopted_ids(self) -> set[str]:
        """Platform ids that local files were uploaded as."""
        rows = self.db.execute("SELECT uploaded_id FROM attachments WHERE uploaded_id IS NOT NULL "
                               "AND uploaded_id NOT LIKE ?", [f"{UPLOADING}%"])
        return {str(r[0]) for r in rows}

    def _referenced(self, att_id: str, states: tuple[str, ...]) -> bool:
        marks = ",".join("?" * len(states))
        return bool(self.db.execute(f"SELECT 1 FROM outbox WHERE state IN ({marks}) AND instr(payload, ?) > 0",
                                    [*states, json.dumps(att_id)]).fetchone())


def adopt_uploaded_files(conn: Any, payload: dict[str, Any]) -> None:
    """After delivery: the platform's copies of local files get their bytes (no download needed), and
    local rows no waiting or failed entry needs any more are removed; drafts name the platform's ids.
    Caller's transaction."""
    sent = [a for a in payload.get("attachment_ids") or [] if not is_local(a)]
    if not sent:
        return
    marks = ",".join("?" * len(sent))
    local = conn.execute(f"SELECT id, uploaded_id, item_id FROM attachments WHERE uploaded_id IN ({marks})",
                         sent).fetchall()
    for local_id, uploaded_id, item_id in local:
        conn.execute("UPDATE attachments SET data = (SELECT data FROM attachments WHERE id = ?), fetched_at = ? "
                     "WHERE id = ? AND data IS NULL", [local_id, _now(), uploaded_id])
        row = conn.execute("SELECT attachment_ids FROM drafts WHERE item_id=?", [item_id]).fetchone()
        if row is not None:
            ids = [uploaded_id if a == local_id else a for a in json.loads(row[0])]
            conn.execute("UPDATE drafts SET attachment_ids=? WHERE item_id=?", [json.dumps(ids), item_id])
        needed = conn.execute("SELECT 1 FROM outbox WHERE state IN ('pending', 'sending', 'failed', 'conflict') "
                              "AND instr(payload, ?) > 0", [json.dumps(local_id)]).fetchone()
        if needed is None:
            conn.execute("DELETE FROM attachments WHERE id=?", [local_id])

