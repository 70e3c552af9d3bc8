"""A head extends an appeal's term from the window: days and a reason in one dialog (59-ФЗ art. 12)."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from desktop.dialogs.comment import ExtendTermDialog
from offline_cache.domain.model import Action, ItemKind
from offline_cache.queues import QueueId
from tests.desktop.actions_world import show_queue
from tests.desktop.conftest import WindowFactory
from tests.world import World


def test_the_head_extends_an_appeals_term_with_days_and_a_reason(world: World, open_window: WindowFactory,
                                                                  qtbot: QtBot) -> None:
    appeal = world.inject(kind=ItemKind.APPEAL, text="Обращение о ремонте подъезда")
    window = open_window("c-head")
    show_queue(window, QueueId.ALL)
    window.panel.select_item(appeal.id)
    assert window.card.item is not None and window.card.item.id == appeal.id
    assert Action.EXTEND_TERM in window.card.offered
    window.actions_controller.trigger(Action.EXTEND_TERM)
    dialog = window.actions_controller.dialog
    assert isinstance(dialog, ExtendTermDialog)
    assert not dialog.ok.isEnabled()  # the reason is required
    dialog.days.setValue(12)
    dialog.comment.setPlainText("Нужен выезд комиссии")
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        dialog.ok.click()

    def extended() -> bool:
        item = world.platform.store.get_item(appeal.id)
        return item is not None and item.due_at == appeal.due_at + timedelta(days=12)

    qtbot.waitUntil(extended, timeout=20_000)
