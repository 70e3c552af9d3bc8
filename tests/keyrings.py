"""Test-only keyring backends: in memory, a JSON file (for CLI subprocesses) and a locked one; never for real use."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors

FILE_ENV = "POSDESK_TEST_KEYRING_FILE"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Passwords in a dict that dies with the object."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(f"no password for {username!r} in {service!r}") from None


class FileKeyring(keyring.backend.KeyringBackend):
    """Passwords as plain JSON at $POSDESK_TEST_KEYRING_FILE: for CLI subprocess tests only.

    Select it with PYTHON_KEYRING_BACKEND=tests.keyrings.FileKeyring (and /work/main on PYTHONPATH).
    Without the variable the backend refuses to load, so it can never be picked up by accident.
    """

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        path = os.environ.get(FILE_ENV)
        if not path:
            raise RuntimeError(f"{FILE_ENV} is not set: FileKeyring is a test-only backend")
        self.path = Path(path)

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            data: dict[str, dict[str, str]] = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data

    def _save(self, data: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data.setdefault(service, {})[username] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if username not in data.get(service, {}):
            raise keyring.errors.PasswordDeleteError(f"no password for {username!r} in {service!r}")
        del data[service][username]
        self._save(data)


class LockedKeyring(keyring.backend.KeyringBackend):
    """A keyring that exists but is locked (the user has not unlocked it)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")


# Every KeyringBackend subclass registers itself for keyring's automatic selection, where priority 1
# would beat the "no keyring" backend of a headless machine and hide it from other tests. These are
# only ever used when chosen explicitly (set_keyring or PYTHON_KEYRING_BACKEND), so unregister them.
for _cls in (MemoryKeyring, FileKeyring, LockedKeyring):
    keyring.backend.KeyringBackend._classes.discard(_cls)
