"""What a new user hit first: the table's clock, opening attachments, searching one queue, the login's error text."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog
from pytestqt.qtbot import QtBot

from desktop.app import make_app, open_profile
from desktop.queue.model import COLUMNS
from desktop.startup import LoginDialog
from offline_cache.domain.model import Action
from offline_cache.errors import OfflineError
from offline_cache.profile import ProfileSettings
from offline_cache.queues import QueueId
from tests.desktop.conftest import WindowFactory
from tests.desktop.profiles import free_port, real_home
from tests.world import World

__all__ = ["real_home"]


def test_received_is_shown_in_the_organisations_zone_and_labelled(world: World,
                                                                   open_window: WindowFactory) -> None:
    item = world.inject()  # registered 09:00 UTC: 14:00 in Yekaterinburg (UTC+5), whatever this computer's zone
    window = open_window("c-coord")
    column = COLUMNS.index("received")
    assert window.model.headerData(column, Qt.Orientation.Horizontal) == "Поступило (UTC+5)"
    cell = window.model.index(window.model.row_of(item.id), column).data()
    assert cell == item.registered_at.strftime("%d.%m.%Y ") + f"{item.registered_at.hour + 5:02d}:" \
        + item.registered_at.strftime("%M")
    window.panel.select_item(item.id)
    assert window.card.registered.text() == f"{cell} (UTC+5)"  # the card and the table agree


@pytest.mark.qt_log_ignore("does not support QPlatformServices")
def test_an_attachment_no_program_can_show_is_offered_for_saving(world: World, open_window: WindowFactory,
                                                                 qtbot: QtBot, tmp_path: Path) -> None:
    item = world.inject()
    routed = world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    data = b"%PDF-1.4\n% a scanned reply\n"
    world.client("c-exec1").upload_attachment(routed.id, "ответ подрядчика.pdf", "application/pdf", data)
    window = open_window("c-exec1")
    att_id = window.session.reader.item(item.id).attachments[0].id  # type: ignore[union-attr]
    assert window.open_failed.isHidden()
    with qtbot.waitSignal(window.session.worker.bridge.attachmentFetched, timeout=10_000):
        window._open_attachment(att_id)  # what activating it in the card does
    # The offscreen platform has no program for any file, like a workstation without a PDF viewer.
    qtbot.waitUntil(window.open_failed.isVisible, timeout=10_000)
    assert "ответ подрядчика.pdf" in window.open_failed.message.text()
    assert "нет программы" in window.open_failed.message.text()
    qtbot.mouseClick(window.open_failed.save_button, Qt.MouseButton.LeftButton)
    dialog = window.open_failed.dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    target = tmp_path / "saved.pdf"
    dialog.selectFile(str(target))
    with qtbot.waitSignal(window.open_failed.saved, timeout=10_000):
        dialog.accept()
    assert target.read_bytes() == data


def test_search_offers_every_queue(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    routed = world.inject(text="Фонарь у школы не горит")
    world.inject(text="Фонарь во дворе не горит")
    world.inject(text="Яма на дороге")
    world.client("c-coord").act(routed.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    window = open_window("c-coord")
    window.navigation.setCurrentRow(window.queues.index(QueueId.ROUTING))
    assert window.panel.search_all.isHidden()
    window.panel.search.setText("фонарь")
    qtbot.waitUntil(lambda: window.model.total == 1, timeout=5_000)
    assert window.panel.search_all.isVisible()
    assert window.panel.scope.text() == "Найдено в этой очереди: 1."
    assert window.panel.search_all.text() == "Искать во всех очередях (2)"
    qtbot.mouseClick(window.panel.search_all, Qt.MouseButton.LeftButton)  # one action
    assert window.model.queue is QueueId.ALL
    assert window.model.total == 2
    assert window.panel.search.text() == "фонарь"
    assert window.panel.search_all.isHidden()


def test_login_to_an_unreachable_platform_says_why_in_russian(real_home: Path, qtbot: QtBot) -> None:
    settings = ProfileSettings(f"http://127.0.0.1:{free_port()}", "c-coord")
    with pytest.raises(OfflineError) as caught:
        open_profile(settings, "pw")  # a first login: no cache to fall back on
    message = caught.value.message
    assert "Errno" not in message and "refused" not in message
    assert message == ("Нет связи с платформой: платформа не принимает подключения: сервер выключен или "
                       "недоступен, либо адрес или порт указаны неверно")
    make_app([])  # start-up as the application does it: Qt's own texts in Russian too
    dialog = LoginDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show_error(message)
    assert dialog.error.text() == message
    cancel = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel.text() == "Отмена"


def test_no_two_commands_of_the_window_share_a_shortcut(world: World, open_window: WindowFactory) -> None:
    """An ambiguous shortcut does nothing at all in Qt: every key of the main window must mean one command."""
    from collections import Counter

    from PySide6.QtGui import QAction, QShortcut

    window = open_window("v-coord")  # coordinator and executor: the most commands
    keys: list[str] = []
    for action in window.findChildren(QAction):
        keys += [k.toString() for k in action.shortcuts() if not k.isEmpty()]
    for shortcut in window.findChildren(QShortcut):
        if shortcut.parentWidget() is not None and shortcut.parentWidget().window() is window:
            keys += [shortcut.key().toString()] if not shortcut.key().isEmpty() else []
    shared = {key: n for key, n in Counter(keys).items() if n > 1}
    assert not shared, shared
