"""A planned search finds exactly what the plain prefix query finds, whatever the plan (search_plan)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from offline_cache.store import search_plan
from offline_cache.store.cache import Cache
from offline_cache.word_forms import prefix_query
from tests.offline_cache.test_word_forms import item

TEXTS = [
    "Принять меры по дороге", "Приняли решение", "Принятие мер", "Дорога разбита, дом 5", "Двор не убран",
    "Детская площадка сломана", "Просим принять меры", "Протекает крыша", "Заявитель просит", "Горячей воды нет",
    "Оборваны провода", "Искрит проводка",
]
#: Long stems (no prefix index: one or several terms), one letter, words found nowhere, common ones, numbers.
QUERIES = ["принять", "приня", "принятие меры", "д", "д 5", "дорог", "площадк", "нет такого слова", "просим",
           "меры", "заявитель", "горяч вод", "5", "принять нет такого", "провод", "проводка"]


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    c = Cache.open(tmp_path / "plan.posdesk", secrets.token_bytes(32))
    c.apply_page([item(n, text, address=f"ул. Лесная, д. {n}") for n, text in enumerate(TEXTS)], 1)
    return c


def plain(cache: Cache, text: str) -> list[str]:
    """The search as it was before planning: every item matching the prefix query, deadline order."""
    return [r[0] for r in cache.db.execute(
        "SELECT i.id FROM items i WHERE i.rowid IN (SELECT rowid FROM search WHERE search MATCH ?) "
        "ORDER BY i.due_key, i.id", [prefix_query(text)])]


@pytest.mark.parametrize("text", QUERIES)
def test_planned_search_finds_what_the_prefix_query_finds(cache: Cache, text: str) -> None:
    assert [r["id"] for r in cache.search(text, limit=100)] == plain(cache, text)


def test_a_prefix_of_many_terms_stays_a_prefix_and_finds_the_same(cache: Cache,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_plan, "MAX_TERMS", 1)
    assert search_plan.planned_query(cache.db.conn, "провод") == '"провод"*'  # «провод», «проводк»: too many
    assert [r["id"] for r in cache.search("провод", limit=100)] == plain(cache, "провод")


def test_a_word_in_every_item_walks_the_order_and_counts_anew_after_a_change(cache: Cache) -> None:
    everywhere = "ул"  # every address
    assert search_plan.membership(cache.db.conn, search_plan.planned_query(cache.db.conn, everywhere) or "") \
        == "? IS NOT NULL"
    assert [r["id"] for r in cache.search(everywhere, limit=100)] == plain(cache, everywhere)
    # A new item without the word: the remembered count must not survive the change.
    cache.apply_page([item(99, "Яма", address="пр-т Мира, 1")], 2)
    query = search_plan.planned_query(cache.db.conn, everywhere) or ""
    assert search_plan.hits(cache.db.conn, query) == len(TEXTS)
    assert search_plan.membership(cache.db.conn, query) != "? IS NOT NULL"
    assert [r["id"] for r in cache.search(everywhere, limit=100)] == plain(cache, everywhere)
    assert "m-wf-0099" not in plain(cache, everywhere)


def test_a_reader_connection_counts_anew_after_the_writer_commits(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    writer = Cache.open(tmp_path / "two.posdesk", key)
    writer.apply_page([item(1, "Яма у дома")], 1)
    reader = Cache.open(tmp_path / "two.posdesk", key, create=False, upgrade=False)
    query = search_plan.planned_query(reader.db.conn, "яма") or ""
    assert search_plan.hits(reader.db.conn, query) == 1
    writer.apply_page([item(2, "Ямы во дворе")], 2)
    assert search_plan.hits(reader.db.conn, query) == 2  # data_version moved: counted again
    reader.close()
    writer.close()


def test_the_category_name_is_indexed_reduced_known_or_not(tmp_path: Path) -> None:
    from tests.world import CATEGORIES

    cache = Cache.open(tmp_path / "cat.posdesk", secrets.token_bytes(32))
    cache.store_directory([], [], CATEGORIES, [], [])
    assert next(c for c in CATEGORIES if c.code == "roads").name == "Дороги"
    unknown = item(2, "Фонарь").model_copy(update={"category_code": "ямочный-ремонт"})
    cache.apply_page([item(1, "Фонарь"), unknown], 1)
    # Found by the category's name in another form: the text does not say it.
    assert [r["id"] for r in cache.search("дорогами")] == ["m-wf-0001"]
    assert [r["id"] for r in cache.search("ямочного")] == ["m-wf-0002"]  # no such category: its code is the name
    cache.close()
