"""Logging out with a wipe (issue 12, point 5): the profile's cache and keyring entries go, but never silently
with actions not yet delivered to the platform.

A wipe is refused while the cache holds undelivered actions (pending, sending, failed, conflict), of
any official who used this cache; the refusal lists them first. The official may then give them up
explicitly (``discard_undelivered=True``), naming how many they saw, and the wipe goes ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from offline_cache.labels import history_action_name, outbox_state_name
from offline_cache.profile import ProfileSettings, cache_path, wipe
from offline_cache.store.cache import Cache, OutboxEntry

UNDELIVERED = ("pending", "sending", "failed", "conflict")


class WipeRefused(Exception):
    """The wipe would lose undelivered actions. ``message`` (Russian) lists them; ``entries`` are they."""

    def __init__(self, message: str, entries: list[OutboxEntry]) -> None:
        super().__init__(message)
        self.message = message
        self.entries = entries


def undelivered(cache: Cache) -> list[OutboxEntry]:
    """Every action in the cache not delivered yet, oldest first (whoever queued it)."""
    return cache.outbox(UNDELIVERED)


def describe(cache: Cache, entries: list[OutboxEntry]) -> list[str]:
    """One Russian line per entry: the item's number, the action, its state, who queued it."""
    numbers = dict(cache.db.execute("SELECT id, number FROM items").fetchall())
    return [f"№ {numbers.get(e.item_id, e.item_id)}: {history_action_name(e.action)} — {outbox_state_name(e.state)}"
            f"{f' (поставил {e.user_id})' if e.user_id else ''}" for e in entries]


@dataclass(frozen=True, slots=True)
class Wiped:
    """What a wipe removed: the files, and how many undelivered actions were given up."""

    files: list[Path]
    discarded: int


def wipe_profile(settings: ProfileSettings, key: bytes | None, *, discard_undelivered: int | None = None) -> Wiped:
    """Remove the profile's cache (with -wal, -shm), its key, its tokens and the remembered profile.

    ``key`` opens the cache to look for undelivered actions (None: no key, so nothing can be read or
    lost by wiping). Refused with WipeRefused while there are any, unless ``discard_undelivered`` is
    exactly how many the official was shown (so a new one queued meanwhile is not given up unseen).
    """
    path = cache_path(settings.profile)
    waiting: list[OutboxEntry] = []
    if key is not None and path.exists():
        cache = Cache.open(path, key, create=False, upgrade=False)
        try:
            waiting = undelivered(cache)
            lines = describe(cache, waiting)
        finally:
            cache.close()
        if waiting and discard_undelivered != len(waiting):
            raise WipeRefused(
                f"В локальном кэше {len(waiting)} не доставленных на платформу действий:\n" + "\n".join(lines) +
                "\nУдаление кэша их потеряет. Дождитесь отправки (или отмените их в окне «Исходящие»), либо явно "
                "откажитесь от них и повторите удаление.", waiting)
    return Wiped(wipe(settings), len(waiting))
