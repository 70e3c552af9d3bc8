"""The answer editor in the card: who may type, autosave through the worker, files with the platform's limits."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from offline_cache.answer_files import MAX_ANSWER_FILE_BYTES
from offline_cache.domain.model import Action, Status
from offline_cache.queues import QueueId
from tests.desktop.actions_world import show_queue
from tests.desktop.conftest import WindowFactory
from tests.desktop.templates_world import acknowledge_checks
from tests.desktop.user_actions import type_text
from tests.world import World


def executor_on(world: World, open_window: WindowFactory, *texts: str) -> tuple[MainWindow, list[str]]:
    coord = world.client("c-coord")
    ids = []
    for text in texts:
        item = world.inject(text=text)
        ids.append(coord.act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"}).id)
    window = open_window("c-exec1")
    show_queue(window, QueueId.MY_WORK)
    window.panel.select_item(ids[0])
    return window, ids


def test_only_who_works_on_the_answer_may_type_it(world: World, open_window: WindowFactory) -> None:
    item = world.inject(text="Чужой ответ")
    world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
    window = open_window("c-coord")
    show_queue(window, QueueId.ALL)
    window.panel.select_item(item.id)
    editor = window.card.editor
    assert editor.text.isReadOnly() and not editor.attach_button.isVisibleTo(window)
    assert not window.card.answer_group.isVisibleTo(window)  # no draft and nobody here to write one


def test_typing_is_autosaved_and_switching_items_keeps_it(world: World, open_window: WindowFactory,
                                                          qtbot: QtBot) -> None:
    window, (first, second) = executor_on(world, open_window, "Первое", "Второе")
    editor = window.card.editor
    with qtbot.waitSignal(editor.autosaved, timeout=15_000, check_params_cb=lambda i, e: i == first and e == ""):
        type_text(editor.text, "Черновик первого")
    row = window.session.reader.db.execute("SELECT text FROM drafts WHERE item_id=?", [first]).fetchone()
    assert row is not None and row[0] == "Черновик первого"
    type_text(editor.text, ", дописано")
    with qtbot.waitSignal(editor.autosaved, timeout=15_000, check_params_cb=lambda i, e: i == first):
        window.panel.select_item(second)  # switching does not wait for a pause in typing
    assert editor.plain_text() == ""
    window.panel.select_item(first)
    assert editor.plain_text() == "Черновик первого, дописано"


def test_files_are_checked_then_attached_and_removed(world: World, open_window: WindowFactory, qtbot: QtBot,
                                                     tmp_path: Path) -> None:
    window, (item_id,) = executor_on(world, open_window, "С файлом")
    editor = window.card.editor
    big = tmp_path / "скан.pdf"
    big.write_bytes(b"%PDF" + b"\0" * MAX_ANSWER_FILE_BYTES)
    reason = editor.attach_path(big)  # refused before anything is queued, with the platform's reason
    assert "больше" in reason and editor.saved.text() == reason
    assert editor.files.count() == 0 and window.session.reader.local_draft(item_id) is None
    good = tmp_path / "план работ.pdf"
    good.write_bytes(b"%PDF-1.4\n" + b"x" * 2000)
    bridge = window.session.worker.bridge
    with qtbot.waitSignal(bridge.attachmentsChanged, timeout=15_000):  # type: ignore[attr-defined]
        assert editor.attach_path(good) == ""
    qtbot.waitUntil(lambda: editor.files.count() == 1, timeout=10_000)
    assert editor.files.item(0).text() == "план работ.pdf"
    editor.files.setCurrentRow(0)
    with qtbot.waitSignal(bridge.attachmentsChanged, timeout=15_000):  # type: ignore[attr-defined]
        editor.detach_button.click()
    qtbot.waitUntil(lambda: editor.files.count() == 0, timeout=10_000)
    assert window.card.item is not None and window.card.item.id == item_id


def test_save_and_submit_by_keyboard_from_the_editor(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    window, (first, second) = executor_on(world, open_window, "Клавиатура", "Следующее")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10_000)
    editor = window.card.editor
    editor.text.setFocus()
    type_text(editor.text, "Ответ без мыши")
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        qtbot.keyClick(editor.text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.card.item is not None and window.card.item.id == first and editor.plain_text() == "Ответ без мыши"
    with qtbot.waitSignal(window.actions_controller.performed, timeout=15_000):
        qtbot.keyClick(editor.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert "too_short" in acknowledge_checks(window, qtbot)  # checks before submit (issue 11)
    assert window.card.item is not None and window.card.item.id == second  # on to the next one
    qtbot.waitUntil(lambda: world.platform.store.get_item(first).status is Status.ON_APPROVAL,  # type: ignore[union-attr]
                    timeout=20_000)
    draft = world.platform.store.get_item(first).draft  # type: ignore[union-attr]
    assert draft is not None and draft.text == "Ответ без мыши"  # no newline slipped in from Ctrl+Return
