"""The Администратор ЛКО's operations on the training platform: the admin guard, the admin-events log,
staff (add, roles, deactivate) and categories with their answer terms.

``require_admin`` and ``record_event`` are shared by every administrative feature (auto-rules and
organisation templates use them too): only the organisation's administrators may change its set-up,
and every change lands in the platform's history.
"""

from __future__ import annotations

import weakref
from datetime import datetime

from offline_cache.contract.admin import (
    AdminEventOut,
    AdminStaffOut,
    CategoryChangeRequest,
    DeactivationPreview,
    DeactivationResult,
    NewCategoryRequest,
    NewStaffRequest,
)
from offline_cache.contract.convert import staff_to_contract, stage_terms_to_contract, stage_terms_to_domain
from offline_cache.contract.models import CategoryOut, HistoryOut, Item, StaffOut
from offline_cache.domain.administration import (
    ASSIGNEE_STATUSES,
    TERM_KIND_NAMES,
    missing_required_role,
    term_of,
    term_problem,
)
from offline_cache.domain.deadlines import routing_due
from offline_cache.domain.model import Role, Status
from offline_cache.domain.staff import Actor, StaffMember
from training_platform.service import ApiError, Platform
from training_platform.store import Store, staff_from_json, staff_to_json

#: The 403 every administrative endpoint answers to anyone but the organisation's administrators.
ADMIN_ONLY = "Это может только администратор ЛКО своей организации"

#: Role names in the history's summaries (the platform may not use the workstation's labels module).
ROLE_NAMES = {Role.ADMIN: "Администратор ЛКО", Role.COORDINATOR: "Координатор", Role.EXECUTOR: "Исполнитель",
              Role.HEAD: "Руководитель", Role.CURATOR: "Куратор"}

#: Tables of this module; created on first use (``CREATE ... IF NOT EXISTS`` is safe inside a transaction).
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS admin_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, org_id TEXT NOT NULL, "
    "at TEXT NOT NULL, actor_id TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, summary TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS admin_events_org ON admin_events (org_id, seq)",
    # Deactivated members leave ``staff`` (no login, no routing to them) but are kept here with their name.
    "CREATE TABLE IF NOT EXISTS staff_inactive (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, data TEXT NOT NULL, "
    "deactivated_at TEXT NOT NULL)",
)
_READY: weakref.WeakSet[Store] = weakref.WeakSet()


def _ready(store: Store) -> Store:
    if store not in _READY:
        with store.lock:
            for statement in _SCHEMA:
                store.conn.execute(statement)
        _READY.add(store)
    return store


# --- the guard and the history -----------------------------------------------------------------


def require_admin(platform: Platform, user: StaffMember) -> Actor:
    """The acting administrator; a 403 (``forbidden``, in Russian) for anyone without the admin role.

    Effective roles count: a deputy covering an absent administrator administers in their place.
    Whatever is changed must then be of ``actor.org_id``, the administrator's own organisation.
    """
    with platform.store.lock:
        actor = platform.actor(user)
    if Role.ADMIN not in actor.roles:
        raise ApiError(403, "forbidden", ADMIN_ONLY)
    return actor


def record_event(platform: Platform, actor: Actor, action: str, target: str, summary: str) -> AdminEventOut:
    """Add an administrative change to the platform's history (call inside the change's transaction)."""
    store = _ready(platform.store)
    at = platform.clock.now()
    # Workstations compare this with their last ``GET /me`` and download the directory again when it moved.
    store.set_meta("directory_version", str(int(store.get_meta("directory_version") or 0) + 1))
    cursor = store.conn.execute(
        "INSERT INTO admin_events (org_id, at, actor_id, action, target, summary) VALUES (?, ?, ?, ?, ?, ?)",
        (actor.org_id, at.isoformat(), actor.user_id, action, target, summary))
    return AdminEventOut(seq=int(cursor.lastrowid or 0), at=at, org_id=actor.org_id, actor_id=actor.user_id,
                         action=action, target=target, summary=summary)


def admin_events(platform: Platform, user: StaffMember, limit: int = 200) -> list[AdminEventOut]:
    """The organisation's administrative history, newest first."""
    actor = require_admin(platform, user)
    store = _ready(platform.store)
    with store.lock:
        rows = store.conn.execute("SELECT seq, at, org_id, actor_id, action, target, summary FROM admin_events "
                                  "WHERE org_id=? ORDER BY seq DESC LIMIT ?", (actor.org_id, limit)).fetchall()
    return [AdminEventOut(seq=r[0], at=datetime.fromisoformat(r[1]), org_id=r[2], actor_id=r[3], action=r[4],
                          target=r[5], summary=r[6]) for r in rows]


# --- staff ---------------------------------------------------------------------------------------


def _inactive(store: Store) -> dict[str, StaffMember]:
    rows = _ready(store).conn.execute("SELECT data FROM staff_inactive ORDER BY id")
    return {m.id: m for m in (staff_from_json(r[0]) for r in rows)}


def directory_staff(platform: Platform) -> list[StaffOut]:
    """``GET /directory/staff``: active staff, then the deactivated ones (``active: false``) for history."""
    with platform.store.lock:
        active = [staff_to_contract(m) for m in platform.store.staff().values()]
        gone = [staff_to_contract(m).model_copy(update={"active": False})
                for m in _inactive(platform.store).values()]
    return active + gone


def _roles_text(roles: frozenset[Role] | list[Role]) -> str:
    return ", ".join(ROLE_NAMES[r] for r in sorted(roles)) or "—"


def _open_items(store: Store, member_id: str) -> list[Item]:
    """Items waiting for ``member_id`` as their assignee (they go back to routing on deactivation)."""
    items = (store.get_item(item_id) for item_id in store.participant_items(member_id))
    return sorted((i for i in items if i is not None and i.assignee_id == member_id
                   and i.status in ASSIGNEE_STATUSES), key=lambda i: i.number)


def _logins(store: Store) -> dict[str, str]:
    return {str(staff_id): str(login) for login, staff_id in
            store.conn.execute("SELECT login, staff_id FROM credentials ORDER BY login")}


def admin_staff(platform: Platform, user: StaffMember) -> list[AdminStaffOut]:
    """The organisation's staff for the administrator: active and deactivated, logins, open items."""
    actor = require_admin(platform, user)
    store = platform.store
    with store.lock:
        logins = _logins(store)
        result = [AdminStaffOut(staff=staff_to_contract(m), login=logins.get(m.id, ""),
                                open_items=len(_open_items(store, m.id)))
                  for m in store.staff().values() if m.org_id == actor.org_id]
        result += [AdminStaffOut(staff=staff_to_contract(m).model_copy(update={"active": False}),
                                 login=logins.get(m.id, ""))
                   for m in _inactive(store).values() if m.org_id == actor.org_id]
    return result


def _member(platform: Platform, actor: Actor, staff_id: str) -> StaffMember:
    member = platform.store.staff().get(staff_id)
    if member is None or member.org_id != actor.org_id:
        if staff_id in _inactive(platform.store):
            raise ApiError(409, "conflict", "Сотрудник уже отключён")
        raise ApiError(404, "not_found", "Сотрудник не найден в вашей организации")
    return member


def _members(platform: Platform, org_id: str) -> list[tuple[str, frozenset[Role], bool]]:
    return [(m.id, m.roles, True) for m in platform.store.staff().values() if m.org_id == org_id]


def add_staff(platform: Platform, user: StaffMember, req: NewStaffRequest) -> StaffOut:
    """A new member of the administrator's organisation, who can log in with ``req.password``."""
    actor = require_admin(platform, user)
    store = platform.store
    with store.transaction():
        if store.conn.execute("SELECT 1 FROM credentials WHERE login=?", (req.login.lower(),)).fetchone():
            raise ApiError(409, "conflict", f"Логин «{req.login}» уже занят", field="login")
        full_name = req.full_name.strip()
        if not full_name:
            raise ApiError(422, "invalid", "Укажите фамилию, имя и отчество", field="full_name")
        member = StaffMember(platform._new_id("u"), actor.org_id, full_name, frozenset(req.roles),
                             req.position.strip())
        store.put_staff(member)
        store.put_credential(req.login, req.password, member.id, hint=False)
        record_event(platform, actor, "staff_added", member.id,
                     f"Добавлен сотрудник {member.full_name} (логин {req.login.lower()}), роли: "
                     f"{_roles_text(member.roles)}")
        return staff_to_contract(member)


def set_roles(platform: Platform, user: StaffMember, staff_id: str, roles: list[Role]) -> StaffOut:
    """Change a member's roles; refused if the organisation would be left without an admin or a coordinator."""
    actor = require_admin(platform, user)
    store = platform.store
    with store.transaction():
        member = _member(platform, actor, staff_id)
        new_roles = frozenset(roles)
        problem = missing_required_role(_members(platform, actor.org_id), changed_id=member.id, new_roles=new_roles)
        if problem:
            raise ApiError(409, "conflict", problem, field="roles")
        updated = StaffMember(member.id, member.org_id, member.full_name, new_roles, member.position,
                              member.absence, member.deputy_id)
        store.put_staff(updated)
        record_event(platform, actor, "roles_changed", member.id,
                     f"Роли сотрудника {member.full_name}: {_roles_text(member.roles)} → {_roles_text(new_roles)}")
        return staff_to_contract(updated)


def deactivation_preview(platform: Platform, user: StaffMember, staff_id: str) -> DeactivationPreview:
    """What deactivating ``staff_id`` would do: how many open items return to routing, or why it is refused."""
    actor = require_admin(platform, user)
    with platform.store.lock:
        member = _member(platform, actor, staff_id)
        items = _open_items(platform.store, member.id)
        refusal = _deactivation_refusal(platform, actor, member)
    return DeactivationPreview(staff_id=member.id, open_items=len(items), numbers=[i.number for i in items],
                               refusal=refusal)


def _deactivation_refusal(platform: Platform, actor: Actor, member: StaffMember) -> str | None:
    if member.id == actor.user_id:
        return "Нельзя отключить самого себя: это сделает другой администратор"
    return missing_required_role(_members(platform, actor.org_id), changed_id=member.id, new_roles=None)


def deactivate(platform: Platform, user: StaffMember, staff_id: str) -> DeactivationResult:
    """Deactivate a member (never delete): no more logins; their open items go back to the coordinator's queue
    with a history entry; colleagues they deputised for lose that deputy."""
    actor = require_admin(platform, user)
    store = platform.store
    with store.transaction():
        member = _member(platform, actor, staff_id)
        refusal = _deactivation_refusal(platform, actor, member)
        if refusal:
            raise ApiError(409, "conflict", refusal)
        now = platform.clock.now()
        items = _open_items(store, member.id)
        zone = store.orgs()[member.org_id].timezone
        for item in items:
            entry = HistoryOut(at=now, actor_id=actor.user_id, action="return_to_routing", from_status=item.status,
                               to_status=Status.AWAITING_ROUTING,
                               comment=f"Сотрудник {member.full_name} отключён администратором: сообщение "
                                       "возвращено на распределение")
            store.put_item(item.model_copy(update={
                "status": Status.AWAITING_ROUTING, "assignee_id": None, "approval_step": None,
                "routing_due_at": routing_due(now, zone), "version": item.version + 1,
                "history": [*item.history, entry], "updated_at": now}))
        for other in store.staff().values():
            if other.deputy_id == member.id:  # nobody may deputise through a closed account
                store.put_staff(StaffMember(other.id, other.org_id, other.full_name, other.roles, other.position))
        store.conn.execute("DELETE FROM staff WHERE id=?", (member.id,))
        store.conn.execute("INSERT OR REPLACE INTO staff_inactive VALUES (?, ?, ?, ?)",
                           (member.id, member.org_id, staff_to_json(member), now.isoformat()))
        store.conn.execute("DELETE FROM tokens WHERE user_id=?", (member.id,))
        numbers = [i.number for i in items]
        summary = f"Отключён сотрудник {member.full_name}"
        if numbers:
            summary += f"; на распределение возвращено сообщений: {len(numbers)} ({', '.join(numbers)})"
        record_event(platform, actor, "staff_deactivated", member.id, summary)
        return DeactivationResult(staff=staff_to_contract(member).model_copy(update={"active": False}),
                                  returned_items=len(items), numbers=numbers)


# --- categories ----------------------------------------------------------------------------------


def _category_term(kind: str, days: int | None) -> tuple[str, int]:
    problem = term_problem(kind, days)
    if problem:
        raise ApiError(422, "invalid", problem, field="term_days")
    term = term_of(kind, days)
    return term.kind.value, term.days


def _served(category: CategoryOut) -> CategoryOut:
    """The category as ``GET /categories`` serves it: stage control terms filled in with the defaults."""
    return category.model_copy(update={"stage_terms": stage_terms_to_contract(stage_terms_to_domain(category))})


def _name(raw: str) -> str:
    name = raw.strip()
    if not name:
        raise ApiError(422, "invalid", "Укажите название категории", field="name")
    return name


def _term_text(category: CategoryOut) -> str:
    return f"{category.term_days} дн. ({TERM_KIND_NAMES[category.term_kind].split(' (')[0].lower()})"


def add_category(platform: Platform, user: StaffMember, req: NewCategoryRequest) -> CategoryOut:
    """A new category or subcategory of the administrator's organisation."""
    actor = require_admin(platform, user)
    kind, days = _category_term(req.term_kind, req.term_days)
    store = platform.store
    with store.transaction():
        existing = {c.code: c for c in store.categories(actor.org_id)}
        if req.code in existing:
            raise ApiError(409, "conflict", f"Код «{req.code}» уже занят", field="code")
        if req.parent_code is not None:
            parent = existing.get(req.parent_code)
            if parent is None or parent.retired:
                raise ApiError(422, "invalid", "Родительская категория не найдена", field="parent_code")
            if parent.parent_code is not None:
                raise ApiError(422, "invalid", "Подкатегория не может содержать подкатегорий", field="parent_code")
        category = CategoryOut.model_validate({"code": req.code, "name": _name(req.name),
                                               "parent_code": req.parent_code, "term_kind": kind, "term_days": days})
        store.put_categories(actor.org_id, [category])
        what = "подкатегория" if req.parent_code else "категория"
        record_event(platform, actor, "category_added", category.code,
                     f"Добавлена {what} «{category.name}», срок ответа {_term_text(category)}")
        return _served(category)


def _category(platform: Platform, actor: Actor, code: str) -> CategoryOut:
    found = {c.code: c for c in platform.store.categories(actor.org_id)}.get(code)
    if found is None:
        raise ApiError(404, "not_found", "Категория не найдена")
    return found


def change_category(platform: Platform, user: StaffMember, code: str, req: CategoryChangeRequest) -> CategoryOut:
    """New name and term; items registered before keep their due dates, later ones get the new term."""
    actor = require_admin(platform, user)
    kind, days = _category_term(req.term_kind, req.term_days)
    store = platform.store
    with store.transaction():
        before = _category(platform, actor, code)
        if before.retired:
            raise ApiError(409, "conflict", "Категория выведена из употребления: её нельзя изменить")
        after = CategoryOut.model_validate({**before.model_dump(mode="json"), "name": _name(req.name),
                                            "term_kind": kind, "term_days": days})
        store.put_categories(actor.org_id, [after])
        record_event(platform, actor, "category_changed", code,
                     f"Категория «{before.name}»: срок {_term_text(before)} → {_term_text(after)}"
                     + (f", название → «{after.name}»" if after.name != before.name else ""))
        return _served(after)


def retire_category(platform: Platform, user: StaffMember, code: str) -> CategoryOut:
    """Stop using a category (and its subcategories): no new messages in it; its name stays for history."""
    actor = require_admin(platform, user)
    store = platform.store
    with store.transaction():
        before = _category(platform, actor, code)
        if before.retired:
            raise ApiError(409, "conflict", "Категория уже выведена из употребления")
        retired = [c.model_copy(update={"retired": True}) for c in store.categories(actor.org_id)
                   if c.code == code or c.parent_code == code]
        store.put_categories(actor.org_id, retired)
        record_event(platform, actor, "category_retired", code, f"Выведена из употребления категория «{before.name}»"
                     + (f" и её подкатегории ({len(retired) - 1})" if len(retired) > 1 else ""))
        return _served(before.model_copy(update={"retired": True}))

