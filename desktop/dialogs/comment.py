"""A comment dialog: return for revision, return to routing, stop re-processing (the comment is mandatory)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from desktop.dialogs.common import ok_cancel, plain_editor


def _t(text: str) -> str:
    return QCoreApplication.translate("CommentDialog", text)


class CommentDialog(QDialog):
    """Ask for a comment; OK stays disabled until there is one (the platform requires it)."""

    def __init__(self, title: str, prompt: str, ok_text: str, parent: QWidget | None = None,
                 text: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(480, 260)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        self.comment = plain_editor("actionComment", _t("Обязательно: что и почему"))
        self.comment.setPlainText(text)
        layout.addWidget(self.comment)
        buttons, self.ok = ok_cancel(ok_text, self.accept, self.reject)
        layout.addWidget(buttons)
        self.comment.textChanged.connect(self._check)
        self._check()
        self.comment.setFocus()

    def _check(self) -> None:
        self.ok.setEnabled(bool(self.comment.toPlainText().strip()))

    def payload(self) -> dict[str, object]:
        return {"comment": self.comment.toPlainText().strip()}


class ExtendTermDialog(CommentDialog):
    """59-ФЗ art. 12: the head extends an appeal's term once, by up to 30 days, saying why (the applicant is told)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_t("Продлить срок обращения"),
                         _t("Основание продления (заявитель будет уведомлён):"), _t("Продлить"), parent)
        row = QHBoxLayout()
        row.addWidget(QLabel(_t("Продлить на, календарных дней (не более 30, один раз):")))
        self.days = QSpinBox()
        self.days.setObjectName("extendDays")
        self.days.setRange(1, 30)
        self.days.setValue(30)
        row.addWidget(self.days)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(0, row)

    def payload(self) -> dict[str, object]:
        return {**super().payload(), "days": self.days.value()}
