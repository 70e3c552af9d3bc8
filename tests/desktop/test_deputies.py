"""Deputies: naming one for an absence, and the deputy working on the absent colleague's items in their own queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from desktop.card.history import delivered_for
from desktop.deputies.dialog import DeputyDialog
from offline_cache.contract.models import FaultConfig
from offline_cache.domain.model import Action, Status
from offline_cache.queues import Filters, QueueId
from tests.desktop.actions_world import show_queue
from tests.desktop.conftest import WindowFactory
from tests.desktop.templates_world import acknowledge_checks
from tests.desktop.user_actions import type_text
from tests.world import World, absent


def absent_now(world: World, member: str, deputy: str) -> None:
    """``member`` away since yesterday (by the platform's clock) with ``deputy`` covering."""
    world.platform.store.put_staff(absent(member, deputy, world.clock.now() - timedelta(days=1)))


def test_an_official_names_a_deputy_for_an_absence(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    window = open_window("c-exec1")
    window.actions_controller.deputy_action.trigger()
    dialog = window.actions_controller.dialog
    assert isinstance(dialog, DeputyDialog)
    dialog.deputy.setCurrentIndex(dialog.deputy.findData("c-exec2"))
    dialog.reason.setCurrentIndex(dialog.reason.findData("болезнь"))
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.ok.click()
    member = world.platform.store.staff()["c-exec1"]
    assert member.deputy_id == "c-exec2" and member.absence is not None
    assert member.absence.reason == "болезнь"
    zone = ZoneInfo("Asia/Yekaterinburg")  # org c's zone: the days are the organisation's days
    first = world.clock.now().astimezone(zone).date()
    assert member.absence.starts_at.astimezone(zone).replace(tzinfo=None) == datetime(first.year, first.month,
                                                                                      first.day)
    assert (member.absence.ends_at - member.absence.starts_at) == timedelta(days=14)


def test_the_deputy_works_on_the_absent_colleagues_items_in_a_separate_queue(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    coord = world.client("c-coord")
    theirs = []
    for text in ("Фонарь", "Лавочка"):
        item = world.inject(text=text)
        theirs.append(coord.act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"}).id)
    own = world.inject(text="Своё")
    coord.act(own.id, Action.ROUTE_TO_EXECUTOR, own.version, {"executor_id": "c-exec2"})
    absent_now(world, "c-exec1", "c-exec2")
    window = open_window("c-exec2")
    assert QueueId.DEPUTISING in window.queues
    assert window.counts[QueueId.DEPUTISING] == 2
    show_queue(window, QueueId.DEPUTISING)
    assert {window.model.item_id(r) for r in range(window.model.rowCount())} == set(theirs)
    # The queue is read with indexes, not by walking every cached item.
    where, params = window.query.where(QueueId.DEPUTISING, Filters(), world.clock.now())
    plan = [str(row[-1]) for row in window.session.reader.db.execute(
        f"EXPLAIN QUERY PLAN SELECT i.id FROM items i WHERE {where} ORDER BY i.due_key, i.id LIMIT 200", params)]
    assert not any(step.startswith("SCAN") for step in plan), plan
    assert any("items_assignee_due_key" in step for step in plan), plan

    window.panel.select_item(theirs[0])
    assert Action.SUBMIT_FOR_APPROVAL in window.actions_controller.bar.visible_actions()
    type_text(window.card.editor.text, "Ответ за коллегу")
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        window.actions_controller.bar.buttons[Action.SUBMIT_FOR_APPROVAL].click()
        assert "too_short" in acknowledge_checks(window, qtbot)  # checks before submit (issue 11)
    qtbot.waitUntil(lambda: world.platform.store.get_item(theirs[0]).status is Status.ON_APPROVAL,  # type: ignore[union-attr]
                    timeout=20_000)
    done = world.platform.store.get_item(theirs[0])
    assert done is not None and done.history[-1].actor_id == "c-exec2"
    with qtbot.waitSignal(window.session.worker.bridge.statusChanged, timeout=15_000,
                          check_params_cb=lambda status, _m: status == "idle"):
        window.session.worker.sync_now()
    show_queue(window, QueueId.ALL)
    window.panel.select_item(theirs[0])
    assert window.card.history.item(0).text().endswith("Сотрудник c-exec2 за Сотрудник c-exec1")


def test_a_deputys_queued_action_says_for_whom_until_and_after_delivery(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item = world.inject(org_id="v", text="Руководитель в отпуске")
    coord = world.client("v-coord")
    item = coord.act(item.id, Action.TAKE_INTO_WORK, item.version)
    item = coord.act(item.id, Action.SUBMIT_FOR_APPROVAL, item.version, {"text": "Ответ поселения"})
    absent_now(world, "v-head", "v-coord")
    window = open_window("v-coord")
    show_queue(window, QueueId.DEPUTISING)
    window.panel.select_item(item.id)
    world.server.faults.configure(FaultConfig(drop_rate=1.0))  # the network is down: the approval waits
    try:
        with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
            window.actions_controller.bar.buttons[Action.APPROVE].click()
        show_queue(window, QueueId.ALL)
        window.panel.select_item(item.id)
        assert window.card.pending.text().startswith("«Утвердить» за Сотрудник v-head ожидает отправки")
    finally:
        world.server.faults.configure(FaultConfig())
    qtbot.waitUntil(lambda: world.platform.store.get_item(item.id).status is Status.ANSWERED,  # type: ignore[union-attr]
                    timeout=60_000)
    with qtbot.waitSignal(window.session.worker.bridge.statusChanged, timeout=30_000,
                          check_params_cb=lambda status, _m: status == "idle"):
        window.session.worker.sync_now()
    window.panel.select_item(item.id)
    assert window.card.history.item(0).text().endswith("Сотрудник v-coord за Сотрудник v-head")
    assert delivered_for(window.session.reader, item.id) == {("v-coord", "approve"): "v-head"}
