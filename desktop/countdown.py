"""Deadline countdown text and urgency colours, shared by the queue table and the message card."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from offline_cache.domain.deadlines import DEFAULT_THRESHOLDS, Urgency, UrgencyThresholds, urgency

#: Text colour per urgency; chosen to stay readable on light and dark backgrounds.
URGENCY_COLOURS = {
    Urgency.OK: QColor("#2e7d32"),
    Urgency.SOON: QColor("#b26a00"),
    Urgency.CRITICAL: QColor("#d84315"),
    Urgency.OVERDUE: QColor("#c62828"),
}


def tr(text: str) -> str:
    return QCoreApplication.translate("Countdown", text)


def format_span(span: timedelta) -> str:
    """«2 дн 4 ч», «3 ч 5 мин», «35 мин»: a length of time as officials read it."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return tr("{d} дн {h} ч").format(d=days, h=hours)
    if hours:
        return tr("{h} ч {m} мин").format(h=hours, m=mins)
    return tr("{m} мин").format(m=mins)


def format_remaining(left: timedelta) -> str:
    """«осталось 2 дн 4 ч», «осталось 35 мин», «просрочено на 1 дн 3 ч»."""
    overdue = left <= timedelta(0)
    amount = format_span(-left if overdue else left)
    return (tr("просрочено на {amount}") if overdue else tr("осталось {amount}")).format(amount=amount)


def countdown(due: datetime | None, now: datetime,
              thresholds: UrgencyThresholds = DEFAULT_THRESHOLDS) -> tuple[str, Urgency | None]:
    """(text, urgency) for a deadline, or ("—", None) when none runs."""
    if due is None:
        return "—", None
    return format_remaining(due - now), urgency(due, now, thresholds)
