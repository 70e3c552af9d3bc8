"""Desktop fixtures: a real main window over a training session against the test world."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.session import Session, training_session
from tests.world import PASSWORD, World

WindowFactory = Callable[[str], MainWindow]


@pytest.fixture
def open_window(world: World, qtbot: QtBot, tmp_path: Path) -> Iterator[WindowFactory]:
    """open_window("c-coord") → a shown MainWindow after its first sync, on the world's clock."""
    opened: list[tuple[MainWindow, Session]] = []

    def make(user: str) -> MainWindow:
        session = training_session(world.url, user, PASSWORD)
        settings = QSettings(str(tmp_path / f"{user}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(session, clock=world.clock.now, settings=settings)
        opened.append((window, session))
        window.resize(1400, 860)
        window.show()
        with qtbot.waitSignal(session.worker.bridge.statusChanged, timeout=15_000,
                              check_params_cb=lambda status, _m: status == "idle"):
            session.worker.sync_now()
        qtbot.waitUntil(lambda: not window._refresh_pending, timeout=5_000)
        window._refresh_now()
        return window

    yield make
    for window, session in opened:
        window.close()
        session.close()
