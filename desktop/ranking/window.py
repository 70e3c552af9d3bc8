"""The ranking window: a period, the subordinate organisations' figures as a sortable table, and a bar chart.

For a curator the figures come from the encrypted cache on the worker thread (``SyncWorker.run_write``), so the
window works offline and never blocks on 100,000 items. A regional coordinator's cache holds too little, so the
platform computes them (``SyncWorker.run_online``, aggregates only); the last answer per period is kept and shown
offline with the moment it was computed. Either way the result arrives by signal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.ranking.chart import Bar, BarChart
from desktop.ranking.model import FIGURE_COLUMNS, FIRST_FIGURE, RankingModel, figure_text
from offline_cache import platform_ranking
from offline_cache.client import PlatformClient
from offline_cache.contract.models import OrganisationOut
from offline_cache.ranking import FIGURES, Figure, OrgFigures, Period, access, compute, subordinates
from offline_cache.store.cache import Cache

if TYPE_CHECKING:
    from desktop.main_window import MainWindow
    from desktop.session import Session

SHORTCUT = "Ctrl+Alt+R"
MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь",
          "декабрь")
SHARES = (Figure.IN_TIME_SHARE, Figure.REPROCESSED_SHARE)


def _t(text: str) -> str:
    return QCoreApplication.translate("RankingWindow", text)


def _month_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


class RankingWindow(QDialog):
    """The ranking of the organisations below the curator's own.

    Signals:
        computed(): the table and the chart show the figures of the period now.
        failed(str): the figures could not be read from the cache (why, in Russian).
    """

    computed = Signal()
    failed = Signal(str)

    def __init__(self, session: Session, orgs: list[OrganisationOut], scope_org_id: str,
                 clock: Callable[[], datetime] | None = None, parent: QWidget | None = None, *,
                 from_platform: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("rankingWindow")
        self.setWindowTitle(_t("Рейтинг подчинённых организаций"))
        self.session = session
        self.below = subordinates(orgs, scope_org_id)
        scope = next((o.name for o in orgs if o.id == scope_org_id), scope_org_id)
        zone = ZoneInfo(session.me.organisation.timezone)
        today = (clock or (lambda: datetime.now(UTC)))().astimezone(zone).date()
        self._request = ""
        self._period: Period | None = None
        self.from_platform = from_platform

        layout = QVBoxLayout(self)
        source = (_t("Показатели рассчитывает платформа и передаёт только итоги, без сообщений граждан; "
                     "последний полученный результат сохраняется и показывается без связи.") if from_platform else
                  _t("Расчёт по локальной копии: работает и без связи, данные — на последнюю синхронизацию."))
        intro = QLabel(_t("Организации, подчинённые «{scope}», на всех уровнях; у каждой — только её собственные "
                          "сообщения. Дни периода — по местному времени каждой организации. {source}").format(
            scope=scope, source=source))
        intro.setTextFormat(Qt.TextFormat.PlainText)  # organisations' names come from the platform
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.banner = QLabel()  # where the platform's figures come from, and when they were computed
        self.banner.setObjectName("rankingBanner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.setVisible(from_platform)
        layout.addWidget(self.banner)

        controls = QHBoxLayout()
        self.months = QComboBox()
        self.months.setObjectName("rankingMonth")
        for back in range(12):
            first = _month_back(today, back)
            self.months.addItem(f"{_t(MONTHS[first.month - 1]).capitalize()} {first.year}", first)
        self.months.addItem(_t("Произвольный период"), None)
        month_label = QLabel(_t("&Период:"))
        month_label.setBuddy(self.months)
        self.first = QDateEdit()
        self.last = QDateEdit()
        for edit, name in ((self.first, "rankingFirst"), (self.last, "rankingLast")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy")
        first_label, last_label = QLabel(_t("&с")), QLabel(_t("п&о"))
        first_label.setBuddy(self.first)
        last_label.setBuddy(self.last)
        self.figures = QComboBox()
        self.figures.setObjectName("rankingFigure")
        for figure in FIGURE_COLUMNS:
            self.figures.addItem(_t(FIGURES[figure].title), figure.value)
        figure_label = QLabel(_t("&Диаграмма и порядок:"))
        figure_label.setBuddy(self.figures)
        self.refresh_button = QPushButton(_t("Пересчитать (F5)"))
        self.refresh_button.setObjectName("rankingRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        refresh = QAction(self, shortcut=QKeySequence("F5"))
        refresh.triggered.connect(self.refresh)
        self.addAction(refresh)
        for widget in (month_label, self.months, first_label, self.first, last_label, self.last):
            controls.addWidget(widget)
        controls.addSpacing(16)
        for widget in (figure_label, self.figures):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.refresh_button)
        layout.addLayout(controls)

        self.model = RankingModel(self)
        self.table = QTableView()
        self.table.setObjectName("rankingTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(self._column(self.model.figure), self.model.sort_order())
        self.table.setSortingEnabled(True)  # clicking a header calls RankingModel.sort: the list re-ordered
        self.chart = BarChart()
        scroll = QScrollArea()
        scroll.setWidget(self.chart)
        scroll.setWidgetResizable(True)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(scroll)
        splitter.setSizes([260, 300])
        layout.addWidget(splitter, 1)

        self.definitions = QLabel("\n".join(f"• {_t(FIGURES[f].title)}: {_t(FIGURES[f].definition)}"
                                            for f in FIGURE_COLUMNS))
        self.definitions.setObjectName("rankingDefinitions")
        self.definitions.setTextFormat(Qt.TextFormat.PlainText)
        self.definitions.setWordWrap(True)
        layout.addWidget(self.definitions)
        self.status = QLabel()
        self.status.setObjectName("rankingStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.status)

        self.model.orderChanged.connect(self._order_changed)
        self.model.modelReset.connect(self._draw)
        self.table.selectionModel().currentRowChanged.connect(lambda row, _old: self.chart.highlight(row.row()))
        self.figures.currentIndexChanged.connect(self._figure_chosen)
        self.months.currentIndexChanged.connect(self._month_chosen)
        # Typing a date fires on each digit: the period is read once the official pauses.
        self._debounce = QTimer(self, singleShot=True, interval=400)
        self._debounce.timeout.connect(self.refresh)
        self.first.dateChanged.connect(self._dates_edited)
        self.last.dateChanged.connect(self._dates_edited)
        session.worker.bridge.writeFinished.connect(self._finished)
        self.figures.setCurrentIndex(FIGURE_COLUMNS.index(self.model.figure))
        self._month_chosen(0)
        self.resize(1100, 760)

    # --- the period -------------------------------------------------------------------------

    def period(self) -> Period:
        return Period(self.first.date().toPython(), self.last.date().toPython())  # type: ignore[arg-type]

    def set_period(self, period: Period) -> None:
        """Show ``period`` (its month in the list when it is one) and compute it."""
        month = Period.month(period.first)
        index = self.months.findData(period.first) if period == month else -1
        self.months.blockSignals(True)
        self.months.setCurrentIndex(index if index >= 0 else self.months.count() - 1)
        self.months.blockSignals(False)
        self._set_dates(period)
        self.refresh()

    def _set_dates(self, period: Period) -> None:
        for edit, day in ((self.first, period.first), (self.last, period.last)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    def _month_chosen(self, index: int) -> None:
        first = self.months.itemData(index)
        if isinstance(first, date):
            self._set_dates(Period.month(first))
            self.refresh()

    def _dates_edited(self) -> None:
        period = self.period()
        index = self.months.findData(period.first) if period == Period.month(period.first) else -1
        self.months.blockSignals(True)
        self.months.setCurrentIndex(index if index >= 0 else self.months.count() - 1)
        self.months.blockSignals(False)
        self._debounce.start()

    # --- computing --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Compute the period's figures on the worker; ``computed`` tells when they show."""
        self._debounce.stop()
        period = self.period()
        if period.last < period.first:
            self.status.setText(_t("Конец периода раньше начала: выберите даты заново."))
            return
        below = list(self.below)
        self._period = period
        self.status.setText(_t("Считаем…"))
        self.refresh_button.setEnabled(False)

        if self.from_platform:
            def fetch(client: PlatformClient, cache: Cache) -> platform_ranking.Fetched:
                return platform_ranking.fetch_or_stored(client, cache, period)

            self.banner.setText(_t("Запрашиваем показатели у платформы…"))
            self._request = self.session.worker.run_online(fetch, refresh=False)
            return

        def work(cache: Cache) -> list[OrgFigures]:
            return compute(cache.db.conn, below, period)

        self._request = self.session.worker.run_write(work)

    def _finished(self, request: str, result: Any, error: str) -> None:
        if request != self._request:
            return  # another window's work, or a period since replaced
        self._request = ""
        self.refresh_button.setEnabled(True)
        if error:
            self.status.setText(_t("Рейтинг не рассчитан: {e}").format(e=error))
            self.banner.setText("")
            self.failed.emit(error)
            return
        if isinstance(result, platform_ranking.Fetched):
            result = self._platform_rows(result)
            if result is None:
                return
        self.model.set_rows(list(result))
        period = self._period or self.period()
        self.status.setText(_t("Период {a} — {b}: организаций {n}.").format(
            a=period.first.strftime("%d.%m.%Y"), b=period.last.strftime("%d.%m.%Y"), n=len(result)))
        self.computed.emit()

    def _platform_rows(self, fetched: platform_ranking.Fetched) -> list[OrgFigures] | None:
        """The platform's rows with the banner saying where they come from; None (and ``failed``) when offline
        with nothing kept for the period."""
        zone = self.session.me.organisation.timezone
        if fetched.ranking is None:
            reason = _t("Нет связи с платформой ({e}), а сохранённых показателей за этот период нет: рейтинг "
                        "организаций края рассчитывает платформа. Повторите (F5), когда связь появится.").format(
                e=fetched.offline_reason)
            self.model.set_rows([])
            self.banner.setText(reason)
            self.status.setText(_t("Рейтинг не получен."))
            self.failed.emit(reason)
            return None
        as_of = platform_ranking.as_of(fetched.ranking, zone)
        self.banner.setText(as_of[:1].upper() + as_of[1:] if fetched.fresh else _t(
            "Нет связи с платформой ({e}): показаны сохранённые показатели — {when}.").format(
            e=fetched.offline_reason, when=as_of))
        return platform_ranking.figures(fetched.ranking)

    # --- order and chart --------------------------------------------------------------------

    @staticmethod
    def _column(figure: Figure) -> int:
        return FIRST_FIGURE + FIGURE_COLUMNS.index(figure)

    def _figure_chosen(self, index: int) -> None:
        figure = Figure(self.figures.itemData(index))
        if figure is not self.model.figure:
            self.model.order_by(figure)  # best first

    def _order_changed(self, figure_value: str, descending: bool) -> None:
        figure = Figure(figure_value)
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(self._column(figure), Qt.SortOrder.DescendingOrder if descending
                                else Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)
        header.viewport().update()
        self.figures.blockSignals(True)
        self.figures.setCurrentIndex(FIGURE_COLUMNS.index(figure))
        self.figures.blockSignals(False)
        self._draw()

    def _draw(self) -> None:
        figure = self.model.figure
        info = FIGURES[figure]
        bars = [Bar(row.name, row.value(figure), figure_text(figure, row.value(figure))) for row in self.model.rows]
        direction = _t("по убыванию") if self.model.descending else _t("по возрастанию")
        title = f"{_t(info.title)}, {_t(info.unit)} ({direction})"
        if figure in SHARES:
            self.chart.set_bars(bars, title, "{:.0%}", maximum=1.0)
        else:
            self.chart.set_bars(bars, title, "{:.1f}" if figure is Figure.AVERAGE_RATING else "{:g}")
        current = self.table.currentIndex()
        self.chart.highlight(current.row() if current.isValid() else -1)

    def select_org(self, org_id: str) -> None:
        rows = [r.org_id for r in self.model.rows]
        if org_id in rows:
            self.table.setCurrentIndex(self.model.index(rows.index(org_id), 1, QModelIndex()))


# --- the main window's entry ------------------------------------------------------------------


def _reports_menu(window: MainWindow) -> QMenu:
    """The «Отчёты» menu, shared with the other reports' entries (created by whichever comes first)."""
    existing = window.menuBar().findChild(QMenu, "reportsMenu")
    if isinstance(existing, QMenu):
        return existing
    menu = window.menuBar().addMenu(_t("&Отчёты"))
    menu.setObjectName("reportsMenu")
    return menu


def install(window: MainWindow) -> QAction | None:
    """Offer «Рейтинг подчинённых организаций» to curators and regional coordinators (None for others)."""
    session = window.session
    if access(session.me, session.reader.organisations()) is None:
        return None
    action = QAction(_t("Рейтинг подчинённых организаций…"), window, shortcut=QKeySequence(SHORTCUT))
    action.setObjectName("rankingAction")
    action.triggered.connect(lambda: open_ranking(window))
    _reports_menu(window).addAction(action)
    return action


def open_ranking(window: MainWindow) -> RankingWindow | None:
    """Open (or raise) the ranking; a refusal says why when the cache cannot rank for this official."""
    session = window.session
    orgs = session.reader.organisations()  # read now: the directory may have arrived after the window opened
    decision = access(session.me, orgs)
    if decision is None:
        return None
    if not decision.allowed:
        box = QMessageBox(QMessageBox.Icon.Information, _t("Рейтинг подчинённых организаций"), decision.reason,
                          QMessageBox.StandardButton.Ok, window)
        box.setObjectName("rankingRefusal")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()
        return None
    existing = window.findChild(RankingWindow)
    ranking = existing if isinstance(existing, RankingWindow) else RankingWindow(
        session, orgs, decision.scope_org_id, clock=window._clock, parent=window,  # type: ignore[arg-type]
        from_platform=decision.from_platform)
    ranking.show()
    ranking.activateWindow()
    return ranking
