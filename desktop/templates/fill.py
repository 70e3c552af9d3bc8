"""The one small form for placeholders with no value and no fallback, with a live preview of the filled text."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from desktop.dialogs.common import ok_cancel
from offline_cache.placeholders import Placeholder, Rendered, render


def _t(text: str) -> str:
    return QCoreApplication.translate("Templates", text)


def add_preview(layout: QVBoxLayout, caption: str, name: str, note_name: str) -> tuple[QPlainTextEdit, QLabel]:
    """A read-only preview of the filled text under ``caption``, and a note (plain text) under it."""
    layout.addWidget(QLabel(caption))
    preview = QPlainTextEdit()
    preview.setObjectName(name)
    preview.setReadOnly(True)
    layout.addWidget(preview, 3)
    note = QLabel()
    note.setObjectName(note_name)
    note.setTextFormat(Qt.TextFormat.PlainText)
    note.setWordWrap(True)
    note.setStyleSheet("color: #8a5a00;")
    layout.addWidget(note)
    return preview, note


class FillDialog(QDialog):
    """Asks for every missing value at once; the preview follows each key press. Enter confirms."""

    def __init__(self, title: str, text: str, values: Mapping[str, str | None], missing: tuple[Placeholder, ...],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templateFill")
        self.setWindowTitle(_t("Шаблон «{t}»: недостающие значения").format(t=title))
        self.resize(620, 420)
        self._text, self._values = text, dict(values)
        layout = QVBoxLayout(self)
        intro = QLabel(_t("В сообщении нет этих сведений. Впишите их — остальное подставлено из сообщения:"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for placeholder in missing:
            field = QLineEdit()
            field.setObjectName(f"fill_{placeholder.name}")
            field.textChanged.connect(self._update)
            form.addRow(placeholder.label + ":", field)
            self.fields[placeholder.name] = field
        layout.addLayout(form)
        self.preview, self.note = add_preview(layout, _t("Так будет вставлено:"), "fillPreview", "fillNote")
        buttons, self.ok = ok_cancel(_t("Вставить"), self.accept, self.reject)
        self.ok.setDefault(True)
        layout.addWidget(buttons)
        self._update()
        if self.fields:
            next(iter(self.fields.values())).setFocus()

    def answers(self) -> dict[str, str]:
        return {name: field.text().strip() for name, field in self.fields.items() if field.text().strip()}

    def rendered(self) -> Rendered:
        return render(self._text, self._values, self.answers())

    def _update(self) -> None:
        rendered = self.rendered()
        self.preview.setPlainText(rendered.text)
        left = [p.label for p in rendered.missing]
        self.note.setText(_t("Не заполнено: {names}. Подстановка останется в тексте, и ответ нельзя будет "
                             "отправить, пока её не заменить.").format(names=", ".join(left)) if left else "")
