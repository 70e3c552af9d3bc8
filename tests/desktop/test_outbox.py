"""«Исходящие»: what waits and why; cancel before delivery; a refused action corrected and re-sent, another
discarded after a confirmation; nothing disappears silently."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.outbox.model import COLUMNS
from desktop.outbox.view import OutboxWindow
from offline_cache.contract.models import FaultConfig
from offline_cache.domain.model import Action, Role, Status
from offline_cache.domain.staff import StaffMember
from tests.desktop.conftest import WindowFactory
from tests.desktop.test_offline_round_trip import act, sync
from tests.world import World


def open_outbox(window: MainWindow, qtbot: QtBot) -> OutboxWindow:
    window.offline.actions["outbox"].trigger()  # «Сеанс → Исходящие…», Ctrl+Shift+O
    outbox = window.offline.outbox_window
    assert outbox is not None
    qtbot.waitUntil(outbox.isVisible, timeout=5_000)
    return outbox


def set_roles(world: World, staff_id: str, *roles: Role) -> None:
    """The platform's administrator changes a member's roles (the workstation learns at its next directory refresh)."""
    store = world.platform.store
    with store.transaction():
        store.put_staff(StaffMember(staff_id, "c", f"Сотрудник {staff_id}", frozenset(roles)))


def cell(outbox: OutboxWindow, row: int, column: str) -> str:
    return str(outbox.model.index(row, COLUMNS.index(column)).data())


def test_pending_actions_are_listed_and_one_is_cancelled_with_its_change_rolled_back(
        world: World, open_window: WindowFactory, qtbot: QtBot, qtmodeltester: object) -> None:
    first, second = world.inject(), world.inject()
    window = open_window("c-coord")
    world.server.faults.configure(FaultConfig(drop_rate=1.0))  # nothing gets through for now
    act(qtbot, window, first.id, Action.TAKE_INTO_WORK, {"comment": "беру себе"})
    act(qtbot, window, second.id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
    assert window.session.reader.item(first.id).status is Status.IN_WORK  # type: ignore[union-attr]
    outbox = open_outbox(window, qtbot)
    qtmodeltester.check(outbox.model, force_py=True)  # type: ignore[attr-defined]
    assert outbox.model.rowCount() == 2
    assert [cell(outbox, r, "action") for r in range(2)] == ["Взять в работу", "Назначить исполнителя"]
    assert [cell(outbox, r, "number") for r in range(2)] == [first.number, second.number]
    assert {cell(outbox, r, "state") for r in range(2)} <= {"Ожидает отправки", "Отправляется"}
    assert "(UTC+5)" in cell(outbox, 0, "queued") and cell(outbox, 0, "who") == "я"
    assert "беру себе" in outbox.details.toPlainText()

    outbox.table.selectRow(0)
    qtbot.waitUntil(outbox.cancel_button.isEnabled, timeout=10_000)  # pending again between retries
    assert not outbox.fix_button.isEnabled() and not outbox.discard_button.isEnabled()
    with qtbot.waitSignal(window.session.worker.bridge.outboxOpFinished, timeout=15_000) as done:
        qtbot.mouseClick(outbox.cancel_button, Qt.MouseButton.LeftButton)
    assert done.args[1] == ""
    qtbot.waitUntil(lambda: outbox.model.rowCount() == 1, timeout=10_000)
    shown = window.session.reader.item(first.id)
    assert shown is not None and shown.status is Status.AWAITING_ROUTING  # the optimistic change is undone
    outbox.show_finished.setChecked(True)
    assert cell(outbox, outbox.model.row_of(done.args[0]), "state") == "Отменено"

    world.server.faults.configure(FaultConfig())
    sync(qtbot, window)
    server_first = world.platform.store.get_item(first.id)
    assert server_first is not None and server_first.status is Status.AWAITING_ROUTING
    assert Action.TAKE_INTO_WORK not in [h.action for h in server_first.history]
    server_second = world.platform.store.get_item(second.id)
    assert server_second is not None and server_second.assignee_id == "c-exec1"


def test_an_invalid_action_shows_the_platforms_reason_and_is_corrected_and_resent(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item = world.inject()
    world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    window = open_window("c-exec1")
    reader = window.session.reader
    tomorrow = (world.clock.now() + timedelta(days=1)).date().isoformat()
    # Queued while the platform is unreachable; by the time it is back, «tomorrow» has passed there (422).
    world.server.faults.configure(FaultConfig(drop_rate=1.0))
    act(qtbot, window, item.id, Action.INTERIM_ANSWER, {"text": "Ответим после проверки", "planned_date": tomorrow})
    world.clock.advance(11 * 3600)  # past midnight in Yekaterinburg, within the 12-hour session
    world.server.faults.configure(FaultConfig())
    sync(qtbot, window)
    qtbot.waitUntil(lambda: reader.outbox_counts()["failed"] == 1, timeout=30_000)
    outbox = open_outbox(window, qtbot)
    assert cell(outbox, 0, "state") == "Отклонено платформой"
    reason = cell(outbox, 0, "reason")
    assert "планируемая дата решения должна быть в будущем" in reason
    window.offline.show_item(item.id)
    qtbot.waitUntil(lambda: "платформа отказала" in window.card.pending.text(), timeout=10_000)
    assert reason in window.card.pending.text()  # the card says why, too

    # Correct it: the reason on top, the text and the date editable; «Отправить снова».
    outbox.table.selectRow(0)
    assert outbox.fix_button.isEnabled() and not outbox.cancel_button.isEnabled()
    qtbot.mouseClick(outbox.fix_button, Qt.MouseButton.LeftButton)
    dialog = outbox.resend_dialog
    assert dialog is not None and dialog.isVisible()
    assert reason in dialog.reason.text()
    assert dialog.fields["text"].toPlainText() == "Ответим после проверки"
    assert dialog.planned is not None
    dialog.planned.setDate(dialog.planned.date().addDays(20))
    dialog.fields["text"].setPlainText("Ответим после проверки подрядчиком")
    with qtbot.waitSignal(window.session.worker.bridge.outboxOpFinished, timeout=15_000) as done:
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert done.args[1] == ""
    sync(qtbot, window)
    server = world.platform.store.get_item(item.id)
    assert server is not None and server.status is Status.ON_APPROVAL
    assert server.draft is not None and server.draft.text == "Ответим после проверки подрядчиком"
    assert server.draft.planned_date is not None and server.draft.planned_date.isoformat() > tomorrow
    qtbot.waitUntil(lambda: outbox.model.rowCount() == 0, timeout=10_000)
    outbox.show_finished.setChecked(True)
    finished = sorted(cell(outbox, r, "state") for r in range(outbox.model.rowCount()))
    assert finished == ["Доставлено", "Заменено или разрешено"]


def test_a_forbidden_action_shows_the_reason_and_is_discarded_after_a_confirmation(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item = world.inject()
    window = open_window("c-coord")
    reader = window.session.reader
    # 403: meanwhile the administrator took the coordinator's role away on the platform.
    set_roles(world, "c-coord", Role.EXECUTOR)
    act(qtbot, window, item.id, Action.TAKE_INTO_WORK, {})
    qtbot.waitUntil(lambda: reader.outbox_counts()["failed"] == 1, timeout=30_000)
    outbox = open_outbox(window, qtbot)
    assert cell(outbox, 0, "state") == "Отклонено платформой"
    assert cell(outbox, 0, "reason"), "the platform's reason is shown"
    outbox.table.selectRow(0)
    entry = outbox.model.entry(0)
    assert entry is not None and entry.item_id == item.id
    # Discarding is explicit: a confirmation first, and «Оставить» keeps it.
    qtbot.mouseClick(outbox.discard_button, Qt.MouseButton.LeftButton)
    box = outbox.confirm
    assert box is not None and box.isVisible()
    assert item.number in box.text()
    keep = next(b for b in box.buttons() if b.text() == "Оставить")
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    assert reader.outbox_entry(entry.id).state == "failed"  # type: ignore[union-attr]
    qtbot.mouseClick(outbox.discard_button, Qt.MouseButton.LeftButton)
    box = outbox.confirm
    assert box is not None
    drop = next(b for b in box.buttons() if b.text() == "Отказаться")
    with qtbot.waitSignal(window.session.worker.bridge.outboxOpFinished, timeout=15_000) as done:
        qtbot.mouseClick(drop, Qt.MouseButton.LeftButton)
    assert done.args[1] == ""
    qtbot.waitUntil(lambda: outbox.model.rowCount() == 0, timeout=10_000)
    outbox.show_finished.setChecked(True)
    assert cell(outbox, outbox.model.row_of(entry.id), "state") == "Отброшено"  # listed, not gone
    server = world.platform.store.get_item(item.id)
    assert server is not None and server.status is Status.AWAITING_ROUTING
