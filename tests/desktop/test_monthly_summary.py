"""«Итоги месяца» in a real window over the training platform: figures, the measure, exports, the reminder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.reports.models import MEASURE_COLUMN
from desktop.reports.window import MonthlySummaryWindow
from desktop.session import Session, training_session
from offline_cache.contract.models import FaultConfig
from offline_cache.report_records import measures_for
from tests.desktop.conftest import WindowFactory
from tests.offline_cache.test_reports import MONTH
from tests.world import PASSWORD, World

MARCH = date(2026, 3, 1)


class FakeClock:
    """The window's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def head(world: World, qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[MainWindow, FakeClock]]:
    """The head of «c» on 2.04.2026 01:00 in Yekaterinburg (20:00 UTC on 1.04), with March's items cached."""
    clock = FakeClock(datetime(2026, 4, 1, 20, 0, tzinfo=UTC))
    session = training_session(world.url, "c-head", PASSWORD)
    window = MainWindow(session, clock=clock, settings=QSettings(str(tmp_path / "h.ini"), QSettings.Format.IniFormat))
    window.show()
    with qtbot.waitSignal(session.worker.bridge.statusChanged, timeout=20_000,
                          check_params_cb=lambda status, _m: status == "idle"):
        session.worker.sync_now()
    _cache_month(qtbot, session)
    yield window, clock
    window.close()
    session.close()


def _cache_month(qtbot: QtBot, session: Session) -> None:
    """March's hand-computed items (tests.offline_cache.test_reports) into the session's cache, on the worker."""
    with qtbot.waitSignal(session.worker.bridge.writeFinished, timeout=20_000,
                          check_params_cb=lambda _r, _res, error: error == ""):
        session.worker.run_write(lambda cache: cache.apply_page(MONTH, cache.cursor))


def _opened(qtbot: QtBot, window: MainWindow) -> MonthlySummaryWindow:
    QTest.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.reports is not None and window.reports.summary is not None
    summary = window.reports.summary
    qtbot.waitUntil(lambda: summary.report is not None and summary.report.summary.month == MARCH, timeout=20_000)
    return summary


def test_the_head_sees_march_records_a_measure_and_exports(head: tuple[MainWindow, FakeClock], world: World,
                                                           qtbot: QtBot, qtmodeltester: object, tmp_path: Path) -> None:
    window, _clock = head
    world.server.faults.configure(FaultConfig(drop_rate=1.0))  # offline: all of it works from the cache
    assert window.reports is not None
    assert window.reports.action.shortcut().toString() == "Ctrl+Shift+S"
    # 2.04 in Yekaterinburg: March's summary is due by the 3rd and not exported yet
    assert window.reports.reminder.isVisible()
    assert "март 2026" in window.reports.reminder_text.text() and "03.04.2026" in window.reports.reminder_text.text()

    summary = _opened(qtbot, window)  # opens on the month being reported
    assert summary.selected_month == MARCH and summary.month_title.text() == "март 2026"
    qtmodeltester.check(summary.figures, force_py=True)  # type: ignore[attr-defined]
    qtmodeltester.check(summary.overdue, force_py=True)  # type: ignore[attr-defined]
    shown = {summary.figures.index(r, 0).data(): summary.figures.index(r, 1).data()
             for r in range(summary.figures.rowCount())}
    assert shown["Поступило"] == "8"
    assert (shown["Отвечено в срок"], shown["Отвечено с нарушением срока"]) == ("3", "1")
    assert shown["Средняя оценка"] == "3,50 балл"
    assert shown["90-й процентиль времени ответа"] == "768,0 ч"
    assert "ближайшего ранга" in summary.figures.index(
        list(shown).index("90-й процентиль времени ответа"), 0).data(Qt.ItemDataRole.ToolTipRole)
    overdue = summary.overdue
    assert [overdue.index(r, 0).data() for r in range(overdue.rowCount())] == ["2026-G", "2026-B"]
    assert overdue.index(0, 2).data() == "не отвечено"
    assert overdue.headerData(1, Qt.Orientation.Horizontal) == "Срок (UTC+5)"

    # the head types the measure into G's row: recorded on the worker
    cell = overdue.index(0, MEASURE_COLUMN)
    assert overdue.flags(cell) & Qt.ItemFlag.ItemIsEditable
    with qtbot.waitSignal(summary.measureSaved, timeout=20_000) as saved:
        assert overdue.setData(cell, "Замечание исполнителю")
    assert saved.args == ["G", ""]
    recorded = measures_for(window.session.reader.db.conn, ["G"])
    assert recorded["G"].measure == "Замечание исполнителю" and recorded["G"].recorded_by == "c-head"

    xlsx, pdf = tmp_path / "март.xlsx", tmp_path / "март.pdf"
    with qtbot.waitSignal(summary.exported, timeout=30_000) as done:
        summary.export_to(str(xlsx), "xlsx")
    assert done.args == [str(xlsx), ""]
    rows = list(load_workbook(xlsx)["Просроченные"].iter_rows(values_only=True))
    assert rows[1][0] == "2026-G" and rows[1][4] == "Замечание исполнителю"
    qtbot.waitUntil(lambda: not window.reports.reminder.isVisible(), timeout=5_000)  # exported: no reminder
    with qtbot.waitSignal(summary.exported, timeout=30_000):
        summary.export_to(str(pdf), "pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Итоги месяца: март 2026" in text and "Замечание исполнителю" in text

    # another month: PgUp goes to February
    QTest.keyClick(summary, Qt.Key.Key_PageUp)
    qtbot.waitUntil(lambda: summary.report is not None and summary.report.summary.month == date(2026, 2, 1),
                    timeout=20_000)
    # POSDESK_SHOTS=docs/screenshots keeps the picture for the docs (otherwise it goes to the test's folder)
    shot = Path(os.environ.get("POSDESK_SHOTS", str(tmp_path))) / "monthly-summary.png"
    summary.set_month(MARCH)
    qtbot.waitUntil(lambda: summary.report is not None and summary.report.summary.month == MARCH, timeout=20_000)
    summary.resize(1240, 560)
    qtbot.wait(100)
    assert summary.grab().save(str(shot))

    with qtbot.waitSignal(summary.exported, timeout=30_000) as failed:
        summary.export_to(str(tmp_path / "нет папки" / "март.pdf"), "pdf")
    assert "Не удаётся записать файл" in failed.args[1] and "Не удаётся записать" in summary.outcome.text()


def test_the_reminder_window_on_the_organisations_calendar(head: tuple[MainWindow, FakeClock], qtbot: QtBot,
                                                            tmp_path: Path) -> None:
    window, clock = head
    assert window.reports is not None
    window.resize(1400, 860)
    qtbot.wait(100)
    shot = Path(os.environ.get("POSDESK_SHOTS", str(tmp_path))) / "monthly-summary-reminder.png"
    assert window.grab().save(str(shot))  # the reminder's banner above the queue
    for now, shown in ((datetime(2026, 3, 31, 18, 59, tzinfo=UTC), False),  # 31.03 23:59 in Yekaterinburg
                       (datetime(2026, 3, 31, 19, 0, tzinfo=UTC), True),  # 1.04 00:00
                       (datetime(2026, 4, 3, 18, 59, tzinfo=UTC), True),  # 3.04 23:59
                       (datetime(2026, 4, 3, 19, 0, tzinfo=UTC), False)):  # 4.04 00:00: the 3rd has passed
        clock.now = now
        window.reports.check_reminder()
        assert window.reports.reminder.isVisibleTo(window) is shown, now


def test_only_heads_and_curators_are_offered_the_summary(world: World, open_window: WindowFactory,
                                                         qtbot: QtBot) -> None:
    executor = open_window("c-exec1")
    assert executor.reports is None
    assert executor.findChild(type(executor.menuBar()), "reportsMenu") is None
    curator = open_window("c-cur")
    assert curator.reports is not None
    summary = curator.reports.open()
    qtbot.waitUntil(lambda: summary.report is not None, timeout=20_000)
    # the curator sees the organisation and those below it, and reads measures without recording them
    assert [summary.org.itemData(i) for i in range(summary.org.count())] == ["c", "v"]
    assert not summary.may_record_measures and not summary.overdue.editable
    summary.org.setCurrentIndex(1)
    qtbot.waitUntil(lambda: summary.report is not None and summary.report.summary.org_id == "v", timeout=20_000)
    assert summary.report is not None and summary.report.org_name == "Администрация поселения"
