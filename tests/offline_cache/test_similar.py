"""Similar messages over a real cache: the same address however written, and shared words in any form."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from offline_cache.contract.models import Item
from offline_cache.similar import Similar, address_key, similar_items
from offline_cache.store.cache import Cache

TARGET = "m-s-0001"
#: id: (text, address, status, extra record fields)
ITEMS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    TARGET: ("На дороге у дома глубокие ямы, машины ломают колёса", "ул. Ново-Садовая, д. 52, корп. 2, кв. 14",
             "in_work", {}),
    "m-s-0002": ("Не работает лифт", "Ново-Садовой ул., дом 52 корпус 2", "answered",
                 {"answer": {"text": "Лифт отремонтирован 3 марта"}}),
    "m-s-0003": ("Не вывозят мусор", "ул. Ново-Садовая, д. 52, корп. 3", "in_work", {}),  # the next building
    "m-s-0004": ("Ямы на дорогах ломают колеса машинам", "пр-т Ленина, д. 7", "rejected",
                 {"rejection": {"ground_code": "g13", "comment": "Повторное обращение"}}),
    "m-s-0005": ("Ямы во дворе", "ул. Лесная, д. 8", "in_work", {}),  # one shared word only
    "m-s-0006": ("Сломана скамейка в сквере", "ул. Полевая, д. 21", "in_work", {}),
}


def make(n: int, item_id: str, text: str, address: str, status: str, extra: dict[str, Any]) -> Item:
    from tests.world import WORLD_START

    return Item.model_validate({
        "id": item_id, "number": f"2026-800{n:04d}", "kind": "message", "source": "portal", "org_id": "c",
        "status": status, "version": 1, "category_code": "roads", "subject": "Обращение", "text": text,
        "address": address, "applicant_name": "Иван Петров", "assignee_id": "c-exec1",
        "registered_at": WORLD_START + timedelta(days=n), "received_at": WORLD_START,
        "due_at": WORLD_START + timedelta(days=30), "updated_at": WORLD_START, **extra,
    })


def cache_with_items(tmp_path: Path) -> Cache:
    cache = Cache.open(tmp_path / "similar.posdesk", secrets.token_bytes(32))
    cache.apply_page([make(n, i, *fields) for n, (i, fields) in enumerate(ITEMS.items(), start=1)], 1)
    return cache


def test_an_address_written_differently_is_the_same_address() -> None:
    assert address_key("ул. Ново-Садовая, д. 52, корп. 2, кв. 14") == address_key("Ново-Садовой ул., дом 52 корпус 2")
    assert address_key("ул. Ново-Садовая, д. 52, корп. 2") != address_key("ул. Ново-Садовая, д. 52, корп. 3")
    assert address_key("ул. Ново-Садовая, д. 52") != address_key("ул. Ново-Садовая, д. 5")


def test_similar_by_address_with_status_and_answer(tmp_path: Path) -> None:
    cache = cache_with_items(tmp_path)
    try:
        similar = similar_items(cache.db.conn, TARGET)
        assert [(s.id, s.status, s.answer) for s in similar.same_address] == [
            ("m-s-0002", "answered", "Лифт отремонтирован 3 марта")]
    finally:
        cache.close()


def test_similar_by_shared_words_in_any_form(tmp_path: Path) -> None:
    cache = cache_with_items(tmp_path)
    try:
        similar = similar_items(cache.db.conn, TARGET)
        assert [(s.id, s.status, s.answer, s.shared) for s in similar.same_words] == [
            ("m-s-0004", "rejected", "Повторное обращение", 5)]  # дорог, ям, машин, лома, колес
        assert similar_items(cache.db.conn, "m-s-0006") == Similar([], [])  # nothing like the bench
        assert similar_items(cache.db.conn, "m-missing").same_words == []
    finally:
        cache.close()


def test_a_local_draft_does_not_make_items_similar(tmp_path: Path) -> None:
    cache = cache_with_items(tmp_path)
    try:
        cache.save_local_draft("m-s-0006", "Ямы на дороге ломают машины")  # the official's words, not the citizen's
        assert [s.id for s in similar_items(cache.db.conn, TARGET).same_words] == ["m-s-0004"]
    finally:
        cache.close()
