"""The connection banner: working offline or needing to log in again, and what that means for queued work."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget


def _t(text: str) -> str:
    return QCoreApplication.translate("ConnectionBanner", text)


class ConnectionBanner(QFrame):
    """Shown while the platform cannot be reached or the session with it has ended.

    Signals:
        loginRequested(): the official wants to log in (again) without closing the window.
        retryRequested(): try the platform now.
        outboxRequested(): show «Исходящие» (what waits, and since when).
    """

    loginRequested = Signal()
    retryRequested = Signal()
    outboxRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        self.message = QLabel()
        self.message.setObjectName("connectionMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.retry = QPushButton(_t("Проверить связь"))
        self.retry.setObjectName("retryConnection")
        self.retry.clicked.connect(self.retryRequested)
        self.login = QPushButton(_t("Войти…"))
        self.login.setObjectName("loginAgain")
        self.login.clicked.connect(self.loginRequested)
        self.outbox = QPushButton(_t("Исходящие…"))
        self.outbox.setObjectName("bannerOutbox")
        self.outbox.clicked.connect(self.outboxRequested)
        row.addWidget(self.message, 1)
        row.addWidget(self.outbox)
        row.addWidget(self.retry)
        row.addWidget(self.login)
        self.state = ""
        self._waiting = 0
        self._reason = ""
        self.hide()

    def set_waiting(self, waiting: int) -> None:
        """How many actions wait for delivery (shown in the banner's text)."""
        self._waiting = waiting
        self._render()

    def set_status(self, status: str, reason: str) -> None:
        """The sync status: offline and auth_required show the banner; idle hides it; syncing keeps it."""
        if status in ("offline", "auth_required"):
            self.state, self._reason = status, reason
        elif status == "idle":
            self.state, self._reason = "", ""
        self._render()

    def _render(self) -> None:
        if not self.state:
            self.hide()
            return
        waiting = _t("Не доставлено действий: {n}.").format(n=self._waiting) if self._waiting else \
            _t("Недоставленных действий нет.")
        if self.state == "offline":
            text = _t("Нет связи с платформой — работа идёт по локальной копии. Действия сохраняются и будут "
                      "отправлены по порядку, когда связь восстановится. {waiting}").format(waiting=waiting)
            colours = "background: #fdecea; color: #8e1b1b;"
        else:
            text = _t("Требуется вход на платформу: сеанс завершён. Войдите, чтобы отправить действия и получить "
                      "новые сообщения; окно закрывать не нужно. {waiting}").format(waiting=waiting)
            colours = "background: #fff3c4; color: #5d4200;"
        self.message.setText(text)
        self.message.setToolTip(self._reason)
        self.setStyleSheet(f"#connectionBanner {{ {colours} }} #connectionMessage {{ {colours} font-weight: 600; }}")
        self.retry.setVisible(self.state == "offline")
        self.outbox.setVisible(self._waiting > 0)
        self.show()
