"""The disciplinary measure, the XLSX and PDF exports read back, and the reminder window, over a real cache."""

from __future__ import annotations

import inspect
import secrets
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from offline_cache.audit_chain import verify
from offline_cache.domain.workflow import apply_rating
from offline_cache.report_export import ExportFailed, MonthlyReport, build_report, export, export_pdf, export_xlsx
from offline_cache.report_records import (
    MeasureRefused,
    exported,
    measures_for,
    record_export,
    record_measure,
    report_reminder,
)
from offline_cache.reports import RATING_PREFIX
from offline_cache.store.cache import Cache
from tests.offline_cache.test_reports import MONTH, ZONE, _at

MARCH = date(2026, 3, 1)


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    cache = Cache.open(tmp_path / "c.db", secrets.token_bytes(32))
    cache.apply_page(MONTH, 1)
    return cache


def test_the_measure_is_recorded_changed_removed_and_audited(cache: Cache) -> None:
    record_measure(cache, "G", "Замечание исполнителю", "c-head", _at("2026-04-02T05:00"))
    record_measure(cache, "G", "  Выговор  ", "c-head", _at("2026-04-02T06:00"))
    (m,) = measures_for(cache.db.conn, ["G", "B"]).values()
    assert (m.item_id, m.measure, m.recorded_by) == ("G", "Выговор", "c-head")
    lines = cache.db.execute("SELECT event, item_id, details, user_id FROM audit_log "
                             "WHERE event = 'disciplinary_measure' ORDER BY id").fetchall()
    assert lines == [("disciplinary_measure", "G", "Замечание исполнителю", "c-head"),
                     ("disciplinary_measure", "G", "Выговор", "c-head")]
    assert verify(cache.db).intact  # the lines are chained like every other
    assert record_measure(cache, "G", "", "c-head", _at("2026-04-02T07:00")) is None
    assert measures_for(cache.db.conn, ["G"]) == {}


def test_a_measure_is_refused_when_too_long_or_for_an_unknown_item(cache: Cache) -> None:
    with pytest.raises(MeasureRefused, match="слишком длинная"):
        record_measure(cache, "G", "х" * 501, "c-head", _at("2026-04-02T05:00"))
    with pytest.raises(MeasureRefused, match="нет в локальном кэше"):
        record_measure(cache, "nope", "Выговор", "c-head", _at("2026-04-02T05:00"))


def test_the_rating_prefix_is_how_the_domain_words_a_rating() -> None:
    assert f'f"{RATING_PREFIX}{{score}}"' in inspect.getsource(apply_rating)


def _report(cache: Cache) -> MonthlyReport:
    record_measure(cache, "G", "Выговор исполнителю <b>", "c-head", _at("2026-04-02T05:00"))
    return build_report(cache.db.conn, "c", "Администрация г. Светлогорска", MARCH, ZONE, _at("2026-04-02T05:00"))


def test_xlsx_read_back(cache: Cache, tmp_path: Path) -> None:
    report = _report(cache)
    path = tmp_path / "итоги.xlsx"
    export_xlsx(report, path)
    book = load_workbook(path)
    assert book.sheetnames == ["Итоги", "Просроченные", "Как считается"]
    figures = {row[0]: row[1] for row in book["Итоги"].iter_rows(min_row=5, values_only=True)}
    assert book["Итоги"]["A1"].value == "Итоги месяца: март 2026 — Администрация г. Светлогорска"
    assert "Asia/Yekaterinburg, UTC+5" in str(book["Итоги"]["A2"].value)
    assert figures["Поступило"] == 8
    assert (figures["Отвечено в срок"], figures["Отвечено с нарушением срока"]) == (3, 1)
    assert figures["Отклонено, всего"] == 2
    assert figures["Повторно после низкой оценки"] == 1
    assert figures["Среднее время ответа"] == pytest.approx(270.0)
    assert figures["90-й процентиль времени ответа"] == pytest.approx(768.0)
    assert figures["Средняя оценка"] == pytest.approx(3.5)
    assert figures["Просроченные"] == 2
    overdue = list(book["Просроченные"].iter_rows(values_only=True))
    assert overdue[0] == ("Номер", "Срок", "Ответ", "Исполнитель", "Дисциплинарная мера")
    # G: due 3.03 19:00 UTC = 4.03 00:00 in Yekaterinburg, never answered; B answered 14.03 10:00 local
    assert overdue[1] == ("2026-G", "04.03.2026 00:00", "не отвечено", None, "Выговор исполнителю <b>")
    assert overdue[2][:3] == ("2026-B", "13.03.2026 00:00", "14.03.2026 10:00")
    notes = [row[0] for row in book["Как считается"].iter_rows(min_row=2, values_only=True)]
    assert "Средняя оценка" in notes and "Просроченные" in notes


def test_pdf_read_back_with_cyrillic(cache: Cache, tmp_path: Path) -> None:
    report = _report(cache)
    path = tmp_path / "итоги.pdf"
    export_pdf(report, path)
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    flat = " ".join(text.split())
    assert "Итоги месяца: март 2026 — Администрация г. Светлогорска" in flat
    assert "Поступило 8" in flat
    assert "Отвечено с нарушением срока 1" in flat
    assert "Средняя оценка 3,50 балл" in flat
    assert "Выговор исполнителю <b>" in flat  # plain text, not markup
    assert "2026-G" in flat and "не отвечено" in flat
    assert "Как считается" in flat and "метод ближайшего ранга" in flat


@pytest.mark.parametrize(("now", "zone", "due"), [
    # 20:00 UTC on 31.03: already 1.04 08:00 in Kamchatka (UTC+12), still 31.03 22:00 in Kaliningrad (UTC+2)
    ("2026-03-31T20:00", "Asia/Kamchatka", MARCH),
    ("2026-03-31T20:00", "Europe/Kaliningrad", None),
    ("2026-04-01T00:00", "Europe/Kaliningrad", MARCH),
    # 13:00 UTC on 3.04: the 3rd is over in Kamchatka (4.04 01:00), not yet in Kaliningrad (3.04 15:00)
    ("2026-04-03T13:00", "Asia/Kamchatka", None),
    ("2026-04-03T13:00", "Europe/Kaliningrad", MARCH),
    ("2026-04-03T21:59", "Europe/Kaliningrad", MARCH),
    ("2026-04-03T22:00", "Europe/Kaliningrad", None),
    # January reminds of December of the year before
    ("2027-01-01T00:00", "Europe/Kaliningrad", date(2026, 12, 1)),
    ("2026-04-15T10:00", "Asia/Kamchatka", None),
])
def test_the_reminder_window(cache: Cache, now: str, zone: str, due: date | None) -> None:
    assert report_reminder(cache.db.conn, "c", zone, _at(now)) == due


def test_the_reminder_stops_once_the_month_is_exported(cache: Cache) -> None:
    now = _at("2026-04-02T05:00")
    assert report_reminder(cache.db.conn, "c", ZONE, now) == MARCH
    record_export(cache, "v", MARCH, "xlsx", now)  # another organisation's export does not count
    assert report_reminder(cache.db.conn, "c", ZONE, now) == MARCH
    record_export(cache, "c", MARCH, "pdf", now)
    assert exported(cache.db.conn, "c", MARCH)
    assert report_reminder(cache.db.conn, "c", ZONE, now) is None


def test_a_file_that_cannot_be_written_says_why(cache: Cache, tmp_path: Path) -> None:
    report = _report(cache)
    for fmt in ("xlsx", "pdf"):
        with pytest.raises(ExportFailed, match="Не удаётся записать файл"):
            export(report, tmp_path / "нет такой папки" / f"итоги.{fmt}", fmt)


def test_a_measure_that_looks_like_a_formula_stays_text(cache: Cache, tmp_path: Path) -> None:
    record_measure(cache, "G", '=HYPERLINK("http://x", "выговор")', "c-head", _at("2026-04-02T05:00"))
    report = build_report(cache.db.conn, "c", "Администрация", MARCH, ZONE, _at("2026-04-02T05:00"))
    export_xlsx(report, tmp_path / "f.xlsx")
    cell = load_workbook(tmp_path / "f.xlsx")["Просроченные"]["E2"]
    assert cell.value == '=HYPERLINK("http://x", "выговор")' and cell.data_type == "s"
