"""Refreshes the window starts by itself are read on the queue reader's thread and shown as a synchronous one."""

from __future__ import annotations

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop.queue.reader import PageRead
from offline_cache.queues import Filters, QueueId
from tests.desktop.conftest import WindowFactory
from tests.world import World


def test_background_refresh_shows_what_a_synchronous_one_reads(world: World, open_window: WindowFactory,
                                                                qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    window = open_window("c-coord")
    window.navigation.setCurrentRow(window.queues.index(QueueId.ROUTING))
    before = window.model.rowCount()
    fresh = [world.inject(text=f"Не горит фонарь {n}") for n in range(3)]
    # A sync pass brings the new items; the window re-reads its queue on the reader's thread.
    with qtbot.waitSignal(window.reader.pageRead, timeout=20_000):
        window.session.worker.sync_now()
    qtbot.waitUntil(lambda: not window._refresh_pending and window.model.rowCount() == before + 3, timeout=20_000)
    shown = [window.model.item_id(n) for n in range(window.model.rowCount())]
    assert {i.id for i in fresh} <= set(shown)
    qtbot.waitUntil(lambda: window.counts[QueueId.ROUTING] == before + 3, timeout=20_000)  # counted after the page
    qtmodeltester.check(window.model)
    # The same rows as the UI thread's own read.
    window.model.refresh()
    assert [window.model.item_id(n) for n in range(window.model.rowCount())] == shown


def test_a_read_older_than_the_model_is_dropped(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    world.inject(text="Яма на дороге")
    window = open_window("c-coord")
    model = window.model
    window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
    stale = model.refresh_request()
    with qtbot.waitSignal(window.reader.pageRead, timeout=20_000) as read:
        window.reader.read_page(stale)
    model.set_filters(Filters(text="ничего такого нет"))  # read again meanwhile: the background read is older
    assert not model.apply_read(read.args[0])
    assert model.rowCount() == 0
    result: PageRead = read.args[0]
    assert result.total > 0  # it did read the unfiltered queue


def test_an_unchanged_page_is_applied_without_a_reset(world: World, open_window: WindowFactory,
                                                      qtbot: QtBot) -> None:
    """A background read that finds the same rows leaves the view alone (no reset, selection kept)."""
    world.inject(text="Яма на дороге")
    window = open_window("c-coord")
    model = window.model
    window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=20_000)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    with qtbot.waitSignal(window.reader.pageRead, timeout=20_000) as read:
        window.reader.read_page(model.refresh_request())
    assert model.apply_read(read.args[0]) and resets == []
    # A changed queue is applied with a reset, as before: the window's own re-read after the sync pass.
    total = model.rowCount()
    world.inject(text="Не горит фонарь")
    window.session.worker.sync_now()
    qtbot.waitUntil(lambda: model.rowCount() == total + 1, timeout=20_000)
    assert resets
