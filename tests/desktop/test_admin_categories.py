"""«Администрирование» → «Категории» in the window: the Term rule checked in Russian, later items only, retiring."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.admin.categories import APPLIES_LATER, CategoryDialog, CategoryTableModel
from desktop.admin.events import EventRow, EventTableModel
from desktop.admin.window import AdminWindow, register_page
from offline_cache.admin import CachedCategory, admin_audit_lines, cached_categories
from offline_cache.domain.deadlines import TermKind, calendar_term_end
from tests.desktop.conftest import WindowFactory
from tests.desktop.test_admin_staff import WAIT, open_admin
from tests.desktop.user_actions import type_text
from tests.world import World


def categories_tab(admin: AdminWindow, qtbot: QtBot) -> None:
    admin.tabs.setCurrentWidget(admin.categories)
    qtbot.waitUntil(lambda: admin.categories.model.row_of("roads") >= 0, timeout=WAIT)


def select(admin: AdminWindow, code: str) -> None:
    row = admin.categories.model.row_of(code)
    assert row >= 0, code
    admin.categories.table.selectRow(row)


def choose_kind(dialog: CategoryDialog, kind: TermKind) -> None:
    dialog.kind.setCurrentIndex(dialog.kind.findData(kind.value))


def test_the_term_rule_is_checked_in_the_window(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    window = open_window("c-admin")
    admin = open_admin(window, qtbot)
    categories_tab(admin, qtbot)
    model = admin.categories.model
    assert model.index(model.row_of("light"), 2).data() == "8 дн. — фаст-трек 1 уровня"
    before = world.inject(category="snow")
    select(admin, "snow")
    admin.categories.edit_button.click()
    dialog = admin.categories.dialog
    assert isinstance(dialog, CategoryDialog)
    assert dialog.findChild(object, "categoryAppliesLater").text() == APPLIES_LATER  # type: ignore[union-attr]
    assert dialog.term_kind() is TermKind.CUSTOM and dialog.days.value() == 5 and dialog.days.isEnabled()
    dialog.days.setValue(30)
    assert dialog.problem.text() == "Иной фаст-трек — от 1 до 29 дней (короче стандартных 30)"
    assert not dialog.ok.isEnabled()
    choose_kind(dialog, TermKind.ACCELERATED)  # a fixed kind: its days by regulation, not editable
    assert dialog.days.value() == 10 and not dialog.days.isEnabled() and dialog.ok.isEnabled()
    choose_kind(dialog, TermKind.CUSTOM)
    dialog.days.setValue(3)
    assert dialog.problem.text() == "" and dialog.ok.isEnabled()
    dialog.ok.click()
    qtbot.waitUntil(lambda: "сохранена" in admin.status.text(), timeout=WAIT)
    assert "зарегистрированным после сохранения" in admin.status.text()
    stored = {c.code: c for c in world.platform.store.categories("c")}["snow"]
    assert (stored.term_kind, stored.term_days) == (TermKind.CUSTOM, 3)
    qtbot.waitUntil(lambda: model.index(model.row_of("snow"), 2).data() == "3 дн. — иной фаст-трек", timeout=WAIT)
    # Later items get the new term; the earlier one keeps its due date.
    after = world.inject(category="snow")
    assert after.due_at == calendar_term_end(after.registered_at, 3, "Asia/Yekaterinburg")
    assert world.platform.store.get_item(before.id).due_at == before.due_at  # type: ignore[union-attr]
    # The workstation's cache has the new term after the refresh the change asked for.
    qtbot.waitUntil(lambda: {c.code: c.term_days for c in cached_categories(window.session.reader)}["snow"] == 3,
                    timeout=WAIT)
    assert admin_audit_lines(window.session.reader)[0][2] == "category_changed"
    # «Журнал изменений»: the platform's history, the change on top with who made it.
    admin.tabs.setCurrentWidget(admin.events)
    events = admin.events.model
    qtbot.waitUntil(lambda: events.rowCount() > 0 and "3 дн." in events.index(0, 2).data(), timeout=WAIT)
    assert events.index(0, 1).data() == "Сотрудник c-admin"
    assert "UTC+5" in str(events.headerData(0, Qt.Orientation.Horizontal))


def test_a_subcategory_is_added_and_a_category_retired(world: World, open_window: WindowFactory,
                                                       qtbot: QtBot) -> None:
    admin = open_admin(open_window("c-admin"), qtbot)
    categories_tab(admin, qtbot)
    select(admin, "roads")
    admin.categories.sub_button.click()
    dialog = admin.categories.dialog
    assert isinstance(dialog, CategoryDialog)
    assert dialog.code.text() == "roads."
    type_text(dialog.code, "pits")
    assert dialog.problem.text() == "Укажите название"
    type_text(dialog.name, "Ямы на дорогах")
    choose_kind(dialog, TermKind.FAST_TRACK_2)
    assert dialog.days.value() == 10 and dialog.ok.isEnabled()
    dialog.ok.click()
    model = admin.categories.model
    qtbot.waitUntil(lambda: model.row_of("roads.pits") >= 0, timeout=WAIT)
    row = model.row_of("roads.pits")
    assert row == model.row_of("roads") + 1  # under its category
    assert model.index(row, 0).data() == "    └ Ямы на дорогах"
    assert {c.code: c for c in world.platform.store.categories("c")}["roads.pits"].parent_code == "roads"
    # A code already taken is refused before sending.
    select(admin, "roads")
    admin.categories.sub_button.click()
    again = admin.categories.dialog
    assert isinstance(again, CategoryDialog)
    type_text(again.code, "pits")
    assert again.problem.text() == "Код «roads.pits» уже занят"
    again.reject()
    # Retire «Освещение»: asked first, then greyed and no longer editable.
    select(admin, "light")
    admin.categories.retire_button.click()
    box = admin.categories.confirm
    assert box is not None and "Новые сообщения в неё больше не поступят" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: model.index(model.row_of("light"), 3).data() == "Выведена из употребления",
                    timeout=WAIT)
    select(admin, "light")
    assert not admin.categories.edit_button.isEnabled() and not admin.categories.retire_button.isEnabled()
    assert {c.code: c for c in world.platform.store.categories("c")}["light"].retired


def test_more_tabs_can_be_added(open_window: WindowFactory, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QLabel

    register_page("Проба", lambda window: QLabel(f"ops online: {window.ops.online}"))
    try:
        admin = open_admin(open_window("c-admin"), qtbot)
        titles = [admin.tabs.tabText(i) for i in range(admin.tabs.count())]
        assert titles == ["Сотрудники", "Категории", "Проба", "Журнал изменений"]
        assert admin.add_page("Ещё", QLabel("x")) == 3  # before the log, which stays last
    finally:
        from desktop.admin import window as admin_window

        admin_window._EXTRA_PAGES.clear()


def test_event_model(qtmodeltester: object) -> None:
    model = EventTableModel(ZoneInfo("Asia/Yekaterinburg"))
    model.set_rows([EventRow(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), "Админ", "Добавлен сотрудник <i>X</i>")])
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]
    assert model.index(0, 0).data() == "10.03.2026 14:00"


def test_category_model(qtmodeltester: object) -> None:
    model = CategoryTableModel()
    model.set_rows([CachedCategory("roads.pits", "Ямы", "roads", TermKind.FAST_TRACK_1, 8),
                    CachedCategory("roads", "Дороги", None, TermKind.STANDARD, 30),
                    CachedCategory("snow", "Снег", None, TermKind.CUSTOM, 5, retired=True)])
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]
    assert [c.code for c in model.rows] == ["roads", "roads.pits", "snow"]
    assert model.index(2, 3).data() == "Выведена из употребления"
