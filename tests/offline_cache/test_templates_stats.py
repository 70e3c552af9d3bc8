"""For heads: per template, answers built on it and how many were returned (usage records and item history)."""

from __future__ import annotations

import secrets
from pathlib import Path

from offline_cache.actions import perform
from offline_cache.contract.models import TemplateOut
from offline_cache.domain.model import Action, Status
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine
from offline_cache.template_stats import built_on, fixed_pieces, template_stats
from offline_cache.templates import Purpose, TemplateLibrary
from tests.offline_cache.conftest import NewItem
from tests.world import World

TEMPLATES = [
    TemplateOut(id="tpl-works", title="Работы выполнены", purpose="answer",
                text="Уважаемый(ая) {заявитель}! По вашему сообщению № {номер} сообщаем, что работы по адресу "
                     "{адрес} выполнены. Благодарим за неравнодушие к состоянию нашего города."),
    TemplateOut(id="tpl-planned", title="Работы в плане", purpose="answer",
                text="Уважаемый(ая) {заявитель}! Проблема по адресу {адрес} включена в план работ на текущий год. "
                     "Ход выполнения работ находится на контроле администрации."),
    TemplateOut(id="tpl-return-dates", title="Уточнить сроки", purpose="return",
                text="Укажите конкретные сроки выполнения работ и ответственную организацию."),
]


def session(world: World, user: str, tmp_path: Path) -> tuple[Cache, SyncEngine]:
    cache = Cache.open(tmp_path / f"{user}.posdesk", secrets.token_bytes(32))
    engine = SyncEngine(cache, world.client(user))
    assert engine.sync_once().error == ""
    return cache, engine


def test_heads_see_use_and_returns_per_template(world: World, new_item: NewItem, tmp_path: Path) -> None:
    with world.platform.store.transaction():
        world.platform.store.put_templates(TEMPLATES)
    coord = world.client("c-coord")
    items = []
    for text in ("Яма у дома", "Не горит фонарь", "Мусор во дворе"):
        made = new_item(text, applicant="Петров Иван Сергеевич")
        items.append(coord.act(made.id, Action.ROUTE_TO_EXECUTOR, made.version, {"executor_id": "c-exec1"}))

    # The executor answers two items from «Работы выполнены» and one from «Работы в плане».
    exec_cache, exec_engine = session(world, "c-exec1", tmp_path)
    lib = TemplateLibrary(exec_cache)
    for item, template_id in zip(items, ("tpl-works", "tpl-works", "tpl-planned"), strict=True):
        cached = exec_cache.item(item.id)
        assert cached is not None
        filled = lib.fill(template_id, cached)
        assert filled.complete, filled
        lib.record_use(template_id, item.id)
        perform(exec_cache, item.id, Action.SUBMIT_FOR_APPROVAL, {"text": filled.text})
    assert exec_engine.sync_once().pushed == 3

    # The curator returns one «Работы выполнены» answer with a return template's text.
    cur_cache, cur_engine = session(world, "c-cur", tmp_path)
    comment = TemplateLibrary(cur_cache).fill("tpl-return-dates", cur_cache.item(items[0].id))  # type: ignore[arg-type]
    perform(cur_cache, items[0].id, Action.RETURN_FOR_REVISION, {"comment": comment.text})
    assert cur_engine.sync_once().pushed == 1
    assert cur_cache.server_item(items[0].id).status is Status.RETURNED  # type: ignore[union-attr]

    # The curator's cache has no usage records: the answers are recognised by their wording.
    assert cur_cache.db.execute("SELECT count(*) FROM template_usage").fetchone()[0] == 0
    stats = {s.template.id: s for s in template_stats(cur_cache)}
    assert (stats["tpl-works"].used, stats["tpl-works"].returned) == (2, 1)
    assert stats["tpl-works"].return_share == 0.5
    assert (stats["tpl-planned"].used, stats["tpl-planned"].returned) == (1, 0)
    assert stats["tpl-return-dates"].used == 1  # the return comment came from it
    assert template_stats(cur_cache)[0].template.id == "tpl-works"  # most used first

    # The executor's own cache also has the recorded insertions, by version.
    assert exec_engine.sync_once().error == ""
    mine = {s.template.id: s for s in template_stats(exec_cache)}
    assert mine["tpl-works"].recorded_uses == {1: 2} and (mine["tpl-works"].used, mine["tpl-works"].returned) == (2, 1)
    assert template_stats(exec_cache, org_id="r")[0].used == 0  # another organisation's items only
    exec_cache.close()
    cur_cache.close()


def test_recognising_a_template_in_an_edited_answer() -> None:
    text = TEMPLATES[0].text
    pieces = fixed_pieces(text)
    assert pieces == ["уважаемый(ая)", "! по вашему сообщению №", "сообщаем, что работы по адресу",
                      "выполнены. благодарим за неравнодушие к состоянию нашего города."]
    answer = ("Уважаемая Анна Петровна! По вашему  сообщению № 2026-1 сообщаем, что работы по адресу ул. Мира, 1 "
              "выполнены. Благодарим за неравнодушие к состоянию нашего города. Фото прилагаем.")
    assert built_on(answer, pieces)
    assert not built_on("Уважаемая Анна Петровна! Работы по адресу ул. Мира, 1 выполнены.", pieces)
    assert not built_on("что угодно", fixed_pieces("{заявитель}, {адрес}"))  # nothing fixed to recognise
    assert Purpose.RETURN.label == "Возврат на доработку"
