"""``posdesk-platform --port N --seed demo`` serves the documented contract on demo data."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def platform_url() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "training_platform", "--port", str(port), "--seed", "demo"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                _, err = proc.communicate(timeout=5)
                pytest.fail(f"platform did not start: {err.decode(errors='replace')[-2000:]}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


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
