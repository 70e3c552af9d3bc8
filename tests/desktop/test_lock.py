"""Auto-lock: after idle (fake clock) and on the OS session lock; nothing of a citizen shows while locked;
unlock online and offline; five wrong tries block for a growing delay; sync goes on while locked."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit, QPlainTextEdit, QTextEdit, QWidget
from pytestqt.qtbot import QtBot

from desktop.lock.controller import LockController
from desktop.lock.settings import IDLE_KEY
from desktop.main_window import MainWindow
from desktop.session import training_session
from offline_cache.contract.models import InjectMessageRequest
from offline_cache.domain.model import ItemKind
from offline_cache.unlock import Verdict
from tests.desktop.profiles import Relay, wait_pass
from tests.world import PASSWORD, World

TEXT = "Во дворе дома 12 по улице Черёмуховой провалился асфальт"
APPLICANT = "Агафья Тихоновна Кукушкина"
ADDRESS = "ул. Черёмуховая, д. 12"


class FakeClock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def relay(world: World) -> Iterator[Relay]:
    relay = Relay(world.url)
    yield relay
    relay.down()


@pytest.fixture
def window(world: World, relay: Relay, qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    """c-coord's window through a cuttable network path, with one citizen's message selected."""
    world.platform.inject(InjectMessageRequest(org_id="c", kind=ItemKind.MESSAGE, category_code="roads", text=TEXT,
                                               address=ADDRESS, applicant_name=APPLICANT))
    session = training_session(relay.url, "c-coord", PASSWORD)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue(IDLE_KEY, 10)
    win = MainWindow(session, clock=world.clock.now, settings=settings)
    win.resize(1400, 860)
    win.show()
    wait_pass(qtbot, session)
    win._refresh_now()
    [hit] = session.reader.search("Черёмуховой")
    win.panel.select_item(hit["id"])
    yield win
    win.close()
    session.close()


def visible_texts(window: QWidget) -> str:
    """Every text a visible widget of the window shows (labels, fields, tables), and the title."""
    texts = [window.windowTitle()]
    for w in window.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, (QLabel, QLineEdit)):
            texts.append(w.text())
        elif isinstance(w, (QPlainTextEdit, QTextEdit)):
            texts.append(w.toPlainText())
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            model, root = w.model(), QModelIndex()
            for row in range(model.rowCount(root)):
                column = 0
                while (cell := model.index(row, column, root)).isValid():
                    texts.append(str(cell.data()))
                    column += 1
    return "\n".join(texts)


def details_shown(window: QWidget) -> list[str]:
    shown = visible_texts(window)
    return [s for s in (TEXT, APPLICANT, ADDRESS, "Черёмух") if s in shown]


def unlock_with(qtbot: QtBot, lock: LockController, password: str) -> Verdict:
    lock.screen.password.setText(password)
    with qtbot.waitSignal(lock.verdict, timeout=30_000) as blocker:
        qtbot.keyClick(lock.screen.password, Qt.Key.Key_Return)
    verdict: Verdict = blocker.args[0]
    return verdict


def test_locks_after_ten_idle_minutes_and_input_postpones_it(window: MainWindow, qtbot: QtBot) -> None:
    lock, clock = window.lock, FakeClock()
    lock.set_clock(clock)
    assert lock.idle.timeout == 600 and details_shown(window)  # the control: details are there before
    clock.now += 599
    lock.idle.check()
    assert not lock.locked
    qtbot.keyClick(window.panel.table, Qt.Key.Key_Down)  # any input, anywhere in the application
    clock.now += 599
    lock.idle.check()
    assert not lock.locked
    clock.now += 1
    with qtbot.waitSignal(lock.lockedChanged, timeout=10_000):
        lock.idle.check()
    assert lock.locked and lock.screen.isVisible()
    assert details_shown(window) == []
    assert window.windowTitle() == "POS Desk — заблокировано" and window.session.me.user.full_name not in \
        window.windowTitle()
    assert not window.menuBar().isEnabled()
    action = next(a for a in window.findChildren(QAction) if not a.shortcut().isEmpty() and a.isEnabled())
    with qtbot.assertNotEmitted(action.triggered):  # no shortcut acts on the item behind the screen
        qtbot.keySequence(lock.screen.password, action.shortcut())
    assert lock.notice("№ 2026-0000001") == "Подробности — после разблокировки"


def test_unlock_online_and_offline_sync_goes_on_while_locked(window: MainWindow, world: World, relay: Relay,
                                                             qtbot: QtBot) -> None:
    lock = window.lock
    title = window.windowTitle()
    lock.lock()
    before = window.session.reader.item_count()
    world.inject(text="Сообщение, пришедшее, пока окно заблокировано")
    wait_pass(qtbot, window.session)  # the worker syncs behind the lock screen
    assert window.session.reader.item_count() == before + 1 and lock.locked

    wrong = unlock_with(qtbot, lock, "не тот пароль")
    assert not wrong.ok and wrong.by == "online" and lock.locked
    assert lock.screen.message.text() == wrong.message and "Неверный пароль" in wrong.message
    right = unlock_with(qtbot, lock, PASSWORD)
    assert right.ok and right.by == "online" and not lock.locked
    assert window.windowTitle() == title and details_shown(window) and not lock.screen.isVisible()
    assert window.menuBar().isEnabled()

    relay.down()  # no network: the Argon2id hash kept in the cache at login decides
    lock.lock()
    wrong = unlock_with(qtbot, lock, "не тот пароль")
    assert not wrong.ok and wrong.by == "offline" and lock.locked
    right = unlock_with(qtbot, lock, PASSWORD)
    assert right.ok and right.by == "offline" and not lock.locked
    relay.up()


def test_five_wrong_tries_block_for_a_growing_delay(window: MainWindow, qtbot: QtBot) -> None:
    lock, clock = window.lock, FakeClock()
    lock.set_clock(clock)
    lock.lock()
    for n in range(1, 6):
        verdict = unlock_with(qtbot, lock, f"неверный {n}")
        assert not verdict.ok
    assert "через 30 с" in lock.screen.message.text()
    refused = unlock_with(qtbot, lock, PASSWORD)  # even the right one waits out the block
    assert not refused.ok and refused.by == "" and lock.locked
    clock.now += 30
    assert not unlock_with(qtbot, lock, "неверный 6").ok
    assert "через 1 мин 0 с" in lock.screen.message.text()  # doubled
    clock.now += 60
    assert unlock_with(qtbot, lock, PASSWORD).ok and not lock.locked


@pytest.mark.skipif(shutil.which("dbus-daemon") is None or shutil.which("dbus-send") is None,
                    reason="no dbus-daemon to stand in for the desktop session bus")
def test_the_os_session_locking_locks_the_window(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    from PySide6.QtDBus import QDBusConnection

    from desktop.lock.os_lock import SessionLockWatcher

    address = f"unix:path={tmp_path / 'bus'}"
    pid = subprocess.run(["dbus-daemon", "--session", f"--address={address}", "--print-pid=1", "--fork"],
                         capture_output=True, text=True, timeout=30, check=True).stdout.strip()
    try:
        bus = QDBusConnection.connectToBus(address, "posdesk-test-session")
        watcher = SessionLockWatcher(window, session_bus=bus, system_bus=bus)
        assert "org.freedesktop.ScreenSaver" in watcher.covered
        watcher.sessionLocked.connect(window.lock.lock)
        with qtbot.waitSignal(window.lock.lockedChanged, timeout=10_000):
            subprocess.run(["dbus-send", f"--bus={address}", "--type=signal", "/org/freedesktop/ScreenSaver",
                            "org.freedesktop.ScreenSaver.ActiveChanged", "boolean:true"], check=True, timeout=30)
        assert window.lock.locked and details_shown(window) == []
    finally:
        QDBusConnection.disconnectFromBus("posdesk-test-session")
        subprocess.run(["kill", pid], check=False)
