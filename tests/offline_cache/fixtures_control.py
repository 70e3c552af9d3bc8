"""Generator of fixtures/cache_v7.posdesk (schema 7, before deadline control); not run by the tests.

Version 7 is what an official's v6 cache became under the release that added 0007_audit_chain: the v6
fixture's data (items with history, directory with categories, owned outbox rows, a local draft) with the
audit lines' chain column. Run once:
``.venv/bin/python -c "from tests.offline_cache.fixtures_control import make_cache_v7; make_cache_v7()"``
"""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def make_cache_v7(path: Path = FIXTURES / "cache_v7.posdesk") -> None:
    from offline_cache.store import schema
    from offline_cache.store.database import open_encrypted
    from tests.offline_cache.test_migrations import FIXTURE_KEY

    shutil.copy(FIXTURES / "cache_v6.posdesk", path)
    db = open_encrypted(path, FIXTURE_KEY, create=False)
    every = schema.MIGRATIONS
    schema.MIGRATIONS = every[:7]
    try:
        assert schema.migrate(db) == ["0007_audit_chain"]
    finally:
        schema.MIGRATIONS = every
    db.conn.close()  # checkpoints the WAL into the file: one self-contained file to commit
