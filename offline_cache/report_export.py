"""The monthly summary as a document: its figures, the overdue list with measures, how each figure is computed;
exported to XLSX (openpyxl) and PDF (reportlab, DejaVu Sans for Cyrillic) from the cache alone (offline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from offline_cache.report_records import Measure, measures_for
from offline_cache.reports import MonthlySummary, OverdueItem, monthly_summary
from offline_cache.resources import resources_dir

MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
          "ноябрь", "декабрь")

#: How each figure is computed, in the words of the report (offline_cache.reports says the same in code).
NOTES: tuple[tuple[str, str], ...] = (
    ("Месяц", "Календарный месяц по часовому поясу организации: с 00:00 первого числа до 00:00 первого числа "
              "следующего месяца."),
    ("Поступило", "Сообщения организации, поступившие в этом месяце (дата поступления)."),
    ("Отвечено в срок / с нарушением срока", "Сообщения, на которые в этом месяце отправлен ответ; каждое "
     "считается один раз, по последнему ответу месяца. В срок — ответ раньше установленного срока (с учётом "
     "продления); иначе — с нарушением. Ответ в следующем месяце не меняет итоги этого."),
    ("Отклонено", "Сообщения, отклонённые в этом месяце, по основаниям отклонения."),
    ("Перенаправлено", "Сообщения, перенаправленные в этом месяце в другую организацию."),
    ("Промежуточные ответы", "Сообщения, по которым в этом месяце дан промежуточный ответ."),
    ("Повторно после низкой оценки", "Сообщения, которые заявитель оценил в этом месяце на 1 или 2 балла: "
     "платформа направляет их на повторное рассмотрение."),
    ("Среднее время ответа", "Часы от регистрации до ответа, в среднем по сообщениям, отвеченным в этом месяце."),
    ("90-й процентиль времени ответа", "Наименьшее время, не больше которого отвечено не менее 90 % сообщений "
     "месяца (метод ближайшего ранга)."),
    ("Средняя оценка", "Среднее из оценок заявителей (1–5), поставленных в этом месяце."),
    ("Просроченные", "Сообщения, отвеченные в этом месяце с нарушением срока, и ещё не отвеченные, срок "
     "которых истёк до конца месяца; мера — дисциплинарная мера, записанная руководителем."),
)


@dataclass(frozen=True, slots=True)
class Figure:
    """One line of the figures table: a label, the value (None: no data that month) and how to show it."""

    label: str
    value: int | float | None
    unit: str = ""  # "" for counts, "ч" for hours, "балл" for the rating

    @property
    def text(self) -> str:
        if self.value is None:
            return "—"
        if isinstance(self.value, int):
            return str(self.value)
        number = f"{self.value:.2f}" if self.unit == "балл" else f"{self.value:.1f}"
        return number.replace(".", ",") + (f" {self.unit}" if self.unit else "")


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    """Everything the document shows: the summary, the organisation, its zone, measures and ground names."""

    summary: MonthlySummary
    org_name: str
    zone: str
    measures: dict[str, Measure]
    ground_names: dict[str, str]
    generated_at: datetime

    @property
    def title(self) -> str:
        return f"Итоги месяца: {month_name(self.summary.month)} — {self.org_name}"

    def figures(self) -> list[Figure]:
        s = self.summary
        rows = [Figure("Поступило", s.received), Figure("Отвечено в срок", s.answered_in_time),
                Figure("Отвечено с нарушением срока", s.answered_late),
                Figure("Отклонено, всего", sum(s.rejected_by_ground.values()))]
        rows += [Figure(f"  по основанию «{self.ground_names.get(code, code or 'не указано')}»", n)
                 for code, n in s.rejected_by_ground.items()]
        rows += [Figure("Перенаправлено", s.redirected), Figure("Промежуточные ответы", s.interim_answers),
                 Figure("Повторно после низкой оценки", s.reprocessed_after_low_rating),
                 Figure("Среднее время ответа", s.average_hours_to_answer, "ч"),
                 Figure("90-й процентиль времени ответа", s.p90_hours_to_answer, "ч"),
                 Figure("Средняя оценка", s.average_rating, "балл"),
                 Figure("Просроченные", len(s.overdue))]
        return rows

    def local(self, stored: str | None) -> str:
        """A stored UTC moment as «10.03.2026 14:00» in the organisation's zone ("" for None)."""
        if stored is None:
            return ""
        return datetime.fromisoformat(stored).astimezone(ZoneInfo(self.zone)).strftime("%d.%m.%Y %H:%M")

    @property
    def zone_label(self) -> str:
        offset = self.generated_at.astimezone(ZoneInfo(self.zone)).utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        hours, rest = divmod(abs(minutes), 60)
        return f"UTC{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")

    def overdue_rows(self) -> list[tuple[str, str, str, str, str]]:
        """Number, deadline, answer («не отвечено»), executor, measure — times in the organisation's zone."""
        return [(o.number, self.local(o.due_at), self.local(o.answered_at) or "не отвечено", o.assignee_name,
                 self.measure_of(o)) for o in self.summary.overdue]

    def measure_of(self, item: OverdueItem) -> str:
        m = self.measures.get(item.item_id)
        return m.measure if m else ""


class ExportFailed(Exception):
    """The file could not be written; ``message`` says why in Russian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def export(report: MonthlyReport, path: Path | str, fmt: str) -> None:
    """Write ``report`` as ``fmt`` ("xlsx" or "pdf") to ``path``; a file that cannot be written is ExportFailed."""
    writers = {"xlsx": export_xlsx, "pdf": export_pdf}
    if fmt not in writers:
        raise ExportFailed(f"Неизвестный формат: {fmt}")
    try:
        writers[fmt](report, path)
    except OSError as exc:
        raise ExportFailed(f"Не удаётся записать файл {path}: {exc.strerror or exc}") from exc


OVERDUE_HEADER = ("Номер", "Срок", "Ответ", "Исполнитель", "Дисциплинарная мера")


def month_name(month: date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def build_report(conn: Any, org_id: str, org_name: str, month: date, zone: str, now: datetime) -> MonthlyReport:
    """The month's summary of ``org_id`` with its measures and ground names, all from the cache."""
    summary = monthly_summary(conn, org_id, month, zone, now)
    measures = measures_for(conn, [o.item_id for o in summary.overdue])
    names = {str(code): str(title) for code, title in conn.execute("SELECT code, title FROM rejection_grounds")}
    return MonthlyReport(summary, org_name, zone, measures, names, now)


def _header(report: MonthlyReport) -> list[str]:
    return [report.title, f"Время — по часовому поясу организации ({report.zone}, {report.zone_label}). "
            f"Сформировано {report.local(report.generated_at.isoformat())} из локального кэша."]


# --- XLSX ---------------------------------------------------------------------------------------


def export_xlsx(report: MonthlyReport, path: Path | str) -> None:
    """Three sheets: «Итоги» (figures as numbers), «Просроченные» (with measures), «Как считается»."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Итоги"
    title, note = _header(report)
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([note])
    sheet.append([])
    sheet.append(["Показатель", "Значение", "Единица"])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for fig in report.figures():
        sheet.append([fig.label, fig.value if fig.value is not None else "—", fig.unit])
        if isinstance(fig.value, float):
            sheet.cell(sheet.max_row, 2).number_format = "0.00" if fig.unit == "балл" else "0.0"
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 14

    overdue = book.create_sheet("Просроченные")
    overdue.append(list(OVERDUE_HEADER))
    for cell in overdue[1]:
        cell.font = Font(bold=True)
    for row in report.overdue_rows():
        overdue.append(list(row))
        for cell in overdue[overdue.max_row]:
            # openpyxl takes text starting with «=» for a formula: a measure is text, whatever it starts with.
            if cell.data_type == "f":
                cell.data_type = "s"
    for col, width in zip("ABCDE", (16, 18, 18, 28, 50), strict=True):
        overdue.column_dimensions[col].width = width

    notes = book.create_sheet("Как считается")
    notes.append(["Показатель", "Как считается"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for label, text in NOTES:
        notes.append([label, text])
        notes.cell(notes.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    notes.column_dimensions["A"].width = 36
    notes.column_dimensions["B"].width = 100
    book.save(str(path))


# --- PDF ----------------------------------------------------------------------------------------

_FONT, _BOLD = "DejaVuSans", "DejaVuSans-Bold"


def _register_fonts() -> None:
    # reportlab's built-in fonts have no Cyrillic: the bundled DejaVu Sans is registered once.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        fonts = resources_dir() / "fonts"
        pdfmetrics.registerFont(TTFont(_FONT, str(fonts / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))


def export_pdf(report: MonthlyReport, path: Path | str) -> None:
    """A4: the title, the figures, the overdue list with measures, and how each figure is computed."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    body = ParagraphStyle("body", fontName=_FONT, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    heading = ParagraphStyle("heading", parent=body, fontName=_BOLD, fontSize=12, leading=16, spaceBefore=6,
                             spaceAfter=4)
    title = ParagraphStyle("title", parent=heading, fontSize=15, leading=19)

    def text(value: str, style: ParagraphStyle = body) -> Paragraph:
        # Citizens' and officials' text is plain text: escaped, never markup.
        return Paragraph(value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style)

    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7"))])
    head, note = _header(report)
    story: list[Any] = [text(head, title), text(note, small), Spacer(1, 4 * mm), text("Показатели", heading)]
    figures = [[text("Показатель", body), text("Значение", body)]]
    figures += [[text(f.label), text(f.text)] for f in report.figures()]
    story.append(Table(figures, colWidths=[110 * mm, 50 * mm], style=grid, repeatRows=1))
    story.append(text("Просроченные сообщения и дисциплинарные меры", heading))
    rows = report.overdue_rows()
    if rows:
        table = [[text(h, small) for h in OVERDUE_HEADER]]
        table += [[text(v, small) for v in row] for row in rows]
        story.append(Table(table, colWidths=[24 * mm, 26 * mm, 26 * mm, 36 * mm, 58 * mm], style=grid,
                           repeatRows=1))
    else:
        story.append(text("Просроченных сообщений нет."))
    story.append(text("Как считается", heading))
    for label, explanation in NOTES:
        story.append(text(f"{label}. {explanation}", small))
        story.append(Spacer(1, 1.5 * mm))
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=report.title, author="POS Desk")
    doc.build(story)
