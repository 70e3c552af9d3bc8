"""``posdesk-platform --port N --seed demo`` serves the documented contract on demo data."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.platform_process import platform_process


@pytest.fixture(scope="module")
def platform_url() -> Iterator[str]:
    with platform_process() as url:
        yield url


def test_serves_openapi_with_the_v1_paths(platform_url: str) -> None:
    doc = httpx.get(f"{platform_url}/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/auth/login", "/api/v1/feed", "/api/v1/messages/{item_id}/actions"} <= set(doc["paths"])


def test_demo_users_log_in_and_see_their_queue(platform_url: str) -> None:
    users = httpx.get(f"{platform_url}/training/users").json()
    roles = {role for u in users for role in u["roles"]}
    assert roles == {"admin", "coordinator", "executor", "head", "curator"}
    coordinator = next(u for u in users if "coordinator" in u["roles"])
    token = httpx.post(f"{platform_url}/api/v1/auth/login",
                       json={"login": coordinator["login"], "password": coordinator["password"]}).json()
    page = httpx.get(f"{platform_url}/api/v1/feed", params={"limit": 500},
                     headers={"Authorization": f"Bearer {token['access_token']}"}).json()
    assert len(page["items"]) > 0
    assert all(item["org_id"] == page["items"][0]["org_id"] for item in page["items"])
