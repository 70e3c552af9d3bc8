"""Categories and their answer terms over HTTP: the Term rules on the platform, later items only, retiring."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from offline_cache.contract.admin import CategoryChangeRequest, NewCategoryRequest
from offline_cache.domain.administration import term_problem
from offline_cache.domain.deadlines import TermKind, calendar_term_end
from offline_cache.errors import ConflictError, InvalidError
from tests.world import PASSWORD, World

ZONE = "Asia/Yekaterinburg"  # the city's


@pytest.mark.parametrize(("kind", "days", "allowed"), [
    ("standard", None, True), ("standard", 30, True), ("standard", 20, False),
    ("accelerated", 10, True), ("accelerated", 12, False),
    ("fast_track_1", 8, True), ("fast_track_1", 10, False),
    ("fast_track_2", 10, True), ("fast_track_2", 8, False),
    ("custom", 1, True), ("custom", 29, True), ("custom", 30, False), ("custom", None, False),
])
def test_term_rule_on_the_platform(shared_world: World, kind: str, days: int | None, allowed: bool) -> None:
    token = httpx.post(f"{shared_world.url}/api/v1/auth/login",
                       json={"login": "c-admin", "password": PASSWORD}).json()["access_token"]
    body: dict[str, object] = {"name": "Дороги", "term_kind": kind}
    if days is not None:
        body["term_days"] = days
    # The same body on a category that does not exist: a valid term gives 404, an invalid one 422 first.
    response = httpx.put(f"{shared_world.url}/api/v1/admin/categories/no-such", json=body,
                         headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == (404 if allowed else 422), response.text
    assert (term_problem(kind, days) is None) == allowed  # the window's check says the same
    if not allowed:
        error = response.json()["error"]
        assert error["field"] == "term_days" and error["message"] == term_problem(kind, days)


def test_term_messages_are_russian() -> None:
    assert term_problem("accelerated", 12) == "Ускоренный срок — 10 дн., а не 12"
    assert term_problem("custom", 30) == "Иной фаст-трек — от 1 до 29 дней (короче стандартных 30)"
    assert term_problem("custom", 5) is None


def test_a_changed_term_applies_to_later_items_only(world: World) -> None:
    admin = world.client("c-admin")
    before = world.inject(category="roads")
    changed = admin.change_category("roads", CategoryChangeRequest(name="Дороги и тротуары",
                                                                   term_kind=TermKind.FAST_TRACK_2))
    assert (changed.term_kind, changed.term_days, changed.name) == (TermKind.FAST_TRACK_2, 10, "Дороги и тротуары")
    assert changed.stage_terms  # the control terms of stages are kept
    after = world.inject(category="roads")
    assert world.client("c-coord").message(before.id).due_at == before.due_at
    assert before.due_at == calendar_term_end(before.registered_at, 30, ZONE)
    assert after.due_at == calendar_term_end(after.registered_at, 10, ZONE)
    listed = {c.code: c for c in world.client("c-coord").categories()}
    assert listed["roads"].term_days == 10
    event = admin.admin_events()[0]
    assert event.action == "category_changed" and "30 дн." in event.summary and "10 дн." in event.summary


def test_subcategories_are_created_with_their_terms(world: World) -> None:
    admin = world.client("c-admin")
    sub = admin.add_category(NewCategoryRequest(code="roads.pits", name="Ямы", parent_code="roads",
                                                term_kind=TermKind.FAST_TRACK_1))
    assert (sub.parent_code, sub.term_days) == ("roads", 8)
    custom = admin.add_category(NewCategoryRequest(code="roads.signs", name="Знаки", parent_code="roads",
                                                   term_kind=TermKind.CUSTOM, term_days=5))
    assert custom.term_days == 5
    item = world.inject(category="roads.pits")
    assert item.due_at == calendar_term_end(item.registered_at, 8, ZONE)
    with pytest.raises(ConflictError, match="занят"):
        admin.add_category(NewCategoryRequest(code="roads.pits", name="Ямы", parent_code="roads"))
    with pytest.raises(InvalidError, match="Подкатегория не может"):
        admin.add_category(NewCategoryRequest(code="roads.pits.deep", name="Глубокие", parent_code="roads.pits"))
    with pytest.raises(InvalidError, match="Родительская"):
        admin.add_category(NewCategoryRequest(code="x", name="X", parent_code="nowhere"))
    with pytest.raises(InvalidError, match="Укажите название"):
        admin.add_category(NewCategoryRequest(code="blank", name="   "))
    with pytest.raises(InvalidError, match="Иной фаст-трек"):
        admin.add_category(NewCategoryRequest(code="y", name="Y", term_kind=TermKind.CUSTOM, term_days=30))
    # Other organisations' categories are theirs: the region has no pits.
    assert "roads.pits" not in {c.code for c in world.client("r-coord").categories()}


def test_a_retired_category_takes_no_new_messages(world: World) -> None:
    admin = world.client("c-admin")
    admin.add_category(NewCategoryRequest(code="snow.yards", name="Дворы", parent_code="snow",
                                          term_kind=TermKind.CUSTOM, term_days=3))
    old = world.inject(category="snow")
    retired = admin.retire_category("snow")
    assert retired.retired
    listed = {c.code: c for c in world.client("c-coord").categories()}
    assert listed["snow"].retired and listed["snow.yards"].retired  # listed still: old items keep the name
    assert world.client("c-coord").message(old.id).category_code == "snow"
    for code in ("snow", "snow.yards"):
        with pytest.raises(Exception, match="выведена из употребления"):
            world.inject(category=code)
    with pytest.raises(ConflictError):
        admin.change_category("snow", CategoryChangeRequest(name="Снег", term_kind=TermKind.STANDARD))
    assert admin.admin_events()[0].action == "category_retired"
    assert world.clock.now() - old.registered_at < timedelta(days=1)
