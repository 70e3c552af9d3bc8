"""Pure domain rules: statuses, roles, the workflow table, deadlines, staff and catalogues (no I/O)."""

from offline_cache.domain.deadlines import Term, TermKind, Urgency
from offline_cache.domain.model import (
    Action,
    Draft,
    DraftKind,
    HistoryEntry,
    ItemKind,
    ItemState,
    OrgLevel,
    Rejection,
    Role,
    StaffAction,
    Status,
)
from offline_cache.domain.staff import Absence, Actor, ApprovalChain, Organisation, StaffMember

__all__ = [
    "Absence",
    "Action",
    "Actor",
    "ApprovalChain",
    "Draft",
    "DraftKind",
    "HistoryEntry",
    "ItemKind",
    "ItemState",
    "OrgLevel",
    "Organisation",
    "Rejection",
    "Role",
    "StaffAction",
    "StaffMember",
    "Status",
    "Term",
    "TermKind",
    "Urgency",
]
