"""Deadline control in the window: card hovers, the heads' board with click-through, reminders on a fake clock."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from desktop.board.model import BoardModel
from offline_cache.contract.models import CategoryOut, Item, StageTermOut
from offline_cache.control_board import MEASURES, UNASSIGNED, Dimension, Measure, control_board
from offline_cache.domain.deadlines import TermKind
from offline_cache.domain.drafts import draft_digest
from offline_cache.domain.model import Action, ItemKind
from offline_cache.domain.stages import DayKind, Stage
from offline_cache.queues import QueueId
from tests.desktop.conftest import WindowFactory
from tests.world import CATEGORIES, World

ZONE = "Asia/Yekaterinburg"
# Roads in «c»: execution within 2 working days, so its control time comes well before the legal 30 days.
ROADS = CategoryOut(code="roads", name="Дороги", term_kind=TermKind.STANDARD, term_days=30,
                    stage_terms=[StageTermOut(stage=Stage.EXECUTION, days=2, day_kind=DayKind.WORKING)])


@pytest.fixture
def world(world_factory: Callable[..., World]) -> World:
    """The usual world, with tokens that outlive the days its clock moves here."""
    return world_factory(access_ttl=40 * 86400)


def _build(world: World) -> dict[str, Item]:
    """On 10.03 (Tue): snow items (5 days) routed and not; on 15.03 (Sun) a roads item routed, and an appeal."""
    with world.platform.store.transaction():
        world.platform.store.put_categories("c", [ROADS, *CATEGORIES[1:]])
    coord = world.client("c-coord")
    items = {f"snow{n}": world.inject(category="snow", text=f"Снег во дворе {n}") for n in range(4)}
    for key, executor in (("snow0", "c-exec1"), ("snow1", "c-exec1"), ("snow2", "c-exec2")):
        items[key] = coord.act(items[key].id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": executor})
    items["light"] = world.inject(category="light", text="Не горит фонарь")
    world.clock.advance(5 * 86400)  # 15.03 09:00 UTC, 14:00 in UTC+5: the snow items are due tonight
    road = world.inject(category="roads", text="Яма на дороге")
    items["road"] = coord.act(road.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    items["appeal"] = world.inject(kind=ItemKind.APPEAL, text="Обращение о ремонте крыши")
    # c-exec2 answered one roads item in time and has another back for revision.
    cur, head, exec2 = world.client("c-cur"), world.client("c-head"), world.client("c-exec2")
    for key in ("answered", "returned"):
        item = world.inject(category="roads", text=f"Тротуар ({key})")
        item = coord.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec2"})
        item = exec2.act(item.id, Action.SUBMIT_FOR_APPROVAL, item.version, {"text": "Отремонтируем"})
        seen = {"draft_digest": draft_digest(item.draft)}
        if key == "returned":
            items[key] = cur.act(item.id, Action.RETURN_FOR_REVISION, item.version, {"comment": "Сроки?", **seen})
        else:
            item = cur.act(item.id, Action.APPROVE, item.version, seen)
            items[key] = head.act(item.id, Action.APPROVE, item.version, seen)
    return items


def _shots() -> Path | None:
    """Where to save screenshots (POSDESK_SHOTS=docs/screenshots), or None in ordinary runs."""
    folder = os.environ.get("POSDESK_SHOTS")
    return Path(folder) if folder else None


def _save_with_hover(card: QWidget, label: QWidget, below: QWidget, path: Path) -> None:
    """The card with the hover of ``label`` drawn under ``below``, as a tooltip shows it (offscreen has none)."""
    QApplication.processEvents()  # laid out for the item shown
    tip = QLabel(label.toolTip(), card.widget())  # type: ignore[attr-defined]
    tip.setTextFormat(Qt.TextFormat.PlainText)
    tip.setWordWrap(True)
    tip.setStyleSheet("background: palette(tooltip-base); color: palette(tooltip-text); border: 1px solid #888; "
                      "padding: 4px;")
    tip.setFixedWidth(min(460, card.width() - 60))
    tip.adjustSize()
    where = below.mapTo(card.widget(), below.rect().bottomLeft())  # type: ignore[attr-defined]
    tip.move(max(4, min(where.x() - 40, card.width() - tip.width() - 20)), where.y() + 2)
    tip.show()
    QApplication.processEvents()
    card.grab().save(str(path))
    tip.hide()
    tip.deleteLater()


def test_card_shows_each_deadline_with_its_rule(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    items = _build(world)
    window = open_window("c-coord")
    window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
    window.panel.select_item(items["road"].id)
    qtbot.waitUntil(lambda: window.card.item is not None and window.card.item.id == items["road"].id, timeout=20_000)
    card = window.card
    # Routed on Sunday 15.03: Monday and Tuesday are the two working days; the legal term is 30 calendar days.
    assert card.control_due.text().startswith("18.03.2026 00:00 (UTC+5)") and "ближайший" in card.control_due.text()
    assert card.control_due.toolTip() == ("Контрольный срок организации: 2 рабочих дня с 15.03.2026 (начало этапа "
                                          "«исполнение») — до 17.03.2026 включительно (UTC+5)")
    assert card.due.text() == "15.04.2026 00:00 (UTC+5)"
    assert card.due.toolTip().startswith("Срок ответа (регламент ПОС): 30 календарных дней с 15.03.2026 (регистрация)")
    assert "контрольный срок этапа" in card.countdown.text()
    assert card.countdown.toolTip().startswith("Отсчёт идёт до ближайшего срока. Контрольный срок организации")
    assert "Сообщение ПОС" in card.regime.text() and card.redirect_due.isHidden()
    assert card.control_due.textFormat() == Qt.TextFormat.PlainText
    # The queue's countdown runs to the same control time, its hover says so.
    row = window.model.row_of(items["road"].id)
    index = window.model.index(row, 1)
    assert window.model.data(index, Qt.ItemDataRole.ToolTipRole) == card.control_due.toolTip()
    assert window.model.data(index).endswith("⏱")
    folder = _shots()
    if folder is not None:
        _save_with_hover(card, card.control_due, card.countdown, folder / "card-deadlines.png")

    window.panel.select_item(items["appeal"].id)
    qtbot.waitUntil(lambda: window.card.item is not None and window.card.item.id == items["appeal"].id,
                    timeout=20_000)
    assert "Обращение по 59-ФЗ" in card.regime.text() and not card.redirect_due.isHidden()
    assert card.redirect_due.toolTip() == ("Перенаправить по компетенции (59-ФЗ, ст. 8): 7 календарных дней с "
                                           "15.03.2026 (регистрация) — до 22.03.2026 включительно (UTC+5)")
    assert card.redirect_due.text().startswith("23.03.2026 00:00 (UTC+5) · осталось 7 дн")
    if folder is not None:
        _save_with_hover(card, card.redirect_due, card.countdown, folder / "card-deadlines-appeal.png")
    # Awaiting routing: the coordinator's 3 days govern; the answer's own term is still explained.
    assert card.routing_due.toolTip().startswith("Срок распределения [KR 9]: 3 календарных дня с 15.03.2026")
    assert card.due.toolTip().startswith("Срок ответа (59-ФЗ, ст. 12): 30 календарных дней с 15.03.2026")


def test_board_counts_and_click_through(world: World, open_window: WindowFactory, qtbot: QtBot,
                                        qtmodeltester: object) -> None:
    items = _build(world)
    world.clock.advance(12 * 3600)  # 15.03 21:00 UTC, 16.03 02:00 in UTC+5: the snow items are overdue
    window = open_window("c-head")
    assert window.control.action is not None and window.control.action.shortcut().toString() == "Ctrl+Shift+H"
    window.control.action.trigger()
    board = window.control.board
    assert board is not None and board.isVisible()
    for model in board.models.values():
        qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]
    now = world.clock.now()
    expected = control_board(window.session.reader.db.conn, Dimension.EXECUTOR, now, ZONE)
    model = board.models[Dimension.EXECUTOR]
    assert model.rowCount() == len(expected.rows) + 1
    shown = {model.index(r, 0).data(): [int(model.index(r, c).data()) for c in range(1, 7)]
             for r in range(model.rowCount())}
    assert shown["Всего"] == [expected.totals[m] for m in MEASURES]
    assert shown["Сотрудник c-exec1"][MEASURES.index(Measure.OVERDUE)] == 2  # snow0 and snow1
    assert shown["Не назначено"][MEASURES.index(Measure.OVERDUE)] >= 2  # snow3, light's routing term
    assert shown["Сотрудник c-exec2"][MEASURES.index(Measure.RETURNED)] == 1
    assert shown["Сотрудник c-exec2"][MEASURES.index(Measure.ANSWERED_IN_TIME)] == 1
    assert board.as_of.text() == "На 16.03.2026 02:00 (UTC+5)"
    folder = _shots()
    if folder is not None:
        QApplication.processEvents()
        board.grab().save(str(folder / "control-board.png"))

    # A click on c-exec1's overdue count: «Все», narrowed to exactly those items.
    table = board.tables[Dimension.EXECUTOR]
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "Сотрудник c-exec1")
    cell = model.index(row, 1 + MEASURES.index(Measure.OVERDUE))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(cell).center())
    qtbot.waitUntil(lambda: window.model.queue is QueueId.ALL and window.model.filters.narrowing is not None,
                    timeout=20_000)
    assert window.model.total == 2
    assert {window.model.item_id(r) for r in range(2)} == {i.id for i in _items(window, "c-exec1", now)}
    assert window.panel.narrowing_label.isVisible()
    assert window.panel.narrowing_label.text() == "Отбор панели контроля: Сотрудник c-exec1 — просрочено"

    # c-exec2's answer in time this month: opened by the ids the board counted.
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "Сотрудник c-exec2")
    cell = model.index(row, 1 + MEASURES.index(Measure.ANSWERED_IN_TIME))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(cell).center())
    qtbot.waitUntil(lambda: window.panel.narrowing_label.text().endswith("отвечено в срок (месяц)"), timeout=20_000)
    assert window.model.total == 1 and window.model.item_id(0) == items["answered"].id

    # Enter on the totals' open count of the category table.
    board.tabs.setCurrentIndex(1)
    table = board.tables[Dimension.CATEGORY]
    categories = board.models[Dimension.CATEGORY]
    table.setFocus()
    table.setCurrentIndex(categories.index(categories.rowCount() - 1, 1 + MEASURES.index(Measure.OPEN)))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    total_open = control_board(window.session.reader.db.conn, Dimension.CATEGORY, now, ZONE).totals[Measure.OPEN]
    qtbot.waitUntil(lambda: window.model.total == total_open, timeout=20_000)
    assert window.panel.narrowing_label.text() == "Отбор панели контроля: Всего — в работе"
    window.panel.clear_narrowing.click()
    assert window.model.filters.narrowing is None and not window.panel.narrowing_label.isVisible()
    assert window.model.total == window.session.reader.item_count()

    # A sync brings a new item: the open board counts it once the pass ends.
    executors = board.models[Dimension.EXECUTOR]
    assert executors.board is not None
    before = executors.board.totals[Measure.OPEN]
    world.inject(category="roads", text="Новая яма")
    window.session.worker.sync_now()
    qtbot.waitUntil(lambda: executors.board is not None and executors.board.totals[Measure.OPEN] == before + 1,
                    timeout=20_000)


def _items(window: object, executor: str, now: datetime) -> list[Item]:
    reader = window.session.reader  # type: ignore[attr-defined]
    found = [reader.item(str(r[0])) for r in reader.db.execute(
        "SELECT id FROM items WHERE assignee_id = ? AND active_due_at <= ?", [executor, now.isoformat()])]
    return [i for i in found if i is not None]


def test_board_is_offered_to_heads_and_curators_only(world: World, open_window: WindowFactory) -> None:
    assert open_window("c-exec1").control.action is None
    assert open_window("c-cur").control.action is not None


def test_reminders_summary_each_morning_and_notices_at_control_and_legal_times(
        world: World, open_window: WindowFactory, qtbot: QtBot, qtmodeltester: object) -> None:
    items = _build(world)
    window = open_window("c-exec1")
    log = window.control.log
    qtbot.waitUntil(lambda: log.rowCount() >= 1, timeout=20_000)
    qtmodeltester.check(log, force_py=True)  # type: ignore[attr-defined]
    first = log.notices[0]
    # 15.03 14:00 in UTC+5: snow0 and snow1 end tonight at 24:00, nothing overdue yet.
    assert (first.kind, first.title, first.text) == ("summary", "Сроки на 15.03.2026",
                                                     "Ваши сообщения: Сегодня срок у 2, просроченных нет")
    assert "Сроки на 15.03.2026" in window.statusBar().currentMessage()
    assert window.control.summary.text() == "Сегодня срок у 2, просроченных нет"

    def at(moment: datetime) -> list[tuple[str, str]]:
        world.clock.advance((moment - world.clock.now()).total_seconds())
        before = log.rowCount()
        window.control.tick()
        return [(n.kind, n.text) for n in log.notices[before:]]

    snow = sorted(items[k].number for k in ("snow0", "snow1"))
    # Their legal time (00:00 on 16.03 local) passes: one notice each, once.
    assert sorted(at(datetime(2026, 3, 15, 19, 1, tzinfo=UTC))) == [("legal", f"№ {n}") for n in snow]
    assert at(datetime(2026, 3, 15, 19, 30, tzinfo=UTC)) == []
    # The next morning (09:00 local): the day's summary, once.
    assert at(datetime(2026, 3, 16, 4, 5, tzinfo=UTC)) == [
        ("summary", "Ваши сообщения: Сегодня сроков нет, просрочено 2")]
    assert at(datetime(2026, 3, 16, 6, 0, tzinfo=UTC)) == []
    # The status bar's figures are counted in the background after each minute's check.
    qtbot.waitUntil(lambda: window.control.summary.text() == "Сегодня сроков нет, просрочено 2", timeout=20_000)
    # The roads item's stage control time (00:00 on 18.03 local), long before its legal one.
    assert at(datetime(2026, 3, 17, 19, 0, tzinfo=UTC) + timedelta(minutes=1)) == [
        ("control", f"№ {items['road'].number}")]
    assert log.data(log.index(log.rowCount() - 1), Qt.ItemDataRole.DisplayRole) == \
        f"Контрольный срок этапа наступил: № {items['road'].number}"
    assert not log.index(0).parent().isValid() and log.rowCount(QModelIndex()) == len(log.notices)
    assert UNASSIGNED == "" and BoardModel is not None
