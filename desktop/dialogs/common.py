"""Shared parts of the action dialogs: a mandatory-text box and OK/Cancel that wait for it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox, QPlainTextEdit, QPushButton


def plain_editor(name: str, placeholder: str = "") -> QPlainTextEdit:
    """A plain-text box (pasted rich text arrives as plain text)."""
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)  # Tab reaches OK, so a dialog is done without the mouse
    return box


def ok_cancel(ok_text: str, accept: Callable[[], None], reject: Callable[[], None]) -> tuple[QDialogButtonBox,
                                                                                              QPushButton]:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setObjectName("dialogOk")
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
        QCoreApplication.translate("ActionDialogs", "Отмена"))
    buttons.accepted.connect(accept)
    buttons.rejected.connect(reject)
    return buttons, ok
