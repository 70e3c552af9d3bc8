"""The local audit log window: the cache's record of each action (who, for whom, what, when queued and delivered
or why not), and its CSV export."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.audit.window import COLUMNS, AuditWindow
from offline_cache.domain.model import Action, Role
from tests.desktop.conftest import WindowFactory
from tests.desktop.test_offline_round_trip import act, sync
from tests.desktop.test_outbox import set_roles
from tests.world import World


def test_the_audit_log_lists_each_action_and_exports_csv(world: World, open_window: WindowFactory, qtbot: QtBot,
                                                        qtmodeltester: object, tmp_path: Path) -> None:
    routed, refused = world.inject(), world.inject()
    window = open_window("c-coord")
    act(qtbot, window, routed.id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
    sync(qtbot, window)
    set_roles(world, "c-coord", Role.EXECUTOR)  # the platform will refuse the next one (403)
    act(qtbot, window, refused.id, Action.TAKE_INTO_WORK, {})
    qtbot.waitUntil(lambda: window.session.reader.outbox_counts()["failed"] == 1, timeout=30_000)
    window.offline.actions["audit"].trigger()  # «Сеанс → Журнал действий…», Ctrl+Shift+J
    audit = window.findChild(AuditWindow)
    assert isinstance(audit, AuditWindow) and audit.isVisible()
    qtmodeltester.check(audit.model, force_py=True)  # type: ignore[attr-defined]
    assert audit.model.rowCount() == 2

    def shown(row: int, column: str) -> str:
        return str(audit.model.index(row, COLUMNS.index(column)).data())

    rows = {shown(r, "item_number"): r for r in range(2)}
    first = rows[routed.number]
    assert shown(first, "user_name") == "Сотрудник c-coord"
    assert shown(first, "action_name") == "Назначить исполнителя"
    assert shown(first, "state_name") == "Доставлено"
    assert shown(first, "queued_at") and shown(first, "delivered_at")
    header = audit.model.headerData(COLUMNS.index("queued_at"), Qt.Orientation.Horizontal)
    assert header == "Поставлено в очередь (UTC+5)"
    second = rows[refused.number]
    assert shown(second, "state_name") == "Отклонено платформой"
    assert shown(second, "error") and shown(second, "delivered_at") == ""

    qtbot.mouseClick(audit.export_button, Qt.MouseButton.LeftButton)
    dialog = audit.dialog
    assert dialog is not None and dialog.isVisible()
    target = tmp_path / "журнал.csv"
    dialog.selectFile(str(target))
    with qtbot.waitSignal(audit.exported, timeout=10_000):
        dialog.accept()
    with target.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh, delimiter=";"))
    assert lines[0][:3] == ["Сотрудник", "За кого", "Действие"]
    assert len(lines) == 3
    assert {line[3] for line in lines[1:]} == {routed.number, refused.number}
    assert "записей: 2" in audit.outcome.text()
