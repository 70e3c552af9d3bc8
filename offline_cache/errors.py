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
