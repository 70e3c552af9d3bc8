"""Correcting an action the platform refused (403/422) before sending it again."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.labels import short_action_name
from offline_cache.contract.models import ACTION_PAYLOADS
from offline_cache.domain.model import Action
from offline_cache.store.cache import OutboxEntry

#: Payload fields an official can correct here: the words they wrote and the date they promised.
TEXT_FIELDS = ("text", "comment")


def _t(text: str) -> str:
    return QCoreApplication.translate("ResendDialog", text)


def editable_fields(entry: OutboxEntry) -> list[str]:
    """The entry's text fields: those it carries and those its action accepts."""
    try:
        accepted = set(ACTION_PAYLOADS[Action(entry.action)].model_fields)
    except ValueError:
        accepted = set()
    return [f for f in TEXT_FIELDS if f in entry.payload or f in accepted]


class ResendDialog(QDialog):
    """The platform's reason at the top, the entry's text fields below, editable; «Отправить снова»."""

    def __init__(self, entry: OutboxEntry, number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resendDialog")
        self.entry = entry
        self.setWindowTitle(_t("Исправить и отправить снова — № {n}").format(n=number))
        layout = QVBoxLayout(self)
        title = QLabel(_t("«{action}», сообщение № {n}").format(action=short_action_name(entry.action), n=number))
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setStyleSheet("font-weight: 600;")
        layout.addWidget(title)
        self.reason = QLabel(_t("Платформа отклонила действие: {reason}").format(reason=entry.last_error or "—"))
        self.reason.setObjectName("resendReason")
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #c62828;")
        layout.addWidget(self.reason)
        form = QFormLayout()
        labels = {"text": _t("Текст ответа:"), "comment": _t("Комментарий:")}
        self.fields: dict[str, QPlainTextEdit] = {}
        for name in editable_fields(entry):
            box = QPlainTextEdit(str(entry.payload.get(name) or ""))
            box.setObjectName(f"resend_{name}")
            box.setTabChangesFocus(True)
            self.fields[name] = box
            form.addRow(labels[name], box)
        self.planned: QDateEdit | None = None
        planned = entry.payload.get("planned_date")
        if isinstance(planned, str):
            self.planned = QDateEdit(QDate.fromString(planned, Qt.DateFormat.ISODate))
            self.planned.setCalendarPopup(True)
            self.planned.setDisplayFormat("dd.MM.yyyy")
            form.addRow(_t("Планируемая дата ответа:"), self.planned)
        layout.addLayout(form)
        if not self.fields and self.planned is None:
            note = QLabel(_t("В этом действии нечего исправлять: его можно отправить снова как есть или отказаться "
                             "от него в «Исходящих»."))
            note.setWordWrap(True)
            layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.send_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.send_button.setText(_t("Отправить снова"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        first = next(iter(self.fields.values()), None)
        if first is not None:
            first.setFocus()
        self.resize(560, 420)

    def payload(self) -> dict[str, Any]:
        """The entry's payload with the official's corrections."""
        result = dict(self.entry.payload)
        for name, box in self.fields.items():
            result[name] = box.toPlainText()
        if self.planned is not None:
            value = self.planned.date()
            result["planned_date"] = date(value.year(), value.month(), value.day()).isoformat()
        return result
