"""The vault: one random 256-bit data key per profile, kept in the OS keyring and never on disk.

A profile is a platform URL plus a user. Where no keyring backend is usable, a real profile
refuses to open (there is no plaintext fallback); only the training mode may use a session-only
key, which dies with the process together with its cache.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import keyring
import keyring.errors

SERVICE = "POS Desk cache key"
KEY_BYTES = 32


class VaultError(Exception):
    """The data key cannot be had. ``message`` says what happened and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class KeyringUnavailable(VaultError):
    """No usable keyring backend on this machine, or the keyring is locked."""


class KeyMissing(VaultError):
    """The cache exists but its key is not in the keyring (removed, or another machine's)."""


@dataclass(frozen=True, slots=True)
class Profile:
    """Whose cache: the platform's address and the login on it."""

    platform_url: str
    user: str

    @property
    def id(self) -> str:
        """A stable file-name-safe id; the login itself does not appear in file names."""
        raw = f"{self.platform_url.rstrip('/').lower()}\n{self.user.lower()}".encode()
        return hashlib.sha256(raw).hexdigest()[:24]


def keyring_call(fn_name: str, *args: str) -> str | None:
    try:
        result: str | None = getattr(keyring, fn_name)(*args)
        return result
    except keyring.errors.NoKeyringError as exc:
        raise KeyringUnavailable(
            "На этом компьютере нет доступного хранилища ключей (keyring). Локальный кэш с персональными "
            "данными не может быть открыт без него. Обратитесь к администратору: нужна служба "
            "Secret Service (GNOME Keyring / KWallet) в Linux или диспетчер учётных данных Windows."
        ) from exc
    except keyring.errors.KeyringLocked as exc:
        raise KeyringUnavailable("Хранилище ключей заблокировано: разблокируйте его и повторите вход.") from exc
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"Хранилище ключей недоступно: {exc}") from exc


def stored_key(profile: Profile) -> bytes | None:
    """The profile's data key from the keyring, or None when there is none yet."""
    value = keyring_call("get_password", SERVICE, profile.id)
    if value is None:
        return None
    try:
        key = bytes.fromhex(value)
    except ValueError as exc:
        raise KeyMissing("Ключ кэша в хранилище ключей повреждён.") from exc
    if len(key) != KEY_BYTES:
        raise KeyMissing("Ключ кэша в хранилище ключей повреждён.")
    return key


def create_key(profile: Profile) -> bytes:
    """Make and store a new data key for ``profile``."""
    key = secrets.token_bytes(KEY_BYTES)
    keyring_call("set_password", SERVICE, profile.id, key.hex())
    if stored_key(profile) != key:
        raise KeyringUnavailable("Хранилище ключей не сохранило ключ кэша.")
    return key


def replace_key(profile: Profile, key: bytes) -> None:
    """Store ``key`` as the profile's data key (after a successful rekey)."""
    keyring_call("set_password", SERVICE, profile.id, key.hex())


def forget_key(profile: Profile) -> None:
    """Remove the profile's key from the keyring (profile wipe)."""
    if stored_key(profile) is None:
        return
    try:
        keyring.delete_password(SERVICE, profile.id)
    except keyring.errors.PasswordDeleteError:
        pass  # already gone
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"Не удалось удалить ключ кэша из хранилища ключей: {exc}") from exc


def session_key() -> bytes:
    """A key for the training mode only: it lives in memory and dies with the process."""
    return secrets.token_bytes(KEY_BYTES)
