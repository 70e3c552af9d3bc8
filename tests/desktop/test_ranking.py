"""The ranking window: offered by role, computed from the cache on the worker, sorted by every figure, charted."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.ranking import window as ranking_window
from desktop.ranking.chart import BAR_COLOUR, Bar, BarChart, nice_maximum
from desktop.ranking.model import FIGURE_COLUMNS, FIRST_FIGURE, RankingModel, ValueRole
from desktop.ranking.window import RankingWindow, open_ranking
from offline_cache.contract.models import FaultConfig
from offline_cache.domain.model import OrgLevel
from offline_cache.ranking import FIGURES, Figure, OrgFigures, Period, compute, ordered
from tests.desktop.conftest import WindowFactory
from tests.world import World

ROWS = [
    OrgFigures("c", "Администрация города", OrgLevel.MUNICIPALITY, "r", received=8, answered=4, answered_in_time=3,
               average_hours=270.0, rated=2, average_rating=3.5, reprocessed=1),
    OrgFigures("v", "Администрация поселения", OrgLevel.SETTLEMENT, "c", received=3, answered=4, answered_in_time=3,
               average_hours=84.0, rated=2, average_rating=2.5, reprocessed=1),
    OrgFigures("b", "Администрация Березовска", OrgLevel.MUNICIPALITY, "r", received=2, answered=2,
               answered_in_time=2, average_hours=24.0, rated=1, average_rating=5.0, reprocessed=0),
    OrgFigures("y", "Администрация Ясного", OrgLevel.SETTLEMENT, "b"),
]


def _ranking(window: MainWindow, qtbot: QtBot) -> RankingWindow:
    action = window.ranking_action
    assert action is not None and action.shortcut().toString() == "Ctrl+Alt+R"
    menu = window.menuBar().findChild(QMenu, "reportsMenu")
    assert isinstance(menu, QMenu) and action in menu.actions()
    action.trigger()
    ranking = window.findChild(RankingWindow)
    assert isinstance(ranking, RankingWindow)
    qtbot.waitUntil(lambda: ranking.status.text().startswith("Период"), timeout=20_000)
    return ranking


def test_curator_ranks_the_subordinates_from_the_cache(world: World, open_window: WindowFactory,
                                                        qtbot: QtBot) -> None:
    for org_id, n in (("c", 3), ("v", 1)):
        for _ in range(n):
            world.inject(org_id)
    window = open_window("r-cur")
    ranking = _ranking(window, qtbot)
    by_id = {r.org_id: r for r in ranking.model.rows}
    assert set(by_id) == {"c", "v"}  # the region's own items are not ranked
    assert (by_id["c"].received, by_id["v"].received) >= (3, 1)
    # a period with nothing: every organisation without figures, received 0
    with qtbot.waitSignal(ranking.computed, timeout=20_000):
        ranking.months.setCurrentIndex(11)
    assert [r.received for r in ranking.model.rows] == [0, 0]
    assert all(text.startswith(f"• {FIGURES[f].title}") for f, text in
               zip(FIGURE_COLUMNS, ranking.definitions.text().splitlines(), strict=True))


@pytest.mark.parametrize("figure", list(Figure))
def test_sorting_by_each_column(world: World, open_window: WindowFactory, qtbot: QtBot, figure: Figure) -> None:
    window = open_window("r-cur")
    ranking = _ranking(window, qtbot)
    ranking.model.set_rows(ROWS)
    column = FIRST_FIGURE + FIGURE_COLUMNS.index(figure)
    header = ranking.table.horizontalHeader()
    for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder):
        ranking.table.sortByColumn(column, order)
        descending = order == Qt.SortOrder.DescendingOrder
        assert ranking.model.rows == ordered(ROWS, figure, descending)
        assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (column, order)
        assert ranking.figures.currentText() == FIGURES[figure].title  # the chart follows the table
        shown = [ranking.model.index(n, column).data(ValueRole) for n in range(len(ROWS))]
        assert shown == [r.value(figure) for r in ranking.model.rows]
        assert [b.label for b in ranking.chart.bars] == [r.name for r in ranking.model.rows]
    ranking.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # the name is no figure: the order stays
    assert ranking.model.rows == ordered(ROWS, figure, False)


def test_choosing_a_figure_orders_best_first(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    ranking = _ranking(open_window("r-cur"), qtbot)
    ranking.model.set_rows(ROWS)
    ranking.figures.setCurrentIndex(FIGURE_COLUMNS.index(Figure.AVERAGE_HOURS))
    assert [r.org_id for r in ranking.model.rows] == ["b", "v", "c", "y"]  # fastest first, no answers last
    assert ranking.table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    assert ranking.model.index(0, 0).data() == "1" and ranking.model.index(3, 0).data() == "—"


def test_regional_coordinator_gets_the_platforms_figures_then_the_kept_ones_offline(
        world: World, open_window: WindowFactory, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    for org_id, n in (("c", 2), ("v", 1)):
        for _ in range(n):
            world.inject(org_id)
    window = open_window("r-coord")
    spied: list[str] = []
    monkeypatch.setattr(ranking_window, "compute", lambda *a: spied.append("cache") or [])
    assert window.ranking_action is not None
    window.ranking_action.trigger()
    ranking = window.findChild(RankingWindow)
    assert isinstance(ranking, RankingWindow) and ranking.from_platform
    assert window.findChild(QMessageBox, "rankingRefusal") is None
    qtbot.waitUntil(lambda: ranking.status.text().startswith("Период"), timeout=20_000)
    assert {r.org_id: r.received for r in ranking.model.rows} == {"c": 2, "v": 1}
    assert spied == [], "a regional coordinator's cache is not asked: it holds too little"
    # 09:00 UTC on the world's clock is 12:00 in Moscow, the region's zone
    assert ranking.banner.text() == "По данным платформы на 10.03.2026 12:00 (UTC+3)"
    assert ranking.banner.isVisible()

    world.inject("v")  # offline the window shows what it fetched, not the platform's news
    world.server.faults.configure(FaultConfig(drop_rate=1.0))
    try:
        with qtbot.waitSignal(ranking.computed, timeout=20_000):
            ranking.refresh()
        assert {r.org_id: r.received for r in ranking.model.rows} == {"c": 2, "v": 1}
        assert ranking.banner.text().startswith("Нет связи с платформой")
        assert "показаны сохранённые показатели — по данным платформы на 10.03.2026 12:00 (UTC+3)" in \
            ranking.banner.text()
        # a period never fetched: nothing to show, and the reason in Russian
        with qtbot.waitSignal(ranking.failed, timeout=20_000) as blocker:
            ranking.months.setCurrentIndex(5)
        assert "сохранённых показателей за этот период нет" in blocker.args[0]
        assert ranking.model.rowCount() == 0 and ranking.banner.text() == blocker.args[0]
    finally:
        world.server.faults.configure(FaultConfig())
    with qtbot.waitSignal(ranking.computed, timeout=20_000):
        ranking.months.setCurrentIndex(0)
    assert {r.org_id: r.received for r in ranking.model.rows} == {"c": 2, "v": 2}
    assert ranking.banner.text().startswith("По данным платформы")


def test_computed_offline_on_the_worker_thread(world: World, open_window: WindowFactory, qtbot: QtBot,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    world.inject("v")
    window = open_window("r-cur")
    threads: list[str] = []

    def spy(conn: Any, orgs: Any, period: Period) -> list[OrgFigures]:
        threads.append(threading.current_thread().name)
        return compute(conn, orgs, period)

    monkeypatch.setattr(ranking_window, "compute", spy)
    world.server.faults.configure(FaultConfig(drop_rate=1.0))  # the network is down: the cache still answers
    try:
        ranking = _ranking(window, qtbot)
        assert {r.org_id: r.received for r in ranking.model.rows}["v"] >= 1
    finally:
        world.server.faults.configure(FaultConfig())
    assert threads and set(threads) == {"posdesk-sync"}  # never the UI thread


def test_not_offered_to_other_roles(world: World, open_window: WindowFactory) -> None:
    window = open_window("c-exec1")
    assert window.ranking_action is None
    assert open_ranking(window) is None


def test_model_passes_qtmodeltester(qtmodeltester: object) -> None:
    model = RankingModel()
    model.set_rows(ROWS)
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]
    model.sort(FIRST_FIGURE, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]


def test_chart_bars_are_proportional(qtbot: QtBot) -> None:
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(700, 260)
    values = [8.0, 3.0, 2.0, None, 0.0]
    chart.set_bars([Bar(f"Организация {n}", v, "—" if v is None else f"{v:g}") for n, v in enumerate(values)],
                   "Сообщений, шт.")
    chart.show()
    rects = chart.bar_rects()
    assert rects[3] is None and rects[4] is not None and rects[4].width() == 0
    full = chart.plot_area().width()
    assert chart.axis_maximum() == 10  # the round number above 8
    for value, rect in zip(values, rects, strict=True):
        if value is not None and rect is not None:
            assert rect.width() == pytest.approx(full * value / 10)
            assert rect.left() == chart.plot_area().left()  # a common zero
    tops = [r.top() for r in rects if r is not None]
    assert tops == sorted(tops)  # the table's order, top to bottom
    image = chart.grab().toImage()
    assert not image.isNull() and image.width() >= 700
    first = rects[0]
    assert first is not None
    assert QColor(image.pixel(int(first.center().x()), int(first.center().y()))) == BAR_COLOUR
    assert [nice_maximum(v) for v in (0, 0.7, 3, 12, 250, 1000)] == [1, 1, 5, 20, 250, 1000]


def test_chart_of_shares_ends_at_one(qtbot: QtBot) -> None:
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(600, 200)
    chart.set_bars([Bar("А", 0.5, "50 %"), Bar("Б", 0.25, "25 %")], "Доля", "{:.0%}", maximum=1.0)
    rects = chart.bar_rects()
    assert rects[0] is not None and rects[0].width() == pytest.approx(chart.plot_area().width() / 2)
