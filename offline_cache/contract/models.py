"""API v1 schema: typed request and response models shared by the client and the training platform.

Responses ignore unknown fields (a newer platform may add some); requests forbid them, so a
typo in a request is a 422 with a message rather than a silently ignored field.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from offline_cache.domain.deadlines import TermKind
from offline_cache.domain.files import MAX_ANSWER_FILE_BYTES
from offline_cache.domain.model import Action, DraftKind, ItemKind, OrgLevel, Role, Status
from offline_cache.domain.stages import MAX_STAGE_TERM_DAYS, DayKind, Stage

API_PREFIX = "/api/v1"
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: Largest request body the platform accepts outside attachment uploads.
MAX_JSON_BODY = 256 * 1024
#: Largest answer attachment (the domain's rule, one source for the platform and the workstation).
MAX_ATTACHMENT_BYTES = MAX_ANSWER_FILE_BYTES
MAX_FEED_LIMIT = 500
#: Versions and feed cursors stay below this (SQLite integers are 64-bit).
MAX_VERSION = 2**62

Text = Annotated[str, Field(max_length=20_000)]
Comment = Annotated[str, Field(max_length=4_000)]
Id = Annotated[str, Field(min_length=1, max_length=64)]


def _json_number(value: object) -> object:
    """Refuse what Python would take for a number but JSON does not: ``true``, ``"3"``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("number_type", "ожидается число JSON")
    return value


#: Numbers in requests are JSON numbers only: ``true`` or ``"3"`` is a 422, not 1 or 3 (``3.0`` is the
#: integer 3 for JSON Schema, and is taken as such; ``3.5`` for an integer is refused). Put it after
#: the field's constraints, so that they stay ``minimum``/``maximum`` in the schema.
JsonNumber = BeforeValidator(_json_number)
StrictInt = Annotated[int, JsonNumber]


class Response(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- errors ---------------------------------------------------------------------------------

ErrorCode = Literal[
    "unauthorized",
    "token_expired",
    "forbidden",
    "not_found",
    "conflict",
    "invalid",
    "payload_too_large",
    "idempotency_mismatch",
    "server_error",
]


class ErrorBody(Response):
    code: ErrorCode
    message: str
    field: str | None = None
    details: list[dict[str, Any]] = Field(default_factory=list)
    current: Item | None = None  # 409: the item as the platform has it now


class ErrorResponse(Response):
    error: ErrorBody


# --- auth -----------------------------------------------------------------------------------


class LoginRequest(Request):
    login: Annotated[str, Field(min_length=1, max_length=200)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class RefreshRequest(Request):
    refresh_token: Annotated[str, Field(min_length=1, max_length=200)]


class TokenPair(Response):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int  # seconds
    refresh_expires_in: int


# --- directory ------------------------------------------------------------------------------


class OrganisationOut(Response):
    id: str
    name: str
    level: OrgLevel
    parent_id: str | None
    timezone: str
    approval_chain: list[Role]


class AbsenceOut(Response):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: str = ""


class StaffOut(Response):
    id: str
    org_id: str
    full_name: str
    position: str = ""
    roles: list[Role]
    absence: AbsenceOut | None = None
    deputy_id: str | None = None
    #: False once an administrator deactivated the member: still listed, so history keeps the name.
    active: bool = True


class Me(Response):
    user: StaffOut
    organisation: OrganisationOut
    effective_roles: list[Role]  # own roles plus those of absent colleagues deputised now
    deputising_for: list[str]
    server_time: AwareDatetime
    #: Raised by every administrative change (staff, roles, categories…): a workstation seeing a new value
    #: downloads the directory again at once instead of waiting for its periodic refresh.
    directory_version: int = 0


class AbsenceIn(Request):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: Annotated[str, Field(max_length=200)] = ""


class DeputyRequest(Request):
    """Set (deputy_id) or clear (null) the deputy of a member of staff, with the absence."""

    deputy_id: Id | None
    absence: AbsenceIn | None = None


class RolesRequest(Request):
    roles: list[Role]


class StageTermOut(Response):
    """The organisation's internal control term of one stage."""

    stage: Stage
    days: Annotated[int, Field(ge=1, le=MAX_STAGE_TERM_DAYS)]
    day_kind: DayKind = DayKind.CALENDAR


class CategoryOut(Response):
    code: str
    name: str
    parent_code: str | None = None
    term_kind: TermKind
    term_days: int
    # Control terms per stage; the platform fills the stages the organisation left unset with the
    # defaults, and a platform that predates them sends none (the workstation uses the defaults).
    stage_terms: list[StageTermOut] = Field(default_factory=list)
    #: Retired by an administrator: no new messages in it; still listed, so older items keep its name.
    retired: bool = False


class CalendarYearOut(Response):
    """The platform's production calendar for one year; it replaces the bundled data for that year."""

    year: Annotated[int, Field(ge=1992, le=2100)]
    days_off: list[date] = Field(default_factory=list)  # weekdays that are not working
    working_weekend_days: list[date] = Field(default_factory=list)  # Saturdays/Sundays made working


class TemplateOut(Response):
    id: str
    title: str
    text: str
    purpose: Literal["answer", "interim", "rejection", "return"]
    category_code: str | None = None
    ground_code: str | None = None
    version: int = 1  # raised by the platform whenever the template's text changes


class RejectionGroundOut(Response):
    code: str
    number: int
    title: str
    text: str


# --- items ----------------------------------------------------------------------------------


class AttachmentMeta(Response):
    id: str
    name: str
    content_type: str
    size: int
    origin: Literal["citizen", "answer"]


class DraftOut(Response):
    text: str
    kind: DraftKind = DraftKind.FINAL
    planned_date: date | None = None
    attachment_ids: list[str] = Field(default_factory=list)
    author_id: str | None = None


class RejectionOut(Response):
    ground_code: str
    comment: str


class HistoryOut(Response):
    at: AwareDatetime
    actor_id: str | None
    action: str
    from_status: Status | None
    to_status: Status
    comment: str = ""


Source = Literal["portal", "widget", "mobile_app", "social_network"]


class Item(Response):
    """One item (message, appeal or open-source message) in one organisation."""

    id: str
    number: str
    kind: ItemKind
    source: Source = "portal"
    org_id: str
    status: Status
    version: int
    category_code: str
    subject: str
    text: str
    address: str
    latitude: float | None = None
    longitude: float | None = None
    applicant_name: str
    applicant_contact: str = ""
    registered_at: AwareDatetime
    received_at: AwareDatetime
    due_at: AwareDatetime
    routing_due_at: AwareDatetime | None = None
    control_due_at: AwareDatetime | None = None
    assignee_id: str | None = None
    approval_step: int | None = None
    draft: DraftOut | None = None
    answer: DraftOut | None = None
    interim_answer: DraftOut | None = None
    rejection: RejectionOut | None = None
    redirected_to_org_id: str | None = None
    parent_id: str | None = None
    rating: int | None = None
    history: list[HistoryOut] = Field(default_factory=list)
    attachments: list[AttachmentMeta] = Field(default_factory=list)
    updated_at: AwareDatetime


class FeedPage(Response):
    """A page of the change feed: items changed after ``cursor``, oldest change first."""

    items: list[Item]
    next_cursor: int  # pass back as ``cursor`` for the next page
    has_more: bool
    remaining: int  # items after this page, for progress (done / total)


class ActionResult(Response):
    item: Item


# --- action payloads (validated per action; the domain checks their meaning) ----------------


class NoPayload(Request):
    pass


class RoutePayload(Request):
    executor_id: Id
    comment: Comment = ""


class RedirectPayload(Request):
    org_id: Id
    comment: Comment = ""


class RejectPayload(Request):
    ground_code: Annotated[str, Field(min_length=1, max_length=64)]
    comment: Comment


class CommentPayload(Request):
    comment: Comment


class ExtendTermPayload(Request):
    """59-ФЗ art. 12: by how many calendar days the head extends an appeal's term, and why."""

    days: Annotated[int, Field(ge=1, le=30), JsonNumber]
    comment: Annotated[str, Field(min_length=1, max_length=4_000)]


class OptionalCommentPayload(Request):
    comment: Comment = ""


class DraftPayload(Request):
    text: Text | None = None
    attachment_ids: list[Id] | None = None


class InterimPayload(Request):
    text: Text
    planned_date: date
    attachment_ids: list[Id] | None = None


DraftDigest = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description=(
    "offline_cache.domain.workflow.draft_digest of the draft the approver read; a changed draft is a 409"))]


class ApprovePayload(Request):
    draft_digest: DraftDigest
    comment: Comment = ""
    text: Annotated[Text | None, Field(description="the approver's own wording of the draft, recorded as theirs")] \
        = None


class ReturnPayload(Request):
    draft_digest: DraftDigest
    comment: Comment


# --- action requests: one model per action, told apart by ``action`` --------------------------


class ActionRequestBase(Request):
    base_version: Annotated[int, Field(ge=1, le=MAX_VERSION), JsonNumber]


class RouteToExecutorRequest(ActionRequestBase):
    action: Literal[Action.ROUTE_TO_EXECUTOR]
    payload: RoutePayload


class ReassignRequest(ActionRequestBase):
    action: Literal[Action.REASSIGN]
    payload: RoutePayload


class TakeIntoWorkRequest(ActionRequestBase):
    action: Literal[Action.TAKE_INTO_WORK]
    payload: OptionalCommentPayload = Field(default_factory=OptionalCommentPayload)


class RedirectRequest(ActionRequestBase):
    action: Literal[Action.REDIRECT]
    payload: RedirectPayload


class RejectRequest(ActionRequestBase):
    action: Literal[Action.REJECT]
    payload: RejectPayload


class ReturnToRoutingRequest(ActionRequestBase):
    action: Literal[Action.RETURN_TO_ROUTING]
    payload: CommentPayload


class SaveDraftRequest(ActionRequestBase):
    action: Literal[Action.SAVE_DRAFT]
    payload: DraftPayload = Field(default_factory=DraftPayload)


class SubmitForApprovalRequest(ActionRequestBase):
    action: Literal[Action.SUBMIT_FOR_APPROVAL]
    payload: DraftPayload = Field(default_factory=DraftPayload)


class InterimAnswerRequest(ActionRequestBase):
    action: Literal[Action.INTERIM_ANSWER]
    payload: InterimPayload


class ApproveRequest(ActionRequestBase):
    action: Literal[Action.APPROVE]
    payload: ApprovePayload


class ReturnForRevisionRequest(ActionRequestBase):
    action: Literal[Action.RETURN_FOR_REVISION]
    payload: ReturnPayload


class StopReprocessingRequest(ActionRequestBase):
    action: Literal[Action.STOP_REPROCESSING]
    payload: CommentPayload


class ExtendTermRequest(ActionRequestBase):
    action: Literal[Action.EXTEND_TERM]
    payload: ExtendTermPayload


#: The body of ``POST /messages/{id}/actions``: the payload's shape depends on the action.
ActionRequest = Annotated[
    RouteToExecutorRequest | ReassignRequest | TakeIntoWorkRequest | RedirectRequest | RejectRequest
    | ReturnToRoutingRequest | SaveDraftRequest | SubmitForApprovalRequest | InterimAnswerRequest | ApproveRequest
    | ReturnForRevisionRequest | StopReprocessingRequest | ExtendTermRequest,
    Field(discriminator="action"),
]

ACTION_PAYLOADS: dict[Action, type[Request]] = {
    Action.ROUTE_TO_EXECUTOR: RoutePayload,
    Action.REASSIGN: RoutePayload,
    Action.TAKE_INTO_WORK: OptionalCommentPayload,
    Action.REDIRECT: RedirectPayload,
    Action.REJECT: RejectPayload,
    Action.RETURN_TO_ROUTING: CommentPayload,
    Action.SAVE_DRAFT: DraftPayload,
    Action.SUBMIT_FOR_APPROVAL: DraftPayload,
    Action.INTERIM_ANSWER: InterimPayload,
    Action.APPROVE: ApprovePayload,
    Action.RETURN_FOR_REVISION: ReturnPayload,
    Action.STOP_REPROCESSING: CommentPayload,
    Action.EXTEND_TERM: ExtendTermPayload,
}


# --- training control (the platform's own side; the training platform only) -----------------


class DemoUser(Response):
    login: str
    password: str
    full_name: str
    roles: list[Role]
    org_name: str
    note: str = ""


class InjectMessageRequest(Request):
    org_id: Id | None = None  # default: the municipality
    kind: ItemKind = ItemKind.MESSAGE
    source: Source = "portal"
    category_code: Annotated[str, Field(min_length=1, max_length=64)]
    subject: Annotated[str, Field(max_length=300)] = ""
    text: Text
    address: Annotated[str, Field(max_length=500)]
    applicant_name: Annotated[str, Field(min_length=1, max_length=200)]
    applicant_contact: Annotated[str, Field(max_length=200)] = ""


class RatingRequest(Request):
    score: Annotated[int, Field(ge=1, le=5), JsonNumber]


class CalendarYearIn(Request):
    """A year of the production calendar published by the platform (a late decree, a regional day off)."""

    year: Annotated[int, Field(ge=1992, le=2100)]
    days_off: list[date] = Field(default_factory=list, max_length=366)
    working_weekend_days: list[date] = Field(default_factory=list, max_length=366)


class ClockRequest(Request):
    advance_seconds: Annotated[float, Field(ge=0, le=400 * 86400), JsonNumber]


class ClockOut(Response):
    now: AwareDatetime


def _all_error_statuses() -> list[Literal[500, 502, 503]]:
    return [500, 502, 503]


class FaultConfig(Request):
    """Injected faults for tests; all off by default. Rates are probabilities per request."""

    latency_ms: Annotated[int, Field(ge=0, le=30_000), JsonNumber] = 0
    error_rate: Annotated[float, Field(ge=0, le=1), JsonNumber] = 0.0
    error_statuses: list[Literal[500, 502, 503]] = Field(default_factory=_all_error_statuses)
    drop_rate: Annotated[float, Field(ge=0, le=1), JsonNumber] = 0.0
    truncate_rate: Annotated[float, Field(ge=0, le=1), JsonNumber] = 0.0
    path_prefix: str = API_PREFIX  # only requests under this prefix are affected
    seed: StrictInt | None = None


ErrorBody.model_rebuild()
