"""Subprocess for the crash tests: sync one cache in a loop until killed (or once with ``--once``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: make the repo importable

from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine, SyncStatus

PAGE_SIZE = 13


def main(argv: list[str]) -> int:
    url, cache_path, key_hex, login = argv[:4]
    once = "--once" in argv[4:]
    cache = Cache.open(cache_path, bytes.fromhex(key_hex))
    client = PlatformClient(ClientConfig(url, retries=2), sleep=lambda _s: None)
    client.login(login, "pw")
    engine = SyncEngine(cache, client, page_size=PAGE_SIZE)
    print("ready", flush=True)
    while True:
        report = engine.sync_once()
        if report.status is not SyncStatus.IDLE:
            print(f"sync failed: {report.error}", file=sys.stderr, flush=True)
            return 3
        if once:
            print(f"done pulled={report.pulled} pushed={report.pushed}", flush=True)
            cache.close()
            client.close()
            return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
