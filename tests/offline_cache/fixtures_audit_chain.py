"""Generator of fixtures/cache_v6.posdesk (schema 6, before the audit hash chain); not run by the tests.

Version 6 is what an official's v4 cache became under the releases that added 0005_templates and
0006_word_forms: the v4 fixture's data (owned outbox rows, structured audit lines, a local draft and
file) with the templates tables and the word-form search index. Run once:
``.venv/bin/python -c "from tests.offline_cache.fixtures_audit_chain import make_cache_v6; make_cache_v6()"``
"""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def make_cache_v6(path: Path = FIXTURES / "cache_v6.posdesk") -> None:
    from offline_cache.store import schema
    from offline_cache.store.database import open_encrypted
    from tests.offline_cache.test_migrations import FIXTURE_KEY

    shutil.copy(FIXTURES / "cache_v4.posdesk", path)
    db = open_encrypted(path, FIXTURE_KEY, create=False)
    every = schema.MIGRATIONS
    schema.MIGRATIONS = every[:6]
    try:
        assert schema.migrate(db) == ["0005_templates", "0006_word_forms"]
    finally:
        schema.MIGRATIONS = every
    db.conn.close()  # checkpoints the WAL into the file: one self-contained file to commit
