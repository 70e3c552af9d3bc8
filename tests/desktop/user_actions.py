"""Counting an official's effort: every simulated click, key press or typed text is one user action."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot


class UserActions:
    """Simulates input through qtbot and counts it, so a test can assert «in ≤ N actions»."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.count = 0

    def click(self, widget: QWidget, at: QPoint | None = None) -> None:
        self.count += 1
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=at if at is not None else widget.rect().center())

    def key(self, widget: QWidget, key: Qt.Key,
            modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self.count += 1
        self.qtbot.keyClick(widget, key, modifiers)

    def type(self, widget: QWidget, text: str) -> None:
        """Typing one text (a name, a comment) is one action: the official's thought, not each letter."""
        self.count += 1
        type_text(widget, text)


def type_text(widget: QWidget, text: str) -> None:
    """Key presses carrying ``text``, Cyrillic included (QTest.keyClicks accepts only ASCII)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))
