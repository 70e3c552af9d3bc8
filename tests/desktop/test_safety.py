"""Safety: leaving with undelivered actions asks and keeps them; another login's actions are shown as such and
never sent; a platform clock far from the computer's is a warning, and deadlines run on the platform's time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop.app import open_profile
from desktop.main_window import MainWindow
from desktop.queue.model import COLUMNS
from desktop.session import Session, training_session
from offline_cache.domain.model import Action
from offline_cache.profile import ProfileSettings
from offline_cache.queues import QueueId
from tests.desktop.conftest import WindowFactory
from tests.desktop.profiles import Relay, real_home
from tests.desktop.test_offline_round_trip import act, sync
from tests.desktop.test_offline_start import first_day
from tests.world import PASSWORD, World

__all__ = ["real_home"]


@pytest.fixture
def offline_window(world: World, real_home: Path, qtbot: QtBot, tmp_path: Path
                   ) -> Iterator[Callable[[], tuple[MainWindow, Session, ProfileSettings]]]:
    """c-coord's real profile opened while the platform is unreachable."""
    opened: list[tuple[MainWindow, Session]] = []
    relay = Relay(world.url)
    settings = ProfileSettings(relay.url, "c-coord")

    def make() -> tuple[MainWindow, Session, ProfileSettings]:
        if not opened:
            first_day(qtbot, settings)
            relay.down()
        session = open_profile(settings, PASSWORD)
        window = MainWindow(session, settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
        window.show()
        opened.append((window, session))
        return window, session, settings

    yield make
    for window, session in opened:
        window.close()
        session.close()
    relay.down()


def leave_button(window: MainWindow, text: str) -> QPushButton:
    box = window.offline.leave_box
    assert box is not None and box.isVisible()
    return next(b for b in box.buttons() if b.text() == text)  # type: ignore[misc]


@pytest.mark.parametrize("how", ["logout", "switch"])
def test_leaving_with_undelivered_actions_asks_and_keeps_them(world: World, offline_window: Callable[
        [], tuple[MainWindow, Session, ProfileSettings]], qtbot: QtBot, how: str) -> None:
    item = world.inject()
    window, session, settings = offline_window()
    act(qtbot, window, item.id, Action.TAKE_INTO_WORK, {})
    window.offline.actions[how].trigger()
    box = window.offline.leave_box
    assert box is not None
    assert "Не доставлено действий: 1" in box.text() and "не пропадут" in box.text()
    qtbot.mouseClick(leave_button(window, "Остаться"), Qt.MouseButton.LeftButton)
    assert window.isVisible() and window.next_login is None
    window.offline.actions[how].trigger()
    go = "Выйти" if how == "logout" else "Сменить пользователя"
    qtbot.mouseClick(leave_button(window, go), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5_000)
    assert window.next_login == (settings if how == "logout" else ProfileSettings(settings.platform_url, ""))
    session.close()
    # The same official comes back: the action is still there, still theirs, still waiting.
    window2, session2, _ = offline_window()
    [entry] = session2.reader.outbox(("pending", "sending"))
    assert entry.item_id == item.id and entry.user_id == "c-coord"
    assert window2.offline.banner.isVisible() and "Не доставлено действий: 1." in window2.offline.banner.message.text()


def test_leaving_with_nothing_undelivered_does_not_ask(world: World, open_window: WindowFactory,
                                                      qtbot: QtBot) -> None:
    window = open_window("c-coord")
    window.offline.actions["logout"].trigger()
    assert window.offline.leave_box is None
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5_000)


def test_another_logins_actions_are_shown_as_such_and_never_sent(world: World, open_window: WindowFactory,
                                                                 qtbot: QtBot) -> None:
    item = world.inject()
    world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    window = open_window("c-exec2")
    worker = window.session.worker
    cache, engine = worker._cache, worker._engine
    assert cache is not None and engine is not None
    # An entry queued on this workstation under another login (c-exec1's), as a shared PC would hold it.
    engine.submit(lambda: cache.enqueue(item.id, Action.SAVE_DRAFT.value, {"text": "черновик коллеги"}, 2,
                                        user_id="c-exec1"))
    sync(qtbot, window)
    window.offline.actions["outbox"].trigger()
    outbox = window.offline.outbox_window
    assert outbox is not None
    qtbot.waitUntil(lambda: outbox.model.rowCount() == 1, timeout=10_000)
    outbox.table.selectRow(0)
    assert outbox.model.index(0, 4).data() == "другой вход: Сотрудник c-exec1"
    assert "не отправляется" in outbox.details.toPlainText()
    assert not any(b.isEnabled() for b in (outbox.cancel_button, outbox.fix_button, outbox.discard_button,
                                            outbox.resolve_button))
    sync(qtbot, window)
    server = world.platform.store.get_item(item.id)
    assert server is not None and server.draft is None  # never sent under c-exec2's login
    assert window.session.reader.outbox_counts()["pending"] == 1


def test_a_far_platform_clock_is_a_warning_and_deadlines_run_on_it(world: World, qtbot: QtBot,
                                                                  tmp_path: Path) -> None:
    item = world.inject()  # the world's clock stands in March 2026, far from this computer's
    session = training_session(world.url, "c-coord", PASSWORD)
    window = MainWindow(session, settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    try:
        window.show()
        sync(qtbot, window)
        qtbot.waitUntil(window.offline.clock_warning.isVisible, timeout=10_000)
        warning = window.offline.clock_warning
        assert warning.text().startswith("⚠ Часы компьютера расходятся с платформой на ")
        assert "исправьте время" in warning.toolTip()
        window.navigation.setCurrentRow(window.queues.index(QueueId.ROUTING))
        window._refresh_now()
        countdown = window.model.index(window.model.row_of(item.id), COLUMNS.index("deadline")).data()
        # Three days to route, by the platform's clock; by this computer's the item would be long overdue.
        assert countdown.startswith("осталось 3 дн"), countdown
    finally:
        window.close()
        session.close()


def test_a_platform_clock_close_to_the_computers_raises_no_warning(world_factory: Callable[..., World],
                                                                  qtbot: QtBot, tmp_path: Path) -> None:
    world = world_factory(start=datetime.now(UTC))
    session = training_session(world.url, "c-coord", PASSWORD)
    window = MainWindow(session, settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    try:
        window.show()
        sync(qtbot, window)
        assert window.offline.clock_warning.isHidden()
    finally:
        window.close()
        session.close()
