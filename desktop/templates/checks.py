"""Checks before submit in the window: the dialog that lists them, and spelling underlined while typing."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from offline_cache.checks import CheckResult
from offline_cache.spelling import WORD, Speller, fold

DIALOG_WIDTH = 680
#: Typing pauses this long before spelling is looked at again.
SPELLING_MS = 400


def _t(text: str) -> str:
    return QCoreApplication.translate("Checks", text)


class ChecksDialog(QDialog):
    """Every finding with its message; submitting is offered only when none of them blocks."""

    def __init__(self, results: Sequence[CheckResult], action: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checksDialog")
        self.setWindowTitle(_t("Проверка перед отправкой: {a}").format(a=action))
        self.setFixedWidth(DIALOG_WIDTH)
        self.results = list(results)
        self.blocked = any(r.blocking for r in results)
        layout = QVBoxLayout(self)
        head = QLabel(_t("Отправить нельзя — исправьте:") if self.blocked
                      else _t("Проверьте ответ. Если всё верно, подтвердите отправку:"))
        head.setStyleSheet("font-weight: 600;")
        layout.addWidget(head)
        self.rows: list[QLabel] = []
        for result in results:
            row = QLabel()
            row.setObjectName(f"check_{result.code}")
            row.setTextFormat(Qt.TextFormat.PlainText)  # a message may quote the draft or the address
            row.setWordWrap(True)
            row.setFrameShape(QFrame.Shape.StyledPanel)
            mark = _t("Блокирует") if result.blocking else _t("Предупреждение")
            row.setText(f"{mark}: {result.message}")
            row.setStyleSheet("background: #fdecea; color: #8e1b1b; padding: 6px;" if result.blocking
                              else "background: #fff3c4; color: #5d4200; padding: 6px;")
            layout.addWidget(row)
            self.rows.append(row)
        # A wrapped label in a dialog does not ask for its height by itself: give each exactly what it needs.
        margins = layout.contentsMargins()
        for row in self.rows:
            row.ensurePolished()
            row.setFixedHeight(row.heightForWidth(DIALOG_WIDTH - margins.left() - margins.right()))
        buttons = QDialogButtonBox()
        self.back = QPushButton(_t("Вернуться к ответу"))
        self.back.setObjectName("checksBack")
        buttons.addButton(self.back, QDialogButtonBox.ButtonRole.RejectRole)
        self.acknowledge = QPushButton(_t("Отправить, предупреждения учтены"))
        self.acknowledge.setObjectName("checksAcknowledge")
        buttons.addButton(self.acknowledge, QDialogButtonBox.ButtonRole.AcceptRole)
        self.acknowledge.setVisible(not self.blocked)
        self.acknowledge.setEnabled(not self.blocked)  # a blocking finding cannot be skipped, by any key
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.back if self.blocked else self.acknowledge).setDefault(True)
        (self.back if self.blocked else self.acknowledge).setFocus()

    def accept(self) -> None:
        if not self.blocked:
            super().accept()


class SpellingHighlighter(QSyntaxHighlighter):
    """Underlines words the speller does not know; looks again once typing pauses (never per key)."""

    def __init__(self, edit: QPlainTextEdit) -> None:
        document = edit.document()
        super().__init__(document)
        self.edit = edit
        self.speller: Speller | None = None
        self.unknown: frozenset[str] = frozenset()
        self.underline = QTextCharFormat()
        self.underline.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        self.underline.setUnderlineColor(QColor("#d32f2f"))
        self.timer = QTimer(self, singleShot=True, interval=SPELLING_MS)
        self.timer.timeout.connect(self.recheck)
        document.contentsChange.connect(self._changed)

    def set_speller(self, speller: Speller | None) -> None:
        self.speller = speller
        self.recheck()

    def _changed(self, _position: int, removed: int, added: int) -> None:
        if removed or added:  # a change of formats only (our own underlining) is not typing
            self.timer.start()

    def recheck(self) -> None:
        document = self.document()
        if document is None:
            return
        found = self.speller.misspelt(document.toPlainText()) if self.speller is not None else []
        unknown = frozenset(fold(m.word) for m in found)
        if unknown != self.unknown:
            self.unknown = unknown
            # New underlines are no edit: the box must not report a change (that would autosave a draft
            # of every item merely looked at).
            blocked = self.edit.blockSignals(True)
            try:
                self.rehighlight()
            finally:
                self.edit.blockSignals(blocked)

    def highlightBlock(self, text: str) -> None:
        if not self.unknown:
            return
        for match in WORD.finditer(text):
            if fold(match.group(0)) in self.unknown:
                self.setFormat(match.start(), match.end() - match.start(), self.underline)
