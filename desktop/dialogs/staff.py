"""Staff picker of the own organisation: type-ahead, each person's open items and absence with the deputy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dialogs.common import ok_cancel
from desktop.labels import absence_reason_name
from offline_cache.domain.model import Role, Status
from offline_cache.store.cache import Cache
from offline_cache.store.items import normalise

#: Items that still weigh on their assignee (for the «в работе» count beside each name).
_LOAD_STATUSES = (Status.IN_WORK.value, Status.RETURNED.value, Status.ON_APPROVAL.value,
                  Status.INTERIM_ANSWER.value)


def _t(text: str) -> str:
    return QCoreApplication.translate("StaffPicker", text)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One person who can be made the executor, with what a coordinator weighs when choosing."""

    id: str
    name: str
    position: str
    open_items: int
    absence: str  # "" when present; else «отсутствует до …, причина; замещает …»


def candidates(reader: Cache, org_id: str, now: datetime, zone: ZoneInfo,
               exclude: frozenset[str] = frozenset()) -> list[Candidate]:
    """Executors and coordinators of ``org_id`` (present ones first), each with their open items."""
    staff = reader.staff()
    names = {s.id: s.full_name for s in staff}
    result = []
    marks = ",".join("?" * len(_LOAD_STATUSES))
    for s in staff:
        if s.org_id != org_id or s.id in exclude or not s.active \
                or not set(s.roles) & {Role.EXECUTOR, Role.COORDINATOR}:
            continue
        # One indexed lookup per person (assignee_id, status): cheap with any number of cached items.
        count = reader.db.execute(f"SELECT count(*) FROM items WHERE assignee_id = ? AND status IN ({marks})",
                                  [s.id, *_LOAD_STATUSES]).fetchone()[0]
        absence = ""
        if s.absence is not None and s.absence.starts_at <= now < s.absence.ends_at:
            until = s.absence.ends_at.astimezone(zone).strftime("%d.%m.%Y")
            absence = _t("отсутствует до {d}").format(d=until)
            if s.absence.reason:
                absence += f" ({absence_reason_name(s.absence.reason)})"
            if s.deputy_id:
                absence += _t("; замещает {name}").format(name=names.get(s.deputy_id, s.deputy_id))
        result.append(Candidate(s.id, s.full_name, s.position, int(count), absence))
    return sorted(result, key=lambda c: (bool(c.absence), c.name))


class StaffPicker(QWidget):
    """A filter box over the list of candidates; typing narrows, Up/Down move, Enter picks.

    Signals:
        picked(str): a person was chosen with Enter or a double click.
        currentChanged(str): the highlighted person ("" when none).
    """

    picked = Signal(str)
    currentChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.filter = QLineEdit()
        self.filter.setObjectName("staffFilter")
        self.filter.setPlaceholderText(_t("Начните вводить фамилию…"))
        self.filter.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setObjectName("staffList")
        self.list.setWordWrap(True)  # long positions and absences wrap in the narrow card
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        self._all: list[Candidate] = []
        self.filter.textChanged.connect(self._narrow)
        self.filter.installEventFilter(self)
        self.list.itemDoubleClicked.connect(lambda it: self.picked.emit(it.data(Qt.ItemDataRole.UserRole)))
        self.list.itemActivated.connect(lambda it: self.picked.emit(it.data(Qt.ItemDataRole.UserRole)))
        self.list.currentItemChanged.connect(lambda _c, _p: self.currentChanged.emit(self.current_id()))

    def set_candidates(self, people: list[Candidate]) -> None:
        self._all = people
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.blockSignals(False)
        self._narrow("")

    def recount(self, people: list[Candidate]) -> None:
        """The same people counted again: the typed filter and the highlighted person stay."""
        current = self.current_id()
        self._all = people
        self._narrow(self.filter.text())
        for row in range(self.list.count()):
            if current and self.list.item(row).data(Qt.ItemDataRole.UserRole) == current:
                self.list.setCurrentRow(row)

    def _narrow(self, text: str) -> None:
        words = normalise(text).split()
        self.list.clear()
        for person in self._all:
            if all(w in normalise(person.name) for w in words):
                line = _t("{name} — в работе: {n}").format(name=person.name, n=person.open_items)
                details = " · ".join(part for part in (person.position, person.absence) if part)
                entry = QListWidgetItem(f"{line}\n    {details}" if details else line)
                entry.setToolTip(entry.text())
                entry.setData(Qt.ItemDataRole.UserRole, person.id)
                if person.absence:
                    entry.setForeground(Qt.GlobalColor.darkGray)
                self.list.addItem(entry)
        if words and self.list.count():
            self.list.setCurrentRow(0)  # type-ahead: the best match is ready for Enter

    def current_id(self) -> str:
        entry = self.list.currentItem()
        return str(entry.data(Qt.ItemDataRole.UserRole)) if entry is not None and entry.isSelected() else ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up/Down/Enter in the filter box act on the list, so picking never needs the mouse.
        if watched is self.filter and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.list.count():
                row = self.list.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, row)))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current_id():
                self.picked.emit(self.current_id())
                return True
        return super().eventFilter(watched, event)


class StaffPickerDialog(QDialog):
    """Choose an executor of the own organisation (route or reassign), with an optional comment."""

    def __init__(self, title: str, people: list[Candidate], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(520, 420)
        layout = QVBoxLayout(self)
        self.picker = StaffPicker()
        self.picker.set_candidates(people)
        layout.addWidget(self.picker)
        layout.addWidget(QLabel(_t("Комментарий исполнителю (необязательно):")))
        self.comment = QLineEdit()
        self.comment.setObjectName("routeComment")
        layout.addWidget(self.comment)
        self.buttons, self.ok = ok_cancel(_t("Назначить"), self.accept, self.reject)
        self.ok.setEnabled(False)
        layout.addWidget(self.buttons)
        self.picker.currentChanged.connect(lambda person: self.ok.setEnabled(bool(person)))
        self.picker.picked.connect(lambda _p: self.accept())
        self.picker.filter.setFocus()

    def payload(self) -> dict[str, object]:
        result: dict[str, object] = {"executor_id": self.picker.current_id()}
        if self.comment.text().strip():
            result["comment"] = self.comment.text().strip()
        return result
