"""The worker API the window uses: autosave, files, outbox operations, deputies and logging in again, each
answered by its signal on the UI thread; the real worker over a real cache and the platform on loopback."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.worker import SyncWorker
from offline_cache.contract.models import FaultConfig
from offline_cache.domain.model import Action
from offline_cache.store.cache import Cache
from tests.world import PASSWORD, WORLD_START, World

WAIT = 15_000


@pytest.fixture
def worker(world: World, tmp_path: Path, qtbot: QtBot) -> Iterator[tuple[SyncWorker, Cache]]:
    """A started worker of c-exec1 after its first sync, and a reader beside it (as the window has)."""
    key, path = secrets.token_bytes(32), tmp_path / "w.posdesk"
    client = world.client("c-exec1")
    sync = SyncWorker(path, key, client, interval=3600, login="c-exec1")
    with qtbot.waitSignal(sync.bridge.statusChanged, timeout=WAIT, check_params_cb=lambda s, _m: s == "idle"):
        sync.start()
    reader = Cache.open(path, key, create=False, upgrade=False)
    yield sync, reader
    sync.stop()
    reader.close()


def routed(world: World) -> str:
    item = world.inject()
    world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    return item.id


def test_draft_files_and_outbox_operations_through_the_worker(world: World, worker: tuple[SyncWorker, Cache],
                                                              qtbot: QtBot, tmp_path: Path) -> None:
    item_id = routed(world)
    sync, reader = worker
    with qtbot.waitSignal(sync.bridge.statusChanged, timeout=WAIT, check_params_cb=lambda s, _m: s == "idle"):
        sync.sync_now()

    with qtbot.waitSignal(sync.bridge.draftSaved, timeout=WAIT) as saved:
        sync.save_local_draft(item_id, "Набираю ответ")
    assert saved.args == [item_id, ""]
    assert reader.local_draft(item_id).text == "Набираю ответ"  # type: ignore[union-attr]

    pdf = tmp_path / "акт.pdf"
    pdf.write_bytes(b"%PDF-1.4 test")
    exe = tmp_path / "акт\u202efdp.exe"
    exe.write_bytes(b"MZ")
    with qtbot.waitSignal(sync.bridge.attachmentsChanged, timeout=WAIT) as attached:
        sync.attach(item_id, pdf)
    assert attached.args == [item_id, ""]
    with qtbot.waitSignal(sync.bridge.attachmentsChanged, timeout=WAIT) as refused:
        sync.attach(item_id, exe)
    assert refused.args[1].startswith("Недопустимое имя файла: имя файла содержит недопустимый символ U+202E")
    [local] = reader.local_attachments(item_id)
    assert reader.local_draft(item_id).attachment_ids == (local.id,)  # type: ignore[union-attr]

    world.server.faults.configure(FaultConfig(drop_rate=1.0))  # offline: the action stays queued
    with qtbot.waitSignal(sync.bridge.actionFinished, timeout=WAIT):
        sync.perform(item_id, Action.SAVE_DRAFT.value, {"text": "Ответ с актом", "attachment_ids": [local.id]})
    [entry] = reader.outbox(("pending",))
    with qtbot.waitSignal(sync.bridge.attachmentsChanged, timeout=WAIT) as busy:
        sync.detach(item_id, local.id)
    assert "в очереди отправки" in busy.args[1], "a queued file is not taken away"
    with qtbot.waitSignal(sync.bridge.outboxOpFinished, timeout=WAIT) as cancelled:
        sync.cancel_entry(entry.id)
    assert cancelled.args == [entry.id, ""]
    assert reader.outbox_entry(entry.id).state == "cancelled"  # type: ignore[union-attr]
    with qtbot.waitSignal(sync.bridge.outboxOpFinished, timeout=WAIT) as again:
        sync.cancel_entry(entry.id)
    assert again.args[1] == "Отменить нельзя: действие уже отменено"
    with qtbot.waitSignal(sync.bridge.attachmentsChanged, timeout=WAIT) as removed:
        sync.detach(item_id, local.id)
    assert removed.args == [item_id, ""] and reader.local_attachments(item_id) == []


def test_deputy_and_logging_in_again_through_the_worker(world: World, worker: tuple[SyncWorker, Cache],
                                                        qtbot: QtBot) -> None:
    sync, reader = worker
    with qtbot.waitSignal(sync.bridge.deputyFinished, timeout=WAIT) as named:
        sync.set_deputy("c-exec2", WORLD_START, WORLD_START + timedelta(days=7), "отпуск")
    assert named.args == [""]
    me = next(s for s in reader.staff() if s.id == "c-exec1")
    assert me.deputy_id == "c-exec2" and me.absence is not None and me.absence.reason == "отпуск"

    with qtbot.waitSignal(sync.bridge.loginFinished, timeout=WAIT) as wrong:
        sync.log_in("не тот пароль")
    assert wrong.args[0] and "парол" in wrong.args[0].lower()
    with qtbot.waitSignal(sync.bridge.loginFinished, timeout=WAIT) as right:
        sync.log_in(PASSWORD)
    assert right.args == [""]


def test_clock_skew_reaches_the_window(world: World, worker: tuple[SyncWorker, Cache], qtbot: QtBot) -> None:
    sync, reader = worker
    # The test world's clock stands in March 2026, far from the computer's: the window is told.
    with qtbot.waitSignal(sync.bridge.clockSkew, timeout=WAIT) as skew:
        sync.sync_now()
    expected = (world.clock.now() - datetime.now(UTC)).total_seconds()
    assert abs(skew.args[0] - expected) < 60 and abs(skew.args[0]) > 120
    assert float(reader.state("clock_skew") or 0) == skew.args[0]
