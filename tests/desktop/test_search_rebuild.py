"""The search index of an upgraded cache is rewritten in the background with progress, search working meanwhile."""

from __future__ import annotations

import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.search.index_status import IndexStatus
from desktop.worker import SyncWorker
from offline_cache.search_rebuild import RebuildProgress, pending, rebuild_batch
from offline_cache.store.cache import Cache
from tests.offline_cache.fixtures_search import FIXTURE_KEY, V5_ITEMS
from tests.offline_cache.fixtures_workstation import FIXTURES
from tests.world import World

WAIT = 20_000
#: Queries and the fixture's items they find, whichever rows are rewritten yet.
QUERIES = {"на дорогах": {"m-v5-0001"}, "ямами": {"m-v5-0001", "m-v5-0002"}, "ёлка": {"m-v5-0003"}}


def v5_copy(tmp_path: Path) -> Path:
    path = tmp_path / "v5.posdesk"
    shutil.copy(FIXTURES / "cache_v5.posdesk", path)
    return path


def found(reader: Cache) -> dict[str, set[str]]:
    """The fixture's items each query finds (the sync may bring the world's items beside them)."""
    return {q: {r["id"] for r in reader.search(q, limit=1000)} & set(V5_ITEMS) for q in QUERIES}


def test_the_worker_rewrites_the_index_beside_the_sync(world: World, tmp_path: Path, qtbot: QtBot) -> None:
    path = v5_copy(tmp_path)
    worker = SyncWorker(path, FIXTURE_KEY, world.client("c-exec1"), interval=3600, login="c-exec1", index_batch=1)
    reports: list[tuple[int, int]] = []
    searches: list[dict[str, set[str]]] = []
    reader: Cache | None = None

    def seen(done: int, last: int) -> None:  # on the UI thread, while the rewrite goes on
        reports.append((done, last))
        if reader is not None:
            searches.append(found(reader))

    worker.bridge.indexProgress.connect(seen)
    try:
        worker.start()  # migrates: 0006 only marks the rewrite
        reader = Cache.open(path, FIXTURE_KEY, create=False, upgrade=False)
        qtbot.waitUntil(lambda: bool(reports) and reports[-1] == (3, 3), timeout=WAIT)
        assert reports == [(1, 3), (2, 3), (3, 3)]
        assert searches and all(s == QUERIES for s in searches)
        assert pending(reader.db.conn) is None and found(reader) == QUERIES
        assert reader.db.execute("SELECT count(*) FROM search WHERE search MATCH '\"дороге\"'").fetchone()[0] == 0
    finally:
        worker.stop()
        if reader is not None:
            reader.close()


def test_the_status_bar_shows_the_rewrite(tmp_path: Path, qtbot: QtBot) -> None:
    cache = Cache.open(v5_copy(tmp_path), FIXTURE_KEY)
    try:
        assert rebuild_batch(cache.db.conn, 1) == RebuildProgress(1, 3)
        status = IndexStatus(cache.db.conn)  # a window opened during the rewrite shows where it is
        qtbot.addWidget(status)
        assert not status.isHidden() and status.text() == "Перестройка поискового индекса: 33 %"
        status.show_progress(2, 3)
        assert status.text() == "Перестройка поискового индекса: 66 %"
        status.show_progress(3, 3)
        assert status.isHidden()
    finally:
        cache.close()


def test_the_status_bar_stays_hidden_without_a_rewrite(tmp_path: Path, qtbot: QtBot) -> None:
    cache = Cache.open(tmp_path / "new.posdesk", FIXTURE_KEY)
    try:
        status = IndexStatus(cache.db.conn)
        qtbot.addWidget(status)
        assert status.isHidden()
    finally:
        cache.close()
