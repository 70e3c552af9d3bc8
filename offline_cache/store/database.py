"""Opening the cache file: SQLCipher 4 with a raw 256-bit key, sqlite-utils over the keyed connection.

``sqlite_utils.Database(path)`` would silently open an unencrypted file, so the only way in is
``open_encrypted``. Every failure of the first read is told as what it is (wrong key, a damaged or
foreign file, read-only, locked by another process, a full disk): the check runs before anything
could write, so a failed open never touches the file. No message advises deleting a cache that may
still hold undelivered actions.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import sqlcipher3
import sqlite_utils

KEY_BYTES = 32
PAGE_BYTES = 4096  # SQLCipher 4's page size: a whole cache file is a multiple of it
#: How long opening waits for another process's lock before saying the cache is busy (ms).
BUSY_TIMEOUT_MS = 5000
FILE_MODE = 0o600  # the cache, its -wal and -shm: the official's only (SQLite copies the mode to both)
FOLDER_MODE = 0o700

_KEEP = ("Файл не изменён. Не удаляйте и не перемещайте его: в нём могут быть действия, ещё не отправленные "
         "на платформу.")


class CacheError(Exception):
    """The cache cannot be opened. ``message`` says what happened and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WrongKeyError(CacheError):
    """The key does not open this file (another profile's key, a lost key)."""


class CorruptCacheError(CacheError):
    """The file is a damaged or truncated cache."""


class NotACacheError(CacheError):
    """The file at the cache's place is something else: empty, a plain SQLite database, any other file."""


class ReadOnlyCacheError(CacheError):
    """The cache or its folder cannot be written."""


class BusyCacheError(CacheError):
    """Another process holds the cache locked."""


class DiskFullError(CacheError):
    """No room left on the disk for the cache or the profile."""


def _wrong_key() -> str:
    return ("Ключ не подходит к файлу локального кэша (или повреждено начало файла). " + _KEEP + " Обратитесь к "
            "администратору: ключ хранится в хранилище ключей системы (диспетчер учётных данных Windows, "
            "GNOME Keyring / KWallet) и может быть восстановлен из его резервной копии.")


def _corrupt(path: Path) -> str:
    return (f"Файл локального кэша {path.name} повреждён или обрезан. " + _KEEP + " Сохраните копию файла вместе с "
            "файлами «-wal» и «-shm» рядом с ним и обратитесь к администратору.")


_MESSAGES = {
    "SQLITE_FULL": "На диске не осталось места для локального кэша. Освободите место на диске: синхронизация "
                   "продолжится сама, сохранённые данные и неотправленные действия не потеряны.",
    "SQLITE_IOERR": "Ошибка чтения или записи диска с локальным кэшем. Проверьте диск; сохранённые данные и "
                    "неотправленные действия не потеряны.",
    "SQLITE_READONLY": "Файл локального кэша или его папка доступны только для чтения. Проверьте права на папку "
                       "с данными POS Desk (нужна запись для вашей учётной записи) и что диск не защищён от "
                       "записи; сохранённые данные и неотправленные действия не потеряны.",
    "SQLITE_BUSY": "Локальный кэш занят другой программой: вероятно, POS Desk или команда posdesk уже запущены "
                   "под этой учётной записью. Закройте их и повторите. Файл не изменён.",
    "SQLITE_CANTOPEN": "Не удаётся открыть файл локального кэша. Проверьте диск и права на папку с данными "
                       "POS Desk. Файл не изменён.",
}
_MESSAGES["SQLITE_LOCKED"] = _MESSAGES["SQLITE_BUSY"]
_FULL_AT_OPEN = ("На диске не осталось места: локальный кэш не открыть. Освободите место на диске и повторите. "
                 "Файл не изменён, сохранённые данные и неотправленные действия не потеряны.")
_CLASSES: dict[str, type[CacheError]] = {
    "SQLITE_FULL": DiskFullError, "SQLITE_READONLY": ReadOnlyCacheError, "SQLITE_BUSY": BusyCacheError,
    "SQLITE_LOCKED": BusyCacheError, "SQLITE_CORRUPT": CorruptCacheError,
}


#: What a failed read or write of the cache raises (whatever the driver underneath).
STORAGE_ERRORS: tuple[type[Exception], ...] = (sqlcipher3.Error,)


def _code(exc: BaseException) -> str | None:
    """SQLite's primary result code of ``exc`` (``SQLITE_IOERR_WRITE`` is ``SQLITE_IOERR``)."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    for code in (*_MESSAGES, "SQLITE_CORRUPT", "SQLITE_NOTADB"):
        if name == code or name.startswith(code + "_"):
            return code
    return None


def storage_problem(exc: BaseException) -> str | None:
    """The official's explanation of a failed read or write of the cache, or None if ``exc`` is not one."""
    if not isinstance(exc, STORAGE_ERRORS):
        return None
    code = _code(exc)
    if code in _MESSAGES:
        return _MESSAGES[code]
    if code in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
        return ("Файл локального кэша повреждён. Не удаляйте его: в нём могут быть неотправленные действия. "
                "Обратитесь к администратору.")
    return f"Ошибка локального кэша: {exc}"


def disk_problem(exc: OSError, what: str) -> CacheError:
    """A failed write of a file beside the cache (``what``: its name for the official), told as it is."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return DiskFullError(f"Не удалось сохранить {what}: на диске не осталось места. Освободите место и "
                             "повторите; локальный кэш и неотправленные действия не потеряны.")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ReadOnlyCacheError(f"Не удалось сохранить {what}: папка с данными POS Desk недоступна для записи. "
                                  "Проверьте права на папку; локальный кэш и неотправленные действия не потеряны.")
    return CacheError(f"Не удалось сохранить {what}: {exc.strerror or exc}. Локальный кэш и неотправленные "
                      "действия не потеряны.")


def _looks_encrypted(head: bytes) -> bool:
    """An SQLCipher page is indistinguishable from random bytes; text, images, archives are not."""
    if len(head) < 1024:
        return True  # too little to judge: the size check tells a truncated file
    counts = Counter(head)
    entropy = -sum(n / len(head) * math.log2(n / len(head)) for n in counts.values())
    return entropy > 7.5  # random 4 KiB: ≈ 7.95 bits a byte


def _not_a_cache(path: Path) -> NotACacheError:
    return NotACacheError(f"Файл {path} — не локальный кэш POS Desk (обычная база данных или другой файл). "
                          "POS Desk не будет записывать поверх него; файл не изменён. Обратитесь к администратору: "
                          "выясните, откуда файл взялся в папке данных.")


def _refused_by_content(path: Path) -> CacheError:
    """Why SQLCipher said "not a database": a foreign file, a truncated cache, or (otherwise) a wrong key."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(PAGE_BYTES)
    except OSError:
        return WrongKeyError(_wrong_key())
    if head.startswith(b"SQLite format 3\x00") or not _looks_encrypted(head):
        return _not_a_cache(path)
    if size % PAGE_BYTES:
        return CorruptCacheError(_corrupt(path))
    return WrongKeyError(_wrong_key())


def _disk_nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 1024 * 1024
    except OSError:
        return False


def storage_error(exc: BaseException, path: Path) -> CacheError:
    """The failed open of the cache at ``path`` as a CacheError that says what it is and what to do."""
    code = _code(exc)
    if code == "SQLITE_NOTADB":
        return _refused_by_content(path)
    if code == "SQLITE_CORRUPT":
        return CorruptCacheError(_corrupt(path))
    if code in ("SQLITE_IOERR", "SQLITE_CANTOPEN") and _disk_nearly_full(path.parent):
        return DiskFullError(_FULL_AT_OPEN)  # e.g. no room for the -shm file: an I/O error to SQLite
    cls = _CLASSES.get(code or "", CacheError)
    if cls is DiskFullError:
        return DiskFullError(_FULL_AT_OPEN)
    return cls(storage_problem(exc) or str(exc))


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


def _check_existing(target: Path) -> None:
    """Refuse what must not be opened for writing: an empty file, a read-only file or folder."""
    if target.stat().st_size == 0:
        raise NotACacheError(
            f"Файл локального кэша {target} пуст (0 байт): его создание было прервано или файл обнулён. "
            "POS Desk не будет записывать поверх него; файл не изменён. Обратитесь к администратору: если рядом "
            "нет непустого файла с тем же именем и окончанием «-wal», пустой файл можно удалить — кэш будет "
            "создан заново.")
    if not (_writable(target) and _writable(target.parent)):
        raise ReadOnlyCacheError(_MESSAGES["SQLITE_READONLY"] + " Файл не изменён.")


def secure_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parents; on POSIX each folder created, and ``folder`` itself, is the
    official's only (0700). Older versions created them 0755."""
    missing = [folder, *(p for p in folder.parents if not p.exists())] if not folder.exists() else [folder]
    folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    if sys.platform != "win32":
        for created in missing:
            if (created.stat().st_mode & 0o777) != FOLDER_MODE:
                os.chmod(created, FOLDER_MODE)


def secure_file(path: Path) -> None:
    """An existing file made the official's only (0600) on POSIX; older versions created them 0644."""
    if sys.platform != "win32" and path.exists() and (path.stat().st_mode & 0o777) != FILE_MODE:
        os.chmod(path, FILE_MODE)


def _key_pragma(key: bytes) -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("the cache key must be 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def _prepare(target: Path, *, create: bool) -> None:
    """Check the file before SQLite sees it; create a new one owner-only, so its -wal and -shm are too."""
    if target.exists():
        _check_existing(target)
        with contextlib.suppress(OSError):  # tightening what an older version left open is best effort
            secure_folder(target.parent)
            for companion in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
                secure_file(companion)
        return
    if not create:
        raise CacheError(f"Файл кэша не найден: {target}")
    try:
        secure_folder(target.parent)
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except OSError as exc:
        raise disk_problem(exc, "локальный кэш") from exc


def connect(path: Path | str, key: bytes, *, create: bool = True) -> Any:
    """A keyed sqlcipher3 connection to ``path``, verified to decrypt, in WAL mode."""
    pragma = _key_pragma(key)  # before connecting: a bad key must not leave an empty file behind
    target = Path(path)
    new = not target.exists()
    _prepare(target, create=create)
    try:
        conn = sqlcipher3.connect(str(target), check_same_thread=False, isolation_level=None)
    except sqlcipher3.Error as exc:
        raise storage_error(exc, target) from exc
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(pragma)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")  # before the first read: wait out a lock
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit reported to the official survives a power cut, not only a crash.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA temp_store = MEMORY")  # no temporary files with decrypted pages
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlcipher3.Error as exc:
        conn.close()
        if new:  # our own empty file, never written: leave no trace of the failed creation
            Path(target).unlink(missing_ok=True)
        raise storage_error(exc, target) from exc
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
