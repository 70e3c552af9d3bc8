"""Coordinator and executor actions through their dialogs: 13 rejection grounds, redirect, interim, stop."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from desktop.dialogs.orgs import RedirectDialog
from desktop.dialogs.reject import RejectDialog
from desktop.dialogs.staff import StaffPickerDialog
from offline_cache.contract.models import Item
from offline_cache.domain.model import Action, DraftKind, Status
from offline_cache.queues import QueueId
from tests.desktop.actions_world import answered_in_c, seen, show_queue, spawned
from tests.desktop.conftest import WindowFactory
from tests.desktop.templates_world import acknowledge_checks
from tests.desktop.user_actions import type_text
from tests.world import World, absent


def platform_item(world: World, item_id: str) -> Item:
    item = world.platform.store.get_item(item_id)
    assert item is not None
    return item


def test_rejection_with_each_of_the_13_grounds(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    grounds = sorted(world.platform.rejection_grounds(), key=lambda g: g.number)
    assert len(grounds) == 13
    items = [world.inject(text=f"Сообщение для отклонения {n}") for n in range(13)]
    window = open_window("c-coord")
    show_queue(window, QueueId.ROUTING)
    controller = window.actions_controller
    for n, (item, ground) in enumerate(zip(items, grounds, strict=True)):
        window.panel.select_item(item.id)
        controller.bar.buttons[Action.REJECT].click()
        dialog = controller.dialog
        assert isinstance(dialog, RejectDialog) and dialog.ground.count() == 13
        dialog.select(ground.code)
        assert dialog.text.toPlainText() == ground.text  # prefilled with the ground's wording
        if n == 4:  # edited before sending, and the edit is what the applicant gets
            dialog.text.moveCursor(dialog.text.textCursor().MoveOperation.End)
            type_text(dialog.text, " Опишите каждую проблему отдельно.")
        with qtbot.waitSignal(controller.performed, timeout=15_000):
            dialog.ok.click()
    for n, (item, ground) in enumerate(zip(items, grounds, strict=True)):
        qtbot.waitUntil(lambda i=item.id: platform_item(world, i).status is Status.REJECTED, timeout=20_000)
        rejection = platform_item(world, item.id).rejection
        assert rejection is not None and rejection.ground_code == ground.code
        wording = ground.text + (" Опишите каждую проблему отдельно." if n == 4 else "")
        assert rejection.comment == wording
    show_queue(window, QueueId.ALL)
    window.panel.select_item(items[4].id)  # the card says what the applicant was told
    assert window.card.outcome_box.isVisibleTo(window)
    assert window.card.outcome_box.text().startswith(f"Отклонено по основанию «5. {grounds[4].title}»")
    assert window.card.outcome_box.text().endswith("Опишите каждую проблему отдельно.")


def test_redirect_through_the_organisation_tree_with_a_mandatory_reason(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item = world.inject(text="Вопрос поселения")
    window = open_window("c-coord")
    window.panel.select_item(item.id)
    controller = window.actions_controller
    controller.bar.buttons[Action.REDIRECT].click()
    dialog = controller.dialog
    assert isinstance(dialog, RedirectDialog)
    type_text(dialog.search, "поселен")
    assert dialog.org_id() == "v"
    assert not dialog.ok.isEnabled()  # no reason yet
    type_text(dialog.reason, "Дорога относится к поселению")
    assert dialog.ok.isEnabled()
    with qtbot.waitSignal(controller.performed, timeout=15_000):
        dialog.ok.click()
    qtbot.waitUntil(lambda: platform_item(world, item.id).status is Status.REDIRECTED, timeout=20_000)
    assert platform_item(world, item.id).redirected_to_org_id == "v"


def test_interim_answer_with_a_planned_date(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item = world.inject(text="Когда починят?")
    item = world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
    window = open_window("c-exec1")
    window.panel.select_item(item.id)
    editor = window.card.editor
    assert not editor.text.isReadOnly() and editor.planned.isVisibleTo(window)
    editor.text.setFocus()
    type_text(editor.text, "Ремонт запланирован, ответим по итогам.")
    planned = world.clock.now().date() + timedelta(days=20)  # the platform's clock: the world lives in March 2026
    editor.planned.setDate(QDate(planned.year, planned.month, planned.day))
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        window.actions_controller.bar.buttons[Action.INTERIM_ANSWER].click()
        assert "too_short" in acknowledge_checks(window, qtbot)  # checks before submit (issue 11)
    qtbot.waitUntil(lambda: platform_item(world, item.id).status is Status.ON_APPROVAL, timeout=20_000)
    draft = platform_item(world, item.id).draft
    assert draft is not None and draft.kind is DraftKind.INTERIM and draft.planned_date == planned
    assert draft.text == "Ремонт запланирован, ответим по итогам."


def test_stop_of_reprocessing_by_a_regional_coordinator_only(world: World, open_window: WindowFactory,
                                                             qtbot: QtBot) -> None:
    low = answered_in_c(world, "Плохо ответили", answer="Ответ города")
    world.platform.rate(low.id, 1)
    again = spawned(world, "r-coord", low.id)
    window = open_window("r-coord")
    show_queue(window, QueueId.REPROCESSING)
    window.panel.select_item(again.id)
    # The region's coordinator does not see the city's items: the card says the earlier one is not cached,
    # with what the platform told about it.
    earlier = window.card.earlier_box
    assert earlier.isVisibleTo(window)
    assert "не загружено в кэш" in earlier.text()
    assert "низкая оценка (1)" in earlier.text() and "Администрация города" in earlier.text()
    controller = window.actions_controller
    controller.bar.buttons[Action.STOP_REPROCESSING].click()
    dialog = controller.dialog
    assert dialog is not None and not dialog.ok.isEnabled()  # type: ignore[attr-defined]
    type_text(dialog.comment, "Переписка утратила смысл")  # type: ignore[attr-defined]
    with qtbot.waitSignal(controller.performed, timeout=15_000):
        dialog.ok.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: platform_item(world, again.id).status is Status.CLOSED, timeout=20_000)

    # A municipal coordinator sees re-processing of a settlement's answer, but is not offered the stop.
    v_coord, v_head = world.client("v-coord"), world.client("v-head")
    v_item = world.inject(org_id="v", text="Вопрос поселению")
    v_item = v_coord.act(v_item.id, Action.TAKE_INTO_WORK, v_item.version)
    v_item = v_coord.act(v_item.id, Action.SUBMIT_FOR_APPROVAL, v_item.version, {"text": "Ответ поселения"})
    v_item = v_head.act(v_item.id, Action.APPROVE, v_item.version, seen(v_item))
    world.platform.rate(v_item.id, 2)
    in_c = spawned(world, "c-coord", v_item.id)
    city = open_window("c-coord")
    show_queue(city, QueueId.REPROCESSING)
    city.panel.select_item(in_c.id)
    assert city.card.item is not None and city.card.item.status is Status.REPROCESSING
    offered = city.actions_controller.bar.visible_actions()
    assert Action.REJECT in offered and Action.STOP_REPROCESSING not in offered
    assert not city.actions_controller.actions[Action.STOP_REPROCESSING].isEnabled()


def test_reprocessing_shows_the_earlier_answer_its_rating_and_organisation(
        world: World, open_window: WindowFactory) -> None:
    low = answered_in_c(world, "Плохо ответили", answer="Ответ города по существу")
    world.platform.rate(low.id, 2)
    again = spawned(world, "r-cur", low.id)
    window = open_window("r-cur")  # a regional curator sees the city's items too: the earlier one is cached
    show_queue(window, QueueId.REPROCESSING)
    window.panel.select_item(again.id)
    text = window.card.earlier_box.text()
    assert window.card.earlier_box.isVisibleTo(window)
    assert "Ответ города по существу" in text and "2 из 5" in text and "«Администрация города»" in text


def test_reassign_through_the_picker_shows_load_and_absence_and_return_to_routing(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item = world.inject(text="Переназначить")
    item = world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
    start = world.clock.now() - timedelta(days=1)
    world.platform.store.put_staff(absent("c-exec3", "c-exec2", start))
    window = open_window("c-coord")
    show_queue(window, QueueId.ALL)
    window.panel.select_item(item.id)
    controller = window.actions_controller
    controller.bar.buttons[Action.REASSIGN].click()
    dialog = controller.dialog
    assert isinstance(dialog, StaffPickerDialog)
    lines = [dialog.picker.list.item(n).text() for n in range(dialog.picker.list.count())]
    assert not any("c-exec1" in line for line in lines)  # the current assignee is not offered again
    absent_line = next(line for line in lines if "c-exec3" in line)
    assert "отсутствует до" in absent_line and "(отпуск)" in absent_line
    assert "замещает Сотрудник c-exec2" in absent_line
    assert lines[-1] == absent_line  # the present ones first
    type_text(dialog.picker.filter, "exec2")
    assert dialog.ok.isEnabled()
    with qtbot.waitSignal(controller.performed, timeout=15_000):
        dialog.ok.click()
    qtbot.waitUntil(lambda: platform_item(world, item.id).assignee_id == "c-exec2", timeout=20_000)

    executor = open_window("c-exec2")
    executor.panel.select_item(item.id)
    executor.actions_controller.bar.buttons[Action.RETURN_TO_ROUTING].click()
    back = executor.actions_controller.dialog
    assert back is not None and not back.ok.isEnabled()  # type: ignore[attr-defined]
    type_text(back.comment, "Не мой профиль")  # type: ignore[attr-defined]
    with qtbot.waitSignal(executor.actions_controller.performed, timeout=15_000):
        back.ok.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: platform_item(world, item.id).status is Status.AWAITING_ROUTING, timeout=20_000)
