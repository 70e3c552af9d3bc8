"""The batched page writer: newest copy wins, re-delivered pages change nothing, updates replace search rows."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from offline_cache.contract.models import AttachmentMeta, HistoryOut, Item, StaffOut
from offline_cache.domain.model import ItemKind, Role, Status
from offline_cache.store.cache import Cache
from offline_cache.store.items import iso
from tests.world import CATEGORIES, WORLD_START

YEKATERINBURG = timezone(timedelta(hours=5))


def make(n: int, *, version: int = 1, text: str = "Яма на дороге", status: Status = Status.AWAITING_ROUTING,
         assignee: str | None = None, history: int = 1, registered: datetime = WORLD_START) -> Item:
    return Item(
        id=f"w-{n}", number=f"2026-{n:07d}", kind=ItemKind.MESSAGE, org_id="c", status=status, version=version,
        category_code="light", subject="Освещение", text=text, address=f"ул. Ёлочная, д. {n}",
        applicant_name=f"Пётр {n}", registered_at=registered, received_at=registered,
        due_at=registered + timedelta(days=8), routing_due_at=registered + timedelta(days=3),
        assignee_id=assignee, updated_at=registered + timedelta(minutes=version),
        history=[HistoryOut(at=registered + timedelta(minutes=k), actor_id=None, action=f"step{k}",
                            from_status=None, to_status=status) for k in range(history)],
        attachments=[AttachmentMeta(id=f"att-{n}", name="фото.jpg", content_type="image/jpeg", size=3,
                                    origin="citizen")])


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    cache = Cache.open(tmp_path / "w.posdesk", secrets.token_bytes(32))
    cache.store_directory([], [StaffOut(id="c-exec1", org_id="c", full_name="Исполнитель Первый",
                                        roles=[Role.EXECUTOR])], CATEGORIES, [], [])
    yield cache
    cache.close()


def row(cache: Cache, item_id: str) -> dict[str, object]:
    names = ("rowid", "version", "status", "category_name", "assignee_name", "due_key", "feed_seq")
    found = cache.db.execute(
        f"SELECT {', '.join(names)} FROM items WHERE id=?",
        [item_id]).fetchone()
    assert found is not None, item_id
    return dict(zip(names, found, strict=True))


def ids(cache: Cache, text: str) -> list[str]:
    return sorted(h["id"] for h in cache.search(text))


def test_a_page_stores_items_with_names_from_the_directory_and_everything_searchable(cache: Cache) -> None:
    page = [make(n) for n in range(1, 6)] + [make(6, status=Status.IN_WORK, assignee="c-exec1")]
    assert cache.apply_page(page, 6) == 6
    assert cache.item_count() == 6 and cache.cursor == 6
    assert row(cache, "w-6")["assignee_name"] == "Исполнитель Первый" and row(cache, "w-1")["assignee_name"] == ""
    assert {row(cache, f"w-{n}")["category_name"] for n in range(1, 7)} == {"Освещение"}
    assert ids(cache, "елочн") == [f"w-{n}" for n in range(1, 7)]
    assert ids(cache, "петр 3") == ["w-3"]
    assert cache.db.execute("SELECT count(*) FROM history").fetchone()[0] == 6
    assert cache.db.execute("SELECT count(*) FROM attachments").fetchone()[0] == 6
    server = cache.server_item("w-4")
    assert server == page[3]  # the whole record round-trips


def test_within_a_page_the_newest_copy_of_an_item_wins(cache: Cache) -> None:
    page = [make(1, version=3, text="третья правка"), make(1, version=1, text="первая"),
            make(1, version=2, text="вторая")]
    assert cache.apply_page(page, 3) == 1
    assert row(cache, "w-1")["version"] == 3 and ids(cache, "трет") == ["w-1"] and ids(cache, "перв") == []
    assert cache.db.execute("SELECT count(*) FROM search").fetchone()[0] == 1


def test_a_redelivered_older_copy_changes_nothing(cache: Cache) -> None:
    cache.apply_page([make(1, version=4, text="свежий текст", history=3)], 10)
    before = row(cache, "w-1")
    # After a crash the platform may deliver an earlier page again: its copy is older than the cached one.
    assert cache.apply_page([make(1, version=2, text="старый текст", history=1)], 11) == 0
    assert row(cache, "w-1") == before and cache.cursor == 11
    assert ids(cache, "свеж") == ["w-1"] and ids(cache, "стар") == []
    assert cache.db.execute("SELECT count(*) FROM history").fetchone()[0] == 3


def test_an_update_keeps_the_row_and_replaces_history_attachments_and_search_row(cache: Cache) -> None:
    cache.apply_page([make(n) for n in range(1, 4)], 3)
    rowid = row(cache, "w-2")["rowid"]
    updated = make(2, version=2, text="Фонарь починили", status=Status.IN_WORK, assignee="c-exec1", history=2)
    assert cache.apply_page([updated], 4) == 1
    after = row(cache, "w-2")
    assert after["rowid"] == rowid and after["status"] == "in_work" and after["assignee_name"] == "Исполнитель Первый"
    assert after["feed_seq"] == 4
    assert ids(cache, "фонар почин") == ["w-2"] and ids(cache, "яма") == ["w-1", "w-3"]
    assert cache.db.execute("SELECT count(*) FROM search").fetchone()[0] == 3  # replaced, not added
    assert cache.db.execute("SELECT count(*) FROM history WHERE item_id='w-2'").fetchone()[0] == 2
    assert cache.db.execute("SELECT count(*) FROM attachments WHERE item_id='w-2'").fetchone()[0] == 1


def test_moments_are_stored_in_utc_so_deadlines_sort_as_times(cache: Cache) -> None:
    # The same instant sent with a +05:00 offset and in UTC must store the same due key.
    local = make(1, registered=WORLD_START.astimezone(YEKATERINBURG))
    utc = make(2, registered=WORLD_START)
    later = make(3, registered=WORLD_START + timedelta(hours=1))
    cache.apply_page([later, local, utc], 3)
    assert row(cache, "w-1")["due_key"] == row(cache, "w-2")["due_key"] == iso(WORLD_START + timedelta(days=3))
    assert str(row(cache, "w-1")["due_key"]).endswith("+00:00")
    order = [r[0] for r in cache.db.execute("SELECT id FROM items ORDER BY due_key, id")]
    assert order == ["w-1", "w-2", "w-3"]
    assert iso(None) is None and iso(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00+00:00"


def test_items_without_a_running_deadline_sort_last(cache: Cache) -> None:
    closed = make(1, status=Status.ANSWERED)
    cache.apply_page([closed, make(2)], 2)
    assert row(cache, "w-1")["due_key"] == "9999"
    assert [r[0] for r in cache.db.execute("SELECT id FROM items ORDER BY due_key")] == ["w-2", "w-1"]


def test_a_failed_page_leaves_nothing_behind(cache: Cache) -> None:
    cache.apply_page([make(1)], 1)
    broken = make(2).model_copy(update={"history": None})  # fails while writing, after the items row
    with pytest.raises(TypeError):
        cache.apply_page([make(3), broken], 2)
    assert cache.item_count() == 1 and cache.cursor == 1 and ids(cache, "яма") == ["w-1"]


def test_a_directory_refresh_writes_only_the_items_of_renamed_categories_and_colleagues(cache: Cache) -> None:
    exec2 = StaffOut(id="c-exec2", org_id="c", full_name="Исполнитель Второй", roles=[Role.EXECUTOR])
    exec1 = StaffOut(id="c-exec1", org_id="c", full_name="Исполнитель Первый", roles=[Role.EXECUTOR])
    cache.store_directory([], [exec1, exec2], CATEGORIES, [], [])
    page = [make(1, status=Status.IN_WORK, assignee="c-exec1"), make(2, status=Status.IN_WORK, assignee="c-exec2"),
            make(3)]
    cache.apply_page(page, 3)
    before = cache.db.conn.total_changes
    cache.store_directory([], [exec1, exec2], CATEGORIES, [], [])  # nothing renamed: no item is written
    written = cache.db.conn.total_changes - before
    assert written == 2 * (len(CATEGORIES) + 2)  # the directory's own rows deleted and inserted, not one item
    renamed = [c.model_copy(update={"name": "Уличное освещение"}) if c.code == "light" else c for c in CATEGORIES]
    married = exec2.model_copy(update={"full_name": "Исполнитель Вторая-Новая"})
    cache.store_directory([], [married], renamed, [], [])  # exec1 left the directory
    assert {row(cache, f"w-{n}")["category_name"] for n in (1, 2, 3)} == {"Уличное освещение"}
    assert row(cache, "w-2")["assignee_name"] == "Исполнитель Вторая-Новая"
    assert row(cache, "w-1")["assignee_name"] == ""
    cache.store_directory([], [married], [c for c in CATEGORIES if c.code != "light"], [], [])
    assert row(cache, "w-3")["category_name"] == "light"  # an unknown category shows its code, as on arrival
