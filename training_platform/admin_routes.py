"""HTTP routes of the administrator's endpoints (``/api/v1/admin/...``); every one answers 403 to non-administrators."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query

from offline_cache.contract.admin import (
    ADMIN_PATH,
    AdminEventOut,
    AdminStaffOut,
    CategoryChangeRequest,
    DeactivationPreview,
    DeactivationResult,
    NewCategoryRequest,
    NewStaffRequest,
    StaffRolesRequest,
)
from offline_cache.contract.models import API_PREFIX, CategoryOut, ErrorResponse, StaffOut
from offline_cache.domain.staff import StaffMember
from training_platform import admin
from training_platform.service import Platform

#: Statuses the administrator's routes answer with, in the contract's error shape.
ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 409, 413, 422)
}
#: The OpenAPI tag of these routes; its description states the 403 rule.
ADMIN_TAG = "admin"
ADMIN_TAG_DOC = {"name": ADMIN_TAG, "description": (
    "Администрирование ЛКО. Только администраторы своей организации (роль admin, в том числе заместитель "
    "отсутствующего администратора); всем остальным — 403 forbidden. Каждое изменение попадает в журнал "
    "GET /admin/events.")}

BASE = f"{API_PREFIX}{ADMIN_PATH}"


def install_admin_routes(api: FastAPI, platform: Platform, user: Callable[..., StaffMember]) -> None:
    """Register the administrator's routes on ``api``; ``user`` is the app's bearer-token dependency.

    Other administrative features register theirs the same way and guard them with
    ``training_platform.admin.require_admin``.
    """
    User = Annotated[StaffMember, Depends(user)]
    api.openapi_tags = [*(api.openapi_tags or []), ADMIN_TAG_DOC]
    tags: list[str | Any] = [ADMIN_TAG]

    @api.get(f"{BASE}/events", responses=ADMIN_ERRORS, tags=tags)
    def events(u: User, limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[AdminEventOut]:
        return admin.admin_events(platform, u, limit)

    @api.get(f"{BASE}/staff", responses=ADMIN_ERRORS, tags=tags)
    def staff(u: User) -> list[AdminStaffOut]:
        return admin.admin_staff(platform, u)

    @api.post(f"{BASE}/staff", responses=ADMIN_ERRORS, tags=tags)
    def add_staff(req: NewStaffRequest, u: User) -> StaffOut:
        return admin.add_staff(platform, u, req)

    @api.put(f"{BASE}/staff/{{staff_id}}/roles", responses=ADMIN_ERRORS, tags=tags)
    def set_roles(staff_id: str, req: StaffRolesRequest, u: User) -> StaffOut:
        return admin.set_roles(platform, u, staff_id, req.roles)

    @api.get(f"{BASE}/staff/{{staff_id}}/deactivation", responses=ADMIN_ERRORS, tags=tags)
    def preview(staff_id: str, u: User) -> DeactivationPreview:
        return admin.deactivation_preview(platform, u, staff_id)

    @api.post(f"{BASE}/staff/{{staff_id}}/deactivate", responses=ADMIN_ERRORS, tags=tags)
    def deactivate(staff_id: str, u: User) -> DeactivationResult:
        return admin.deactivate(platform, u, staff_id)

    @api.post(f"{BASE}/categories", responses=ADMIN_ERRORS, tags=tags)
    def add_category(req: NewCategoryRequest, u: User) -> CategoryOut:
        return admin.add_category(platform, u, req)

    @api.put(f"{BASE}/categories/{{code}}", responses=ADMIN_ERRORS, tags=tags)
    def change_category(code: str, req: CategoryChangeRequest, u: User) -> CategoryOut:
        return admin.change_category(platform, u, code, req)

    @api.post(f"{BASE}/categories/{{code}}/retire", responses=ADMIN_ERRORS, tags=tags)
    def retire_category(code: str, u: User) -> CategoryOut:
        return admin.retire_category(platform, u, code)
