"""History lines of the card, saying who acted for whom when a deputy acted for an absent colleague."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QCoreApplication

from desktop.labels import history_action_name, status_name
from offline_cache.contract.models import HistoryOut, Item, StaffOut
from offline_cache.domain.model import Action, Role
from offline_cache.store.cache import Cache

#: The role an action needs: a deputy who lacks it acted for the absent colleague who has it.
_NEEDS = {
    Action.ROUTE_TO_EXECUTOR: Role.COORDINATOR, Action.REASSIGN: Role.COORDINATOR, Action.REDIRECT: Role.COORDINATOR,
    Action.TAKE_INTO_WORK: Role.COORDINATOR, Action.REJECT: Role.COORDINATOR,
    Action.STOP_REPROCESSING: Role.COORDINATOR,
}
_APPROVING = {Action.APPROVE.value, Action.RETURN_FOR_REVISION.value}


def _t(text: str) -> str:
    return QCoreApplication.translate("CardHistory", text)


def acted_for(entry: HistoryOut, item: Item, staff: dict[str, StaffOut]) -> StaffOut | None:
    """The absent colleague ``entry``'s actor covered, when the action was theirs to do.

    The platform's history records only the actor; the directory says who was absent then and
    whom they named as deputy, which identifies the covered colleague: the item's assignee for
    work on the answer, else the absent colleague holding the role the actor lacks.
    """
    actor = staff.get(entry.actor_id or "")
    if actor is None:
        return None
    covered = [m for m in staff.values() if m.deputy_id == actor.id and m.absence is not None
               and m.absence.starts_at <= entry.at < m.absence.ends_at and m.org_id == actor.org_id]
    if not covered:
        return None
    for member in covered:
        if member.id == item.assignee_id and entry.action not in _APPROVING and entry.action not in _NEEDS:
            return member
    own = set(actor.roles)
    needed: set[Role] = {Role.HEAD, Role.CURATOR} if entry.action in _APPROVING else set()
    if entry.action in _NEEDS:
        needed = {_NEEDS[Action(entry.action)]}
    for member in covered:
        if needed & set(member.roles) and not needed & own:
            return member
    return None


def delivered_for(reader: Cache, item_id: str) -> dict[tuple[str, str], str]:
    """(official, action) → the colleague it was done for, from this workstation's delivered outbox entries.

    The platform's history does not say it; the outbox recorded it when the deputy queued the action.
    """
    rows = reader.db.execute("SELECT user_id, action, acting_for FROM outbox WHERE item_id=? AND state='done' "
                             "AND acting_for IS NOT NULL ORDER BY id", [item_id])
    return {(str(user), str(action)): str(absent) for user, action, absent in rows}


def history_lines(reader: Cache, item: Item, local: Callable[[datetime | None], str]) -> list[str]:
    """Newest first: «когда · действие → статус · кто [за кого] · комментарий»."""
    staff = {s.id: s for s in reader.staff()}
    recorded = delivered_for(reader, item.id)
    lines = []
    for h in reversed(item.history):
        member = staff.get(h.actor_id or "")
        who = member.full_name if member else (_t("платформа") if h.actor_id is None else str(h.actor_id))
        covered = acted_for(h, item, staff)
        if covered is None and (h.actor_id or "", h.action) in recorded:
            covered = staff.get(recorded[(h.actor_id or "", h.action)])
        if covered is not None:
            who += _t(" за {name}").format(name=covered.full_name)
        what = history_action_name(h.action)
        line = f"{local(h.at)} · {what} → {status_name(h.to_status)} · {who}"
        if h.comment:
            line += f" · {h.comment}"
        lines.append(line)
    return lines
