"""The ranking as the platform computes it (for a regional coordinator), kept in the cache for offline reading.

A regional coordinator's cache cannot compute the ranking (``offline_cache.ranking.access``), so the platform
sends the figures (``GET /reports/ranking``). The last answer per period is kept as JSON in ``sync_state``
under ``ranking:<first>:<last>`` (no migration), so the window shows it offline, saying when it was computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from offline_cache.client import PlatformClient
from offline_cache.contract.ranking import RankingOut
from offline_cache.errors import AuthError, AuthExpiredError, OfflineError, ServerError
from offline_cache.ranking import OrgFigures, Period
from offline_cache.store.cache import Cache

#: Failures after which the last fetched figures are shown: the platform is out of reach for now.
UNREACHABLE = (OfflineError, ServerError, AuthExpiredError, AuthError)


@dataclass(frozen=True, slots=True)
class Fetched:
    """What the window shows: the figures (None: none fetched for the period yet), whether they came just now,
    and why the platform could not be asked (Russian; empty when it answered)."""

    ranking: RankingOut | None
    fresh: bool
    offline_reason: str = ""


def state_key(period: Period) -> str:
    return f"ranking:{period.first.isoformat()}:{period.last.isoformat()}"


def fetch(client: PlatformClient, period: Period) -> RankingOut:
    """The platform's figures for ``period`` (network: call on the worker)."""
    return client.ranking(period.first, period.last)


def fetch_or_stored(client: PlatformClient, cache: Cache, period: Period) -> Fetched:
    """Ask the platform and keep its answer; out of reach, the last answer kept for the period (worker thread).
    Any other refusal (403, 422) is raised: it is an answer, not an outage."""
    try:
        ranking = fetch(client, period)
    except UNREACHABLE as exc:
        return Fetched(stored(cache, period), False, exc.message)
    store(cache, ranking)
    return Fetched(ranking, True)


#: Periods kept: a custom period per keystroke must not grow the cache without end.
KEPT = 24
_PRUNE = """
DELETE FROM sync_state WHERE key LIKE 'ranking:%' AND key NOT IN (
    SELECT key FROM sync_state WHERE key LIKE 'ranking:%' ORDER BY value ->> '$.computed_at' DESC, key LIMIT ?)
"""


def store(cache: Cache, ranking: RankingOut) -> None:
    """Keep ``ranking`` for its period, and only the ``KEPT`` most recently computed periods."""
    cache.set_state(state_key(Period(ranking.start, ranking.end)), ranking.model_dump_json())
    cache.db.execute(_PRUNE, [KEPT])


def stored(cache: Cache, period: Period) -> RankingOut | None:
    """The last figures fetched for ``period``, or None when never fetched (or unreadable: fetch again)."""
    raw = cache.state(state_key(period))
    if raw is None:
        return None
    try:
        return RankingOut.model_validate_json(raw)
    except ValueError:
        return None


def figures(ranking: RankingOut) -> list[OrgFigures]:
    """The platform's rows as the window's rows (the same fields as a cache-computed ranking)."""
    return [OrgFigures(r.org_id, r.name, r.level, r.parent_id, received=r.received, answered=r.answered,
                       answered_in_time=r.answered_in_time, average_hours=r.average_hours, rated=r.rated,
                       average_rating=r.average_rating, reprocessed=r.reprocessed) for r in ranking.rows]


def utc_offset(moment: datetime) -> str:
    """«UTC+5», «UTC+3:30», «UTC−1» for an aware moment."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def as_of(ranking: RankingOut, zone: str) -> str:
    """«по данным платформы на 10.03.2026 14:00 (UTC+5)»: when the figures were computed, in ``zone``."""
    local = ranking.computed_at.astimezone(ZoneInfo(zone))
    return f"по данным платформы на {local:%d.%m.%Y %H:%M} ({utc_offset(local)})"
