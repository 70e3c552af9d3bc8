"""A working session: who is logged in, the client, the worker (writer) and the UI's read connection."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop.worker import SyncWorker
from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.contract.models import Me
from offline_cache.domain.model import Role
from offline_cache.errors import OfflineError, PlatformError
from offline_cache.profile import ProfileSettings
from offline_cache.queues import Viewer
from offline_cache.store.cache import Cache
from offline_cache.store.vault import session_key


def viewer_of(me: Me) -> Viewer:
    roles = frozenset(me.effective_roles)
    steps = tuple(n for n, role in enumerate(me.organisation.approval_chain) if role in roles)
    # Steps approved only because an absent colleague is covered: the deputy's separate queue.
    covered = tuple(n for n in steps if me.organisation.approval_chain[n] not in me.user.roles)
    return Viewer(me.user.id, frozenset({me.user.id, *me.deputising_for}), roles,
                  {me.organisation.id: steps} if steps else {},
                  {me.organisation.id: covered} if covered else {})


@dataclass
class Session:
    """Everything one logged-in official's window works with."""

    me: Me
    client: PlatformClient
    worker: SyncWorker
    reader: Cache
    training: bool
    cache_path: Path
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    #: The remembered profile of a real platform (None in the training mode).
    settings: ProfileSettings | None = None
    #: Why the session started without the platform ("" when it started online).
    offline_reason: str = ""
    #: The login on the platform, for logging in again from the window.
    login: str = ""

    @property
    def viewer(self) -> Viewer:
        return viewer_of(self.me)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(self.me.effective_roles)

    def close(self) -> None:
        self.worker.stop()
        self.reader.close()
        self.client.close()
        for cleanup in reversed(self.cleanups):
            cleanup()


def open_session(client: PlatformClient, cache_path: Path, key: bytes, *, training: bool,
                 interval: float = 60.0, offline_reason: str = "") -> Session:
    """Start the worker on the cache and open the UI's reader beside it.

    ``client`` is logged in, or (``offline_reason`` set) cannot reach the platform: then who the
    official is comes from the cache, and the worker delivers the queue once the platform is back.
    """
    worker = SyncWorker(cache_path, key, client, interval=interval)
    worker.start()  # opens and migrates the cache before returning
    reader = Cache.open(cache_path, key, create=False, upgrade=False)
    try:
        me = _who(client, reader, offline_reason)
    except BaseException:
        worker.stop()
        reader.close()
        raise
    return Session(me, client, worker, reader, training, cache_path, offline_reason=offline_reason)


def cached_me(cache: Cache) -> Me | None:
    """Who the official was at the last sync, as the cache remembers it."""
    raw = cache.state("me")
    return Me.model_validate_json(raw) if raw else None


def _who(client: PlatformClient, reader: Cache, offline_reason: str) -> Me:
    remembered = cached_me(reader)
    if offline_reason:
        if remembered is None:
            raise OfflineError(offline_reason)
        return remembered
    try:
        return client.me()
    except PlatformError as exc:
        if remembered is None or not exc.retryable:
            raise
        return remembered  # the platform went away right after the login: work from the cache


def training_session(url: str, login: str, password: str, *, interval: float = 60.0) -> Session:
    """A training session: a session-only key and a throw-away cache, removed on close."""
    client = PlatformClient(ClientConfig(url))
    client.login(login, password)
    folder = Path(tempfile.mkdtemp(prefix="posdesk-training-"))
    session = open_session(client, folder / "training.posdesk", session_key(), training=True, interval=interval)
    session.login = login
    session.worker.remember_password(password, login)  # the lock screen can check it offline (issue 12)
    session.cleanups.append(lambda: shutil.rmtree(folder, ignore_errors=True))
    return session
