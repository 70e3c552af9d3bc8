"""«Сотрудники»: the organisation's staff with roles, absences and deputies; add a member, change roles, deactivate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop.admin.online import AdminOps
from desktop.admin.table import PROBLEM_STYLE, RowsTableModel, confirm, plain_label, rows_view
from desktop.dialogs.common import ok_cancel
from desktop.labels import absence_reason_name, role_name
from desktop.widgets import action_button
from offline_cache.admin import cached_staff
from offline_cache.contract.admin import AdminStaffOut, DeactivationPreview, DeactivationResult, NewStaffRequest
from offline_cache.contract.models import StaffOut
from offline_cache.domain.administration import ASSIGNEE_STATUSES, missing_required_role
from offline_cache.domain.model import Role
from offline_cache.store.cache import Cache

ID_ROLE = Qt.ItemDataRole.UserRole + 1
HEADERS = ("ФИО", "Должность", "Роли", "Логин", "Отсутствие, заместитель", "В работе", "Состояние")
#: How many item numbers the deactivation question lists before «и ещё N».
SHOWN_NUMBERS = 8
#: Roles in the order the dialogs offer them.
ROLE_ORDER = (Role.ADMIN, Role.COORDINATOR, Role.EXECUTOR, Role.HEAD, Role.CURATOR)


def _t(text: str) -> str:
    return QCoreApplication.translate("AdminStaff", text)


@dataclass(frozen=True, slots=True)
class StaffRow:
    """One member as the table shows them; ``open_items`` None when not known (offline: from the cache)."""

    staff: StaffOut
    login: str = ""
    open_items: int | None = None


def roles_text(roles: list[Role] | frozenset[Role]) -> str:
    return ", ".join(role_name(r) for r in ROLE_ORDER if r in roles)


class StaffTableModel(RowsTableModel[StaffRow]):
    """The staff table: plain text (names come from outside), deactivated members greyed."""

    HEADERS = HEADERS
    CONTEXT = "AdminStaff"

    def __init__(self, zone: ZoneInfo, clock: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names: dict[str, str] = {}
        self._zone, self._clock = zone, clock

    def set_rows(self, rows: list[StaffRow], names: dict[str, str]) -> None:
        self.beginResetModel()
        self.rows, self._names = rows, names
        self.endResetModel()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == ID_ROLE:
            return row.staff.id
        if role == Qt.ItemDataRole.ForegroundRole and not row.staff.active:
            return QColor("#8a8a8a")
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 5:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(row, index.column())
        return None

    def _text(self, row: StaffRow, column: int) -> str:
        s = row.staff
        if column == 0:
            return s.full_name
        if column == 1:
            return s.position
        if column == 2:
            return roles_text(s.roles)
        if column == 3:
            return row.login
        if column == 4:
            return self._absence(s)
        if column == 5:
            return "" if row.open_items is None else str(row.open_items)
        return _t("Активен") if s.active else _t("Отключён")

    def _absence(self, s: StaffOut) -> str:
        if s.absence is None:
            return ""
        start = s.absence.starts_at.astimezone(self._zone).strftime("%d.%m.%Y")
        end = s.absence.ends_at.astimezone(self._zone).strftime("%d.%m.%Y")
        text = _t("{a} – {b}").format(a=start, b=end)
        if s.absence.reason:
            text += f" ({absence_reason_name(s.absence.reason)})"
        if s.deputy_id:
            text += _t("; замещает {name}").format(name=self._names.get(s.deputy_id, s.deputy_id))
        return text

    def row_of(self, staff_id: str) -> int:
        return next((n for n, r in enumerate(self.rows) if r.staff.id == staff_id), -1)


class RolesBox(QWidget):
    """A check box per role."""

    def __init__(self, chosen: list[Role] | frozenset[Role] = frozenset(), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[Role, QCheckBox] = {}
        for role in ROLE_ORDER:
            box = QCheckBox(role_name(role))
            box.setObjectName(f"role_{role.value}")
            box.setChecked(role in chosen)
            layout.addWidget(box)
            self.boxes[role] = box

    def roles(self) -> list[Role]:
        return [r for r, box in self.boxes.items() if box.isChecked()]


class AddStaffDialog(QDialog):
    """Login, name, position, roles and the first password of a new member."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_t("Новый сотрудник"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.full_name, self.position, self.login, self.password = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        for widget, name in ((self.full_name, "staffFullName"), (self.position, "staffPosition"),
                             (self.login, "staffLogin"), (self.password, "staffPassword")):
            widget.setObjectName(name)
            widget.textChanged.connect(lambda _t: self._check())
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.roles = RolesBox([Role.EXECUTOR])
        for box in self.roles.boxes.values():
            box.toggled.connect(lambda _on: self._check())
        form.addRow(_t("ФИО:"), self.full_name)
        form.addRow(_t("Должность:"), self.position)
        form.addRow(_t("Логин:"), self.login)
        form.addRow(_t("Первый пароль:"), self.password)
        form.addRow(_t("Роли:"), self.roles)
        layout.addLayout(form)
        self.problem = QLabel()
        self.problem.setObjectName("staffProblem")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet(PROBLEM_STYLE)
        layout.addWidget(self.problem)
        buttons, self.ok = ok_cancel(_t("Добавить"), self.accept, self.reject)
        layout.addWidget(buttons)
        self._check()

    def request(self) -> NewStaffRequest | None:
        try:
            return NewStaffRequest(login=self.login.text().strip(), full_name=self.full_name.text().strip(),
                                   position=self.position.text().strip(), roles=self.roles.roles(),
                                   password=self.password.text())
        except ValueError:
            return None

    def _check(self) -> None:
        problem = ""
        if not self.full_name.text().strip():
            problem = _t("Укажите ФИО")
        elif not self.login.text().strip():
            problem = _t("Укажите логин")
        elif self.request() is None and len(self.password.text()) >= 6 and self.roles.roles():
            problem = _t("Логин — латинские буквы, цифры и . _ @ -, без пробелов")
        elif len(self.password.text()) < 6:
            problem = _t("Пароль — не короче 6 символов")
        elif not self.roles.roles():
            problem = _t("Отметьте хотя бы одну роль")
        self.problem.setText(problem)
        self.ok.setEnabled(not problem)


class RolesDialog(QDialog):
    """The member's roles; refuses up front what would leave nobody to administer or to route."""

    def __init__(self, member: StaffOut, colleagues: list[StaffOut], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_t("Роли: {name}").format(name=member.full_name))
        self.member, self._colleagues = member, colleagues
        layout = QVBoxLayout(self)
        self.roles = RolesBox(member.roles)
        layout.addWidget(self.roles)
        self.problem = plain_label("rolesProblem", PROBLEM_STYLE)
        layout.addWidget(self.problem)
        buttons, self.ok = ok_cancel(_t("Сохранить"), self.accept, self.reject)
        layout.addWidget(buttons)
        for box in self.roles.boxes.values():
            box.toggled.connect(lambda _on: self._check())
        self._check()

    def _check(self) -> None:
        roles = self.roles.roles()
        problem = _t("Отметьте хотя бы одну роль") if not roles else missing_required_role(
            [(s.id, frozenset(s.roles), s.active) for s in self._colleagues],
            changed_id=self.member.id, new_roles=frozenset(roles)) or ""
        self.problem.setText(problem)
        self.ok.setEnabled(not problem and set(roles) != set(self.member.roles))


class StaffPage(QWidget):
    """The staff table and its actions; editing only while the platform is reachable."""

    def __init__(self, reader: Cache, ops: AdminOps, org_id: str, zone: ZoneInfo, clock: Callable[[], datetime],
                 say: Callable[[str, bool], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adminStaffPage")
        self._reader, self._ops, self._org_id, self._say = reader, ops, org_id, say
        self.dialog: QDialog | None = None
        self.confirm: QMessageBox | None = None
        layout = QVBoxLayout(self)
        self.model = StaffTableModel(zone, clock, self)
        self.table = rows_view("adminStaffTable", self.model, stretch=4)
        self.table.activated.connect(lambda _i: self.open_roles())  # Enter or a double click
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button = action_button(row, "staffAdd", _t("Добавить…"), "Ctrl+N", self.open_add)
        self.roles_button = action_button(row, "staffRoles", _t("Роли…"), "Ctrl+R", self.open_roles)
        self.deactivate_button = action_button(row, "staffDeactivate", _t("Отключить…"), "Ctrl+Del",
                                               self.ask_deactivate)
        row.addStretch(1)
        note = QLabel(_t("Отключённые сотрудники не удаляются: их имена остаются в истории сообщений."))
        note.setStyleSheet("color: palette(mid);")
        row.addWidget(note)
        layout.addLayout(row)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._enable())
        ops.onlineChanged.connect(lambda _on, _why: self._enable())
        self.show_cached()

    # --- showing ----------------------------------------------------------------------------

    def show_cached(self) -> None:
        """The staff as last synced (offline, and until the platform answers)."""
        staff = cached_staff(self._reader, self._org_id)
        marks = ",".join("?" * len(ASSIGNEE_STATUSES))
        counts = dict(self._reader.db.execute(
            f"SELECT assignee_id, count(*) FROM items WHERE status IN ({marks}) AND assignee_id IS NOT NULL "
            "GROUP BY assignee_id", [s.value for s in ASSIGNEE_STATUSES]).fetchall())
        self._show([StaffRow(s, "", int(counts.get(s.id, 0)) if s.active else None) for s in staff])

    def reload(self) -> None:
        """Ask the platform for the staff with logins and open items (online)."""
        self._ops.call(lambda client: client.admin_staff(), self._arrived, lambda _why: self.show_cached())

    def _arrived(self, result: list[AdminStaffOut]) -> None:
        rows = [StaffRow(r.staff, r.login, r.open_items if r.staff.active else None) for r in result]
        self._show(sorted(rows, key=lambda r: (not r.staff.active, r.staff.full_name)))

    def _show(self, rows: list[StaffRow]) -> None:
        chosen = self.current_id()
        names = {s.id: s.full_name for s in self._reader.staff()} | {r.staff.id: r.staff.full_name for r in rows}
        self.model.set_rows(rows, names)
        row = self.model.row_of(chosen) if chosen else -1
        self.table.selectRow(max(row, 0))
        self._enable()

    def current(self) -> StaffRow | None:
        row = self.table.currentIndex().row()
        return self.model.row_at(row)

    def current_id(self) -> str:
        current = self.current()
        return current.staff.id if current is not None else ""

    def _enable(self) -> None:
        online = self._ops.online
        current = self.current()
        self.add_button.setEnabled(online)
        self.roles_button.setEnabled(online and current is not None and current.staff.active)
        self.deactivate_button.setEnabled(online and current is not None and current.staff.active
                                          and current.staff.id != self._ops.user_id)

    # --- changing ---------------------------------------------------------------------------

    def open_add(self) -> None:
        if not self.add_button.isEnabled():
            return
        dialog = AddStaffDialog(self)
        dialog.accepted.connect(lambda: self._add(dialog))
        self.dialog = dialog
        dialog.open()

    def _add(self, dialog: AddStaffDialog) -> None:
        req = dialog.request()
        if req is None:
            return
        self._say(_t("Добавляем сотрудника…"), False)
        self._ops.call(lambda client: client.add_staff(req), self._added, self._failed,
                       audit=lambda s: ("staff_added", s.id, f"Добавлен сотрудник {s.full_name} "
                                        f"(логин {req.login}), роли: {roles_text(s.roles)}"), refresh=True)

    def _added(self, member: StaffOut) -> None:
        self._say(_t("Сотрудник {name} добавлен. Первый пароль сообщите ему лично.").format(name=member.full_name),
                  False)
        self.reload()

    def open_roles(self) -> None:
        current = self.current()
        if current is None or not self.roles_button.isEnabled():
            return
        dialog = RolesDialog(current.staff, [r.staff for r in self.model.rows], self)
        dialog.accepted.connect(lambda: self._set_roles(current.staff, dialog.roles.roles()))
        self.dialog = dialog
        dialog.open()

    def _set_roles(self, member: StaffOut, roles: list[Role]) -> None:
        self._say(_t("Сохраняем роли…"), False)
        before = roles_text(member.roles)
        self._ops.call(lambda client: client.set_roles(member.id, roles), self._roles_set, self._failed,
                       audit=lambda s: ("roles_changed", s.id, f"Роли сотрудника {s.full_name}: {before} → "
                                        f"{roles_text(s.roles)}"), refresh=True)

    def _roles_set(self, member: StaffOut) -> None:
        self._say(_t("Роли сотрудника {name}: {roles}.").format(name=member.full_name, roles=roles_text(member.roles)),
                  False)
        self.reload()

    def ask_deactivate(self) -> None:
        """Ask the platform what deactivating would do, then confirm with the official saying it."""
        current = self.current()
        if current is None or not self.deactivate_button.isEnabled():
            return
        member = current.staff
        self._say(_t("Проверяем, что произойдёт при отключении…"), False)
        self._ops.call(lambda client: client.deactivation_preview(member.id),
                       lambda preview: self._confirm(member, preview), self._failed)

    def _confirm(self, member: StaffOut, preview: DeactivationPreview) -> None:
        if preview.refusal:
            self._say(_t("Отключить нельзя: {why}").format(why=preview.refusal), True)
            return
        self._say("", False)
        text = _t("Отключить сотрудника {name}? Войти в систему сотрудник больше не сможет; в истории сообщений "
                  "имя останется.").format(name=member.full_name)
        if preview.open_items:
            shown = ", ".join(f"№\u00a0{n}" for n in preview.numbers[:SHOWN_NUMBERS])
            more = len(preview.numbers) - SHOWN_NUMBERS
            if more > 0:
                shown += _t(" и ещё {n}").format(n=more)
            text += "\n\n" + _t("Сообщений в работе: {n}. Они вернутся на распределение координатору: {nums}."
                                ).format(n=preview.open_items, nums=shown)
        else:
            text += "\n\n" + _t("Сообщений в работе нет.")
        self.confirm = confirm(self, "deactivateConfirm", _t("Отключение сотрудника"), text, _t("Отключить"),
                               lambda: self._deactivate(member))

    def _deactivate(self, member: StaffOut) -> None:
        self._say(_t("Отключаем…"), False)
        self._ops.call(lambda client: client.deactivate(member.id), self._deactivated, self._failed,
                       audit=lambda r: ("staff_deactivated", member.id,
                                        f"Отключён сотрудник {member.full_name}; возвращено на распределение: "
                                        f"{r.returned_items}"), refresh=True)

    def _deactivated(self, result: DeactivationResult) -> None:
        self._say(_t("Сотрудник {name} отключён. На распределение возвращено сообщений: {n}.").format(
            name=result.staff.full_name, n=result.returned_items), False)
        self.reload()

    def _failed(self, reason: str) -> None:
        self._say(reason, True)
