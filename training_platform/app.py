"""The HTTP face of the training platform: API v1 routes, error format, body limits, faults."""


import urllib.parse
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from offline_cache.contract.models import (
    API_PREFIX,
    IDEMPOTENCY_HEADER,
    MAX_ATTACHMENT_BYTES,
    MAX_FEED_LIMIT,
    MAX_JSON_BODY,
    ActionRequest,
    ActionResult,
    AttachmentMeta,
    CategoryOut,
    ClockOut,
    ClockRequest,
    DemoUser,
    DeputyRequest,
    ErrorResponse,
    FaultConfig,
    FeedPage,
    InjectMessageRequest,
    Item,
    LoginRequest,
    Me,
    OrganisationOut,
    RatingRequest,
    RefreshRequest,
    RejectionGroundOut,
    StaffOut,
    TemplateOut,
    TokenPair,
)
from offline_cache.domain.staff import StaffMember
from training_platform.faults import FaultInjector, FaultMiddleware
from training_platform.service import ApiError, Platform

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 413, 422)
}
_STATUS_CODES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "invalid",
                 409: "conflict", 413: "payload_too_large", 415: "invalid", 422: "invalid"}


def _error(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    return JSONResponse(ApiError(status, code, message, **extra).body(), status_code=status)  # type: ignore[arg-type]


class BodyLimitMiddleware:
    """Refuse oversized bodies with 413 before the application reads them (chunked bodies too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        limit = MAX_ATTACHMENT_BYTES if scope["path"].endswith("/attachments") else MAX_JSON_BODY
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _error(413, "payload_too_large", f"Тело запроса больше {limit // 1024} КБ")(scope, receive, send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _error(413, "payload_too_large", f"Тело запроса больше {limit // 1024} КБ")(
                    scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def create_app(platform: Platform, faults: FaultInjector | None = None) -> ASGIApp:
    """The ASGI application serving ``platform``; wrap with faults when an injector is given."""
    api = FastAPI(title="ПОС API v1 (учебная платформа)", version="1.0.0", docs_url=None, redoc_url=None,
                  description="Контракт API v1 платформы обратной связи, реализованный учебной платформой.")
    injector = faults or FaultInjector()
    api.state.platform = platform
    api.state.faults = injector

    @api.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @api.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": [], "msg": "неверный запрос"}
        loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "header", "path")]
        details = [{"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", ""))} for e in errors]
        return _error(422, "invalid", f"Неверный запрос: {first.get('msg', '')}", field=".".join(loc) or None,
                      details=details)

    @api.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "invalid" if exc.status_code < 500 else "server_error")
        return _error(exc.status_code, code, str(exc.detail))

    @api.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception) -> JSONResponse:
        return _error(500, "server_error", "Внутренняя ошибка платформы")

    def user(authorization: Annotated[str | None, Header()] = None) -> StaffMember:
        token = None
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        return platform.authenticate(token)

    User = Annotated[StaffMember, Depends(user)]

    @api.post(f"{API_PREFIX}/auth/login", responses=ERRORS, tags=["auth"])
    def login(req: LoginRequest) -> TokenPair:
        return platform.login(req.login, req.password)

    @api.post(f"{API_PREFIX}/auth/refresh", responses=ERRORS, tags=["auth"])
    def refresh(req: RefreshRequest) -> TokenPair:
        return platform.refresh(req.refresh_token)

    @api.get(f"{API_PREFIX}/me", responses=ERRORS, tags=["directory"])
    def me(u: User) -> Me:
        return platform.me(u)

    @api.get(f"{API_PREFIX}/directory/organisations", responses=ERRORS, tags=["directory"])
    def organisations(u: User) -> list[OrganisationOut]:
        return platform.organisations()

    @api.get(f"{API_PREFIX}/directory/staff", responses=ERRORS, tags=["directory"])
    def staff(u: User) -> list[StaffOut]:
        return platform.staff()

    @api.put(f"{API_PREFIX}/directory/staff/{{staff_id}}/deputy", responses=ERRORS, tags=["directory"])
    def set_deputy(staff_id: str, req: DeputyRequest, u: User) -> StaffOut:
        return platform.set_deputy(u, staff_id, req)

    @api.get(f"{API_PREFIX}/categories", responses=ERRORS, tags=["directory"])
    def categories(u: User) -> list[CategoryOut]:
        return platform.categories(u)

    @api.get(f"{API_PREFIX}/templates", responses=ERRORS, tags=["directory"])
    def templates(u: User) -> list[TemplateOut]:
        return platform.templates()

    @api.get(f"{API_PREFIX}/rejection-grounds", responses=ERRORS, tags=["directory"])
    def grounds(u: User) -> list[RejectionGroundOut]:
        return platform.rejection_grounds()

    @api.get(f"{API_PREFIX}/feed", responses=ERRORS, tags=["messages"])
    def feed(u: User, cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
             limit: Annotated[int, Query(ge=1, le=MAX_FEED_LIMIT)] = 100) -> FeedPage:
        return Response(platform.feed_json(u, cursor, limit), media_type="application/json")  # type: ignore[return-value]

    @api.get(f"{API_PREFIX}/messages/{{item_id}}", responses=ERRORS, tags=["messages"])
    def message(item_id: str, u: User) -> Item:
        return platform.get_item(u, item_id)

    @api.post(f"{API_PREFIX}/messages/{{item_id}}/actions", responses=ERRORS, tags=["messages"])
    def act(item_id: str, req: ActionRequest, u: User,
            idempotency_key: Annotated[str, Header(alias=IDEMPOTENCY_HEADER, min_length=8, max_length=128)]
            ) -> ActionResult:
        status, body = platform.act(u, item_id, req, idempotency_key)
        return JSONResponse(body, status_code=status)  # type: ignore[return-value]

    @api.post(f"{API_PREFIX}/messages/{{item_id}}/attachments", responses=ERRORS, tags=["messages"],
              openapi_extra={"requestBody": {"content": {"application/octet-stream": {}}, "required": True}})
    async def upload(item_id: str, request: Request, u: User,
                     x_file_name: Annotated[str, Header(min_length=1, max_length=600)]) -> AttachmentMeta:
        name = urllib.parse.unquote(x_file_name).strip()[:255]
        if not name or "/" in name or "\\" in name or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
            raise ApiError(422, "invalid", "Недопустимое имя файла", field="X-File-Name")
        data = await request.body()
        if not data:
            raise ApiError(422, "invalid", "Файл пуст")
        content_type = request.headers.get("content-type", "application/octet-stream").split(";")[0]
        return platform.upload_attachment(u, item_id, name, content_type, data)

    @api.get(f"{API_PREFIX}/attachments/{{att_id}}", responses=ERRORS, tags=["messages"],
             response_class=Response)
    def attachment(att_id: str, u: User) -> Response:
        meta, data = platform.attachment(u, att_id)
        disposition = f"attachment; filename*=UTF-8''{urllib.parse.quote(meta.name)}"
        return Response(data, media_type=meta.content_type, headers={"Content-Disposition": disposition})

    @api.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    if platform.config.training_controls:
        _training_routes(api, platform, injector)

    return FaultMiddleware(BodyLimitMiddleware(api), injector)


def _training_routes(api: FastAPI, platform: Platform, injector: FaultInjector) -> None:
    """The platform's own side of the flow, exposed for training, demos and tests."""

    @api.get("/training/users", tags=["training"])
    def users() -> list[DemoUser]:
        return platform.demo_users()

    @api.post("/training/messages", responses=ERRORS, tags=["training"])
    def inject(req: InjectMessageRequest) -> Item:
        return platform.inject(req)

    @api.post("/training/messages/{item_id}/rating", responses=ERRORS, tags=["training"])
    def rate(item_id: str, req: RatingRequest) -> Item:
        return platform.rate(item_id, req.score)

    @api.get("/training/clock", tags=["training"])
    def clock() -> ClockOut:
        return ClockOut(now=platform.clock.now())

    @api.post("/training/clock", tags=["training"])
    def advance(req: ClockRequest) -> ClockOut:
        return ClockOut(now=platform.clock.advance(req.advance_seconds))

    @api.get("/training/faults", tags=["training"])
    def faults() -> FaultConfig:
        return injector.config

    @api.put("/training/faults", tags=["training"])
    def set_faults(req: FaultConfig) -> FaultConfig:
        injector.configure(req)
        return injector.config
