"""Hostile input over HTTP (issue 10): never a 5xx, strict types, stored first results, safe files, Russian errors."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from offline_cache.domain.model import Status
from tests.training_platform.http_helpers import JSON_CT, assert_russian_error, auth, fresh_key
from tests.world import World


@pytest.fixture
def http(shared_world: World) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shared_world.url, timeout=10) as client:
        yield client


def nested(depth: int) -> str:
    """JSON text of ``depth`` objects one inside another (built as text: json.dumps would recurse)."""
    return '{"a": ' * depth + '"дно"' + "}" * depth


def post_action(http: httpx.Client, item_id: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return http.post(f"/api/v1/messages/{item_id}/actions", content=body, headers={**headers, **JSON_CT})


# --- lone surrogates and deep nesting (point 2) -----------------------------------------------

LONE = '"\\ud800"'  # a lone surrogate, escaped as JSON allows


def lone(body: str) -> bytes:
    return body.replace("LONE", LONE).encode()


@pytest.mark.parametrize("body", [
    '{"action": "save_draft", "base_version": 2, "payload": {"text": LONE}}',
    '{"action": "return_to_routing", "base_version": 2, "payload": {"comment": LONE}}',
    '{"action": "save_draft", "base_version": 2, "payload": {"attachment_ids": [LONE]}}',
    '{"action": "save_draft", "base_version": 2, "payload": {"text": "ok", LONE: 1}}',
    '{"action": "save_draft", "base_version": 2, "payload": {"unknown": LONE}}',
    '{"action": LONE, "base_version": 2}',
    '{"action": "save_draft", "base_version": 2, "payload": {"text": "\\udfff\\ud800"}}',
])
def test_lone_surrogate_anywhere_in_an_action_is_422(shared_world: World, http: httpx.Client, body: str) -> None:
    item = shared_world.inject()
    headers = auth(http, "c-coord")
    assert http.post(f"/api/v1/messages/{item.id}/actions", json={"action": "take_into_work", "base_version": 1},
                     headers=headers).status_code == 200
    response = post_action(http, item.id, lone(body), fresh_key(headers))
    assert_russian_error(response, 422)
    assert shared_world.platform.store.get_item(item.id).version == 2  # type: ignore[union-attr]


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/auth/login", '{"login": LONE, "password": "pw"}'),
    ("/api/v1/auth/login", '{"login": "c-coord", "password": LONE}'),
    ("/api/v1/auth/refresh", '{"refresh_token": LONE}'),
    ("/training/messages", '{"category_code": "roads", "text": LONE, "address": "a", "applicant_name": "b"}'),
])
def test_lone_surrogate_in_other_bodies_is_422(http: httpx.Client, path: str, body: str) -> None:
    assert_russian_error(http.post(path, content=lone(body), headers=JSON_CT), 422)


@pytest.mark.parametrize("depth", [40, 250, 300, 1_000, 5_000])
def test_deep_nesting_is_refused_in_the_error_shape(shared_world: World, http: httpx.Client, depth: int) -> None:
    item = shared_world.inject()
    body = '{"action": "take_into_work", "base_version": 1, "payload": {"comment": ' + nested(depth) + "}}"
    response = post_action(http, item.id, body.encode(), auth(http))
    assert_russian_error(response, (400, 422))
    assert shared_world.platform.store.get_item(item.id).version == 1  # type: ignore[union-attr]


# --- idempotency stores every first result (point 3) ------------------------------------------


def test_a_replayed_404_stays_a_404(shared_world: World, http: httpx.Client) -> None:
    item = shared_world.inject()
    executor = auth(http, "c-exec1")
    url = f"/api/v1/messages/{item.id}/actions"
    body = {"action": "save_draft", "base_version": 2, "payload": {"text": "Черновик до назначения"}}
    first = http.post(url, json=body, headers=executor)
    assert_russian_error(first, 404)
    routed = http.post(url, json={"action": "route_to_executor", "base_version": 1,
                                  "payload": {"executor_id": "c-exec1"}}, headers=auth(http, "c-coord"))
    assert routed.status_code == 200
    replay = http.post(url, json=body, headers=executor)
    assert (replay.status_code, replay.json()) == (404, first.json()), "the first result is replayed as it was"
    stored = shared_world.platform.store.get_item(item.id)
    assert stored is not None and stored.draft is None and stored.version == 2
    again = http.post(url, json=body, headers=fresh_key(executor))
    assert again.status_code == 200, "a new key is a new request"


# --- strict integers (point 7) ----------------------------------------------------------------


@pytest.mark.parametrize("base_version", [True, False, "1", "3", 1.5, "1e0", None])
def test_base_version_is_a_strict_integer(shared_world: World, http: httpx.Client, base_version: Any) -> None:
    item = shared_world.inject()
    response = http.post(f"/api/v1/messages/{item.id}/actions",
                         json={"action": "take_into_work", "base_version": base_version}, headers=auth(http))
    assert assert_russian_error(response, 422)["field"] == "base_version"
    assert shared_world.platform.store.get_item(item.id).status is Status.AWAITING_ROUTING  # type: ignore[union-attr]


@pytest.mark.parametrize(("path", "body"), [
    ("/training/messages/nope/rating", {"score": True}),
    ("/training/messages/nope/rating", {"score": "5"}),
    ("/training/messages/nope/rating", {"score": 4.5}),
    ("/training/clock", {"advance_seconds": True}),
    ("/training/clock", {"advance_seconds": "60"}),
])
def test_other_integers_are_strict(http: httpx.Client, path: str, body: dict[str, Any]) -> None:
    assert_russian_error(http.post(path, json=body), 422)


# --- attachment names and types (point 6) -----------------------------------------------------


@pytest.fixture
def working(shared_world: World, http: httpx.Client) -> tuple[str, dict[str, str]]:
    """An item in c-exec1's work and c-exec1's headers (no idempotency key: uploads take none)."""
    item = shared_world.inject()
    routed = http.post(f"/api/v1/messages/{item.id}/actions", json={
        "action": "route_to_executor", "base_version": 1, "payload": {"executor_id": "c-exec1"}},
        headers=auth(http, "c-coord"))
    assert routed.status_code == 200
    return item.id, auth(http, "c-exec1", key=False)


@pytest.mark.parametrize("name", [
    ".", "..", "%2e%2e", "%2E", "%20..", ".%20.", "%E2%80%AEtxt.exe", "a%E2%80%8Fb.pdf", "%E2%81%A6x.txt",
    "a%C2%85b.txt", "a%1Bb.txt", "%EF%BB%BFa.txt", "%FF%FE.txt", "a" * 256 + ".txt",
])
def test_unsafe_file_names_are_refused(shared_world: World, http: httpx.Client,
                                       working: tuple[str, dict[str, str]], name: str) -> None:
    item_id, headers = working
    response = http.post(f"/api/v1/messages/{item_id}/attachments", content=b"%PDF-1.4",
                         headers={**headers, "X-File-Name": name, "Content-Type": "application/pdf"})
    assert assert_russian_error(response, 422)["field"] == "X-File-Name"
    assert not [a for a in shared_world.platform.store.get_item(item_id).attachments  # type: ignore[union-attr]
                if a.origin == "answer"]


@pytest.mark.parametrize("content_type", [
    "", "a" * 300, "not a mime", "text", "text/", "/plain", "text/pl ain", "text/plain/x", "te(xt)/plain",
    "a" * 128 + "/b", "текст/plain".encode(),
])
def test_invalid_content_types_are_refused(shared_world: World, http: httpx.Client,
                                           working: tuple[str, dict[str, str]], content_type: str | bytes) -> None:
    item_id, headers = working
    response = http.post(f"/api/v1/messages/{item_id}/attachments", content=b"abc",
                         headers={**headers, "X-File-Name": "a.txt", "Content-Type": content_type})
    assert assert_russian_error(response, 422)["field"] == "Content-Type"


@pytest.mark.parametrize(("name", "content_type", "ascii_name"), [
    ("Акт осмотра.pdf", "application/pdf", "___ _______.pdf"),
    ('plan"; x=y.txt', "text/plain; charset=utf-8", "plan__ x_y.txt"),
    ("page.html", "text/html", "page.html"),
])
def test_files_are_served_with_a_safe_disposition(http: httpx.Client, working: tuple[str, dict[str, str]],
                                                  name: str, content_type: str, ascii_name: str) -> None:
    item_id, headers = working
    uploaded = http.post(f"/api/v1/messages/{item_id}/attachments", content=b"<script>alert(1)</script>",
                         headers={**headers, "X-File-Name": urllib.parse.quote(name), "Content-Type": content_type})
    assert uploaded.status_code == 200, uploaded.text
    meta = uploaded.json()
    served = http.get(f"/api/v1/attachments/{meta['id']}", headers=headers)
    assert served.status_code == 200
    assert served.headers["x-content-type-options"] == "nosniff"
    quoted = urllib.parse.quote(name, safe="")
    assert served.headers["content-disposition"] == f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"
    assert served.headers["content-type"].split(";")[0] == content_type.split(";")[0]


# --- every error in the contract's shape, in Russian (point 8) --------------------------------


@pytest.mark.parametrize("raw", [b"{", b"not json", b'{"action": "\xff\xfe", "base_version": 1}',
                                 b"\xff", b'{"a": 1,}', b"\xef\xbb\xbf{}"])
def test_malformed_json_and_invalid_utf8_in_russian(shared_world: World, http: httpx.Client, raw: bytes) -> None:
    item = shared_world.inject()
    assert_russian_error(post_action(http, item.id, raw, auth(http)), (400, 422))


def test_wrong_method_is_405_with_allow(http: httpx.Client) -> None:
    headers = auth(http, key=False)
    for method, path, allowed in [("DELETE", "/api/v1/me", {"GET"}), ("POST", "/api/v1/feed", {"GET"}),
                                  ("GET", "/api/v1/auth/login", {"POST"}),
                                  ("PATCH", "/api/v1/directory/staff/c-exec1/deputy", {"PUT"}),
                                  ("DELETE", "/training/faults", {"GET", "PUT"})]:
        response = http.request(method, path, headers=headers)
        assert_russian_error(response, 405)
        assert set(response.headers["allow"].replace(" ", "").split(",")) >= allowed, (method, path)


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v2/me", "/ничего", "/api/v1/messages/m-1/actions/x"])
def test_unknown_route_is_a_russian_404(http: httpx.Client, path: str) -> None:
    assert assert_russian_error(http.get(path), 404)["code"] == "not_found"


def test_validation_errors_are_russian(shared_world: World, http: httpx.Client) -> None:
    item = shared_world.inject()
    for body in ({"action": "fly", "base_version": 1}, {"action": "take_into_work"}, {"base_version": 1}):
        response = http.post(f"/api/v1/messages/{item.id}/actions", json=body, headers=auth(http))
        assert_russian_error(response, 422)
    assert_russian_error(http.get("/api/v1/feed", params={"limit": 0}, headers=auth(http, key=False)), 422)
    assert_russian_error(http.get("/api/v1/me"), 401)
    assert_russian_error(http.post("/api/v1/messages/x/actions", json={"action": "take_into_work",
                                                                       "base_version": 1},
                                   headers=auth(http, key=False)), 422)


def test_every_returned_status_is_declared(shared_world: World, http: httpx.Client) -> None:
    doc = http.get("/openapi.json").json()
    item = shared_world.inject()
    probes = [
        ("post", "/api/v1/messages/{item_id}/actions", http.post(f"/api/v1/messages/{item.id}/actions",
                                                                 content=b"{", headers={**auth(http), **JSON_CT})),
        ("post", "/api/v1/auth/login", http.post("/api/v1/auth/login", content=b"\xff", headers=JSON_CT)),
        ("get", "/api/v1/feed", http.get("/api/v1/feed")),
        ("put", "/api/v1/directory/staff/{staff_id}/deputy", http.put(
            "/api/v1/directory/staff/c-exec1/deputy", json={"deputy_id": "c-exec2"},
            headers=auth(http, "c-exec2", key=False))),
        ("post", "/training/messages", http.post("/training/messages", content=b"[", headers=JSON_CT)),
    ]
    for method, path, response in probes:
        assert response.status_code >= 400
        assert str(response.status_code) in doc["paths"][path][method]["responses"], (path, response.status_code)
