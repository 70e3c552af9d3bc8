"""The administrator's rules in the cache (issue 14): synced for administrators, the month's preview, conflicts."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import pytest

from offline_cache.admin_rules import (
    AdminApi,
    cached_rules,
    cached_templates,
    domain_rules,
    month_preview,
    rule_context,
)
from offline_cache.contract.admin_rules import AutoRuleIn, OrgTemplateIn, rule_to_domain
from offline_cache.domain.auto_rules import conflicts
from offline_cache.domain.model import Status
from offline_cache.errors import ConflictError
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine
from offline_cache.templates import TemplateLibrary
from tests.world import World
from training_platform.org_templates import all_templates


def synced(world: World, tmp_path: Path, user: str) -> tuple[Cache, SyncEngine]:
    cache = Cache.open(tmp_path / f"{user}.db", secrets.token_bytes(32))
    engine = SyncEngine(cache, world.client(user))
    report = engine.sync_once()
    assert report.error == "", report
    return cache, engine


def test_an_administrators_cache_keeps_rules_and_templates_others_get_none(world: World, tmp_path: Path) -> None:
    api = AdminApi(world.client("c-admin"))
    first = api.create_rule(AutoRuleIn(name="Свет", category_codes=["light"], target_executor_id="c-exec2"))
    second = api.create_rule(AutoRuleIn(name="Дороги", category_codes=["roads"], target_org_id="v", position=0))
    template = api.create_template(OrgTemplateIn(title="Свет", text="Фонарь починили.", purpose="answer"))
    api.set_retired(template.id, True)
    cache, _ = synced(world, tmp_path, "c-admin")
    assert [(r.id, r.position) for r in cached_rules(cache)] == [(second.id, 0), (first.id, 1)]
    assert [(t.id, t.retired) for t in cached_templates(cache)] == [(template.id, True)]
    coordinator, _ = synced(world, tmp_path, "c-coord")
    assert cached_rules(coordinator) == [] and cached_templates(coordinator) == []


def test_preview_over_the_cached_month_first_match_winning(world: World, tmp_path: Path) -> None:
    old = world.inject(category="light")
    world.clock.advance(timedelta(days=40).total_seconds())
    lights = [world.inject(category="light") for _ in range(2)]
    road = world.inject(category="roads", text="Яма")
    world.inject(category="snow")
    cache, _ = synced(world, tmp_path, "c-admin")
    api = AdminApi(world.client("c-admin"))
    rules = [api.create_rule(AutoRuleIn(name="Свет", category_codes=["light"], target_executor_id="c-exec2")),
             api.create_rule(AutoRuleIn(name="Свет и дороги", category_codes=["light", "roads"],
                                        target_org_id="v"))]
    rows = month_preview(cache, domain_rules(rules), world.clock.now())
    got = {r.item_id: r.caught_by for r in rows}
    assert got == {lights[0].id: rules[0].id, lights[1].id: rules[0].id, road.id: rules[1].id}
    assert old.id not in got, "older than a month"
    assert {r.category_name for r in rows} == {"Освещение", "Дороги"}
    # An item re-opened after a low rating is not a new message: the preview leaves it out.
    cache.db.execute("UPDATE history SET action='reprocessing' WHERE item_id=? AND idx=0", [lights[0].id])
    assert lights[0].id not in {r.item_id for r in month_preview(cache, domain_rules(rules), world.clock.now())}


def test_conflicts_from_the_cached_directory_match_the_platforms(world: World, tmp_path: Path) -> None:
    cache, _ = synced(world, tmp_path, "c-admin")
    ctx = rule_context(cache, world.clock.now())
    assert ctx.org_id == "c" and set(ctx.subordinates) == {"v"}
    broad = AutoRuleIn(name="Дороги", category_codes=["roads"], target_org_id="v")
    same = AutoRuleIn(name="Дороги — Павлову", category_codes=["roads"], target_executor_id="c-exec3")
    found = conflicts([rule_to_domain(broad, rule_id="a"), rule_to_domain(same, rule_id="b")], ctx)
    assert [(c.rule_id, c.kind) for c in found] == [("b", "same_condition")]


def test_a_message_after_a_new_rule_lands_with_its_target_in_the_executors_queue(world: World,
                                                                                   tmp_path: Path) -> None:
    executor, engine = synced(world, tmp_path, "c-exec2")
    AdminApi(world.client("c-admin")).create_rule(AutoRuleIn(name="Свет", category_codes=["light"],
                                                             target_executor_id="c-exec2"))
    item = world.inject(category="light")
    engine.sync_once()
    cached = executor.item(item.id)
    assert cached is not None and (cached.status, cached.assignee_id) == (Status.IN_WORK, "c-exec2")



def test_the_staffs_next_sync_brings_a_new_organisation_template(world: World, tmp_path: Path) -> None:
    coordinator, engine = synced(world, tmp_path, "c-coord")
    api = AdminApi(world.client("c-admin"))
    template = api.create_template(OrgTemplateIn(title="Свет починили", text="Фонарь исправен.", purpose="answer"))
    engine.sync_once()  # the change raised the directory's version: this sync fetches it again
    found = {t.id: t for t in TemplateLibrary(coordinator).templates()}
    assert found[template.id].title == "Свет починили" and not found[template.id].editable
    api.set_retired(template.id, True)
    engine.sync_once()
    assert template.id not in {t.id for t in TemplateLibrary(coordinator).templates()}


def test_a_template_saved_over_another_administrators_change_is_a_conflict(world: World) -> None:
    mine, theirs = AdminApi(world.client("c-admin")), AdminApi(world.client("c-admin"))
    loaded = mine.create_template(OrgTemplateIn(title="Свет", text="Фонарь починят.", purpose="answer"))
    theirs.update_template(loaded.id, OrgTemplateIn(title="Свет", text="Фонарь починили.", purpose="answer",
                                                    base_version=loaded.version))
    edit = OrgTemplateIn(title="Свет", text="Фонарь заменили.", purpose="answer", base_version=loaded.version)
    with pytest.raises(ConflictError) as refused:
        mine.update_template(loaded.id, edit)
    assert (refused.value.status, refused.value.code) == (409, "conflict")
    assert "изменил другой администратор (версия 2)" in refused.value.message
    with world.platform.store.lock:
        [stored] = [t for t in all_templates(world.platform.store) if t.id == loaded.id]
    assert (stored.text, stored.version) == ("Фонарь починили.", 2), "the refused save changed nothing"
    again = mine.update_template(loaded.id, edit.model_copy(update={"base_version": stored.version}))
    assert (again.text, again.version) == ("Фонарь заменили.", 3)
    older = mine.update_template(loaded.id, OrgTemplateIn(title="Свет", text="Без версии.", purpose="answer"))
    assert (older.text, older.version) == ("Без версии.", 4), "an older client (no base_version) still saves"


def test_this_features_changes_have_russian_names_in_the_audit_log() -> None:
    from offline_cache.admin import admin_action_name

    assert admin_action_name("auto_rules_reordered") == "Изменён порядок правил авторазбора"
    assert admin_action_name("template_retired") == "Шаблон организации в архиве"
