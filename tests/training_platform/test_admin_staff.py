"""The administrator's staff endpoints over HTTP: the 403 rule, adding, roles, deactivation, the events log."""

from __future__ import annotations

import httpx
import pytest

from offline_cache.contract.admin import NewStaffRequest
from offline_cache.contract.models import Item
from offline_cache.domain.model import Role, Status
from offline_cache.domain.staff import StaffMember
from offline_cache.errors import AuthExpiredError, ConflictError, ForbiddenError, InvalidError, NotFoundError
from tests.training_platform.conftest import Driver
from tests.world import PASSWORD, World, absent
from training_platform.admin import ADMIN_ONLY

#: Every administrative request (method, path, JSON body); the 403 rule applies to each.
ADMIN_REQUESTS: list[tuple[str, str, dict[str, object] | None]] = [
    ("GET", "/api/v1/admin/staff", None),
    ("POST", "/api/v1/admin/staff", {"login": "new.one", "full_name": "Новый Сотрудник", "roles": ["executor"],
                                     "password": "secret-1"}),
    ("PUT", "/api/v1/admin/staff/c-exec2/roles", {"roles": ["executor", "coordinator"]}),
    ("GET", "/api/v1/admin/staff/c-exec2/deactivation", None),
    ("POST", "/api/v1/admin/staff/c-exec2/deactivate", None),
    ("POST", "/api/v1/admin/categories", {"code": "pits", "name": "Ямы", "parent_code": "roads",
                                          "term_kind": "fast_track_1"}),
    ("PUT", "/api/v1/admin/categories/roads", {"name": "Дороги", "term_kind": "accelerated"}),
    ("POST", "/api/v1/admin/categories/snow/retire", None),
    ("GET", "/api/v1/admin/events", None),
]
NON_ADMINS = ["c-coord", "c-exec1", "c-head", "c-cur", "r-coord", "v-coord"]


def _token(world: World, login: str) -> str:
    response = httpx.post(f"{world.url}/api/v1/auth/login", json={"login": login, "password": PASSWORD})
    return str(response.json()["access_token"])


@pytest.mark.parametrize("login", NON_ADMINS)
def test_every_admin_endpoint_refuses_other_roles(shared_world: World, login: str) -> None:
    token = _token(shared_world, login)
    with httpx.Client(base_url=shared_world.url, headers={"Authorization": f"Bearer {token}"}, timeout=20) as http:
        for method, path, body in ADMIN_REQUESTS:
            response = http.request(method, path, json=body)
            assert response.status_code == 403, (login, method, path, response.text)
            error = response.json()["error"]
            assert error["code"] == "forbidden"
            assert error["message"] == ADMIN_ONLY
    # Nothing changed: the refused requests applied nothing.
    assert "c-exec2" in shared_world.platform.store.staff()
    assert shared_world.platform.store.staff()["c-exec2"].roles == frozenset({Role.EXECUTOR})


def test_every_admin_endpoint_serves_the_administrator(world: World) -> None:
    token = _token(world, "c-admin")
    with httpx.Client(base_url=world.url, headers={"Authorization": f"Bearer {token}"}, timeout=20) as http:
        for method, path, body in ADMIN_REQUESTS:
            response = http.request(method, path, json=body)
            assert response.status_code == 200, (method, path, response.text)


def test_anonymous_gets_401(shared_world: World) -> None:
    response = httpx.get(f"{shared_world.url}/api/v1/admin/staff")
    assert response.status_code == 401


def test_admin_adds_a_member_who_can_log_in(world: World) -> None:
    admin = world.client("c-admin")
    member = admin.add_staff(NewStaffRequest(login="Ivanova.A", full_name="Иванова Анна Петровна",
                                             position="Главный специалист", roles=[Role.EXECUTOR],
                                             password="start-123"))
    assert member.org_id == "c" and member.roles == [Role.EXECUTOR] and member.active
    me = world.client().login("ivanova.a", "start-123")
    assert me.access_token
    listed = {s.staff.id: s for s in admin.admin_staff()}
    assert listed[member.id].login == "ivanova.a"
    assert listed[member.id].staff.position == "Главный специалист"
    # The coordinator can route to the new member after the next directory refresh.
    coordinator = world.client("c-coord")
    assert member.id in {s.id for s in coordinator.staff()}
    item = world.inject()
    routed = coordinator.act(item.id, "route_to_executor", item.version, {"executor_id": member.id})
    assert routed.assignee_id == member.id
    events = admin.admin_events()
    assert events[0].action == "staff_added" and events[0].target == member.id
    assert "Иванова Анна Петровна" in events[0].summary and events[0].actor_id == "c-admin"


def test_a_login_cannot_be_taken_twice(world: World) -> None:
    admin = world.client("c-admin")
    with pytest.raises(ConflictError, match="занят"):
        admin.add_staff(NewStaffRequest(login="c-exec1", full_name="Двойник", roles=[Role.EXECUTOR],
                                        password="secret-1"))


def test_a_member_needs_a_role_and_a_password(world: World) -> None:
    token = _token(world, "c-admin")
    for body in ({"login": "x1", "full_name": "Без ролей", "roles": [], "password": "secret-1"},
                 {"login": "x2", "full_name": "Короткий", "roles": ["executor"], "password": "123"},
                 {"login": "x 3", "full_name": "Пробел", "roles": ["executor"], "password": "secret-1"}):
        response = httpx.post(f"{world.url}/api/v1/admin/staff", json=body,
                              headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 422, body


def test_roles_change_and_take_effect(world: World) -> None:
    admin = world.client("c-admin")
    updated = admin.set_roles("c-exec2", [Role.EXECUTOR, Role.COORDINATOR])
    assert set(updated.roles) == {Role.EXECUTOR, Role.COORDINATOR}
    me = world.client("c-exec2").me()
    assert Role.COORDINATOR in me.effective_roles
    assert admin.admin_events()[0].summary.endswith("Исполнитель → Координатор, Исполнитель")


def test_the_last_coordinator_keeps_the_role(world: World) -> None:
    admin = world.client("c-admin")
    with pytest.raises(ConflictError, match="ни одного координатора"):
        admin.set_roles("c-coord", [Role.EXECUTOR])
    assert world.platform.store.staff()["c-coord"].roles == frozenset({Role.COORDINATOR})
    admin.set_roles("c-exec2", [Role.COORDINATOR])  # a second coordinator: now the first may change
    assert admin.set_roles("c-coord", [Role.EXECUTOR]).roles == [Role.EXECUTOR]


def test_the_last_administrator_keeps_the_role(world: World) -> None:
    admin = world.client("c-admin")
    with pytest.raises(ConflictError, match="ни одного администратора ЛКО"):
        admin.set_roles("c-admin", [Role.COORDINATOR])
    admin.set_roles("c-head", [Role.HEAD, Role.ADMIN])
    assert admin.set_roles("c-admin", [Role.COORDINATOR]).roles == [Role.COORDINATOR]
    with pytest.raises(ForbiddenError):  # no longer an administrator
        admin.admin_staff()


def test_the_last_coordinator_and_administrator_stay_active(world: World) -> None:
    admin = world.client("c-admin")
    preview = admin.deactivation_preview("c-coord")
    assert preview.refusal is not None and "координатора" in preview.refusal
    with pytest.raises(ConflictError, match="ни одного координатора"):
        admin.deactivate("c-coord")
    with pytest.raises(ConflictError, match="самого себя"):
        admin.deactivate("c-admin")
    assert {"c-coord", "c-admin"} <= set(world.platform.store.staff())


def test_other_organisations_staff_are_out_of_reach(world: World) -> None:
    with world.platform.store.transaction():
        world.platform.store.put_staff(StaffMember("r-admin", "r", "Администратор края", frozenset({Role.ADMIN})))
        world.platform.store.put_credential("r-admin", PASSWORD, "r-admin", hint=True)
    regional = world.client("r-admin")
    assert {s.staff.org_id for s in regional.admin_staff()} == {"r"}
    with pytest.raises(NotFoundError):
        regional.set_roles("c-exec1", [Role.HEAD])
    with pytest.raises(NotFoundError):
        regional.deactivate("c-exec1")
    assert world.client("c-admin").admin_events() == []  # the city's log: nothing happened there


def _open_work(drive: Driver) -> list[Item]:
    """c-exec1's items in work, returned and after an interim answer, plus one on approval (stays)."""
    return [drive.in_work(), drive.returned(), drive.interim_answer(), drive.on_approval(0)]


def test_deactivated_members_items_go_back_to_routing(world: World, drive: Driver) -> None:
    in_work, returned, interim, on_approval = _open_work(drive)
    assert (returned.status, interim.status) == (Status.RETURNED, Status.INTERIM_ANSWER)
    with world.platform.store.transaction():  # c-exec2 is away and named c-exec1 to cover
        world.platform.store.put_staff(absent("c-exec2", "c-exec1", world.clock.now()))
    executor = drive.client("c-exec1")
    admin = world.client("c-admin")
    preview = admin.deactivation_preview("c-exec1")
    assert preview.refusal is None and preview.open_items == 3
    assert sorted(preview.numbers) == sorted(i.number for i in (in_work, returned, interim))
    assert {s.staff.id: s.open_items for s in admin.admin_staff()}["c-exec1"] == 3
    result = admin.deactivate("c-exec1")
    assert result.returned_items == 3 and not result.staff.active
    for item in (in_work, returned, interim):
        now = drive.get(item, "c-coord")
        assert now.status is Status.AWAITING_ROUTING and now.assignee_id is None
        assert now.routing_due_at is not None
        last = now.history[-1]
        assert (last.action, last.actor_id, last.to_status) == ("return_to_routing", "c-admin",
                                                                Status.AWAITING_ROUTING)
        assert "отключён" in last.comment
    assert drive.get(on_approval, "c-coord").status is Status.ON_APPROVAL  # the approvers have it
    # The coordinator's feed brings them back in the routing queue.
    fed = drive.feed_items("c-coord")
    assert {i.id for i in fed.values() if i.status is Status.AWAITING_ROUTING} >= {
        in_work.id, returned.id, interim.id}
    # Never deleted: the directory keeps the name, flagged; no more logins; nobody deputises through them.
    listed = {s.id: s for s in drive.client("c-coord").staff()}
    assert listed["c-exec1"].active is False and listed["c-exec1"].full_name == "Сотрудник c-exec1"
    assert listed["c-exec2"].deputy_id is None
    with pytest.raises(AuthExpiredError):
        executor.me()
    with pytest.raises(Exception, match="Неверный логин"):
        world.client().login("c-exec1", PASSWORD)
    with pytest.raises(InvalidError):  # the coordinator can no longer route to them
        drive.act("c-coord", world.inject(), "route_to_executor", {"executor_id": "c-exec1"})
    with pytest.raises(ConflictError, match="уже отключён"):
        admin.deactivate("c-exec1")
    event = admin.admin_events()[0]
    assert event.action == "staff_deactivated" and "возвращено сообщений: 3" in event.summary
