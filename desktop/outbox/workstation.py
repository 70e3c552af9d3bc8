"""Offline work in the main window: the connection banner, logging in again, «Исходящие», conflicts as they
arrive, the pending note over the card, the clock warning, and leaving a session without losing its queue."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMessageBox, QVBoxLayout

from desktop.countdown import format_span
from desktop.outbox.banner import ConnectionBanner
from desktop.outbox.model import UNDELIVERED
from desktop.outbox.view import OutboxWindow
from desktop.startup import ReloginDialog
from offline_cache.clock import skew_seconds, skew_warning
from offline_cache.outbox import Outbox
from offline_cache.queues import QueueId

if TYPE_CHECKING:
    from desktop.main_window import MainWindow


def _t(text: str) -> str:
    return QCoreApplication.translate("Workstation", text)


class OfflineWork(QObject):
    """Everything the window needs to work without the platform and to deliver the queue afterwards."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        session = window.session
        self.session = session
        self.banner = ConnectionBanner()
        self.banner.loginRequested.connect(self.ask_login)
        self.banner.retryRequested.connect(session.worker.sync_now)
        self.banner.outboxRequested.connect(self.show_outbox)
        central = window.centralWidget()
        layout = central.layout() if central is not None else None
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(window.storage_warning) + 1, self.banner)
        self.clock_warning = QLabel()
        self.clock_warning.setObjectName("clockWarning")
        self.clock_warning.setTextFormat(Qt.TextFormat.PlainText)
        self.clock_warning.setStyleSheet("color: #b26a00; font-weight: 600;")
        self.clock_warning.hide()
        window.statusBar().addPermanentWidget(self.clock_warning)
        self.outbox_window: OutboxWindow | None = None
        self.relogin: ReloginDialog | None = None
        self.leave_box: QMessageBox | None = None
        self._build_menu()
        # Conflicts already known when the window opens are listed in «Исходящие»; new ones open a dialog.
        self._seen_conflicts = {e.id for e in Outbox(session.reader).entries(("conflict",))}
        bridge = session.worker.bridge
        self._connections: tuple[tuple[Any, Any], ...] = (
            (bridge.statusChanged, self._status), (bridge.outboxChanged, self._outbox_changed),
            (bridge.clockSkew, self._clock_skew), (bridge.loginFinished, self._login_finished))
        for signal, slot in self._connections:
            signal.connect(slot)
        window.installEventFilter(self)
        self._outbox_changed(session.reader.outbox_counts())
        self._clock_skew(skew_seconds(session.reader))
        if session.offline_reason:
            self.banner.set_status("offline", session.offline_reason)
            window._sync_status("offline", session.offline_reason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self._detach()
        return False

    def _detach(self) -> None:
        """The window closes: stop listening to the session, which may outlive it (or close right after)."""
        for signal, slot in self._connections:
            with contextlib.suppress(RuntimeError, TypeError):  # already gone
                signal.disconnect(slot)
        self._connections = ()
        if self.outbox_window is not None:
            self.outbox_window.detach()
        if self.relogin is not None:
            self.relogin.close()

    # --- building ---------------------------------------------------------------------------

    def _build_menu(self) -> None:
        menu = self.window.menuBar().addMenu(_t("&Сеанс"))
        menu.setObjectName("sessionMenu")
        entries = (
            ("outbox", _t("Исходящие…"), "Ctrl+Shift+O", self.show_outbox),
            ("audit", _t("Журнал действий…"), "Ctrl+Shift+J", self.show_audit),
            (None, "", "", None),
            ("login", _t("Войти на платформу…"), "Ctrl+Shift+K", self.ask_login),
            ("switch", _t("Сменить пользователя…"), "Ctrl+Shift+W", lambda: self.leave(switch=True)),
            ("logout", _t("Выйти"), "Ctrl+Shift+Q", lambda: self.leave(switch=False)),
        )
        self.actions: dict[str, QAction] = {}
        for name, text, keys, slot in entries:
            if name is None or slot is None:
                menu.addSeparator()
                continue
            action = QAction(text, self.window, shortcut=QKeySequence(keys))
            action.setObjectName(f"{name}Action")
            action.triggered.connect(slot)
            menu.addAction(action)
            self.actions[name] = action

    # --- the connection ---------------------------------------------------------------------

    def _status(self, status: str, message: str) -> None:
        self.banner.set_status(status, message)
        self._clock_skew(skew_seconds(self.session.reader))

    def _login_finished(self, error: str) -> None:
        """The in-window login's outcome: the dialog closes, or stays with the reason."""
        if self.relogin is None:
            return
        if error:
            self.relogin.show_error(error)
            self.relogin.open()
        else:
            self.relogin.close()

    def ask_login(self) -> None:
        """Log in again without closing the window; the worker then delivers the queue."""
        settings = self.session.settings
        login = settings.login if settings else self.session.me.user.id
        url = settings.platform_url if settings else self.session.client.config.base_url
        if self.relogin is None:
            self.relogin = ReloginDialog(login, url, self.window)
            self.relogin.accepted.connect(self._send_login)
        self.relogin.password.clear()
        self.relogin.show_error("")
        self.relogin.open()

    def _send_login(self) -> None:
        assert self.relogin is not None
        password = self.relogin.password.text()
        self.relogin.password.clear()  # not kept anywhere beyond this call
        self.banner.message.setText(_t("Вход на платформу…"))
        self.session.worker.log_in(password, self.session.login or None)

    def _clock_skew(self, seconds: float) -> None:
        warning = skew_warning(seconds)
        # Short in the status bar (the skew may be days on a badly set computer); the whole advice on hover.
        self.clock_warning.setText(_t("⚠ Часы компьютера расходятся с платформой на {d}").format(
            d=format_span(timedelta(seconds=abs(seconds)))) if warning else "")
        self.clock_warning.setToolTip(warning or "")
        self.clock_warning.setVisible(warning is not None)

    # --- the outbox -------------------------------------------------------------------------

    def _waiting(self, counts: dict[str, int]) -> int:
        return sum(counts.get(state, 0) for state in UNDELIVERED)

    def _outbox_changed(self, counts: dict[str, int]) -> None:
        self.banner.set_waiting(self._waiting(counts))
        if counts.get("conflict", 0):
            self._open_new_conflicts()

    def _open_new_conflicts(self) -> None:
        """A conflict that just arrived opens its dialog (one at a time; the rest wait in «Исходящие»)."""
        me = self.session.me.user.id
        fresh = [e for e in Outbox(self.session.reader).entries(("conflict",), user_id=me)
                 if e.id not in self._seen_conflicts]
        if not fresh:
            return
        # Beside the window, not over it: the official may be typing; nothing here blocks the queue.
        outbox = self.show_outbox(activate=False)
        if outbox.conflict_dialog is not None and outbox.conflict_dialog.isVisible():
            return
        entry = fresh[0]
        self._seen_conflicts.add(entry.id)
        outbox.select_entry(entry.id)
        outbox.open_conflict(entry, activate=False)

    def show_outbox(self, *, activate: bool = True) -> OutboxWindow:
        if self.outbox_window is None:
            self.outbox_window = OutboxWindow(self.session, self.window)
            self.outbox_window.itemRequested.connect(self.show_item)
            self.outbox_window.editRequested.connect(self.edit_item)
        self.outbox_window.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, not activate)
        self.outbox_window.show()
        if activate:
            self.outbox_window.activateWindow()
        return self.outbox_window

    def show_audit(self) -> None:
        from desktop.audit.window import AuditWindow

        AuditWindow.show_for(self.session, self.window)

    def show_item(self, item_id: str) -> None:
        """Select the item in the main window, in «Все» if the current queue does not hold it."""
        window = self.window
        window.model.refresh()  # the rows loaded may predate the change that brought us here
        if window.model.row_of(item_id) < 0 and QueueId.ALL in window.queues:
            window.panel.search.clear()
            window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
        window.panel.select_item(item_id)
        if window.card.item is None or window.card.item.id != item_id:
            window.card.show_item(item_id)
        window.activateWindow()

    def edit_item(self, item_id: str) -> None:
        """After «Изменить…»: the item in the card, with my text as its draft, ready to rework."""
        self.show_item(item_id)
        editor = self.window.card.editor
        if editor.isVisible():
            editor.text.setFocus()

    # --- leaving ----------------------------------------------------------------------------

    def leave(self, *, switch: bool) -> None:
        """«Выйти» / «Сменить пользователя»: with undelivered actions, ask first; they stay in this profile."""
        counts = self.session.reader.outbox_counts()
        waiting = self._waiting(counts)
        if not waiting:
            self._close_session(switch)
            return
        problems = counts.get("failed", 0) + counts.get("conflict", 0)
        title = _t("Сменить пользователя") if switch else _t("Выйти")
        text = _t("Не доставлено действий: {n}").format(n=waiting)
        if problems:
            text += _t(" (из них требуют решения: {p})").format(p=problems)
        text += _t(".\n\nОни останутся в локальной копии этого профиля и не пропадут. Отправлены они будут "
                   "только под вашим логином — когда вы снова войдёте. Под другим пользователем они не "
                   "отправляются.\n\n{q}").format(q=_t("Сменить пользователя?") if switch else _t("Выйти?"))
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, self.window)
        box.setObjectName("leaveConfirm")
        go = box.addButton(_t("Сменить пользователя") if switch else _t("Выйти"), QMessageBox.ButtonRole.AcceptRole)
        stay = box.addButton(_t("Остаться"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.buttonClicked.connect(lambda button: self._close_session(switch) if button is go else None)
        self.leave_box = box
        box.open()

    def _close_session(self, switch: bool) -> None:
        settings = self.session.settings
        if settings is not None:
            self.window.next_login = replace(settings, login="") if switch else settings
        self.window.close()
