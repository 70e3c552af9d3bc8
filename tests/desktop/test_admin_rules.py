"""«Авторазбор» and «Шаблоны организации» (issue 14) with real widgets over the training platform."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.admin.online import AdminOps
from desktop.admin.org_templates import OrgTemplatesPage
from desktop.admin.rule_dialog import RuleDialog
from desktop.admin.rules import AutoRulesPage
from desktop.admin.window import AdminWindow
from desktop.main_window import MainWindow
from desktop.session import Session, training_session
from offline_cache.admin import admin_audit_lines
from offline_cache.admin_rules import AdminApi, cached_rules
from offline_cache.contract.admin_rules import AutoRuleIn, OrgTemplateIn
from offline_cache.domain.model import Status
from tests.desktop.conftest import WindowFactory
from tests.world import PASSWORD, World
from training_platform.auto_rules import stored_rules

ZONE = ZoneInfo("Asia/Yekaterinburg")
WAIT = 20_000


@pytest.fixture
def session(world: World, qtbot: QtBot) -> Iterator[Callable[[str], Session]]:
    opened: list[Session] = []

    def make(user: str = "c-admin") -> Session:
        s = training_session(world.url, user, PASSWORD)
        opened.append(s)
        with qtbot.waitSignal(s.worker.bridge.statusChanged, timeout=WAIT,
                              check_params_cb=lambda status, _m: status == "idle"):
            s.worker.sync_now()
        return s

    yield make
    for s in opened:
        s.close()


class Said:
    def __init__(self) -> None:
        self.lines: list[tuple[str, bool]] = []

    def __call__(self, text: str, problem: bool) -> None:
        self.lines.append((text, problem))

    @property
    def last(self) -> str:
        return self.lines[-1][0] if self.lines else ""


def rules_page(s: Session, world: World, qtbot: QtBot, said: Said, *, offline: str = "") -> AutoRulesPage:
    ops = AdminOps(s.worker, user_id=s.me.user.id, offline_reason=offline)
    page = AutoRulesPage(s.reader, ops, s.me.organisation.id, ZONE, world.clock.now, said)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


def fill(dialog: RuleDialog, name: str, codes: set[str], *, executor: str | None = None,
         org: str | None = None) -> None:
    dialog.name.setText(name)
    for i in range(dialog.categories.count()):
        entry = dialog.categories.item(i)
        wanted = entry.data(Qt.ItemDataRole.UserRole) in codes
        entry.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
    if executor is not None:
        dialog.to_executor.setChecked(True)
        dialog.executor.setCurrentIndex(dialog.executor.findData(executor))
    if org is not None:
        dialog.to_org.setChecked(True)
        dialog.org.setCurrentIndex(dialog.org.findData(org))
    dialog.check()


def test_rules_are_created_ordered_and_deleted_from_the_page(session: Callable[[str], Session], world: World,
                                                            qtbot: QtBot, qtmodeltester: object) -> None:
    s, said = session("c-admin"), Said()
    page = rules_page(s, world, qtbot, said)
    page.open_new()
    assert page.dialog is not None
    fill(page.dialog, "Свет — Никитиной", {"light"}, executor="c-exec2")
    assert page.dialog.ok.isEnabled()
    page.dialog.ok.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and not page._busy, timeout=WAIT)
    assert "сохранено" in said.last
    page.open_new()
    fill(page.dialog, "Дороги — в поселение", {"roads"}, org="v")
    page.dialog.ok.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 and not page._busy, timeout=WAIT)
    qtmodeltester.check(page.model)  # type: ignore[attr-defined]
    assert page.current() is not None and page.current().name == "Дороги — в поселение"  # type: ignore[union-attr]
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=10_000)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)  # «Выше» by its shortcut
    qtbot.waitUntil(lambda: page.model.rules[0].name == "Дороги — в поселение" and not page._busy,
                    timeout=WAIT)
    with world.platform.store.lock:
        assert [r.name for r in stored_rules(world.platform.store, "c")] == ["Дороги — в поселение",
                                                                              "Свет — Никитиной"]
    page.open_edit()  # the selected rule, «Дороги — в поселение», is renamed
    assert page.dialog is not None and page.dialog.name.text() == "Дороги — в поселение"
    page.dialog.name.setText("Дороги — поселению")
    page.dialog.ok.click()
    qtbot.waitUntil(lambda: page.model.rules[0].version == 2 and not page._busy, timeout=WAIT)
    assert page.model.rules[0].name == "Дороги — поселению" and "версия 2" in said.last
    page.ask_delete()
    assert page.confirm is not None
    page.confirm.done(page.confirm.StandardButton.Yes.value)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and not page._busy, timeout=WAIT)
    actions = [line[2] for line in admin_audit_lines(s.reader)]
    assert actions == ["auto_rule_deleted", "auto_rule_updated", "auto_rules_reordered", "auto_rule_created",
                       "auto_rule_created"]
    events = [e.action for e in s.client.admin_events()]
    assert events[:5] == actions


def test_conflicts_are_shown_before_saving(session: Callable[[str], Session], world: World, qtbot: QtBot) -> None:
    AdminApi(world.client("c-admin")).create_rule(AutoRuleIn(name="Дороги", category_codes=["roads"],
                                                             target_org_id="v"))
    s, said = session("c-admin"), Said()
    page = rules_page(s, world, qtbot, said)
    page.open_new()
    dialog = page.dialog
    assert dialog is not None
    fill(dialog, "Дороги — Павлову", {"roads"}, executor="c-exec3")
    assert "другой получатель" in dialog.problems.text() and dialog.ok.isEnabled()
    assert dialog.ok.text() == "Сохранить, несмотря на замечания"
    fill(dialog, "Ничего", set(), executor="c-exec3")
    assert "не выбрана ни одна категория" in dialog.problems.text() and not dialog.ok.isEnabled()
    fill(dialog, "Снег", {"snow"}, executor="c-exec3")
    assert dialog.problems.text() == "Конфликтов с другими правилами нет." and dialog.ok.text() == "Сохранить"
    dialog.reject()


def test_the_preview_lists_last_months_messages_a_rule_takes(session: Callable[[str], Session], world: World,
                                                             qtbot: QtBot, qtmodeltester: object) -> None:
    lights = [world.inject(category="light") for _ in range(3)]
    world.inject(category="snow")
    api = AdminApi(world.client("c-admin"))
    api.create_rule(AutoRuleIn(name="Свет", category_codes=["light"], target_executor_id="c-exec2"))
    s = session("c-admin")
    page = rules_page(s, world, qtbot, Said())
    assert page.preview.rowCount() == 3 and page.preview.caught() == 3
    assert {page.preview.rows[i].item_id for i in range(3)} == {i.id for i in lights}
    assert "забрало бы сообщений: 3" in page.preview_title.text()
    qtmodeltester.check(page.preview)  # type: ignore[attr-defined]
    page.open_new()
    assert page.dialog is not None
    fill(page.dialog, "Свет и снег", {"light", "snow"}, executor="c-exec1")
    assert "забрало бы сообщений: 1; ещё 3" in page.dialog.catch.text()
    page.dialog.reject()


def test_offline_the_pages_are_read_only_and_say_why(session: Callable[[str], Session], world: World,
                                                     qtbot: QtBot) -> None:
    api = AdminApi(world.client("c-admin"))
    api.create_rule(AutoRuleIn(name="Свет", category_codes=["light"], target_executor_id="c-exec2"))
    s = session("c-admin")
    assert [r.name for r in cached_rules(s.reader)] == ["Свет"]
    reason = "Нет связи с платформой: сервер недоступен"
    page = rules_page(s, world, qtbot, Said(), offline=reason)
    assert page.model.rowCount() == 1, "the cached rules are shown"
    assert page.banner.isVisible() and "только для просмотра" in page.banner.text() and "сервер недоступен" in \
        page.banner.text()
    assert not any(b.isEnabled() for b in (page.new_button, page.edit_button, page.delete_button, page.up_button))
    page.open_new()
    assert page.dialog is None
    templates = OrgTemplatesPage(s.reader, AdminOps(s.worker, user_id="c-admin", offline_reason=reason), "c", ZONE,
                                 world.clock.now, Said())
    qtbot.addWidget(templates)
    templates.show()
    assert templates.banner.isVisible() and "Шаблоны показаны" in templates.banner.text()
    assert templates.title.isReadOnly() and not templates.save_button.isEnabled()


def test_organisation_templates_are_created_edited_and_retired(session: Callable[[str], Session], world: World,
                                                               qtbot: QtBot, qtmodeltester: object) -> None:
    s, said = session("c-admin"), Said()
    page = OrgTemplatesPage(s.reader, AdminOps(s.worker, user_id="c-admin"), "c", ZONE, world.clock.now, said)
    qtbot.addWidget(page)
    page.show()
    page.new()
    page.title.setText("Ответ о ямочном ремонте")
    page.text.setPlainText("Уважаемый заявитель! Яму заделают до конца месяца.")
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=10_000)
    qtbot.keyClick(page.title, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # «Сохранить» by its shortcut
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and not page._busy, timeout=WAIT)
    qtmodeltester.check(page.model)  # type: ignore[attr-defined]
    assert page.current() is not None and page.current().version == 1  # type: ignore[union-attr]
    page.text.setPlainText("Уважаемый заявитель! Яму заделали.")
    page.save()
    qtbot.waitUntil(lambda: page.model.templates[0].version == 2 and not page._busy, timeout=WAIT)
    served = {t.id: t for t in world.client("c-exec1").templates()}
    template_id = page.model.templates[0].id
    assert served[template_id].text == "Уважаемый заявитель! Яму заделали." and served[template_id].version == 2
    page.retire_or_restore()
    qtbot.waitUntil(lambda: page.model.templates[0].retired and not page._busy, timeout=WAIT)
    assert template_id not in {t.id for t in world.client("c-exec1").templates()}
    assert "в архиве" in said.last
    page.new()
    page.title.setText("Отказ")
    page.text.setPlainText("Отказано.")
    page.purpose.setCurrentIndex(page.purpose.findData("rejection"))
    page.save()
    assert said.lines[-1] == ("Для шаблона отклонения выберите основание.", True)
    assert [line[2] for line in admin_audit_lines(s.reader)][:3] == ["template_retired", "template_updated",
                                                                     "template_created"]


def test_in_the_admin_window_a_rule_routes_the_next_message_to_the_executors_queue(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    window = open_window("c-admin")
    assert window.admin is not None
    window.admin.action.trigger()
    admin = window.admin.window
    assert isinstance(admin, AdminWindow)
    titles = [admin.tabs.tabText(i) for i in range(admin.tabs.count())]
    assert titles[2:4] == ["Авторазбор", "Шаблоны организации"]
    admin.tabs.setCurrentWidget(admin.rules)
    qtbot.waitUntil(lambda: admin.rules.new_button.isEnabled(), timeout=WAIT)
    admin.rules.open_new()
    assert admin.rules.dialog is not None
    fill(admin.rules.dialog, "Освещение — Никитиной", {"light"}, executor="c-exec2")
    admin.rules.dialog.ok.click()
    qtbot.waitUntil(lambda: admin.rules.model.rowCount() == 1 and not admin.rules._busy, timeout=WAIT)
    assert "сохранено" in admin.status.text()
    item = world.inject(category="light")
    executor = open_window("c-exec2")  # its first sync brings the message, already routed by the rule
    cached = executor.session.reader.item(item.id)
    assert cached is not None and (cached.status, cached.assignee_id) == (Status.IN_WORK, "c-exec2")
    assert "Авторазбор: правило №1 «Освещение — Никитиной»" in cached.history[-1].comment


def templates_page(open_window: WindowFactory, qtbot: QtBot,
                   shown: str) -> tuple[MainWindow, AdminWindow, OrgTemplatesPage]:
    """An administrator's «Шаблоны организации» once the platform's list is in (not just the cache's), ``shown``
    in the form."""
    window = open_window("c-admin")
    assert window.admin is not None
    window.admin.action.trigger()
    admin = window.admin.window
    assert isinstance(admin, AdminWindow)
    page = admin.org_templates
    admin.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.save_button.isEnabled() and page.text.toPlainText() == shown
                    and not admin.ops._pending, timeout=WAIT)
    return window, admin, page


def test_a_template_changed_by_another_administrator_meanwhile_is_not_overwritten(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    other = AdminApi(world.client("c-admin"))  # the second administrator, straight to the platform
    title = "Ответ о ямочном ремонте"
    loaded = other.create_template(OrgTemplateIn(title=title, text="Яму заделают.", purpose="answer"))
    window, admin, page = templates_page(open_window, qtbot, "Яму заделают.")
    mine = "Уважаемый заявитель! Яму заделают до 15 мая."
    page.text.setPlainText(mine)
    other.update_template(loaded.id, OrgTemplateIn(title=title, text="Яму заделали.", purpose="answer",
                                                   base_version=1))
    page.save_button.click()
    qtbot.waitUntil(lambda: "заменит им версию 2" in admin.status.text() and not page._busy, timeout=WAIT)
    assert admin.status.text().startswith(f"Не сохранено: Шаблон «{title}» изменил другой администратор "
                                          "(версия 2): откройте его заново и внесите изменение. Ваш вариант "
                                          "оставлен в форме")
    [stored] = other.templates()
    assert (stored.text, stored.version) == ("Яму заделали.", 2), "the other administrator's change stands"
    assert page.text.toPlainText() == mine and page.title.text() == title, "the edited wording is kept"
    assert page.current() is not None and (page.current().id, page.current().version) == (loaded.id, 2), \
        "the list was reloaded from the platform"  # type: ignore[union-attr]
    assert "template_updated" not in [line[2] for line in admin_audit_lines(window.session.reader)]

    page.save_button.click()  # applied again, knowingly: over version 2 now
    qtbot.waitUntil(lambda: "сохранён (версия 3)" in admin.status.text() and not page._busy, timeout=WAIT)
    assert [(t.text, t.version) for t in other.templates()] == [(mine, 3)]

    other.update_template(loaded.id, OrgTemplateIn(title=title, text="Яму заделали вчера.", purpose="answer"))
    page.text.setPlainText("Ещё одна правка.")
    page.save_button.click()
    qtbot.waitUntil(lambda: "заменит им версию 4" in admin.status.text() and not page._busy, timeout=WAIT)
    assert page.text.toPlainText() == "Ещё одна правка."
    row = page.table.visualRect(page.model.index(page.model.row_of(loaded.id), 0)).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=row)  # open the stored version
    assert page.text.toPlainText() == "Яму заделали вчера."
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=row)
    assert page.text.toPlainText() == "Яму заделали вчера.", "an ordinary click on the current row changes nothing"


def test_a_list_arriving_while_a_template_is_written_keeps_the_wording(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    other = AdminApi(world.client("c-admin"))
    loaded = other.create_template(OrgTemplateIn(title="Об освещении", text="Фонарь заменят.", purpose="answer"))
    _window, admin, page = templates_page(open_window, qtbot, "Фонарь заменят.")
    page.text.setPlainText("Фонарь заменят до пятницы.")  # being written when the list comes again
    page.reload()
    qtbot.waitUntil(lambda: not admin.ops._pending, timeout=WAIT)
    assert page.text.toPlainText() == "Фонарь заменят до пятницы." and page.current_id() == loaded.id
    page.new()
    page.title.setText("Новый шаблон")
    page.text.setPlainText("Текст нового шаблона.")
    page.reload()
    qtbot.waitUntil(lambda: not admin.ops._pending, timeout=WAIT)
    assert (page.title.text(), page.text.toPlainText()) == ("Новый шаблон", "Текст нового шаблона.")
    assert page.current_id() == ""  # still a new template, not the first of the list
    page.save_button.click()
    qtbot.waitUntil(lambda: "«Новый шаблон» создан" in admin.status.text() and not page._busy, timeout=WAIT)
    assert {t.title for t in other.templates()} == {"Об освещении", "Новый шаблон"}
    page.reload()  # nothing unsaved now: the list shows the stored templates as they are
    qtbot.waitUntil(lambda: not admin.ops._pending, timeout=WAIT)
    current = page.current()
    assert current is not None and page.text.toPlainText() == current.text
