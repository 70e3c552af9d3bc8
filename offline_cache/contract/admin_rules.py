"""API v1 schema of the administrator's auto-rules and organisation templates (issue 14).

Shared by the client and the training platform, like ``contract.models``; kept apart so that the
administration's models grow without touching the items' contract.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from offline_cache.contract.models import Id, Request, Response, TemplateOut
from offline_cache.domain.auto_rules import MAX_CATEGORIES, MAX_RULES, MUNICIPALITY_MAX, NAME_MAX, AutoRule

Code = Annotated[str, Field(min_length=1, max_length=64)]


class AutoRuleIn(Request):
    """A rule as the administrator writes it: exactly one of ``target_org_id`` / ``target_executor_id``.

    ``municipality``: a place name looked for in the message's address (case and ё ignored); empty
    or null: anywhere. ``position``: where to put it, 0 = first; null = last (create) or where it was (update).
    """

    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
    category_codes: Annotated[list[Code], Field(min_length=1, max_length=MAX_CATEGORIES)]
    municipality: Annotated[str, Field(max_length=MUNICIPALITY_MAX)] | None = None
    target_org_id: Id | None = None
    target_executor_id: Id | None = None
    enabled: bool = True
    position: Annotated[int, Field(ge=0, le=MAX_RULES)] | None = None
    #: Update only: the version the administrator edited; another administrator's change since is a 409.
    base_version: Annotated[int, Field(ge=1, le=2**62)] | None = None


class AutoRuleOut(Response):
    """A stored rule; ``position`` 0 is tried first. ``version`` grows with every edit."""

    id: str
    position: int
    name: str
    category_codes: list[str]
    municipality: str | None = None
    target_org_id: str | None = None
    target_executor_id: str | None = None
    enabled: bool = True
    version: int = 1
    updated_at: AwareDatetime
    updated_by: str | None = None


class AutoRuleOrder(Request):
    """Every rule id of the organisation, in the new order."""

    ids: Annotated[list[Id], Field(max_length=MAX_RULES)]


class OrgTemplateIn(Request):
    """An organisation template as the administrator writes it."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    text: Annotated[str, Field(min_length=1, max_length=20_000)]
    purpose: Literal["answer", "interim", "rejection", "return"]
    category_code: Code | None = None
    ground_code: Code | None = None
    #: Update only: the version the administrator edited; another administrator's change since is a 409.
    #: Absent (older clients): the update applies whatever the stored version.
    base_version: Annotated[int, Field(ge=1, le=2**62)] | None = None


class OrgTemplateOut(TemplateOut):
    """An organisation's template with what only its administrators see: retired or not, who changed it last."""

    retired: bool = False
    updated_at: AwareDatetime | None = None
    updated_by: str | None = None


def rule_to_domain(rule: AutoRuleOut | AutoRuleIn, rule_id: str | None = None) -> AutoRule:
    """The domain's view of a rule (``rule_id`` for a rule not saved yet)."""
    rid = rule_id if rule_id is not None else getattr(rule, "id", "")
    return AutoRule(id=rid, name=rule.name, category_codes=tuple(rule.category_codes),
                    target_org_id=rule.target_org_id, target_executor_id=rule.target_executor_id,
                    municipality=rule.municipality or None, enabled=rule.enabled)
