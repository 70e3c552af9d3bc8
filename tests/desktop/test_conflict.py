"""A conflict from two officials acting on one item opens a dialog with both versions; every way out keeps the
executor's text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.conflict.dialog import ConflictDialog
from desktop.main_window import MainWindow
from offline_cache.domain.model import Action, Status
from tests.desktop.conftest import WindowFactory
from tests.desktop.test_offline_round_trip import act, sync
from tests.world import World

TEXT = "Яму на ул. Садовой заделают до 1 мая; подрядчик — МБУ «Дорсервис»."


def conflict(world: World, window: MainWindow, qtbot: QtBot, item_id: str) -> ConflictDialog:
    """The executor submits over a stale copy while the coordinator has given the item to a colleague."""
    world.client("c-coord").act(item_id, Action.REASSIGN, 2, {"executor_id": "c-exec2"})
    act(qtbot, window, item_id, Action.SUBMIT_FOR_APPROVAL, {"text": TEXT})  # queued over version 2
    qtbot.waitUntil(lambda: window.offline.outbox_window is not None
                    and window.offline.outbox_window.conflict_dialog is not None
                    and window.offline.outbox_window.conflict_dialog.isVisible(), timeout=30_000)
    outbox = window.offline.outbox_window
    assert outbox is not None and outbox.conflict_dialog is not None
    return outbox.conflict_dialog


@pytest.mark.parametrize("choice", ["reapply", "accept_theirs", "edit"])
def test_a_conflict_resolved_each_way_keeps_the_executors_text(world: World, open_window: WindowFactory,
                                                               qtbot: QtBot, choice: str) -> None:
    item = world.inject()
    world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    window = open_window("c-exec1")
    dialog = conflict(world, window, qtbot, item.id)
    outbox = window.offline.outbox_window
    assert outbox is not None
    # Both versions side by side: my action and text; the platform's status and who holds the item now.
    assert dialog.mine_text.toPlainText() == TEXT
    assert dialog.mine_text.isReadOnly()
    assert "Сообщение изменилось" in dialog.reason.text()
    labels = " ".join(w.text() for w in dialog.findChildren(type(dialog.reason)))
    assert "Сотрудник c-exec2" in labels and "В работе" in labels and "На утверждение" in labels
    entry_id = dialog.entry.id
    reader = window.session.reader

    if choice == "reapply":
        # Re-applying while the colleague holds the item is refused here, with the reason; nothing is lost.
        with qtbot.waitSignal(window.session.worker.bridge.outboxOpFinished, timeout=15_000) as refused:
            qtbot.mouseClick(dialog.reapply, Qt.MouseButton.LeftButton)
        assert refused.args[1], "the refusal says why"
        qtbot.waitUntil(lambda: outbox.outcome.text() == refused.args[1], timeout=5_000)
        assert reader.outbox_entry(entry_id).state == "conflict"  # type: ignore[union-attr]
        # The coordinator gives it back; after a sync, re-applying mine on the current version goes through.
        world.client("c-coord").act(item.id, Action.REASSIGN, 3, {"executor_id": "c-exec1"})
        sync(qtbot, window)
        outbox.select_entry(entry_id)
        qtbot.mouseClick(outbox.resolve_button, Qt.MouseButton.LeftButton)
        again = outbox.conflict_dialog
        assert again is not None and again is not dialog and again.isVisible()
        with qtbot.waitSignal(window.session.worker.bridge.outboxOpFinished, timeout=15_000) as done:
            qtbot.mouseClick(again.reapply, Qt.MouseButton.LeftButton)
        assert done.args[1] == ""
        sync(qtbot, window)
        server = world.platform.store.get_item(item.id)
        assert server is not None and server.status is Status.ON_APPROVAL
        assert server.draft is not None and server.draft.text == TEXT
        assert [h.action for h in server.history].count(Action.SUBMIT_FOR_APPROVAL) == 1
    else:
        button = dialog.accept_theirs if choice == "accept_theirs" else dialog.edit
        with qtbot.waitSignal(window.session.worker.bridge.outboxOpFinished, timeout=15_000) as done:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert done.args[1] == ""
        draft = reader.local_draft(item.id)
        assert draft is not None and draft.text == TEXT  # my text kept as the item's local draft
        server = world.platform.store.get_item(item.id)
        assert server is not None and server.assignee_id == "c-exec2" and server.draft is None
        if choice == "edit":
            assert window.card.item is not None and window.card.item.id == item.id  # opened to rework it
    # The entry did not vanish: it is listed among the finished ones with what became of it.
    qtbot.waitUntil(lambda: outbox.model.row_of(entry_id) < 0, timeout=10_000)
    outbox.show_finished.setChecked(True)
    row = outbox.model.row_of(entry_id)
    assert row >= 0 and outbox.model.index(row, 0).data() == "Заменено или разрешено"
