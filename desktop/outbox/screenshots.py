"""Screenshots of offline work for desktop.screenshots: the executor's window with actions waiting, «Исходящие»
and a conflict's dialog, on the training platform (its fault controls stand in for the outage)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from desktop.main_window import MainWindow
from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.contract.models import FaultConfig
from offline_cache.domain.model import Action, Role
from offline_cache.queues import QueueId

SAMPLE_ANSWER = "Яму на ул. Садовой заделают до 1 мая; подрядчик — МБУ «Дорсервис»."


def _wait(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    """Run the event loop until ``condition`` holds (the worker reports through queued signals)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()
    return True


def _performed(window: MainWindow, item_id: str, action: Action, payload: dict[str, object]) -> bool:
    errors: list[str] = []
    bridge = window.session.worker.bridge
    bridge.actionFinished.connect(lambda _r, _i, error: errors.append(error))
    window.session.worker.perform(item_id, action, dict(payload))
    return _wait(lambda: bool(errors)) and errors[0] == ""


def _colleague(window: MainWindow, url: str) -> tuple[PlatformClient, str] | None:
    """A coordinator of the executor's organisation (logged in) and another executor there to hand work to."""
    me = window.session.me
    staff = window.session.reader.staff()
    other = next((s.id for s in staff if s.org_id == me.organisation.id and Role.EXECUTOR in s.roles
                  and s.id != me.user.id), None)
    client = PlatformClient(ClientConfig(url))
    coordinator = next((u for u in client.demo_users() if Role.COORDINATOR in u.roles
                        and u.org_name == me.organisation.name), None)
    if other is None or coordinator is None:
        client.close()
        return None
    client.login(coordinator.login, coordinator.password)
    return client, other


def outbox_shots(window: MainWindow, url: str, out: Path) -> list[Path]:
    """Save conflict, offline and outbox pictures from an executor's ``window``; returns the files."""
    saved: list[Path] = []

    def save(name: str, widget: object) -> None:
        QApplication.processEvents()
        path = out / f"offline-executor-{name}.png"
        widget.grab().save(str(path))  # type: ignore[attr-defined]
        saved.append(path)

    if QueueId.MY_WORK not in window.queues:
        return saved
    window.navigation.setCurrentRow(window.queues.index(QueueId.MY_WORK))
    rows = [window.model.item_id(n) for n in range(min(window.model.rowCount(), 2))]
    items = [i for i in rows if i]
    found = _colleague(window, url)
    if len(items) < 2 or found is None:
        return saved
    colleague, other = found
    offline = window.offline
    try:
        # A conflict: the coordinator gives the item to a colleague while this copy is stale.
        conflicted = window.session.reader.server_item(items[0])
        if conflicted is not None:
            colleague.act(conflicted.id, Action.REASSIGN, conflicted.version, {"executor_id": other})
            if _performed(window, conflicted.id, Action.SUBMIT_FOR_APPROVAL, {"text": SAMPLE_ANSWER}) and _wait(
                    lambda: offline.outbox_window is not None and offline.outbox_window.conflict_dialog is not None
                    and offline.outbox_window.conflict_dialog.isVisible()):
                assert offline.outbox_window is not None and offline.outbox_window.conflict_dialog is not None
                save("conflict", offline.outbox_window.conflict_dialog)
                offline.outbox_window.conflict_dialog.reject()
                offline.outbox_window.close()
        # The platform goes away: the next action waits, and the window says so.
        colleague.set_faults(FaultConfig(drop_rate=1.0))
        if _performed(window, items[1], Action.SAVE_DRAFT, {"text": SAMPLE_ANSWER}) \
                and _wait(offline.banner.isVisible):
            window.offline.show_item(items[1])
            save("window", window)
            outbox = offline.show_outbox()
            outbox.table.selectRow(outbox.model.rowCount() - 1)
            save("outbox", outbox)
            outbox.close()
    finally:
        colleague.set_faults(FaultConfig())
        colleague.close()
    return saved
