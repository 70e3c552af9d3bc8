"""Schema migrations: recorded, applied once, atomic, refused when too new, and old caches upgrade intact."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlcipher3
import sqlite_utils

from offline_cache.contract.models import Item
from offline_cache.domain.model import Status
from offline_cache.store import schema
from offline_cache.store.cache import Cache, normalise
from offline_cache.store.database import open_encrypted
from offline_cache.store.schema import MIGRATIONS, SCHEMA_VERSION, SchemaTooNew, applied, migrate

FIXTURES = Path(__file__).parent / "fixtures"
ALL = [name for name, _ in MIGRATIONS]

# TEST-ONLY KEY for the committed fixture caches. It protects nothing: the fixtures hold invented data.
FIXTURE_KEY = bytes.fromhex("7e57" * 16)

# What the v1 fixture holds (see make_cache_v1 below).
V1_ITEMS = {
    "m-v1-0001": ("Уникальная фраза: ёлка упала на провода", "ул. Звёздная, д. 17", "Пелагея Ёлкина", "roads"),
    "m-v1-0002": ("Не горит фонарь у школы", "пер. Школьный, д. 3", "Иван Петров", "light"),
    "m-v1-0003": ("Двор не убран от снега", "ул. Лесная, д. 8", "Мария Сидорова", "snow"),
}
V1_DRAFT = ("m-v1-0003", "Черновик ответа: снегоуборщик приедет в четверг")
V1_OUTBOX_KEY = "6c1b1f0e-0000-4000-8000-000000000001"


def fresh(tmp_path: Path, name: str = "c.posdesk") -> sqlite_utils.Database:
    return open_encrypted(tmp_path / name, b"\x11" * 32)


def tables(db: sqlite_utils.Database) -> set[str]:
    return set(db.table_names())


def test_fresh_database_gets_every_migration_recorded_once(tmp_path: Path) -> None:
    db = fresh(tmp_path)
    assert migrate(db) == ALL and ALL[0] == "0001_initial" and len(ALL) == SCHEMA_VERSION
    assert applied(db) == ALL
    rows = list(db.query("SELECT name, applied_at FROM _migrations ORDER BY id"))
    assert [r["name"] for r in rows] == ALL and all(datetime.fromisoformat(r["applied_at"]) for r in rows)
    assert migrate(db) == [] and applied(db) == ALL
    db.conn.close()
    cache = Cache.open(tmp_path / "c.posdesk", b"\x11" * 32)  # opening again migrates nothing
    assert applied(cache.db) == ALL
    cache.close()


def test_a_newer_cache_is_refused_and_left_untouched(tmp_path: Path) -> None:
    db = fresh(tmp_path)
    migrate(db)
    db.execute("INSERT INTO _migrations (name, applied_at) VALUES ('9999_from_the_future', '2030-01-01')")
    db.conn.close()
    path = tmp_path / "c.posdesk"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(SchemaTooNew, match="более новой версией POS Desk") as exc:
        Cache.open(path, b"\x11" * 32)
    assert "9999_from_the_future" in str(exc.value) and "Обновите программу" in str(exc.value)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    reader = Cache.open(path, b"\x11" * 32, upgrade=False)  # a reader does not migrate, so it does not refuse
    assert "9999_from_the_future" in applied(reader.db)
    reader.close()


def test_a_failing_migration_leaves_no_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = """
CREATE TABLE half_done (x INTEGER);
INSERT INTO half_done VALUES (1);
ALTER TABLE items ADD COLUMN half_column TEXT;
CREATE INDEX half_index ON items (half_column);
INSERT INTO no_such_table VALUES (1);
CREATE TABLE never_reached (y INTEGER);
"""
    monkeypatch.setattr(schema, "MIGRATIONS", [MIGRATIONS[0], ("0002_broken", broken)])
    db = fresh(tmp_path)
    with pytest.raises(sqlcipher3.OperationalError, match="no_such_table"):
        migrate(db)
    assert not db.conn.in_transaction
    assert applied(db) == ["0001_initial"]  # the first one landed, the broken one not at all
    assert not {"half_done", "never_reached"} & tables(db)
    assert "half_column" not in db["items"].columns_dict
    assert not [i for i in db.table("items").indexes if i.name == "half_index"]
    db.execute("INSERT INTO sync_state VALUES ('usable', 'yes')")  # not stuck in an open transaction

    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS)  # the fixed release upgrades it normally
    assert migrate(db) == ALL[1:] and applied(db) == ALL
    db.conn.close()


def test_every_schema_version_has_a_fixture() -> None:
    for version in range(1, SCHEMA_VERSION):  # the newest version is what a fresh cache gets
        assert (FIXTURES / f"cache_v{version}.posdesk").exists(), f"add fixtures/cache_v{version}.posdesk (README)"
    assert (FIXTURES / "README.md").exists()


def fixture_copy(tmp_path: Path, version: int) -> Path:
    """A copy of the schema-``version`` fixture: the committed file itself is never migrated."""
    path = tmp_path / f"v{version}.posdesk"
    shutil.copy(FIXTURES / f"cache_v{version}.posdesk", path)
    return path


def test_v1_fixture_is_really_version_1(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, 1)
    db = open_encrypted(path, FIXTURE_KEY, create=False)
    assert applied(db) == ["0001_initial"] and "record" in db["items"].columns_dict
    db.conn.close()


def test_v1_cache_upgrades_with_its_data(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, 1)
    cache = Cache.open(path, FIXTURE_KEY)
    try:
        assert applied(cache.db) == ALL
        assert cache.item_count() == 3 and cache.cursor == 3
        for item_id, (text, address, applicant, _) in V1_ITEMS.items():
            server = cache.server_item(item_id)
            assert server is not None and (server.text, server.address, server.applicant_name) == (
                text, address, applicant)
            assert server.status is Status.AWAITING_ROUTING
        assert "record" not in cache.db["items"].columns_dict  # moved to item_records by 0002

        # The queued action and its optimistic change survive.
        [entry] = cache.outbox()
        assert (entry.idempotency_key, entry.item_id, entry.action) == (V1_OUTBOX_KEY, "m-v1-0001", "route_to_executor")
        assert entry.payload == {"executor_id": "c-exec1"} and entry.base_version == 1
        local = cache.item("m-v1-0001")
        assert local is not None and local.status is Status.IN_WORK and local.assignee_id == "c-exec1"
        assert cache.db.execute("SELECT pending FROM items WHERE id='m-v1-0001'").fetchone()[0] == 1

        # Columns added by 0002 are filled from the old data.
        row = cache.db.execute("SELECT category_name, due_key FROM items WHERE id='m-v1-0002'").fetchone()
        assert row[0] == "Освещение" and row[1] != "9999"

        # The search index was rebuilt (ё folded, prefixes) from the records and the local draft.
        assert [h["id"] for h in cache.search("ёлка")] == ["m-v1-0001"]
        assert [h["id"] for h in cache.search("ЗВЕЗДН")] == ["m-v1-0001"]
        assert [h["id"] for h in cache.search("снегоуборщ")] == ["m-v1-0003"]
        assert [h["id"] for h in cache.search("освещ")] == ["m-v1-0002"]
        assert cache.state("me") is not None and cache.attachment_data("att-v1-0001") == b"v1 attachment bytes"
    finally:
        cache.close()
    cache = Cache.open(path, FIXTURE_KEY)  # and opens again with nothing left to do
    assert applied(cache.db) == ALL and cache.item_count() == 3
    cache.close()


def test_v2_fixture_is_really_version_2(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, 2)
    db = open_encrypted(path, FIXTURE_KEY, create=False)
    assert applied(db) == ["0001_initial", "0002_queue_performance"]
    assert "item_id" in db["search"].columns_dict  # the FTS table still stored its own copy of the text
    db.conn.close()


def test_v2_cache_upgrades_with_its_data(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, 2)
    cache = Cache.open(path, FIXTURE_KEY)
    try:
        assert applied(cache.db) == ALL
        assert cache.item_count() == 3 and cache.cursor == 7
        for item_id, (text, address, applicant, _, assignee) in V2_ITEMS.items():
            server = cache.server_item(item_id)
            assert server is not None and (server.text, server.address, server.applicant_name,
                                           server.assignee_id) == (text, address, applicant, assignee)

        # 0003: the search index was rebuilt without its own copy of the text, and still finds
        # body, address, applicant, category, number and the local draft, with ё = е and prefixes.
        assert "item_id" not in cache.db["search"].columns_dict
        indexes = {r[0] for r in cache.db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert not {"items_assignee", "items_category"} & indexes and "items_assignee_due_key" in indexes
        assert [h["id"] for h in cache.search("качел")] == ["m-v2-0001"]
        assert [h["id"] for h in cache.search("березовая")] == ["m-v2-0001"]
        assert [h["id"] for h in cache.search("ЁЖИК")] == ["m-v2-0001"]
        assert [h["id"] for h in cache.search("освещ мига")] == ["m-v2-0002"]
        assert [h["id"] for h in cache.search("кровельщ")] == ["m-v2-0003"]
        assert [h["id"] for h in cache.search("2026-1000002")] == ["m-v2-0002"]
        assert cache.search("площадка фонарь") == []

        # Rows keep their rowids, so an update after the upgrade replaces the item's search row.
        server = cache.server_item("m-v2-0002")
        assert server is not None
        cache.apply_page([server.model_copy(update={"text": "Фонарь починили, но снова погас", "version": 2})], 8)
        assert cache.search("мига") == [] and [h["id"] for h in cache.search("погас")] == ["m-v2-0002"]
        assert cache.db.execute("SELECT count(*) FROM search").fetchone()[0] == 3

        # The queued action, its optimistic change, the draft and the attachment survive.
        [entry] = cache.outbox()
        assert (entry.idempotency_key, entry.item_id, entry.action) == (V2_OUTBOX_KEY, "m-v2-0001", "interim_answer")
        local = cache.item("m-v2-0001")
        assert local is not None and local.status is Status.INTERIM_ANSWER
        assert cache.db.execute("SELECT text FROM drafts").fetchone()[0] == V2_DRAFT[1]
        assert cache.attachment_data("att-v2-0001") == b"v2 attachment bytes"
    finally:
        cache.close()


# --- fixture generators: NOT used at test time ---------------------------------------------
# Each runs once, by hand, when a schema version is about to be superseded (see fixtures/README.md):
#   .venv/bin/python -c "from tests.offline_cache.test_migrations import make_cache_v1; make_cache_v1()"
# It writes rows exactly as that version's Cache did, using only that version's migrations.


def _v1_items() -> list[Item]:
    from tests.world import CATEGORIES, WORLD_START

    items = []
    for n, (item_id, (text, address, applicant, category)) in enumerate(V1_ITEMS.items(), start=1):
        cat = next(c for c in CATEGORIES if c.code == category)
        items.append(Item.model_validate({
            "id": item_id, "number": f"2026-000000{n}", "kind": "message", "source": "portal", "org_id": "c",
            "status": "awaiting_routing", "version": 1, "category_code": category, "subject": cat.name,
            "text": text, "address": address, "applicant_name": applicant, "registered_at": WORLD_START,
            "received_at": WORLD_START, "due_at": WORLD_START + timedelta(days=cat.term_days),
            "routing_due_at": WORLD_START + timedelta(days=1), "updated_at": WORLD_START,
            "attachments": [{"id": f"att-v1-000{n}", "name": "фото.png", "content_type": "image/png", "size": 19,
                             "origin": "citizen"}] if n == 1 else [],
        }))
    return items


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def write_fixture_directory(db: sqlite_utils.Database, me_id: str, *, cursor: int) -> dict[str, str]:
    """The test world's directory, ``me`` and the cursor, as every schema version so far stores them.

    Returns staff names by id.
    """
    from offline_cache.contract.convert import org_to_contract, staff_to_contract
    from offline_cache.contract.models import Me
    from offline_cache.domain.staff import StaffMember
    from tests.world import CATEGORIES, ORGS, STAFF, WORLD_START

    orgs = [org_to_contract(o) for o in ORGS]
    staff = [staff_to_contract(StaffMember(i, o, f"Сотрудник {i}", frozenset(r))) for i, o, r in STAFF]
    user = next(m for m in staff if m.id == me_id)
    me = Me(user=user, organisation=next(o for o in orgs if o.id == user.org_id), effective_roles=user.roles,
            deputising_for=[], server_time=WORLD_START)
    for o in orgs:
        db.execute("INSERT INTO organisations VALUES (?, ?, ?)", [o.id, o.parent_id, o.model_dump_json()])
    for m in staff:
        db.execute("INSERT INTO staff VALUES (?, ?, ?, ?)", [m.id, m.org_id, m.full_name, m.model_dump_json()])
    for c in CATEGORIES:
        db.execute("INSERT INTO categories VALUES (?, ?, ?, ?, ?)",
                   [c.code, c.name, c.parent_code, c.term_kind.value, c.term_days])
    db.execute("INSERT INTO sync_state VALUES ('me', ?)", [me.model_dump_json()])
    db.execute("INSERT INTO sync_state VALUES ('cursor', ?)", [str(cursor)])
    return {m.id: m.full_name for m in staff}


def make_cache_v1(path: Path = FIXTURES / "cache_v1.posdesk") -> None:
    """Write the schema-1 fixture: three items, a directory, a local draft, a pending outbox row."""
    from offline_cache.contract.convert import item_to_state
    from offline_cache.domain.deadlines import active_deadline
    from tests.world import CATEGORIES, WORLD_START

    path.unlink(missing_ok=True)
    db = open_encrypted(path, FIXTURE_KEY)
    stamp = WORLD_START.isoformat()
    db.conn.executescript("CREATE TABLE _migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
                          f"applied_at TEXT NOT NULL);\nBEGIN;\n{schema.INITIAL}\n"
                          f"INSERT INTO _migrations (name, applied_at) VALUES ('0001_initial', '{stamp}');\nCOMMIT;")
    db.conn.execute("BEGIN")
    write_fixture_directory(db, "c-coord", cursor=3)
    items = _v1_items()
    for seq, item in enumerate(items, start=1):  # as v1's Cache._upsert and _index wrote them
        db.execute(
            "INSERT INTO items (id, number, kind, source, org_id, status, version, category_code, subject, address, "
            "applicant_name, assignee_id, approval_step, registered_at, received_at, due_at, routing_due_at, "
            "control_due_at, active_due_at, updated_at, feed_seq, record) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [item.id, item.number, item.kind.value, item.source, item.org_id, item.status.value, item.version,
             item.category_code, item.subject, item.address, item.applicant_name, item.assignee_id,
             item.approval_step, _iso(item.registered_at), _iso(item.received_at), _iso(item.due_at),
             _iso(item.routing_due_at), _iso(item.control_due_at), _iso(active_deadline(item_to_state(item))),
             _iso(item.updated_at), seq, item.model_dump_json()])
        for a in item.attachments:
            db.execute("INSERT INTO attachments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [a.id, item.id, a.name, a.content_type, a.size, a.origin, b"v1 attachment bytes", stamp])
        category = next(c.name for c in CATEGORIES if c.code == item.category_code)
        rowid = db.execute("SELECT rowid FROM items WHERE id=?", [item.id]).fetchone()[0]
        db.execute("INSERT INTO search (rowid, item_id, number, subject, body, address, applicant, category, draft) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [rowid, item.id, item.number, normalise(item.subject), normalise(item.text),
                    normalise(item.address), normalise(item.applicant_name), normalise(category),
                    normalise(V1_DRAFT[1]) if item.id == V1_DRAFT[0] else ""])
    db.execute("INSERT INTO drafts (item_id, text, updated_at) VALUES (?, ?, ?)", [*V1_DRAFT, stamp])
    predicted = items[0].model_copy(update={"status": Status.IN_WORK, "assignee_id": "c-exec1"})
    db.execute("INSERT INTO outbox (idempotency_key, item_id, base_version, action, payload, created_at, state) "
               "VALUES (?, 'm-v1-0001', 1, 'route_to_executor', ?, ?, 'pending')",
               [V1_OUTBOX_KEY, json.dumps({"executor_id": "c-exec1"}), stamp])
    db.execute("UPDATE items SET local_record=?, pending=1 WHERE id='m-v1-0001'", [predicted.model_dump_json()])
    db.execute("INSERT INTO audit_log (at, event, item_id, details) VALUES (?, 'enqueued', 'm-v1-0001', ?)",
               [stamp, f"route_to_executor {V1_OUTBOX_KEY}"])
    db.conn.execute("COMMIT")
    db.conn.close()  # checkpoints the WAL into the file: one self-contained file to commit


# What the v2 fixture holds (see make_cache_v2 below): an executor's cache with a local draft.
V2_ITEMS = {
    "m-v2-0001": ("Во дворе разбита детская площадка, качели сломаны", "ул. Берёзовая, д. 5", "Семён Ёжиков",
                  "roads", "c-exec1"),
    "m-v2-0002": ("Фонарь над подъездом мигает всю ночь", "пр. Мира, д. 40", "Ольга Котова", "light", None),
    "m-v2-0003": ("Крыша протекает после дождя", "ул. Садовая, д. 2", "Пётр Гусев", "snow", "c-exec1"),
}
V2_DRAFT = ("m-v2-0003", "Черновик: кровельщики выйдут на объект в понедельник")
V2_OUTBOX_KEY = "6c1b1f0e-0000-4000-8000-000000000002"


def new_fixture_at(path: Path, version: int) -> tuple[sqlite_utils.Database, str]:
    """A new fixture file with exactly the first ``version`` migrations, in an open transaction; and its stamp."""
    from tests.world import WORLD_START

    path.unlink(missing_ok=True)
    db = open_encrypted(path, FIXTURE_KEY)
    stamp = WORLD_START.isoformat()
    db.conn.execute("CREATE TABLE _migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
                    "applied_at TEXT NOT NULL)")
    for name, sql in MIGRATIONS[:version]:
        db.conn.executescript(f"BEGIN;\n{sql}\nINSERT INTO _migrations (name, applied_at) "
                              f"VALUES ('{name}', '{stamp}');\nCOMMIT;")
    db.conn.execute("BEGIN")
    return db, stamp


def make_cache_v2(path: Path = FIXTURES / "cache_v2.posdesk") -> None:
    """Write the schema-2 fixture: three items (two in work), a directory, a local draft, a pending action.

    Rows are written as version 2's ``Cache._upsert`` and ``_index`` wrote them: indexed columns in
    ``items``, the JSON record in ``item_records``, an FTS row (with ``item_id``) sharing the rowid.
    """
    from offline_cache.contract.convert import item_to_state
    from offline_cache.domain.deadlines import active_deadline
    from tests.world import CATEGORIES, WORLD_START

    db, stamp = new_fixture_at(path, 2)
    names = write_fixture_directory(db, "c-exec1", cursor=7)
    items = []
    for n, (item_id, (text, address, applicant, category, assignee)) in enumerate(V2_ITEMS.items(), start=1):
        cat = next(c for c in CATEGORIES if c.code == category)
        items.append(Item.model_validate({
            "id": item_id, "number": f"2026-100000{n}", "kind": "message", "source": "portal", "org_id": "c",
            "status": "in_work" if assignee else "awaiting_routing", "version": 2 if assignee else 1,
            "category_code": category, "subject": cat.name, "text": text, "address": address,
            "applicant_name": applicant, "assignee_id": assignee, "registered_at": WORLD_START,
            "received_at": WORLD_START, "due_at": WORLD_START + timedelta(days=cat.term_days),
            "routing_due_at": WORLD_START + timedelta(days=1), "updated_at": WORLD_START,
            "attachments": [{"id": "att-v2-0001", "name": "качели.jpg", "content_type": "image/jpeg", "size": 19,
                             "origin": "citizen"}] if n == 1 else [],
        }))
    for seq, item in enumerate(items, start=5):
        due = _iso(active_deadline(item_to_state(item)))
        category = next(c.name for c in CATEGORIES if c.code == item.category_code)
        db.execute(
            "INSERT INTO items (id, number, kind, source, org_id, status, version, category_code, subject, address, "
            "applicant_name, assignee_id, approval_step, registered_at, received_at, due_at, routing_due_at, "
            "control_due_at, active_due_at, due_key, updated_at, category_name, assignee_name, feed_seq, has_draft) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [item.id, item.number, item.kind.value, item.source, item.org_id, item.status.value, item.version,
             item.category_code, item.subject, item.address, item.applicant_name, item.assignee_id,
             item.approval_step, _iso(item.registered_at), _iso(item.received_at), _iso(item.due_at),
             _iso(item.routing_due_at), _iso(item.control_due_at), due, due or "9999", _iso(item.updated_at),
             category, names.get(item.assignee_id or "", ""), seq, 0])
        db.execute("INSERT INTO item_records (id, record) VALUES (?, ?)", [item.id, item.model_dump_json()])
        for a in item.attachments:
            db.execute("INSERT INTO attachments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [a.id, item.id, a.name, a.content_type, a.size, a.origin, b"v2 attachment bytes", stamp])
        rowid = db.execute("SELECT rowid FROM items WHERE id=?", [item.id]).fetchone()[0]
        db.execute("INSERT INTO search (rowid, item_id, number, subject, body, address, applicant, category, draft) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [rowid, item.id, item.number, normalise(item.subject), normalise(item.text),
                    normalise(item.address), normalise(item.applicant_name), normalise(category),
                    normalise(V2_DRAFT[1]) if item.id == V2_DRAFT[0] else ""])
    db.execute("INSERT INTO drafts (item_id, text, updated_at) VALUES (?, ?, ?)", [*V2_DRAFT, stamp])
    predicted = items[0].model_copy(update={"status": Status.INTERIM_ANSWER})
    db.execute("INSERT INTO outbox (idempotency_key, item_id, base_version, action, payload, created_at, state) "
               "VALUES (?, 'm-v2-0001', 2, 'interim_answer', ?, ?, 'pending')",
               [V2_OUTBOX_KEY, json.dumps({"text": "Промежуточный ответ", "planned_date": "2026-12-01"}), stamp])
    db.execute("UPDATE items SET local_record=?, pending=1 WHERE id='m-v2-0001'", [predicted.model_dump_json()])
    db.conn.execute("COMMIT")
    db.conn.close()  # checkpoints the WAL into the file: one self-contained file to commit
