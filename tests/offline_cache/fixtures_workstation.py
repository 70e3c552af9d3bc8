"""Generators of the outbox fixtures around ``0004_workstation``: NOT used at test time (fixtures/README.md).

``cache_v3_outbox.posdesk`` (schema 3, the outbox before owners):
    .venv/bin/python -c "from tests.offline_cache.fixtures_workstation import make_cache_v3_outbox as m; m()"
Items are written by the page writer, whose statements are the same for schema 3; the outbox and
audit rows as version 3's ``Cache.enqueue``/``resolve`` wrote them (no owner, free-text audit).

``cache_v4.posdesk`` (schema 4: 0001–0004, before the templates):
    .venv/bin/python -c "from tests.offline_cache.fixtures_workstation import make_cache_v4; make_cache_v4()"
Written by version 4's own ``Cache`` methods with the schema held at 4 (``upgrade=False``).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from offline_cache.contract.models import Item
from offline_cache.store.items import write_items

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_KEY = bytes.fromhex("7e57" * 16)  # TEST-ONLY, the same key as every fixture

V3_ITEMS = {
    "m-v3-0001": ("Сломана скамейка в сквере у фонтана", "ул. Цветочная, д. 9", "Алёна Зуева", "roads"),
    "m-v3-0002": ("Не вывозят мусор третью неделю", "ул. Полевая, д. 21", "Фёдор Жуков", "roads"),
}
V3_DRAFT = ("m-v3-0002", "Черновик: контейнеры вывезут в среду")
#: (key, item, action, payload, state, last error): one waiting, one refused by the platform, one in conflict.
V3_OUTBOX = [
    ("6c1b1f0e-0000-4000-8000-000000000031", "m-v3-0001", "save_draft", {"text": "Скамейку заменят"}, "pending", ""),
    ("6c1b1f0e-0000-4000-8000-000000000032", "m-v3-0002", "submit_for_approval", {"text": "Вывезут"}, "failed",
     "Действие не разрешено"),
    ("6c1b1f0e-0000-4000-8000-000000000033", "m-v3-0002", "save_draft", {"text": "Вывезут в среду"}, "conflict",
     "Сообщение изменилось"),
]


def v3_items() -> list[Item]:
    from tests.world import CATEGORIES, WORLD_START

    cat = next(c for c in CATEGORIES if c.code == "roads")
    return [Item.model_validate({
        "id": item_id, "number": f"2026-300000{n}", "kind": "message", "source": "portal", "org_id": "c",
        "status": "in_work", "version": 2, "category_code": category, "subject": cat.name, "text": text,
        "address": address, "applicant_name": applicant, "assignee_id": "c-exec1", "registered_at": WORLD_START,
        "received_at": WORLD_START, "due_at": WORLD_START + timedelta(days=cat.term_days),
        "updated_at": WORLD_START,
        "attachments": [{"id": "att-v3-0001", "name": "скамейка.jpg", "content_type": "image/jpeg", "size": 19,
                         "origin": "citizen"}] if n == 1 else [],
    }) for n, (item_id, (text, address, applicant, category)) in enumerate(V3_ITEMS.items(), start=1)]


def make_cache_v3_outbox(path: Path = FIXTURES / "cache_v3_outbox.posdesk") -> None:
    from tests.offline_cache.test_migrations import new_fixture_at, write_fixture_directory

    db, stamp = new_fixture_at(path, 3)
    write_fixture_directory(db, "c-exec1", cursor=9)
    db.execute("INSERT INTO drafts (item_id, text, updated_at) VALUES (?, ?, ?)", [*V3_DRAFT, stamp])
    write_items(db.conn, v3_items(), 9)
    db.execute("UPDATE attachments SET data=?, fetched_at=? WHERE id='att-v3-0001'", [b"v3 attachment bytes", stamp])
    for key, item_id, action, payload, state, error in V3_OUTBOX:
        db.execute("INSERT INTO outbox (idempotency_key, item_id, base_version, action, payload, created_at, state, "
                   "last_error) VALUES (?, ?, 2, ?, ?, ?, ?, ?)",
                   [key, item_id, action, json.dumps(payload, ensure_ascii=False), stamp, state, error])
        db.execute("INSERT INTO audit_log (at, event, item_id, details) VALUES (?, 'enqueued', ?, ?)",
                   [stamp, item_id, f"{action} {key}"])
    db.execute("UPDATE items SET pending=1 WHERE id='m-v3-0001'")
    db.execute("UPDATE items SET conflict=1 WHERE id='m-v3-0002'")
    db.conn.execute("COMMIT")
    db.conn.close()  # checkpoints the WAL into the file: one self-contained file to commit


V4_LOCAL_FILE = b"v4 local answer file"


def make_cache_v4(path: Path = FIXTURES / "cache_v4.posdesk") -> None:
    from offline_cache.store.cache import Cache
    from tests.offline_cache.test_migrations import new_fixture_at, write_fixture_directory

    db, _stamp = new_fixture_at(path, 4)
    write_fixture_directory(db, "c-exec1", cursor=9)
    write_items(db.conn, v3_items(), 9)
    db.conn.execute("COMMIT")
    cache = Cache(db, upgrade=False)
    first, second = (i.id for i in v3_items())
    local = cache.add_local_attachment(first, "акт.pdf", "application/pdf", V4_LOCAL_FILE)
    cache.save_local_draft(first, "Черновик с актом")
    sent = cache.enqueue(first, "save_draft", {"text": "Скамейку заменят", "attachment_ids": [local.id]}, 2,
                         key="6c1b1f0e-0000-4000-8000-000000000041")
    cache.mark_upload(local.id, 'uploading:["att-0000001"]')
    cancelled = cache.enqueue(second, "save_draft", {"text": "Отменённый"}, 2,
                              key="6c1b1f0e-0000-4000-8000-000000000042")
    cache.finish(cancelled.id, "cancelled")
    cache.enqueue(second, "submit_for_approval", {"text": "За коллегу"}, 2, user_id="c-exec2", acting_for="c-exec1",
                  key="6c1b1f0e-0000-4000-8000-000000000043")
    assert sent.user_id == "c-exec1"
    cache.close()  # checkpoints the WAL into the file: one self-contained file to commit
