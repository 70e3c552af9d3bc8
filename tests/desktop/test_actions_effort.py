"""Officials' effort, counted: route in ≤ 3 user actions, take into work in 1, approve in 1, return in ≤ 3."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from offline_cache.domain.model import Action, Status
from offline_cache.queues import QueueId
from tests.desktop.actions_world import row_point, show_queue
from tests.desktop.conftest import WindowFactory
from tests.desktop.user_actions import UserActions
from tests.world import World

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def platform_status(world: World, item_id: str) -> Status:
    item = world.platform.store.get_item(item_id)
    assert item is not None
    return item.status


def assigned_on_platform(world: World, qtbot: QtBot, item_id: str, assignee: str) -> None:
    qtbot.waitUntil(lambda: platform_status(world, item_id) is Status.IN_WORK, timeout=20_000)
    item = world.platform.store.get_item(item_id)
    assert item is not None and item.assignee_id == assignee


def routing_window(open_window: WindowFactory, item_id: str) -> MainWindow:
    window = open_window("c-coord")
    show_queue(window, QueueId.ROUTING)
    window.panel.select_item(item_id)
    return window


def activate(window: MainWindow, qtbot: QtBot) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10_000)


def test_route_to_an_executor_in_three_actions_then_the_next_item(world: World, open_window: WindowFactory,
                                                                  qtbot: QtBot) -> None:
    first, second = world.inject(text="Первое"), world.inject(text="Второе")
    window = open_window("c-coord")
    show_queue(window, QueueId.ROUTING)
    user = UserActions(qtbot)
    target = window.model.item_id(0)
    following = window.model.item_id(1)
    assert {target, following} == {first.id, second.id}
    user.click(window.panel.table.viewport(), row_point(window, str(target)))  # 1: select
    bar = window.actions_controller.bar
    assert bar.routing.isVisibleTo(window) and "Распределить за 3 дня" in bar.routing_term.text()
    before = bar.routing_term.text()
    world.clock.advance(5 * 3600)
    window.tick()  # the minute timer: the routing term counts down beside the actions
    assert bar.routing_term.text() != before and "осталось" in bar.routing_term.text()
    people = bar.picker.list
    row = next(n for n in range(people.count()) if "c-exec2" in people.item(n).text())
    assert "в работе: 0" in people.item(row).text()
    user.click(people.viewport(), people.visualItemRect(people.item(row)).center())  # 2: pick
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        user.click(bar.buttons[Action.ROUTE_TO_EXECUTOR])  # 3: confirm
    assert user.count <= 3
    assert window.card.item is not None and window.card.item.id == following  # next item selected
    assigned_on_platform(world, qtbot, str(target), "c-exec2")


def test_route_by_keyboard_with_type_ahead(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item = world.inject(text="Клавиатура")
    window = routing_window(open_window, item.id)
    picker = window.actions_controller.bar.picker
    picker.filter.setFocus()
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        qtbot.keyClicks(picker.filter, "exec3")
        assert picker.list.count() == 1
        qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    assigned_on_platform(world, qtbot, item.id, "c-exec3")


def test_take_into_work_in_one_action(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item = world.inject(text="Возьму сам")
    window = routing_window(open_window, item.id)
    activate(window, qtbot)
    user = UserActions(qtbot)
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        user.key(window.panel.table, Qt.Key.Key_T, CTRL_SHIFT)  # the shortcut
    assert user.count == 1
    assigned_on_platform(world, qtbot, item.id, "c-coord")


def on_approval_in_v(world: World, text: str) -> str:
    coord = world.client("v-coord")
    item = world.inject(org_id="v", text=text)
    item = coord.act(item.id, Action.TAKE_INTO_WORK, item.version)
    item = coord.act(item.id, Action.SUBMIT_FOR_APPROVAL, item.version, {"text": f"Ответ: {text}"})
    return item.id


def test_approve_in_one_action_and_the_platform_sends_the_answer(world: World, open_window: WindowFactory,
                                                                 qtbot: QtBot) -> None:
    first, second = on_approval_in_v(world, "Первое"), on_approval_in_v(world, "Второе")
    window = open_window("v-head")
    show_queue(window, QueueId.APPROVAL)
    window.panel.select_item(first)
    activate(window, qtbot)
    chain = window.card.chain
    assert chain.current == 1 and "Руководитель" in chain.steps[1].text()
    assert window.card.content.orientation() is Qt.Orientation.Horizontal  # message and draft side by side
    user = UserActions(qtbot)
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        user.key(window.panel.table, Qt.Key.Key_A, CTRL_SHIFT)
    assert user.count == 1
    assert window.card.item is not None and window.card.item.id == second
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        user.click(window.actions_controller.bar.buttons[Action.APPROVE])  # or one click
    assert user.count == 2
    for item_id in (first, second):
        qtbot.waitUntil(lambda i=item_id: platform_status(world, i) is Status.ANSWERED, timeout=20_000)


def test_return_with_a_comment_in_three_actions(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item_id = on_approval_in_v(world, "Верните")
    window = open_window("v-head")
    show_queue(window, QueueId.APPROVAL)
    window.panel.select_item(item_id)
    user = UserActions(qtbot)
    user.click(window.actions_controller.bar.buttons[Action.RETURN_FOR_REVISION])  # 1: button
    dialog = window.actions_controller.dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.ok.isEnabled()  # type: ignore[attr-defined]  # the comment is mandatory
    user.type(dialog.comment, "Укажите сроки ремонта")  # type: ignore[attr-defined]  # 2: type
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        user.click(dialog.ok)  # type: ignore[attr-defined]  # 3: confirm
    assert user.count <= 3
    qtbot.waitUntil(lambda: platform_status(world, item_id) is Status.RETURNED, timeout=20_000)
    returned = world.platform.store.get_item(item_id)
    assert returned is not None and returned.history[-1].comment == "Укажите сроки ремонта"


def test_route_without_the_mouse(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item = world.inject(text="Без мыши")
    window = routing_window(open_window, item.id)
    activate(window, qtbot)
    window.panel.table.setFocus()
    picker = window.actions_controller.bar.picker
    user = UserActions(qtbot)
    user.key(window.panel.table, Qt.Key.Key_E, CTRL_SHIFT)  # 1: the route shortcut puts the cursor in the picker
    assert picker.filter.hasFocus()
    user.type(picker.filter, "exec2")  # 2: type-ahead narrows to one
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        user.key(picker.filter, Qt.Key.Key_Return)  # 3: Enter routes
    assert user.count == 3
    assigned_on_platform(world, qtbot, item.id, "c-exec2")
