"""Auto-rules and organisation templates over HTTP (issue 14): administrators only, applied to arriving messages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from offline_cache.admin_rules import AdminApi
from offline_cache.contract.admin_rules import AutoRuleIn
from offline_cache.contract.models import CategoryOut
from offline_cache.domain.deadlines import TermKind
from offline_cache.domain.model import Role, Status
from offline_cache.domain.staff import StaffMember
from offline_cache.errors import InvalidError
from tests.training_platform.http_helpers import assert_russian_error, token
from tests.world import World, absent

ADMIN = "c-admin"
#: Every other role of the city (and the region's coordinator, another organisation).
OTHERS = ["c-coord", "c-exec1", "c-head", "c-cur", "r-coord"]
RULE = {"name": "Ямы — в поселение", "category_codes": ["roads"], "target_org_id": "v"}
TEMPLATE = {"title": "Ответ о ямочном ремонте", "text": "Уважаемый заявитель! Яму заделают.", "purpose": "answer"}


@pytest.fixture
def http(world: World) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=world.url, timeout=20) as client:
        yield client


class As:
    """Raw requests of one official (logins are slow: one per official and test)."""

    def __init__(self, http: httpx.Client, login: str) -> None:
        self.http, self.headers = http, {"Authorization": f"Bearer {token(http, login)}"}

    def __call__(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return self.http.request(method, f"/api/v1/admin{path}", json=body, headers=self.headers)


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text[:400]
    return response.json()


def test_every_action_is_the_administrators_and_refused_to_every_other_role(http: httpx.Client) -> None:
    admin = As(http, ADMIN)
    rule = ok(admin("POST", "/auto-rules", RULE))
    template = ok(admin("POST", "/templates", TEMPLATE))
    calls = [("GET", "/auto-rules", None), ("PUT", f"/auto-rules/{rule['id']}", RULE),
             ("PUT", "/auto-rules-order", {"ids": [rule["id"]]}), ("POST", "/auto-rules", RULE),
             ("DELETE", f"/auto-rules/{rule['id']}", None), ("GET", "/templates", None),
             ("POST", "/templates", TEMPLATE), ("PUT", f"/templates/{template['id']}", TEMPLATE),
             ("POST", f"/templates/{template['id']}/retire", None),
             ("POST", f"/templates/{template['id']}/restore", None), ("GET", "/events", None)]
    for login in OTHERS:
        other = As(http, login)
        for method, path, body in calls:
            error = assert_russian_error(other(method, path, body), 403)
            assert "администратор" in error["message"].lower(), (login, method, path)
    for method, path, body in calls:  # and the administrator may do each of them
        ok(admin(method, path, body))


def test_rules_are_kept_in_order_and_reordered(http: httpx.Client) -> None:
    admin = As(http, ADMIN)
    first = ok(admin("POST", "/auto-rules", RULE))
    second = ok(admin("POST", "/auto-rules", {"name": "Свет — исполнителю", "category_codes": ["light"],
                                              "target_executor_id": "c-exec2", "position": 0}))
    assert [(r["id"], r["position"]) for r in ok(admin("GET", "/auto-rules"))] == [(second["id"], 0),
                                                                                   (first["id"], 1)]
    ok(admin("PUT", "/auto-rules-order", {"ids": [first["id"], second["id"]]}))
    assert [r["id"] for r in ok(admin("GET", "/auto-rules"))] == [first["id"], second["id"]]
    assert_russian_error(admin("PUT", "/auto-rules-order", {"ids": [first["id"]]}), 422)
    edited = ok(admin("PUT", f"/auto-rules/{second['id']}", {**RULE, "name": "Переименовано",
                                                              "category_codes": ["snow"]}))
    assert (edited["version"], edited["position"], edited["name"]) == (2, 1, "Переименовано")
    stale = admin("PUT", f"/auto-rules/{second['id']}", {**RULE, "base_version": 1})
    assert "другой администратор" in assert_russian_error(stale, 409)["message"]
    left = ok(admin("DELETE", f"/auto-rules/{first['id']}"))
    assert [(r["id"], r["position"]) for r in left] == [(second["id"], 0)]
    assert_russian_error(admin("DELETE", f"/auto-rules/{first['id']}"), 404)
    kinds = [c["action"] for c in ok(admin("GET", "/events"))]
    assert kinds == ["auto_rule_deleted", "auto_rule_updated", "auto_rules_reordered", "auto_rule_created",
                     "auto_rule_created"]


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"target_org_id": "r"}, "target_org_id", "подведомственную"),
    ({"target_org_id": None, "target_executor_id": "r-exec"}, "target_executor_id", "не найден"),
    ({"target_org_id": None, "target_executor_id": "c-head"}, "target_executor_id", "нет роли исполнителя"),
    ({"category_codes": ["nope"]}, "category_codes", "нет в справочнике"),
    ({"target_executor_id": "c-exec1"}, "target_org_id", "что-то одно"),
    ({"target_org_id": None}, "target_org_id", "куда направлять"),
])
def test_a_rule_that_cannot_work_is_refused(http: httpx.Client, change: dict[str, Any], field: str,
                                            words: str) -> None:
    error = assert_russian_error(As(http, ADMIN)("POST", "/auto-rules", {**RULE, **change}), 422)
    assert error["field"] == field and words in error["message"], error


def test_rules_apply_to_arriving_messages_in_order_and_are_named_in_history(world: World) -> None:
    with world.platform.store.transaction():
        world.platform.store.put_categories("c", [CategoryOut(code="pits", name="Ямы", parent_code="roads",
                                                              term_kind=TermKind.STANDARD, term_days=30)])
    admin = world.client(ADMIN)

    api = AdminApi(admin)
    api.create_rule(AutoRuleIn(name="Ямы — Морозову", category_codes=["pits"], target_executor_id="c-exec1"))
    api.create_rule(AutoRuleIn(name="Дороги — в поселение", category_codes=["roads"], target_org_id="v"))
    api.create_rule(AutoRuleIn(name="Дороги Ольховки — второму", category_codes=["roads"],
                               municipality="Ольховка", target_executor_id="c-exec2"))
    pit = world.inject(category="pits")
    assert (pit.status, pit.assignee_id) == (Status.IN_WORK, "c-exec1")
    entry = pit.history[-1]
    assert (entry.actor_id, entry.action) == (None, "route_to_executor")
    assert "Авторазбор: правило №1 «Ямы — Морозову»" in entry.comment
    road = world.inject(category="roads")
    assert (road.status, road.redirected_to_org_id) == (Status.REDIRECTED, "v")
    assert "правило №2" in road.history[-1].comment
    spawned = [i for i in world.client("v-coord").feed(limit=500).items if i.parent_id == road.id]
    assert [(i.org_id, i.status) for i in spawned] == [("v", Status.AWAITING_ROUTING)]
    assert world.inject(category="snow").status is Status.AWAITING_ROUTING  # no rule: the coordinator's
    assert pit.id in {i.id for i in world.client("c-exec1").feed(limit=500).items}


def test_a_lower_organisations_rules_take_a_message_passed_down(world: World) -> None:

    with world.platform.store.transaction():  # the settlement gets an administrator of its own
        world.platform.store.put_staff(StaffMember("v-admin", "v", "Админ поселения", frozenset({Role.ADMIN})))
        world.platform.store.put_credential("v-admin", "pw", "v-admin", hint=True)
    AdminApi(world.client(ADMIN)).create_rule(AutoRuleIn(name="Снег — вниз", category_codes=["snow"],
                                                         target_org_id="v"))
    AdminApi(world.client("v-admin")).create_rule(AutoRuleIn(name="Снег — координатору-исполнителю",
                                                             category_codes=["snow"], target_executor_id="v-coord"))
    world.inject(category="snow")
    mine = [i for i in world.client("v-coord").feed(limit=500).items if i.category_code == "snow"]
    assert [(i.org_id, i.status, i.assignee_id) for i in mine] == [("v", Status.IN_WORK, "v-coord")]


def test_a_message_redirected_by_a_coordinator_goes_through_the_receiving_organisations_rules(
        world: World) -> None:
    with world.platform.store.transaction():
        world.platform.store.put_staff(StaffMember("v-admin", "v", "Админ поселения", frozenset({Role.ADMIN})))
        world.platform.store.put_credential("v-admin", "pw", "v-admin", hint=True)
    AdminApi(world.client("v-admin")).create_rule(AutoRuleIn(name="Дороги — сразу в работу",
                                                             category_codes=["roads"], target_executor_id="v-coord"))
    item = world.inject(category="roads")
    coordinator = world.client("c-coord")
    coordinator.act(item.id, "redirect", item.version, {"org_id": "v"})
    mine = [i for i in world.client("v-coord").feed(limit=500).items if i.parent_id == item.id]
    assert [(i.status, i.assignee_id) for i in mine] == [(Status.IN_WORK, "v-coord")]


def test_a_rule_whose_executor_was_deactivated_leaves_the_message_to_the_coordinator(world: World) -> None:
    admin = world.client(ADMIN)
    AdminApi(admin).create_rule(AutoRuleIn(name="Свет", category_codes=["light"], target_executor_id="c-exec3"))
    admin.deactivate("c-exec3")
    assert world.inject(category="light").status is Status.AWAITING_ROUTING
    with pytest.raises(InvalidError, match="деактивирован"):  # and no new rule may name them
        AdminApi(admin).create_rule(AutoRuleIn(name="Снег", category_codes=["snow"], target_executor_id="c-exec3"))
    # The broken rule does not block other changes: it is shown (as an error) until fixed or deleted.
    AdminApi(admin).create_rule(AutoRuleIn(name="Снег", category_codes=["snow"], target_executor_id="c-exec1"))


def test_an_absent_executors_deputy_sees_what_a_rule_sent(world: World) -> None:

    with world.platform.store.transaction():
        world.platform.store.put_staff(absent("c-exec3", "c-exec2", world.clock.now()))
    AdminApi(world.client(ADMIN)).create_rule(AutoRuleIn(name="Свет", category_codes=["light"],
                                                         target_executor_id="c-exec3"))
    item = world.inject(category="light")
    assert item.assignee_id == "c-exec3"
    assert item.id in {i.id for i in world.client("c-exec2").feed(limit=500).items}


def test_organisation_templates_are_created_edited_retired_and_served_to_its_staff(http: httpx.Client) -> None:
    admin = As(http, ADMIN)
    created = ok(admin("POST", "/templates", TEMPLATE))
    assert (created["org_id"], created["version"], created["retired"]) == ("c", 1, False)

    def served(login: str) -> dict[str, Any]:
        got = http.get("/api/v1/templates", headers={"Authorization": f"Bearer {token(http, login)}"})
        return {t["id"]: t for t in ok(got)}

    assert served("c-exec1")[created["id"]]["version"] == 1
    assert created["id"] not in served("v-coord"), "another organisation's staff do not get it"
    same = ok(admin("PUT", f"/templates/{created['id']}", TEMPLATE))
    assert same["version"] == 1, "nothing changed: the version stays"
    edited = ok(admin("PUT", f"/templates/{created['id']}", {**TEMPLATE, "text": "Яму заделали."}))
    assert edited["version"] == 2 and served("c-exec1")[created["id"]]["text"] == "Яму заделали."
    ok(admin("POST", f"/templates/{created['id']}/retire"))
    assert created["id"] not in served("c-exec1")
    assert [t["retired"] for t in ok(admin("GET", "/templates"))] == [True]
    ok(admin("POST", f"/templates/{created['id']}/restore"))
    assert created["id"] in served("c-coord")
    error = assert_russian_error(admin("POST", "/templates", {**TEMPLATE, "purpose": "rejection"}), 422)
    assert error["field"] == "ground_code"
    assert_russian_error(As(http, "v-coord")("PUT", f"/templates/{created['id']}", TEMPLATE), 403)
    kinds = [c["action"] for c in ok(admin("GET", "/events"))]
    assert kinds == ["template_restored", "template_retired", "template_updated", "template_updated",
                     "template_created"]


def test_a_template_edit_on_a_stale_version_is_refused_and_changes_nothing(http: httpx.Client) -> None:
    admin = other = As(http, ADMIN)  # the city has one administrator: "other" stands for a second one
    created = ok(admin("POST", "/templates", {**TEMPLATE, "base_version": 7}))  # ignored on create
    assert created["version"] == 1 and "base_version" not in created
    theirs = ok(other("PUT", f"/templates/{created['id']}", {**TEMPLATE, "text": "Их текст.", "base_version": 1}))
    assert theirs["version"] == 2 and "base_version" not in theirs
    stale = admin("PUT", f"/templates/{created['id']}", {**TEMPLATE, "text": "Мой текст.", "base_version": 1})
    error = assert_russian_error(stale, 409)
    assert error["code"] == "conflict"
    assert error["message"] == (f"Шаблон «{TEMPLATE['title']}» изменил другой администратор (версия 2): "
                                "откройте его заново и внесите изменение")
    [stored] = ok(admin("GET", "/templates"))
    assert (stored["text"], stored["version"], stored["updated_at"]) == ("Их текст.", 2, theirs["updated_at"])
    assert [e["action"] for e in ok(admin("GET", "/events"))] == ["template_updated", "template_created"]
    same = ok(admin("PUT", f"/templates/{created['id']}", {**TEMPLATE, "text": "Их текст.", "base_version": 2}))
    assert same["version"] == 2, "the base version is not a change of the template"
    mine = ok(admin("PUT", f"/templates/{created['id']}", {**TEMPLATE, "text": "Мой текст.", "base_version": 2}))
    assert (mine["text"], mine["version"]) == ("Мой текст.", 3)
    older = ok(admin("PUT", f"/templates/{created['id']}", {**TEMPLATE, "text": "Без версии."}))
    assert (older["text"], older["version"]) == ("Без версии.", 4), "a client without base_version still saves"
    for wrong in (0, -1, 2**62 + 1, "два"):
        assert_russian_error(admin("PUT", f"/templates/{created['id']}", {**TEMPLATE, "base_version": wrong}), 422)
    assert ok(admin("GET", "/templates"))[0]["version"] == 4
