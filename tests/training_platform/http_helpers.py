"""Raw-HTTP helpers for the API tests: logging in, idempotency keys and checking the error shape."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx

from tests.world import PASSWORD

ERROR_CODES = {"unauthorized", "token_expired", "forbidden", "not_found", "conflict", "invalid",
               "payload_too_large", "idempotency_mismatch"}
JSON_CT = {"Content-Type": "application/json"}
CYRILLIC = re.compile("[А-Яа-яЁё]")


def assert_error(response: httpx.Response, status: int | tuple[int, ...] | None = None) -> dict[str, Any]:
    """A 4xx (``status`` when given) whose body is ``{"error": {"code", "message"}}``; return the error."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    if status is not None:
        expected = status if isinstance(status, tuple) else (status,)
        assert response.status_code in expected, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] in ERROR_CODES
    assert isinstance(error["message"], str) and error["message"].strip()
    return dict(error)


def assert_russian_error(response: httpx.Response, status: int | tuple[int, ...] | None = None) -> dict[str, Any]:
    """``assert_error`` whose message an official can read: Russian, no English framework text."""
    error = assert_error(response, status)
    assert CYRILLIC.search(error["message"]), error["message"]
    return error


def token(http: httpx.Client, login: str = "c-coord") -> str:
    response = http.post("/api/v1/auth/login", json={"login": login, "password": PASSWORD})
    assert response.status_code == 200
    return str(response.json()["access_token"])


def auth(http: httpx.Client, login: str = "c-coord", key: bool = True) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token(http, login)}"}
    if key:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return headers


def fresh_key(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}
