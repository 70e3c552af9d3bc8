"""Profiles on this machine: where caches live, the remembered profile, tokens in the keyring.

Only non-secret settings go to disk (platform URL, login, CA bundle, proxy). Tokens and the
cache key live in the OS keyring.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from offline_cache.contract.models import TokenPair
from offline_cache.store.cache import Cache
from offline_cache.store.database import disk_problem, secure_folder
from offline_cache.store.vault import Profile, VaultError, keyring_call, session_key

TOKEN_SERVICE = "POS Desk platform tokens"


def data_dir() -> Path:
    """Per-user data folder: $POSDESK_HOME, else the platform's usual place."""
    override = os.environ.get("POSDESK_HOME")
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "POS Desk"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "POS Desk"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "posdesk"


def cache_path(profile: Profile) -> Path:
    return data_dir() / "caches" / f"{profile.id}.posdesk"


@dataclass(frozen=True, slots=True)
class ProfileSettings:
    """What is remembered about the last profile (nothing secret)."""

    platform_url: str
    login: str
    ca_bundle: str | None = None
    proxy: str | None = None

    @property
    def profile(self) -> Profile:
        return Profile(self.platform_url, self.login)


def _settings_file() -> Path:
    return data_dir() / "profile.json"


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file, never half.

    Raises a CacheError (DiskFullError, ReadOnlyCacheError) that says what to do when the write fails.
    """
    try:
        secure_folder(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # 0600, kept by the rename
    except OSError as exc:
        raise disk_problem(exc, "настройки профиля") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:  # a full disk, a read-only folder: CLI exit 2 and a dialog, never a traceback
        Path(tmp).unlink(missing_ok=True)
        raise disk_problem(exc, "настройки профиля") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remember(settings: ProfileSettings) -> None:
    atomic_write(_settings_file(), json.dumps(asdict(settings), ensure_ascii=False, indent=2).encode())


def remembered() -> ProfileSettings | None:
    try:
        data = json.loads(_settings_file().read_text(encoding="utf-8"))
        return ProfileSettings(**data)
    except (OSError, ValueError, TypeError):
        return None


def load_tokens(profile: Profile) -> TokenPair | None:
    raw = keyring_call("get_password", TOKEN_SERVICE, profile.id)
    if raw is None:
        return None
    try:
        return TokenPair.model_validate_json(raw)
    except ValueError:
        return None


def save_tokens(profile: Profile, tokens: TokenPair) -> None:
    keyring_call("set_password", TOKEN_SERVICE, profile.id, tokens.model_dump_json())


def forget_tokens(profile: Profile) -> None:
    """Log out: the platform tokens leave the keyring (the cache and its key stay)."""
    with contextlib.suppress(VaultError):  # none stored
        keyring_call("delete_password", TOKEN_SERVICE, profile.id)


def rotate_key(settings: ProfileSettings, cache: Cache) -> None:
    """Re-encrypt the open ``cache`` with a fresh key and keep that key in the keyring.

    The new key is written to the keyring only after the rekey succeeded; if the keyring write
    then fails, the old key is put back by rekeying again, so the file and the keyring agree.
    """
    from offline_cache.store.vault import replace_key, stored_key

    old = stored_key(settings.profile)
    new = session_key()
    cache.rekey(new)
    try:
        replace_key(settings.profile, new)
    except BaseException:
        if old is not None:
            cache.rekey(old)
        raise


def wipe(settings: ProfileSettings) -> list[Path]:
    """Log out and remove local data: the cache file (with WAL and SHM), its key and the tokens."""
    from offline_cache.store.vault import forget_key

    path = cache_path(settings.profile)
    removed = []
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists():
            candidate.unlink()
            removed.append(candidate)
    forget_key(settings.profile)
    with contextlib.suppress(VaultError):  # no tokens stored
        keyring_call("delete_password", TOKEN_SERVICE, settings.profile.id)
    saved = remembered()
    if saved is not None and saved.profile == settings.profile:
        _settings_file().unlink(missing_ok=True)
    return removed
