"""Unlocking a locked workstation (issue 12): the offline password check and the wrong-try counter.

At each successful login the password's Argon2id hash is kept inside the encrypted cache, so the
lock screen can check the password without the platform. When the platform is reachable, it is the
judge (the password may have changed there since), and a right password refreshes the hash. Five
wrong tries in a row block unlocking for a delay that doubles with each further wrong try.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.errors import AuthError, PlatformError
from offline_cache.store.cache import Cache

if TYPE_CHECKING:
    from argon2 import PasswordHasher

STATE_KEY = "unlock_hash"
FREE_TRIES = 5
FIRST_DELAY = 30.0  # seconds of the first block, after five wrong tries in a row
MAX_DELAY = 3600.0


@cache
def _hasher() -> PasswordHasher:
    """Argon2id at OWASP's minimum (19 MiB, 2 passes): well under a second on an office PC, on any thread.

    Imported on first use, so the sync worker starts even where argon2-cffi is missing (then only the
    online unlock works).
    """
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

#: An online check: True (right), False (wrong), None (the platform cannot be reached now).
OnlineCheck = Callable[[str], "bool | None"]


def password_record(login: str, password: str) -> str:
    """What the cache keeps at ``state(STATE_KEY)``: the login and the password's Argon2id hash."""
    return json.dumps({"login": login, "hash": _hasher().hash(password)})


def remember_password(cache: Cache, login: str, password: str) -> None:
    """Keep the hash of the password that just logged in (on the writer's thread)."""
    cache.set_state(STATE_KEY, password_record(login, password))


def kept_record(cache: Cache) -> str | None:
    """The kept login and hash (read on the caller's own connection: the UI's reader, say)."""
    return cache.state(STATE_KEY)


def check_offline(record: str | None, login: str, password: str) -> bool | None:
    """Whether ``password`` is the one ``login`` last logged in with; None when no hash is kept for ``login``."""
    if record is None:
        return None
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        kept = json.loads(record)
        if kept.get("login") != login:
            return None
        return bool(_hasher().verify(kept["hash"], password))
    except VerifyMismatchError:
        return False
    except (ValueError, KeyError, TypeError, AttributeError, InvalidHashError, VerificationError):
        return None


def platform_check(config: ClientConfig, login: str) -> OnlineCheck:
    """An online check by logging in on a throw-away client (the session's own tokens stay untouched)."""

    quick = replace(config, retries=0, read_timeout=min(config.read_timeout, 10.0))  # a lock screen does not wait

    def check(password: str) -> bool | None:
        client = PlatformClient(quick)
        try:
            client.login(login, password)
            return True
        except AuthError:
            return False
        except PlatformError:
            return None  # unreachable, a server error: the offline hash decides
        finally:
            client.close()

    return check


class Attempts:
    """Wrong tries in a row and the block they earn; ``clock`` is monotonic seconds (injected in tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.wrong = 0
        self._blocked_until = 0.0

    def blocked_for(self) -> float:
        """Seconds until the next try is allowed (0 when it is allowed now)."""
        return max(0.0, self._blocked_until - self.clock())

    def failed(self) -> None:
        self.wrong += 1
        if self.wrong >= FREE_TRIES:
            delay = min(MAX_DELAY, FIRST_DELAY * 2 ** (self.wrong - FREE_TRIES))
            self._blocked_until = self.clock() + delay

    def succeeded(self) -> None:
        self.wrong = 0
        self._blocked_until = 0.0


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to one unlock try: ``ok``, else ``message`` (Russian) and the seconds to wait."""

    ok: bool
    message: str = ""
    wait: float = 0.0
    #: The check that decided: "online", "offline" or "" (blocked, nothing to check against).
    by: str = ""


def _wait_text(seconds: float) -> str:
    whole = int(seconds + 0.999)
    return f"{whole // 60} мин {whole % 60} с" if whole >= 60 else f"{whole} с"


class Unlocker:
    """Decides unlock tries: the platform when reachable, else the hash kept in the cache; counts wrong tries.

    ``verify`` may run off the UI thread (Argon2 and the network take time; one try at a time), with the
    kept record read beforehand on the caller's connection. ``remember`` is called with the password the
    platform confirmed, so the caller can refresh the kept hash on the writer.
    """

    def __init__(self, login: str, *, online: OnlineCheck | None, clock: Callable[[], float] = time.monotonic,
                 remember: Callable[[str], None] | None = None) -> None:
        self._login = login
        self.online = online
        self._remember = remember
        self.attempts = Attempts(clock)

    def blocked(self) -> Verdict | None:
        """The refusal while wrong tries block unlocking, or None."""
        wait = self.attempts.blocked_for()
        if wait <= 0:
            return None
        return Verdict(False, f"Слишком много неверных попыток подряд. Следующая попытка — через {_wait_text(wait)}.",
                       wait)

    def verify(self, password: str, kept: str | None) -> Verdict:
        refused = self.blocked()
        if refused is not None:
            return refused
        by = "online"
        right = self.online(password) if self.online is not None else None
        if right is None:
            by, right = "offline", check_offline(kept, self._login, password)
        if right is None:
            return Verdict(False, "Нет связи с платформой, а пароль этого входа ещё не сохранён на этом компьютере: "
                                  "разблокировать можно, когда платформа снова доступна.", by="")
        if right:
            self.attempts.succeeded()
            if by == "online" and self._remember is not None:
                self._remember(password)
            return Verdict(True, by=by)
        self.attempts.failed()
        refused = self.blocked()
        if refused is not None:
            return Verdict(False, "Неверный пароль. " + refused.message, refused.wait, by)
        left = FREE_TRIES - self.attempts.wrong
        return Verdict(False, f"Неверный пароль. Осталось попыток до паузы: {left}.", by=by)
