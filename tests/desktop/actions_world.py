"""Items of the test world in every workflow status, made through the platform's own API (for the action tests)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QWidget
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from offline_cache.contract.convert import item_to_state, org_to_domain
from offline_cache.contract.models import Item
from offline_cache.domain.model import Action, Status
from offline_cache.domain.staff import make_actor
from offline_cache.domain.workflow import allowed_actions, draft_digest
from offline_cache.queues import QueueId
from tests.world import World


def seen(item: Item, **payload: str) -> dict[str, str]:
    """An approval's or return's payload bound to the draft of ``item`` (as the approver read it)."""
    return {**payload, "draft_digest": draft_digest(item.draft)}


def every_status(world: World) -> dict[str, Item]:
    """One item per status (org c unless named), by key; c's chain is curator → head, v's is head only."""
    coord, exec1, cur, head = (world.client(u) for u in ("c-coord", "c-exec1", "c-cur", "c-head"))
    v_coord, v_head = world.client("v-coord"), world.client("v-head")
    items: dict[str, Item] = {"awaiting": world.inject(text="Нет освещения во дворе")}

    def routed(text: str) -> Item:
        item = world.inject(text=text)
        return coord.act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})

    items["in_work"] = routed("Яма на дороге")
    other = world.inject(text="Сосулька на крыше")
    items["in_work_exec2"] = coord.act(other.id, Action.ROUTE_TO_EXECUTOR, other.version, {"executor_id": "c-exec2"})
    step0 = routed("Сломана скамейка")
    items["approval_0"] = exec1.act(step0.id, Action.SUBMIT_FOR_APPROVAL, step0.version, {"text": "Проект"})
    step1 = routed("Не вывозят мусор")
    step1 = exec1.act(step1.id, Action.SUBMIT_FOR_APPROVAL, step1.version, {"text": "Проект ответа"})
    items["approval_1"] = cur.act(step1.id, Action.APPROVE, step1.version, seen(step1))
    returned = routed("Грязь на улице")
    returned = exec1.act(returned.id, Action.SUBMIT_FOR_APPROVAL, returned.version, {"text": "Черновик"})
    items["returned"] = cur.act(returned.id, Action.RETURN_FOR_REVISION, returned.version,
                                seen(returned, comment="Уточните сроки ремонта и ответственного.\n"
                                                       "Вторая строка замечания."))
    interim = routed("Долгий ремонт")
    interim = exec1.act(interim.id, Action.INTERIM_ANSWER, interim.version,
                        {"text": "Промежуточно", "planned_date": "2026-05-01"})
    interim = cur.act(interim.id, Action.APPROVE, interim.version, seen(interim))
    items["interim"] = head.act(interim.id, Action.APPROVE, interim.version, seen(interim))
    answered = routed("Ответьте")
    answered = exec1.act(answered.id, Action.SUBMIT_FOR_APPROVAL, answered.version, {"text": "Ответ по существу"})
    answered = cur.act(answered.id, Action.APPROVE, answered.version, seen(answered))
    items["answered"] = head.act(answered.id, Action.APPROVE, answered.version, seen(answered))
    rejected = world.inject(text="Реклама")
    ground = world.platform.rejection_grounds()[0].code
    items["rejected"] = coord.act(rejected.id, Action.REJECT, rejected.version,
                                  {"ground_code": ground, "comment": "Отклонено"})
    redirected = world.inject(text="Не наш вопрос")
    items["redirected"] = coord.act(redirected.id, Action.REDIRECT, redirected.version,
                                    {"org_id": "v", "comment": "Компетенция поселения"})
    # A v item answered and rated low comes back to c (v's parent) for re-processing.
    v_item = world.inject(org_id="v", text="Вопрос поселению")
    v_item = v_coord.act(v_item.id, Action.TAKE_INTO_WORK, v_item.version)
    v_item = v_coord.act(v_item.id, Action.SUBMIT_FOR_APPROVAL, v_item.version, {"text": "Ответ поселения"})
    v_item = v_head.act(v_item.id, Action.APPROVE, v_item.version, seen(v_item))
    items["closed"] = world.platform.rate(v_item.id, 1)
    items["reprocessing"] = spawned(world, "c-coord", v_item.id)
    # A c item rated low goes up to the region: only a regional coordinator may stop that.
    low = answered_in_c(world, "Ещё один ответ")
    world.platform.rate(low.id, 2)
    items["reprocessing_r"] = spawned(world, "r-coord", low.id)
    return items


def answered_in_c(world: World, text: str, answer: str = "Ответ по существу") -> Item:
    coord, exec1, cur, head = (world.client(u) for u in ("c-coord", "c-exec1", "c-cur", "c-head"))
    item = world.inject(text=text)
    item = coord.act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
    item = exec1.act(item.id, Action.SUBMIT_FOR_APPROVAL, item.version, {"text": answer})
    item = cur.act(item.id, Action.APPROVE, item.version, seen(item))
    return head.act(item.id, Action.APPROVE, item.version, seen(item))


def spawned(world: World, user: str, parent_id: str) -> Item:
    """The item a low rating of ``parent_id`` opened one level up (found in ``user``'s feed)."""
    client = world.client(user)
    cursor = 0
    while True:
        page = client.feed(cursor, 500)
        for item in page.items:
            if item.parent_id == parent_id:
                return item
        cursor = page.next_cursor
        if not page.has_more:
            raise AssertionError(f"no re-processing item for {parent_id}")


def expected_actions(world: World, user_id: str, item_id: str) -> list[Action]:
    """The domain table's answer, computed from the platform's own records (not the window's cache)."""
    staff = world.platform.store.staff()
    orgs = {o.id: org_to_domain(o) for o in world.platform.organisations()}
    actor = make_actor(staff[user_id], staff.values(), orgs, world.clock.now())
    item = world.platform.store.get_item(item_id)
    assert item is not None
    return allowed_actions(item_to_state(item), actor, orgs)


def show_queue(window: MainWindow, queue: QueueId) -> None:
    window.navigation.setCurrentRow(window.queues.index(queue))


def row_point(window: MainWindow, item_id: str) -> QPoint:
    view: QAbstractItemView = window.panel.table
    row = window.model.row_of(item_id)
    assert row >= 0, f"{item_id} is not in the queue"
    view.scrollTo(window.model.index(row, 0))
    return view.visualRect(window.model.index(row, 0)).center()


def click(qtbot: QtBot, widget: QWidget, at: QPoint | None = None, *, double: bool = False) -> None:
    """One user action: a click (or a double click) on ``widget``."""
    if double:
        qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=at)
    else:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=at)


def statuses_of(items: dict[str, Item]) -> set[Status]:
    return {i.status for i in items.values()}
