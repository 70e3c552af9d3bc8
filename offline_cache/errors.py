"""Typed errors of the platform client, each with a message an official can read."""

from __future__ import annotations

from typing import Any

from offline_cache.contract.models import Item


class PlatformError(Exception):
    """Something went wrong talking to the platform. ``message`` is for the official."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class OfflineError(PlatformError):
    """The platform cannot be reached (network down, DNS, refused, timed out, connection dropped)."""

    retryable = True


class ServerError(PlatformError):
    """The platform answered with a server error (5xx) even after retries."""

    retryable = True


class ProtocolError(PlatformError):
    """The platform's answer could not be read (truncated or malformed)."""

    retryable = True


class AuthError(PlatformError):
    """Wrong login or password."""


class AuthExpiredError(PlatformError):
    """The session ended and could not be renewed: the official must log in again."""


class ForbiddenError(PlatformError):
    """The official's role does not allow this (403)."""


class NotFoundError(PlatformError):
    """The item or attachment does not exist or is not visible to this official (404)."""


class ConflictError(PlatformError):
    """The item changed on the platform and the action no longer applies (409).

    Attributes:
        current: the item as the platform has it now, when the platform sent it.
    """

    def __init__(self, message: str, *, current: Item | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.current = current


class InvalidError(PlatformError):
    """The platform refused the data (422). ``field`` names the offending field when known."""

    def __init__(self, message: str, *, field: str | None = None, details: list[dict[str, Any]] | None = None,
                 **kw: Any) -> None:
        super().__init__(message, **kw)
        self.field = field
        self.details = details or []


class PayloadTooLargeError(InvalidError):
    """The request body (usually an attachment) is larger than the platform accepts (413)."""


class ConfigError(PlatformError):
    """The connection settings cannot work (a missing CA file, a proxy address without a scheme)."""


# Why a connection failed, in words an official can act on; the OS's own text («[Errno 111] Connection
# refused») says nothing to them. Keyed by errno (POSIX and Windows' WSA codes).
_NETWORK_REASONS: tuple[tuple[frozenset[int], str], ...] = (
    (frozenset({111, 10061}), "платформа не принимает подключения: сервер выключен или недоступен, "
                              "либо адрес или порт указаны неверно"),
    (frozenset({-2, -3, -5, 11001, 11002, 11004}), "адрес платформы не найден: проверьте адрес и подключение "
                                                   "к сети (DNS)"),
    (frozenset({101, 10051}), "сеть недоступна: проверьте подключение компьютера к сети"),
    (frozenset({113, 10065}), "компьютер платформы недоступен из этой сети: проверьте подключение или прокси"),
    (frozenset({104, 10054}), "платформа сбросила соединение"),
    (frozenset({110, 10060}), "платформа не ответила вовремя"),
)


def network_reason(exc: BaseException) -> str:
    """A Russian explanation of a failed connection, from the OS error somewhere in ``exc``'s chain."""
    import ssl

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return ("сертификат платформы не прошёл проверку: укажите корневой сертификат удостоверяющего "
                    "центра в поле «Сертификат УЦ»")
        code = getattr(current, "errno", None)
        if isinstance(current, OSError) and isinstance(code, int):
            for codes, reason in _NETWORK_REASONS:
                if code in codes:
                    return reason
        current = current.__cause__ or current.__context__
    return f"не удалось установить соединение ({str(exc)[:200] or exc.__class__.__name__})"
