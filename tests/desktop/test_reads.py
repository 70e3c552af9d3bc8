"""Slow reads run beside the worker: a similar-messages lookup never delays an action; only the newest is read."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.reads import BackgroundReads
from desktop.search.similar_view import SimilarMessages
from offline_cache.queues import QueueId
from offline_cache.store.cache import Cache
from tests.desktop.actions_world import show_queue
from tests.desktop.conftest import WindowFactory
from tests.world import World

WAIT = 20_000
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_an_action_is_not_held_up_by_the_similar_messages_lookup(
        world: World, open_window: WindowFactory, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over 100,000 items the lookup takes up to a second; here it takes until the action has been queued."""
    first, second = world.inject(text="Возьму сам"), world.inject(text="И это тоже")
    looking, release = threading.Event(), threading.Event()
    real = SimilarMessages._lookup

    def slow(cache: Cache, item_id: str) -> Any:
        looking.set()
        release.wait(60)  # bounded: a failing test ends instead of hanging
        return real(cache, item_id)

    monkeypatch.setattr(SimilarMessages, "_lookup", staticmethod(slow))
    window = open_window("c-coord")
    try:
        show_queue(window, QueueId.ROUTING)
        window.panel.select_item(first.id)
        qtbot.waitUntil(lambda: looking.is_set(), timeout=WAIT)  # the card's lookup is under way, and stuck
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=10_000)
        with qtbot.waitSignal(window.actions_controller.performed, timeout=WAIT):
            qtbot.keyClick(window.panel.table, Qt.Key.Key_T, CTRL_SHIFT)  # take into work
        assert looking.is_set() and not release.is_set()  # queued while the lookup was still reading
    finally:
        release.set()
    # The lookup still ends, and the card shows the lists of the item now in view (the next one).
    qtbot.waitUntil(lambda: window.card.similar.item_id == second.id, timeout=WAIT)
    with qtbot.waitSignal(window.card.similar.found, timeout=WAIT):
        window.card.similar.refresh()


def test_only_the_newest_read_of_a_kind_is_read_and_a_failure_is_reported(tmp_path: Any) -> None:
    key = bytes(range(32))
    Cache.open(tmp_path / "c.posdesk", key).close()
    reports: dict[str, tuple[object, Exception | None]] = {}
    done = threading.Condition()

    def report(request: str, _kind: str, result: object, exc: Exception | None) -> None:
        with done:
            reports[request] = (result, exc)
            done.notify_all()

    reads = BackgroundReads(lambda: Cache.open(tmp_path / "c.posdesk", key, create=False, upgrade=False), report)
    started, release = threading.Event(), threading.Event()

    def blocked(cache: Cache) -> int:
        started.set()
        release.wait(60)
        return cache.item_count()

    def broken(_cache: Cache) -> int:
        raise ValueError("испорченная запись")

    try:
        first = reads.submit(blocked, "similar")
        assert started.wait(WAIT / 1000)
        dropped = reads.submit(lambda cache: "старый", "similar")
        newest = reads.submit(lambda cache: "новый", "similar")
        other = reads.submit(broken, "report")
        release.set()
        with done:
            assert done.wait_for(lambda: {first, newest, other} <= reports.keys(), timeout=WAIT / 1000)
        assert reports[first] == (0, None) and reports[newest] == ("новый", None)
        assert dropped not in reports  # its asker had moved on: never read
        assert isinstance(reports[other][1], ValueError)
        after = reads.submit(lambda cache: cache.item_count())  # a fresh connection after the failure
        with done:
            assert done.wait_for(lambda: after in reports, timeout=WAIT / 1000)
        assert reports[after] == (0, None)
    finally:
        release.set()
        reads.stop()
