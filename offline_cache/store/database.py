"""Opening the cache file: SQLCipher 4 with a raw 256-bit key, sqlite-utils over the keyed connection.

``sqlite_utils.Database(path)`` would silently open an unencrypted file, so the only way in is
``open_encrypted``. A wrong key shows only on the first read ("file is not a database"): it is
checked right after keying, before anything could write, so a wrong key never touches the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlcipher3
import sqlite_utils

KEY_BYTES = 32


class CacheError(Exception):
    """The cache cannot be opened. ``message`` says what happened and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WrongKeyError(CacheError):
    """The key does not open this file (another profile's key, a lost key, or not a cache at all)."""


# What the official can do about each storage failure. Whatever failed was one transaction, rolled
# back whole: nothing the cache had is lost, and nothing half-written stays.
_STORAGE_PROBLEMS = {
    "SQLITE_FULL": "На диске не осталось места для локального кэша. Освободите место на диске: "
                   "синхронизация продолжится сама, сохранённые данные и действия не потеряны.",
    "SQLITE_IOERR": "Ошибка чтения или записи диска с локальным кэшем. Проверьте диск; "
                    "сохранённые данные и действия не потеряны.",
    "SQLITE_READONLY": "Файл локального кэша доступен только для чтения. Проверьте права на папку с данными "
                       "POS Desk; сохранённые данные и действия не потеряны.",
    "SQLITE_CORRUPT": "Файл локального кэша повреждён. Обратитесь к администратору: кэш можно отложить "
                      "в сторону и загрузить данные с платформы заново.",
    "SQLITE_NOTADB": "Файл локального кэша повреждён или заменён. Обратитесь к администратору.",
    "SQLITE_CANTOPEN": "Не удаётся открыть файл локального кэша. Проверьте диск и права на папку с данными.",
}


#: What a failed read or write of the cache raises (whatever the driver underneath).
STORAGE_ERRORS: tuple[type[Exception], ...] = (sqlcipher3.Error,)


def storage_problem(exc: BaseException) -> str | None:
    """The official's explanation of a failed read or write of the cache, or None if ``exc`` is not one.

    Matched by SQLite's primary result code (``SQLITE_IOERR_WRITE`` is an I/O error, for one).
    """
    if not isinstance(exc, STORAGE_ERRORS):
        return None
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    for code, message in _STORAGE_PROBLEMS.items():
        if name == code or name.startswith(code + "_"):
            return message
    return f"Ошибка локального кэша: {exc}"


def _key_pragma(key: bytes) -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("the cache key must be 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect(path: Path | str, key: bytes, *, create: bool = True) -> Any:
    """A keyed sqlcipher3 connection to ``path``, verified to decrypt, in WAL mode."""
    pragma = _key_pragma(key)  # before connecting: a bad key must not leave an empty file behind
    target = Path(path)
    if not create and not target.exists():
        raise CacheError(f"Файл кэша не найден: {target}")
    if create:
        target.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlcipher3.connect(str(target), check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(pragma)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            raise WrongKeyError(
                "Ключ не подходит к файлу локального кэша. Файл не изменён. Если ключ утрачен, "
                "кэш можно отложить в сторону и загрузить данные с платформы заново."
            ) from exc
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit reported to the official survives a power cut, not only a crash.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA temp_store = MEMORY")  # no temporary files with decrypted pages
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
    except BaseException:
        conn.close()
        raise
    return conn


def open_encrypted(path: Path | str, key: bytes, *, create: bool = True) -> sqlite_utils.Database:
    """sqlite-utils over a keyed, verified connection to the cache at ``path``."""
    return sqlite_utils.Database(connect(path, key, create=create))


def rekey(db: sqlite_utils.Database, new_key: bytes) -> None:
    """Re-encrypt the whole cache with ``new_key`` (SQLCipher ``PRAGMA rekey``)."""
    pragma = _key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey", 1)
    db.conn.execute(pragma)
