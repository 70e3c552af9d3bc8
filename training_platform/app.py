"""The HTTP face of the training platform: API v1 routes, error format, body limits, faults."""


import urllib.parse
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp

from offline_cache.contract.models import (
    API_PREFIX,
    IDEMPOTENCY_HEADER,
    MAX_FEED_LIMIT,
    ActionRequest,
    ActionResult,
    AttachmentMeta,
    CalendarYearIn,
    CalendarYearOut,
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
from offline_cache.domain.files import ascii_file_name, content_type_problem, file_name_problem
from offline_cache.domain.staff import StaffMember
from training_platform.admin import directory_staff
from training_platform.admin_routes import install_admin_routes
from training_platform.admin_rules_routes import install_rules_routes
from training_platform.faults import FaultInjector, FaultMiddleware
from training_platform.http_guard import (
    STATUS_CODES,
    STATUS_MESSAGES,
    BodyGuardMiddleware,
    error_response,
    field_of,
    validation_message,
)
from training_platform.ranking import install_ranking_route
from training_platform.service import ApiError, Platform

#: Error statuses the API's routes answer with, in the contract's error shape (400: a body that is
#: not UTF-8 JSON; 413: a body over the limit; both before any route runs).
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 409, 413, 422)
}
#: The same for the training controls, which need no login.
TRAINING_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse} for code in (400, 404, 409, 413, 422)
}
#: Longest X-File-Name header: a name of the longest length, every character percent-encoded UTF-8.
MAX_FILE_NAME_HEADER = 4 * 3 * 255


def methods_at(api: FastAPI, request: Request) -> list[str]:
    """Every method some route serves at the request's path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in api.router.routes:
        if isinstance(route, APIRoute) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods or set()
    return sorted(methods)


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
        first = errors[0] if errors else {"loc": [], "type": "value_error"}
        field = field_of(first)
        details = [{"loc": [str(p) for p in e.get("loc", [])], "msg": validation_message(e)} for e in errors]
        where = f" — {field}" if field else ""
        return error_response(422, "invalid", f"Неверный запрос{where}: {validation_message(first)}", field=field,
                              details=details)

    @api.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code
        code = STATUS_CODES.get(status, "invalid" if status < 500 else "server_error")
        message = STATUS_MESSAGES.get(status, "Ошибка платформы" if status >= 500 else "Неверный запрос")
        if status == 404:
            message = f"Адрес {request.url.path} не найден"
        elif status == 405:
            message = f"Метод {request.method} не поддерживается по адресу {request.url.path}"
            allowed = methods_at(api, request)
            return error_response(status, code, message, headers={"Allow": ", ".join(allowed)})
        return error_response(status, code, message, headers=exc.headers)

    @api.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception) -> JSONResponse:
        return error_response(500, "server_error", "Внутренняя ошибка платформы")

    bearer = HTTPBearer(auto_error=False, scheme_name="bearer",
                        description="access_token из POST /auth/login (или /auth/refresh)")

    def user(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> StaffMember:
        token = credentials.credentials.strip() if credentials is not None else None
        return platform.authenticate(token or None)

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
        return directory_staff(platform)  # deactivated members too (active: false): history keeps their names

    @api.put(f"{API_PREFIX}/directory/staff/{{staff_id}}/deputy", responses=ERRORS, tags=["directory"])
    def set_deputy(staff_id: str, req: DeputyRequest, u: User) -> StaffOut:
        return platform.set_deputy(u, staff_id, req)

    @api.get(f"{API_PREFIX}/categories", responses=ERRORS, tags=["directory"])
    def categories(u: User) -> list[CategoryOut]:
        return platform.categories(u)

    @api.get(f"{API_PREFIX}/calendar", responses=ERRORS, tags=["directory"])
    def calendar(u: User) -> list[CalendarYearOut]:
        return platform.calendar()

    @api.get(f"{API_PREFIX}/templates", responses=ERRORS, tags=["directory"])
    def templates(u: User) -> list[TemplateOut]:
        return platform.templates(u)

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
                     x_file_name: Annotated[str, Header(min_length=1, max_length=MAX_FILE_NAME_HEADER)]
                     ) -> AttachmentMeta:
        try:
            name = urllib.parse.unquote(x_file_name, errors="strict").strip()
        except UnicodeDecodeError:
            raise ApiError(422, "invalid", "Недопустимое имя файла: не UTF-8 после раскодирования %XX",
                           field="X-File-Name") from None
        problem = file_name_problem(name)
        if problem:
            raise ApiError(422, "invalid", f"Недопустимое имя файла: {problem}", field="X-File-Name")
        content_type = request.headers.get("content-type", "application/octet-stream").split(";")[0].strip().lower()
        problem = content_type_problem(content_type)
        if problem:
            raise ApiError(422, "invalid", f"Недопустимый Content-Type: {problem}", field="Content-Type")
        data = await request.body()
        if not data:
            raise ApiError(422, "invalid", "Файл пуст")
        return platform.upload_attachment(u, item_id, name, content_type, data)

    @api.get(f"{API_PREFIX}/attachments/{{att_id}}", responses=ERRORS, tags=["messages"],
             response_class=Response)
    def attachment(att_id: str, u: User) -> Response:
        meta, data = platform.attachment(u, att_id)
        # Always a download, never rendered: an answer file may be HTML or a script.
        valid = content_type_problem(meta.content_type) is None
        media_type = meta.content_type if valid else "application/octet-stream"
        disposition = (f'attachment; filename="{ascii_file_name(meta.name)}"; '
                       f"filename*=UTF-8''{urllib.parse.quote(meta.name, safe='')}")
        return Response(data, media_type=media_type, headers={
            "Content-Disposition": disposition, "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'"})

    install_admin_routes(api, platform, user)  # /admin/...: the organisation's administrators only
    install_rules_routes(api, platform, user, ERRORS)  # /admin/auto-rules, /admin/templates (issue 14)
    install_ranking_route(api, platform, user, ERRORS)  # /reports/ranking: aggregates only (issue 13 p.6)

    @api.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    if platform.config.training_controls:
        _training_routes(api, platform, injector)

    return FaultMiddleware(BodyGuardMiddleware(api), injector)


def _training_routes(api: FastAPI, platform: Platform, injector: FaultInjector) -> None:
    """The platform's own side of the flow, exposed for training, demos and tests."""

    @api.get("/training/users", tags=["training"])
    def users() -> list[DemoUser]:
        return platform.demo_users()

    @api.post("/training/messages", responses=TRAINING_ERRORS, tags=["training"])
    def inject(req: InjectMessageRequest) -> Item:
        return platform.inject(req)

    @api.post("/training/messages/{item_id}/rating", responses=TRAINING_ERRORS, tags=["training"])
    def rate(item_id: str, req: RatingRequest) -> Item:
        return platform.rate(item_id, req.score)

    @api.put("/training/calendar", responses=TRAINING_ERRORS, tags=["training"])
    def set_calendar_year(req: CalendarYearIn) -> CalendarYearOut:
        return platform.set_calendar_year(req)

    @api.get("/training/clock", tags=["training"])
    def clock() -> ClockOut:
        return ClockOut(now=platform.clock.now())

    @api.post("/training/clock", responses=TRAINING_ERRORS, tags=["training"])
    def advance(req: ClockRequest) -> ClockOut:
        return ClockOut(now=platform.clock.advance(req.advance_seconds))

    @api.get("/training/faults", tags=["training"])
    def faults() -> FaultConfig:
        return injector.config

    @api.put("/training/faults", responses=TRAINING_ERRORS, tags=["training"])
    def set_faults(req: FaultConfig) -> FaultConfig:
        injector.configure(req)
        return injector.config
