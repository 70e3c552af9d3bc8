"""The organisation's approval chain (executor → [curator] → head) with the item's current step highlighted."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from desktop.labels import role_name
from offline_cache.domain.model import Role, Status

_CURRENT = "background: #1565c0; color: white; padding: 1px 4px; border-radius: 3px; font-weight: 600;"
_DONE = "color: #2e7d32; padding: 1px 4px;"
_AHEAD = "color: palette(mid); padding: 1px 4px;"


def _t(text: str) -> str:
    return QCoreApplication.translate("ApprovalChain", text)


def current_position(status: str, approval_step: int | None, chain_length: int) -> int | None:
    """Index in [executor, *chain] of whoever holds the item now; past the end when answered; None otherwise."""
    if status in (Status.IN_WORK, Status.RETURNED, Status.INTERIM_ANSWER):
        return 0
    if status == Status.ON_APPROVAL:
        return 1 + min(approval_step or 0, chain_length - 1)
    if status == Status.ANSWERED:
        return chain_length + 1
    return None


class ApprovalChainView(QWidget):
    """«Исполнитель → Куратор → Руководитель», the current step highlighted, done steps green."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.steps: list[QLabel] = []
        self.current: int | None = None

    def show_chain(self, chain: list[Role], status: str, approval_step: int | None) -> None:
        while self._layout.count():
            taken = self._layout.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        self.steps = []
        names = [_t("Исполнитель"), *(role_name(r) for r in chain)]
        self.current = current_position(status, approval_step, len(chain))
        self.setToolTip(_t("Цепочка согласования организации; выделен текущий шаг"))
        for n, name in enumerate(names):
            if n:
                self._layout.addWidget(QLabel("→"))
            label = QLabel(name)
            label.setObjectName(f"chainStep{n}")
            if self.current is not None and n == self.current:
                label.setStyleSheet(_CURRENT)
            elif self.current is not None and n < self.current:
                label.setStyleSheet(_DONE)
            else:
                label.setStyleSheet(_AHEAD)
            self.steps.append(label)
            self._layout.addWidget(label)
        self._layout.addStretch(1)
