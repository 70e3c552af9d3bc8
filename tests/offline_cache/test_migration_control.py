"""Migration 0008_control on the schema-7 fixture: deadline control and reports tables, data kept."""

from __future__ import annotations

import shutil
from pathlib import Path

from offline_cache.audit_chain import verify
from offline_cache.store.cache import Cache
from offline_cache.store.database import open_encrypted
from offline_cache.store.schema import MIGRATIONS, applied
from tests.offline_cache.test_migrations import FIXTURE_KEY, FIXTURES


def _snapshot(db: object) -> dict[str, list[tuple[object, ...]]]:
    queries = {
        "items": "SELECT id, status, version, pending, due_key FROM items ORDER BY id",
        "categories": "SELECT code, name, parent_code, term_kind, term_days FROM categories ORDER BY code",
        "outbox": "SELECT id, idempotency_key, state, user_id, acting_for FROM outbox ORDER BY id",
        "drafts": "SELECT item_id, text FROM drafts ORDER BY item_id",
        "audit": "SELECT id, event, chain FROM audit_log ORDER BY id",
    }
    return {name: [tuple(r) for r in db.execute(sql)] for name, sql in queries.items()}  # type: ignore[attr-defined]


def test_v7_cache_upgrades_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v7.posdesk"
    shutil.copy(FIXTURES / "cache_v7.posdesk", path)
    raw = open_encrypted(path, FIXTURE_KEY, create=False)
    assert applied(raw) == [name for name, _ in MIGRATIONS[:7]]
    before = _snapshot(raw)
    raw.conn.close()
    assert before["items"] and before["categories"] and before["outbox"] and before["drafts"]

    cache = Cache.open(path, FIXTURE_KEY)
    assert applied(cache.db) == [name for name, _ in MIGRATIONS]
    after = _snapshot(cache.db)
    assert {k: v for k, v in after.items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}
    assert [r[:2] for r in after["audit"]] == [r[:2] for r in before["audit"]]
    assert verify(cache.db).intact
    # Categories from before know no stage terms: NULL means the defaults.
    assert {r[0] for r in cache.db.execute("SELECT stage_terms FROM categories")} == {None}
    for table in ("calendar_years", "auto_rules", "disciplinary_measures", "report_exports"):
        assert cache.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    indexes = {r[0] for r in cache.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"history_month", "history_action", "history_rated", "items_org_received", "items_report",
            "items_org_open_due"} <= indexes
    plan = " ".join(str(r[3]) for r in cache.db.execute(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM history WHERE to_status = 'answered' AND at >= '2026-11'"))
    assert "history_month" in plan


def test_the_reports_indexes_are_the_migrations() -> None:
    """The summary's covering indexes (reports.INDEXES, which its plan test and benchmark use) ship in 0008."""
    from offline_cache.reports import INDEXES
    from offline_cache.store.schema import CONTROL

    for sql in INDEXES:
        assert f"{sql};" in CONTROL, sql
