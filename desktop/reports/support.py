"""«Итоги месяца» in the main window: the menu action for heads and curators, and the reminder from the 1st.

Rostov p. 4: the previous month's summary is due by the 3rd. From the 1st to the 3rd (the organisation's
calendar) a banner above the queue says so until the summary has been exported; its button opens the window.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout

from desktop.reports.window import MonthlySummaryWindow
from offline_cache.domain.model import Role
from offline_cache.report_export import month_name
from offline_cache.report_records import REPORT_DUE_DAY, report_reminder

if TYPE_CHECKING:
    from desktop.main_window import MainWindow

SHORTCUT = "Ctrl+Shift+S"  # «Сводка»; Ctrl+Shift+M is «Администрирование»
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
        # A banner above the queue (the status bar is full): what is due, by when, and the way to it.
        self.reminder = QFrame()
        self.reminder.setObjectName("reportReminder")
        self.reminder.setStyleSheet("#reportReminder { background: #fff3e0; border-bottom: 1px solid #f0c080; }")
        self.reminder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout(self.reminder)
        row.setContentsMargins(8, 3, 8, 3)
        self.reminder_text = QLabel()
        self.reminder_text.setObjectName("reportReminderText")
        self.reminder_text.setTextFormat(Qt.TextFormat.PlainText)
        self.reminder_text.setStyleSheet("color: #7a4a00; font-weight: 600;")
        row.addWidget(self.reminder_text, 1)
        self.reminder_button = QPushButton()
        self.reminder_button.setObjectName("reportReminderOpen")
        self.reminder_button.clicked.connect(lambda: self.open(self.due))
        row.addWidget(self.reminder_button)
        self.reminder.hide()
        central = window.centralWidget()
        layout = central.layout() if central is not None else None
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(window.storage_warning) + 1, self.reminder)
        window.ticker.timeout.connect(self.check_reminder)
        self.check_reminder()

    def check_reminder(self) -> None:
        """Show or hide the reminder for the organisation's previous month (read through the UI's reader)."""
        org = self.session.me.organisation
        due = report_reminder(self.session.reader.db.conn, org.id, org.timezone, self._clock())
        if due is not None:
            following = date(due.year + due.month // 12, due.month % 12 + 1, REPORT_DUE_DAY)
            self.reminder_text.setText(_t("Итоги за {m} ещё не выгружены: сводку направляют до {d} включительно. "
                                          "Напоминание исчезнет после экспорта в XLSX или PDF.").format(
                m=month_name(due), d=following.strftime("%d.%m.%Y")))
            self.reminder_button.setText(_t("Открыть итоги за {m} ({k})").format(m=month_name(due), k=SHORTCUT))
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
