"""The administrator's side of the workstation without Qt: the local audit line of every admin change, and the
staff and categories as the cache holds them (what the read-only screens show offline)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from offline_cache.audit_chain import seal
from offline_cache.contract.models import StaffOut
from offline_cache.domain.deadlines import TermKind
from offline_cache.store.cache import Cache

#: ``audit_log.event`` of an administrative change made from this workstation.
ADMIN_AUDIT_EVENT = "admin_change"

#: Russian names of administrative changes (the audit log's «Действие»); other features add theirs.
ADMIN_ACTION_NAMES: dict[str, str] = {
    "staff_added": "Добавлен сотрудник",
    "roles_changed": "Изменены роли",
    "staff_deactivated": "Отключён сотрудник",
    "category_added": "Добавлена категория",
    "category_changed": "Изменена категория",
    "category_retired": "Категория выведена из употребления",
}


def admin_action_name(action: str) -> str:
    return ADMIN_ACTION_NAMES.get(action, f"Администрирование ({action})")


@dataclass(frozen=True, slots=True)
class CachedCategory:
    """A category as the cache keeps it (the platform's ``retired`` flag is only known online)."""

    code: str
    name: str
    parent_code: str | None
    term_kind: TermKind
    term_days: int
    retired: bool = False


def audit_admin(cache: Cache, user_id: str | None, action: str, summary: str, target: str = "") -> None:
    """One line of the local audit log (hash-chained like every line) for an administrative change."""
    with cache.transaction():
        cache.db.execute("INSERT INTO audit_log (at, event, item_id, details, user_id, action, error) "
                         "VALUES (?, ?, NULL, ?, ?, ?, '')",
                         [datetime.now(UTC).isoformat(), ADMIN_AUDIT_EVENT,
                          f"{target}: {summary}" if target else summary, user_id, action])
        seal(cache.db)


def admin_audit_lines(cache: Cache, limit: int = 200) -> list[tuple[str, str, str, str]]:
    """(at, user id, action, details) of the administrative changes made here, newest first."""
    rows = cache.db.execute("SELECT at, COALESCE(user_id, ''), COALESCE(action, ''), details FROM audit_log "
                            "WHERE event=? ORDER BY id DESC LIMIT ?", [ADMIN_AUDIT_EVENT, limit])
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]


def cached_staff(cache: Cache, org_id: str) -> list[StaffOut]:
    """The organisation's staff as last synced, active first, by name (SQL orders; the record holds the rest)."""
    rows = cache.db.execute("SELECT record FROM staff WHERE org_id=? ORDER BY full_name, id", [org_id])
    staff = [StaffOut.model_validate_json(r[0]) for r in rows]
    return sorted(staff, key=lambda s: not s.active)  # stable: name order kept within each group


def cached_categories(cache: Cache) -> list[CachedCategory]:
    """Categories as last synced: each top-level one followed by its subcategories, by name."""
    rows = cache.db.execute(
        "SELECT c.code, c.name, c.parent_code, c.term_kind, c.term_days FROM categories c "
        "LEFT JOIN categories p ON p.code = c.parent_code "
        "ORDER BY COALESCE(p.name, c.name), COALESCE(p.code, c.code), c.parent_code IS NOT NULL, c.name")
    return [CachedCategory(str(code), str(name), parent, TermKind(kind), int(days))
            for code, name, parent, kind, days in rows]
