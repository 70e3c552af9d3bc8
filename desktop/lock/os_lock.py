"""Noticing that the OS session was locked, so the window locks too.

Covered: Linux through systemd-logind (``org.freedesktop.login1.Session.Lock`` on the system bus, what
``loginctl lock-session`` and most desktops' screen lockers send) and the freedesktop/GNOME screensaver's
``ActiveChanged(true)`` on the session bus, via QtDBus; Windows through WTS session notifications
(``WM_WTSSESSION_CHANGE`` with ``WTS_SESSION_LOCK``, also sent on switching users). Not covered: macOS, and
Linux desktops without logind or a screensaver service on D-Bus; there the idle timer still locks.
"""

from __future__ import annotations

import ctypes
import os
import sys

from PySide6.QtCore import SLOT, QAbstractNativeEventFilter, QByteArray, QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

WM_WTSSESSION_CHANGE = 0x02B1
WTS_SESSION_LOCK = 0x7
NOTIFY_FOR_THIS_SESSION = 0


class SessionLockWatcher(QObject):
    """Emits ``sessionLocked`` when the operating system locks the user's session."""

    sessionLocked = Signal()

    def __init__(self, window: QWidget, *, session_bus: object = None, system_bus: object = None) -> None:
        """``session_bus``/``system_bus``: QDBusConnection to watch instead of the user's own (tests)."""
        super().__init__(window)
        #: What is watched here ("logind", "screensaver", "wts"), for the about box and tests.
        self.covered: list[str] = []
        if sys.platform == "win32":
            self._watch_windows(window)
        elif sys.platform.startswith("linux") or session_bus is not None:
            self._watch_dbus(session_bus, system_bus)

    # --- Linux -------------------------------------------------------------------------------

    def _watch_dbus(self, session_bus: object, system_bus: object) -> None:
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:  # a Qt without D-Bus: the idle timer alone
            return
        system = system_bus if isinstance(system_bus, QDBusConnection) else QDBusConnection.systemBus()
        session = session_bus if isinstance(session_bus, QDBusConnection) else QDBusConnection.sessionBus()
        seat = os.environ.get("XDG_SESSION_ID")
        path = f"/org/freedesktop/login1/session/{seat}" if seat else "/org/freedesktop/login1/session/auto"
        if system.isConnected() and system.connect("org.freedesktop.login1", path, "org.freedesktop.login1.Session",
                                                   "Lock", self, SLOT("_locked()")):  # type: ignore[call-overload]  # str at runtime
            self.covered.append("logind")
        # Any sender: whoever runs the screensaver (GNOME, KDE, xscreensaver bridges); at worst it only locks.
        for iface in ("org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"):
            if session.isConnected() and session.connect("", "", iface, "ActiveChanged", self,
                                                         SLOT("_screensaver(bool)")):  # type: ignore[call-overload]
                self.covered.append(iface)

    @Slot()
    def _locked(self) -> None:
        self.sessionLocked.emit()

    @Slot(bool)
    def _screensaver(self, active: bool) -> None:
        if active:
            self.sessionLocked.emit()

    # --- Windows -----------------------------------------------------------------------------

    def _watch_windows(self, window: QWidget) -> None:  # pragma: no cover - Windows only
        try:
            wtsapi = ctypes.WinDLL("wtsapi32")  # type: ignore[attr-defined,unused-ignore]
            if wtsapi.WTSRegisterSessionNotification(int(window.winId()), NOTIFY_FOR_THIS_SESSION):
                self._filter = _WtsFilter(self)
                app = QApplication.instance()
                if app is not None:
                    app.installNativeEventFilter(self._filter)
                    self.covered.append("wts")
        except (AttributeError, OSError):
            pass


class _WtsFilter(QAbstractNativeEventFilter):  # pragma: no cover - Windows only
    def __init__(self, watcher: SessionLockWatcher) -> None:
        super().__init__()
        self._watcher = watcher

    def nativeEventFilter(self, event_type: QByteArray | bytes | bytearray | memoryview, message: int) -> object:
        raw = event_type.data() if isinstance(event_type, QByteArray) else bytes(event_type)
        if raw == b"windows_generic_MSG":
            from ctypes import wintypes

            msg = wintypes.MSG.from_address(int(message))
            if msg.message == WM_WTSSESSION_CHANGE and msg.wParam == WTS_SESSION_LOCK:
                self._watcher.sessionLocked.emit()
        return False, 0
