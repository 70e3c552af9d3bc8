"""Templates in the answer editor: suggestions from the keyboard, the values form, use recorded; the effort."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.templates.fill import FillDialog
from desktop.templates.popup import SuggestionPopup
from offline_cache.domain.model import Status
from offline_cache.placeholders import name_and_patronymic
from tests.desktop.conftest import WindowFactory
from tests.desktop.templates_world import (
    activate,
    executor_with,
    inject_demo,
    templates_of,
    with_templates,
)
from tests.desktop.user_actions import UserActions, type_text
from tests.world import World

CTRL = Qt.KeyboardModifier.ControlModifier


def popup_of(window) -> SuggestionPopup:  # type: ignore[no-untyped-def]
    popup = templates_of(window).assist.popup
    assert popup is not None
    return popup


def test_an_executor_answers_a_demo_message_from_a_suggested_template_in_four_actions(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    with_templates(world)
    item = inject_demo(world)
    window = executor_with(world, open_window, qtbot, item)
    activate(window, qtbot)
    editor = window.card.editor
    editor.text.setFocus()
    user = UserActions(qtbot)
    user.key(editor.text, Qt.Key.Key_Space, CTRL)  # 1: open the suggestions
    popup = popup_of(window)
    qtbot.waitUntil(popup.isVisible, timeout=10_000)
    assert popup.model.rowCount() >= 3  # the answer templates for any category
    with qtbot.waitSignal(templates_of(window).assist.inserted, timeout=10_000):
        user.key(popup.search, Qt.Key.Key_Return)  # 2: pick the first suggestion
    form = templates_of(window).assist.form
    if form is not None and form.isVisible():  # values the message lacks: asked once
        user.key(form.ok, Qt.Key.Key_Return)  # 3: confirm the filled values
    greeting = name_and_patronymic(item.applicant_name)
    assert greeting and greeting in editor.plain_text() and item.address in editor.plain_text()
    assert "{" not in editor.plain_text()
    controller = window.actions_controller
    with qtbot.waitSignal(controller.performed, timeout=15_000):
        user.key(editor.text, Qt.Key.Key_Return, CTRL)  # 4: submit for approval (the checks find nothing)
    assert user.count <= 4
    qtbot.waitUntil(lambda: world.platform.store.get_item(item.id).status is Status.ON_APPROVAL,  # type: ignore
                    timeout=20_000)
    sent = world.platform.store.get_item(item.id)
    assert sent is not None and sent.draft is not None and greeting in sent.draft.text
    uses = window.session.reader.db.execute("SELECT template_id, item_id FROM template_usage").fetchall()
    assert len(uses) == 1 and uses[0][1] == item.id  # the use was recorded on the worker


def test_search_arrows_and_the_trigger_typed_in_the_text(world: World, open_window: WindowFactory,
                                                         qtbot: QtBot) -> None:
    with_templates(world)
    item = inject_demo(world)
    window = executor_with(world, open_window, qtbot, item)
    editor = window.card.editor
    type_text(editor.text, "Начало. ::")
    popup = popup_of(window)
    qtbot.waitUntil(popup.isVisible, timeout=10_000)
    assert editor.plain_text() == "Начало. "  # the trigger is not left in the answer
    type_text(popup.search, "план")
    titles = [popup.model.suggestions[n].template.title for n in range(popup.model.rowCount())]
    assert titles == ["Работы включены в план"]
    popup.search.clear()
    first, second = popup.model.suggestions[0].template, popup.model.suggestions[1].template
    assert popup.current_id() == first.id
    qtbot.keyClick(popup.search, Qt.Key.Key_Down)
    assert popup.current_id() == second.id
    assert "{" not in popup.preview.toPlainText() and item.address in popup.preview.toPlainText()  # live preview
    popup.purpose.setCurrentIndex(popup.purpose.findData("interim"))
    assert {s.template.purpose.value for s in popup.model.suggestions} == {"interim"}
    with qtbot.waitSignal(templates_of(window).assist.inserted, timeout=10_000):
        qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert editor.plain_text().startswith("Начало. Уважаемый(ая)")
    assert editor.planned_date().strftime("%d.%m.%Y") in editor.plain_text()  # the planned date of the editor


def test_the_form_asks_once_for_what_the_message_lacks_with_a_live_preview(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    with_templates(world)
    item = inject_demo(world, applicant_name="Петров П. П.")  # initials: nobody to address by name
    window = executor_with(world, open_window, qtbot, item)
    templates_of(window).assist.open()
    popup = popup_of(window)
    qtbot.waitUntil(popup.isVisible, timeout=10_000)
    assert "Имя и отчество заявителя" in popup.missing.text()  # said before picking
    popup.pick()
    form = templates_of(window).assist.form
    assert isinstance(form, FillDialog)
    qtbot.waitUntil(form.isVisible, timeout=10_000)
    assert list(form.fields) == ["заявитель"]  # one form, only what has no value and no fallback
    assert "{applicant_name}" in form.preview.toPlainText() and "Не заполнено" in form.note.text()
    type_text(form.fields["заявитель"], "Пётр Петрович")
    assert "Уважаемый(ая) Пётр Петрович!" in form.preview.toPlainText() and not form.note.text()
    with qtbot.waitSignal(templates_of(window).assist.inserted, timeout=10_000):
        qtbot.keyClick(form.fields["заявитель"], Qt.Key.Key_Return)
    assert window.card.editor.plain_text().startswith("Уважаемый(ая) Пётр Петрович!")


def test_models_pass_the_model_tester(world: World, open_window: WindowFactory, qtbot: QtBot,
                                      qtmodeltester: object) -> None:
    with_templates(world)
    item = inject_demo(world)
    window = executor_with(world, open_window, qtbot, item)
    templates_of(window).assist.open()
    qtmodeltester.check(popup_of(window).model, force_py=True)  # type: ignore[attr-defined]
    manager = templates_of(window).open_manager()
    qtmodeltester.check(manager.model, force_py=True)  # type: ignore[attr-defined]
    manager.reject()


def test_no_suggestions_where_nobody_writes_an_answer_and_the_window_says_why(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    with_templates(world)
    item = inject_demo(world)
    window = open_window("c-coord")
    window.panel.select_item(item.id)
    support = templates_of(window)
    assert not support.insert() and support.assist.popup is None
    assert "Шаблон вставляется в ответ" in window.statusBar().currentMessage()
