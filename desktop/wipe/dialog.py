"""«Выйти и удалить локальные данные»: lists undelivered actions first; wiping them needs an explicit «give up».

The wipe itself runs after the window and its session have closed (``finish_wipe``, called by the
application), so no connection holds the cache; it re-checks the outbox and refuses if anything new
is waiting.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from desktop.session import Session
from offline_cache.profile import ProfileSettings
from offline_cache.store.vault import VaultError, stored_key
from offline_cache.wipe import WipeRefused, describe, undelivered, wipe_profile


def _t(text: str) -> str:
    return QCoreApplication.translate("Wipe", text)


class WipeDialog(QDialog):
    """The undelivered actions, a «give them up» check box when there are any, and the wipe button."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wipeDialog")
        self.setWindowTitle(_t("Выйти и удалить локальные данные"))
        entries = undelivered(session.reader)
        self.count = len(entries)
        layout = QVBoxLayout(self)
        intro = QLabel(_t("С этого компьютера будут удалены локальная копия сообщений профиля, её ключ и токены "
                          "входа. Данные на платформе не изменятся."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.addItems(describe(session.reader, entries))
        self.give_up = QCheckBox(_t("Отказаться от этих не доставленных действий ({n}): они не будут отправлены")
                                 .format(n=self.count))
        if entries:
            warning = QLabel(_t("Не доставлены на платформу:"))
            warning.setStyleSheet("color: #c62828; font-weight: bold;")
            layout.addWidget(warning)
            layout.addWidget(self.list)
            layout.addWidget(self.give_up)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.wipe_button = buttons.addButton(_t("Удалить и выйти"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.wipe_button.setEnabled(not entries)
        self.give_up.toggled.connect(self.wipe_button.setEnabled)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def install(window: QMainWindow, session: Session, beside: QAction) -> QAction | None:
    """Add «Выйти и удалить локальные данные…» to the menu holding ``beside`` («Выйти»); not in training mode."""
    if session.settings is None:
        return None  # the training cache is thrown away anyway
    action = QAction(_t("Выйти и удалить локальные данные…"), window, shortcut=QKeySequence("Ctrl+Shift+Del"))
    action.setObjectName("wipeAction")
    menu = next((m for m in beside.associatedObjects() if isinstance(m, QMenu)), None)
    if menu is not None:
        menu.addAction(action)
    window.addAction(action)

    def ask() -> None:
        dialog = WipeDialog(session, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: request(window, session.settings, dialog.count))
        dialog.open()

    action.triggered.connect(ask)
    return action


def request(window: QMainWindow, settings: ProfileSettings | None, discard: int) -> None:
    window.setProperty("wipe_discard", discard)
    window.wipe_settings = settings  # type: ignore[attr-defined]
    window.close()


def finish_wipe(window: QMainWindow) -> str | None:
    """After the session closed: wipe if the window asked to. Returns the message to show (Russian) or None."""
    settings: ProfileSettings | None = getattr(window, "wipe_settings", None)
    if settings is None:
        return None
    try:
        done = wipe_profile(settings, stored_key(settings.profile),
                            discard_undelivered=int(window.property("wipe_discard") or 0))
    except (WipeRefused, VaultError) as exc:
        return exc.message
    return _t("Локальные данные профиля удалены ({n} файлов), ключ и токены — из хранилища ключей.").format(
        n=len(done.files))
