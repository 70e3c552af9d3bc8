"""Subprocess for the rebuild test: rewrite one batch of the search index, then die by SIGKILL inside the next."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: make the repo importable

from offline_cache.search_rebuild import rebuild_batch
from offline_cache.store.cache import Cache


def main(argv: list[str]) -> int:
    cache = Cache.open(argv[0], bytes.fromhex(argv[1]))
    conn = cache.db.conn
    rebuild_batch(conn, 1)
    # The next batch has deleted its old rows and not committed: a kill here must lose nothing.
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("DELETE FROM search WHERE rowid > 1 AND rowid <= 2")
    print("killing", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    return 1  # not reached


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
