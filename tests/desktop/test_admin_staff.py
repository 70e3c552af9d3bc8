"""«Администрирование» → «Сотрудники» in the window: offered to administrators only, add, roles, deactivate, offline."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.admin.staff import AddStaffDialog, RolesDialog, StaffRow, StaffTableModel
from desktop.admin.window import ADMIN_SHORTCUT, AdminWindow
from desktop.dialogs.staff import candidates
from desktop.main_window import MainWindow
from offline_cache.admin import admin_audit_lines
from offline_cache.contract.models import FaultConfig, StaffOut
from offline_cache.domain.model import Action, Role, Status
from offline_cache.queues import QueueId
from tests.desktop.conftest import WindowFactory
from tests.desktop.user_actions import type_text
from tests.world import World

WAIT = 20_000


def open_admin(window: MainWindow, qtbot: QtBot) -> AdminWindow:
    """Open «Администрирование» from the menu action and wait for the platform's staff list."""
    assert window.admin is not None
    window.admin.action.trigger()
    admin = window.admin.window
    assert isinstance(admin, AdminWindow)
    qtbot.waitUntil(lambda: any(r.login for r in admin.staff.model.rows), timeout=WAIT)
    return admin


def select(admin: AdminWindow, staff_id: str) -> None:
    row = admin.staff.model.row_of(staff_id)
    assert row >= 0, staff_id
    admin.staff.table.selectRow(row)


def test_offered_to_administrators_only(open_window: WindowFactory) -> None:
    coordinator = open_window("c-coord")
    assert coordinator.admin is None
    assert "Администрирование" not in [a.text() for a in coordinator.menuBar().actions()]
    admin = open_window("c-admin")
    assert admin.admin is not None
    assert admin.admin.action.shortcut().toString() == ADMIN_SHORTCUT
    same = [a.text() for a in admin.findChildren(QAction) if a.shortcut().toString() == ADMIN_SHORTCUT]
    assert same == ["Администрирование…"], same  # no other action of the window answers to it
    assert "Администрирование" in [a.text() for a in admin.menuBar().actions()]


def test_staff_table_lists_roles_logins_and_absences(world: World, open_window: WindowFactory,
                                                     qtbot: QtBot) -> None:
    admin = open_admin(open_window("c-admin"), qtbot)
    model = admin.staff.model
    assert admin.tabs.tabText(0) == "Сотрудники" and admin.tabs.tabText(1) == "Категории"
    assert {r.staff.id for r in model.rows} == {s for s in world.platform.store.staff() if s.startswith("c-")}
    row = model.row_of("c-coord")
    assert model.index(row, 2).data() == "Координатор"
    assert model.index(row, 3).data() == "c-coord"
    assert model.index(row, 6).data() == "Активен"
    assert admin.banner.isHidden()
    assert admin.staff.add_button.isEnabled()


def test_admin_adds_a_member_and_changes_roles(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    window = open_window("c-admin")
    admin = open_admin(window, qtbot)
    admin.staff.add_button.click()
    dialog = admin.staff.dialog
    assert isinstance(dialog, AddStaffDialog)
    assert not dialog.ok.isEnabled()
    type_text(dialog.full_name, "Петрова Мария Ивановна")
    type_text(dialog.position, "Специалист")
    type_text(dialog.login, "petrova.m")
    type_text(dialog.password, "123")
    assert dialog.problem.text() == "Пароль — не короче 6 символов" and not dialog.ok.isEnabled()
    type_text(dialog.password, "456")
    assert dialog.ok.isEnabled()
    dialog.ok.click()
    qtbot.waitUntil(lambda: any(r.login == "petrova.m" for r in admin.staff.model.rows), timeout=WAIT)
    assert "добавлен" in admin.status.text()
    member = next(m for m in world.platform.store.staff().values() if m.full_name == "Петрова Мария Ивановна")
    assert member.roles == frozenset({Role.EXECUTOR}) and member.org_id == "c"
    # The directory was refreshed: the coordinator's picker, fed from the cache, offers her.
    qtbot.waitUntil(lambda: member.id in {s.id for s in window.session.reader.staff()}, timeout=WAIT)
    select(admin, member.id)
    admin.staff.roles_button.click()
    roles = admin.staff.dialog
    assert isinstance(roles, RolesDialog)
    assert not roles.ok.isEnabled()  # nothing changed yet
    roles.roles.boxes[Role.COORDINATOR].setChecked(True)
    roles.ok.click()
    qtbot.waitUntil(lambda: world.platform.store.staff()[member.id].roles
                    == frozenset({Role.EXECUTOR, Role.COORDINATOR}), timeout=WAIT)
    qtbot.waitUntil(lambda: "Координатор" in (admin.staff.model.index(admin.staff.model.row_of(member.id), 2)
                                             .data() or ""), timeout=WAIT)
    audit = admin_audit_lines(window.session.reader)
    assert [a[2] for a in audit[:2]] == ["roles_changed", "staff_added"]
    assert all(a[1] == "c-admin" for a in audit[:2])


def test_the_window_refuses_leaving_no_coordinator(open_window: WindowFactory, qtbot: QtBot) -> None:
    admin = open_admin(open_window("c-admin"), qtbot)
    select(admin, "c-coord")
    QTest.keyClick(admin.staff.table, Qt.Key.Key_Return)  # Enter on the row: its roles
    dialog = admin.staff.dialog
    assert isinstance(dialog, RolesDialog)
    dialog.roles.boxes[Role.COORDINATOR].setChecked(False)
    dialog.roles.boxes[Role.EXECUTOR].setChecked(True)
    assert "ни одного координатора" in dialog.problem.text()
    assert not dialog.ok.isEnabled()
    dialog.reject()
    # Deactivating the only coordinator: the platform's preview says why, nothing is asked.
    admin.staff.deactivate_button.click()
    qtbot.waitUntil(lambda: "Отключить нельзя" in admin.status.text(), timeout=WAIT)
    assert "координатора" in admin.status.text()
    assert admin.staff.confirm is None
    select(admin, "c-admin")
    assert not admin.staff.deactivate_button.isEnabled()  # not oneself


def test_deactivation_says_what_returns_to_routing_and_the_coordinator_gets_it(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    coord_client = world.client("c-coord")
    routed = []
    for text in ("Фонарь не горит", "Яма у школы"):
        item = world.inject(text=text)
        routed.append(coord_client.act(item.id, Action.ROUTE_TO_EXECUTOR, item.version,
                                       {"executor_id": "c-exec1"}))
    coordinator = open_window("c-coord")
    before = coordinator.counts[QueueId.ROUTING]
    window = open_window("c-admin")
    admin = open_admin(window, qtbot)
    assert admin.staff.model.index(admin.staff.model.row_of("c-exec1"), 5).data() == "2"
    select(admin, "c-exec1")
    admin.staff.deactivate_button.click()
    qtbot.waitUntil(lambda: admin.staff.confirm is not None and admin.staff.confirm.isVisible(), timeout=WAIT)
    box = admin.staff.confirm
    assert box is not None
    assert "Сообщений в работе: 2" in box.text()
    assert all(f"№\u00a0{i.number}" in box.text() for i in routed)
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: "отключён" in admin.status.text(), timeout=WAIT)
    assert "возвращено сообщений: 2" in admin.status.text()
    assert "c-exec1" not in world.platform.store.staff()
    qtbot.waitUntil(lambda: admin.staff.model.index(admin.staff.model.row_of("c-exec1"), 6).data() == "Отключён",
                    timeout=WAIT)
    for item in routed:
        assert world.platform.store.get_item(item.id).status is Status.AWAITING_ROUTING  # type: ignore[union-attr]
    assert admin_audit_lines(window.session.reader)[0][2] == "staff_deactivated"
    # The coordinator's queue shows them after the next sync.
    with qtbot.waitSignal(coordinator.session.worker.bridge.statusChanged, timeout=WAIT,
                          check_params_cb=lambda status, _m: status == "idle"):
        coordinator.session.worker.sync_now()
    coordinator._refresh_now()
    qtbot.waitUntil(lambda: coordinator.counts[QueueId.ROUTING] == before + 2, timeout=WAIT)
    # A deactivated member is no longer offered as an executor (the name stays in the directory).
    people = candidates(coordinator.session.reader, "c", world.clock.now(), ZoneInfo("Asia/Yekaterinburg"))
    assert "c-exec1" not in {p.id for p in people}


def test_offline_the_screens_are_read_only_from_the_cache(world: World, open_window: WindowFactory,
                                                          qtbot: QtBot) -> None:
    window = open_window("c-admin")
    world.client().set_faults(FaultConfig(drop_rate=1.0))
    try:
        window.admin.action.trigger()  # type: ignore[union-attr]
        admin = window.admin.window  # type: ignore[union-attr]
        assert isinstance(admin, AdminWindow)
        qtbot.waitUntil(lambda: admin.banner.isVisible(), timeout=WAIT)
        assert "Только просмотр" in admin.banner.text() and "связи" in admin.banner.text()
        # The cache's staff and categories are shown, and nothing can be changed.
        assert admin.staff.model.row_of("c-coord") >= 0
        assert admin.categories.model.row_of("roads") >= 0
        for button in (admin.staff.add_button, admin.staff.roles_button, admin.staff.deactivate_button,
                       admin.categories.new_button, admin.categories.edit_button, admin.categories.retire_button):
            assert not button.isEnabled(), button.objectName()
        admin.staff.open_add()
        assert admin.staff.dialog is None
        admin.tabs.setCurrentWidget(admin.events)  # the log: this workstation's own lines, said so
        assert "с этого компьютера" in admin.events.source.text()
    finally:
        world.client().set_faults(FaultConfig())
    # Back online: the next sync says so and editing returns.
    with qtbot.waitSignal(window.session.worker.bridge.statusChanged, timeout=WAIT,
                          check_params_cb=lambda status, _m: status == "idle"):
        window.session.worker.sync_now()
    qtbot.waitUntil(lambda: admin.banner.isHidden() and admin.staff.add_button.isEnabled(), timeout=WAIT)


def test_staff_model(qtmodeltester: object) -> None:
    model = StaffTableModel(ZoneInfo("Europe/Moscow"), lambda: datetime.now(UTC))
    model.set_rows([StaffRow(StaffOut(id="a", org_id="c", full_name="<b>Иванов</b>", roles=[Role.ADMIN]),
                             "ivanov", 3),
                    StaffRow(StaffOut(id="b", org_id="c", full_name="Петров", roles=[], active=False))], {})
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]
    assert model.index(0, 0).data() == "<b>Иванов</b>"  # plain text, shown as typed
    assert model.index(1, 6).data() == "Отключён"
    assert model.index(1, 0).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_a_session_started_offline_opens_read_only_at_once(world: World, open_window: WindowFactory,
                                                           qtbot: QtBot) -> None:
    window = open_window("c-admin")
    window.session.offline_reason = "Платформа не принимает подключения"  # as a start without the platform sets it
    window.admin.action.trigger()  # type: ignore[union-attr]
    admin = window.admin.window  # type: ignore[union-attr]
    assert isinstance(admin, AdminWindow)
    assert not admin.ops.online and not admin.banner.isHidden()
    assert "Платформа не принимает подключения" in admin.banner.text()
    assert admin.ops._pending == {}  # nothing was asked of the platform
    assert admin.staff.model.row_of("c-exec1") >= 0 and not admin.staff.add_button.isEnabled()
    assert admin.staff.model.index(admin.staff.model.row_of("c-admin"), 3).data() == ""  # logins: platform only
