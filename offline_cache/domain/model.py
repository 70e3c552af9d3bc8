"""Vocabulary of the domain: item kinds, statuses, roles, actions and the item state."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class ItemKind(StrEnum):
    """What arrived: a platform message, a formal appeal (59-ФЗ) or an open-source post."""

    MESSAGE = "message"
    APPEAL = "appeal"
    OPEN_SOURCE = "open_source"


class Status(StrEnum):
    """Life-cycle status of one item inside one organisation."""

    AWAITING_ROUTING = "awaiting_routing"  # На распределении у координатора
    IN_WORK = "in_work"  # Назначено исполнителю / в работе
    ON_APPROVAL = "on_approval"  # Проект ответа на утверждении (шаг approval_step)
    RETURNED = "returned"  # Возвращено на доработку
    INTERIM_ANSWER = "interim_answer"  # Дан промежуточный ответ, окончательный ожидается
    ANSWERED = "answered"  # Ответ отправлен заявителю, ожидается оценка
    REJECTED = "rejected"  # Отклонено по основанию
    REDIRECTED = "redirected"  # Перенаправлено в другую организацию (для этой организации — финал)
    REPROCESSING = "reprocessing"  # Повторное рассмотрение после низкой оценки
    CLOSED = "closed"  # Закрыто

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({Status.REJECTED, Status.REDIRECTED, Status.CLOSED})

#: Statuses in which the organisation still owes the applicant something (deadline control applies).
OPEN_STATUSES = frozenset(
    {
        Status.AWAITING_ROUTING,
        Status.IN_WORK,
        Status.ON_APPROVAL,
        Status.RETURNED,
        Status.INTERIM_ANSWER,
        Status.REPROCESSING,
    }
)

#: Statuses in which the coordinator's routing deadline runs.
ROUTING_STATUSES = frozenset({Status.AWAITING_ROUTING, Status.REPROCESSING})


class Role(StrEnum):
    """Roles of staff in the organisation's cabinet (ЛКО) [KR 6]."""

    ADMIN = "admin"  # Администратор ЛКО
    COORDINATOR = "coordinator"  # Координатор
    EXECUTOR = "executor"  # Исполнитель
    HEAD = "head"  # Руководитель
    CURATOR = "curator"  # Куратор


class Action(StrEnum):
    """What a member of staff can do to an item."""

    ROUTE_TO_EXECUTOR = "route_to_executor"
    REASSIGN = "reassign"
    REDIRECT = "redirect"
    TAKE_INTO_WORK = "take_into_work"
    REJECT = "reject"
    RETURN_TO_ROUTING = "return_to_routing"
    SAVE_DRAFT = "save_draft"
    SUBMIT_FOR_APPROVAL = "submit_for_approval"
    INTERIM_ANSWER = "interim_answer"
    APPROVE = "approve"
    RETURN_FOR_REVISION = "return_for_revision"
    STOP_REPROCESSING = "stop_reprocessing"
    EXTEND_TERM = "extend_term"  # 59-ФЗ art. 12: the head extends an appeal's term once


class StaffAction(StrEnum):
    """What can be done to a member of staff (not to an item)."""

    SET_DEPUTY = "set_deputy"
    CLEAR_DEPUTY = "clear_deputy"
    SET_ROLES = "set_roles"


class DraftKind(StrEnum):
    """A final answer closes the question; an interim one promises a result by a planned date."""

    FINAL = "final"
    INTERIM = "interim"


class OrgLevel(StrEnum):
    """Organisation hierarchy: region → municipality (1) → settlement (2) [KR App.2 8]."""

    REGION = "region"
    MUNICIPALITY = "municipality"
    SETTLEMENT = "settlement"


@dataclass(frozen=True, slots=True)
class Draft:
    """The answer being prepared for an item."""

    text: str
    kind: DraftKind = DraftKind.FINAL
    planned_date: date | None = None  # interim answers only: when the final result is promised
    attachment_ids: tuple[str, ...] = ()
    author_id: str | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why an item was rejected: a ground from the catalogue and the text sent to the applicant."""

    ground_code: str
    comment: str


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One step of an item's history, as shown in the timeline."""

    at: datetime
    actor_id: str | None  # None: the platform itself
    action: str
    from_status: Status | None
    to_status: Status
    comment: str = ""


@dataclass(frozen=True, slots=True)
class ItemState:
    """The workflow-relevant state of one item in one organisation.

    Deadlines are absolute aware datetimes computed when the item enters the organisation.
    """

    id: str
    number: str
    kind: ItemKind
    org_id: str
    status: Status
    version: int
    category_code: str
    registered_at: datetime
    received_at: datetime
    due_at: datetime
    routing_due_at: datetime | None = None
    control_due_at: datetime | None = None
    assignee_id: str | None = None
    approval_step: int | None = None
    draft: Draft | None = None
    answer: Draft | None = None
    interim_answer: Draft | None = None
    rejection: Rejection | None = None
    redirected_to_org_id: str | None = None
    parent_id: str | None = None
    rating: int | None = None
    history: tuple[HistoryEntry, ...] = field(default=())

    def replace(self, **changes: object) -> ItemState:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
