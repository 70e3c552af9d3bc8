"""Locks the main window after inactivity or when the OS session locks; unlocks with the official's password.

Locked, the window shows only the lock screen: the work area is hidden, the menus and shortcuts are off,
other windows of the application are hidden, the title and tray notifications carry no details. The sync
worker is not touched: sync and delivery of queued actions go on while locked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from desktop.lock.idle import IdleWatcher
from desktop.lock.os_lock import SessionLockWatcher
from desktop.lock.screen import LockScreen
from desktop.lock.settings import idle_minutes
from desktop.session import Session
from offline_cache.unlock import Unlocker, Verdict, kept_record, platform_check


def _t(text: str) -> str:
    return QCoreApplication.translate("Lock", text)


class LockController(QObject):
    """The window's lock. ``locked`` says whether it is locked now.

    Signals:
        lockedChanged(bool): the window was locked (True) or unlocked (False).
        verdict(object): the answer to an unlock try (an offline_cache.unlock.Verdict), for tests.
    """

    lockedChanged = Signal(bool)
    verdict = Signal(object)
    _checked = Signal(object)

    def __init__(self, window: QMainWindow, session: Session, settings: QSettings,
                 *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.locked = False
        login = session.login or session.me.user.id
        self.idle = IdleWatcher(idle_minutes(settings) * 60, self, clock)
        self.idle.idle.connect(self.lock)
        self.os_lock = SessionLockWatcher(window)
        self.os_lock.sessionLocked.connect(self.lock)
        self.unlocker = Unlocker(login, online=platform_check(session.client.config, login), clock=clock,
                                 remember=lambda password: session.worker.remember_password(password, login))
        self.screen = LockScreen(window, session.me.user.full_name)
        self.screen.hide()
        self.screen.unlockRequested.connect(self.try_unlock)
        self._checked.connect(self._answered, Qt.ConnectionType.QueuedConnection)
        self._title = ""
        self._hidden: list[QWidget] = []
        window.installEventFilter(self)

    def set_clock(self, clock: Callable[[], float]) -> None:
        """Use ``clock`` (monotonic seconds) for idleness and the wrong-try delay (tests: a fake clock)."""
        self.idle.clock = clock
        self.idle.touch()
        self.unlocker.attempts.clock = clock

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.idle.stop()
            self._watch_shortcuts(False)
            return False
        if not self.locked:
            return False
        if event.type() == QEvent.Type.Shortcut:
            return True  # no shortcut acts on the item behind the lock screen (their enabled state is left alone)
        if watched is self.window and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self._cover()
        return False

    def _watch_shortcuts(self, on: bool) -> None:
        """While locked, an application-wide filter swallows shortcuts; off otherwise (it costs every event)."""
        app = QApplication.instance()
        if app is not None:
            (app.installEventFilter if on else app.removeEventFilter)(self)

    def _cover(self) -> None:
        central = self.window.centralWidget()
        self.screen.setGeometry(central.geometry() if central is not None else self.window.rect())
        self.screen.raise_()

    def notice(self, text: str) -> str:
        """What a notification may say: ``text`` when unlocked, nothing particular while locked."""
        return _t("Подробности — после разблокировки") if self.locked else text

    def lock(self) -> None:
        if self.locked:
            return
        self.locked = True
        self._title = self.window.windowTitle()
        self.window.setWindowTitle(_t("POS Desk — заблокировано"))
        app = QApplication.instance()
        tops = app.topLevelWidgets() if isinstance(app, QApplication) else []
        # Other windows (a dialog left open, a detached card) are hidden; a dialog hidden this way is cancelled.
        self._hidden = [w for w in tops if w is not self.window and w.isVisible() and w.isWindow()]
        for widget in self._hidden:
            widget.hide()
        self.window.menuBar().setEnabled(False)
        central = self.window.centralWidget()
        if central is not None:
            central.hide()
        self._watch_shortcuts(True)
        self.screen.reset()
        self.screen.show()
        self._cover()
        self.screen.setFocus()
        self.lockedChanged.emit(True)

    def unlock(self) -> None:
        if not self.locked:
            return
        self.locked = False
        self._watch_shortcuts(False)
        self.screen.hide()
        central = self.window.centralWidget()
        if central is not None:
            central.show()
        self.window.menuBar().setEnabled(True)
        for widget in self._hidden:
            if not widget.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose):
                widget.show()
        self._hidden = []
        self.window.setWindowTitle(self._title)
        self.idle.touch()
        self.lockedChanged.emit(False)

    def try_unlock(self, password: str) -> None:
        """Check ``password`` off the UI thread (the platform when reachable, else the kept hash)."""
        refused = self.unlocker.blocked()
        if refused is not None:
            self._answered(refused)
            return
        kept = kept_record(self.session.reader)  # read here: the reader belongs to the UI thread
        self.screen.checking(True)
        threading.Thread(target=lambda: self._checked.emit(self.unlocker.verify(password, kept)),
                         name="posdesk-unlock", daemon=True).start()

    def _answered(self, verdict: Verdict) -> None:
        if verdict.ok:
            self.unlock()
        else:
            self.screen.refused(verdict.message)
        self.verdict.emit(verdict)
