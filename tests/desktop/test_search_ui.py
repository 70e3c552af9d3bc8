"""Search in the window: «дорога» finds «на дороге», the card marks the matched words, the text stays plain."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.queue.model import ItemIdRole
from offline_cache.contract.models import InjectMessageRequest, Item
from offline_cache.domain.model import Action
from offline_cache.queues import QueueId
from tests.desktop.conftest import WindowFactory
from tests.world import World

WAIT = 20_000
HTML_TEXT = "<b>Яма</b> на дороге <script>alert('ямы')</script> &amp; лужа"


def inject(world: World, text: str, address: str = "ул. Ново-Садовая, д. 52, корп. 2") -> Item:
    """A message in the category «Освещение», so that only its text and address can name a road."""
    return world.platform.inject(InjectMessageRequest(
        org_id="c", kind="message", category_code="light", text=text, address=address,
        applicant_name="Алёна Зуева"))


def marked(window: object) -> list[str]:
    card = window.card  # type: ignore[attr-defined]
    text = card.text.toPlainText()
    return [text[start:end] for start, end in card.matches]  # the texts below hold no astral characters


def test_a_word_finds_its_forms_and_the_card_marks_them(world: World, open_window: WindowFactory,
                                                        qtbot: QtBot) -> None:
    road = inject(world, "На дороге глубокие ямы, дорогу не чинят")
    html = inject(world, HTML_TEXT)
    inject(world, "Не горит фонарь во дворе")
    window = open_window("c-coord")
    window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
    window.panel.search.setFocus()
    window.panel.search.setText("дорога")  # keyClicks types ASCII only; this is the same textChanged path
    qtbot.keyClick(window.panel.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.model.total == 2, timeout=WAIT)
    assert {window.model.item_id(r) for r in range(window.model.rowCount())} == {road.id, html.id}

    window.panel.select_item(road.id)
    qtbot.waitUntil(lambda: window.card.item is not None and window.card.item.id == road.id, timeout=WAIT)
    assert marked(window) == ["дороге", "дорогу"]

    # The citizen's markup is shown as typed, and the words inside it are marked all the same.
    window.panel.select_item(html.id)
    qtbot.waitUntil(lambda: window.card.item is not None and window.card.item.id == html.id, timeout=WAIT)
    assert window.card.text.toPlainText() == HTML_TEXT
    assert window.card.text.document().toPlainText() == HTML_TEXT  # nothing was interpreted as markup
    assert marked(window) == ["дороге"]
    window.panel.search.setText("яма")
    qtbot.waitUntil(lambda: marked(window) == ["Яма", "ямы"], timeout=WAIT)
    assert window.card.text.toPlainText() == HTML_TEXT

    window.panel.search.clear()
    qtbot.waitUntil(lambda: window.model.total == 3 and window.card.matches == [], timeout=WAIT)


def test_the_card_lists_similar_messages_and_opens_them(world: World, open_window: WindowFactory,
                                                        qtbot: QtBot) -> None:
    target = inject(world, "На дороге у дома глубокие ямы, машины ломают колёса",
                    "ул. Ново-Садовая, д. 52, корп. 2, кв. 14")
    lift = inject(world, "Не работает лифт", "Ново-Садовой ул., дом 52 корпус 2")  # the same house, written otherwise
    inject(world, "Не вывозят мусор", "ул. Ново-Садовая, д. 52, корп. 3")  # the next building
    repeat = inject(world, "Ямы на дорогах ломают колеса машинам", "пр-т Ленина, д. 7")
    ground = world.platform.rejection_grounds()[0].code
    repeat = world.client("c-coord").act(repeat.id, Action.REJECT, repeat.version,
                                         {"ground_code": ground, "comment": "Повторное обращение <b>см. ранее</b>"})
    inject(world, "Сломана скамейка в сквере", "ул. Полевая, д. 21")
    window = open_window("c-coord")
    window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
    similar = window.card.similar
    with qtbot.waitSignal(similar.found, timeout=WAIT, check_params_cb=lambda item_id: item_id == target.id):
        window.panel.select_item(target.id)
    assert similar.rows() == [(lift.id, "На распределении", "—"),  # by address
                              (repeat.id, "Отклонено", "Повторное обращение <b>см. ранее</b>")]  # by text
    [repeat_row] = [similar.tree.topLevelItem(n) for n in range(similar.tree.topLevelItemCount())
                    if similar.tree.topLevelItem(n).data(0, Qt.ItemDataRole.UserRole) == repeat.id]
    assert repeat_row.toolTip(2) == "<p>Повторное обращение &lt;b&gt;см. ранее&lt;/b&gt;</p>"  # shown literally
    headings = [similar.tree.topLevelItem(n).text(0) for n in range(similar.tree.topLevelItemCount())]
    assert headings[0] == "По тому же адресу: 1" and headings[2] == "С похожим текстом: 1"

    # Enter on a row opens that item in the queue, even from a queue it is not in.
    window.navigation.setCurrentRow(window.queues.index(QueueId.ROUTING))  # the rejected item is not here
    window.panel.select_item(target.id)
    qtbot.waitUntil(lambda: similar.item_id == target.id and len(similar.rows()) == 2, timeout=WAIT)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert similar.tree.hasFocus()
    similar.tree.setCurrentItem(next(similar.tree.topLevelItem(n) for n in range(similar.tree.topLevelItemCount())
                                     if similar.tree.topLevelItem(n).data(0, Qt.ItemDataRole.UserRole) == repeat.id))
    qtbot.keyClick(similar.tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.card.item is not None and window.card.item.id == repeat.id, timeout=WAIT)
    assert window.model.queue is QueueId.ALL and window.panel.table.currentIndex().data(ItemIdRole) == repeat.id
    qtbot.waitUntil(lambda: similar.item_id == repeat.id and target.id in {r[0] for r in similar.rows()},
                    timeout=WAIT)  # and the repeat lists the first message in turn


def test_the_status_bar_follows_the_index_rewrite(open_window: WindowFactory, qtbot: QtBot) -> None:
    window = open_window("c-coord")
    status = window.index_status
    assert status.isHidden()  # a new cache: its index holds stems from the start
    bridge = window.session.worker.bridge
    bridge._index.emit(45, 100)  # as the worker's rewrite thread reports (queued to the window's thread)
    qtbot.waitUntil(lambda: status.isVisible() and status.text() == "Перестройка поискового индекса: 45 %",
                    timeout=WAIT)
    bridge._index.emit(100, 100)
    qtbot.waitUntil(status.isHidden, timeout=WAIT)


def test_similar_messages_follow_a_sync_and_keep_the_place_in_the_list(world: World, open_window: WindowFactory,
                                                                        qtbot: QtBot) -> None:
    target = inject(world, "Не горит фонарь у подъезда", "ул. Ново-Садовая, д. 52, корп. 2")
    lift = inject(world, "Не работает лифт", "ул. Ново-Садовая, д. 52, корп. 2, кв. 3")
    porch = inject(world, "Разбито крыльцо", "ул. Ново-Садовая, д. 52, корп. 2, кв. 9")
    window = open_window("c-coord")
    window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
    similar = window.card.similar
    with qtbot.waitSignal(similar.found, timeout=WAIT, check_params_cb=lambda item_id: item_id == target.id):
        window.panel.select_item(target.id)
    assert {r[0]: r[1] for r in similar.rows()} == {lift.id: "На распределении", porch.id: "На распределении"}
    similar.tree.setCurrentItem(next(row for row in similar._top()
                                     if row.data(0, Qt.ItemDataRole.UserRole) == porch.id))
    # A colleague takes the lift's message into work on the platform; the next sync brings it.
    world.client("c-coord").act(lift.id, Action.TAKE_INTO_WORK, lift.version)
    window.session.worker.sync_now()
    qtbot.waitUntil(lambda: dict((r[0], r[1]) for r in similar.rows()).get(lift.id) == "В работе", timeout=WAIT)
    assert similar.item_id == target.id  # the same item's lists, read again without choosing it again
    assert similar.tree.currentItem().data(0, Qt.ItemDataRole.UserRole) == porch.id  # the place kept
