"""Caches from before and at ``0004_workstation`` upgrade with their outbox, drafts and files intact."""

from __future__ import annotations

import shutil
from pathlib import Path

from offline_cache.outbox import Outbox
from offline_cache.store.cache import Cache
from offline_cache.store.schema import MIGRATIONS, applied
from tests.offline_cache.fixtures_workstation import FIXTURE_KEY, FIXTURES, V3_DRAFT, V3_OUTBOX, V4_LOCAL_FILE


def test_v3_outbox_cache_upgrades_to_owned_entries_and_structured_audit(tmp_path: Path) -> None:
    path = tmp_path / "v3.posdesk"
    shutil.copy(FIXTURES / "cache_v3_outbox.posdesk", path)
    cache = Cache.open(path, FIXTURE_KEY)
    try:
        assert applied(cache.db) == [name for name, _ in MIGRATIONS]
        entries = Outbox(cache).entries()
        assert [(e.idempotency_key, e.state, e.last_error) for e in entries] == [
            (key, state, error) for key, _, _, _, state, error in V3_OUTBOX]
        assert {e.user_id for e in entries} == {"c-exec1"}, "entries belong to the cache's last login"
        assert {"user_id", "acting_for", "entry_key", "queued_at", "delivered_at", "error"} <= set(
            cache.db["audit_log"].columns_dict)
        assert [h["id"] for h in cache.search("контейнер")] == [V3_DRAFT[0]]
        assert cache.local_draft(V3_DRAFT[0]) is not None
        assert cache.attachment_data("att-v3-0001") == b"v3 attachment bytes"
        # The new states are allowed now, and ids go on after the old ones.
        Outbox(cache).discard(entries[1].id)
        assert cache.outbox_entry(entries[1].id).state == "discarded"  # type: ignore[union-attr]
        cache.enqueue("m-v3-0001", "save_draft", {"text": "ещё"}, 2)
        assert max(e.id for e in Outbox(cache).entries()) == entries[-1].id + 1
    finally:
        cache.close()


def test_v4_cache_upgrades_with_owners_local_files_and_audit(tmp_path: Path) -> None:
    path = tmp_path / "v4.posdesk"
    shutil.copy(FIXTURES / "cache_v4.posdesk", path)
    cache = Cache.open(path, FIXTURE_KEY)
    try:
        assert applied(cache.db) == [name for name, _ in MIGRATIONS]
        entries = Outbox(cache).entries()
        assert [(e.state, e.user_id, e.acting_for) for e in entries] == [
            ("pending", "c-exec1", None), ("cancelled", "c-exec1", None), ("pending", "c-exec2", "c-exec1")]
        [local] = cache.local_attachments("m-v3-0001")
        assert entries[0].payload["attachment_ids"] == [local.id]
        stored = cache.local_file(local.id)
        assert stored is not None and stored.data == V4_LOCAL_FILE and stored.uploaded_id == 'uploading:["att-0000001"]'
        draft = cache.local_draft("m-v3-0001")
        assert draft is not None and draft.attachment_ids == (local.id,)
        audit = cache.db.execute("SELECT event, user_id, acting_for FROM audit_log ORDER BY id").fetchall()
        assert [tuple(r) for r in audit] == [("enqueued", "c-exec1", None), ("enqueued", "c-exec1", None),
                                             ("outbox_cancelled", "c-exec1", None), ("enqueued", "c-exec2", "c-exec1")]
    finally:
        cache.close()
