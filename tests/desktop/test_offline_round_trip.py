"""The answer's round trip (coordinator → executor → head) with the platform unreachable for the middle steps ends
exactly as the same trip online: each action queued, shown as pending, delivered once and in order."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.queue.model import COLUMNS
from offline_cache.contract.models import FaultConfig
from offline_cache.domain.model import Action, Status
from offline_cache.queues import QueueId
from tests.desktop.conftest import WindowFactory
from tests.desktop.profiles import wait_pass
from tests.world import World

FIRST, REVISED = "Яма будет заделана до 1 мая.", "Яма будет заделана до 1 мая; участок огорожен."
COMMENT = "Укажите, кто отвечает за ограждение"


def act(qtbot: QtBot, window: MainWindow, item_id: str, action: Action, payload: dict[str, Any]) -> None:
    with qtbot.waitSignal(window.session.worker.bridge.actionFinished, timeout=15_000) as done:
        window.session.worker.perform(item_id, action, payload)
    assert done.args[2] == "", done.args[2]


def sync(qtbot: QtBot, window: MainWindow, wanted: str = "idle") -> None:
    wait_pass(qtbot, window.session, wanted)
    window._refresh_now()


def pending_mark(window: MainWindow, item_id: str) -> str:
    window._refresh_now()
    row = window.model.row_of(item_id)
    return str(window.model.index(row, COLUMNS.index("pending")).data()) if row >= 0 else "нет строки"


def offline_step(qtbot: QtBot, world: World, window: MainWindow, steps: list[tuple[Action, dict[str, Any]]],
                 item_id: str) -> None:
    """Act with the platform unreachable: each action queues and shows; then the platform returns."""
    world.server.faults.configure(FaultConfig(drop_rate=1.0))
    before = world.platform.store.get_item(item_id)
    for n, (action, payload) in enumerate(steps, start=1):
        act(qtbot, window, item_id, action, payload)
        window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
        qtbot.waitUntil(lambda: pending_mark(window, item_id) == "●", timeout=10_000)
        assert window.session.reader.outbox_counts()["pending"] + window.session.reader.outbox_counts()[
            "sending"] == n
    # The offline state is plain to see, with the count as the last outbox report gives it.
    waiting = f"Не доставлено действий: {len(steps)}."
    qtbot.waitUntil(lambda: window.offline.banner.isVisible() and waiting in window.offline.banner.message.text(),
                    timeout=30_000)
    assert world.platform.store.get_item(item_id) == before  # nothing reached the platform
    world.server.faults.configure(FaultConfig())
    sync(qtbot, window)
    qtbot.waitUntil(lambda: pending_mark(window, item_id) == "", timeout=10_000)
    counts = window.session.reader.outbox_counts()
    assert counts["pending"] == counts["sending"] == counts["failed"] == counts["conflict"] == 0


def trip(qtbot: QtBot, world: World, windows: dict[str, MainWindow], item_id: str, *, offline: bool) -> None:
    coord, executor, head = windows["r-coord"], windows["r-exec"], windows["r-head"]

    def step(window: MainWindow, actions: list[tuple[Action, dict[str, Any]]]) -> None:
        sync(qtbot, window)
        if offline:
            offline_step(qtbot, world, window, actions, item_id)
        else:
            for action, payload in actions:
                act(qtbot, window, item_id, action, payload)
            sync(qtbot, window)

    sync(qtbot, coord)
    act(qtbot, coord, item_id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "r-exec"})  # online in both runs
    sync(qtbot, coord)
    step(executor, [(Action.SAVE_DRAFT, {"text": FIRST}), (Action.SUBMIT_FOR_APPROVAL, {"text": FIRST})])
    step(head, [(Action.RETURN_FOR_REVISION, {"comment": COMMENT})])
    step(executor, [(Action.SUBMIT_FOR_APPROVAL, {"text": REVISED})])
    sync(qtbot, head)
    act(qtbot, head, item_id, Action.APPROVE, {})  # online in both runs
    sync(qtbot, head)


def test_the_round_trip_offline_ends_as_online(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    online_item = world.inject(org_id="r")
    offline_item = world.inject(org_id="r")
    windows = {user: open_window(user) for user in ("r-coord", "r-exec", "r-head")}
    trip(qtbot, world, windows, online_item.id, offline=False)
    trip(qtbot, world, windows, offline_item.id, offline=True)

    online = world.platform.store.get_item(online_item.id)
    offline = world.platform.store.get_item(offline_item.id)
    assert online is not None and offline is not None
    assert online.status is offline.status is Status.ANSWERED
    assert online.answer is not None and offline.answer is not None
    assert offline.answer.text == online.answer.text == REVISED

    def story(item_history: list[Any]) -> list[tuple[str, str | None, str, str]]:
        return [(h.action, h.actor_id, h.to_status, h.comment) for h in item_history]

    assert story(offline.history) == story(online.history)  # each action exactly once, in order
    actions = [h.action for h in offline.history]
    for action in (Action.ROUTE_TO_EXECUTOR, Action.SAVE_DRAFT, Action.RETURN_FOR_REVISION, Action.APPROVE):
        assert actions.count(action) == 1, actions
    assert actions.count(Action.SUBMIT_FOR_APPROVAL) == 2
