"""GET /openapi.json is a valid OpenAPI 3 document describing every API v1 path and the error format."""

from __future__ import annotations

import typing
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from offline_cache.contract.models import IDEMPOTENCY_HEADER, MAX_FEED_LIMIT, ErrorCode
from offline_cache.domain.model import Action
from tests.world import PASSWORD, WORLD_START, World, populate
from training_platform.server import TrainingServer
from training_platform.service import Clock, Platform, PlatformConfig
from training_platform.store import Store

jsonschema = pytest.importorskip("jsonschema")
validator = pytest.importorskip("openapi_spec_validator")

API_PATHS: dict[str, set[str]] = {
    "/api/v1/auth/login": {"post"},
    "/api/v1/auth/refresh": {"post"},
    "/api/v1/me": {"get"},
    "/api/v1/directory/organisations": {"get"},
    "/api/v1/directory/staff": {"get"},
    "/api/v1/directory/staff/{staff_id}/deputy": {"put"},
    "/api/v1/categories": {"get"},
    "/api/v1/calendar": {"get"},
    "/api/v1/templates": {"get"},
    "/api/v1/rejection-grounds": {"get"},
    "/api/v1/feed": {"get"},
    "/api/v1/messages/{item_id}": {"get"},
    "/api/v1/messages/{item_id}/actions": {"post"},
    "/api/v1/messages/{item_id}/attachments": {"post"},
    "/api/v1/attachments/{att_id}": {"get"},
    "/api/v1/admin/auto-rules": {"get", "post"},
    "/api/v1/admin/auto-rules/{rule_id}": {"put", "delete"},
    "/api/v1/admin/auto-rules-order": {"put"},
    "/api/v1/admin/templates": {"get", "post"},
    "/api/v1/admin/templates/{template_id}": {"put"},
    "/api/v1/admin/templates/{template_id}/retire": {"post"},
    "/api/v1/admin/templates/{template_id}/restore": {"post"},
    "/api/v1/admin/events": {"get"},
    "/api/v1/admin/staff": {"get", "post"},
    "/api/v1/admin/staff/{staff_id}/roles": {"put"},
    "/api/v1/admin/staff/{staff_id}/deactivation": {"get"},
    "/api/v1/admin/staff/{staff_id}/deactivate": {"post"},
    "/api/v1/admin/categories": {"post"},
    "/api/v1/admin/categories/{code}": {"put"},
    "/api/v1/admin/categories/{code}/retire": {"post"},
    "/api/v1/reports/ranking": {"get"},
}
ERROR_REF = "#/components/schemas/ErrorResponse"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One platform for the module (overrides the per-test fixture): these tests only read."""
    clock = Clock(WORLD_START)
    platform = Platform(Store(":memory:"), clock=clock, config=PlatformConfig())
    populate(platform, WORLD_START)
    server = TrainingServer(platform)
    server.start()
    yield World(server, clock)
    server.stop()


@pytest.fixture(scope="module")
def doc(world: World) -> dict[str, Any]:
    response = httpx.get(f"{world.url}/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return dict(response.json())


def operation(doc: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return dict(doc["paths"][path][method])


def error_schema_of(op: dict[str, Any], status: int) -> str | None:
    response = op["responses"].get(str(status))
    if response is None:
        return None
    return response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")


def conforms(doc: dict[str, Any], ref: str, instance: Any) -> None:
    """Validate ``instance`` against the component ``ref`` of ``doc`` (OpenAPI 3.1 uses JSON Schema 2020-12)."""
    schema = {"$ref": ref, "components": doc["components"]}
    jsonschema.Draft202012Validator(schema).validate(instance)


def test_conformance_check_rejects_a_wrong_body(doc: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        conforms(doc, ERROR_REF, {"error": {"code": "oops", "message": "x"}})
    with pytest.raises(jsonschema.ValidationError):
        conforms(doc, "#/components/schemas/FeedPage", {"items": [{"id": 1}], "next_cursor": 0, "has_more": False,
                                                        "remaining": 0})


def test_document_is_valid_openapi_3(doc: dict[str, Any]) -> None:
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] and doc["info"]["version"]
    validator.validate(doc)


def test_every_api_v1_path_is_documented(doc: dict[str, Any]) -> None:
    documented = {p: {m for m in ops if m in METHODS} for p, ops in doc["paths"].items() if p.startswith("/api/v1")}
    assert documented == API_PATHS


@pytest.mark.parametrize(("path", "method"), [(p, m) for p, ms in API_PATHS.items() for m in sorted(ms)])
def test_operations_document_the_error_schema(doc: dict[str, Any], path: str, method: str) -> None:
    op = operation(doc, path, method)
    assert op.get("operationId") and op.get("tags")
    assert "200" in op["responses"]
    for status in (401, 404, 422):
        assert error_schema_of(op, status) == ERROR_REF, (path, status)
    for name in (p["name"] for p in op.get("parameters", []) if p["in"] == "path"):
        assert f"{{{name}}}" in path


def test_action_endpoint_contract(doc: dict[str, Any]) -> None:
    op = operation(doc, "/api/v1/messages/{item_id}/actions", "post")
    headers = {p["name"]: p for p in op["parameters"] if p["in"] == "header"}
    key = headers[IDEMPOTENCY_HEADER]
    assert key["required"] is True
    assert key["schema"]["type"] == "string"
    assert key["schema"]["minLength"] == 8 and key["schema"]["maxLength"] == 128
    for status in (403, 409, 422):
        assert error_schema_of(op, status) == ERROR_REF, status
    body = op["requestBody"]
    assert body["required"] is True
    schema = body["content"]["application/json"]["schema"]
    assert schema["discriminator"]["propertyName"] == "action"
    assert set(schema["discriminator"]["mapping"]) == {a.value for a in Action}
    assert len(schema["oneOf"]) == len(Action)
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/ActionResult")


def test_error_schema_matches_the_contract(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert schemas["ErrorResponse"]["required"] == ["error"]
    body = schemas["ErrorBody"]
    assert set(body["required"]) == {"code", "message"}
    assert set(body["properties"]["code"]["enum"]) == set(typing.get_args(ErrorCode))
    assert {"field", "details", "current"} <= set(body["properties"])


def test_action_request_schema(doc: dict[str, Any]) -> None:
    """One request schema per action: the payload each action takes is the contract (issue 10, point 9)."""
    schemas = doc["components"]["schemas"]
    mapping = operation(doc, "/api/v1/messages/{item_id}/actions", "post")["requestBody"]["content"][
        "application/json"]["schema"]["discriminator"]["mapping"]
    for action, ref in mapping.items():
        request = schemas[ref.rsplit("/", 1)[-1]]
        assert request["properties"]["action"]["const"] == action
        assert {"action", "base_version"} <= set(request["required"])
        assert request["properties"]["base_version"]["minimum"] == 1
        assert request["properties"]["base_version"]["type"] == "integer"
        assert request.get("additionalProperties") is False  # requests forbid unknown fields
    payload_of = {a: schemas[mapping[a].rsplit("/", 1)[-1]]["properties"]["payload"]["$ref"].rsplit("/", 1)[-1]
                  for a in mapping}
    reject = schemas[payload_of["reject"]]
    assert set(reject["required"]) == {"ground_code", "comment"}, "a reject with {} is not schema-valid"
    for action in ("approve", "return_for_revision"):
        payload = schemas[payload_of[action]]
        assert "draft_digest" in payload["required"]
        assert payload["properties"]["draft_digest"]["pattern"] == "^[0-9a-f]{64}$"
    assert "text" in schemas[payload_of["approve"]]["properties"], "the head may reword the draft"
    assert "payload" in schemas[mapping["route_to_executor"].rsplit("/", 1)[-1]]["required"]
    assert "payload" not in schemas[mapping["take_into_work"].rsplit("/", 1)[-1]]["required"]


def test_bearer_security_scheme(doc: dict[str, Any]) -> None:
    scheme = doc["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, methods in API_PATHS.items():
        for method in methods:
            op = operation(doc, path, method)
            anonymous = path.startswith("/api/v1/auth/")
            assert (op.get("security") is None) == anonymous, (path, method)
            if not anonymous:
                assert op["security"] == [{"bearer": []}]
            assert "authorization" not in {p["name"].lower() for p in op.get("parameters", [])}


def test_admin_operations_document_the_403_rule(doc: dict[str, Any]) -> None:
    """Every administrative operation declares its 403 and carries the tag whose description states the rule."""
    admin_paths = [(p, m) for p, ms in API_PATHS.items() if p.startswith("/api/v1/admin/") for m in ms]
    assert admin_paths
    for path, method in admin_paths:
        op = operation(doc, path, method)
        assert op["tags"] == ["admin"], path
        assert error_schema_of(op, 403) == ERROR_REF, path
        assert error_schema_of(op, 409) == ERROR_REF, path
    tag = next(t for t in doc["tags"] if t["name"] == "admin")
    assert "403" in tag["description"] and "администратор" in tag["description"]


def test_feed_parameters_document_bounds(doc: dict[str, Any]) -> None:
    op = operation(doc, "/api/v1/feed", "get")
    params = {p["name"]: p for p in op["parameters"] if p["in"] == "query"}
    assert params["cursor"]["schema"]["minimum"] == 0
    assert params["limit"]["schema"]["minimum"] == 1
    assert params["limit"]["schema"]["maximum"] == MAX_FEED_LIMIT
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/FeedPage"


def test_attachment_upload_documents_binary_body(doc: dict[str, Any]) -> None:
    op = operation(doc, "/api/v1/messages/{item_id}/attachments", "post")
    assert "application/octet-stream" in op["requestBody"]["content"]
    assert op["requestBody"]["required"] is True
    assert "x-file-name" in {p["name"].lower() for p in op["parameters"] if p["in"] == "header"}
    assert error_schema_of(op, 413) == ERROR_REF


def test_real_responses_conform_to_the_document(world: World, doc: dict[str, Any]) -> None:
    item = world.inject()
    with httpx.Client(base_url=world.url, timeout=10) as http:
        login = http.post("/api/v1/auth/login", json={"login": "c-coord", "password": PASSWORD})
        conforms(doc, "#/components/schemas/TokenPair", login.json())
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        conforms(doc, "#/components/schemas/Me", http.get("/api/v1/me", headers=auth).json())
        conforms(doc, "#/components/schemas/FeedPage", http.get("/api/v1/feed", headers=auth).json())
        url = f"/api/v1/messages/{item.id}/actions"
        acted = http.post(url, headers={**auth, IDEMPOTENCY_HEADER: str(uuid.uuid4())},
                          json={"action": "route_to_executor", "base_version": 1,
                                "payload": {"executor_id": "c-exec1"}})
        assert acted.status_code == 200
        conforms(doc, "#/components/schemas/ActionResult", acted.json())
        stale = http.post(url, headers={**auth, IDEMPOTENCY_HEADER: str(uuid.uuid4())},
                          json={"action": "route_to_executor", "base_version": 1,
                                "payload": {"executor_id": "c-exec2"}})
        assert stale.status_code == 409
        conforms(doc, ERROR_REF, stale.json())
        for response in (http.get("/api/v1/me"), http.get("/api/v1/messages/nope", headers=auth),
                         http.get("/api/v1/feed", params={"limit": 0}, headers=auth)):
            assert response.status_code in (401, 404, 422)
            conforms(doc, ERROR_REF, response.json())
