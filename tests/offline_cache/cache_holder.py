"""Test helper run as another process: open a cache and hold it locked until a line arrives on stdin.

Usage: python -m tests.offline_cache.cache_holder PATH KEYHEX  — prints «locked» once the lock is held.
"""

from __future__ import annotations

import sys

import sqlcipher3


def main(path: str, key_hex: str) -> None:
    conn = sqlcipher3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key_hex}'\"")
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")  # as a stuck or foreign process would hold it
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    print("locked", flush=True)
    sys.stdin.readline()
    conn.execute("ROLLBACK")
    conn.close()
    print("released", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
