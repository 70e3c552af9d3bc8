"""The official's hand on the outbox: cancel before delivery, discard, resend corrected, re-apply, accept theirs.

Nothing disappears silently: every entry ends in a state the official chose or the platform gave,
with its payload kept, and each step is in the audit log. Only the official who queued an entry may
change it. All of this runs on the cache's writer (the worker thread).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from offline_cache.actions import Performed, perform, replay
from offline_cache.domain.workflow import DomainError
from offline_cache.store.cache import Cache, OutboxEntry
from offline_cache.store.local import LocalDraft


class OutboxRefused(DomainError):
    """The entry cannot be changed that way; ``message`` says why, in Russian."""


class Outbox:
    """Operations on one cache's outbox."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def entries(self, states: Iterable[str] | None = None, user_id: str | None = None) -> list[OutboxEntry]:
        """Entries in ``states`` (all when None), of ``user_id`` when given, oldest first."""
        return self.cache.outbox(states, user_id=user_id)

    def _own(self, entry_id: int, states: tuple[str, ...], what: str) -> OutboxEntry:
        entry = self.cache.outbox_entry(entry_id)
        if entry is None:
            raise OutboxRefused("Действие не найдено в очереди")
        me = self.cache.me_id()
        if entry.user_id is not None and entry.user_id != me:
            raise OutboxRefused("Это действие поставил в очередь другой сотрудник: изменить его может только он")
        if entry.state not in states:
            raise OutboxRefused(f"{what} нельзя: действие {_STATE_PHRASE.get(entry.state, entry.state)}")
        return entry

    def cancel(self, entry_id: int) -> OutboxEntry:
        """Withdraw an action not sent yet; its optimistic change is rolled back (the rest still shows)."""
        entry = self._own(entry_id, ("pending",), "Отменить")
        # A cancelled answer is not sent, but its text is not lost: it goes back to the editor as the
        # local draft, unless the official has typed on since (a newer local draft wins).
        draft = None if self.cache.local_draft(entry.item_id) is not None else _draft_of(entry)
        return self.cache.finish(entry.id, "cancelled", predicted=replay(self.cache, entry.item_id, skip=entry.id),
                                 draft=draft)

    def discard(self, entry_id: int) -> OutboxEntry:
        """Give up a failed or conflicting action, explicitly (it stays listed as discarded)."""
        entry = self._own(entry_id, ("failed", "conflict"), "Отказаться от действия")
        return self.cache.finish(entry.id, "discarded")

    def resend(self, entry_id: int, payload: dict[str, Any] | None = None) -> OutboxEntry:
        """Queue a failed action again on the item's current version, with a corrected payload."""
        entry = self._own(entry_id, ("failed",), "Отправить повторно")
        return self._again(entry, entry.payload if payload is None else payload).entry

    def reapply(self, entry_id: int) -> OutboxEntry:
        """Queue a conflicting action again over the platform's current version."""
        entry = self._own(entry_id, ("conflict",), "Применить повторно")
        return self._again(entry, entry.payload).entry

    def accept_theirs(self, entry_id: int) -> OutboxEntry:
        """Keep the platform's version; the official's text, if the action carried one, becomes the local draft."""
        entry = self._own(entry_id, ("conflict",), "Принять версию платформы")
        return self.cache.finish(entry.id, "resolved", draft=_draft_of(entry))

    def _again(self, entry: OutboxEntry, payload: dict[str, Any]) -> Performed:
        # An approval or a return binds to the draft shown now (the conflict showed the new text beside
        # the old): ``perform`` takes the digest afresh from the cached item, never the stale one.
        fresh = {key: value for key, value in payload.items() if key != "draft_digest"}
        return perform(self.cache, entry.item_id, entry.action, fresh, supersedes=entry.id)


def _draft_of(entry: OutboxEntry) -> LocalDraft | None:
    """The answer an entry carried, as a local draft (None when it carried no text)."""
    text = entry.payload.get("text")
    if not isinstance(text, str) or not text:
        return None
    planned = entry.payload.get("planned_date")
    return LocalDraft(entry.item_id, text, "interim" if entry.action == "interim_answer" else "final",
                      date.fromisoformat(planned) if isinstance(planned, str) else None,
                      tuple(str(a) for a in entry.payload.get("attachment_ids") or []))


_STATE_PHRASE = {
    "pending": "ещё ждёт отправки",
    "sending": "уже отправляется",
    "done": "уже доставлено",
    "failed": "отклонено платформой",
    "conflict": "в конфликте с версией платформы",
    "cancelled": "уже отменено",
    "discarded": "уже отброшено",
    "resolved": "уже разрешено",
}
