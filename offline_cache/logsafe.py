"""What may go into a log line about a failure: its kind and codes, never its message (issue 12, point 8).

Exception messages can carry a citizen's text, name or address (a validation error quotes its input),
so logs and crash reports name the exception's class and its numeric or symbolic codes only.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

_CODES = ("status", "code", "errno", "sqlite_errorname")


def describe(exc: BaseException) -> str:
    """``ValueError``, ``OperationalError SQLITE_FULL``, ``ConflictError status=409 code=conflict``: no text."""
    parts = [type(exc).__name__]
    for attr in _CODES:
        value = getattr(exc, attr, None)
        if isinstance(value, (int, str)) and value != "" and (attr != "code" or str(value).isascii()):
            parts.append(f"{attr}={value}")
    return " ".join(parts)


def crash_report(exc: BaseException) -> str:
    """A crash report with the failure's kind and where it happened (file, line, function), never its text."""
    lines = [f"POS Desk: необработанная ошибка {describe(exc)}"]
    for frame in traceback.extract_tb(exc.__traceback__):
        lines.append(f"  {Path(frame.filename).name}:{frame.lineno} in {frame.name}")
    return "\n".join(lines)


def install_crash_reports() -> None:
    """Uncaught exceptions (also in Qt slots, which PySide routes here) are reported without their messages."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        logging.getLogger("posdesk.crash").critical("%s", crash_report(exc.with_traceback(tb)))
        print(crash_report(exc.with_traceback(tb)), file=sys.stderr)

    sys.excepthook = hook
    threading.excepthook = lambda args: hook(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)
