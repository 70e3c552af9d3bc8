"""Control board benchmark (issue 13): the heads' board refreshed over 100,000 cached items.

    .venv/bin/python -m benchmarks.bench_control [--items 100000] [--rounds 21]

Measures, median of --rounds: a refresh of the board by executor and by category
(``offline_cache.control_board.control_board`` with its ``AnsweredMemo``, as the window refreshes it), the
same after a sync wrote 50 of the month's answered items again, the first count of a session (every answer
of the month looked up), and opening one cell in the queue (count + first page). --keep PATH writes the
cache once and reuses it.
Baseline, same run, same cache: a plain ``SELECT count(*) FROM items``, and the count of open items (the
least any board must read). Target: a refresh ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from offline_cache.contract.models import HistoryOut, Item, StaffOut
from offline_cache.control_board import AnsweredMemo, Cell, Dimension, Measure, control_board
from offline_cache.domain.model import OPEN_STATUSES, ItemKind, Role, Status
from offline_cache.queues import Filters, QueueId, QueueQuery, Viewer
from offline_cache.store.cache import Cache
from tests.world import CATEGORIES

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
KEY = bytes(range(32))  # for --keep: a benchmark's throwaway data, reopened by the next run
OPEN = sorted(s.value for s in OPEN_STATUSES)
MONTH_START = "2026-02-28T19:00:00+00:00"  # 1.03 00:00 in UTC+5
ZONE = "Asia/Yekaterinburg"
EXECUTORS = [f"c-exec{n}" for n in range(1, 31)]
STATUSES = [Status.AWAITING_ROUTING, Status.IN_WORK, Status.IN_WORK, Status.ON_APPROVAL, Status.RETURNED,
            Status.ANSWERED, Status.CLOSED, Status.CLOSED, Status.REJECTED]
FINISHED = [Status.CLOSED, Status.CLOSED, Status.CLOSED, Status.REJECTED, Status.REDIRECTED]
#: Days the cached items span; items older than RECENT_DAYS are finished, but for a forgotten BACKLOG share.
SPAN_DAYS, RECENT_DAYS, BACKLOG = 730, 45, 0.02


def make_items(count: int, start: int, rng: random.Random) -> list[Item]:
    """Two years of an organisation's items (about 4,000 a month at 100,000): the last 45 days in every
    status, older ones finished but for 2 % left open (long overdue); answered ones with their entry
    into «answered» in the history."""
    items = []
    for n in range(start, start + count):
        registered = NOW - timedelta(days=rng.uniform(0, SPAN_DAYS))
        recent = NOW - registered < timedelta(days=RECENT_DAYS) or rng.random() < BACKLOG
        status = rng.choice(STATUSES) if recent else rng.choice(FINISHED)
        history = [HistoryOut(at=registered, actor_id=None, action="received", from_status=None,
                              to_status=Status.AWAITING_ROUTING)]
        if status in (Status.ANSWERED, Status.CLOSED):
            answered = min(NOW - timedelta(minutes=1), registered + timedelta(days=rng.uniform(1, 35)))
            history.append(HistoryOut(at=answered, actor_id="c-head", action="approve",
                                      from_status=Status.ON_APPROVAL, to_status=Status.ANSWERED))
        assignee = None if status in (Status.AWAITING_ROUTING, Status.REJECTED) else rng.choice(EXECUTORS)
        items.append(Item(
            id=f"b-{n}", number=f"2026-{n:07d}", kind=ItemKind.MESSAGE, org_id="c", status=status, version=1,
            category_code=rng.choice(CATEGORIES).code, subject="Яма на дороге", text="Яма на дороге во дворе.",
            address="г. Светлогорск, ул. Садовая, д. 1", applicant_name=f"Заявитель {n}", registered_at=registered,
            received_at=registered, due_at=registered + timedelta(days=30),
            routing_due_at=registered + timedelta(days=3) if status is Status.AWAITING_ROUTING else None,
            assignee_id=assignee, approval_step=1 if status is Status.ON_APPROVAL else None,
            updated_at=registered, history=history))
    return items


def median_ms(fn: Callable[[], object], rounds: int) -> float:
    fn()  # warm the page cache: the board refreshes a cache that is open and in use
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--keep", default="", help="a cache file to write once and reuse in later runs")
    args = parser.parse_args()
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "bench.db"
        fresh = not path.exists()
        cache = Cache.open(path, KEY if args.keep else secrets.token_bytes(32))
        if fresh:
            staff = [StaffOut(id=e, org_id="c", full_name=f"Исполнитель {e}", roles=[Role.EXECUTOR])
                     for e in EXECUTORS]
            cache.store_directory([], staff, CATEGORIES, [], [])
            t = time.perf_counter()
            for start in range(0, args.items, 1000):
                cache.apply_page(make_items(min(1000, args.items - start), start, rng), start + 1000)
            print(f"cache of {cache.item_count()} items written in {time.perf_counter() - t:.0f} s")
        conn = cache.db.conn
        rounds, slow = args.rounds, max(3, args.rounds // 4)
        baseline = median_ms(lambda: conn.execute("SELECT count(*) FROM items").fetchone(), rounds)
        open_sql = f"SELECT count(*) FROM items WHERE status IN ({','.join('?' * len(OPEN))})"
        open_count = median_ms(lambda: conn.execute(open_sql, OPEN).fetchone(), rounds)
        figures: list[tuple[str, float]] = []
        answered = [str(r[0]) for r in conn.execute(
            "SELECT item_id FROM history WHERE to_status = 'answered' AND at >= ? LIMIT 50", [MONTH_START])]
        for dimension in Dimension:
            memo = AnsweredMemo()
            figures.append((f"board by {dimension.value}: first count of the session", median_ms(
                lambda d=dimension: control_board(conn, d, NOW, ZONE, AnsweredMemo()), slow)))
            figures.append((f"board by {dimension.value}: refresh", median_ms(
                lambda d=dimension, m=memo: control_board(conn, d, NOW, ZONE, m), rounds)))
            times = []
            for n in range(slow):  # a sync wrote 50 of the month's answered items again (new history rowids)
                items = [cache.item(i) for i in answered]
                cache.apply_page([i.model_copy(update={"version": i.version + 1}) for i in items if i], 10**6 + n)
                t = time.perf_counter()
                control_board(conn, dimension, NOW, ZONE, memo)
                times.append((time.perf_counter() - t) * 1000)
            figures.append((f"board by {dimension.value}: refresh after a sync rewrote 50 answers",
                            statistics.median(times)))
        query = QueueQuery(conn, Viewer("c-head", frozenset({"c-head"}), frozenset({Role.HEAD})))
        cell = Filters(narrowing=Cell(Dimension.EXECUTOR, "c-exec7", Measure.OVERDUE, ZONE))

        def open_cell() -> None:
            query.count(QueueId.ALL, cell, NOW)
            query.page(QueueId.ALL, cell, NOW, limit=200)

        figures.append(("a cell opened in the queue (count + 200 rows)", median_ms(open_cell, rounds)))
        memo = AnsweredMemo()
        control_board(conn, Dimension.EXECUTOR, NOW, ZONE, memo)
        answered = Filters(narrowing=Cell(Dimension.EXECUTOR, None, Measure.ANSWERED_IN_TIME, ZONE,
                                          item_ids=tuple(i for ids in memo.counted.values() for i in ids)))

        def open_answered() -> None:
            query.count(QueueId.ALL, answered, NOW)
            query.page(QueueId.ALL, answered, NOW, limit=200)

        figures.append(("all answered in time this month opened (by the ids counted)", median_ms(open_answered,
                                                                                                rounds)))
        board = control_board(conn, Dimension.EXECUTOR, NOW, ZONE)
        print(f"{cache.item_count()} items; board totals: { {m.value: n for m, n in board.totals.items()} }")
        print(f"{'baseline: SELECT count(*) FROM items':62s} {baseline:7.1f} ms (median of {rounds})")
        print(f"{'baseline: count of open items (status index)':62s} {open_count:7.1f} ms")
        for label, figure in figures:
            print(f"{label:62s} {figure:7.1f} ms")
        print("target: a refresh ≤ 50 ms")
        cache.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
