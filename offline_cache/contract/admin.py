"""API v1 schema of the administrator's endpoints (``/admin/...``): staff, categories, the admin-events log."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field

from offline_cache.contract.models import JsonNumber, Request, Response, StaffOut
from offline_cache.domain.deadlines import TermKind
from offline_cache.domain.model import Role

#: Every administrative endpoint lives under this path (after ``API_PREFIX``).
ADMIN_PATH = "/admin"

Login = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
CategoryCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
TermDays = Annotated[int, Field(ge=1, le=30), JsonNumber]


class AdminEventOut(Response):
    """One administrative change as the platform's history keeps it."""

    seq: int
    at: AwareDatetime
    org_id: str
    actor_id: str
    action: str  # staff_added, roles_changed, staff_deactivated, category_added, category_changed, ...
    target: str  # the staff id, category code, rule or template id changed
    summary: str  # what changed, in Russian


class NewStaffRequest(Request):
    """A new member of the administrator's own organisation, with a login and a first password."""

    login: Login
    full_name: Name
    position: Annotated[str, Field(max_length=200)] = ""
    roles: Annotated[list[Role], Field(min_length=1, max_length=5)]
    password: Annotated[str, Field(min_length=6, max_length=200)]


class StaffRolesRequest(Request):
    """The member's roles after the change (at least one)."""

    roles: Annotated[list[Role], Field(min_length=1, max_length=5)]


class AdminStaffOut(Response):
    """A member of staff as the administrator sees them: the directory record, login and open items."""

    staff: StaffOut
    login: str = ""
    #: Items waiting for this member as assignee: they go back to routing if the member is deactivated.
    open_items: int = 0


class DeactivationPreview(Response):
    """What deactivating a member would do, said before confirming."""

    staff_id: str
    open_items: int  # items that go back to the coordinator's queue
    numbers: list[str] = Field(default_factory=list)
    refusal: str | None = None  # why the platform would refuse (the last administrator or coordinator)


class DeactivationResult(Response):
    staff: StaffOut
    returned_items: int
    numbers: list[str] = Field(default_factory=list)


class NewCategoryRequest(Request):
    """A category (``parent_code`` null) or a subcategory, with its answer term."""

    code: CategoryCode
    name: Name
    parent_code: CategoryCode | None = None
    term_kind: TermKind = TermKind.STANDARD
    term_days: TermDays | None = None  # required for ``custom``; the fixed kinds fill it in


class CategoryChangeRequest(Request):
    """A category's new name and term; applies to items registered afterwards."""

    name: Name
    term_kind: TermKind
    term_days: TermDays | None = None
