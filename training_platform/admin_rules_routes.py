"""HTTP routes of the administrator's auto-rules and organisation templates (issue 14); history: GET /admin/events."""

# No ``from __future__ import annotations``: FastAPI reads the route signatures' types at runtime,
# and ``User`` is local to ``add_admin_routes``.

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, FastAPI

from offline_cache.contract.admin_rules import (
    AutoRuleIn,
    AutoRuleOrder,
    AutoRuleOut,
    OrgTemplateIn,
    OrgTemplateOut,
)
from offline_cache.contract.models import API_PREFIX
from offline_cache.domain.staff import StaffMember
from training_platform import auto_rules, org_templates
from training_platform.service import Platform

A = f"{API_PREFIX}/admin"


def install_rules_routes(api: FastAPI, platform: Platform, user: Callable[..., StaffMember],
                     errors: dict[int | str, dict[str, object]]) -> None:
    """Register the administration's routes; every one answers 403 to anyone but the organisation's administrators."""
    User = Annotated[StaffMember, Depends(user)]

    @api.get(f"{A}/auto-rules", responses=errors, tags=["admin"])
    def list_rules(u: User) -> list[AutoRuleOut]:
        return auto_rules.list_rules(platform, u)

    @api.post(f"{A}/auto-rules", responses=errors, tags=["admin"])
    def create_rule(req: AutoRuleIn, u: User) -> AutoRuleOut:
        return auto_rules.create_rule(platform, u, req)

    @api.put(f"{A}/auto-rules/{{rule_id}}", responses=errors, tags=["admin"])
    def update_rule(rule_id: str, req: AutoRuleIn, u: User) -> AutoRuleOut:
        return auto_rules.update_rule(platform, u, rule_id, req)

    @api.delete(f"{A}/auto-rules/{{rule_id}}", responses=errors, tags=["admin"])
    def delete_rule(rule_id: str, u: User) -> list[AutoRuleOut]:
        return auto_rules.delete_rule(platform, u, rule_id)

    @api.put(f"{A}/auto-rules-order", responses=errors, tags=["admin"])
    def reorder_rules(req: AutoRuleOrder, u: User) -> list[AutoRuleOut]:
        return auto_rules.reorder_rules(platform, u, req)

    @api.get(f"{A}/templates", responses=errors, tags=["admin"])
    def list_templates(u: User) -> list[OrgTemplateOut]:
        return org_templates.org_templates(platform, u)

    @api.post(f"{A}/templates", responses=errors, tags=["admin"])
    def create_template(req: OrgTemplateIn, u: User) -> OrgTemplateOut:
        return org_templates.create_template(platform, u, req)

    @api.put(f"{A}/templates/{{template_id}}", responses=errors, tags=["admin"])
    def update_template(template_id: str, req: OrgTemplateIn, u: User) -> OrgTemplateOut:
        return org_templates.update_template(platform, u, template_id, req)

    @api.post(f"{A}/templates/{{template_id}}/retire", responses=errors, tags=["admin"])
    def retire_template(template_id: str, u: User) -> OrgTemplateOut:
        return org_templates.set_retired(platform, u, template_id, True)

    @api.post(f"{A}/templates/{{template_id}}/restore", responses=errors, tags=["admin"])
    def restore_template(template_id: str, u: User) -> OrgTemplateOut:
        return org_templates.set_retired(platform, u, template_id, False)
