"""The cache schema as named migrations, applied in order and recorded in ``_migrations``.

Never edit a migration that has shipped: add a new one. Each runs in one transaction together
with its record, so a crash mid-upgrade leaves the previous version intact.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils

from offline_cache.search_rebuild import MARK_ALL
from offline_cache.word_forms import register

INITIAL = """
CREATE TABLE items (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    org_id TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    category_code TEXT NOT NULL,
    subject TEXT NOT NULL,
    address TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    assignee_id TEXT,
    approval_step INTEGER,
    registered_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    routing_due_at TEXT,
    control_due_at TEXT,
    active_due_at TEXT,
    updated_at TEXT NOT NULL,
    feed_seq INTEGER NOT NULL DEFAULT 0,
    pending INTEGER NOT NULL DEFAULT 0,
    conflict INTEGER NOT NULL DEFAULT 0,
    record TEXT NOT NULL,
    local_record TEXT
        );
CREATE INDEX items_status ON items (status, active_due_at);
CREATE INDEX items_assignee ON items (assignee_id, status);
CREATE INDEX items_org ON items (org_id, status);
CREATE INDEX items_category ON items (category_code);
CREATE INDEX items_due ON items (active_due_at);
CREATE INDEX items_registered ON items (registered_at);
CREATE INDEX items_number ON items (number);
CREATE INDEX items_pending ON items (pending) WHERE pending > 0;

CREATE TABLE history (
    item_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (item_id, idx)
        );

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    origin TEXT NOT NULL,
    data BLOB,
    fetched_at TEXT
        );
CREATE INDEX attachments_item ON attachments (item_id);

CREATE TABLE drafts (
    item_id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'final',
    planned_date TEXT,
    attachment_ids TEXT NOT NULL DEFAULT '[]',
    updated_at TEXT NOT NULL
        );

CREATE TABLE templates (id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL,
    purpose TEXT NOT NULL, category_code TEXT, ground_code TEXT);
CREATE TABLE organisations (id TEXT PRIMARY KEY, parent_id TEXT, record TEXT NOT NULL);
CREATE TABLE staff (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, full_name TEXT NOT NULL,
    record TEXT NOT NULL);
CREATE TABLE categories (code TEXT PRIMARY KEY, name TEXT NOT NULL, parent_code TEXT,
    term_kind TEXT NOT NULL, term_days INTEGER NOT NULL);
CREATE TABLE rejection_grounds (code TEXT PRIMARY KEY, number INTEGER NOT NULL, title TEXT NOT NULL,
    text TEXT NOT NULL);

CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    item_id TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    action TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'failed', 'conflict')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    next_attempt_at TEXT,
    server_record TEXT
        );
CREATE INDEX outbox_state ON outbox (state, item_id, id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    item_id TEXT,
    details TEXT NOT NULL DEFAULT ''
        );

CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    feed_seq INTEGER,
    item_id TEXT,
    error TEXT NOT NULL,
    raw TEXT NOT NULL
        );

CREATE VIRTUAL TABLE search USING fts5(
    item_id UNINDEXED, number, subject, body, address, applicant, category, draft,
    tokenize = 'unicode61 remove_diacritics 2'
        );
"""


def fold_sql(expr: str) -> str:
    """SQL for ``normalise``: FTS5 folds case itself, but ё and е must be made one letter."""
    return f"replace(replace({expr}, 'ё', 'е'), 'Ё', 'Е')"


# Queues of 100,000 items must stay fast on an encrypted file, where every page read is decrypted:
# - the full JSON record moves out of ``items`` into ``item_records``, so ``items`` rows stay small
#   and a filter or search touches few pages;
# - sort keys become plain indexed columns (the deadline with no-deadline items last, category and
#   assignee names copied from the directory), so sorting walks an index instead of sorting;
# - the search index gets prefix indexes, since every query is a prefix query.
# The FTS rowid is the item's rowid: ``items`` is never VACUUMed without rebuilding ``search``.
QUEUE_PERFORMANCE = f"""
ALTER TABLE items ADD COLUMN due_key TEXT NOT NULL DEFAULT '9999';
ALTER TABLE items ADD COLUMN category_name TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN assignee_name TEXT NOT NULL DEFAULT '';
UPDATE items SET due_key = COALESCE(active_due_at, '9999'),
    category_name = COALESCE((SELECT name FROM categories c WHERE c.code = items.category_code), category_code),
    assignee_name = COALESCE((SELECT full_name FROM staff s WHERE s.id = items.assignee_id), '');
CREATE INDEX items_due_key ON items (due_key, id);
CREATE INDEX items_status_due_key ON items (status, due_key, id);
CREATE INDEX items_category_name ON items (category_name, id);
CREATE INDEX items_assignee_name ON items (assignee_name, id);
CREATE INDEX items_address ON items (address, id);
CREATE INDEX items_kind ON items (kind, id);
CREATE INDEX items_category_due_key ON items (category_code, due_key, id);
CREATE INDEX items_org_due_key ON items (org_id, due_key, id);
CREATE INDEX items_assignee_due_key ON items (assignee_id, status, due_key, id);
ALTER TABLE items ADD COLUMN has_draft INTEGER NOT NULL DEFAULT 0;
UPDATE items SET has_draft = json_extract(record, '$.draft') IS NOT NULL;
CREATE INDEX items_approval ON items (status, org_id, approval_step, due_key);
CREATE INDEX items_with_draft ON items (assignee_id, status) WHERE has_draft = 1;
CREATE INDEX items_conflict ON items (conflict) WHERE conflict = 1;
DROP INDEX items_status;
DROP INDEX items_due;
CREATE TABLE item_records (id TEXT PRIMARY KEY, record TEXT NOT NULL);
INSERT INTO item_records (id, record) SELECT id, record FROM items;
DROP TABLE search;
CREATE VIRTUAL TABLE search USING fts5(
    item_id UNINDEXED, number, subject, body, address, applicant, category, draft,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
);
INSERT INTO search (rowid, item_id, number, subject, body, address, applicant, category, draft)
SELECT rowid, id, number, {fold_sql("subject")}, {fold_sql("json_extract(record, '$.text')")}, {fold_sql("address")},
    {fold_sql("applicant_name")}, {fold_sql("category_name")},
    {fold_sql("COALESCE((SELECT text FROM drafts d WHERE d.item_id = items.id), "
           "json_extract(record, '$.draft.text'), '')")}
FROM items;
ALTER TABLE items DROP COLUMN record;
"""

# A first download writes tens of thousands of items, each touching every index and the search
# index; half of its time went into pages nobody reads:
# - the search index keeps no copy of the text (contentless, rows deleted by rowid) and no token
#   positions (detail=none): queries are single-token prefix terms joined by AND, by rowid only;
# - two indexes duplicated the leading columns of longer ones (assignee_due_key, category_due_key).
LEAN_SEARCH = f"""
DROP INDEX items_assignee;
DROP INDEX items_category;
DROP TABLE search;
CREATE VIRTUAL TABLE search USING fts5(
    number, subject, body, address, applicant, category, draft,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4',
    content = '', contentless_delete = 1, detail = none
);
INSERT INTO search (rowid, number, subject, body, address, applicant, category, draft)
SELECT i.rowid, i.number, {fold_sql("i.subject")}, {fold_sql("json_extract(r.record, '$.text')")},
    {fold_sql("i.address")}, {fold_sql("i.applicant_name")}, {fold_sql("i.category_name")},
    {fold_sql("COALESCE((SELECT text FROM drafts d WHERE d.item_id = i.id), "
           "json_extract(r.record, '$.draft.text'), '')")}
FROM items i JOIN item_records r ON r.id = i.id;
"""

# The workstation (issue 9): queued actions belong to the official who made them (and name the
# absent colleague when acting as deputy); an entry can be cancelled, discarded or resolved by hand;
# the audit log gets columns instead of free text; a local answer file remembers the platform's id
# once uploaded, so an upload interrupted by a crash is not repeated. SQLite cannot alter a CHECK,
# so the outbox is rebuilt; entries queued before this version belong to the cache's last login.
WORKSTATION = """
CREATE TABLE outbox_v4 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    item_id TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    action TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'failed', 'conflict', 'cancelled',
                                         'discarded', 'resolved')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    next_attempt_at TEXT,
    server_record TEXT,
    user_id TEXT,
    acting_for TEXT,
    delivered_at TEXT
);
INSERT INTO outbox_v4 (id, idempotency_key, item_id, base_version, action, payload, created_at, state, attempts,
                       last_error, next_attempt_at, server_record, user_id)
SELECT id, idempotency_key, item_id, base_version, action, payload, created_at, state, attempts, last_error,
       next_attempt_at, server_record, (SELECT value ->> '$.user.id' FROM sync_state WHERE key = 'me')
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v4 RENAME TO outbox;
CREATE INDEX outbox_state ON outbox (state, item_id, id);
CREATE INDEX outbox_item ON outbox (item_id, state);
ALTER TABLE audit_log ADD COLUMN user_id TEXT;
ALTER TABLE audit_log ADD COLUMN acting_for TEXT;
ALTER TABLE audit_log ADD COLUMN action TEXT;
ALTER TABLE audit_log ADD COLUMN entry_key TEXT;
ALTER TABLE audit_log ADD COLUMN queued_at TEXT;
ALTER TABLE audit_log ADD COLUMN delivered_at TEXT;
ALTER TABLE audit_log ADD COLUMN error TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_entry ON audit_log (entry_key, id);
ALTER TABLE attachments ADD COLUMN uploaded_id TEXT;
ALTER TABLE attachments ADD COLUMN added_at TEXT;
"""

# Templates (issue 11): platform templates carry the platform's version, so that usage recorded
# against an older version is told apart; personal templates live only in this encrypted cache;
# each insertion of a template into an answer is recorded with the version it had.
TEMPLATES = """
ALTER TABLE templates ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE TABLE personal_templates (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('answer', 'interim', 'rejection', 'return')),
    category_codes TEXT NOT NULL DEFAULT '[]',
    ground_code TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE TABLE template_usage (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    template_id TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('platform', 'personal')),
    user_id TEXT,
    item_id TEXT,
    used_at TEXT NOT NULL
);
CREATE INDEX template_usage_template ON template_usage (template_id, template_version);
CREATE INDEX template_usage_user ON template_usage (user_id, template_id);
"""

# Search that understands word forms (issue 15): the index holds the stem of every word
# (offline_cache.word_forms). The rows of an existing cache are rewritten afterwards, in the
# background and in batches (offline_cache.search_rebuild): this only records that they must be, so
# an old cache opens at once. Search works meanwhile (a stem is a prefix of its word). The table
# itself is unchanged.
WORD_FORMS = MARK_ALL

# Tamper-evident audit (issue 12): each audit line carries the hash chain value sealed by the writer
# (offline_cache/audit_chain.py); lines from before are sealed on the writer's next open.
AUDIT_CHAIN = """
ALTER TABLE audit_log ADD COLUMN chain TEXT;
"""

# Deadline control, reports and the administrator (issues 13 and 14):
# - categories carry the organisation's stage control terms (JSON of the contract's stage_terms; NULL
#   means the defaults) and the production calendar's platform overrides are kept per year, so that
#   control times are computed offline;
# - the organisation's auto-rules are readable offline (JSON of the contract's rule, in their order);
# - the head records the disciplinary measure taken for an overdue item, and each export of a monthly
#   summary is recorded (the reminder from the 1st stops once the month's report is exported);
# - the monthly summary and the ranking scan one month of history and items by organisation and date,
#   from covering indexes (offline_cache/reports.INDEXES: no table page is read, each one decrypted).
CONTROL = """
ALTER TABLE categories ADD COLUMN stage_terms TEXT;
CREATE TABLE calendar_years (year INTEGER PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE auto_rules (id TEXT PRIMARY KEY, position INTEGER NOT NULL, value TEXT NOT NULL);
CREATE TABLE disciplinary_measures (item_id TEXT PRIMARY KEY, measure TEXT NOT NULL, recorded_by TEXT,
    recorded_at TEXT NOT NULL);
CREATE TABLE report_exports (id INTEGER PRIMARY KEY AUTOINCREMENT, org_id TEXT NOT NULL, month TEXT NOT NULL,
    format TEXT NOT NULL, exported_at TEXT NOT NULL);
CREATE INDEX history_month ON history (to_status, at, item_id);
CREATE INDEX history_action ON history (action, at);
CREATE INDEX history_rated ON history (action, at, item_id, comment) WHERE action = 'rated';
CREATE INDEX items_org_received ON items (org_id, received_at);
CREATE INDEX items_report ON items (id, org_id, registered_at, due_at);
CREATE INDEX items_org_open_due ON items (org_id, status, due_at);
"""

#: Every migration ever shipped, in order. Names are recorded; never rename or reorder.
MIGRATIONS: list[tuple[str, str]] = [
    ("0001_initial", INITIAL),
    ("0002_queue_performance", QUEUE_PERFORMANCE),
    ("0003_lean_search", LEAN_SEARCH),
    ("0004_workstation", WORKSTATION),
    ("0005_templates", TEMPLATES),
    ("0006_word_forms", WORD_FORMS),
    ("0007_audit_chain", AUDIT_CHAIN),
    ("0008_control", CONTROL),
]

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(Exception):
    """The cache was written by a newer POS Desk than this one."""


def applied(db: sqlite_utils.Database) -> list[str]:
    if "_migrations" not in db.table_names():
        return []
    return [row["name"] for row in db.query("SELECT name FROM _migrations ORDER BY id")]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations this cache lacks; return their names."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
               "applied_at TEXT NOT NULL)")
    register(db.conn)  # a migration may reduce words in SQL
    done = applied(db)
    known = [name for name, _ in MIGRATIONS]
    unknown = [name for name in done if name not in known]
    if unknown:
        raise SchemaTooNew(
            f"Кэш создан более новой версией POS Desk (миграции {', '.join(unknown)}). Обновите программу.")
    ran = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        # One script, one transaction: the migration and its record land together or not at all.
        # (executescript commits whatever is open first, so the BEGIN must be inside the script.)
        stamp = datetime.now(UTC).isoformat()
        script = (f"BEGIN;\n{sql}\n"
                  f"INSERT INTO _migrations (name, applied_at) VALUES ('{name}', '{stamp}');\nCOMMIT;")
        try:
            db.conn.executescript(script)
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        ran.append(name)
    return ran
