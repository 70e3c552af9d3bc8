"""Ranking benchmark (issue 13 p.6): the ranking of a region's organisations over 100,000 cached items.

    .venv/bin/python -m benchmarks.bench_ranking [--items 100000] [--orgs 24] [--rounds 15]

Target: under 300 ms. Baselines, same run, same encrypted cache: reading the month's history entries once
(the floor of any figure on answers without an index), one organisation's monthly summary, and the
naive ranking (the monthly summary once per organisation). Then the same with the indexes migration 0008
is to add (created ad hoc here), to show what they change.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from offline_cache.contract.models import HistoryOut, Item, OrganisationOut
from offline_cache.domain.model import ItemKind, OrgLevel, Status
from offline_cache.ranking import Figure, Period, rank, subordinates
from offline_cache.reports import month_bounds, monthly_summary
from offline_cache.store.cache import Cache
from tests.world import CATEGORIES

ZONE = "Asia/Yekaterinburg"
NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
MONTH = date(2026, 11, 1)
#: The indexes the "reports" helper's migration 0008 adds (the lead's plan).
INDEXES = ("CREATE INDEX IF NOT EXISTS history_to_status_at ON history (to_status, at)",
           "CREATE INDEX IF NOT EXISTS history_action_at ON history (action, at)",
           "CREATE INDEX IF NOT EXISTS items_org_received ON items (org_id, received_at)")


def make_orgs(count: int) -> list[OrganisationOut]:
    """A region, a fifth of the rest municipalities, the others settlements spread under them."""
    orgs = [OrganisationOut(id="o-00", name="Администрация края", level=OrgLevel.REGION, parent_id=None,
                            timezone=ZONE, approval_chain=[])]
    municipalities = max(1, (count - 1) // 5)
    for n in range(1, count):
        municipal = n <= municipalities
        orgs.append(OrganisationOut(
            id=f"o-{n:02d}", name=f"Администрация {'района' if municipal else 'поселения'} № {n}",
            level=OrgLevel.MUNICIPALITY if municipal else OrgLevel.SETTLEMENT,
            parent_id="o-00" if municipal else f"o-{1 + n % municipalities:02d}", timezone=ZONE, approval_chain=[]))
    return orgs


def make_items(count: int, start: int, orgs: list[OrganisationOut], rng: random.Random) -> list[Item]:
    """A year of items; most answered (some late, some answered twice), half of those rated."""
    items = []
    for n in range(start, start + count):
        registered = NOW - timedelta(days=rng.uniform(0, 365))
        due = registered + timedelta(days=30)
        steps = [HistoryOut(at=registered, actor_id=None, action="received", from_status=None,
                            to_status=Status.AWAITING_ROUTING),
                 HistoryOut(at=registered + timedelta(hours=2), actor_id="x", action="route_to_executor",
                            from_status=Status.AWAITING_ROUTING, to_status=Status.IN_WORK)]
        status, rating = Status.IN_WORK, None
        answered = registered + timedelta(days=rng.uniform(1, 36))
        if answered < NOW and rng.random() < 0.85:
            steps.append(HistoryOut(at=answered, actor_id="x", action="approve", from_status=Status.ON_APPROVAL,
                                    to_status=Status.ANSWERED))
            status = Status.ANSWERED
            if rng.random() < 0.5 and answered + timedelta(days=2) < NOW:
                rating = rng.randint(1, 5)
                steps.append(HistoryOut(at=answered + timedelta(days=2), actor_id="x", action="rated",
                                        from_status=Status.ANSWERED, to_status=Status.CLOSED))
                status = Status.CLOSED
        items.append(Item(
            id=f"b-{n}", number=f"2026-{n:07d}", kind=ItemKind.MESSAGE, org_id=rng.choice(orgs[1:]).id,
            status=status, version=len(steps), category_code=rng.choice(CATEGORIES).code, subject="Яма на дороге",
            text="Яма на дороге у дома, просим принять меры.", address="ул. Садовая, д. 1",
            applicant_name=f"Заявитель {n}", registered_at=registered, received_at=registered, due_at=due,
            assignee_id="x", updated_at=steps[-1].at, history=steps, rating=rating))
    return items


def timed(rounds: int, run: Callable[[], object]) -> float:
    """The median of ``rounds`` runs, in milliseconds (one warm-up run first: the page cache is warm)."""
    run()
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def measure(cache: Cache, orgs: list[OrganisationOut], rounds: int) -> None:
    conn, period = cache.db.conn, Period.month(MONTH)
    start, end = month_bounds(MONTH, ZONE)
    below = subordinates(orgs, "o-00")
    ranking = timed(rounds, lambda: rank(conn, orgs, "o-00", period, Figure.IN_TIME_SHARE))
    scan = timed(rounds, lambda: conn.execute("SELECT COUNT(*) FROM history WHERE at >= ? AND at < ?",
                                              (start, end)).fetchone())
    one = timed(rounds, lambda: monthly_summary(conn, below[-1].id, MONTH, ZONE, NOW))
    naive = timed(max(1, rounds // 5), lambda: [monthly_summary(conn, o.id, MONTH, ZONE, NOW) for o in below])
    print(f"   ranking of {len(below)} organisations (median of {rounds}): {ranking:.0f} ms  (target < 300)")
    print(f"   baseline: the month's history entries counted once: {scan:.0f} ms; one organisation's monthly "
          f"summary: {one:.0f} ms; the summary once per organisation: {naive:.0f} ms "
          f"({naive / ranking:.1f}x the ranking)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--orgs", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="posdesk-bench-"))
    cache = Cache.open(folder / "ranking.posdesk", secrets.token_bytes(32))
    orgs = make_orgs(args.orgs)
    cache.store_directory(orgs, [], CATEGORIES, [], [])
    rng = random.Random(13)
    t = time.perf_counter()
    for first in range(0, args.items, 2000):
        cache.apply_page(make_items(min(2000, args.items - first), first, orgs, rng), 1)
    history = cache.db.execute("SELECT COUNT(*) FROM history").fetchone()[0]
    print(f"ranking over {args.items} cached items ({history} history entries, encrypted cache; built in "
          f"{time.perf_counter() - t:.0f} s), month {MONTH:%m.%Y}:")
    print("1. schema as shipped (0007):")
    measure(cache, orgs, args.rounds)
    for statement in INDEXES:
        cache.db.execute(statement)
    cache.db.execute("ANALYZE")
    print("2. with the indexes of migration 0008, created ad hoc:", "; ".join(INDEXES))
    measure(cache, orgs, args.rounds)
    cache.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
