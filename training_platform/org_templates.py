"""Organisation templates on the training platform: the administrators create, edit and retire them.

``GET /templates`` serves each official the common templates plus their organisation's templates
in use; the administrators' view adds the retired ones. A change of the text, title, purpose,
category or ground raises ``version``, so workstations notice the template changed since it was used.
"""

from __future__ import annotations

from offline_cache.contract.admin_rules import OrgTemplateIn, OrgTemplateOut
from offline_cache.contract.models import TemplateOut
from offline_cache.domain.staff import StaffMember
from training_platform.admin import record_event, require_admin
from training_platform.service import ApiError, Platform
from training_platform.store import Store


def all_templates(store: Store) -> list[OrgTemplateOut]:
    return [OrgTemplateOut.model_validate_json(r[0]) for r in store.conn.execute("SELECT data FROM templates")]


def served(platform: Platform, user: StaffMember) -> list[TemplateOut]:
    """What ``GET /templates`` gives ``user``: common templates and their organisation's, none retired."""
    with platform.store.lock:
        found = all_templates(platform.store)
    return [TemplateOut.model_validate(t.model_dump(exclude={"retired", "updated_at", "updated_by"}))
            for t in found if not t.retired and t.org_id in (None, user.org_id)]


def org_templates(platform: Platform, user: StaffMember) -> list[OrgTemplateOut]:
    """The organisation's own templates, retired ones too, by title (administrators only)."""
    actor = require_admin(platform, user)
    with platform.store.lock:
        found = all_templates(platform.store)
    return sorted((t for t in found if t.org_id == actor.org_id), key=lambda t: (t.title.casefold(), t.id))


def _check(platform: Platform, req: OrgTemplateIn) -> None:
    if req.ground_code is not None and req.ground_code not in platform.grounds.codes:
        raise ApiError(422, "invalid", "Основание отклонения не найдено в справочнике", field="ground_code")
    if req.purpose == "rejection" and req.ground_code is None:
        raise ApiError(422, "invalid", "Для шаблона отклонения выберите основание", field="ground_code")
    if not req.title.strip() or not req.text.strip():
        raise ApiError(422, "invalid", "Нужны название и текст шаблона", field="title" if not req.title.strip()
                       else "text")


def _put(store: Store, template: OrgTemplateOut) -> None:
    store.conn.execute("INSERT OR REPLACE INTO templates VALUES (?, ?)", (template.id, template.model_dump_json()))


def _own(platform: Platform, org_id: str, template_id: str) -> OrgTemplateOut:
    found = next((t for t in all_templates(platform.store) if t.id == template_id), None)
    if found is None or found.org_id != org_id:
        # The region's common templates are not the organisation's to change: as if absent.
        raise ApiError(404, "not_found", "Шаблон организации не найден")
    return found


def create_template(platform: Platform, user: StaffMember, req: OrgTemplateIn) -> OrgTemplateOut:
    actor = require_admin(platform, user)
    _check(platform, req)
    now = platform.clock.now()
    with platform.store.transaction():
        template = OrgTemplateOut(id=platform._new_id("tpl"), org_id=actor.org_id, version=1, updated_at=now,
                                  updated_by=user.id, **req.model_dump(exclude={"base_version"}))
        _put(platform.store, template)
        record_event(platform, actor, "template_created", template.id,
                      f"Шаблон «{template.title}», версия 1")
        return template


def update_template(platform: Platform, user: StaffMember, template_id: str, req: OrgTemplateIn) -> OrgTemplateOut:
    actor = require_admin(platform, user)
    _check(platform, req)
    now = platform.clock.now()
    with platform.store.transaction():
        old = _own(platform, actor.org_id, template_id)
        if req.base_version is not None and req.base_version != old.version:
            raise ApiError(409, "conflict", f"Шаблон «{old.title}» изменил другой администратор (версия "
                                            f"{old.version}): откройте его заново и внесите изменение")
        fields = req.model_dump(exclude={"base_version"})
        changed = any(getattr(old, k) != v for k, v in fields.items())
        version = old.version + 1 if changed else old.version
        template = old.model_copy(update={**fields, "version": version, "updated_at": now, "updated_by": user.id})
        _put(platform.store, template)
        record_event(platform, actor, "template_updated", template.id,
                      f"Шаблон «{template.title}», версия {version}")
        return template


def set_retired(platform: Platform, user: StaffMember, template_id: str, retired: bool) -> OrgTemplateOut:
    """Retire a template (no longer served; the answers built on it keep their history) or bring it back."""
    actor = require_admin(platform, user)
    now = platform.clock.now()
    with platform.store.transaction():
        old = _own(platform, actor.org_id, template_id)
        template = old.model_copy(update={"retired": retired, "updated_at": now, "updated_by": user.id})
        _put(platform.store, template)
        record_event(platform, actor, "template_retired" if retired else "template_restored",
                      template.id, f"Шаблон «{template.title}» " + ("в архиве" if retired else "снова в работе"))
        return template
