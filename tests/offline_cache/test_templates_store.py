"""Migration 0005_templates: platform templates versioned, personal templates and usage records; the v3 fixture."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from offline_cache.contract.models import Item
from offline_cache.store import schema
from offline_cache.store.cache import Cache
from offline_cache.store.database import open_encrypted
from offline_cache.store.schema import applied

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_KEY = bytes.fromhex("7e57" * 16)  # TEST-ONLY, as in test_migrations.py
V3_TEMPLATES = [
    ("tpl-v3-answer", "Работы выполнены", "Уважаемый(ая) {applicant_name}! Работы по адресу {address} выполнены.",
     "answer", "roads", None),
    ("tpl-v3-reject", "Не указан адрес", "В сообщении не указан адрес проблемы.", "rejection", None, "no_location"),
]
V3_DRAFT = ("m-v3-0001", "Черновик: яму заделают до пятницы")
V3_OUTBOX_KEY = "6c1b1f0e-0000-4000-8000-000000000003"


def test_v3_fixture_is_really_version_3(tmp_path: Path) -> None:
    db = open_encrypted(FIXTURES / "cache_v3.posdesk", FIXTURE_KEY, create=False)
    try:
        assert applied(db) == ["0001_initial", "0002_queue_performance", "0003_lean_search"]
        assert "version" not in db["templates"].columns_dict
    finally:
        db.conn.close()


def test_v3_cache_upgrades_templates_to_version_1(tmp_path: Path) -> None:
    path = tmp_path / "v3.posdesk"
    path.write_bytes((FIXTURES / "cache_v3.posdesk").read_bytes())
    cache = Cache.open(path, FIXTURE_KEY)
    try:
        assert "0005_templates" in applied(cache.db)
        rows = cache.db.execute("SELECT id, title, text, purpose, category_code, ground_code, version "
                                "FROM templates ORDER BY id").fetchall()
        assert [tuple(r) for r in rows] == [(*t, 1) for t in V3_TEMPLATES]
        assert cache.db.execute("SELECT count(*) FROM personal_templates").fetchone()[0] == 0
        assert cache.db.execute("SELECT count(*) FROM template_usage").fetchone()[0] == 0
        assert cache.item_count() == 2 and [e.idempotency_key for e in cache.outbox()] == [V3_OUTBOX_KEY]
        assert cache.db.execute("SELECT text FROM drafts").fetchone()[0] == V3_DRAFT[1]
    finally:
        cache.close()


# --- fixture generator: NOT used at test time (see fixtures/README.md) ------------------------
#   .venv/bin/python -c "from tests.offline_cache.test_templates_store import make_cache_v3; make_cache_v3()"
# Run with the code of schema version 3 (before 0005_templates), whose Cache wrote these rows.


def make_cache_v3(path: Path = FIXTURES / "cache_v3.posdesk") -> None:
    """Write the schema-3 fixture: two items, a directory with platform templates, a draft, a pending action."""
    from tests.offline_cache.test_migrations import write_fixture_directory
    from tests.world import WORLD_START

    path.unlink(missing_ok=True)
    db = open_encrypted(path, FIXTURE_KEY)
    stamp = WORLD_START.isoformat()
    db.conn.execute("CREATE TABLE _migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
                    "applied_at TEXT NOT NULL)")
    for name, sql in schema.MIGRATIONS[:3]:
        db.conn.executescript(f"BEGIN;\n{sql}\nINSERT INTO _migrations (name, applied_at) "
                              f"VALUES ('{name}', '{stamp}');\nCOMMIT;")
    db.conn.execute("BEGIN")
    write_fixture_directory(db, "c-exec1", cursor=0)
    db.conn.executemany("INSERT INTO templates VALUES (?, ?, ?, ?, ?, ?)", V3_TEMPLATES)
    db.conn.execute("COMMIT")
    cache = Cache(db, upgrade=False)
    items = [Item.model_validate({
        "id": f"m-v3-000{n}", "number": f"2026-300000{n}", "kind": "message", "org_id": "c", "status": "in_work",
        "version": 2, "category_code": "roads", "subject": "Дороги", "text": text, "address": "ул. Садовая, д. 3",
        "applicant_name": "Петров Иван Сергеевич", "assignee_id": "c-exec1", "registered_at": WORLD_START,
        "received_at": WORLD_START, "due_at": WORLD_START + timedelta(days=30), "updated_at": WORLD_START,
    }) for n, text in ((1, "Яма на дороге"), (2, "Разбит тротуар"))]
    cache.apply_page(items, 9)
    db.execute("INSERT INTO drafts (item_id, text, updated_at) VALUES (?, ?, ?)", [*V3_DRAFT, stamp])
    cache.enqueue("m-v3-0002", "save_draft", {"text": "Черновик ответа"}, 2, key=V3_OUTBOX_KEY)
    assert json.loads(cache.state("me") or "{}")["user"]["id"] == "c-exec1"
    db.conn.close()
