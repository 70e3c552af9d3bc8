"""Auto-rules on the training platform: the administrator's ordered rules and their use on arriving messages.

Matching and conflicts are ``offline_cache.domain.auto_rules`` (the workstation shows the same
conflicts before saving); here are storage and routing a new message as a coordinator would, with
the rule named in the item's history. The admin guard and the history of changes are
``training_platform.admin``'s.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from offline_cache.contract.admin_rules import AutoRuleIn, AutoRuleOrder, AutoRuleOut, rule_to_domain
from offline_cache.contract.convert import item_to_state
from offline_cache.contract.models import Item
from offline_cache.domain.auto_rules import MAX_RULES, AutoRule, Executor, RuleContext, errors, first_match
from offline_cache.domain.auto_rules import conflicts as find_conflicts
from offline_cache.domain.model import Action, HistoryEntry, ItemState, Role
from offline_cache.domain.staff import Actor, StaffMember, descendants
from offline_cache.domain.workflow import DecisionContext, DomainError, decide
from training_platform.admin import directory_staff, record_event, require_admin
from training_platform.service import ApiError, Platform
from training_platform.store import Store

#: Whoever the history names for what a rule did: not a person, the platform (actor_id None).
SYSTEM = "auto-rule"
#: How deep rules may pass a message down (region → municipality → settlement needs 2).
MAX_HOPS = 5


# --- storage --------------------------------------------------------------------------------

def stored_rules(store: Store, org_id: str) -> list[AutoRuleOut]:
    rows = store.conn.execute("SELECT data FROM auto_rules WHERE org_id=? ORDER BY position, id", (org_id,))
    return [AutoRuleOut.model_validate_json(r[0]) for r in rows]


def _write_all(store: Store, org_id: str, rules: list[AutoRuleOut]) -> list[AutoRuleOut]:
    """Store ``rules`` as the organisation's whole ordered set, positions renumbered 0..n-1."""
    store.conn.execute("DELETE FROM auto_rules WHERE org_id=?", (org_id,))
    placed = [r.model_copy(update={"position": i}) for i, r in enumerate(rules)]
    store.conn.executemany("INSERT INTO auto_rules VALUES (?, ?, ?, ?)",
                           [(r.id, org_id, r.position, r.model_dump_json()) for r in placed])
    return placed


def rule_context(platform: Platform, org_id: str, now: datetime) -> RuleContext:
    """What a rule of ``org_id`` may name: its categories, organisations below it, its staff."""
    store = platform.store
    orgs = store.orgs()
    categories = store.categories(org_id)
    present = store.staff()
    # Deactivated members are listed too (active: false), so a rule naming one says why it cannot work.
    staff = {s.id: Executor(s.id, s.org_id, s.full_name, frozenset(s.roles), s.active,
                            s.id in present and present[s.id].is_absent(now)) for s in directory_staff(platform)}
    return RuleContext(org_id, {c.code: c.parent_code for c in categories}, {c.code: c.name for c in categories},
                       {o: orgs[o].name for o in descendants(org_id, orgs)}, staff)


def _check(platform: Platform, org_id: str, rules: list[AutoRuleOut], saved: AutoRuleOut, now: datetime) -> None:
    """Refuse (422) ``saved`` if it cannot work; warnings (shadowing) are the administrator's call. Another rule
    broken since (its executor deactivated) is shown to the administrator but does not block this change."""
    found = [c for c in errors(find_conflicts([rule_to_domain(r) for r in rules], rule_context(platform, org_id, now)))
             if c.rule_id == saved.id]
    if found:
        raise ApiError(422, "invalid", f"Правило «{saved.name}»: {found[0].message}", field=_field(found[0].kind))


def _field(kind: str) -> str | None:
    return {"unknown_category": "category_codes", "no_category": "category_codes",
            "org_not_subordinate": "target_org_id", "no_target": "target_org_id", "two_targets": "target_org_id",
            "no_name": "name"}.get(kind, "target_executor_id" if kind.startswith("executor") else None)


# --- the administrator's operations ---------------------------------------------------------

def list_rules(platform: Platform, user: StaffMember) -> list[AutoRuleOut]:
    actor = require_admin(platform, user)
    with platform.store.lock:
        return stored_rules(platform.store, actor.org_id)


def _describe(rule: AutoRuleOut | AutoRuleIn) -> str:
    target = f"организация {rule.target_org_id}" if rule.target_org_id else f"исполнитель {rule.target_executor_id}"
    where = f", адрес содержит «{rule.municipality}»" if rule.municipality else ""
    return f"«{rule.name}»: категории {', '.join(rule.category_codes)}{where} → {target}"


def _place(platform: Platform, actor: Actor, rules: list[AutoRuleOut], rule: AutoRuleOut, at: int, now: datetime,
           action: str) -> AutoRuleOut:
    """Insert ``rule`` at ``at``, check it among the others, store the renumbered list and log ``action``."""
    rules.insert(at, rule)
    _check(platform, actor.org_id, rules, rule, now)
    placed = _write_all(platform.store, actor.org_id, rules)
    record_event(platform, actor, action, rule.id, f"Правило №{at + 1} {_describe(rule)}")
    return placed[at]


def create_rule(platform: Platform, user: StaffMember, req: AutoRuleIn) -> AutoRuleOut:
    actor = require_admin(platform, user)
    now = platform.clock.now()
    with platform.store.transaction():
        rules = stored_rules(platform.store, actor.org_id)
        if len(rules) >= MAX_RULES:
            raise ApiError(422, "invalid", f"У организации уже {MAX_RULES} правил: удалите ненужные")
        rule = AutoRuleOut(id=platform._new_id("rule"), position=0, updated_at=now, updated_by=user.id,
                           **req.model_dump(exclude={"position", "base_version"}))
        at = len(rules) if req.position is None else min(req.position, len(rules))
        return _place(platform, actor, rules, rule, at, now, "auto_rule_created")


def update_rule(platform: Platform, user: StaffMember, rule_id: str, req: AutoRuleIn) -> AutoRuleOut:
    actor = require_admin(platform, user)
    now = platform.clock.now()
    with platform.store.transaction():
        rules = stored_rules(platform.store, actor.org_id)
        at = next((i for i, r in enumerate(rules) if r.id == rule_id), None)
        if at is None:
            raise ApiError(404, "not_found", "Правило не найдено")
        old = rules.pop(at)
        if req.base_version is not None and req.base_version != old.version:
            raise ApiError(409, "conflict", f"Правило «{old.name}» изменил другой администратор (версия "
                                            f"{old.version}): обновите список и внесите изменение заново")
        rule = AutoRuleOut(id=old.id, position=0, version=old.version + 1, updated_at=now, updated_by=user.id,
                           **req.model_dump(exclude={"position", "base_version"}))
        at = at if req.position is None else min(req.position, len(rules))
        return _place(platform, actor, rules, rule, at, now, "auto_rule_updated")


def delete_rule(platform: Platform, user: StaffMember, rule_id: str) -> list[AutoRuleOut]:
    actor = require_admin(platform, user)
    with platform.store.transaction():
        rules = stored_rules(platform.store, actor.org_id)
        gone = next((r for r in rules if r.id == rule_id), None)
        if gone is None:
            raise ApiError(404, "not_found", "Правило не найдено")
        placed = _write_all(platform.store, actor.org_id, [r for r in rules if r.id != rule_id])
        record_event(platform, actor, "auto_rule_deleted", rule_id,
                      f"Удалено правило {_describe(gone)}")
        return placed


def reorder_rules(platform: Platform, user: StaffMember, req: AutoRuleOrder) -> list[AutoRuleOut]:
    actor = require_admin(platform, user)
    with platform.store.transaction():
        rules = {r.id: r for r in stored_rules(platform.store, actor.org_id)}
        if sorted(req.ids) != sorted(rules) or len(set(req.ids)) != len(req.ids):
            raise ApiError(422, "invalid", "Новый порядок должен перечислять каждое правило организации один раз",
                           field="ids")
        placed = _write_all(platform.store, actor.org_id, [rules[i] for i in req.ids])
        record_event(platform, actor, "auto_rules_reordered", actor.org_id,
                      "Новый порядок правил: " + ", ".join(f"«{r.name}»" for r in placed))
        return placed


# --- applying them --------------------------------------------------------------------------

def _credited(entry: HistoryEntry, note: str) -> HistoryEntry:
    """A history entry written as the platform's, naming the rule."""
    if entry.actor_id != SYSTEM:
        return entry
    comment = f"{note}. {entry.comment}" if entry.comment else note
    return dataclasses.replace(entry, actor_id=None, comment=comment)


def _credit(state: ItemState, note: str) -> ItemState:
    return state.replace(history=tuple(_credited(e, note) for e in state.history))


def apply_rules(platform: Platform, item: Item, now: datetime, hops: int = 0) -> Item:
    """Route a message that has just arrived in its organisation by the first matching rule (the caller's
    transaction). A rule that no longer works (its executor left since) leaves the message to the coordinator."""
    store = platform.store
    rules = stored_rules(store, item.org_id)
    if not rules or hops >= MAX_HOPS:
        return item
    parents = {c.code: c.parent_code for c in store.categories(item.org_id)}
    domain: list[AutoRule] = [rule_to_domain(r) for r in rules]
    rule = first_match(domain, item.category_code, item.address, parents)
    if rule is None:
        return item
    position = next(i for i, r in enumerate(domain) if r.id == rule.id)
    orgs = store.orgs()
    actor = Actor(SYSTEM, item.org_id, frozenset({Role.COORDINATOR}), frozenset({SYSTEM}), orgs[item.org_id].level)
    payload: dict[str, object]
    if rule.target_org_id:
        action, payload = Action.REDIRECT, {"org_id": rule.target_org_id}
    else:
        action, payload = Action.ROUTE_TO_EXECUTOR, {"executor_id": rule.target_executor_id}
    ctx = DecisionContext(now=now, orgs=orgs, staff=store.staff(), rejection_codes=platform.grounds.codes,
                          new_item_id=platform._new_id("m"))
    try:
        decision = decide(item_to_state(item), actor, action, payload, ctx)
    except DomainError:
        return item
    note = f"Авторазбор: правило №{position + 1} «{rule.name}»"
    saved = platform._save(item, _credit(decision.item, note), now)
    if decision.spawned is not None:
        spawned = platform._spawn(item, _credit(decision.spawned, note), now)
        apply_rules(platform, spawned, now, hops + 1)  # the lower organisation's own rules take it from there
    return saved

