"""The platform's time as the workstation knows it: the local clock corrected by the last measured skew.

Deadlines are the platform's: a computer clock set wrong must not make an item look overdue or not.
The sync engine measures the skew (platform − local, seconds) from ``Me.server_time`` at each sync
and keeps it in ``cache.state("clock_skew")``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

#: Beyond this difference between the platform's clock and the computer's the window warns.
SKEW_WARNING_SECONDS = 120.0


class _State(Protocol):
    def state(self, key: str, default: str | None = None) -> str | None: ...


def skew_seconds(cache: _State) -> float:
    """The last measured difference platform − local, in seconds (0 before the first measurement)."""
    try:
        return float(cache.state("clock_skew") or 0.0)
    except ValueError:
        return 0.0


def platform_now(cache: _State, local: datetime | None = None) -> datetime:
    """The platform's time now (or at the local moment ``local``)."""
    return (local or datetime.now(UTC)) + timedelta(seconds=skew_seconds(cache))


def measure_skew(server_time: datetime, sent_at: datetime, received_at: datetime) -> float:
    """Skew from a server timestamp taken while a request was out: compared with the middle of the round trip."""
    middle = sent_at + (received_at - sent_at) / 2
    return (server_time - middle).total_seconds()


def skew_warning(seconds: float) -> str | None:
    """A Russian warning when the clocks differ by more than two minutes, else None."""
    if abs(seconds) <= SKEW_WARNING_SECONDS:
        return None
    minutes = round(abs(seconds) / 60)
    side = "отстают от" if seconds > 0 else "спешат относительно"
    return (f"Часы компьютера {side} часов платформы примерно на {minutes} мин. Сроки считаются по времени "
            "платформы; исправьте время на компьютере.")
