"""A comment dialog: return for revision, return to routing, stop re-processing (the comment is mandatory)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

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
