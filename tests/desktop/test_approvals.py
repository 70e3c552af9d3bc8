"""Approval: the organisation's chain with the current step, message and draft side by side, the head's edit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from offline_cache.domain.model import Action, Status
from offline_cache.queues import QueueId
from tests.desktop.actions_world import show_queue
from tests.desktop.conftest import WindowFactory
from tests.desktop.user_actions import type_text
from tests.world import World


def submitted_in_c(world: World, text: str) -> str:
    item = world.inject(text=text)
    item = world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
    item = world.client("c-exec1").act(item.id, Action.SUBMIT_FOR_APPROVAL, item.version, {"text": "Проект ответа"})
    return item.id


def test_the_chain_is_followed_and_shown_curator_then_head(world: World, open_window: WindowFactory,
                                                           qtbot: QtBot) -> None:
    item_id = submitted_in_c(world, "Две ступени")
    curator, head = open_window("c-cur"), open_window("c-head")
    show_queue(head, QueueId.APPROVAL)
    assert head.model.row_of(item_id) < 0  # the curator's step first: not in the head's queue yet
    show_queue(curator, QueueId.APPROVAL)
    curator.panel.select_item(item_id)
    chain = curator.card.chain
    assert [s.text() for s in chain.steps] == ["Исполнитель", "Куратор", "Руководитель"]
    assert chain.current == 1 and "#1565c0" in chain.steps[1].styleSheet()
    assert curator.card.content.orientation() is Qt.Orientation.Horizontal
    assert curator.card.editor.plain_text() == "Проект ответа" and curator.card.text.toPlainText() == "Две ступени"
    with qtbot.waitSignal(curator.actions_controller.performed, timeout=15_000):
        curator.actions_controller.bar.buttons[Action.APPROVE].click()
    qtbot.waitUntil(lambda: world.platform.store.get_item(item_id).approval_step == 1,  # type: ignore[union-attr]
                    timeout=20_000)

    def head_has_it() -> bool:
        # A pass already under way may end before the curator's approval reached the feed: ask again
        # until the head's cache holds the item at its step (what F5 would do).
        head.session.worker.sync_now()
        cached = head.session.reader.server_item(item_id)
        return cached is not None and cached.approval_step == 1

    qtbot.waitUntil(head_has_it, timeout=20_000)
    head._refresh_now()
    assert head.model.row_of(item_id) >= 0
    head.panel.select_item(item_id)
    assert head.card.chain.current == 2 and "#2e7d32" in head.card.chain.steps[1].styleSheet()  # curator done


def test_the_head_edits_the_draft_before_approving(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item = world.inject(org_id="v", text="Правка руководителя")
    coord = world.client("v-coord")
    item = coord.act(item.id, Action.TAKE_INTO_WORK, item.version)
    item = coord.act(item.id, Action.SUBMIT_FOR_APPROVAL, item.version, {"text": "Ответ исполнителя"})
    window = open_window("v-head")
    show_queue(window, QueueId.APPROVAL)
    window.panel.select_item(item.id)
    editor = window.card.editor
    assert not editor.text.isReadOnly()
    editor.text.moveCursor(editor.text.textCursor().MoveOperation.End)
    type_text(editor.text, " Уточнение руководителя.")
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        window.actions_controller.bar.buttons[Action.APPROVE].click()
    qtbot.waitUntil(lambda: world.platform.store.get_item(item.id).status is Status.ANSWERED,  # type: ignore[union-attr]
                    timeout=20_000)
    answered = world.platform.store.get_item(item.id)
    assert answered is not None and answered.answer is not None
    assert answered.answer.text == "Ответ исполнителя Уточнение руководителя."
    assert answered.history[-1].actor_id == "v-head"


def test_a_heads_edit_survives_a_refresh_and_a_look_at_another_item(world: World, open_window: WindowFactory,
                                                                    qtbot: QtBot) -> None:
    first, second = submitted_in_c(world, "Первое"), submitted_in_c(world, "Второе")
    window = open_window("c-cur")
    show_queue(window, QueueId.APPROVAL)
    window.panel.select_item(first)
    editor = window.card.editor
    editor.text.moveCursor(editor.text.textCursor().MoveOperation.End)
    type_text(editor.text, " с правкой")
    window.card.show_item(first)  # what a sync touching the item does
    assert editor.plain_text() == "Проект ответа с правкой"
    window.panel.select_item(second)
    assert editor.plain_text() == "Проект ответа" and not editor.is_edited()
    window.panel.select_item(first)
    assert editor.plain_text() == "Проект ответа с правкой" and editor.is_edited()
