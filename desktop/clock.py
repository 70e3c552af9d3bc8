"""Times as officials read them: the organisation's zone, labelled (UTC+N), and the platform's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def utc_label(zone: ZoneInfo, moment: datetime | None = None) -> str:
    """«UTC+5» for Yekaterinburg; half-hour zones keep their minutes («UTC+5:30»)."""
    offset = (moment or datetime.now(UTC)).astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_time(moment: datetime, zone: ZoneInfo) -> str:
    """«10.03.2026 14:00» in ``zone``."""
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M")


def skewed(skew: Callable[[], float], local: Clock | None = None) -> Clock:
    """The platform's time: the local clock plus the measured difference (seconds, platform − local)."""
    base = local or (lambda: datetime.now(UTC))
    return lambda: base() + timedelta(seconds=skew())
