"""Refusals say why, in Russian, in the card: at once when the domain table refuses, later when the platform does."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from offline_cache.domain.model import Action
from offline_cache.queues import QueueId
from tests.desktop.actions_world import show_queue
from tests.desktop.conftest import WindowFactory
from tests.desktop.user_actions import type_text
from tests.world import World


def test_a_local_refusal_is_shown_in_the_card(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item = world.inject(text="Пустой ответ")
    world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
    window = open_window("c-exec1")
    show_queue(window, QueueId.MY_WORK)
    window.panel.select_item(item.id)
    assert window.card.editor.plain_text() == ""
    with qtbot.waitSignal(window.actions_controller.refused, timeout=15_000):
        window.actions_controller.bar.buttons[Action.SUBMIT_FOR_APPROVAL].click()
    assert window.card.item is not None and window.card.item.id == item.id  # a refusal does not move on
    assert window.card.refusal.isVisibleTo(window)
    assert window.card.refusal.text() == "«На утверждение» не выполнено: проект ответа пуст"
    assert window.session.reader.outbox_counts()["pending"] == 0  # nothing was queued


def test_a_platform_refusal_is_shown_in_the_card(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item = world.inject(text="Переназначат")
    coord = world.client("c-coord")
    item = coord.act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
    window = open_window("c-exec1")
    window.panel.select_item(item.id)
    coord.act(item.id, Action.REASSIGN, item.version, {"executor_id": "c-exec2"})  # while the window is behind
    type_text(window.card.editor.text, "Мой черновик")
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        window.actions_controller.bar.buttons[Action.SAVE_DRAFT].click()
    reader = window.session.reader
    qtbot.waitUntil(lambda: reader.outbox_counts()["failed"] + reader.outbox_counts()["conflict"] == 1,
                    timeout=20_000)
    show_queue(window, QueueId.ALL)  # the item left «Мне на исполнение» with the platform's version
    window.panel.select_item(item.id)
    notice = window.card.pending
    assert notice.isVisibleTo(window)
    assert notice.text().startswith("«Сохранить черновик» не выполнено")
