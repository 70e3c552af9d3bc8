"""A remembered profile opens from its cache while the platform is down, queues work, and delivers it after an
in-window login once the platform is back."""

from __future__ import annotations

from pathlib import Path

import keyring
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desktop.app import open_profile
from desktop.main_window import MainWindow
from desktop.queue.model import COLUMNS
from offline_cache.domain.model import Action, Status
from offline_cache.profile import TOKEN_SERVICE, ProfileSettings, load_tokens, remembered
from offline_cache.queues import QueueId
from tests.desktop.profiles import Relay, real_home, wait_pass
from tests.world import PASSWORD, World

__all__ = ["real_home"]


def first_day(qtbot: QtBot, settings: ProfileSettings) -> None:
    """The official logged in once with the platform up: the cache, its key and the profile are remembered."""
    session = open_profile(settings, PASSWORD)
    try:
        wait_pass(qtbot, session, "idle")
    finally:
        session.close()


def test_a_remembered_profile_works_offline_and_delivers_after_logging_in_in_the_window(
        world: World, real_home: Path, qtbot: QtBot, tmp_path: Path) -> None:
    item = world.inject()
    relay = Relay(world.url)
    settings = ProfileSettings(relay.url, "c-coord")
    first_day(qtbot, settings)
    # Next morning the platform is unreachable, and the remembered session with it has ended.
    relay.down()
    keyring.delete_password(TOKEN_SERVICE, settings.profile.id)
    saved = remembered()
    assert saved == settings
    session = open_profile(saved, PASSWORD)
    window = MainWindow(session, settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    try:
        window.show()
        assert "не принимает подключения" in session.offline_reason
        assert session.me.user.id == "c-coord"  # from the cache: no request was needed
        banner = window.offline.banner
        assert banner.isVisible() and banner.message.text().startswith("Нет связи с платформой")
        assert window.online.text() == "● Нет связи"
        assert window.queues[0] is QueueId.ROUTING
        row = window.model.row_of(item.id)
        assert row >= 0, "the queue shows from the cache"

        # Work goes on: the action is checked by the domain rules, queued, and shown as pending.
        window.panel.select_item(item.id)
        with qtbot.waitSignal(session.worker.bridge.actionFinished, timeout=10_000) as done:
            session.worker.perform(item.id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
        assert done.args[2] == ""
        qtbot.waitUntil(lambda: "Не доставлено действий: 1." in banner.message.text(), timeout=10_000)
        qtbot.mouseClick(banner.outbox, Qt.MouseButton.LeftButton)  # what waits, one click from the banner
        outbox = window.offline.outbox_window
        assert outbox is not None and outbox.isVisible() and outbox.model.rowCount() == 1
        outbox.close()
        window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
        qtbot.waitUntil(lambda: window.model.index(window.model.row_of(item.id), COLUMNS.index("pending"))
                        .data() == "●", timeout=10_000)
        tip = window.model.index(window.model.row_of(item.id), COLUMNS.index("pending")).data(
            Qt.ItemDataRole.ToolTipRole)
        assert "в очереди с" in tip and "UTC+5" in tip
        window.panel.select_item(item.id)
        note = window.card.pending
        qtbot.waitUntil(note.isVisible, timeout=10_000)
        assert "«Назначить исполнителя» ожидает отправки, поставлено" in note.text()
        assert world.platform.store.get_item(item.id).status is Status.AWAITING_ROUTING  # type: ignore[union-attr]

        # The platform is back: without a session it asks for the login, in the window.
        relay.up()
        wait_pass(qtbot, session, "auth_required")
        assert banner.isVisible() and banner.login.isVisible()
        assert "Требуется вход" in banner.message.text()
        qtbot.mouseClick(banner.login, Qt.MouseButton.LeftButton)
        dialog = window.offline.relogin
        assert dialog is not None and dialog.isVisible()
        dialog.password.setText("неверный")
        with qtbot.waitSignal(session.worker.bridge.loginFinished, timeout=30_000) as refused:
            dialog.accept()
        assert refused.args[0] and "Errno" not in refused.args[0]
        qtbot.waitUntil(dialog.isVisible, timeout=10_000)
        assert dialog.error.text() == refused.args[0]  # the refusal is shown, the dialog stays
        dialog.password.setText(PASSWORD)
        with qtbot.waitSignal(session.worker.bridge.statusChanged, timeout=30_000,
                              check_params_cb=lambda status, _m: status == "idle"):
            dialog.accept()
        qtbot.waitUntil(lambda: not banner.isVisible(), timeout=10_000)
        assert window.isVisible()  # the window never closed
        server = world.platform.store.get_item(item.id)
        assert server is not None and server.status is Status.IN_WORK and server.assignee_id == "c-exec1"
        assert [h.action for h in server.history].count(Action.ROUTE_TO_EXECUTOR) == 1
        assert session.reader.outbox_counts()["pending"] == 0
        qtbot.waitUntil(lambda: not note.isVisible(), timeout=10_000)
        assert load_tokens(settings.profile) is not None  # the new session is remembered for next time
    finally:
        window.close()
        session.close()
        relay.down()
