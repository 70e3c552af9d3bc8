"""On POSIX every file POS Desk creates (cache, -wal, -shm, profile, settings) is 0600 in 0700 folders.

The umask is the usual 022, under which plain creation would give 0644 files and 0755 folders.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_cache.profile import ProfileSettings, cache_path, data_dir, remember
from offline_cache.store.cache import Cache

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
KEY = bytes(range(32))


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def modes(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` (and ``root``) with its permission bits in octal."""
    return {str(p.relative_to(root.parent)): oct(stat.S_IMODE(p.stat().st_mode))
            for p in [root, *sorted(root.rglob("*"))]}


def assert_private(root: Path) -> dict[str, str]:
    found = modes(root)
    for name, mode in found.items():
        wanted = "0o700" if (root.parent / name).is_dir() else "0o600"
        assert mode == wanted, (name, mode, found)
    return found


@pytest.mark.usefixtures("posdesk_home")
def test_cache_companions_and_profile_are_owner_only() -> None:
    settings = ProfileSettings("https://pos.example", "ivanov")
    cache = Cache.open(cache_path(settings.profile), KEY)
    cache.set_state("x", "y")  # a write: the -wal and -shm exist now
    remember(settings)
    found = assert_private(data_dir())
    names = {Path(n).name for n in found}
    assert {"caches", "profile.json", f"{settings.profile.id}.posdesk", f"{settings.profile.id}.posdesk-wal",
            f"{settings.profile.id}.posdesk-shm"} <= names, found
    cache.close()


def test_files_an_older_version_left_open_are_tightened(posdesk_home: Path) -> None:
    settings = ProfileSettings("https://pos.example", "ivanov")
    path = cache_path(settings.profile)
    Cache.open(path, KEY).close()
    remember(settings)
    for p in [posdesk_home, *posdesk_home.rglob("*")]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    cache = Cache.open(path, KEY)
    cache.set_state("x", "y")
    remember(settings)
    assert_private(posdesk_home)
    cache.close()


def test_missing_parent_folders_are_created_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "a" / "b" / "posdesk"
    monkeypatch.setenv("POSDESK_HOME", str(home))
    Cache.open(cache_path(ProfileSettings("https://pos.example", "ivanov").profile), KEY).close()
    assert_private(tmp_path / "a")
