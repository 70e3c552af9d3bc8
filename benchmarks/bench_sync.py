"""Sync and cache benchmarks (issue #3), each against a baseline measured in the same run.

    .venv/bin/python -m benchmarks.bench_sync [--items 20000] [--search-items 100000]

1. First sync of --items items into the encrypted cache: items/s and peak memory (tracemalloc).
   Baseline: the same pages fetched with bare httpx, the same rows bulk-inserted into a SQLCipher
   connection opened without a key. Targets: whole sync ≤ 1.5× baseline; keyed insert ≤ 1.5× unkeyed.
2. A delta of 50 changes end to end (sync_once): median over 15 rounds. Target ≤ 300 ms.
3. FTS query over --search-items cached items: median of 40 queries. Target ≤ 50 ms.
4. Draining 1,000 queued actions against the training platform: actions/s; baseline: 1,000 bare
   httpx POSTs of the same kind of action.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlcipher3

from benchmarks.bench_window import make_items
from offline_cache.actions import perform
from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.contract.models import InjectMessageRequest
from offline_cache.domain.model import Action, Status
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine
from tests.world import CATEGORIES, WORLD_START, populate
from training_platform.server import TrainingServer
from training_platform.service import Clock, Platform, PlatformConfig
from training_platform.store import Store


def server_with(items: int, now: datetime) -> TrainingServer:
    platform = Platform(Store(), Clock(now), PlatformConfig(access_ttl=3600))
    populate(platform, WORLD_START)
    rng = random.Random(3)
    with platform.store.transaction():
        for start in range(0, items, 2000):
            for item in make_items(min(2000, items - start), start, now, rng):
                platform.store.put_item(item)
    server = TrainingServer(platform)
    server.start()
    return server


def client(url: str, user: str = "c-coord") -> PlatformClient:
    c = PlatformClient(ClientConfig(url))
    c.login(user, "pw")
    return c


def bench_first_sync(items: int) -> None:
    now = datetime.now(UTC)
    server = server_with(items, now)
    folder = Path(tempfile.mkdtemp(prefix="posdesk-bench-"))
    try:
        c = client(server.url)
        cache = Cache.open(folder / "sync.posdesk", secrets.token_bytes(32))
        tracemalloc.start()
        t0 = time.perf_counter()
        report = SyncEngine(cache, c, page_size=500).sync_once()
        whole = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert report.pulled == items, report
        cache.close()

        # Baseline: bare httpx pages + the same rows bulk-inserted, no key.
        token = c.tokens.access_token if c.tokens else ""
        pages, cursor = [], 0
        t0 = time.perf_counter()
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as http:
            while True:
                page = http.get("/api/v1/feed", params={"cursor": cursor, "limit": 500}).json()
                pages.append(page)
                cursor = page["next_cursor"]
                if not page["has_more"]:
                    break
        fetch = time.perf_counter() - t0
        rows = [(i["id"], i["status"], i["due_at"], i["text"], httpx._utils.to_str(str(i))) for p in pages
                for i in p["items"]]

        def insert(path: Path, key: bytes | None) -> float:
            conn = sqlcipher3.connect(str(path), isolation_level=None)
            conn.execute("PRAGMA cipher_log_level = NONE")
            if key:
                conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("CREATE TABLE items (id TEXT PRIMARY KEY, status TEXT, due TEXT, text TEXT, record TEXT)")
            conn.execute("CREATE INDEX s ON items (status, due)")
            t = time.perf_counter()
            for start in range(0, len(rows), 500):
                conn.execute("BEGIN")
                conn.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?)", rows[start:start + 500])
                conn.execute("COMMIT")
            took = time.perf_counter() - t
            conn.close()
            return took

        plain = insert(folder / "plain.db", None)
        keyed = insert(folder / "keyed.db", secrets.token_bytes(32))
        baseline = fetch + plain
        print(f"1. first sync of {items} items: {whole:.2f} s = {items / whole:.0f} items/s, "
              f"peak traced memory {peak / 2**20:.0f} MiB")
        print(f"   baseline (bare httpx {fetch:.2f} s + unkeyed bulk insert {plain:.2f} s) = {baseline:.2f} s; "
              f"ratio {whole / baseline:.2f}x (target ≤ 1.5x)")
        print(f"   encryption alone: keyed insert {keyed:.2f} s vs unkeyed {plain:.2f} s; "
              f"ratio {keyed / plain:.2f}x (target ≤ 1.5x)")
        c.close()
    finally:
        server.stop()


def bench_delta() -> None:
    now = datetime.now(UTC)
    server = server_with(2000, now)
    folder = Path(tempfile.mkdtemp(prefix="posdesk-bench-"))
    try:
        c = client(server.url)
        cache = Cache.open(folder / "delta.posdesk", secrets.token_bytes(32))
        engine = SyncEngine(cache, c)
        engine.sync_once()
        other = client(server.url, "c-coord")
        waiting = [i for i in other.feed(0, 500).items if i.status is Status.AWAITING_ROUTING]
        times, bare = [], []
        token = c.tokens.access_token if c.tokens else ""
        for round_ in range(15):
            batch = waiting[round_ * 50 % len(waiting):][:50]
            if len(batch) < 50:
                batch = [server.platform.inject(_inject()) for _ in range(50)]
            for item in batch:
                other.act(item.id, Action.TAKE_INTO_WORK, item.version) if item.status is Status.AWAITING_ROUTING \
                    else None
            cursor = cache.cursor
            t = time.perf_counter()
            report = engine.sync_once()
            times.append(time.perf_counter() - t)
            assert report.pulled >= 50, report
            t = time.perf_counter()
            httpx.get(f"{server.url}/api/v1/feed", params={"cursor": cursor, "limit": 500},
                      headers={"Authorization": f"Bearer {token}"})
            bare.append(time.perf_counter() - t)
            waiting = [i for i in waiting if i not in batch]
        med, base = statistics.median(times), statistics.median(bare)
        print(f"2. delta of 50 changes end to end: median {med * 1000:.0f} ms, p90 "
              f"{statistics.quantiles(times, n=10)[8] * 1000:.0f} ms (target ≤ 300); bare fetch of the same page "
              f"{base * 1000:.0f} ms, ratio {med / base:.1f}x")
        cache.close()
    finally:
        server.stop()


def _inject() -> InjectMessageRequest:
    return InjectMessageRequest(org_id="c", category_code="roads", text="Яма на дороге", address="ул. Мира, 1",
                                applicant_name="Заявитель")


def bench_search(items: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="posdesk-bench-"))
    cache = Cache.open(folder / "search.posdesk", secrets.token_bytes(32))
    cache.store_directory([], [], CATEGORIES, [], [])
    rng, now = random.Random(5), datetime.now(UTC)
    for start in range(0, items, 2000):
        cache.apply_page(make_items(min(2000, items - start), start, now, rng), 1)
    queries = ["яма", "фонар", "темн", "садовая", "крыша горяч", "собак", "снег убр", "остановк", "ещё", "Мира 12",
               "заявитель 4711", "2026-0001234", "мусор двор", "жители жалуются", "протека", "ленина", "площадк",
               "горячей воды", "школ", "принять меры"] * 2
    times, like = [], []
    for q in queries:
        t = time.perf_counter()
        cache.search(q, limit=50)
        times.append(time.perf_counter() - t)
    for q in queries[:10]:
        t = time.perf_counter()
        # What search would cost without the index: scan every record, sort the matches by deadline.
        cache.db.execute("SELECT i.id FROM items i JOIN item_records r ON r.id = i.id WHERE r.record LIKE ? "
                         "ORDER BY i.due_key LIMIT 50", [f"%{q.split()[0]}%"]).fetchall()
        like.append(time.perf_counter() - t)
    med, base = statistics.median(times), statistics.median(like)
    print(f"3. FTS over {items} cached items: median {med * 1000:.1f} ms, p95 "
          f"{statistics.quantiles(times, n=20)[18] * 1000:.1f} ms (target ≤ 50); LIKE scan baseline median "
          f"{base * 1000:.1f} ms, ratio {base / med:.0f}x faster")
    cache.close()


def bench_outbox(actions: int = 1000) -> None:
    now = datetime.now(UTC)
    server = server_with(0, now)
    for _ in range(2 * actions):
        server.platform.inject(_inject())
    folder = Path(tempfile.mkdtemp(prefix="posdesk-bench-"))
    try:
        c = client(server.url)
        cache = Cache.open(folder / "outbox.posdesk", secrets.token_bytes(32))
        engine = SyncEngine(cache, c)
        engine.sync_once()
        waiting = [row[0] for row in cache.db.execute(
            "SELECT id FROM items WHERE status = 'awaiting_routing' ORDER BY id").fetchall()]
        assert len(waiting) >= 2 * actions, len(waiting)
        for item_id in waiting[:actions]:
            perform(cache, item_id, Action.TAKE_INTO_WORK, {}, now=now)
        t = time.perf_counter()
        report = engine.push()
        took = time.perf_counter() - t
        assert report.pushed == actions, report
        token = c.tokens.access_token if c.tokens else ""
        t = time.perf_counter()
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as http:
            for item_id in waiting[actions:2 * actions]:
                http.post(f"/api/v1/messages/{item_id}/actions", headers={"Idempotency-Key": str(uuid.uuid4())},
                          json={"action": "take_into_work", "base_version": 1, "payload": {}}).raise_for_status()
        bare = time.perf_counter() - t
        print(f"4. draining {actions} queued actions: {took:.2f} s = {actions / took:.0f} actions/s; bare httpx "
              f"{actions / bare:.0f} actions/s; ratio {took / bare:.2f}x")
        cache.close()
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--search-items", type=int, default=100_000)
    args = parser.parse_args()
    bench_first_sync(args.items)
    bench_delta()
    bench_search(args.search_items)
    bench_outbox()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
