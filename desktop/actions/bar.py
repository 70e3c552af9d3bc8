"""The card's action bar: one button per offered action, and the inline executor picker beside the routing term."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.dialogs.staff import StaffPicker
from offline_cache.domain.model import Action

#: Buttons per row: the card is narrow, long Russian labels need the room.
COLUMNS = 2
_STYLES = {
    Action.APPROVE: "background: #2e7d32; color: white; font-weight: 600;",
    Action.SUBMIT_FOR_APPROVAL: "background: #1565c0; color: white; font-weight: 600;",
    Action.ROUTE_TO_EXECUTOR: "background: #1565c0; color: white; font-weight: 600;",
    Action.REJECT: "color: #c62828;",
    Action.RETURN_FOR_REVISION: "color: #b26a00; font-weight: 600;",
}


def _t(text: str) -> str:
    return QCoreApplication.translate("ActionBar", text)


class ActionBar(QWidget):
    """Buttons for exactly the offered actions (each triggers its window action, shortcut in the tooltip)."""

    def __init__(self, actions: dict[Action, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("actionBar")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.routing = QWidget()
        routing = QVBoxLayout(self.routing)
        routing.setContentsMargins(0, 0, 0, 0)
        self.routing_term = QLabel()
        self.routing_term.setObjectName("routingTerm")
        self.routing_term.setStyleSheet("font-weight: 600;")
        routing.addWidget(self.routing_term)
        self.picker = StaffPicker()
        self.picker.setObjectName("inlineStaffPicker")
        self.picker.list.setMaximumHeight(170)
        routing.addWidget(self.picker)
        outer.addWidget(self.routing)
        self._grid = QGridLayout()
        outer.addLayout(self._grid)
        self.buttons: dict[Action, QPushButton] = {}
        for action, qaction in actions.items():
            shortcut = qaction.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            button = QPushButton(f"{qaction.text()}  {shortcut}")  # the shortcut is learnt by seeing it
            button.setObjectName(f"act_{action.value}")
            button.setToolTip(_t("{name} ({keys})").format(name=qaction.text().rstrip("…"), keys=shortcut))
            button.setStyleSheet(_STYLES.get(action, ""))
            button.clicked.connect(qaction.trigger)
            self.buttons[action] = button
        self.empty = QLabel(_t("Действий с этим сообщением у вас нет"))
        self.empty.setObjectName("noActions")
        self.empty.setStyleSheet("color: palette(mid);")
        outer.addWidget(self.empty)
        self.show_offered([])

    def show_offered(self, offered: list[Action]) -> None:
        for button in self.buttons.values():
            self._grid.removeWidget(button)
            button.hide()
        visible = [a for a in self.buttons if a in offered]  # the table's order: routing first, approval last
        for n, action in enumerate(visible):
            self._grid.addWidget(self.buttons[action], n // COLUMNS, n % COLUMNS)
            self.buttons[action].show()
        self.empty.setVisible(not visible)
        self.routing.setVisible(Action.ROUTE_TO_EXECUTOR in offered)

    def visible_actions(self) -> list[Action]:
        return [a for a, b in self.buttons.items() if not b.isHidden()]
