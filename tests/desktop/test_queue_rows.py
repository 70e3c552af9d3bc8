"""An official's own action shows on its row at once, before the coalesced refresh of the queue."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.labels import status_name
from desktop.queue.model import COLUMNS
from offline_cache.domain.model import Status
from offline_cache.queues import QueueId
from tests.desktop.conftest import WindowFactory
from tests.world import World


def test_take_into_work_shows_on_the_row_before_the_queue_is_reread(world: World, open_window: WindowFactory,
                                                                     qtbot: QtBot) -> None:
    items = [world.inject(text=f"Яма у дома {n}") for n in range(3)]
    window = open_window("c-coord")
    window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
    target = items[1].id
    window.panel.select_item(target)
    qtbot.waitUntil(lambda: window.card.item is not None and window.card.item.id == target, timeout=10_000)
    resets: list[int] = []
    window.model.modelReset.connect(lambda: resets.append(1))
    status_column = COLUMNS.index("status")
    bridge = window.session.worker.bridge
    with qtbot.waitSignal(bridge.itemsChanged, timeout=15_000, check_params_cb=lambda ids: target in ids):
        QTest.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    # The window's slot ran before this test's: the row is updated in place, with no re-read of the queue.
    row = window.model.row_of(target)
    assert window.model.index(row, status_column).data() == status_name(Status.IN_WORK)
    assert not resets  # in place: the queue was not re-read
    other = window.model.row_of(items[0].id)
    assert window.model.index(other, status_column).data() == status_name(Status.AWAITING_ROUTING)
