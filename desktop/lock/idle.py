"""One app-wide inactivity timer: an event filter on QApplication notes the official's input (KeePassXC style)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

# What counts as the official being there: input, not repaints or timers.
ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TabletPress,
})
CHECK_MS = 5_000


class IdleWatcher(QObject):
    """Emits ``idle`` once ``timeout`` seconds pass without input in any window of the application.

    ``clock`` is monotonic seconds (a fake one in tests, which call ``check()`` themselves).
    A ``timeout`` of 0 or less never fires.
    """

    idle = Signal()

    def __init__(self, timeout: float, parent: QObject | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.timeout = timeout
        self.clock = clock
        self.last_input = clock()
        self._fired = False
        app = QApplication.instance()
        assert app is not None, "QApplication first"
        app.installEventFilter(self)  # removed by Qt when this object is destroyed
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY:
            self.touch()
        return False  # only watching: every event goes on as usual

    def stop(self) -> None:
        """The window closed: stop watching (a filter left on the application would slow every event)."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def touch(self) -> None:
        """The official did something: the idle period starts again."""
        self.last_input = self.clock()
        self._fired = False

    def check(self) -> None:
        if self.timeout > 0 and not self._fired and self.clock() - self.last_input >= self.timeout:
            self._fired = True  # once per idle period
            self.idle.emit()
