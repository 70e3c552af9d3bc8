"""The lock screen: covers the window's work area and asks for the official's password; shows no citizen's detail."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget


def _t(text: str) -> str:
    return QCoreApplication.translate("LockScreen", text)


class LockScreen(QWidget):
    """Password field, «Разблокировать», and why the last try failed (plain text).

    Signals:
        unlockRequested(str): the official asked to unlock with this password.
    """

    unlockRequested = Signal(str)

    def __init__(self, parent: QWidget, who: str) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        title = QLabel(_t("Рабочее место заблокировано"))
        title.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.who = QLabel(_t("Введите пароль пользователя {who}, чтобы продолжить. Синхронизация и отправка "
                             "действий продолжаются.").format(who=who))
        self.who.setTextFormat(Qt.TextFormat.PlainText)
        self.who.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(_t("Пароль"))
        self.password.returnPressed.connect(self._submit)
        self.button = QPushButton(_t("Разблокировать"))
        self.button.clicked.connect(self._submit)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.button)
        box = QWidget()
        box.setMaximumWidth(520)
        inner = QVBoxLayout(box)
        for widget in (title, self.who):
            inner.addWidget(widget)
        inner.addLayout(row)
        inner.addWidget(self.message)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.setFocusProxy(self.password)

    def _submit(self) -> None:
        if self.button.isEnabled():
            self.unlockRequested.emit(self.password.text())

    def checking(self, busy: bool) -> None:
        """While a try is checked (Argon2, the platform) the field and the button wait."""
        self.button.setEnabled(not busy)
        self.password.setEnabled(not busy)
        if busy:
            self.message.setText(_t("Проверка пароля…"))

    def refused(self, message: str) -> None:
        self.checking(False)
        self.message.setText(message)
        self.password.clear()
        self.password.setFocus()

    def reset(self) -> None:
        self.password.clear()
        self.message.clear()
        self.checking(False)
