"""The test world with the demo templates and a demo message routed to an executor (for the template tests)."""

from __future__ import annotations

from functools import cache

from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.templates.support import TemplateSupport
from offline_cache.contract.models import InjectMessageRequest, Item
from offline_cache.domain.model import Action, ItemKind
from offline_cache.queues import QueueId
from tests.desktop.actions_world import show_queue
from tests.desktop.conftest import WindowFactory
from tests.world import WORLD_START, World
from training_platform.demo_data import generate_demo, load_templates


@cache
def demo_message() -> Item:
    """A message of the demo data: a citizen's real-looking text, address and full name."""
    return next(i for i in generate_demo(WORLD_START, items=40).items
                if i.kind is ItemKind.MESSAGE and i.parent_id is None)


def with_templates(world: World) -> None:
    with world.platform.store.transaction():
        world.platform.store.put_templates(load_templates())


def inject_demo(world: World, applicant_name: str | None = None, address: str | None = None) -> Item:
    demo = demo_message()
    return world.platform.inject(InjectMessageRequest(
        org_id="c", category_code="roads", subject=demo.subject, text=demo.text,
        address=demo.address if address is None else address,
        applicant_name=applicant_name or demo.applicant_name))


def executor_with(world: World, open_window: WindowFactory, qtbot: QtBot, item: Item,
                  user: str = "c-exec1") -> MainWindow:
    """``item`` routed to ``user``, whose window shows it in «Мои» with the speller ready."""
    coord = world.client("c-coord")
    coord.act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": user})
    window = open_window(user)
    support = templates_of(window)
    qtbot.waitUntil(lambda: support.speller is not None, timeout=30_000)
    show_queue(window, QueueId.MY_WORK)
    window.panel.select_item(item.id)
    assert window.card.item is not None and window.card.item.id == item.id
    return window


def templates_of(window: MainWindow) -> TemplateSupport:
    return window.actions_controller.templates


def activate(window: MainWindow, qtbot: QtBot) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10_000)


def acknowledge_checks(window: MainWindow, qtbot: QtBot) -> list[str]:
    """Wait for the checks dialog and acknowledge its warnings (as the official would); the codes it listed."""
    from desktop.templates.checks import ChecksDialog

    support = templates_of(window)
    qtbot.waitUntil(lambda: isinstance(support.dialog, ChecksDialog) and support.dialog.isVisible(), timeout=10_000)
    dialog = support.dialog
    assert isinstance(dialog, ChecksDialog) and not dialog.blocked
    dialog.acknowledge.click()
    return [r.code for r in dialog.results]
