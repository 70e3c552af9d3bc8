"""Name a deputy for a period of absence (illness, leave, business trip, study) [KR 5.2]."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QFormLayout, QLabel, QVBoxLayout, QWidget

from desktop.dialogs.common import ok_cancel
from desktop.labels import ABSENCE_REASONS, absence_reason_name
from desktop.session import Session
from offline_cache.domain.workflow import end_of_local_day


def _t(text: str) -> str:
    return QCoreApplication.translate("DeputyDialog", text)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class DeputyDialog(QDialog):
    """Deputy (a colleague of the own organisation), the absence's first and last day, and its reason."""

    def __init__(self, session: Session, now: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_t("Заместитель на время отсутствия"))
        self._zone = ZoneInfo(session.me.organisation.timezone)
        me = session.me.user
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.deputy = QComboBox()
        self.deputy.setObjectName("deputyChoice")
        for s in sorted(session.reader.staff(), key=lambda s: s.full_name):
            if s.org_id == me.org_id and s.id != me.id and s.active:
                self.deputy.addItem(s.full_name, s.id)
        if me.deputy_id:
            self.deputy.setCurrentIndex(max(0, self.deputy.findData(me.deputy_id)))
        self.reason = QComboBox()
        self.reason.setObjectName("absenceReason")
        for reason in ABSENCE_REASONS:
            self.reason.addItem(absence_reason_name(reason), reason)
        today = now.astimezone(self._zone).date()
        self.first, self.last = QDateEdit(), QDateEdit()
        for edit, day in ((self.first, today), (self.last, today + timedelta(days=13))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy")
            edit.setDate(_qdate(day))
        self.first.setObjectName("absenceFirst")
        self.last.setObjectName("absenceLast")
        offset = now.astimezone(self._zone).utcoffset()
        hours = int(offset.total_seconds() // 3600) if offset is not None else 0
        form.addRow(_t("Заместитель:"), self.deputy)
        form.addRow(_t("Причина отсутствия:"), self.reason)
        form.addRow(_t("Первый день:"), self.first)
        form.addRow(_t("Последний день:"), self.last)
        form.addRow(QLabel(_t("Дни — по времени организации (UTC{h:+d})").format(h=hours)))
        layout.addLayout(form)
        self.result_label = QLabel()
        self.result_label.setObjectName("deputyResult")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        buttons, self.ok = ok_cancel(_t("Назначить"), self._submit, self.reject)
        layout.addWidget(buttons)
        bridge = session.worker.bridge
        signal = getattr(bridge, "deputyFinished", None)
        if signal is not None:
            signal.connect(self._finished)
        for edit in (self.first, self.last):
            edit.dateChanged.connect(lambda _d: self._check())
        self._check()

    def period(self) -> tuple[datetime, datetime]:
        """From the start of the first day to the end of the last, in the organisation's zone."""
        starts = datetime.combine(_day(self.first.date()), time(0, 0), tzinfo=self._zone)
        return starts, end_of_local_day(_day(self.last.date()), self._zone)

    def _check(self) -> None:
        wrong = self.last.date() < self.first.date()
        self.result_label.setText(_t("Последний день раньше первого") if wrong else "")
        self.ok.setEnabled(not wrong and self.deputy.count() > 0)

    def _submit(self) -> None:
        set_deputy = getattr(self.session.worker, "set_deputy", None)
        if set_deputy is None:
            self.result_label.setText(_t("Назначение заместителя появится в следующей версии"))
            return
        starts, ends = self.period()
        self.ok.setEnabled(False)
        self.result_label.setText(_t("Отправляется…"))
        set_deputy(self.deputy.currentData(), starts, ends, self.reason.currentData())

    def _finished(self, error: str) -> None:
        if error:
            self.result_label.setText(error)
            self.ok.setEnabled(True)
        else:
            self.accept()
