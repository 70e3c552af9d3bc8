"""The window offers exactly the domain table's actions, for every role × status, in card, menu and context menu."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from offline_cache.domain.model import Action, Status
from offline_cache.queues import QueueId
from tests.desktop.actions_world import every_status, expected_actions, row_point, show_queue
from tests.desktop.conftest import WindowFactory
from tests.world import World, absent

#: The offscreen platform cannot grab the keyboard or raise a popup menu; a real display can.
OFFSCREEN_POPUP = "This plugin does not support (propagateSizeHints|raise|grabbing)"
USERS = ("c-coord", "c-exec1", "c-exec2", "c-head", "c-cur", "c-admin", "r-coord", "v-coord")


def offered_in_window(window: MainWindow) -> tuple[list[Action], list[Action], list[Action]]:
    """(card buttons, «Действия» menu, window shortcuts live) for the shown item."""
    controller = window.actions_controller
    buttons = controller.bar.visible_actions()
    menu = [a for a, q in controller.actions.items() if q.isVisible() and q in controller.menu.actions()]
    live = [a for a, q in controller.actions.items() if q.isEnabled() and q.isVisible()]
    return buttons, menu, live


@pytest.mark.qt_log_ignore(OFFSCREEN_POPUP)
def test_every_role_and_status_offers_exactly_allowed_actions(world: World, open_window: WindowFactory,
                                                              qtbot: QtBot) -> None:
    items = every_status(world)
    assert {i.status for i in items.values()} >= set(Status) - {Status.REDIRECTED} | {Status.REDIRECTED}
    seen: set[tuple[str, Status]] = set()
    offered_anything: dict[str, set[Action]] = {}
    for user in USERS:
        window = open_window(user)
        show_queue(window, QueueId.ALL)
        assert window.model.rowCount() > 0, user
        for row in range(window.model.rowCount()):
            item_id = window.model.item_id(row)
            assert item_id is not None
            window.panel.table.selectRow(row)
            assert window.card.item is not None and window.card.item.id == item_id
            expected = expected_actions(world, user, item_id)
            buttons, menu, live = offered_in_window(window)
            assert buttons == expected, (user, window.card.item.status, item_id)
            assert menu == expected and live == expected, (user, window.card.item.status)
            seen.add((user, window.card.item.status))
            offered_anything.setdefault(user, set()).update(expected)
        # The row's context menu holds the same actions as the card.
        last = window.model.item_id(window.model.rowCount() - 1)
        assert last is not None
        window.panel.table.customContextMenuRequested.emit(row_point(window, last))
        menu = window.actions_controller.context_menu
        assert menu is not None
        names = [a.text() for a in menu.actions() if a.isEnabled()]
        assert names == [window.actions_controller.actions[a].text() for a in expected_actions(world, user, last)]
        menu.close()
    assert Action.APPROVE not in offered_anything["c-exec1"] | offered_anything["c-exec2"]
    assert Action.STOP_REPROCESSING in offered_anything["r-coord"]
    assert Action.STOP_REPROCESSING not in offered_anything["c-coord"]
    assert Action.APPROVE in offered_anything["c-cur"] and Action.APPROVE in offered_anything["c-head"]
    assert offered_anything["c-admin"] == set()
    statuses = {s for _u, s in seen}
    assert statuses == set(Status), set(Status) - statuses


def test_a_deputy_acts_for_an_absent_head(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    items = every_status(world)
    world.platform.store.put_staff(absent("c-head", "c-exec2", world.clock.now() - timedelta(days=1)))
    window = open_window("c-exec2")
    assert QueueId.DEPUTISING in window.queues
    show_queue(window, QueueId.DEPUTISING)
    waiting = items["approval_1"].id
    assert window.model.row_of(waiting) >= 0, "the absent head's approval step is in the deputy's queue"
    window.panel.select_item(waiting)
    assert expected_actions(world, "c-exec2", waiting) == [Action.APPROVE, Action.RETURN_FOR_REVISION]
    assert window.actions_controller.bar.visible_actions() == [Action.APPROVE, Action.RETURN_FOR_REVISION]
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        window.actions_controller.bar.buttons[Action.APPROVE].click()
    qtbot.waitUntil(lambda: world.platform.store.get_item(waiting).status is Status.ANSWERED,  # type: ignore[union-attr]
                    timeout=20_000)
    answered = world.platform.store.get_item(waiting)
    assert answered is not None and answered.history[-1].actor_id == "c-exec2"
    # The history says whom the deputy acted for.
    with qtbot.waitSignal(window.session.worker.bridge.statusChanged, timeout=15_000,
                          check_params_cb=lambda status, _m: status == "idle"):
        window.session.worker.sync_now()
    show_queue(window, QueueId.ALL)
    window.panel.select_item(waiting)
    assert window.card.item is not None and window.card.item.status is Status.ANSWERED
    newest = window.card.history.item(0).text()
    assert "Сотрудник c-exec2 за Сотрудник c-head" in newest, newest


@pytest.mark.qt_log_ignore(OFFSCREEN_POPUP)
def test_the_menu_key_opens_the_current_rows_menu(world: World, open_window: WindowFactory) -> None:
    world.inject(text="Первое")
    item = world.client("c-coord").act(world.inject(text="Второе").id, Action.TAKE_INTO_WORK, 1)
    window = open_window("c-coord")
    show_queue(window, QueueId.ALL)
    window.panel.select_item(item.id)
    table = window.panel.table
    corner = table.rect().topLeft()
    menu_key = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, corner, table.mapToGlobal(corner))
    QApplication.sendEvent(table, menu_key)
    menu = window.actions_controller.context_menu
    assert menu is not None and window.card.item is not None and window.card.item.id == item.id
    assert [a.text() for a in menu.actions()] == [
        window.actions_controller.actions[a].text() for a in expected_actions(world, "c-coord", item.id)]
    assert "Сохранить черновик" in [a.text() for a in menu.actions()]
    menu.close()
