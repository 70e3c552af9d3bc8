"""59-ФЗ appeals: the head's one extension of the term, and the 7-day redirect countdown.

Appeals (обращения) get 30 calendar days from registration (art. 12 part 1); the head may extend
the term once, by up to 30 days, notifying the applicant (art. 12 part 2). An appeal outside the
organisation's competence is redirected within 7 days of registration (art. 8 part 3). Messages of
the platform are not appeals and have no extension [KR 2].
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from offline_cache.domain.deadlines import calendar_term_end
from offline_cache.domain.model import Action, ItemKind, Status

MAX_EXTENSION_DAYS = 30
APPEAL_REDIRECT_DAYS = 7

REGIMES: dict[ItemKind, str] = {
    ItemKind.APPEAL: ("Обращение по 59-ФЗ: ответ в течение 30 дней с регистрации; руководитель может один раз "
                      "продлить срок не более чем на 30 дней, уведомив заявителя; если вопрос не в компетенции "
                      "организации — перенаправить в течение 7 дней с регистрации"),
    ItemKind.MESSAGE: "Сообщение ПОС (не обращение по 59-ФЗ): срок по регламенту платформы, без продления",
    ItemKind.OPEN_SOURCE: ("Сообщение из открытых источников: обрабатывается как сообщение ПОС, "
                           "срок по регламенту платформы, без продления"),
}


class _Appeal(Protocol):
    @property
    def kind(self) -> ItemKind: ...
    @property
    def status(self) -> Status: ...
    @property
    def registered_at(self) -> datetime: ...


def regime(kind: ItemKind) -> str:
    """Which rules apply to an item of ``kind``, for the card."""
    return REGIMES[kind]


class _Step(Protocol):
    @property
    def action(self) -> str: ...


class _WithHistory(_Appeal, Protocol):
    @property
    def history(self) -> Sequence[_Step]: ...


def already_extended(item: _WithHistory) -> bool:
    return any(step.action == Action.EXTEND_TERM.value for step in item.history)


def extension_refusal(item: _WithHistory) -> str | None:
    """Why the term of ``item`` cannot be extended by anyone, in Russian; None when it can."""
    if item.kind is not ItemKind.APPEAL:
        return "продлить срок можно только обращению по 59-ФЗ: у сообщений ПОС продления нет"
    if already_extended(item):
        return "срок по этому обращению уже продлевался: по 59-ФЗ его продлевают один раз"
    return None


def extension_days_problem(days: object) -> str | None:
    """Why ``days`` is no valid extension, in Russian; None when it is."""
    if isinstance(days, bool) or not isinstance(days, int):
        return "укажите, на сколько дней продлевается срок"
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        return f"срок продлевают не более чем на {MAX_EXTENSION_DAYS} дней (59-ФЗ, ст. 12)"
    return None


def extended_due(due_at: datetime, days: int, zone: str | ZoneInfo) -> datetime:
    """The due time moved by ``days`` calendar days on the organisation's calendar, in UTC."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    local = due_at.astimezone(tz)
    moved = datetime.combine(local.date() + timedelta(days=days), time(local.hour, local.minute), tzinfo=tz)
    return moved.astimezone(ZoneInfo("UTC"))


def redirect_due(item: _Appeal, zone: str | ZoneInfo) -> datetime | None:
    """When an appeal outside the competence must be redirected: 7 days from registration.

    None for messages and once the item left routing (it was assigned, answered or redirected);
    re-processing after a low rating is no new registration, so it has no such countdown.
    """
    if item.kind is not ItemKind.APPEAL or item.status is not Status.AWAITING_ROUTING:
        return None
    return calendar_term_end(item.registered_at, APPEAL_REDIRECT_DAYS, zone)
