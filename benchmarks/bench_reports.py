"""Monthly summary (issue 13 p.5) over 100,000 cached items, against a baseline measured in the same run.

    .venv/bin/python -m benchmarks.bench_reports [--items 100000] [--rounds 15] [--db PATH] [--indexes]
        [--one-org] [--explain]

The cache (a real SQLCipher one) holds --items items of a year in two organisations (90 % in «c»,
whose month is measured, as in a curator's cache; --one-org: all in «c», as in a head's cache), each
with a life story in history: received, routed, submitted, answered (in time or late), rated, rejected
by a ground, redirected, given an interim answer, or still open.
About 7,500 items of «c» fall in the measured month (June 2026, Asia/Yekaterinburg).

Measured, median and max of --rounds rounds:
- baseline 1: one ``COUNT(*)`` over the month's «answered» history entries;
- baseline 2: the month's answered/rejected/redirected/interim entries (item, status, time) read into
  Python, no join: the rows any summary has to read at least once;
- the whole ``monthly_summary`` (all figures and the overdue list), then each of its queries alone.

--indexes creates the indexes of migration 0008 ad hoc first (``INDEXES``; a cache from before 0008
lacks them), so one run shows the summary with and without them. --db keeps the generated cache
at PATH and reuses it on the next run (generation takes a minute or two). Target: under 300 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from offline_cache.contract.models import HistoryOut, Item, RejectionOut
from offline_cache.domain.model import ItemKind, Status
from offline_cache.reports import INDEXES, RATING_PREFIX, month_bounds, monthly_summary, summary_queries
from offline_cache.store.cache import Cache

KEY = bytes(range(32))  # a throw-away benchmark cache
ZONE = "Asia/Yekaterinburg"
MONTH = date(2026, 6, 1)
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
GROUNDS = ["spam", "no_location", "duplicate", "obscene", "not_competence"]

def _h(at: datetime, action: str, src: Status | None, dst: Status, comment: str = "") -> HistoryOut:
    return HistoryOut(at=at, actor_id="c-exec1", action=action, from_status=src, to_status=dst, comment=comment)


def make_item(n: int, rng: random.Random, share: float = 0.9) -> Item:
    """One item with a plausible life: its history, final status, rating or rejection."""
    received = YEAR_START + timedelta(days=rng.uniform(0, 365))
    due = received + timedelta(days=30)
    history = [_h(received, "received", None, Status.AWAITING_ROUTING)]
    extra: dict[str, Any] = {}
    fate = rng.random()
    if received < YEAR_START + timedelta(days=150) and not 0.02 < fate < 0.13 and rng.random() < 0.97:
        fate = rng.uniform(0.18, 0.75)  # months-old items are mostly answered: few stay open and overdue
    t = received + timedelta(hours=rng.uniform(1, 48))
    status = Status.AWAITING_ROUTING
    if fate < 0.08:
        history.append(_h(t, "reject", status, Status.REJECTED))
        status = Status.REJECTED
        extra["rejection"] = RejectionOut(ground_code=rng.choice(GROUNDS), comment="основание")
    elif fate < 0.13:
        history.append(_h(t, "redirect", status, Status.REDIRECTED))
        status = Status.REDIRECTED
    elif fate > 0.02:
        history.append(_h(t, "route_to_executor", status, Status.IN_WORK))
        status = Status.IN_WORK
        if fate < 0.93:
            t += timedelta(days=rng.uniform(1, 20))
            history.append(_h(t, "submit_for_approval", status, Status.ON_APPROVAL))
            status = Status.ON_APPROVAL
            if fate < 0.18:
                t += timedelta(days=rng.uniform(0.2, 3))
                history.append(_h(t, "approve", status, Status.INTERIM_ANSWER))
                status = Status.INTERIM_ANSWER
            elif fate < 0.88:
                t += timedelta(days=rng.uniform(0.2, 14))  # some land after the deadline
                history.append(_h(t, "approve", status, Status.ANSWERED))
                status = Status.ANSWERED
                if fate < 0.75:
                    t += timedelta(days=rng.uniform(0.5, 5))
                    extra["rating"] = rating = rng.choice([1, 2, 3, 4, 4, 5, 5, 5])
                    # The rating closes the item; a low one re-opens a new item above (not in this cache).
                    history.append(_h(t, "rated", status, Status.CLOSED, f"оценка заявителя: {rating}"))
                    status = Status.CLOSED
    org = "c" if rng.random() < share else "v"
    return Item(id=f"r-{n}", number=f"2026-{n:07d}", kind=ItemKind.MESSAGE, org_id=org, status=status,
                version=len(history), category_code="roads", subject="Яма на дороге", text="Яма во дворе.",
                address="г. Светлогорск, ул. Садовая, д. 1", applicant_name=f"Заявитель {n}",
                registered_at=received, received_at=received, due_at=due,
                assignee_id="c-exec1" if status is not Status.AWAITING_ROUTING else None,
                approval_step=1 if status is Status.ON_APPROVAL else None, updated_at=t, history=history, **extra)


def build(path: Path, items: int, share: float) -> None:
    rng = random.Random(13)
    cache = Cache.open(path, KEY)
    t = time.perf_counter()
    for start in range(0, items, 2000):
        cache.apply_page([make_item(n, rng, share) for n in range(start, min(items, start + 2000))], 1)
    print(f"generated {items} items in {time.perf_counter() - t:.0f} s")
    cache.close()


def timed(rounds: int, run: Callable[[], object]) -> tuple[float, float, float]:
    """Median and max wall time, and median CPU time of this process (ms): the machine is shared, and CPU time
    tells the work done from the wait for a core."""
    wall, cpu = [], []
    for _ in range(rounds):
        t, c = time.perf_counter(), time.process_time()
        run()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(wall), max(wall), statistics.median(cpu)


def show(name: str, figures: tuple[float, float, float], baseline: tuple[float, float, float] | None = None) -> None:
    ratio = f"  {figures[0] / baseline[0]:6.1f}× / {figures[2] / max(baseline[2], 0.01):6.1f}× baseline" \
        if baseline else ""
    print(f"{name:<44} median {figures[0]:7.1f} ms  max {figures[1]:7.1f} ms  cpu {figures[2]:7.1f} ms{ratio}")


def measure(conn: Any, rounds: int, now: datetime, explain: bool) -> None:
    names = [n.split()[2] for n in INDEXES]
    present = sorted(r[0] for r in conn.execute(
        f"SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ({', '.join('?' * len(names))})", names))
    total = conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    history = conn.execute("SELECT COUNT(*) FROM history").fetchone()[0]
    print(f"cache: {total} items, {history} history entries; summary's indexes present: {present or 'none'}")
    start, end = month_bounds(MONTH, ZONE)
    s = monthly_summary(conn, "c", MONTH, ZONE, now)
    print(f"June 2026 of «c»: received {s.received}, in time {s.answered_in_time}, late {s.answered_late}, "
          f"rated {s.average_rating and round(s.average_rating, 2)}, overdue listed {len(s.overdue)}")

    month = "FROM history WHERE to_status IN ('answered', 'rejected', 'redirected', 'interim_answer') AND at >= ? " \
        "AND at < ?"

    def count() -> None:
        conn.execute("SELECT COUNT(*) FROM history WHERE to_status = 'answered' AND at >= ? AND at < ?",
                     [start, end]).fetchone()

    def entries() -> None:
        conn.execute(f"SELECT item_id, to_status, at {month}", [start, end]).fetchall()

    show("baseline 1: COUNT of the month's answers", timed(rounds, count))
    base = timed(rounds, entries)
    show("baseline 2: the month's entries into Python", base)
    show("monthly_summary (all figures + overdue)",
         timed(rounds, lambda: monthly_summary(conn, "c", MONTH, ZONE, now)), base)
    # For reference: a connection that keeps a 32 MB page cache between summaries (the pages stay decrypted).
    (before,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute("PRAGMA cache_size = -32768")
    show("  the same, 32 MB page cache kept between runs",
         timed(rounds, lambda: monthly_summary(conn, "c", MONTH, ZONE, now)), base)
    conn.execute(f"PRAGMA cache_size = {int(before)}")
    params = {"org": "c", "start": start, "end": end, "now": now.isoformat(), "late": "{}",
              "prefix": RATING_PREFIX, "prefix_len": len(RATING_PREFIX)}
    for name, sql in summary_queries().items():
        def run(q: str = sql) -> object:
            return conn.execute(q, params).fetchall()

        show(f"  {name}", timed(rounds, run), base)
        if explain:
            for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params):
                print("      ", row[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--one-org", action="store_true", help="generate all items in «c» (a head's cache)")
    parser.add_argument("--indexes", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        if not path.exists():
            build(path, args.items, 1.0 if args.one_org else 0.9)
        cache = Cache.open(path, KEY)
        conn = cache.db.conn
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            conn.execute("DROP TABLE sqlite_stat1")  # the app never runs ANALYZE: plan as it does, without statistics
            conn.commit()
            cache.close()
            cache = Cache.open(path, KEY)
            conn = cache.db.conn
        now = datetime(2026, 7, 2, 5, tzinfo=UTC)
        measure(conn, args.rounds, now, args.explain)
        if args.indexes:
            t = time.perf_counter()
            for sql in INDEXES:
                conn.execute(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
            conn.commit()
            print(f"\nwith the summary's indexes (reports.INDEXES, built in {time.perf_counter() - t:.0f} s):")
            measure(conn, args.rounds, now, args.explain)
        cache.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
