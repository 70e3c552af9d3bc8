"""Search by word forms: real Russian inflections match (offline_cache.word_forms), and 0006 upgrades old caches."""

from __future__ import annotations

import secrets
import shutil
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from offline_cache.contract.models import Item
from offline_cache.search_rebuild import RebuildProgress, pending, rebuild, rebuild_batch
from offline_cache.similar import similar_items
from offline_cache.store.cache import Cache
from offline_cache.store.schema import MIGRATIONS, applied
from offline_cache.word_forms import prefix_query, reduce
from tests.offline_cache.fixtures_search import FIXTURE_KEY, FIXTURES, V5_DRAFT

#: (what the official types, what the citizen wrote): each must find the other's item.
INFLECTIONS = [
    ("дорога", "На дороге глубокая яма"),  # noun: nominative finds prepositional
    ("дорогу", "Ремонт дорог не ведётся"),  # accusative finds genitive plural
    ("ямы", "Во дворе много ям"),  # plural finds genitive plural
    ("яма", "Глубокие ямы у остановки"),
    ("горячая вода", "Нет горячей воды третий день"),  # adjective and noun
    ("садовой", "Двор на Садовую сторону"),
    ("жители", "Жалобы жителей дома"),
    ("протекает", "Крыши протекают после дождя"),  # verb: 3rd person singular finds plural
    ("протекала", "Крыша протекает"),  # past finds present
    ("убрать", "Снег так и не убрали"),  # infinitive finds past
    ("освещение", "Нет освещения во дворе"),
    ("ёлка", "Елки упали на провода"),  # ё typed, е written
    ("елку", "Ёлку не убрали"),  # е typed, ё written
    ("садовой", "ул. Ново-Садовая, д. 52, корп. 2"),  # a part of a hyphenated street name
    ("ново-садовой", "ул. Ново-Садовая"),  # the whole hyphenated name in another case
    ("д. 52, корп. 2", "Адрес: ул. Ново-Садовая, д. 52, корп. 2"),  # house numbers
    ("доро", "На дороге яма"),  # a word being typed still matches
    ("оста\u0301новка", "Яма у остановки"),  # a typed stress mark is no part of the word
]
#: Words that must not find the text: other words, other numbers.
NOT_FOUND = [
    ("дворник", "Во дворе много ям"),
    ("д. 52, корп. 3", "ул. Ново-Садовая, д. 52, корп. 2"),
    ("дорога", "Дворы не убраны"),
]


def item(n: int, text: str, *, address: str = "ул. Лесная, д. 8") -> Item:
    from tests.world import WORLD_START

    return Item.model_validate({
        "id": f"m-wf-{n:04d}", "number": f"2026-700{n:04d}", "kind": "message", "source": "portal", "org_id": "c",
        "status": "in_work", "version": 1, "category_code": "roads", "subject": "Обращение", "text": text,
        "address": address, "applicant_name": "Иван Петров", "assignee_id": "c-exec1", "registered_at": WORLD_START,
        "received_at": WORLD_START, "due_at": WORLD_START + timedelta(days=30 + n), "updated_at": WORLD_START,
    })


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache.open(tmp_path / "wf.posdesk", secrets.token_bytes(32))


@pytest.mark.parametrize(("typed", "written"), INFLECTIONS)
def test_a_word_finds_its_other_forms(cache: Cache, typed: str, written: str) -> None:
    cache.apply_page([item(1, written), item(2, "Сломана скамейка в сквере")], 1)
    assert [r["id"] for r in cache.search(typed)] == ["m-wf-0001"], (typed, written, reduce(written))


@pytest.mark.parametrize(("typed", "written"), NOT_FOUND)
def test_other_words_do_not_match(cache: Cache, typed: str, written: str) -> None:
    cache.apply_page([item(1, written)], 1)
    assert cache.search(typed) == []


def test_the_index_and_the_query_hold_stems() -> None:
    assert reduce("На дороге ЯМЫ, ул. Ново-Садовая, д. 52") == "на дорог ям ул нов садов д 52"
    assert prefix_query("Ёлка, дорогу!") == '"елк"* "дорог"*'
    assert prefix_query(" ,.- ") is None


def test_a_local_draft_is_searched_by_its_word_forms(cache: Cache) -> None:
    cache.apply_page([item(1, "Сломана скамейка")], 1)
    cache.save_local_draft("m-wf-0001", "Скамейки заменят весной")
    assert [r["id"] for r in cache.search("скамейку заменили")] == ["m-wf-0001"]
    assert [r["id"] for r in cache.search("весна")] == ["m-wf-0001"]


#: Queries on the v5 fixture and the items they must find, before the rewrite, during it and after it.
V5_FOUND = {
    "на дорогах": ["m-v5-0001"], "глубокая яма": ["m-v5-0001"], "ямами": ["m-v5-0001", "m-v5-0002"],
    "ёлка": ["m-v5-0003"], "елку": ["m-v5-0003"], "садовой 52 корп 2": ["m-v5-0001", "m-v5-0002"],
    "асфальт": [V5_DRAFT[0]],  # the local draft's words are in the index too
    "зуевой": ["m-v5-0001"], "машина ломалась": ["m-v5-0001"],
    "дорога": ["m-v5-0001", "m-v5-0002", "m-v5-0003"],  # the subject «Дороги» of all three
}
EXACT = "SELECT count(*) FROM search WHERE search MATCH ?"


def v5_copy(tmp_path: Path) -> Path:
    path = tmp_path / "v5.posdesk"
    shutil.copy(FIXTURES / "cache_v5.posdesk", path)  # never migrate the committed file
    return path


def found(cache: Cache) -> dict[str, list[str]]:
    return {q: [r["id"] for r in cache.search(q)] for q in V5_FOUND}


def test_v5_cache_upgrades_to_word_form_search(tmp_path: Path) -> None:
    path = v5_copy(tmp_path)
    before = Cache.open(path, FIXTURE_KEY, upgrade=False)
    assert before.db.execute(EXACT, ['"дороге"']).fetchone()[0] == 1  # schema 5 kept the written forms
    before.close()
    cache = Cache.open(path, FIXTURE_KEY)
    try:
        assert applied(cache.db) == [name for name, _ in MIGRATIONS] and "0006_word_forms" in applied(cache.db)
        # The migration only marked the rewrite: opening stays quick, and search already works.
        assert pending(cache.db.conn) == RebuildProgress(0, 3)
        assert found(cache) == V5_FOUND
        seen: list[RebuildProgress] = []

        def report(progress: RebuildProgress) -> None:
            seen.append(progress)
            assert found(cache) == V5_FOUND  # between batches: some rows rewritten, some old

        assert rebuild(cache.db.conn, report, batch=1)
        assert [(p.done, p.last, p.percent) for p in seen] == [(1, 3, 33), (2, 3, 66), (3, 3, 100)]
        assert pending(cache.db.conn) is None and found(cache) == V5_FOUND
        assert [(e.item_id, e.state) for e in cache.outbox()] == [("m-v5-0001", "pending")]
        local = cache.local_draft(V5_DRAFT[0])
        assert local is not None and local.text == V5_DRAFT[1]
        assert cache.db.execute(EXACT, ['"дороге"']).fetchone()[0] == 0  # no row left from the old index
        assert cache.db.execute(EXACT, ['"дорог"']).fetchone()[0] == 3  # one row per item
        assert rebuild(cache.db.conn)  # nothing left to do
    finally:
        cache.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_rewrite_goes_on_from_its_last_batch(tmp_path: Path) -> None:
    path = v5_copy(tmp_path)
    script = Path(__file__).with_name("rebuild_killer.py")
    proc = subprocess.run([sys.executable, str(script), str(path), FIXTURE_KEY.hex()], capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == -signal.SIGKILL and proc.stdout.strip() == "killing", proc.stderr[-2000:]
    cache = Cache.open(path, FIXTURE_KEY)
    try:
        assert pending(cache.db.conn) == RebuildProgress(1, 3)  # the first batch stayed, the killed one did not
        assert cache.db.execute(EXACT, ['"дороге"']).fetchone()[0] == 0  # item 1 is rewritten...
        assert cache.db.execute(EXACT, ['"зимы"']).fetchone()[0] == 1  # ...item 2 still has its old row
        assert found(cache) == V5_FOUND
        seen: list[int] = []
        assert rebuild(cache.db.conn, lambda p: seen.append(p.done), batch=1)
        assert seen == [2, 3] and found(cache) == V5_FOUND
        assert cache.db.execute(EXACT, ['"дорог"']).fetchone()[0] == 3
    finally:
        cache.close()


def test_a_rewrite_stops_between_batches_and_goes_on(tmp_path: Path) -> None:
    cache = Cache.open(v5_copy(tmp_path), FIXTURE_KEY)
    try:
        stop = threading.Event()
        assert not rebuild(cache.db.conn, lambda _p: stop.set(), stop=stop, batch=2)
        assert pending(cache.db.conn) == RebuildProgress(2, 3)
        assert rebuild(cache.db.conn, batch=2) and pending(cache.db.conn) is None
    finally:
        cache.close()


def test_a_new_cache_has_nothing_to_rewrite(cache: Cache) -> None:
    assert pending(cache.db.conn) is None


def test_similar_messages_are_found_while_the_index_is_rewritten(tmp_path: Path) -> None:
    cache = Cache.open(v5_copy(tmp_path), FIXTURE_KEY)
    try:
        # Old rows hold «ново», «садовая»: the address's stems are looked up by prefix until the rewrite ends.
        assert pending(cache.db.conn) is not None
        assert [s.id for s in similar_items(cache.db.conn, "m-v5-0001").same_address] == ["m-v5-0002"]
        assert rebuild_batch(cache.db.conn, 1) is not None  # half old, half new
        assert [s.id for s in similar_items(cache.db.conn, "m-v5-0002").same_address] == ["m-v5-0001"]
        assert rebuild(cache.db.conn)
        assert [s.id for s in similar_items(cache.db.conn, "m-v5-0001").same_address] == ["m-v5-0002"]
    finally:
        cache.close()
