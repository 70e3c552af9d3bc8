"""Checks before submit in the window: a blocking finding stops the action, warnings are acknowledged, spelling
is underlined while typing and listed before submit, a rejection is checked before its dialog closes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.templates.checks import ChecksDialog
from desktop.templates.support import TemplateSupport
from offline_cache.checks import MIN_CHARS, DraftToCheck, check_draft
from offline_cache.domain.model import Action, Status
from offline_cache.queues import QueueId
from offline_cache.resources import rejection_grounds
from offline_cache.templates import Purpose
from tests.desktop.actions_world import show_queue
from tests.desktop.conftest import WindowFactory
from tests.desktop.templates_world import executor_with, inject_demo, templates_of, with_templates
from tests.desktop.user_actions import type_text
from tests.world import World

GOOD = ("Уважаемый заявитель! Специалисты провели обследование по адресу {address}. Выявленные нарушения "
        "устранены 12.03.2026, подрядной организации выдано предписание.")


def platform_status(world: World, item_id: str) -> Status:
    item = world.platform.store.get_item(item_id)
    assert item is not None
    return item.status


def checks_dialog(support: TemplateSupport, qtbot: QtBot) -> ChecksDialog:
    dialog = support.dialog
    assert isinstance(dialog, ChecksDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=10_000)
    return dialog


def answer(window: MainWindow, text: str) -> None:
    editor = window.card.editor
    editor.text.selectAll()
    editor.text.textCursor().removeSelectedText()
    type_text(editor.text, text)


def test_an_unresolved_placeholder_blocks_the_submit_and_cannot_be_skipped(
        world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    with_templates(world)
    item = inject_demo(world)
    window = executor_with(world, open_window, qtbot, item)
    support = templates_of(window)
    answer(window, GOOD.format(address=item.address) + " Ответственный: {исполнитель_работ}.")
    with qtbot.waitSignal(support.checked, timeout=10_000):
        window.actions_controller.trigger(Action.SUBMIT_FOR_APPROVAL)
    dialog = checks_dialog(support, qtbot)
    assert dialog.blocked and not dialog.acknowledge.isEnabled()
    row = next(r for r in dialog.rows if r.objectName() == "check_unresolved_placeholder")
    assert "{исполнитель_работ}" in row.text() and row.text().startswith("Блокирует")
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # the default button goes back to the text
    dialog.accept()  # and no way round it
    assert dialog.result() != ChecksDialog.DialogCode.Accepted
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    editor = window.card.editor.text
    assert editor.textCursor().selectedText() == "{исполнитель_работ}"  # back at what to fix
    assert window.session.reader.outbox_counts().get("pending", 0) == 0  # nothing was queued
    assert platform_status(world, item.id) is Status.IN_WORK


def test_warnings_are_listed_and_acknowledged_then_the_answer_goes(world: World, open_window: WindowFactory,
                                                                   qtbot: QtBot) -> None:
    with_templates(world)
    item = inject_demo(world)
    window = executor_with(world, open_window, qtbot, item)
    support = templates_of(window)
    answer(window, "Ваше обращение рассмотрено в установленном порядке. Вопрос взят на контроль. Спасибо "
                   "за обращение, оно очень важно для нас, обязательно разберёмся в ситуацыи.")
    with qtbot.waitSignal(support.checked, timeout=10_000) as seen:
        window.actions_controller.trigger(Action.SUBMIT_FOR_APPROVAL)
    assert set(seen.args[1]) == {"address_missing", "otpiska", "spelling"}  # type: ignore[index]
    dialog = checks_dialog(support, qtbot)
    assert not dialog.blocked and dialog.acknowledge.isEnabled()
    texts = {r.objectName(): r.text() for r in dialog.rows}
    assert item.address in texts["check_address_missing"]
    assert "отписку" in texts["check_otpiska"] and "«в установленном порядке»" in texts["check_otpiska"]
    assert "ситуацыи" in texts["check_spelling"]
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        qtbot.mouseClick(dialog.acknowledge, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: platform_status(world, item.id) is Status.ON_APPROVAL, timeout=20_000)


def test_a_clean_answer_goes_without_a_dialog(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    with_templates(world)
    item = inject_demo(world)
    window = executor_with(world, open_window, qtbot, item)
    support = templates_of(window)
    answer(window, GOOD.format(address=item.address))
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        window.actions_controller.trigger(Action.SUBMIT_FOR_APPROVAL)
    assert support.results == [] and support.dialog is None


def test_spelling_is_underlined_after_a_pause_in_typing(world: World, open_window: WindowFactory,
                                                        qtbot: QtBot) -> None:
    with_templates(world)
    item = inject_demo(world)
    window = executor_with(world, open_window, qtbot, item)
    highlighter = templates_of(window).highlighter
    editor = window.card.editor
    answer(window, "Яма на дароге будет заделана, рабочие прeедут завтра.")
    qtbot.waitUntil(lambda: "дароге" in highlighter.unknown, timeout=10_000)
    block = editor.text.document().firstBlock()
    underlined = {(r.start, r.start + r.length) for r in block.layout().formats()
                  if r.format.underlineStyle() == r.format.UnderlineStyle.SpellCheckUnderline}
    start = editor.plain_text().index("дароге")
    assert (start, start + len("дароге")) in underlined
    assert not any(a <= editor.plain_text().index("заделана") < b for a, b in underlined)
    answer(window, "Яма на дороге заделана.")
    qtbot.waitUntil(lambda: not highlighter.unknown, timeout=10_000)


def test_underlining_a_shown_draft_is_not_an_edit(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    with_templates(world)
    item = inject_demo(world)
    window = executor_with(world, open_window, qtbot, item)
    editor, highlighter = window.card.editor, templates_of(window).highlighter
    edits: list[bool] = []
    editor.edited.connect(lambda: edits.append(True))
    editor.set_item(window.card.item, editable=True, autosave=True)
    editor.text.blockSignals(True)  # as set_item shows a draft from the cache
    editor.text.setPlainText("Ответ с ашибкой.")
    editor.text.blockSignals(False)
    qtbot.waitUntil(lambda: "ашибкой" in highlighter.unknown, timeout=10_000)
    assert edits == [] and editor.saved.text() != "Сохраняется…"  # nothing to autosave: nobody typed


def test_an_interim_answer_without_a_term_is_blocked(world: World, open_window: WindowFactory,
                                                     qtbot: QtBot) -> None:
    with_templates(world)
    item = inject_demo(world)
    window = executor_with(world, open_window, qtbot, item)
    with qtbot.waitSignal(templates_of(window).checked, timeout=10_000) as seen:
        templates_of(window).gate(Action.INTERIM_ANSWER, item.id, {"text": GOOD.format(address=item.address)},
                                  lambda: None)
    assert seen.args[1] == ["interim_without_date"]  # type: ignore[index]
    checks_dialog(templates_of(window), qtbot).reject()


def test_a_rejection_is_checked_before_its_dialog_closes(world: World, open_window: WindowFactory,
                                                         qtbot: QtBot) -> None:
    with_templates(world)
    item = inject_demo(world)
    window = open_window("c-coord")
    show_queue(window, QueueId.ROUTING)
    window.panel.select_item(item.id)
    support, controller = templates_of(window), window.actions_controller
    controller.trigger(Action.REJECT)
    reject = controller.dialog
    assert reject is not None
    qtbot.waitUntil(reject.isVisible, timeout=10_000)
    reject.text.setPlainText("Нет.")  # type: ignore[attr-defined]
    with qtbot.waitSignal(support.checked, timeout=10_000) as seen:
        qtbot.mouseClick(reject.ok, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert "too_short" in seen.args[1]  # type: ignore[index]
    dialog = checks_dialog(support, qtbot)
    assert reject.isVisible()  # the rejection's text is not lost while the warning is read
    dialog.reject()
    assert reject.isVisible() and reject.text.toPlainText() == "Нет."  # type: ignore[attr-defined]
    reject.reject()


def test_a_rejection_in_the_grounds_own_wording_is_not_too_short() -> None:
    short = next(g for g in rejection_grounds().grounds if len(g.text) < MIN_CHARS[Purpose.REJECTION])
    assert check_draft(DraftToCheck(short.text, Purpose.REJECTION, short.code)) == []
    assert [r.code for r in check_draft(DraftToCheck("Отклонено.", Purpose.REJECTION, short.code))] == ["too_short"]
