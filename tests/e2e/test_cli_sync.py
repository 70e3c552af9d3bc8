"""``posdesk sync --once`` against the demo platform fills an encrypted cache that status and search read."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from offline_cache.labels import STATUS_NAMES
from tests.platform_process import platform_process

ROOT = Path(__file__).resolve().parents[2]
TEST_KEYRING = "tests.keyrings.FileKeyring"
NO_KEYRING = "keyring.backends.fail.Keyring"  # explicit, so a developer's real keyring is never touched


@pytest.fixture(scope="module")
def platform_url() -> Iterator[str]:
    with platform_process() as url:
        yield url


@pytest.fixture(scope="module")
def coordinator(platform_url: str) -> dict[str, Any]:
    users = httpx.get(f"{platform_url}/training/users").json()
    return dict(next(u for u in users if "coordinator" in u["roles"]))


def env_for(home: Path, backend: str) -> dict[str, str]:
    """The CLI's environment: its own data folder and keyring backend, nothing inherited that could leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSDESK_", "PYTHON_KEYRING", "XDG_"))}
    env.update(POSDESK_HOME=str(home / "data"), PYTHONPATH=str(ROOT), PYTHON_KEYRING_BACKEND=backend,
               POSDESK_TEST_KEYRING_FILE=str(home / "keyring.json"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "share"), PYTHONIOENCODING="utf-8")
    return env


def posdesk(env: dict[str, str], *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    # A new session has no controlling terminal, so a password prompt could never hang the test.
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, env=env, text=True,
                          capture_output=True, input=None if password is None else password + "\n",
                          timeout=120, start_new_session=True)


def demo_word(url: str, login: str, password: str) -> tuple[str, str]:
    """A word from the subject of an item the coordinator sees, and that item's number."""
    token = httpx.post(f"{url}/api/v1/auth/login", json={"login": login, "password": password}).json()
    page = httpx.get(f"{url}/api/v1/feed", params={"limit": 50},
                     headers={"Authorization": f"Bearer {token['access_token']}"}).json()
    for item in page["items"]:
        words = [w for w in re.findall(r"\w+", item["subject"]) if len(w) >= 5 and w.isalpha()]
        if words:
            return words[0], item["number"]
    pytest.fail("no demo item with a searchable subject")


@pytest.fixture
def keyring_ready() -> None:
    if not (ROOT / "tests" / "keyrings.py").exists():
        pytest.fail("tests/keyrings.py (FileKeyring test backend) is missing")


@pytest.mark.usefixtures("keyring_ready")
def test_sync_once_fills_an_encrypted_cache_for_status_and_search(platform_url: str, coordinator: dict[str, Any],
                                                                   tmp_path: Path) -> None:
    env = env_for(tmp_path, TEST_KEYRING)
    login, password = coordinator["login"], coordinator["password"]
    # As the README writes it: the profile options after the command.
    done = posdesk(env, "sync", "--once", "--url", platform_url, "--login", login, "--password-stdin",
                   password=password)
    assert done.returncode == 0, done.stderr
    pulled = int(re.search(r"Получено записей: (\d+)", done.stdout).group(1))  # type: ignore[union-attr]
    assert pulled > 0

    [cache_file] = (tmp_path / "data" / "caches").glob("*.posdesk")
    word, number = demo_word(platform_url, login, password)
    raw = cache_file.read_bytes() + b"".join(p.read_bytes() for p in cache_file.parent.glob("*-wal"))
    assert not raw.startswith(b"SQLite format 3") and word.encode() not in raw and number.encode() not in raw
    assert json.loads((tmp_path / "keyring.json").read_text(encoding="utf-8"))  # key and tokens went there
    assert password not in (tmp_path / "data" / "profile.json").read_text(encoding="utf-8")

    status = posdesk(env, "status")  # the profile is remembered: no --url/--login needed
    assert status.returncode == 0, status.stderr
    assert f"Записей: {pulled}" in status.stdout and login in status.stdout
    assert "Очередь отправки: пуста" in status.stdout
    counts = dict(re.findall(r"^  (.+): (\d+)$", status.stdout, re.MULTILINE))
    assert counts and set(counts) <= set(STATUS_NAMES.values()), status.stdout  # Russian names, not codes
    assert sum(int(n) for n in counts.values()) == pulled
    assert not set(STATUS_NAMES) & set(re.findall(r"[a-z_]+", status.stdout))

    found = posdesk(env, "search", word)
    assert found.returncode == 0, found.stderr
    assert number in found.stdout and "Найдено:" in found.stderr
    [line] = [ln for ln in found.stdout.splitlines() if ln.startswith(number)]
    assert line.split("\t")[1] in STATUS_NAMES.values()
    missing = posdesk(env, "search", "щщщъъъ")
    assert missing.returncode == 1 and missing.stdout == ""

    again = posdesk(env, "sync", "--once")  # tokens come from the keyring: no password this time
    assert again.returncode == 0, again.stderr
    assert "Получено записей: 0" in again.stdout

    # The key is gone from the keyring (a reinstalled system, another user): an error, not «nothing found»,
    # and the encrypted file stays exactly as it was.
    stored = json.loads((tmp_path / "keyring.json").read_text(encoding="utf-8"))
    del stored["POS Desk cache key"]
    (tmp_path / "keyring.json").write_text(json.dumps(stored), encoding="utf-8")
    before = hashlib.sha256(cache_file.read_bytes()).hexdigest()
    for command in (["status"], ["search", word], ["sync", "--once"]):
        lost = posdesk(env, *command)
        assert lost.returncode == 2 and "не найден в хранилище ключей" in lost.stderr, (command, lost.stderr)
        assert "Traceback" not in lost.stderr
    assert hashlib.sha256(cache_file.read_bytes()).hexdigest() == before


def test_sync_without_a_keyring_refuses_and_creates_no_cache(platform_url: str, coordinator: dict[str, Any],
                                                             tmp_path: Path) -> None:
    env = env_for(tmp_path, NO_KEYRING)
    done = posdesk(env, "--url", platform_url, "--login", coordinator["login"], "sync", "--once",
                   "--password-stdin", password=coordinator["password"])
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "хранилища ключей" in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.rglob("*.posdesk*"))
    assert not (tmp_path / "data" / "profile.json").exists()


def test_help_lists_the_headless_commands(tmp_path: Path) -> None:
    env = env_for(tmp_path, NO_KEYRING)
    shown = posdesk(env, "--help")
    assert shown.returncode == 0, shown.stderr
    for command in ("sync", "status", "search"):
        assert re.search(rf"^  {command}\s+\S", shown.stdout, re.MULTILINE), shown.stdout
    assert "posdesk sync --once --url" in shown.stdout
    sync_help = posdesk(env, "sync", "--help")
    assert sync_help.returncode == 0 and "--login" in sync_help.stdout and "--once" in sync_help.stdout


def test_the_command_is_found_among_options() -> None:
    from desktop.__main__ import command_of

    assert command_of(["sync", "--once", "--url", "http://x", "--login", "ivanov"]) == "sync"
    assert command_of(["--url", "http://x", "--login", "status", "status"]) == "status"  # a login named «status»
    assert command_of(["--login", "sync"]) is None
    assert command_of(["--training", "--port", "8765"]) is None
