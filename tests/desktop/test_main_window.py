"""The main window over a real training session: queues per role, search, filters, card, status, state."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.countdown import URGENCY_COLOURS
from desktop.queue.model import COLUMNS, QueueModel
from offline_cache.contract.models import FaultConfig, Item
from offline_cache.domain.deadlines import Urgency
from offline_cache.domain.model import Action, Status
from offline_cache.domain.workflow import draft_digest
from offline_cache.queues import QueueId
from tests.desktop.conftest import WindowFactory
from tests.world import World

HTML = "<b>жирный</b> <img src=x onerror=alert(1)> <a href='http://evil.example'>ссылка</a>"


def build_queues(world: World) -> dict[str, Item]:
    """Items in several states of org c: 6 awaiting routing, 3 in work (c-exec1), 2 on approval, 1 returned."""
    texts = ["Яма на дороге у школы", "Не горит фонарь, тёмный двор", "Мусор не вывозят неделю", HTML]
    items = {f"i{n}": world.inject(text=f"{texts[n % 4]} (№{n})", category=("roads", "light", "snow")[n % 3])
             for n in range(12)}
    coord, exec1 = world.client("c-coord"), world.client("c-exec1")
    cur, head = world.client("c-cur"), world.client("c-head")
    for key in ("i6", "i7", "i8", "i9", "i10", "i11"):
        item = coord.act(items[key].id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
        if key in ("i9", "i10", "i11"):
            item = exec1.act(item.id, Action.SUBMIT_FOR_APPROVAL, item.version, {"text": "Проект ответа"})
            seen = {"draft_digest": draft_digest(item.draft)}
            item = cur.act(item.id, Action.APPROVE, item.version, seen)
            if key == "i11":
                item = head.act(item.id, Action.RETURN_FOR_REVISION, item.version, {"comment": "Дополните", **seen})
        items[key] = item
    return items


def platform_counts(world: World, user: str) -> dict[QueueId, int]:
    """The queues computed independently from the platform's own feed for ``user``."""
    client = world.client(user)
    items, cursor = [], 0
    while True:
        page = client.feed(cursor, 500)
        items += page.items
        cursor = page.next_cursor
        if not page.has_more:
            break
    me = client.me()
    chain = me.organisation.approval_chain
    steps = {n for n, role in enumerate(chain) if role in me.effective_roles}
    return {
        QueueId.ROUTING: sum(i.status is Status.AWAITING_ROUTING for i in items),
        QueueId.MY_WORK: sum(i.status is Status.IN_WORK and i.assignee_id == user for i in items),
        QueueId.RETURNED: sum(i.status is Status.RETURNED and i.assignee_id == user for i in items),
        QueueId.APPROVAL: sum(i.status is Status.ON_APPROVAL and i.approval_step in steps for i in items),
        QueueId.ALL: len(items),
    }


def test_each_role_sees_its_queues_with_the_platforms_counts(world: World, open_window: WindowFactory) -> None:
    build_queues(world)
    expected_queues = {
        "c-coord": [QueueId.ROUTING, QueueId.MY_WORK, QueueId.RETURNED],
        "c-exec1": [QueueId.MY_WORK, QueueId.RETURNED],
        "c-head": [QueueId.APPROVAL],
        "c-cur": [QueueId.APPROVAL],
        "c-admin": [],
    }
    for user, first in expected_queues.items():
        window = open_window(user)
        assert window.queues[: len(first)] == first, user
        assert (QueueId.APPROVAL in window.queues) == (user in ("c-head", "c-cur"))
        truth = platform_counts(world, user)
        for queue, count in truth.items():
            if queue in window.queues:
                assert window.counts[queue] == count, (user, queue)
        label = window.navigation.item(0).text()
        assert label.endswith(f"({window.counts[window.queues[0]]})")
    # The head approves the second step of the city's chain (curator → head): three drafts wait.
    assert platform_counts(world, "c-head")[QueueId.APPROVAL] == 2


def test_search_and_filters_narrow_the_table(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    build_queues(world)
    window = open_window("c-coord")
    window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
    assert window.model.total == 12
    # QTest.keyClicks only maps ASCII characters to keys; setText fires the same textChanged path.
    window.panel.search.setText("темн")  # «тёмный»: ё and е alike, prefix match
    qtbot.waitUntil(lambda: window.model.total == 3, timeout=3_000)
    texts = [window.session.reader.item(window.model.item_id(r) or "") for r in range(window.model.rowCount())]
    assert all(item is not None and "тёмный" in item.text for item in texts)
    window.panel.search.clear()
    qtbot.waitUntil(lambda: window.model.total == 12, timeout=3_000)
    window.panel.category.setCurrentIndex(window.panel.category.findData("snow"))
    assert window.model.total == 4
    window.panel.status.setCurrentIndex(window.panel.status.findData(Status.IN_WORK.value))
    assert window.model.total == 1
    statuses = {window.model.index(r, COLUMNS.index("status")).data() for r in range(window.model.rowCount())}
    assert statuses == {"В работе"}


def test_countdown_colours_on_both_sides_of_each_threshold(world: World, open_window: WindowFactory) -> None:
    item = world.inject(category="light")  # routing deadline: 3 days; the answer: 8 days
    window = open_window("c-coord")
    model: QueueModel = window.model
    row = model.row_of(item.id)
    assert row >= 0
    due = item.routing_due_at
    assert due is not None
    cases = [
        (due - timedelta(days=3, minutes=1), Urgency.OK),
        (due - timedelta(days=3) + timedelta(minutes=1), Urgency.SOON),
        (due - timedelta(days=1, minutes=1), Urgency.SOON),
        (due - timedelta(days=1) + timedelta(minutes=1), Urgency.CRITICAL),
        (due - timedelta(minutes=1), Urgency.CRITICAL),
        (due + timedelta(minutes=1), Urgency.OVERDUE),
    ]
    index = model.index(row, COLUMNS.index("deadline"))
    for moment, level in cases:
        model._clock = lambda m=moment: m
        model.tick()
        assert index.data(Qt.ItemDataRole.ForegroundRole).color() == URGENCY_COLOURS[level], (moment, level)
        text = index.data()
        assert text.startswith("просрочено" if level is Urgency.OVERDUE else "осталось"), text


def test_citizens_html_is_shown_literally(world: World, open_window: WindowFactory) -> None:
    item = world.inject(text=HTML, category="roads")
    window = open_window("c-coord")
    window.panel.select_item(item.id)
    assert window.card.item is not None and window.card.item.id == item.id
    assert window.card.text.toPlainText() == HTML
    assert window.card.text.document().toPlainText() == HTML  # no markup was interpreted
    for label in (window.card.address, window.card.applicant, window.card.subject, window.card.title):
        assert label.textFormat() == Qt.TextFormat.PlainText
    cell = window.model.index(window.model.row_of(item.id), COLUMNS.index("address")).data()
    assert cell == item.address


def test_queue_model_passes_qtmodeltester(world: World, open_window: WindowFactory, qtmodeltester: object) -> None:
    build_queues(world)
    window = open_window("c-coord")
    qtmodeltester.check(window.model, force_py=True)  # type: ignore[attr-defined]


def test_offline_and_back(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    window = open_window("c-coord")
    shown: list[str] = []  # what the status label said after each report (the engine keeps retrying)
    window.session.worker.bridge.statusChanged.connect(lambda *_a: shown.append(window.online.text()))
    world.server.faults.configure(FaultConfig(drop_rate=1.0))
    with qtbot.waitSignal(window.session.worker.bridge.statusChanged, timeout=20_000,
                          check_params_cb=lambda status, _m: status == "offline"):
        window.session.worker.sync_now()
    assert "● Нет связи" in shown
    world.server.faults.configure(FaultConfig())
    with qtbot.waitSignal(window.session.worker.bridge.statusChanged, timeout=20_000,
                          check_params_cb=lambda status, _m: status == "idle"):
        window.session.worker.sync_now()
    # A request made during a pass earns one more pass; the label settles on «На связи».
    qtbot.waitUntil(lambda: "На связи" in window.online.text(), timeout=10_000)


def test_a_full_disk_is_shown_with_what_to_do_and_the_sync_goes_on_after(world: World, open_window: WindowFactory,
                                                                         qtbot: QtBot) -> None:
    window = open_window("c-coord")
    worker = window.session.worker
    engine, cache = worker._engine, worker._cache
    assert engine is not None and cache is not None
    for n in range(60):
        world.inject(text=f"Обращение {n}: " + "мусор не вывозят, контейнеры переполнены. " * 40)
    shown: list[tuple[str, str, bool]] = []  # label and warning after each report (the engine keeps retrying)
    worker.bridge.statusChanged.connect(lambda *_a: shown.append(
        (window.online.text(), window.storage_warning.text(), window.storage_warning.isVisible())))
    assert window.storage_warning.isHidden()
    # As far as SQLite can tell the disk is full: the writer's file may not grow (on the worker's thread).
    pages = cache.db.execute("PRAGMA page_count").fetchone()[0]
    engine.submit(lambda: cache.db.execute(f"PRAGMA max_page_count = {pages}"))
    with qtbot.waitSignal(worker.bridge.statusChanged, timeout=20_000,
                          check_params_cb=lambda status, _m: status == "storage_error"):
        worker.sync_now()
    _label, message, visible = next(s for s in shown if "Ошибка записи кэша" in s[0])
    assert visible and "Освободите место на диске" in message and "не потеряны" in message
    engine.submit(lambda: cache.db.execute("PRAGMA max_page_count = 4294967294"))
    with qtbot.waitSignal(worker.bridge.statusChanged, timeout=20_000,
                          check_params_cb=lambda status, _m: status == "idle"):
        worker.sync_now()
    qtbot.waitUntil(lambda: "На связи" in window.online.text(), timeout=10_000)
    assert window.storage_warning.isHidden()
    window._refresh_now()
    assert window.counts[QueueId.ROUTING] >= 60


def test_deadline_notification_once(world: World, open_window: WindowFactory, qtbot: QtBot) -> None:
    item = world.inject(category="light")
    coord = world.client("c-coord")
    coord.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    window = open_window("c-exec1")
    window.tick()  # eight days left: nothing to say
    due = window.session.reader.item(item.id).due_at  # type: ignore[union-attr]
    window._clock = lambda: due - timedelta(hours=5)
    with qtbot.waitSignal(window.notified, timeout=1_000) as blocker:
        window.tick()
    assert item.number in blocker.args[1]
    with qtbot.assertNotEmitted(window.notified):
        window.tick()


def test_layout_is_remembered(world: World, open_window: WindowFactory) -> None:
    window = open_window("c-coord")
    header = window.panel.table.horizontalHeader()
    header.resizeSection(0, 222)
    window.save_state()
    settings = window._settings
    from desktop.main_window import MainWindow

    again = MainWindow(window.session, clock=world.clock.now, settings=settings)
    try:
        assert again.panel.table.horizontalHeader().sectionSize(0) == 222
    finally:
        again.close()
        again.deleteLater()


def test_image_attachments_are_fetched_into_the_cache_for_thumbnails(
    world: World, open_window: WindowFactory, qtbot: QtBot
) -> None:
    from training_platform.demo_data import demo_png

    item = world.inject()
    routed = world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    image = demo_png(3)
    world.client("c-exec1").upload_attachment(routed.id, "фото.png", "image/png", image)
    window = open_window("c-exec1")
    att_id = window.session.reader.item(item.id).attachments[0].id  # type: ignore[union-attr]
    assert window.session.reader.attachment_data(att_id) is None  # nothing is downloaded unasked
    with qtbot.waitSignal(window.session.worker.bridge.attachmentFetched, timeout=10_000):
        window.panel.select_item(item.id)
    qtbot.waitUntil(lambda: not window.card.attachments.item(0).icon().isNull(), timeout=5_000)
    assert window.session.reader.attachment_data(att_id) == image


def test_last_sync_time_is_the_organisations_labelled(world: World, open_window: WindowFactory) -> None:
    window = open_window("c-exec1")  # the city is in Yekaterinburg (UTC+5); the world's clock stands still
    local = world.clock.now().astimezone(ZoneInfo("Asia/Yekaterinburg"))
    assert window.last_sync.text() == f"Синхронизировано в {local:%H:%M} (UTC+5)"


def test_a_status_message_never_hides_the_connection_the_download_or_the_index_rewrite(
        open_window: WindowFactory, qtbot: QtBot) -> None:
    window = open_window("c-coord")
    window.statusBar().showMessage("Сроки на 15.03.2026: сегодня сроков нет", 60_000)  # as a reminder does
    window._downloading(True)
    window.session.worker.bridge._index.emit(45, 100)
    qtbot.waitUntil(lambda: window.index_status.text().endswith("45 %"), timeout=20_000)
    try:
        assert window.statusBar().currentMessage()  # the message is still shown…
        assert window.progress.isVisible() and window.index_status.isVisible() and window.online.isVisible()
    finally:
        window._downloading(False)
