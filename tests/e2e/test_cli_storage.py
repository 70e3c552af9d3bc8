"""The CLI on a broken cache or a full disk: exit 2 with the message that says what it is, never a traceback.

Each case starts from a profile synced once by ``posdesk sync --once`` (copied per test) and checks
that the cache file's sha256 is the same afterwards.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_cli_sync import ROOT, TEST_KEYRING, env_for, posdesk
from tests.platform_process import platform_process
from tests.sandbox import run_on_full_disk, run_read_only


@pytest.fixture(scope="module")
def synced_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A home with one profile synced from a platform process (the platform is gone afterwards)."""
    home = tmp_path_factory.mktemp("synced")
    with platform_process() as url:
        users = httpx.get(f"{url}/training/users").json()
        user: dict[str, Any] = next(u for u in users if "coordinator" in u["roles"])
        done = posdesk(env_for(home, TEST_KEYRING), "--url", url, "--login", user["login"], "sync", "--once",
                       "--password-stdin", password=user["password"])
        assert done.returncode == 0, done.stderr
    yield home


@pytest.fixture
def home(synced_home: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(synced_home, copy, symlinks=True)
    return copy


def cache_of(home: Path) -> Path:
    [path] = (home / "data" / "caches").glob("*.posdesk")
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def told(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    for needle in needles:
        assert needle in done.stderr, (needle, done.stderr)


def test_full_disk_for_the_profile_file_exits_2_with_a_message(home: Path) -> None:
    """The cache lives elsewhere and opens; the profile's atomic write meets ENOSPC (a full tmpfs)."""
    data = home / "data"
    outside = home / "caches-elsewhere"
    (data / "caches").rename(outside)
    (data / "caches").symlink_to(outside)
    cache = cache_of(home)
    before = sha(cache)
    env = env_for(home, TEST_KEYRING)
    done = run_on_full_disk(data, [sys.executable, "-m", "desktop", "sync", "--once"], env=env, cwd=ROOT)
    told(done, "Не удалось сохранить настройки профиля", "не осталось места", "Освободите место", "не потеряны")
    assert sha(cache) == before


def test_full_disk_under_the_cache_exits_2_with_a_message(home: Path) -> None:
    before = sha(cache_of(home))
    env = env_for(home, TEST_KEYRING)
    done = run_on_full_disk(home / "data", [sys.executable, "-m", "desktop", "status"], env=env, cwd=ROOT)
    told(done, "не осталось места", "Освободите место", "не потеряны")
    assert sha(cache_of(home)) == before


def test_read_only_data_folder_exits_2_with_a_message(home: Path) -> None:
    before = sha(cache_of(home))
    env = env_for(home, TEST_KEYRING)
    done = run_read_only(home / "data", [sys.executable, "-m", "desktop", "status"], env=env, cwd=ROOT)
    told(done, "только для чтения", "Проверьте права")
    assert sha(cache_of(home)) == before


@pytest.mark.parametrize(("damage", "needle"), [
    ("truncate", "повреждён или обрезан"),
    ("empty", "пуст (0 байт)"),
    ("foreign", "не локальный кэш POS Desk"),
])
def test_damaged_or_foreign_cache_exits_2_and_is_not_overwritten(home: Path, damage: str, needle: str) -> None:
    cache = cache_of(home)
    data = cache.read_bytes()
    cache.write_bytes({"truncate": data[: len(data) // 2 + 100], "empty": b"",
                       "foreign": "Служебная записка\n".encode() * 500}[damage])
    before = sha(cache)
    env = env_for(home, TEST_KEYRING)
    for command in (["status"], ["sync", "--once"]):
        told(posdesk(env, *command), needle, "не изменён")
        assert sha(cache) == before


def test_sync_leaves_only_owner_only_files_and_folders(synced_home: Path) -> None:
    data = synced_home / "data"
    found = {str(p.relative_to(synced_home)): oct(p.stat().st_mode & 0o777) for p in [data, *data.rglob("*")]}
    assert any(name.endswith(".posdesk") for name in found) and "data/profile.json" in found, found
    for name, mode in found.items():
        assert mode == ("0o700" if (synced_home / name).is_dir() else "0o600"), (name, found)
