"""Before and around the routes: body limits, JSON the models can hold, and errors in the contract's shape.

Every refusal here is ``{"error": {...}}`` with a Russian message, so that no framework text
(«There was an error parsing the body», «Method Not Allowed») reaches an official.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from offline_cache.contract.models import MAX_ATTACHMENT_BYTES, MAX_JSON_BODY
from offline_cache.domain.model import Action
from training_platform.service import ApiError

ACTION_TAGS = frozenset(a.value for a in Action)
#: Deepest nesting a JSON body may have; the API's own bodies need 4 levels.
MAX_JSON_DEPTH = 32

STATUS_CODES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "invalid",
                409: "conflict", 413: "payload_too_large", 415: "invalid", 422: "invalid"}
STATUS_MESSAGES = {400: "Запрос не удалось разобрать", 401: "Требуется вход в систему",
                   403: "Действие не разрешено", 404: "Адрес не найден", 405: "Метод не поддерживается",
                   409: "Конфликт с текущим состоянием", 413: "Тело запроса слишком большое",
                   415: "Неподдерживаемый тип тела запроса", 422: "Неверный запрос"}

#: Russian wording of pydantic's validation errors, by error type.
VALIDATION_MESSAGES = {
    "missing": "поле обязательно", "extra_forbidden": "лишнее поле", "int_type": "ожидается целое число",
    "int_parsing": "ожидается целое число", "int_from_float": "ожидается целое число",
    "float_type": "ожидается число", "float_parsing": "ожидается число", "string_type": "ожидается строка",
    "bool_type": "ожидается true или false", "dict_type": "ожидается объект", "model_type": "ожидается объект",
    "model_attributes_type": "ожидается объект JSON", "list_type": "ожидается список",
    "string_too_short": "строка слишком короткая", "string_too_long": "строка слишком длинная",
    "too_short": "список слишком короткий", "too_long": "список слишком длинный",
    "greater_than_equal": "значение меньше допустимого", "greater_than": "значение меньше допустимого",
    "less_than_equal": "значение больше допустимого", "less_than": "значение больше допустимого",
    "enum": "недопустимое значение", "literal_error": "недопустимое значение",
    "union_tag_invalid": "неизвестное действие", "union_tag_not_found": "не указано действие",
    "date_type": "ожидается дата ГГГГ-ММ-ДД", "date_parsing": "ожидается дата ГГГГ-ММ-ДД",
    "date_from_datetime_parsing": "ожидается дата ГГГГ-ММ-ДД", "datetime_type": "ожидается дата и время",
    "datetime_parsing": "ожидается дата и время ISO 8601", "datetime_from_date_parsing": "ожидается дата и время",
    "timezone_aware": "укажите часовой пояс", "json_invalid": "тело запроса — не JSON",
    "finite_number": "ожидается конечное число",
    "number_type": "ожидается число JSON, а не строка или true/false",
    "string_pattern_mismatch": "строка не в ожидаемом формате",
    "value_error": "недопустимое значение",
}


def error_response(status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    return JSONResponse(ApiError(status, code, message, **extra).body(), status_code=status, headers=headers)


def validation_message(error: Mapping[str, Any]) -> str:
    """One pydantic error in Russian (the English text of unknown types is kept after a Russian lead)."""
    known = VALIDATION_MESSAGES.get(str(error.get("type", "")))
    return known or f"недопустимое значение ({error.get('msg', '')})"


def field_of(error: Mapping[str, Any]) -> str | None:
    """The field a client should highlight: the error's location without its source and union tag.

    An action's payload fields are named as inside the payload (``executor_id``, not
    ``payload.executor_id``), the way the domain names them in its refusals; a missing or unknown
    action is the field ``action``.
    """
    if str(error.get("type", "")).startswith("union_tag_"):
        return "action"
    parts = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "header", "path")]
    if parts and parts[0] in ACTION_TAGS:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or None


def body_problem(body: bytes) -> tuple[int, str, str | None] | None:
    """(status, Russian message, field) when a JSON body cannot reach the models safely, else None.

    Invalid UTF-8 and malformed JSON are 400. Nesting deeper than the API uses, and strings with
    lone surrogates (valid as JSON escapes, but no UTF-8 text can hold them: hashing, storing or
    logging them would fail), are 422.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return 400, f"Тело запроса — не текст в UTF-8 (байт {exc.start})", None
    try:
        value = json.loads(text)
    except RecursionError:
        return 422, f"Слишком глубокая вложенность JSON (допустимо {MAX_JSON_DEPTH} уровня)", None
    except ValueError as exc:
        where = f" (строка {exc.lineno}, позиция {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        return 400, f"Тело запроса — не JSON{where}", None
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return 422, f"Слишком глубокая вложенность JSON (допустимо {MAX_JSON_DEPTH} уровня)", path or None
        if isinstance(node, str):
            if _has_surrogate(node):
                return 422, "Недопустимые символы в тексте (одиночные суррогаты UTF-16)", path or None
        elif isinstance(node, dict):
            for key, child in node.items():
                if _has_surrogate(key):
                    return 422, "Недопустимые символы в имени поля (одиночные суррогаты UTF-16)", path or None
                stack.append((child, depth + 1, f"{path}.{key}" if path else key))
        elif isinstance(node, list):
            stack.extend((child, depth + 1, path) for child in node)
    return None


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _is_json(headers: Mapping[bytes, bytes]) -> bool:
    """Whether the body is parsed as JSON (FastAPI does so with no Content-Type, too)."""
    raw = headers.get(b"content-type")
    if raw is None:
        return True
    media = raw.split(b";")[0].strip().lower()
    return media == b"application/json" or (media.startswith(b"application/") and media.endswith(b"+json"))


class BodyGuardMiddleware:
    """Refuse oversized bodies with 413 before the application reads them (chunked bodies too), and
    JSON bodies the models cannot hold (see ``body_problem``) in the contract's error shape."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        upload = scope["path"].endswith("/attachments")
        limit = MAX_ATTACHMENT_BYTES if upload else MAX_JSON_BODY
        too_large = error_response(413, "payload_too_large", f"Тело запроса больше {limit // 1024} КБ")
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await too_large(scope, receive, send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and not upload and _is_json(headers):
            problem = body_problem(body)
            if problem is not None:
                status, message_text, field = problem
                await error_response(status, "invalid", message_text, field=field)(scope, receive, send)
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
