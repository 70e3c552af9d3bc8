"""«Итоги месяца» in the main window: the menu action for heads and curators, and the reminder from the 1st.

Rostov p. 4: the previous month's summary is due by the 3rd. From the 1st to the 3rd (the organisation's
calendar) a button in the status bar says so until the summary has been exported; it opens the window.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton

from desktop.reports.window import MonthlySummaryWindow
from offline_cache.domain.model import Role
from offline_cache.report_export import month_name
from offline_cache.report_records import REPORT_DUE_DAY, report_reminder

if TYPE_CHECKING:
    from desktop.main_window import MainWindow

SHORTCUT = "Ctrl+Shift+M"
#: Who is offered the summary: the head answers for the organisation's deadlines, the curator oversees it.
ROLES = frozenset({Role.HEAD, Role.CURATOR})


def _t(text: str) -> str:
    return QCoreApplication.translate("MonthlySummary", text)


class ReportsSupport(QObject):
    """The menu action and the reminder; one per main window.

    Signals:
        reminderChanged(object): the month whose summary is due and not exported (a date), or None.
    """

    reminderChanged = Signal(object)

    def __init__(self, window: MainWindow, clock: Callable[[], datetime]) -> None:
        super().__init__(window)
        self.main, self._clock = window, clock
        self.session = window.session
        self.summary: MonthlySummaryWindow | None = None
        self.due: date | None = None
        self.action = QAction(_t("Итоги месяца…"), window, shortcut=QKeySequence(SHORTCUT))
        self.action.setObjectName("monthlySummaryAction")
        self.action.triggered.connect(lambda: self.open())
        menu = window.menuBar().addMenu(_t("&Отчёты"))
        menu.setObjectName("reportsMenu")
        menu.addAction(self.action)
        self.reminder = QPushButton()
        self.reminder.setObjectName("reportReminder")
        self.reminder.setFlat(True)
        self.reminder.setStyleSheet("color: #b26a00; font-weight: 600;")
        self.reminder.clicked.connect(lambda: self.open(self.due))
        self.reminder.hide()
        window.statusBar().addPermanentWidget(self.reminder)
        window.ticker.timeout.connect(self.check_reminder)
        self.check_reminder()

    def check_reminder(self) -> None:
        """Show or hide the reminder for the organisation's previous month (read through the UI's reader)."""
        org = self.session.me.organisation
        due = report_reminder(self.session.reader.db.conn, org.id, org.timezone, self._clock())
        if due is not None:
            following = date(due.year + due.month // 12, due.month % 12 + 1, REPORT_DUE_DAY)
            self.reminder.setText(_t("Итоги за {m} не выгружены: срок — {d} ({k})").format(
                m=month_name(due), d=following.strftime("%d.%m"), k=SHORTCUT))
            self.reminder.setToolTip(_t("Сводка за месяц направляется до 3-го числа следующего месяца; напоминание "
                                        "исчезнет после экспорта в XLSX или PDF"))
        self.reminder.setVisible(due is not None)
        if due != self.due:
            self.due = due
            self.reminderChanged.emit(due)

    def open(self, month: date | None = None) -> MonthlySummaryWindow:
        if self.summary is None:
            self.summary = MonthlySummaryWindow(self.session, self._clock, self.main)
            self.summary.exported.connect(lambda _path, _error: self.check_reminder())
        if month is not None and month != self.summary.selected_month:
            self.summary.set_month(month)
        self.summary.show()
        self.summary.activateWindow()
        return self.summary


def install(window: MainWindow, clock: Callable[[], datetime]) -> ReportsSupport | None:
    """Offer «Итоги месяца» to heads and curators only (nobody else answers for the month's figures)."""
    return ReportsSupport(window, clock) if ROLES & window.session.roles else None
