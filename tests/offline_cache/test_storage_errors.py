"""Every failure to open the cache is told as what it is, says what to do, and leaves the file exactly as it was.

Wrong key, a truncated file, a foreign file (plain SQLite, text, an image), an empty file, a read-only
folder, a lock held by another process, a full disk. None of the messages advises deleting or moving a
cache that may still hold undelivered actions; the file's sha256 is the same before and after.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_cache.store import database
from offline_cache.store.cache import Cache
from offline_cache.store.database import (
    BusyCacheError,
    CacheError,
    CorruptCacheError,
    DiskFullError,
    NotACacheError,
    ReadOnlyCacheError,
    WrongKeyError,
)
from tests.sandbox import run_on_full_disk, run_read_only

ROOT = Path(__file__).resolve().parents[2]
KEY = bytes(range(32))
DANGEROUS_ADVICE = ("загрузить данные с платформы заново", "отложить", "удалите кэш", "удалите файл")

# A subprocess that opens the cache and reports what it got: class name on the first line, message after.
OPEN_SNIPPET = """
import sys
from offline_cache.store.cache import Cache
from offline_cache.store.database import CacheError
try:
    Cache.open(sys.argv[1], bytes.fromhex(sys.argv[2])).close()
    print("OK")
except CacheError as exc:
    print(type(exc).__name__); print(exc.message); sys.exit(2)
"""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def companions(path: Path) -> dict[str, str | None]:
    """sha256 of the cache and its -wal and -shm (None when absent)."""
    return {s: sha(Path(f"{path}{s}")) if Path(f"{path}{s}").exists() else None for s in ("", "-wal", "-shm")}


def assert_told(exc: CacheError, *needles: str) -> None:
    for needle in needles:
        assert needle in exc.message, (needle, exc.message)
    for advice in DANGEROUS_ADVICE:
        assert advice not in exc.message.lower(), exc.message


@pytest.fixture
def cache_file(tmp_path: Path) -> Iterator[Path]:
    """A closed cache holding an undelivered action."""
    path = tmp_path / "caches" / "c.posdesk"
    cache = Cache.open(path, KEY)
    cache.enqueue("item-1", "take_into_work", {}, 1, user_id="c-exec1")
    for n in range(60):  # a few pages, so truncations can fall inside and between pages
        cache.set_state(f"filler-{n}", "x" * 300)
    cache.close()
    yield path


def open_fails(path: Path, key: bytes = KEY, **kw: bool) -> CacheError:
    before = companions(path)
    with pytest.raises(CacheError) as caught:
        Cache.open(path, key, **kw)
    assert companions(path) == before, "a failed open changed the file"
    return caught.value


def env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_wrong_key_says_keep_the_file_and_restore_the_key(cache_file: Path) -> None:
    for kw in ({}, {"create": False}, {"upgrade": False}):
        exc = open_fails(cache_file, secrets.token_bytes(32), **kw)
        assert type(exc) is WrongKeyError
        assert_told(exc, "Ключ не подходит", "Файл не изменён", "Не удаляйте", "не отправленные",
                    "хранилище ключей")
    assert Cache.open(cache_file, KEY).outbox()  # the right key still opens it, the action is there


@pytest.mark.parametrize("keep", [0.5, 8192, 5000, 100], ids=["half", "page-boundary", "mid-page", "100-bytes"])
def test_truncated_file_is_corrupt_not_a_wrong_key(cache_file: Path, keep: float) -> None:
    data = cache_file.read_bytes()
    cache_file.write_bytes(data[: int(len(data) * keep) if keep < 1 else int(keep)])
    exc = open_fails(cache_file)
    assert type(exc) is CorruptCacheError
    assert_told(exc, "повреждён или обрезан", "Файл не изменён", "Не удаляйте", "копию", "администратору")


def test_a_plain_sqlite_database_is_not_a_cache_and_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "c.posdesk"
    plain = sqlite3.connect(path)
    plain.execute("CREATE TABLE notes (text TEXT)")
    plain.execute("INSERT INTO notes VALUES ('чужие данные')")
    plain.commit()
    plain.close()
    exc = open_fails(path)
    assert type(exc) is NotACacheError
    assert_told(exc, "не локальный кэш POS Desk", "не изменён")


@pytest.mark.parametrize("content", [
    "Служебная записка о вывозе мусора\n".encode() * 400,
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2 + b"\x00" * 8192,
    b"%PDF-1.7\n" + b"0 0 obj << /Length 44 >> stream\n" * 500,
], ids=["text", "image", "pdf"])
def test_a_foreign_file_is_refused_not_overwritten(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "c.posdesk"
    path.write_bytes(content)
    exc = open_fails(path)
    assert type(exc) is NotACacheError
    assert_told(exc, "не локальный кэш POS Desk", "не изменён")


def test_an_empty_file_is_refused_not_taken_for_a_new_cache(tmp_path: Path) -> None:
    path = tmp_path / "c.posdesk"
    path.touch()
    for kw in ({}, {"create": False}):
        exc = open_fails(path, **kw)
        assert type(exc) is NotACacheError
        assert_told(exc, "пуст (0 байт)", "не будет записывать поверх")
    assert path.stat().st_size == 0 and not Path(f"{path}-wal").exists()


def test_a_missing_file_is_still_created_as_a_new_cache(tmp_path: Path) -> None:
    path = tmp_path / "new" / "c.posdesk"
    Cache.open(path, KEY).close()
    assert path.stat().st_size > 0
    Cache.open(path, KEY, create=False).close()


def hold_lock(path: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-m", "tests.offline_cache.cache_holder", str(path), KEY.hex()],
                              cwd=ROOT, env=env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("\n")
    holder.stdin.flush()
    holder.stdout.readline()
    holder.wait(timeout=60)


def test_a_lock_held_by_another_process_is_busy_not_a_wrong_key(cache_file: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)  # the wait itself is tested below
    holder = hold_lock(cache_file)
    try:
        exc = open_fails(cache_file)
    finally:
        release(holder)
    assert type(exc) is BusyCacheError
    assert_told(exc, "занят другой программой", "Закройте", "Файл не изменён")
    Cache.open(cache_file, KEY).close()


def test_opening_waits_out_a_short_lock_before_the_first_read(cache_file: Path) -> None:
    """busy_timeout is set before the first read: a lock released within it is waited for, not reported."""
    holder = hold_lock(cache_file)
    timer = threading.Timer(0.5, release, [holder])
    timer.start()
    try:
        cache = Cache.open(cache_file, KEY)  # waits up to BUSY_TIMEOUT_MS (5 s)
    finally:
        timer.join()
    assert cache.outbox()
    cache.close()


def run_open(path: Path, runner: object) -> tuple[int, str, str]:
    command = [sys.executable, "-c", OPEN_SNIPPET, str(path), KEY.hex()]
    done = runner(path.parent, command, env=env(), cwd=ROOT)  # type: ignore[operator]
    assert "Traceback" not in done.stderr, done.stderr
    kind, _, message = done.stdout.partition("\n")
    return done.returncode, kind, message


def test_a_read_only_folder_is_told_as_read_only(cache_file: Path) -> None:
    before = companions(cache_file)
    code, kind, message = run_open(cache_file, run_read_only)
    assert (code, kind) == (2, ReadOnlyCacheError.__name__), message
    assert "только для чтения" in message and "Проверьте права" in message
    assert companions(cache_file) == before


def test_a_full_disk_at_open_is_told_as_a_full_disk(cache_file: Path) -> None:
    before = companions(cache_file)
    for path in (cache_file, cache_file.parent / "new.posdesk"):
        code, kind, message = run_open(path, run_on_full_disk)
        assert (code, kind) == (2, DiskFullError.__name__), message
        assert "не осталось места" in message and "Освободите место" in message and "не потеряны" in message
    assert companions(cache_file) == before
    assert not (cache_file.parent / "new.posdesk").exists()
