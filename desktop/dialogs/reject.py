"""Rejection: a picker of the grounds from the cached catalogue, the applicant's text prefilled and editable."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QVBoxLayout, QWidget

from desktop.dialogs.common import ok_cancel, plain_editor
from offline_cache.domain.rejection import RejectionGround
from offline_cache.store.cache import Cache


def _t(text: str) -> str:
    return QCoreApplication.translate("RejectDialog", text)


def cached_grounds(reader: Cache) -> list[RejectionGround]:
    rows = reader.db.execute("SELECT code, number, title, text FROM rejection_grounds ORDER BY number")
    return [RejectionGround(str(c), int(n), str(title), str(text)) for c, n, title, text in rows]


class RejectDialog(QDialog):
    """Choose the ground [KR 12]; the text to the applicant starts as the ground's wording."""

    def __init__(self, grounds: list[RejectionGround], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_t("Отклонить сообщение"))
        self.resize(620, 360)
        self._grounds = grounds
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_t("Основание отклонения:")))
        self.ground = QComboBox()
        self.ground.setObjectName("rejectionGround")
        for g in grounds:
            self.ground.addItem(f"{g.number}. {g.title}", g.code)
        layout.addWidget(self.ground)
        layout.addWidget(QLabel(_t("Текст заявителю (можно изменить):")))
        self.text = plain_editor("rejectionText")
        layout.addWidget(self.text, 1)
        buttons, self.ok = ok_cancel(_t("Отклонить"), self.accept, self.reject)
        layout.addWidget(buttons)
        if not grounds:
            layout.insertWidget(0, QLabel(_t("Справочник оснований ещё не загружен: нужна синхронизация.")))
        self._prefill = ""
        self.ground.currentIndexChanged.connect(self._ground_changed)
        self.text.textChanged.connect(self._check)
        self._ground_changed(0)
        self.ground.setFocus()

    def _ground_changed(self, index: int) -> None:
        if not 0 <= index < len(self._grounds):
            self._check()
            return
        wording = self._grounds[index].text
        # Replace the text only while it is still the previous ground's wording: an edit is never lost.
        if self.text.toPlainText() in ("", self._prefill):
            self.text.setPlainText(wording)
        self._prefill = wording
        self._check()

    def _check(self) -> None:
        self.ok.setEnabled(self.ground.currentIndex() >= 0 and bool(self.text.toPlainText().strip()))

    def select(self, code: str) -> None:
        self.ground.setCurrentIndex(self.ground.findData(code))

    def payload(self) -> dict[str, object]:
        return {"ground_code": self.ground.currentData(), "comment": self.text.toPlainText().strip()}
