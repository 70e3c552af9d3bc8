"""The template manager: platform templates read-only with their version; personal ones created, edited,
copied, retired; a file exported and imported, a bad one refused with a clear error and the library unchanged.
For heads: answers built on each template and returned; a return comment from a return template."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.templates.manager import TemplateManagerDialog
from offline_cache.contract.models import Item
from offline_cache.domain.model import Action, Status
from offline_cache.placeholders import name_and_patronymic
from offline_cache.queues import QueueId
from offline_cache.templates import Origin
from tests.desktop.actions_world import seen, show_queue
from tests.desktop.conftest import WindowFactory
from tests.desktop.templates_world import executor_with, inject_demo, templates_of, with_templates
from tests.world import World


def open_manager(window: MainWindow, qtbot: QtBot) -> TemplateManagerDialog:
    manager = templates_of(window).open_manager()
    qtbot.waitUntil(manager.isVisible, timeout=10_000)
    return manager


def done(manager: TemplateManagerDialog, qtbot: QtBot, action: object) -> str:
    """Run a manager operation and wait until the worker has answered; the status line it left."""
    bridge = manager._worker.bridge
    with qtbot.waitSignal(bridge.writeFinished, timeout=15_000):
        action()  # type: ignore[operator]
    qtbot.waitUntil(lambda: not manager._pending, timeout=10_000)
    return manager.status.text()


def personal(manager: TemplateManagerDialog) -> list[str]:
    return [t.title for t in manager.model.templates if t.origin is Origin.PERSONAL]


def test_personal_templates_are_created_edited_copied_and_retired(world: World, open_window: WindowFactory,
                                                                  qtbot: QtBot) -> None:
    with_templates(world)
    window = executor_with(world, open_window, qtbot, inject_demo(world))
    manager = open_manager(window, qtbot)
    platform_row = manager.model.row_of("tpl-answer-works")
    manager.table.selectRow(platform_row)
    assert manager.model.data(manager.model.index(platform_row, 2)) == "Платформа, в. 1"
    assert manager.readonly_note.isVisibleTo(manager) and "только для чтения" in manager.readonly_note.text()
    assert manager.title.isReadOnly() and not manager.save_button.isEnabled()
    assert "«Работы выполнены (копия)» сохранён" in done(manager, qtbot, manager.duplicate)
    assert personal(manager) == ["Работы выполнены (копия)"]
    manager.new()
    manager.title.setText("Сухо и коротко")
    manager.text.setPlainText("Уважаемый(ая) {заявитель|заявитель}! Ремонт по адресу {адрес} выполнен.")
    assert "сохранён (версия 1)" in done(manager, qtbot, manager.save)
    assert manager.current() is not None and manager.current().title == "Сухо и коротко"  # type: ignore[union-attr]
    manager.text.setPlainText("Уважаемый(ая) {заявитель}! Ремонт по адресу {адрес} выполнен 12.03.2026.")
    assert "сохранён (версия 2)" in done(manager, qtbot, manager.save)
    manager.title.setText("")
    assert "нужно название" in done(manager, qtbot, manager.save)  # refused, in Russian, nothing lost
    assert manager.text.toPlainText().endswith("12.03.2026.")
    assert "в архиве" in done(manager, qtbot, manager.retire_or_restore)
    assert personal(manager) == ["Работы выполнены (копия)"]
    manager.show_retired.setChecked(True)
    assert "Сухо и коротко" in personal(manager)
    manager.reject()


def test_export_then_import_and_bad_files_are_refused_with_the_library_unchanged(
        world: World, open_window: WindowFactory, qtbot: QtBot, tmp_path: Path) -> None:
    with_templates(world)
    window = executor_with(world, open_window, qtbot, inject_demo(world))
    manager = open_manager(window, qtbot)
    manager.table.selectRow(manager.model.row_of("tpl-answer-planned"))
    done(manager, qtbot, manager.duplicate)
    exported = tmp_path / "мои шаблоны.json"
    assert "Выгружено личных шаблонов: 1" in done(manager, qtbot, lambda: manager.export_to(exported))
    data = json.loads(exported.read_text(encoding="utf-8"))
    data["templates"][0]["title"] = "Из файла коллеги"
    colleague = tmp_path / "коллега.json"
    colleague.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert "Добавлено шаблонов: 1" in done(manager, qtbot, lambda: manager.import_from(colleague))
    before = sorted(personal(manager))
    assert before == ["Из файла коллеги", "Работы включены в план (копия)"]
    bad_files = {
        "битый.json": b'{"format": "posdesk-templates", "templates": [',
        "огромный.json": b" " * (1024 * 1024 + 10),
    }
    hostile = json.loads(json.dumps(data))
    hostile["templates"][0]["text"] = "Ответ \u202eеовон\u202c"
    bad_files["враждебный.json"] = json.dumps(hostile, ensure_ascii=False).encode()
    for name, content in bad_files.items():
        path = tmp_path / name
        path.write_bytes(content)
        message = done(manager, qtbot, lambda p=path: manager.import_from(p))  # type: ignore[misc]
        assert message.startswith("Импорт не выполнен.") and "не изменена" in message, message
        assert "color: #c62828" in manager.status.styleSheet()
        assert sorted(personal(manager)) == before
    assert "1 МБ" in done(manager, qtbot, lambda: manager.import_from(tmp_path / "огромный.json"))
    assert "U+202E" in done(manager, qtbot, lambda: manager.import_from(tmp_path / "враждебный.json"))
    count = window.session.reader.db.execute("SELECT count(*) FROM personal_templates").fetchone()[0]
    assert count == 2
    manager.reject()


def on_approval_from_template(world: World) -> tuple[Item, str]:
    """A demo message answered by c-exec1 with the «Работы выполнены» wording, on approval at the curator."""
    item = inject_demo(world)
    coord, exec1 = world.client("c-coord"), world.client("c-exec1")
    item = coord.act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
    text = (f"Уважаемый(ая) {name_and_patronymic(item.applicant_name)}! По вашему сообщению № {item.number} "
            f"сообщаем, что работы по адресу {item.address} выполнены. Благодарим за неравнодушие к состоянию "
            "нашего города.")
    return exec1.act(item.id, Action.SUBMIT_FOR_APPROVAL, item.version, {"text": text}), text


def test_a_head_returns_with_a_template_and_sees_what_each_template_is_worth(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    with_templates(world)
    item, _text = on_approval_from_template(world)
    other, _ = on_approval_from_template(world)
    world.client("c-cur").act(other.id, Action.APPROVE, other.version, seen(other))
    window = open_window("c-cur")
    show_queue(window, QueueId.APPROVAL)
    window.panel.select_item(item.id)
    controller = window.actions_controller
    controller.trigger(Action.RETURN_FOR_REVISION)
    dialog = controller.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=10_000)
    assert not dialog.ok.isEnabled()  # type: ignore[attr-defined]
    assist = dialog.assist  # type: ignore[attr-defined]
    dialog.comment.setFocus()  # type: ignore[attr-defined]
    qtbot.keyClick(dialog.comment, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)  # type: ignore
    popup = assist.popup
    assert popup is not None
    qtbot.waitUntil(popup.isVisible, timeout=10_000)
    assert {s.template.purpose.value for s in popup.model.suggestions} == {"return"}
    type_in = "существу"
    popup.search.setText(type_in)
    assert popup.model.rowCount() == 1
    with qtbot.waitSignal(assist.inserted, timeout=10_000):
        qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    comment = dialog.comment.toPlainText()  # type: ignore[attr-defined]
    assert comment.startswith("Ответ не отвечает на вопрос заявителя по существу")
    assert dialog.ok.isEnabled()  # type: ignore[attr-defined]
    with qtbot.waitSignal(controller.performed, timeout=15_000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: world.platform.store.get_item(item.id).status is Status.RETURNED,  # type: ignore
                    timeout=20_000)
    returned = world.platform.store.get_item(item.id)
    assert returned is not None and returned.history[-1].comment == comment
    with qtbot.waitSignal(window.session.worker.bridge.statusChanged, timeout=15_000,
                          check_params_cb=lambda status, _m: status == "idle"):
        window.session.worker.sync_now()
    manager = open_manager(window, qtbot)
    assert manager.model.headers[-2:] == ["Использован", "Возвращён"]
    row = manager.model.row_of("tpl-answer-works")
    qtbot.waitUntil(lambda: manager.model.data(manager.model.index(row, 3)) == "2", timeout=15_000)
    assert manager.model.data(manager.model.index(row, 4)) == "1 (50%)"
    returns = manager.model.row_of("tpl-return-essence")
    assert manager.model.data(manager.model.index(returns, 3)) == "1"  # the comment built on it
    manager.reject()
