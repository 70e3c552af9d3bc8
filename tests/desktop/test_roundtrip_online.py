"""The online round trip across three sessions: assign → draft → submit → return → revise → approve → answered."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from offline_cache.contract.models import Item
from offline_cache.domain.model import Action, Status
from offline_cache.queues import QueueId
from tests.desktop.actions_world import show_queue
from tests.desktop.conftest import WindowFactory
from tests.desktop.templates_world import acknowledge_checks
from tests.desktop.user_actions import type_text
from tests.world import World


def platform_item(world: World, item_id: str) -> Item:
    item = world.platform.store.get_item(item_id)
    assert item is not None
    return item


def synced(window: MainWindow, qtbot: QtBot) -> None:
    """The window caught up with the platform (what an official gets with F5)."""
    with qtbot.waitSignal(window.session.worker.bridge.statusChanged, timeout=15_000,
                          check_params_cb=lambda status, _m: status == "idle"):
        window.session.worker.sync_now()
    window._refresh_now()


def act(window: MainWindow, qtbot: QtBot, action: Action) -> None:
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        window.actions_controller.bar.buttons[action].click()
        if action is Action.SUBMIT_FOR_APPROVAL:  # a short answer: the checks before submit ask (issue 11)
            assert "too_short" in acknowledge_checks(window, qtbot)


def test_round_trip_across_coordinator_executor_and_head(world: World, open_window: WindowFactory,
                                                         qtbot: QtBot) -> None:
    item_id = world.inject(org_id="r", text="Разбитый тротуар на площади").id  # the region: chain is the head only
    coordinator, executor, head = open_window("r-coord"), open_window("r-exec"), open_window("r-head")

    # Coordinator: route to the executor.
    show_queue(coordinator, QueueId.ROUTING)
    coordinator.panel.select_item(item_id)
    picker = coordinator.actions_controller.bar.picker
    type_text(picker.filter, "r-exec")
    assert picker.current_id() == "r-exec"
    act(coordinator, qtbot, Action.ROUTE_TO_EXECUTOR)
    qtbot.waitUntil(lambda: platform_item(world, item_id).status is Status.IN_WORK, timeout=20_000)

    # Executor: write a draft, save it, submit it.
    synced(executor, qtbot)
    show_queue(executor, QueueId.MY_WORK)
    executor.panel.select_item(item_id)
    editor = executor.card.editor
    assert not editor.text.isReadOnly()
    editor.text.setFocus()
    type_text(editor.text, "Тротуар отремонтируют в мае.")
    act(executor, qtbot, Action.SAVE_DRAFT)
    assert executor.card.item is not None and executor.card.item.id == item_id  # saving stays on the item
    act(executor, qtbot, Action.SUBMIT_FOR_APPROVAL)
    qtbot.waitUntil(lambda: platform_item(world, item_id).status is Status.ON_APPROVAL, timeout=20_000)
    draft = platform_item(world, item_id).draft
    assert draft is not None and draft.text == "Тротуар отремонтируют в мае."

    # Head: return for revision with a comment.
    synced(head, qtbot)
    show_queue(head, QueueId.APPROVAL)
    head.panel.select_item(item_id)
    assert head.card.editor.plain_text() == "Тротуар отремонтируют в мае."
    head.actions_controller.bar.buttons[Action.RETURN_FOR_REVISION].click()
    dialog = head.actions_controller.dialog
    assert dialog is not None
    comment = "Укажите точную дату и подрядчика.\nИ приложите план работ."
    dialog.comment.setPlainText(comment)  # type: ignore[attr-defined]
    with qtbot.waitSignal(head.actions_controller.performed, timeout=15_000):
        dialog.ok.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: platform_item(world, item_id).status is Status.RETURNED, timeout=20_000)

    # Executor: the head's comment in full on top of the card; revise and submit again.
    synced(executor, qtbot)
    show_queue(executor, QueueId.RETURNED)
    executor.panel.select_item(item_id)
    box = executor.card.return_box
    assert box.isVisibleTo(executor) and comment in box.text()
    editor.text.moveCursor(editor.text.textCursor().MoveOperation.End)
    type_text(editor.text, " Подрядчик — МУП «Дорсервис», срок — 20 мая.")
    act(executor, qtbot, Action.SUBMIT_FOR_APPROVAL)
    qtbot.waitUntil(lambda: platform_item(world, item_id).status is Status.ON_APPROVAL, timeout=20_000)

    # Head: approve in one click; the platform sends the answer.
    synced(head, qtbot)
    show_queue(head, QueueId.APPROVAL)
    head.panel.select_item(item_id)
    act(head, qtbot, Action.APPROVE)
    qtbot.waitUntil(lambda: platform_item(world, item_id).status is Status.ANSWERED, timeout=20_000)
    answer = platform_item(world, item_id).answer
    assert answer is not None
    assert answer.text == "Тротуар отремонтируют в мае. Подрядчик — МУП «Дорсервис», срок — 20 мая."

    # Every window shows the item answered after its next sync.
    for window in (coordinator, executor, head):
        synced(window, qtbot)
        show_queue(window, QueueId.ALL)
        window.panel.select_item(item_id)
        assert window.card.item is not None and window.card.item.status is Status.ANSWERED
        assert window.card.status.text() == "Ответ отправлен"
        assert window.card.answer_group.title() == "Ответ заявителю (отправлен)"
        assert window.card.editor.plain_text() == answer.text and window.card.editor.text.isReadOnly()
    actions = [h.action for h in platform_item(world, item_id).history]
    assert actions == ["received", "route_to_executor", "save_draft", "submit_for_approval",
                       "return_for_revision", "submit_for_approval", "approve"]
    assert head.card.chain.current == 2  # executor → head, both done
    assert Qt.Orientation.Vertical == head.card.content.orientation()
