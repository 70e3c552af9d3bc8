"""Generator of ``cache_v5.posdesk`` (schema 5, search by prefixes of folded words): NOT used at test time.

    .venv/bin/python -c "from tests.offline_cache.fixtures_search import make_cache_v5; make_cache_v5()"

Run once with the code of schema 5 (commit f59d320, before ``0006_word_forms``): items are written by
that version's page writer (search rows folded, not reduced), a local draft by its ``save_local_draft``,
one pending action by its ``enqueue``, all with the schema held at 5 (``upgrade=False``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from offline_cache.contract.models import Item
from offline_cache.store.items import write_items
from tests.offline_cache.fixtures_workstation import FIXTURE_KEY, FIXTURES

__all__ = ["FIXTURE_KEY", "V5_DRAFT", "V5_ITEMS", "make_cache_v5", "v5_items"]

#: id: (text, address, applicant): inflected forms the reduced index must match by their other forms.
V5_ITEMS = {
    "m-v5-0001": ("На дороге глубокие ямы, машины ломаются", "ул. Ново-Садовая, д. 52, корп. 2", "Алёна Зуева"),
    "m-v5-0002": ("Во дворе много ям после зимы", "ул. Ново-Садовая, д. 52, корп. 2", "Фёдор Жуков"),
    "m-v5-0003": ("Ёлку у подъезда так и не убрали", "пр-т Ленина, д. 7", "Пётр Ёжиков"),
}
V5_DRAFT = ("m-v5-0002", "Черновик: ямы заделают асфальтом")


def v5_items() -> list[Item]:
    from tests.world import CATEGORIES, WORLD_START

    cat = next(c for c in CATEGORIES if c.code == "roads")
    return [Item.model_validate({
        "id": item_id, "number": f"2026-500000{n}", "kind": "message", "source": "portal", "org_id": "c",
        "status": "in_work", "version": 2, "category_code": "roads", "subject": cat.name, "text": text,
        "address": address, "applicant_name": applicant, "assignee_id": "c-exec1", "registered_at": WORLD_START,
        "received_at": WORLD_START, "due_at": WORLD_START + timedelta(days=cat.term_days + n),
        "updated_at": WORLD_START,
    }) for n, (item_id, (text, address, applicant)) in enumerate(V5_ITEMS.items(), start=1)]


def make_cache_v5(path: Path = FIXTURES / "cache_v5.posdesk") -> None:
    from offline_cache.store.cache import Cache
    from tests.offline_cache.test_migrations import new_fixture_at, write_fixture_directory

    db, _stamp = new_fixture_at(path, 5)
    write_fixture_directory(db, "c-exec1", cursor=11)
    write_items(db.conn, v5_items(), 11)
    db.conn.execute("COMMIT")
    cache = Cache(db, upgrade=False)
    cache.save_local_draft(*V5_DRAFT)
    cache.enqueue("m-v5-0001", "save_draft", {"text": "Ямы засыплют щебнем"}, 2,
                  key="6c1b1f0e-0000-4000-8000-000000000051")
    cache.close()  # checkpoints the WAL into the file: one self-contained file to commit
