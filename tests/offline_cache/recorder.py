"""For tests of the sync engine: a listener that keeps every report, and the engine run in the background."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from offline_cache.sync import SyncEngine, SyncListener, SyncStatus


class Recorder(SyncListener):
    """Keeps every report; ``failed`` is set on the first ``failure`` status, ``recovered`` on idle after it."""

    def __init__(self, failure: SyncStatus = SyncStatus.OFFLINE) -> None:
        self.failure = failure
        self.statuses: list[tuple[SyncStatus, str]] = []
        self.quarantines: list[tuple[str | None, str]] = []
        self.outbox: list[dict[str, int]] = []
        self.failed = threading.Event()
        self.recovered = threading.Event()

    def status_changed(self, status: SyncStatus, message: str) -> None:
        self.statuses.append((status, message))
        if status is self.failure:
            self.failed.set()
        elif status is SyncStatus.IDLE and self.failed.is_set():
            self.recovered.set()

    def outbox_changed(self, counts: dict[str, int]) -> None:
        self.outbox.append(counts)

    def quarantined(self, item_id: str | None, error: str) -> None:
        self.quarantines.append((item_id, error))


@contextmanager
def running(engine: SyncEngine) -> Iterator[threading.Thread]:
    """``engine.run`` on a background thread, as the workstation runs it; stopped and joined on exit."""
    thread = threading.Thread(target=engine.run, name="sync-test", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        engine.stop()
        thread.join(10)
    assert not thread.is_alive()
