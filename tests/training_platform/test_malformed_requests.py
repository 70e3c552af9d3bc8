"""Malformed requests to the training platform get a 4xx with the documented error body, never a 500."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offline_cache.domain.model import Action
from tests.training_platform.http_helpers import JSON_CT, assert_error, auth, fresh_key, token
from tests.world import WORLD_START, World, populate
from training_platform.server import TrainingServer
from training_platform.service import Clock, Platform, PlatformConfig
from training_platform.store import Store


class _ServerErrorLogged(logging.Handler):
    """Set when uvicorn has finished logging an application exception (it runs after uvicorn's own handler)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.done = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.done.set()


SERVER_ERROR_LOGGED = _ServerErrorLogged()


def settle(response: httpx.Response) -> httpx.Response:
    """After a 500, wait until the server thread has logged its traceback.

    CPython 3.11's traceback carets call ast.parse, whose recursion counter is shared between
    threads: the server formatting its traceback while pytest formats a failure of this thread
    can crash pytest with "SystemError: AST constructor recursion depth mismatch".
    """
    if response.status_code >= 500:
        SERVER_ERROR_LOGGED.done.wait(5)
    SERVER_ERROR_LOGGED.done.clear()
    return response


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One platform for the whole module (overrides the per-test fixture): requests here use fresh items."""
    clock = Clock(WORLD_START)
    platform = Platform(Store(":memory:"), clock=clock, config=PlatformConfig())
    populate(platform, WORLD_START)
    server = TrainingServer(platform)
    server.start()
    uvicorn_logger = logging.getLogger("uvicorn")
    uvicorn_logger.addHandler(SERVER_ERROR_LOGGED)
    yield World(server, clock)
    uvicorn_logger.removeHandler(SERVER_ERROR_LOGGED)
    server.stop()


@pytest.fixture
def http(world: World) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=world.url, timeout=10) as client:
        yield client


# --- bodies of the action endpoint -----------------------------------------------------------


@pytest.mark.parametrize("raw", [
    b"{", b"[", b"not json", b'{"action": "approve",}', b"\x00", b'{"action": "approve\x00", "base_version": 1}',
    b'{"action": "\xff\xfe", "base_version": 1}', b"\xef\xbb\xbf{}", b'{"base_version": 1e400}',
    b'{"action": "approve", "base_version": NaN}', b'{"action": "approve", "base_version": Infinity}',
    b"null", b"1", '"строка"'.encode(), b"[]", b"{}", b"",
])
def test_unparseable_or_wrong_shaped_action_body(world: World, http: httpx.Client, raw: bytes) -> None:
    item = world.inject()
    headers = auth(http)
    response = http.post(f"/api/v1/messages/{item.id}/actions", content=raw, headers={**headers, **JSON_CT})
    assert_error(response, (400, 422))


@pytest.mark.parametrize(("body", "field"), [
    ({"action": 5, "base_version": 1}, "action"),
    ({"action": "fly_away", "base_version": 1}, "action"),
    ({"action": "APPROVE", "base_version": 1}, "action"),
    ({"action": "approve", "base_version": "один"}, "base_version"),
    ({"action": "approve", "base_version": 0}, "base_version"),
    ({"action": "approve", "base_version": -3}, "base_version"),
    ({"action": "approve", "base_version": 1.5}, "base_version"),
    ({"action": "approve", "base_version": None}, "base_version"),
    ({"action": "approve", "base_version": [1]}, "base_version"),
    ({"action": "approve"}, "base_version"),
    ({"base_version": 1}, "action"),
    ({"action": "take_into_work", "base_version": 1, "extra": True}, "extra"),
    ({"action": "approve", "base_version": 1, "payload": []}, "payload"),
    ({"action": "approve", "base_version": 1, "payload": "x"}, "payload"),
    ({"action": "approve", "base_version": 10**40}, "base_version"),
    ({"action": "approve", "base_version": -(10**40)}, "base_version"),
])
def test_wrong_action_request(world: World, http: httpx.Client, body: dict[str, Any], field: str) -> None:
    item = world.inject()
    response = http.post(f"/api/v1/messages/{item.id}/actions", json=body, headers=auth(http))
    error = assert_error(response, 422)
    assert error["field"] == field


@pytest.mark.parametrize(("action", "payload", "field"), [
    ("route_to_executor", {"executor_id": 5}, "executor_id"),
    ("route_to_executor", {}, "executor_id"),
    ("route_to_executor", {"executor_id": ""}, "executor_id"),
    ("route_to_executor", {"executor_id": "x" * 65}, "executor_id"),
    ("route_to_executor", {"executor_id": "c-exec1", "comment": ["a"]}, "comment"),
    ("route_to_executor", {"executor_id": "c-exec1", "comment": "к" * 4001}, "comment"),
    ("route_to_executor", {"executor_id": "c-exec1", "unknown": 1}, "unknown"),
    ("route_to_executor", {"executor_id": "nobody"}, None),
    ("redirect", {"org_id": None}, "org_id"),
    ("redirect", {"org_id": "nowhere"}, None),
    ("reject", {"ground_code": "1"}, "comment"),
    ("reject", {"ground_code": {"a": 1}, "comment": "x"}, "ground_code"),
    ("reject", {"ground_code": "нет-такого", "comment": "x"}, None),
    ("take_into_work", {"comment": 10**30}, "comment"),
    ("save_draft", {"text": 1}, None),
    ("interim_answer", {"text": "ответ", "planned_date": "не дата"}, "planned_date"),
    ("interim_answer", {"text": "ответ", "planned_date": 20260101}, None),
    ("interim_answer", {"text": "ответ"}, "planned_date"),
    ("submit_for_approval", {"attachment_ids": "x"}, "attachment_ids"),
    ("submit_for_approval", {"attachment_ids": [1, 2]}, None),
    ("submit_for_approval", {"attachment_ids": ["att-none"]}, None),
    ("submit_for_approval", {"text": "т" * 20001}, "text"),
])
def test_wrong_payload_never_500(world: World, http: httpx.Client, action: str, payload: dict[str, Any],
                                 field: str | None) -> None:
    item = world.inject()
    headers = auth(http)
    url = f"/api/v1/messages/{item.id}/actions"
    # Put the item in work for the answer actions, so their payload is what is being checked.
    if action in ("save_draft", "interim_answer", "submit_for_approval"):
        taken = http.post(url, json={"action": "take_into_work", "base_version": 1}, headers=headers)
        assert taken.status_code == 200
        base = 2
    else:
        base = 1
    response = http.post(url, json={"action": action, "base_version": base, "payload": payload},
                         headers=fresh_key(headers))
    error = assert_error(response, (403, 409, 422))
    if field is not None:
        assert response.status_code == 422 and error["field"] is not None and error["field"].startswith(field)


def test_action_stale_and_future_versions(world: World, http: httpx.Client) -> None:
    item = world.inject()
    headers = auth(http)
    url = f"/api/v1/messages/{item.id}/actions"
    future = http.post(url, json={"action": "take_into_work", "base_version": 7}, headers=headers)
    assert assert_error(future, 422)["field"] == "base_version"
    assert http.post(url, json={"action": "take_into_work", "base_version": 1},
                     headers=fresh_key(headers)).status_code == 200
    stale = http.post(url, json={"action": "take_into_work", "base_version": 1}, headers=fresh_key(headers))
    assert assert_error(stale, 409)["code"] == "conflict"
    assert stale.json()["error"]["current"]["version"] == 2


@pytest.mark.parametrize("key", [None, "", "short", "k" * 129])
def test_bad_idempotency_key(world: World, http: httpx.Client, key: str | None) -> None:
    item = world.inject()
    headers = auth(http, key=False)
    if key is not None:
        headers["Idempotency-Key"] = key
    response = http.post(f"/api/v1/messages/{item.id}/actions", json={"action": "take_into_work", "base_version": 1},
                         headers=headers)
    assert assert_error(response, 422)["field"] == "Idempotency-Key"


def test_non_json_content_types(world: World, http: httpx.Client) -> None:
    item = world.inject()
    headers = auth(http)
    body = json.dumps({"action": "take_into_work", "base_version": 1}).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                         "application/xml"):
        response = http.post(f"/api/v1/messages/{item.id}/actions", content=body,
                             headers={**fresh_key(headers), "Content-Type": content_type})
        assert_error(response, (415, 422))
    assert world.platform.store.get_item(item.id).version == 1  # type: ignore[union-attr]


def test_empty_post_bodies(http: httpx.Client) -> None:
    for path in ("/api/v1/auth/login", "/api/v1/auth/refresh", "/training/messages", "/training/clock"):
        assert_error(http.post(path), 422)
        assert_error(http.post(path, content=b"", headers=JSON_CT), 422)


# --- other endpoints -------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    {"login": "c-coord"}, {"password": "pw"}, {"login": 1, "password": "pw"}, {"login": "", "password": "pw"},
    {"login": "c-coord", "password": "pw", "remember": True}, [], {"login": "л" * 201, "password": "pw"},
    {"login": None, "password": None},
])
def test_bad_login_bodies(http: httpx.Client, body: Any) -> None:
    assert_error(http.post("/api/v1/auth/login", json=body), 422)


@pytest.mark.parametrize("body", [
    {"login": "c-coord\u0000", "password": "pw"}, {"login": "c-coord", "password": "неверный"},
    {"login": "'; DROP TABLE staff; --", "password": "pw"},
])
def test_wrong_credentials(http: httpx.Client, body: Any) -> None:
    assert assert_error(http.post("/api/v1/auth/login", json=body), 401)["code"] == "unauthorized"


@pytest.mark.parametrize("body", [{}, {"refresh_token": 5}, {"refresh_token": ""}, {"refresh_token": "x" * 201},
                                  {"refresh_token": "nonsense"}, {"refresh_token": "a\u0000b"}])
def test_bad_refresh_bodies(http: httpx.Client, body: Any) -> None:
    assert_error(http.post("/api/v1/auth/refresh", json=body), (401, 422))


@pytest.mark.parametrize("value", [
    None, "", "Bearer", "bearer x", "Basic YWxhZGRpbjpvcGVu", "Token abc", "Bearer a b c",
    "Bearer " + "x" * 5000, b"Bearer \xe9\xff",
])
def test_garbled_authorization(http: httpx.Client, value: str | bytes | None) -> None:
    headers: dict[str, Any] = {} if value is None else {"Authorization": value}
    for path in ("/api/v1/me", "/api/v1/feed", "/api/v1/directory/staff", "/api/v1/messages/m-1"):
        assert assert_error(http.get(path, headers=headers), 401)["code"] == "unauthorized"


@pytest.mark.parametrize("params", [
    {"cursor": -1}, {"limit": 0}, {"limit": -5}, {"limit": 100000}, {"cursor": "abc"}, {"limit": "много"},
    {"cursor": "1.5"}, {"cursor": ""}, {"limit": 10**30},
])
def test_bad_feed_query(http: httpx.Client, params: dict[str, Any]) -> None:
    response = http.get("/api/v1/feed", params=params, headers=auth(http, key=False))
    assert assert_error(response, 422)["field"] in params


@pytest.mark.parametrize("cursor", [2**63, 10**30])
def test_huge_feed_cursor(http: httpx.Client, cursor: int) -> None:
    SERVER_ERROR_LOGGED.done.clear()
    response = settle(http.get("/api/v1/feed", params={"cursor": cursor}, headers=auth(http, key=False)))
    assert response.status_code < 500


def test_cursor_beyond_end_is_an_empty_page(http: httpx.Client) -> None:
    response = http.get("/api/v1/feed", params={"cursor": 2**62}, headers=auth(http, key=False))
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": 2**62, "has_more": False, "remaining": 0}


@pytest.mark.parametrize("item_id", [
    "сообщение-1", "%2F..%2Fetc%2Fpasswd", "%00", "x" * 5000, "m-1%20OR%201=1", "%F0%9F%92%A9", "%ff%fe", "..",
    "'", "m-1;", "%E2%80%AE",
])
def test_odd_path_ids(world: World, http: httpx.Client, item_id: str) -> None:
    headers = auth(http)
    for method, path, kwargs in [
        ("GET", f"/api/v1/messages/{item_id}", {}),
        ("POST", f"/api/v1/messages/{item_id}/actions", {"json": {"action": "take_into_work", "base_version": 1}}),
        ("POST", f"/api/v1/messages/{item_id}/attachments", {"content": b"abc", "headers": {"X-File-Name": "a.txt"}}),
        ("GET", f"/api/v1/attachments/{item_id}", {}),
        ("PUT", f"/api/v1/directory/staff/{item_id}/deputy", {"json": {"deputy_id": None}}),
        ("POST", f"/training/messages/{item_id}/rating", {"json": {"score": 5}}),
    ]:
        extra = kwargs.pop("headers", {})
        response = http.request(method, path, headers={**fresh_key(headers), **extra}, **kwargs)
        assert assert_error(response, (404, 405, 422))["code"] in ("not_found", "invalid"), (method, path)


def test_wrong_methods_and_unknown_routes(http: httpx.Client) -> None:
    headers = auth(http, key=False)
    for method, path in [("DELETE", "/api/v1/me"), ("POST", "/api/v1/feed"), ("GET", "/api/v1/auth/login"),
                         ("PATCH", "/api/v1/messages/m-1"), ("GET", "/api/v1/messages/m-1/actions"),
                         ("PUT", "/training/users"), ("DELETE", "/training/faults")]:
        assert_error(http.request(method, path, headers=headers), 405)
    for path in ("/api/v1/nope", "/api/v2/me", "/api/v1/messages", "/api/v1/messages/m-1/actions/x", "/ничего"):
        assert_error(http.get(path, headers=headers), 404)


def test_bad_uploads(world: World, http: httpx.Client) -> None:
    item = world.inject()
    headers = auth(http, "c-exec1", key=False)
    url = f"/api/v1/messages/{item.id}/attachments"
    assert_error(http.post(url, content=b"abc", headers=headers), 422)  # no X-File-Name
    assert_error(http.post(url, content=b"abc", headers={**headers, "X-File-Name": ""}), 422)
    assert_error(http.post(url, content=b"abc", headers={**headers, "X-File-Name": "..%2Fpasswd"}), (403, 422))
    assert_error(http.post(url, content=b"", headers={**headers, "X-File-Name": "a.txt"}), (403, 404, 422))


def test_upload_file_name_with_nul_refused(world: World, http: httpx.Client) -> None:
    item = world.inject()
    headers = auth(http)
    assert http.post(f"/api/v1/messages/{item.id}/actions", json={"action": "take_into_work", "base_version": 1},
                     headers=headers).status_code == 200
    response = http.post(f"/api/v1/messages/{item.id}/attachments", content=b"abc",
                         headers={"Authorization": headers["Authorization"], "X-File-Name": "a%00b.txt"})
    assert_error(response, 422)


def test_bad_deputy_requests(http: httpx.Client) -> None:
    headers = auth(http, "c-admin", key=False)
    url = "/api/v1/directory/staff/c-exec1/deputy"
    for body in ({}, {"deputy_id": 5}, {"deputy_id": "x" * 65}, {"deputy_id": "c-exec2", "absence": "завтра"},
                 {"deputy_id": "c-exec2", "absence": {"starts_at": "2026-01-01T00:00:00",
                                                      "ends_at": "2026-02-01T00:00:00"}},
                 {"deputy_id": "c-exec2", "absence": {"starts_at": "2026-02-01T00:00:00Z",
                                                      "ends_at": "2026-01-01T00:00:00Z"}},
                 {"deputy_id": "c-exec1"}, {"deputy_id": "r-exec"}, {"deputy_id": "nobody"},
                 {"deputy_id": None, "extra": 1}):
        assert_error(http.put(url, json=body, headers=headers), 422)


@pytest.mark.parametrize(("path", "body", "status"), [
    ("/training/messages", {"category_code": "roads"}, 422),
    ("/training/messages", {"category_code": "нет", "text": "x", "address": "a", "applicant_name": "b"}, 422),
    ("/training/messages", {"org_id": "zzz", "category_code": "roads", "text": "x", "address": "a",
                            "applicant_name": "b"}, 422),
    ("/training/messages", {"category_code": "roads", "kind": "zzz", "text": "x", "address": "a",
                            "applicant_name": "b"}, 422),
    ("/training/messages", {"category_code": "roads", "text": "x" * 20001, "address": "a", "applicant_name": "b"},
     422),
    ("/training/messages/nope/rating", {"score": 3}, 404),
    ("/training/messages/nope/rating", {"score": 0}, 422),
    ("/training/messages/nope/rating", {"score": "пять"}, 422),
    ("/training/clock", {"advance_seconds": -1}, 422),
    ("/training/clock", {"advance_seconds": "час"}, 422),
    ("/training/clock", {"advance_seconds": 10**20}, 422),
])
def test_training_endpoints_bad_input(http: httpx.Client, path: str, body: Any, status: int) -> None:
    assert_error(http.post(path, json=body), status)


def test_training_rating_not_applicable(world: World, http: httpx.Client) -> None:
    item = world.inject()
    error = assert_error(http.post(f"/training/messages/{item.id}/rating", json={"score": 3}), 409)
    assert error["current"]["id"] == item.id


def test_training_faults_bad_input_leaves_faults_off(world: World, http: httpx.Client) -> None:
    for body in ({"error_rate": 2}, {"drop_rate": -0.1}, {"error_statuses": [404]}, {"latency_ms": 10**6},
                 {"nonsense": True}, {"seed": "x"}):
        assert_error(http.put("/training/faults", json=body), 422)
    assert http.get("/training/faults").json()["error_rate"] == 0.0
    assert world.server.faults.config.error_rate == 0.0


def test_oversized_json_body(world: World, http: httpx.Client) -> None:
    item = world.inject()
    body = json.dumps({"action": "save_draft", "base_version": 1, "payload": {"text": "я" * 200_000}}).encode()
    response = http.post(f"/api/v1/messages/{item.id}/actions", content=body, headers={**auth(http), **JSON_CT})
    assert assert_error(response, 413)["code"] == "payload_too_large"


# --- property-based: arbitrary JSON to the action endpoint ------------------------------------

JSON_LEAVES = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
               | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(st.text(max_size=12), children, max_size=4), max_leaves=12)
PAYLOAD_KEYS = st.sampled_from(["executor_id", "org_id", "ground_code", "comment", "text", "planned_date",
                                "attachment_ids"]) | st.text(max_size=10)
PAYLOAD_VALUES = JSON_VALUES | st.sampled_from(["c-exec1", "c-exec2", "r", "v", "2026-04-01", "1", ["att-1"]])
ACTION_BODIES = st.fixed_dictionaries(
    {"action": st.sampled_from([a.value for a in Action]) | st.text(max_size=20),
     "base_version": st.integers(min_value=-3, max_value=6) | JSON_LEAVES},
    optional={"payload": st.dictionaries(PAYLOAD_KEYS, PAYLOAD_VALUES, max_size=4) | JSON_VALUES,
              "extra": JSON_VALUES})


def test_arbitrary_action_bodies_never_500(world: World) -> None:
    items = [world.inject(text=f"Обращение {n}").id for n in range(4)]
    with httpx.Client(base_url=world.url, timeout=10) as http:
        tokens = {login: token(http, login) for login in ("c-coord", "c-exec1", "c-head")}

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(body=ACTION_BODIES | JSON_VALUES, item=st.sampled_from(items), login=st.sampled_from(list(tokens)))
        def check(body: Any, item: str, login: str) -> None:
            SERVER_ERROR_LOGGED.done.clear()
            response = settle(http.post(f"/api/v1/messages/{item}/actions", json=body,
                                 headers={"Authorization": f"Bearer {tokens[login]}",
                                          "Idempotency-Key": str(uuid.uuid4())}))
            if response.status_code != 200:
                assert_error(response)

        check()
