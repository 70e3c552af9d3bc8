"""The audit window says whether the log's hash chain holds, and shows an edit made through SQL."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop.audit.window import AuditWindow
from offline_cache.domain.model import Action
from offline_cache.store.cache import Cache
from tests.desktop.conftest import WindowFactory
from tests.desktop.test_offline_round_trip import act, sync
from tests.world import World


def test_the_window_tells_an_intact_log_from_a_tampered_one(world: World, open_window: WindowFactory,
                                                            qtbot: QtBot) -> None:
    item = world.inject()
    window = open_window("c-coord")
    act(qtbot, window, item.id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
    sync(qtbot, window)
    window.offline.actions["audit"].trigger()
    audit = window.findChild(AuditWindow)
    assert isinstance(audit, AuditWindow)
    assert audit.integrity.text().startswith("Журнал аудита не нарушен: 2 записей")

    def tamper(cache: Cache) -> None:
        cache.db.execute("UPDATE audit_log SET acting_for = 'c-head' WHERE event = 'enqueued'")

    with qtbot.waitSignal(window.session.worker.bridge.writeFinished, timeout=30_000):
        window.session.worker.run_write(tamper)
    refresh = next(b for b in audit.findChildren(QPushButton) if b.text() == "Обновить")
    qtbot.mouseClick(refresh, Qt.MouseButton.LeftButton)
    assert audit.integrity.text().startswith("Журнал аудита нарушен (запись № 1)")
