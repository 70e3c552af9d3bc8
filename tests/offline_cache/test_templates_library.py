"""Template library over a real synced cache: platform versions during sync, personal templates, suggestions."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_cache.contract.models import Item, TemplateOut
from offline_cache.resources import rejection_grounds
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine
from offline_cache.templates import Origin, Purpose, TemplateError, TemplateLibrary
from tests.world import World

PLATFORM_TEMPLATES = [
    TemplateOut(id="tpl-generic", title="Работы выполнены", purpose="answer",
                text="Уважаемый(ая) {applicant_name}! По сообщению № {number} работы по адресу {address} выполнены."),
    TemplateOut(id="tpl-roads", title="Яма заделана", purpose="answer", category_code="roads",
                text="Уважаемый(ая) {заявитель}! Выбоина по адресу {адрес} устранена. {должность_руководителя}"),
    TemplateOut(id="tpl-light", title="Освещение восстановлено", purpose="answer", category_code="light",
                text="Освещение по адресу {адрес} восстановлено: светильники заменены."),
    TemplateOut(id="tpl-interim", title="Промежуточный", purpose="interim",
                text="Работы будут выполнены до {плановая_дата}."),
    TemplateOut(id="tpl-reject", title="Нет адреса", purpose="rejection", ground_code="no_location",
                text="{основание_отказа}"),
]


def put(world: World, templates: list[TemplateOut]) -> None:
    with world.platform.store.transaction():
        world.platform.store.put_templates(templates)


@pytest.fixture
def synced(world: World, routed_item: Item, tmp_path: Path) -> Iterator[tuple[Cache, SyncEngine]]:
    put(world, PLATFORM_TEMPLATES)
    cache = Cache.open(tmp_path / "c.posdesk", secrets.token_bytes(32))
    engine = SyncEngine(cache, world.client("c-exec1"), directory_every=0)
    report = engine.sync_once()
    assert report.error == "" and cache.item(routed_item.id) is not None
    yield cache, engine
    cache.close()


def test_platform_templates_are_cached_read_only_with_their_version(synced) -> None:
    cache, _ = synced
    lib = TemplateLibrary(cache)
    assert lib.user_id == "c-exec1"
    assert [t.id for t in lib.templates(Purpose.ANSWER)] == ["tpl-light", "tpl-generic", "tpl-roads"]
    roads = lib.get("tpl-roads")
    assert roads is not None and roads.origin is Origin.PLATFORM and roads.version == 1 and not roads.editable
    assert roads.category_codes == ("roads",)
    with pytest.raises(TemplateError, match="только для чтения: создайте копию"):
        lib.edit("tpl-roads", text="другой")
    with pytest.raises(TemplateError, match="только для чтения"):
        lib.retire("tpl-roads")


def test_a_platform_template_changing_version_during_sync_is_noticed(world: World, synced, routed_item) -> None:
    cache, engine = synced
    lib = TemplateLibrary(cache)
    lib.record_use("tpl-roads", routed_item.id)
    lib.record_use("tpl-roads", routed_item.id)
    assert lib.usage("tpl-roads").uses_of_this_version == 2 and not lib.usage("tpl-roads").changed_since_last_use

    changed = PLATFORM_TEMPLATES[1].model_copy(update={"text": "Выбоина по адресу {адрес} заделана.", "version": 2})
    put(world, [changed])
    assert engine.sync_once().error == ""

    roads = lib.get("tpl-roads")
    assert roads is not None and roads.version == 2 and roads.text == "Выбоина по адресу {адрес} заделана."
    usage = lib.usage("tpl-roads")
    assert (usage.version, usage.uses, usage.uses_of_this_version, usage.last_used_version) == (2, 2, 0, 1)
    assert usage.changed_since_last_use and [t.id for t in lib.changed_since_use()] == ["tpl-roads"]
    lib.record_use("tpl-roads", routed_item.id)
    usage = lib.usage("tpl-roads")
    assert (usage.uses, usage.uses_of_this_version) == (3, 1) and not usage.changed_since_last_use
    assert lib.changed_since_use() == []


def test_a_template_removed_on_the_platform_disappears_and_its_usage_stays(world: World, synced, routed_item):
    cache, engine = synced
    lib = TemplateLibrary(cache)
    lib.record_use("tpl-light", routed_item.id)
    with world.platform.store.transaction():
        world.platform.store._conn.execute("DELETE FROM templates WHERE id='tpl-light'")
    assert engine.sync_once().error == ""
    assert lib.get("tpl-light") is None and lib.usage("tpl-light").uses == 1
    with pytest.raises(TemplateError, match="не найден"):
        lib.record_use("tpl-light", routed_item.id)


def test_personal_templates_create_edit_duplicate_retire(synced, tmp_path: Path) -> None:
    cache, _ = synced
    lib = TemplateLibrary(cache)
    mine = lib.create("Мой ответ про снег", "Снег у дома {адрес} убран.\r\nСпасибо!", "answer", ["snow"])
    assert mine.origin is Origin.PERSONAL and mine.version == 1 and mine.editable and mine.id.startswith("my-")
    assert mine.text == "Снег у дома {адрес} убран.\nСпасибо!"
    assert lib.edit(mine.id, title="Мой ответ про снег") == mine  # nothing changed: same version
    edited = lib.edit(mine.id, text="Снег по адресу {адрес} убран.")
    assert edited.version == 2 and lib.get(mine.id) == edited

    copy = lib.duplicate("tpl-roads")
    assert copy.origin is Origin.PERSONAL and copy.title == "Яма заделана (копия)" and copy.editable
    assert copy.text == PLATFORM_TEMPLATES[1].text and copy.category_codes == ("roads",)
    assert lib.edit(copy.id, title="Моя яма").title == "Моя яма"

    lib.retire(mine.id)
    assert mine.id not in [t.id for t in lib.templates()]
    retired = lib.get(mine.id)
    assert retired is not None and retired.retired
    lib.restore(mine.id)
    assert mine.id in [t.id for t in lib.templates()]


@pytest.mark.parametrize(("fields", "message"), [
    (("", "текст", "answer"), "нужно название"),
    (("Название", "   ", "answer"), "нужен текст"),
    (("Название", "т" * 20_001, "answer"), "длиннее 20 000 знаков"),
    (("Назв\nание", "текст", "answer"), "в одну строку"),
    (("Название", "текст", "praise"), "назначение должно быть"),
    (("Название", "текст\x07", "answer"), r"U\+0007"),
    (("Название", "текст \u202eтекст", "answer"), r"U\+202E"),
    (("Название", "текст", "rejection", (), "no_such_ground"), "неизвестное основание"),
    (("Название", "текст", "answer", (), "no_location"), "только у шаблона отклонения"),
    (("Название", "текст", "answer", ("категория с пробелом",)), "код категории"),
])
def test_personal_template_fields_are_checked(synced, fields, message) -> None:
    cache, _ = synced
    lib = TemplateLibrary(cache)
    with pytest.raises(TemplateError, match=message) as exc:
        lib.create(*fields)
    assert exc.value.message.startswith("Шаблон не сохранён:")
    assert lib.templates(include_retired=True) == lib.templates() and all(
        t.origin is Origin.PLATFORM for t in lib.templates())


def test_personal_templates_stay_in_the_encrypted_file(synced, tmp_path: Path) -> None:
    cache, _ = synced
    lib = TemplateLibrary(cache)
    made = lib.create("Уникальный заголовок", "Уникальнейший текст шаблона", "return")
    path = Path(cache.db.conn.execute("PRAGMA database_list").fetchall()[0][2])
    cache.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert "Уникальнейший".encode() not in path.read_bytes()
    assert made.id in [t.id for t in lib.templates(Purpose.RETURN)]


def test_suggestions_rank_by_category_then_by_the_officials_habit(synced, routed_item) -> None:
    cache, _ = synced
    lib = TemplateLibrary(cache)
    item = cache.item(routed_item.id)
    assert item is not None and item.category_code == "roads"
    first = lib.suggest(item)
    assert [s.template.id for s in first] == ["tpl-roads", "tpl-generic"]  # the lighting one is left out
    assert first[0].category_match and not first[1].category_match
    for _ in range(30):
        lib.record_use("tpl-generic", item.id)
    again = lib.suggest(item)
    assert [s.template.id for s in again] == ["tpl-generic", "tpl-roads"] and again[0].uses == 30
    # another official's habits do not count
    assert [s.template.id for s in TemplateLibrary(cache, user_id="c-exec2").suggest(item)] == [
        "tpl-roads", "tpl-generic"]
    # a query finds templates of other categories too, by word prefixes, ё = е, any case
    assert [s.template.id for s in lib.suggest(item, query="СВЕТИЛЬН")] == ["tpl-light"]
    assert [s.template.id for s in lib.suggest(item, purpose="interim")] == ["tpl-interim"]
    assert [t.id for t in lib.search("выполн", "answer")] == ["tpl-generic"]


def test_search_folds_case_and_yo(synced) -> None:
    cache, _ = synced
    lib = TemplateLibrary(cache)
    made = lib.create("Ёлка у подъезда", "Ёлку вывезли.", "answer")
    for query in ("елка", "ЁЛКА", "Елк подъ", "вывез"):
        assert [t.id for t in lib.search(query)] == [made.id], query
    assert lib.search("елка снег") == []


def test_fill_asks_only_for_what_the_item_lacks(synced, routed_item) -> None:
    cache, _ = synced
    lib = TemplateLibrary(cache)
    item = cache.item(routed_item.id)
    assert item is not None
    first = lib.fill("tpl-roads", item)
    # the test world's head has no position on record: the only thing to ask
    assert [p.name for p in first.missing] == ["должность_руководителя"]
    assert first.text.startswith("Уважаемый(ая) Тестовый! Выбоина по адресу ул. Садовая, д. 1 устранена.")
    filled = lib.fill("tpl-roads", item, {"должность_руководителя": "Глава города"})
    assert filled.complete and filled.text.endswith("устранена. Глава города")
    reject = lib.fill("tpl-reject", item)
    ground = rejection_grounds().get("no_location")
    assert ground is not None and reject.complete and reject.text == ground.text


def test_a_template_of_the_parent_category_suits_a_subcategory_item(synced, routed_item) -> None:
    cache, _ = synced
    cache.db.execute("INSERT INTO categories (code, name, parent_code, term_kind, term_days) "
                     "VALUES ('roads_potholes', 'Ямы на дорогах', 'roads', 'standard', 30)")
    item = cache.item(routed_item.id)
    assert item is not None
    pothole = item.model_copy(update={"category_code": "roads_potholes"})
    lib = TemplateLibrary(cache)
    mine = lib.create("Ямы: мой ответ", "Выбоина по адресу {адрес} заделана.", "answer", ["roads_potholes"])
    ranked = lib.suggest(pothole)
    assert [s.template.id for s in ranked] == [mine.id, "tpl-roads", "tpl-generic"]
    assert [s.score for s in ranked] == [2.0, 1.5, 1.0] and ranked[1].category_match
    # the subcategory's template is not offered for an item of the parent category
    assert mine.id not in [s.template.id for s in lib.suggest(item)]
    # a query also finds templates by their category's name
    assert [s.template.id for s in lib.suggest(item, query="ямы на дорог")] == [mine.id]
