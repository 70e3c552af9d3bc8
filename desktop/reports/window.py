"""«Итоги месяца»: the monthly summary of an organisation for any month, from the cache (works offline).

The summary is computed on the worker (``run_write``) and arrives by signal; the head records the
disciplinary measure of each overdue item in the table (written on the worker, with an audit line);
XLSX and PDF are written on the worker too, from the cache, and each export is recorded so that the
reminder from the 1st stops.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.reports.models import MEASURE_COLUMN, FiguresModel, OverdueModel
from offline_cache.domain.model import Role
from offline_cache.report_export import NOTES, MonthlyReport, build_report, export, month_name
from offline_cache.report_records import REPORT_DUE_DAY, previous_month, record_export, record_measure
from offline_cache.store.cache import Cache

if TYPE_CHECKING:
    from desktop.session import Session

Clock = Callable[[], datetime]


def _t(text: str) -> str:
    return QCoreApplication.translate("MonthlySummary", text)


def organisations_for(session: Session) -> list[tuple[str, str, str]]:
    """(id, name, zone) whose summary this official may see: a head their own; a curator also the subordinate
    organisations the cache knows (the whole subtree)."""
    me = session.me
    own = (me.organisation.id, me.organisation.name, me.organisation.timezone)
    if Role.CURATOR not in session.roles:
        return [own]
    orgs = session.reader.organisations()
    found, frontier = [own], {own[0]}
    while frontier:
        children = [o for o in orgs if o.parent_id in frontier and o.id not in {f[0] for f in found}]
        found += [(o.id, o.name, o.timezone) for o in sorted(children, key=lambda o: o.name)]
        frontier = {o.id for o in children}
    return found


class MonthlySummaryWindow(QDialog):
    """The month picker, the figures, the overdue list with measures, and the export buttons.

    Signals:
        computed(object): the MonthlyReport shown now (None when it could not be computed).
        measureSaved(str, str): item id and error ("" when the measure is recorded).
        exported(str, str): path and error ("" when the file is written and the export recorded).
    """

    computed = Signal(object)
    measureSaved = Signal(str, str)
    exported = Signal(str, str)

    def __init__(self, session: Session, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monthlySummaryWindow")
        self.setWindowTitle(_t("Итоги месяца"))
        self.session, self._clock = session, clock
        self.report: MonthlyReport | None = None
        self.took_ms = 0.0
        self._requests: dict[str, tuple[str, Any]] = {}  # run_write id → (what, detail)
        self._started = 0.0
        self.orgs = organisations_for(session)
        layout = QVBoxLayout(self)

        pick = QHBoxLayout()
        pick.addWidget(QLabel(_t("Организация:")))
        self.org = QComboBox()
        self.org.setObjectName("summaryOrg")
        for org_id, name, _zone in self.orgs:
            self.org.addItem(name, org_id)
        self.org.setEnabled(len(self.orgs) > 1)
        pick.addWidget(self.org, 1)
        month_label = QLabel(_t("&Месяц:"))
        self.month = QDateEdit()
        self.month.setObjectName("summaryMonth")
        self.month.setDisplayFormat("MM.yyyy")
        self.month.setCalendarPopup(True)
        self.month.setToolTip(_t("Месяц по календарю организации; PgUp / PgDn — соседний месяц"))
        month_label.setBuddy(self.month)
        pick.addWidget(month_label)
        pick.addWidget(self.month)
        self.month_title = QLabel()
        self.month_title.setObjectName("summaryMonthTitle")
        self.month_title.setTextFormat(Qt.TextFormat.PlainText)
        self.month_title.setStyleSheet("font-weight: 600;")
        pick.addWidget(self.month_title)
        layout.addLayout(pick)

        self.state = QLabel()
        self.state.setObjectName("summaryState")
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setWordWrap(True)
        layout.addWidget(self.state)

        self.figures = FiguresModel(self)
        self.figures_view = QTableView()
        self.figures_view.setObjectName("summaryFigures")
        self.figures_view.setModel(self.figures)
        self.figures_view.verticalHeader().hide()
        self.figures_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.figures_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.overdue = OverdueModel(self)
        self.overdue.measureEdited.connect(self.save_measure)
        self.overdue_view = QTableView()
        self.overdue_view.setObjectName("summaryOverdue")
        self.overdue_view.setModel(self.overdue)
        self.overdue_view.verticalHeader().hide()
        self.overdue_view.setAlternatingRowColors(True)
        self.overdue_view.setEditTriggers(QTableView.EditTrigger.DoubleClicked | QTableView.EditTrigger.EditKeyPressed
                                          | QTableView.EditTrigger.AnyKeyPressed)
        header = self.overdue_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MEASURE_COLUMN, QHeaderView.ResizeMode.Stretch)
        overdue_box = QWidget()
        overdue_layout = QVBoxLayout(overdue_box)
        overdue_layout.setContentsMargins(0, 0, 0, 0)
        self.overdue_title = QLabel()
        self.overdue_title.setTextFormat(Qt.TextFormat.PlainText)
        self.overdue_title.setStyleSheet("font-weight: 600;")
        overdue_layout.addWidget(self.overdue_title)
        overdue_layout.addWidget(self.overdue_view, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.figures_view)
        split.addWidget(overdue_box)
        split.setSizes([420, 700])
        layout.addWidget(split, 1)

        buttons = QHBoxLayout()
        self.outcome = QLabel()
        self.outcome.setObjectName("summaryOutcome")
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        self.outcome.setWordWrap(True)
        buttons.addWidget(self.outcome, 1)
        self.buttons: dict[str, QPushButton] = {}
        for name, text, keys, slot in (
                ("refresh", _t("Пересчитать (F5)"), "F5", self.compute),
                ("xlsx", _t("Экспорт в XLSX… (Ctrl+E)"), "Ctrl+E", lambda: self.ask_where("xlsx")),
                ("pdf", _t("Экспорт в PDF… (Ctrl+P)"), "Ctrl+P", lambda: self.ask_where("pdf"))):
            button = QPushButton(text)
            button.setObjectName(f"summary_{name}")
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[name] = button
            action = QAction(self, shortcut=QKeySequence(keys))
            action.triggered.connect(slot)
            self.addAction(action)
        for keys, step in (("PgUp", -1), ("PgDown", 1)):
            action = QAction(self, shortcut=QKeySequence(keys))
            action.triggered.connect(lambda _c=False, s=step: self.month.setDate(self.month.date().addMonths(s)))
            self.addAction(action)
        layout.addLayout(buttons)
        self.dialog: QFileDialog | None = None

        session.worker.bridge.writeFinished.connect(self._written)
        # New data from the platform: say so rather than recompute under a measure being typed.
        session.worker.bridge.itemsChanged.connect(self._items_changed)
        self.org.currentIndexChanged.connect(lambda _i: self.compute())
        self.set_month(self._default_month())
        self.month.dateChanged.connect(lambda _d: self.compute())
        self.resize(1180, 640)

    # --- what is shown ----------------------------------------------------------------------

    def _default_month(self) -> date:
        """The previous month in the first days (the one being reported), else the current one."""
        today = self._clock().astimezone(ZoneInfo(self.zone)).date()
        return previous_month(today) if today.day <= REPORT_DUE_DAY else today.replace(day=1)

    @property
    def org_id(self) -> str:
        return str(self.org.currentData())

    @property
    def zone(self) -> str:
        return self.orgs[max(self.org.currentIndex(), 0)][2]

    @property
    def org_name(self) -> str:
        return self.orgs[max(self.org.currentIndex(), 0)][1]

    @property
    def selected_month(self) -> date:
        d = self.month.date()
        return date(d.year(), d.month(), 1)

    @property
    def may_record_measures(self) -> bool:
        """The head of the organisation records measures; a curator reads them."""
        return Role.HEAD in self.session.roles and self.org_id == self.session.me.organisation.id

    def set_month(self, month: date) -> None:
        """Show ``month`` (its figures follow by signal)."""
        blocked = self.month.blockSignals(True)
        self.month.setDate(QDate(month.year, month.month, 1))
        self.month.blockSignals(blocked)
        self.compute()

    def compute(self) -> str:
        """Compute the selected month's summary on the worker; ``computed`` reports it."""
        org_id, name, zone, month, now = self.org_id, self.org_name, self.zone, self.selected_month, self._clock()
        self.month_title.setText(month_name(month))
        self.state.setText(_t("Считаем итоги за {m} по локальному кэшу…").format(m=month_name(month)))
        self._started = time.perf_counter()
        request = self.session.worker.run_write(
            lambda cache: build_report(cache.db.conn, org_id, name, month, zone, now))
        self._requests[request] = ("compute", (org_id, month))
        return request

    def _show(self, report: MonthlyReport) -> None:
        self.report = report
        self.took_ms = (time.perf_counter() - self._started) * 1000
        self.figures.set_report(report, dict(NOTES))
        self.overdue.set_report(report, editable=self.may_record_measures)
        n = len(report.summary.overdue)
        self.overdue_title.setText(_t("Просроченные: {n}").format(n=n) + (
            _t(" — дважды щёлкните или нажмите F2 в столбце «Дисциплинарная мера», чтобы записать меру")
            if self.may_record_measures and n else ""))
        self.state.setText(_t("Итоги за {m} по локальному кэшу (работает без связи); время — {zone}, {label}. "
                              "Наведите на показатель, чтобы узнать, как он считается.").format(
            m=month_name(report.summary.month), zone=report.zone, label=report.zone_label))
        self.computed.emit(report)

    def _items_changed(self, _ids: list[str]) -> None:
        if self.report is not None and self.isVisible():
            self.state.setText(_t("Кэш обновился после расчёта: нажмите F5, чтобы пересчитать итоги за {m}").format(
                m=month_name(self.report.summary.month)))

    # --- the measure ------------------------------------------------------------------------

    def save_measure(self, item_id: str, text: str) -> None:
        """Record the measure on the worker (with its audit line); ``measureSaved`` reports."""
        user, now = self.session.me.user.id, self._clock()
        request = self.session.worker.run_write(lambda cache: record_measure(cache, item_id, text, user, now))
        self._requests[request] = ("measure", item_id)

    # --- export -----------------------------------------------------------------------------

    def ask_where(self, fmt: str) -> None:
        if self.report is None:
            self.outcome.setText(_t("Итоги ещё считаются: экспорт станет доступен, когда они появятся"))
            return
        month = self.report.summary.month
        suggested = Path.home() / f"итоги-{month.year:04d}-{month.month:02d}.{fmt}"
        title = _t("Экспорт итогов месяца")
        kinds = _t("Книга Excel (*.xlsx)") if fmt == "xlsx" else _t("Документ PDF (*.pdf)")
        dialog = QFileDialog(self, title, str(suggested), kinds)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(fmt)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.fileSelected.connect(lambda path: self.export_to(path, fmt))
        self.dialog = dialog
        dialog.open()

    def export_to(self, path: str, fmt: str) -> str:
        """Write the shown month as ``fmt`` (xlsx/pdf) to ``path`` on the worker; ``exported`` reports."""
        org_id, name, zone, month, now = self.org_id, self.org_name, self.zone, self.selected_month, self._clock()

        def work(cache: Cache) -> str:
            # From the cache as it is now: measures typed a moment ago are in.
            export(build_report(cache.db.conn, org_id, name, month, zone, now), Path(path), fmt)
            record_export(cache, org_id, month, fmt, now)
            return path

        self.outcome.setText(_t("Сохраняем {path}…").format(path=path))
        request = self.session.worker.run_write(work)
        self._requests[request] = ("export", path)
        return request

    # --- results ----------------------------------------------------------------------------

    def _written(self, request: str, result: object, error: str) -> None:
        what, detail = self._requests.pop(request, ("", None))
        if what == "compute":
            if detail != (self.org_id, self.selected_month):
                return  # another month was picked meanwhile: its own result follows
            if error or not isinstance(result, MonthlyReport):
                self.state.setText(_t("Не удалось посчитать итоги: {e}").format(e=error))
                self.computed.emit(None)
            else:
                self._show(result)
        elif what == "measure":
            self.outcome.setText(_t("Мера не записана: {e}").format(e=error) if error
                                 else _t("Мера записана в локальный кэш и в журнал"))
            if error:
                self.compute()  # the table shows what is recorded, not what was refused
            self.measureSaved.emit(str(detail), error)
        elif what == "export":
            self.outcome.setText(_t("Не удалось сохранить: {e}").format(e=error) if error
                                 else _t("Сохранено: {path}").format(path=detail))
            self.exported.emit(str(detail), error)
