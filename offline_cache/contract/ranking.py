"""API v1 schema of the ranking of organisations (issue 13 p.6): aggregates only, never citizens' messages."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime

from offline_cache.contract.models import Response
from offline_cache.domain.model import OrgLevel

#: GET with ``start`` and ``end`` (YYYY-MM-DD, both days included, on each organisation's calendar).
RANKING_PATH = "/reports/ranking"


class RankingRowOut(Response):
    """One organisation's figures for the period, with the counts behind the shares and averages
    (definitions: ``offline_cache.ranking``)."""

    org_id: str
    name: str
    level: OrgLevel
    parent_id: str | None
    timezone: str
    received: int
    answered: int
    answered_in_time: int
    in_time_share: float | None
    average_hours: float | None
    rated: int
    average_rating: float | None
    reprocessed: int
    reprocessed_share: float | None


class RankingOut(Response):
    """The figures of every organisation below the caller's, for [start, end], as computed at ``computed_at``."""

    start: date
    end: date
    scope_org_id: str
    computed_at: AwareDatetime
    rows: list[RankingRowOut]
