"""The queue's repaint: every role of a cell in one call, the same as ``data``; background loops pause for it."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan, Qt
from pytestqt.qtbot import QtBot

from desktop.queue.model import COLUMNS, ItemIdRole, QueueModel, UrgencyRole
from offline_cache.interpreter import window_is_busy
from offline_cache.queues import QueueId
from tests.desktop.conftest import WindowFactory
from tests.world import World

#: What QStyledItemDelegate asks of each cell it paints (Qt 6), and the model's own roles.
ROLES = [Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole,
         Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.DisplayRole,
         Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole, ItemIdRole, UrgencyRole]


def _plain(value: object) -> object:
    return value.color().name() if hasattr(value, "color") else value


def test_multidata_gives_what_data_gives_for_every_cell(world: World, open_window: WindowFactory,
                                                         qtbot: QtBot) -> None:
    world.inject(text="Яма на дороге")
    world.inject(category="snow", text="Не убран снег")  # a short term: the countdown is coloured
    window = open_window("c-coord")
    window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
    model: QueueModel = window.model
    qtbot.waitUntil(lambda: model.rowCount() >= 2, timeout=20_000)
    world.clock.advance(timedelta(days=4).total_seconds())
    model.tick()  # the countdowns move on: the remembered cells are worked out again
    coloured = 0
    for row in range(model.rowCount()):
        for column in range(len(COLUMNS)):
            index = model.index(row, column)
            for role in ROLES:
                role_data = QModelRoleData(role)
                model.multiData(index, QModelRoleDataSpan(role_data))
                assert _plain(role_data.data()) == _plain(model.data(index, role)), (row, COLUMNS[column], role)
            coloured += model.data(index, Qt.ItemDataRole.ForegroundRole) is not None
    assert coloured >= 1  # the comparison covered a coloured countdown too
    assert model.data(model.index(0, COLUMNS.index("deadline")), Qt.ItemDataRole.DisplayRole)


def test_while_downloading_each_paint_of_the_queue_pauses_background_loops(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    world.inject(text="Яма на дороге")
    window = open_window("c-coord")
    window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
    busy_during_paint: list[bool] = []
    real = QueueModel._cells  # what each painted cell asks for (multiData, a virtual, is bound at creation)

    def watching(model: QueueModel, n: int) -> object:
        busy_during_paint.append(window_is_busy())
        return real(model, n)

    qtbot.waitUntil(lambda: window.model.rowCount() >= 1, timeout=20_000)
    QueueModel._cells = watching  # type: ignore[assignment]
    try:
        window._downloading(True)
        window.panel.table.viewport().repaint()
        assert busy_during_paint and all(busy_during_paint)
        qtbot.waitUntil(lambda: not window_is_busy(), timeout=5_000)  # released once the paint is handled
        window._downloading(False)
        busy_during_paint.clear()
        window.panel.table.viewport().repaint()
        assert busy_during_paint and not any(busy_during_paint)  # no download: nothing pauses
    finally:
        QueueModel._cells = real  # type: ignore[method-assign]
        window._downloading(False)
