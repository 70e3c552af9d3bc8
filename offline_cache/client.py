"""The httpx client of the platform API v1: one method per endpoint, returning contract types.

Synchronous on purpose: it runs on a worker thread (QtAsyncio cannot drive httpx). It renews the
access token on a 401, retries safe requests and actions (under their Idempotency-Key) on network
errors and 5xx with exponential backoff and full jitter, and turns every failure into a typed
error from ``offline_cache.errors``.
"""

from __future__ import annotations

import json
import random
import ssl
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from offline_cache.contract.admin import (
    ADMIN_PATH,
    AdminEventOut,
    AdminStaffOut,
    CategoryChangeRequest,
    DeactivationPreview,
    DeactivationResult,
    NewCategoryRequest,
    NewStaffRequest,
)
from offline_cache.contract.models import (
    API_PREFIX,
    IDEMPOTENCY_HEADER,
    AbsenceIn,
    ActionResult,
    AttachmentMeta,
    CalendarYearOut,
    CategoryOut,
    ClockOut,
    DemoUser,
    DeputyRequest,
    ErrorResponse,
    FaultConfig,
    FeedPage,
    InjectMessageRequest,
    Item,
    Me,
    OrganisationOut,
    RejectionGroundOut,
    StaffOut,
    TemplateOut,
    TokenPair,
)
from offline_cache.contract.ranking import RANKING_PATH, RankingOut
from offline_cache.domain.model import Action, Role
from offline_cache.errors import (
    AuthError,
    AuthExpiredError,
    ConfigError,
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    OfflineError,
    PayloadTooLargeError,
    PlatformError,
    ProtocolError,
    ServerError,
    network_reason,
)

T = TypeVar("T")
RETRY_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Connection settings of one platform profile.

    Attributes:
        base_url: the platform's address, e.g. ``https://pos.example.ru``.
        ca_bundle: an extra CA file (PEM) trusted on top of the system's, e.g. the Russian
            Trusted Root CA that government sites use and default bundles lack.
        proxy: proxy URL; None uses the environment (HTTPS_PROXY).
        retries: how many times a retryable request is repeated after the first try.
    """

    base_url: str
    ca_bundle: str | None = None
    proxy: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 4
    backoff_base: float = 0.25
    backoff_max: float = 8.0
    user_agent: str = "POS-Desk/0.1"
    extra_headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RawFeedPage:
    """A feed page with unvalidated items (see ``PlatformClient.feed_raw``)."""

    items: list[Any]
    next_cursor: int
    has_more: bool
    remaining: int


def _ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if ca_bundle:
        ctx.load_verify_locations(cafile=ca_bundle)
    return ctx


class PlatformClient:
    """A logged-in (or not yet) session with the platform.

    Args:
        config: connection settings.
        tokens: tokens remembered from an earlier session (from the keyring).
        on_tokens: called with every new token pair, so the caller can keep it in the keyring.
        transport: an httpx transport (tests may pass one; normal use leaves it None).
        sleep: how to wait between retries (tests may make it instant).
    """

    def __init__(self, config: ClientConfig, *, tokens: TokenPair | None = None,
                 on_tokens: Callable[[TokenPair], None] | None = None,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None) -> None:
        self.config = config
        self.tokens = tokens
        self._on_tokens = on_tokens
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._auth_lock = threading.Lock()
        timeout = httpx.Timeout(config.read_timeout, connect=config.connect_timeout)
        try:
            verify: ssl.SSLContext | bool = _ssl_context(config.ca_bundle) \
                if config.base_url.startswith("https") else True
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"Не удаётся прочитать корневой сертификат {config.ca_bundle}: {exc}") from exc
        try:
            self._http = httpx.Client(
                base_url=config.base_url.rstrip("/"), timeout=timeout, transport=transport, proxy=config.proxy,
                verify=verify, headers={"User-Agent": config.user_agent, **config.extra_headers},
            )
        except (ValueError, httpx.InvalidURL) as exc:
            raise ConfigError("Неверный адрес платформы или прокси: укажите его полностью, "
                              f"например http://proxy:3128 ({exc})") from exc

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PlatformClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- auth -------------------------------------------------------------------------------

    def login(self, login: str, password: str) -> TokenPair:
        pair = self._call("POST", "/auth/login", TokenPair, json={"login": login, "password": password},
                          auth=False, retry="connect")
        self._set_tokens(pair)
        return pair

    def refresh(self) -> TokenPair:
        if self.tokens is None:
            raise AuthExpiredError("Требуется вход в систему", status=401)
        try:
            pair = self._call("POST", "/auth/refresh", TokenPair,
                              json={"refresh_token": self.tokens.refresh_token}, auth=False,
                              retry="all")  # the platform's grace gives the same pair again if the answer was lost
        except AuthError as exc:
            raise AuthExpiredError("Сеанс работы с платформой завершён: войдите заново", status=401) from exc
        self._set_tokens(pair)
        return pair

    def _set_tokens(self, pair: TokenPair) -> None:
        self.tokens = pair
        if self._on_tokens is not None:
            self._on_tokens(pair)

    # --- directory --------------------------------------------------------------------------

    def me(self) -> Me:
        return self._call("GET", "/me", Me)

    def organisations(self) -> list[OrganisationOut]:
        return self._call("GET", "/directory/organisations", list[OrganisationOut])

    def staff(self) -> list[StaffOut]:
        return self._call("GET", "/directory/staff", list[StaffOut])

    def set_deputy(self, staff_id: str, deputy_id: str | None, absence: AbsenceIn | None = None) -> StaffOut:
        body = DeputyRequest(deputy_id=deputy_id, absence=absence).model_dump(mode="json")
        return self._call("PUT", f"/directory/staff/{_seg(staff_id)}/deputy", StaffOut, json=body)

    def categories(self) -> list[CategoryOut]:
        return self._call("GET", "/categories", list[CategoryOut])

    def calendar(self) -> list[CalendarYearOut]:
        """The platform's overrides of the production calendar (issue 13)."""
        return self._call("GET", "/calendar", list[CalendarYearOut])

    def templates(self) -> list[TemplateOut]:
        return self._call("GET", "/templates", list[TemplateOut])

    def rejection_grounds(self) -> list[RejectionGroundOut]:
        return self._call("GET", "/rejection-grounds", list[RejectionGroundOut])

    # --- administration (the organisation's administrators only; others get ForbiddenError) ---

    def admin_staff(self) -> list[AdminStaffOut]:
        return self._call("GET", f"{ADMIN_PATH}/staff", list[AdminStaffOut])

    def add_staff(self, req: NewStaffRequest) -> StaffOut:
        return self._call("POST", f"{ADMIN_PATH}/staff", StaffOut, json=req.model_dump(mode="json"))

    def set_roles(self, staff_id: str, roles: list[Role]) -> StaffOut:
        return self._call("PUT", f"{ADMIN_PATH}/staff/{_seg(staff_id)}/roles", StaffOut,
                          json={"roles": [Role(r).value for r in roles]})

    def deactivation_preview(self, staff_id: str) -> DeactivationPreview:
        return self._call("GET", f"{ADMIN_PATH}/staff/{_seg(staff_id)}/deactivation", DeactivationPreview)

    def deactivate(self, staff_id: str) -> DeactivationResult:
        return self._call("POST", f"{ADMIN_PATH}/staff/{_seg(staff_id)}/deactivate", DeactivationResult)

    def add_category(self, req: NewCategoryRequest) -> CategoryOut:
        return self._call("POST", f"{ADMIN_PATH}/categories", CategoryOut, json=req.model_dump(mode="json"))

    def change_category(self, code: str, req: CategoryChangeRequest) -> CategoryOut:
        return self._call("PUT", f"{ADMIN_PATH}/categories/{_seg(code)}", CategoryOut,
                          json=req.model_dump(mode="json"))

    def retire_category(self, code: str) -> CategoryOut:
        return self._call("POST", f"{ADMIN_PATH}/categories/{_seg(code)}/retire", CategoryOut)

    def admin_events(self, limit: int = 200) -> list[AdminEventOut]:
        return self._call("GET", f"{ADMIN_PATH}/events", list[AdminEventOut], params={"limit": limit})

    def ranking(self, start: date, end: date) -> RankingOut:
        """The platform's figures of the organisations below the user's for days [start, end] (issue 13 p.6)."""
        return self._call("GET", RANKING_PATH, RankingOut,
                          params={"start": start.isoformat(), "end": end.isoformat()})

    # --- items ------------------------------------------------------------------------------

    def feed(self, cursor: int = 0, limit: int = 100) -> FeedPage:
        return self._call("GET", "/feed", FeedPage, params={"cursor": cursor, "limit": limit})

    def feed_raw(self, cursor: int = 0, limit: int = 100) -> RawFeedPage:
        """A feed page whose items are left as parsed JSON, for the sync engine to validate one by one.

        A malformed envelope is a ProtocolError (retried like a truncated body); a malformed item
        inside a good envelope is the caller's to quarantine, so one bad record cannot block a page.
        """
        response = self._send("GET", "/feed", auth=True, retry="all", params={"cursor": cursor, "limit": limit})
        try:
            data = json.loads(response.content)
            page = RawFeedPage(items=list(data["items"]), next_cursor=int(data["next_cursor"]),
                               has_more=bool(data["has_more"]), remaining=int(data["remaining"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ProtocolError("Платформа прислала страницу ленты в неожиданном формате",
                                status=response.status_code) from exc
        if page.next_cursor < cursor:
            raise ProtocolError("Платформа вернула курсор ленты меньше запрошенного", status=response.status_code)
        return page

    def message(self, item_id: str) -> Item:
        return self._call("GET", f"/messages/{_seg(item_id)}", Item)

    def act(self, item_id: str, action: Action | str, base_version: int, payload: Mapping[str, Any] | None = None,
            *, idempotency_key: str | None = None) -> Item:
        """Perform an action; retried safely under ``idempotency_key`` (a fresh one if None).

        The payload goes as given, so the platform judges it (a 422 names the field). Approving or
        returning a draft needs ``draft_digest`` of the draft the official read
        (``offline_cache.domain.workflow.draft_digest``); a changed draft is a ConflictError
        carrying the item with the new text.
        """
        body = {"action": Action(action).value, "base_version": base_version, "payload": dict(payload or {})}
        key = idempotency_key or str(uuid.uuid4())
        result = self._call("POST", f"/messages/{_seg(item_id)}/actions", ActionResult,
                            json=body, headers={IDEMPOTENCY_HEADER: key}, retry="all")
        return result.item

    def upload_attachment(self, item_id: str, name: str, content_type: str, data: bytes) -> AttachmentMeta:
        headers = {"X-File-Name": urllib.parse.quote(name), "Content-Type": content_type}
        return self._call("POST", f"/messages/{_seg(item_id)}/attachments", AttachmentMeta, content=data,
                          headers=headers, retry="connect")

    def download_attachment(self, att_id: str) -> tuple[str, bytes]:
        """(content type, bytes) of an attachment; the size is checked against Content-Length."""
        response = self._send("GET", f"/attachments/{_seg(att_id)}", auth=True, retry="all")
        return response.headers.get("content-type", "application/octet-stream"), response.content

    # --- training platform controls ---------------------------------------------------------

    def demo_users(self) -> list[DemoUser]:
        return self._call("GET", "/training/users", list[DemoUser], auth=False, prefix="")

    def inject_message(self, req: InjectMessageRequest) -> Item:
        return self._call("POST", "/training/messages", Item, json=req.model_dump(mode="json"), auth=False,
                          prefix="", retry="connect")

    def rate(self, item_id: str, score: int) -> Item:
        return self._call("POST", f"/training/messages/{_seg(item_id)}/rating", Item, json={"score": score},
                          auth=False, prefix="", retry="connect")

    def advance_clock(self, seconds: float) -> ClockOut:
        return self._call("POST", "/training/clock", ClockOut, json={"advance_seconds": seconds}, auth=False,
                          prefix="", retry="connect")

    def set_faults(self, config: FaultConfig) -> FaultConfig:
        return self._call("PUT", "/training/faults", FaultConfig, json=config.model_dump(mode="json"),
                          auth=False, prefix="", retry="connect")

    # --- plumbing ---------------------------------------------------------------------------

    def _call(self, method: str, path: str, model: type[T], *, auth: bool = True, prefix: str = API_PREFIX,
              retry: str | None = None, **kwargs: Any) -> T:
        safe = method in ("GET", "HEAD", "PUT")
        response = self._send(method, path, auth=auth, prefix=prefix,
                              retry=retry or ("all" if safe else "connect"), **kwargs)
        try:
            if isinstance(model, type) and issubclass(model, BaseModel):
                return model.model_validate_json(response.content)
            adapter: TypeAdapter[T] = TypeAdapter(model)
            return adapter.validate_json(response.content)
        except ValidationError as exc:
            raise ProtocolError(f"Платформа прислала данные в неожиданном формате ({path})",
                                status=response.status_code) from exc

    def _send(self, method: str, path: str, *, auth: bool, prefix: str = API_PREFIX, retry: str,
              **kwargs: Any) -> httpx.Response:
        """Send with retries; renew the token once on 401; raise typed errors."""
        attempt, renewed = 0, False
        while True:
            try:
                response = self._attempt(method, prefix + path, auth, **kwargs)
                if response.status_code == 401 and auth and not renewed and self.tokens is not None:
                    renewed = True
                    try:
                        self._renew()
                    except PlatformError as exc:
                        if exc.retryable:
                            renewed = False  # the refresh token still holds: renew again on the retry
                        raise
                    continue
                if response.status_code in RETRY_STATUSES:
                    raise _error_from(response)
                if response.status_code >= 400:
                    raise _error_from(response)
                return response
            except PlatformError as exc:
                if isinstance(exc, AuthError) and auth:
                    raise AuthExpiredError("Сеанс работы с платформой завершён: войдите заново",
                                           status=401) from exc
                connect_only = isinstance(exc, OfflineError) and exc.code == "connect"
                may_retry = exc.retryable and (retry == "all" or (retry == "connect" and connect_only))
                if not may_retry or attempt >= self.config.retries:
                    raise
                self._sleep(self._backoff(attempt, exc))
                attempt += 1

    def _attempt(self, method: str, url: str, auth: bool, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if auth and self.tokens is not None:
            headers["Authorization"] = f"Bearer {self.tokens.access_token}"
        try:
            response = self._http.request(method, url, headers=headers, **kwargs)
            response.read()
            return response
        except httpx.ConnectError as exc:
            raise OfflineError(f"Нет связи с платформой: {_reason(exc)}", code="connect") from exc
        except httpx.TimeoutException as exc:
            code = "connect" if isinstance(exc, httpx.ConnectTimeout) else "timeout"
            raise OfflineError("Платформа не ответила вовремя", code=code) from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise OfflineError("Связь с платформой прервалась во время обмена", code="dropped") from exc
        except httpx.TransportError as exc:
            raise OfflineError(f"Ошибка связи с платформой: {_reason(exc)}", code="transport") from exc

    def _renew(self) -> None:
        with self._auth_lock:
            self.refresh()

    def _backoff(self, attempt: int, exc: PlatformError) -> float:
        retry_after = getattr(exc, "retry_after", None)
        cap = min(self.config.backoff_max, self.config.backoff_base * (2 ** attempt))
        delay = self._rng.uniform(0, cap)  # full jitter: clients coming back together spread out
        return max(delay, retry_after) if isinstance(retry_after, float) else delay


def _seg(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _reason(exc: Exception) -> str:
    return network_reason(exc)


def _error_from(response: httpx.Response) -> PlatformError:
    """The typed error for a non-2xx response, using the platform's error body when readable."""
    status = response.status_code
    body = None
    try:
        body = ErrorResponse.model_validate_json(response.content).error
    except (ValidationError, json.JSONDecodeError, ValueError):
        body = None
    message = body.message if body else ""
    code = body.code if body else None
    if status in RETRY_STATUSES or status >= 500:
        err = ServerError(f"Сбой на стороне платформы (HTTP {status}). Повторите позже.", status=status, code=code)
        retry_after = response.headers.get("retry-after", "")
        if retry_after.isdigit():
            err.retry_after = min(float(retry_after), 60.0)  # type: ignore[attr-defined]
        return err
    if body is None:
        return ProtocolError(f"Платформа ответила HTTP {status} без понятного описания", status=status)
    if status == 401:
        return AuthError(message or "Неверный логин или пароль", status=status, code=code)
    if status == 403:
        return ForbiddenError(message or "Действие не разрешено вашей роли", status=status, code=code)
    if status == 404:
        return NotFoundError(message or "Не найдено", status=status, code=code)
    if status == 409:
        return ConflictError(message or "Сообщение изменилось на платформе", current=body.current, status=status,
                             code=code)
    if status == 413:
        return PayloadTooLargeError(message or "Слишком большой файл", status=status, code=code, field=body.field)
    return InvalidError(message or f"Платформа отклонила запрос (HTTP {status})", field=body.field,
                        details=body.details, status=status, code=code)
