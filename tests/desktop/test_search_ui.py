"""Search in the window: «дорога» finds «на дороге», the card marks the matched words, the text stays plain."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from offline_cache.contract.models import InjectMessageRequest, Item
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
