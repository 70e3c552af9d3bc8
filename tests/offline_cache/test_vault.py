"""The vault: per-profile keys in the keyring, clear refusals without one, and the CLI/profile paths over it."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import keyring
import keyring.errors
import pytest

from offline_cache import cli
from offline_cache.contract.models import Item
from offline_cache.profile import (
    TOKEN_SERVICE,
    ProfileSettings,
    cache_path,
    load_tokens,
    remembered,
    rotate_key,
    wipe,
)
from offline_cache.store.cache import Cache
from offline_cache.store.database import WrongKeyError
from offline_cache.store.vault import (
    KEY_BYTES,
    SERVICE,
    KeyMissing,
    KeyringUnavailable,
    Profile,
    create_key,
    forget_key,
    replace_key,
    stored_key,
)
from tests.keyrings import FileKeyring, LockedKeyring, MemoryKeyring
from tests.world import PASSWORD, World

ROOT = Path(__file__).resolve().parents[2]
PROFILE = Profile("https://pos.example.ru", "ivanova.mp")


def fingerprint(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), st.st_size, st.st_mtime_ns


def run_cli(world: World, *args: str) -> int:
    return cli.main(["--url", world.url, "--login", "c-coord", *args])


def synced_profile(world: World, monkeypatch: pytest.MonkeyPatch) -> ProfileSettings:
    """c-coord's profile after a real ``posdesk sync --once``: key, tokens and remembered settings in place."""
    monkeypatch.setenv("POSDESK_PASSWORD", PASSWORD)
    assert run_cli(world, "sync", "--once") == 0
    monkeypatch.delenv("POSDESK_PASSWORD")
    return ProfileSettings(world.url, "c-coord")


# --- keys in a working keyring -------------------------------------------------------------


@pytest.mark.usefixtures("memory_keyring")
def test_create_and_read_back_a_key_per_profile() -> None:
    assert stored_key(PROFILE) is None
    key = create_key(PROFILE)
    assert isinstance(key, bytes) and len(key) == KEY_BYTES == 32
    assert stored_key(PROFILE) == key
    others = [Profile("https://pos.example.ru", "petrov.ai"), Profile("https://other.example.ru", "ivanova.mp")]
    keys = [create_key(p) for p in others]
    assert len({key, *keys}) == 3 and stored_key(PROFILE) == key


def test_profile_id_is_stable_and_hides_the_login() -> None:
    assert PROFILE.id == Profile("https://pos.example.ru", "ivanova.mp").id
    assert PROFILE.id == "0fc5540648734dc7f8753793"  # a change here orphans every cache on disk
    assert "ivanova" not in PROFILE.id and "pos.example" not in PROFILE.id
    assert PROFILE.id.isalnum() and len(PROFILE.id) == 24
    assert Profile("HTTPS://POS.EXAMPLE.RU/", "IVANOVA.MP").id == PROFILE.id  # case and a trailing slash do not count
    assert Profile("https://pos.example.ru", "ivanova.mp2").id != PROFILE.id


@pytest.mark.usefixtures("memory_keyring")
def test_forget_key_removes_it_and_is_idempotent() -> None:
    create_key(PROFILE)
    forget_key(PROFILE)
    assert stored_key(PROFILE) is None
    forget_key(PROFILE)  # nothing left to forget: no error
    with pytest.raises(keyring.errors.PasswordDeleteError):
        keyring.delete_password(SERVICE, PROFILE.id)


@pytest.mark.parametrize("value", ["not hex at all", "abcd", "00" * 31, "00" * 33, ""])
def test_corrupt_stored_value_is_key_missing(memory_keyring: MemoryKeyring, value: str) -> None:
    memory_keyring.set_password(SERVICE, PROFILE.id, value)
    with pytest.raises(KeyMissing) as exc:
        stored_key(PROFILE)
    assert "повреждён" in exc.value.message


@pytest.mark.usefixtures("memory_keyring")
def test_replace_key_overwrites() -> None:
    create_key(PROFILE)
    replace_key(PROFILE, b"\x07" * 32)
    assert stored_key(PROFILE) == b"\x07" * 32


# --- no keyring, or a locked one -----------------------------------------------------------


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_every_call_says_why_and_what_to_do() -> None:
    for call in (lambda: stored_key(PROFILE), lambda: create_key(PROFILE), lambda: forget_key(PROFILE),
                 lambda: load_tokens(PROFILE)):
        with pytest.raises(KeyringUnavailable) as exc:
            call()
        message = exc.value.message
        assert "хранилища ключей" in message and "keyring" in message
        assert "администратор" in message and "Secret Service" in message


def test_locked_keyring_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", LockedKeyring())
    calls: list[Callable[[], object]] = [lambda: stored_key(PROFILE), lambda: create_key(PROFILE)]
    for call in calls:
        with pytest.raises(KeyringUnavailable) as exc:
            call()
        assert "заблокировано" in exc.value.message and "разблокируйте" in exc.value.message


@pytest.mark.usefixtures("no_keyring")
def test_cli_without_keyring_exits_2_and_creates_no_cache(world: World, posdesk_home: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["status"], ["search", "яма"], ["sync", "--once"]):
        assert run_cli(world, *command) == 2, command
        err = capsys.readouterr().err
        assert "хранилища ключей" in err and "администратор" in err, command
        assert not list(posdesk_home.rglob("*.posdesk*")), command


def test_cli_with_locked_keyring_exits_2(world: World, posdesk_home: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", LockedKeyring())
    assert run_cli(world, "status") == 2
    assert "заблокировано" in capsys.readouterr().err
    assert not list(posdesk_home.rglob("*.posdesk*"))


# --- a cache whose key is gone or wrong ----------------------------------------------------


@pytest.mark.usefixtures("posdesk_home")
def test_cache_whose_key_is_missing_is_left_alone(world: World, memory_keyring: MemoryKeyring,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    settings = synced_profile(world, monkeypatch)
    path = cache_path(settings.profile)
    forget_key(settings.profile)
    before = fingerprint(path)
    capsys.readouterr()
    for command in (["status"], ["search", "дорог"], ["sync", "--once"]):
        assert run_cli(world, *command) == 2  # an error, not «nothing found» (1)
        err = capsys.readouterr().err
        assert "не найден в хранилище ключей" in err and "Файл не тронут" in err
        assert path.exists() and fingerprint(path) == before
        assert stored_key(settings.profile) is None  # no new key was made over the old file


@pytest.mark.usefixtures("posdesk_home", "memory_keyring")
def test_cache_with_a_wrong_key_in_the_keyring_is_left_alone(world: World, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    settings = synced_profile(world, monkeypatch)
    path = cache_path(settings.profile)
    replace_key(settings.profile, b"\x01" * 32)
    before = fingerprint(path)
    capsys.readouterr()
    for command in (["status"], ["sync", "--once"]):
        assert run_cli(world, *command) == 2
        assert "Ключ не подходит" in capsys.readouterr().err
        assert fingerprint(path) == before


# --- wipe and rotation ---------------------------------------------------------------------


@pytest.mark.usefixtures("posdesk_home")
def test_wipe_removes_file_wal_shm_key_tokens_and_remembered_profile(world: World, memory_keyring: MemoryKeyring,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    settings = synced_profile(world, monkeypatch)
    other = Profile(world.url, "c-exec1")
    create_key(other)
    path = cache_path(settings.profile)
    assert load_tokens(settings.profile) is not None and stored_key(settings.profile) is not None
    assert remembered() == settings
    for suffix in ("-wal", "-shm"):  # as a crash would leave them
        Path(f"{path}{suffix}").write_bytes(b"\x00" * 64)
    removed = wipe(settings)
    assert sorted(removed) == sorted([path, Path(f"{path}-wal"), Path(f"{path}-shm")])
    assert not list(path.parent.iterdir())
    assert stored_key(settings.profile) is None and load_tokens(settings.profile) is None
    assert memory_keyring.get_password(TOKEN_SERVICE, settings.profile.id) is None
    assert remembered() is None
    assert stored_key(other) is not None  # another profile's key stays
    assert wipe(settings) == []  # wiping again is harmless


@pytest.mark.usefixtures("posdesk_home", "memory_keyring")
def test_rotate_key_reencrypts_and_stores_the_new_key(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = synced_profile(world, monkeypatch)
    path = cache_path(settings.profile)
    old = stored_key(settings.profile)
    assert old is not None
    cache = Cache.open(path, old)
    count = cache.item_count()
    rotate_key(settings, cache)
    new = stored_key(settings.profile)
    assert new is not None and new != old and len(new) == 32
    cache.close()
    with pytest.raises(WrongKeyError):
        Cache.open(path, old)
    cache = Cache.open(path, new)
    assert cache.item_count() == count
    cache.close()


@pytest.mark.usefixtures("posdesk_home")
def test_rotate_key_puts_the_old_key_back_when_the_keyring_fails(world: World, memory_keyring: MemoryKeyring,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    settings = synced_profile(world, monkeypatch)
    path = cache_path(settings.profile)
    old = stored_key(settings.profile)
    assert old is not None
    cache = Cache.open(path, old)

    def refuse(service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("locked just now")

    monkeypatch.setattr(memory_keyring, "set_password", refuse)
    with pytest.raises(KeyringUnavailable):
        rotate_key(settings, cache)
    cache.set_state("still", "writable")
    cache.close()
    assert stored_key(settings.profile) == old
    cache = Cache.open(path, old)  # file and keyring still agree
    assert cache.state("still") == "writable"
    cache.close()


# --- the file keyring used by CLI subprocess tests -----------------------------------------


def test_file_keyring_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSDESK_TEST_KEYRING_FILE", str(tmp_path / "kr.json"))
    backend = FileKeyring()
    assert backend.get_password("s", "u") is None
    backend.set_password("s", "u", "секрет")
    assert FileKeyring().get_password("s", "u") == "секрет"
    backend.delete_password("s", "u")
    assert backend.get_password("s", "u") is None
    with pytest.raises(keyring.errors.PasswordDeleteError):
        backend.delete_password("s", "u")
    monkeypatch.delenv("POSDESK_TEST_KEYRING_FILE")
    with pytest.raises(RuntimeError):
        FileKeyring()


def test_test_backends_are_never_chosen_automatically() -> None:
    viable = set(keyring.backend.get_all_keyring())
    assert not {type(k) for k in viable} & {MemoryKeyring, FileKeyring, LockedKeyring}


def test_cli_subprocess_with_file_keyring(world: World, new_item: Callable[..., Item], tmp_path: Path) -> None:
    new_item("Сломана скамейка в сквере")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSDESK_", "PYTHON_KEYRING", "XDG_"))}
    env.update(POSDESK_HOME=str(tmp_path / "data"), PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8",
               PYTHON_KEYRING_BACKEND="tests.keyrings.FileKeyring",
               POSDESK_TEST_KEYRING_FILE=str(tmp_path / "keyring.json"), XDG_CONFIG_HOME=str(tmp_path / "config"))

    def posdesk(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "offline_cache.cli", *args], cwd=ROOT, env=env, text=True,
                              capture_output=True, input=stdin, timeout=60, start_new_session=True)

    done = posdesk("--url", world.url, "--login", "c-coord", "sync", "--once", "--password-stdin", stdin=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "Получено записей: 1" in done.stdout
    stored = json.loads((tmp_path / "keyring.json").read_text(encoding="utf-8"))
    profile_id = Profile(world.url, "c-coord").id
    assert len(bytes.fromhex(stored[SERVICE][profile_id])) == 32 and stored[TOKEN_SERVICE][profile_id]
    found = posdesk("search", "скамейк")
    assert found.returncode == 0 and "Найдено: 1" in found.stderr, found.stderr
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    refused = posdesk("status")
    assert refused.returncode == 2 and "хранилища ключей" in refused.stderr
