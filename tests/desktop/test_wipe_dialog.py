"""«Выйти и удалить локальные данные» in the window: undelivered actions listed first, the wipe needs an explicit
«give them up», and runs once the session has closed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from desktop.app import open_profile
from desktop.main_window import MainWindow
from desktop.wipe.dialog import WipeDialog, finish_wipe
from offline_cache.profile import ProfileSettings, cache_path, remembered
from offline_cache.store.vault import stored_key
from tests.desktop.profiles import Relay, real_home, wait_pass
from tests.world import PASSWORD, World

__all__ = ["real_home"]


def test_wipe_lists_undelivered_needs_the_give_up_and_removes_the_profile(real_home: Path, world: World,
                                                                         qtbot: QtBot, tmp_path: Path) -> None:
    relay = Relay(world.url)
    item = world.inject()
    settings = ProfileSettings(relay.url, "c-coord")
    session = open_profile(settings, PASSWORD)
    window = MainWindow(session, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    window.show()
    wait_pass(qtbot, session)
    relay.down()  # the action stays undelivered
    with qtbot.waitSignal(session.worker.bridge.actionFinished, timeout=30_000):
        session.worker.perform(item.id, "route_to_executor", {"executor_id": "c-exec1"})
    action = window.findChild(QAction, "wipeAction")
    assert isinstance(action, QAction)
    action.trigger()
    dialog = window.findChild(WipeDialog)
    assert isinstance(dialog, WipeDialog) and dialog.isVisible()
    assert dialog.list.count() == 1 and f"№ {item.number}" in dialog.list.item(0).text()
    assert not dialog.wipe_button.isEnabled()  # not without giving the action up explicitly
    dialog.give_up.setChecked(True)
    assert dialog.wipe_button.isEnabled()
    dialog.wipe_button.click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    session.close()
    message = finish_wipe(window)
    assert message is not None and "удалены" in message
    assert not cache_path(settings.profile).exists() and stored_key(settings.profile) is None and remembered() is None
