"""The administrator's auto-rules and organisation templates on the workstation: API calls, cache, preview.

Changes go straight to the platform (online only); what the platform answers is kept in the
cache so that the pages read offline: rules in ``auto_rules`` (schema 0008), the organisation's
templates with their retired ones as one JSON value in ``sync_state`` (no table of their own is
needed to read them). The preview runs over the cache: an administrator's cache holds every
message of the organisation, so it works offline and asks the platform for nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from offline_cache.admin import ADMIN_ACTION_NAMES
from offline_cache.client import PlatformClient, _seg  # the client's own quoting of a path segment
from offline_cache.contract.admin_rules import (
    AutoRuleIn,
    AutoRuleOrder,
    AutoRuleOut,
    OrgTemplateIn,
    OrgTemplateOut,
    rule_to_domain,
)
from offline_cache.contract.models import Me
from offline_cache.domain.auto_rules import AutoRule, Executor, RuleContext, preview
from offline_cache.domain.model import Role
from offline_cache.domain.staff import Organisation, descendants
from offline_cache.errors import ForbiddenError
from offline_cache.store.cache import Cache

ADMIN = "/admin"
#: Russian names of this feature's changes in the local audit log (``offline_cache.admin`` asks features to add theirs).
ADMIN_ACTION_NAMES.update({
    "auto_rule_created": "Создано правило авторазбора",
    "auto_rule_updated": "Изменено правило авторазбора",
    "auto_rule_deleted": "Удалено правило авторазбора",
    "auto_rules_reordered": "Изменён порядок правил авторазбора",
    "template_created": "Создан шаблон организации",
    "template_updated": "Изменён шаблон организации",
    "template_retired": "Шаблон организации в архиве",
    "template_restored": "Шаблон организации возвращён из архива",
})
TEMPLATES_KEY = "admin_templates"
PREVIEW_DAYS = 30


class AdminApi:
    """The administration's endpoints on a logged-in client (every call is refused with 403 to non-administrators)."""

    def __init__(self, client: PlatformClient) -> None:
        self.client = client

    def rules(self) -> list[AutoRuleOut]:
        return self.client._call("GET", f"{ADMIN}/auto-rules", list[AutoRuleOut])

    def create_rule(self, rule: AutoRuleIn) -> AutoRuleOut:
        return self.client._call("POST", f"{ADMIN}/auto-rules", AutoRuleOut, json=rule.model_dump(mode="json"))

    def update_rule(self, rule_id: str, rule: AutoRuleIn) -> AutoRuleOut:
        return self.client._call("PUT", f"{ADMIN}/auto-rules/{_seg(rule_id)}", AutoRuleOut,
                                 json=rule.model_dump(mode="json"))

    def delete_rule(self, rule_id: str) -> list[AutoRuleOut]:
        return self.client._call("DELETE", f"{ADMIN}/auto-rules/{_seg(rule_id)}", list[AutoRuleOut])

    def reorder(self, ids: Sequence[str]) -> list[AutoRuleOut]:
        return self.client._call("PUT", f"{ADMIN}/auto-rules-order", list[AutoRuleOut],
                                 json=AutoRuleOrder(ids=list(ids)).model_dump(mode="json"))

    def templates(self) -> list[OrgTemplateOut]:
        return self.client._call("GET", f"{ADMIN}/templates", list[OrgTemplateOut])

    def create_template(self, template: OrgTemplateIn) -> OrgTemplateOut:
        return self.client._call("POST", f"{ADMIN}/templates", OrgTemplateOut, json=template.model_dump(mode="json"))

    def update_template(self, template_id: str, template: OrgTemplateIn) -> OrgTemplateOut:
        return self.client._call("PUT", f"{ADMIN}/templates/{_seg(template_id)}", OrgTemplateOut,
                                 json=template.model_dump(mode="json"))

    def set_retired(self, template_id: str, retired: bool) -> OrgTemplateOut:
        verb = "retire" if retired else "restore"
        return self.client._call("POST", f"{ADMIN}/templates/{_seg(template_id)}/{verb}", OrgTemplateOut,
                                 retry="all")  # retiring twice is retiring once


# --- the cache ------------------------------------------------------------------------------

def is_admin(cache: Cache) -> bool:
    """Whether the official the cache last synced as administers their organisation."""
    raw = cache.state("me")
    return raw is not None and Role.ADMIN in Me.model_validate_json(raw).effective_roles


def my_org_id(cache: Cache) -> str | None:
    raw = cache.state("me")
    return None if raw is None else Me.model_validate_json(raw).organisation.id


def store_rules(cache: Cache, rules: Sequence[AutoRuleOut]) -> None:
    """Replace the cached rules with the platform's set (one transaction)."""
    with cache.transaction():
        cache.db.execute("DELETE FROM auto_rules")
        cache.db.conn.executemany("INSERT INTO auto_rules (id, position, value) VALUES (?, ?, ?)",
                                  [(r.id, r.position, r.model_dump_json()) for r in rules])


def cached_rules(cache: Cache) -> list[AutoRuleOut]:
    rows = cache.db.execute("SELECT value FROM auto_rules ORDER BY position, id")
    return [AutoRuleOut.model_validate_json(r[0]) for r in rows]


def store_templates(cache: Cache, templates: Sequence[OrgTemplateOut]) -> None:
    cache.set_state(TEMPLATES_KEY, json.dumps([t.model_dump(mode="json") for t in templates], ensure_ascii=False))


def cached_templates(cache: Cache) -> list[OrgTemplateOut]:
    raw = cache.state(TEMPLATES_KEY)
    return [OrgTemplateOut.model_validate(t) for t in json.loads(raw)] if raw else []


def refresh_admin_data(cache: Cache, client: PlatformClient) -> None:
    """Fetch the rules and the organisation's templates into the cache; only administrators may (and need to)."""
    if not is_admin(cache):
        return
    api = AdminApi(client)
    try:
        rules, templates = api.rules(), api.templates()
    except ForbiddenError:  # the role was taken away since «me» was read: nothing of it is this official's now
        rules, templates = [], []
    store_rules(cache, rules)
    store_templates(cache, templates)


# --- what rules may name, and the preview ---------------------------------------------------

def rule_context(cache: Cache, now: datetime) -> RuleContext:
    """The cached directory as the conflict checker needs it (the same checks as the platform's)."""
    org_id = my_org_id(cache) or ""
    categories = cache.db.execute("SELECT code, name, parent_code FROM categories ORDER BY code").fetchall()
    orgs = {o.id: Organisation(o.id, o.name, o.level, o.parent_id, o.timezone) for o in cache.organisations()}
    staff = {}
    for s in cache.staff():
        away = s.absence is not None and s.absence.starts_at <= now < s.absence.ends_at
        staff[s.id] = Executor(s.id, s.org_id, s.full_name, frozenset(s.roles), bool(getattr(s, "active", True)),
                               away)
    below = sorted(descendants(org_id, orgs), key=lambda o: orgs[o].name)
    return RuleContext(org_id, {str(c): p for c, _n, p in categories}, {str(c): str(n) for c, n, _p in categories},
                       {o: orgs[o].name for o in below}, staff)


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """A message of the last month and the rule that would have taken it."""

    item_id: str
    number: str
    registered_at: str
    category_name: str
    address: str
    caught_by: str | None  # the rule's id; None: no rule, the coordinator's
    category_code: str = ""


def month_preview(cache: Cache, rules: Sequence[AutoRule], now: datetime, *, days: int = PREVIEW_DAYS,
                  limit: int = 2000) -> list[PreviewRow]:
    """Messages registered in the organisation in the last ``days`` (newest first), each with the rule that
    would have taken it, earlier rules first. Only the categories the rules name are read (SQL filter)."""
    org_id = my_org_id(cache)
    parents = dict(cache.db.execute("SELECT code, parent_code FROM categories").fetchall())
    wanted = sorted({code for code in parents if any(r.catches_category(code, parents) for r in rules)}
                    | {c for r in rules for c in r.category_codes})
    if not wanted or org_id is None:
        return []
    since = (now - timedelta(days=days)).astimezone(UTC).isoformat()  # as the cache writes times
    # Items that arrived by a redirect from above are messages new to this organisation too; the
    # redirecting organisation's own copy (parent_id NULL, org elsewhere) is not this one's.
    rows = cache.db.execute(
        f"SELECT i.id, i.number, i.registered_at, i.category_name, i.address, i.category_code FROM items i "
        f"WHERE i.org_id=? AND i.registered_at >= ? AND i.category_code IN ({','.join('?' * len(wanted))}) "
        # An item re-opened here after a low rating is not a new message: rules never see those.
        "AND NOT EXISTS (SELECT 1 FROM history h WHERE h.item_id = i.id AND h.idx = 0 AND h.action = 'reprocessing') "
        "ORDER BY i.registered_at DESC, i.id LIMIT ?", [org_id, since, *wanted, limit]).fetchall()
    caught = preview(rules, [(r[0], r[5], r[4] or "") for r in rows], parents)
    return [PreviewRow(str(r[0]), str(r[1]), str(r[2]), str(r[3] or r[5]), str(r[4] or ""), c.caught_by, str(r[5]))
            for r, c in zip(rows, caught, strict=True)]


def domain_rules(rules: Sequence[AutoRuleOut]) -> list[AutoRule]:
    return [rule_to_domain(r) for r in rules]
