"""The answer being typed is autosaved into the encrypted cache and survives SIGKILL of the application."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

from offline_cache.domain.model import Action
from offline_cache.store.cache import Cache
from offline_cache.store.vault import session_key
from tests.world import World

APP = Path(__file__).with_name("autosave_app.py")
ROOT = Path(__file__).resolve().parents[2]
TEXT = "Уважаемый заявитель! Асфальтирование двора назначено на июнь. Прошу учесть: подрядчик Дорсервис."

def lines_of(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    """The subprocess's stdout as a queue, so waiting for a marker has a timeout."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.strip())

    threading.Thread(target=pump, daemon=True).start()
    return lines


def test_draft_autosave_survives_sigkill(world: World, tmp_path: Path) -> None:
    item = world.inject(text="Асфальт во дворе")
    world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
    key = session_key()
    cache_path = tmp_path / "profile.posdesk"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, str(APP), world.url, str(cache_path), key.hex(), "c-exec1", item.id,
                             TEXT], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = lines_of(proc)
        marker = lines.get(timeout=120)
        assert marker == "autosaved", marker
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # no chance to flush anything more: what is on disk is what counts
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    cache = Cache.open(cache_path, key, create=False)
    try:
        row = cache.db.execute("SELECT text FROM drafts WHERE item_id=?", [item.id]).fetchone()
        assert row is not None and row[0] == TEXT
        # The item's search row knows the draft: searching for a word of it finds the item.
        assert item.id in {hit["id"] for hit in cache.search("Дорсервис")}
    finally:
        cache.close()
    assert "Дорсервис".encode() not in cache_path.read_bytes()  # and it is encrypted on disk
