"""Rewriting an upgraded cache's search index (issue 15): in one transaction, as 0006 did, against in batches.

    .venv/bin/python -m benchmarks.bench_rebuild [--items 20000] [--batch 500]

An encrypted cache of ``--items`` items gets its search rows written as schema 5 wrote them (whole
folded words), then the rewrite to stems is timed twice over the same rows:

- baseline, same run: everything in one transaction, as migration 0006 did before the window opened;
- the background rewrite (``offline_cache.search_rebuild``): how long each batch holds the writer's
  lock (median, p95, max), the total, and a search's time while half the rows are rewritten.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.bench_window import make_items
from offline_cache.search_rebuild import MARK_ALL, pending, rebuild_batch
from offline_cache.store.cache import Cache
from offline_cache.store.schema import fold_sql

#: Search rows as schema 5 wrote them: folded whole words (what 0006 finds in an old cache).
OLD_ROWS = f"""
INSERT INTO search (search) VALUES ('delete-all');
INSERT INTO search (rowid, number, subject, body, address, applicant, category, draft)
SELECT i.rowid, i.number, {fold_sql("i.subject")}, {fold_sql("r.record ->> '$.text'")}, {fold_sql("i.address")},
    {fold_sql("i.applicant_name")}, {fold_sql("i.category_name")}, ''
FROM items i JOIN item_records r ON r.id = i.id;
"""
QUERIES = ["дорога", "фонари", "ямы во дворе", "садовой 12", "мусор", "крыши протекают"]


def as_schema_5(cache: Cache) -> None:
    with cache.transaction():
        for statement in OLD_ROWS.strip().split(";\n"):
            cache.db.conn.execute(statement)
        cache.db.conn.execute(MARK_ALL.rstrip(";"))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def search_times(cache: Cache, rounds: int = 5) -> list[float]:
    times = []
    for _ in range(rounds):
        for q in QUERIES:
            started = time.perf_counter()
            cache.search(q)
            times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="posdesk-rebuild-"))
    cache = Cache.open(folder / "bench.posdesk", secrets.token_bytes(32))
    rng = random.Random(15)
    now = datetime.now(UTC)
    for start in range(0, args.items, 500):
        cache.apply_page(make_items(min(500, args.items - start), start, now, rng), start + 1)
    conn = cache.db.conn
    print(f"{args.items} items cached")

    as_schema_5(cache)
    started = time.perf_counter()
    rebuild_batch(conn, args.items + 1)  # everything at once: the writer (and the window) wait for all of it
    whole = time.perf_counter() - started
    print(f"baseline, one transaction (0006 before): {ms(whole)} with the writer's lock held throughout")
    fresh = search_times(cache)

    as_schema_5(cache)
    holds: list[float] = []
    during: list[float] = []
    started = time.perf_counter()
    while True:
        begun = time.perf_counter()
        progress = rebuild_batch(conn, args.batch)
        holds.append(time.perf_counter() - begun)
        if progress is None or progress.finished:
            break
        if not during and progress.percent >= 50:
            during = search_times(cache)
    total = time.perf_counter() - started
    assert pending(conn) is None
    holds.sort()
    print(f"batches of {args.batch}: {len(holds)}, lock held median {ms(statistics.median(holds))}, "
          f"p95 {ms(holds[int(len(holds) * 0.95) - 1])}, max {ms(holds[-1])}; total {ms(total)} "
          f"({total / whole:.2f}× the one transaction)")
    for name, times in (("search, index rewritten", fresh), ("search, half rewritten", during)):
        times.sort()
        print(f"{name}: median {ms(statistics.median(times))}, max {ms(times[-1])} over {len(times)} queries")
    cache.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
