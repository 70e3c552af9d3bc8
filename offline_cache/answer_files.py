"""Files for an answer: the platform's limits checked before anything is queued, and a file read for the cache.

The limits live in ``offline_cache.domain.files``, which the training platform enforces too: a file
the workstation accepts is one the platform accepts.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from offline_cache.domain.files import ANSWER_FILE_TYPES, MAX_ANSWER_FILE_BYTES, check_answer_file, type_for_name
from offline_cache.store.local import LocalFileRefused

__all__ = ["ANSWER_FILE_TYPES", "MAX_ANSWER_FILE_BYTES", "check_file", "content_type_of", "read_answer_file"]


def check_file(name: str, content_type: str, size: int) -> str | None:
    """Why the platform would refuse this file with an answer (in Russian), or None when it takes it."""
    return check_answer_file(name, content_type, size)


def content_type_of(name: str) -> str:
    """The content type a file name stands for: the allowed type of its ending, else the system's guess."""
    return type_for_name(name) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def read_answer_file(path: Path) -> tuple[str, str, bytes]:
    """(name, content type, bytes) of a file chosen for an answer; LocalFileRefused when the platform would
    refuse it (checked on the size before reading, so a huge file is not read at all)."""
    name, content_type = path.name, content_type_of(path.name)
    size = path.stat().st_size
    refused = check_answer_file(name, content_type, size)
    if refused is not None:
        raise LocalFileRefused(refused)
    data = path.read_bytes()
    refused = check_answer_file(name, content_type, len(data))  # it may have changed meanwhile
    if refused is not None:
        raise LocalFileRefused(refused)
    return name, content_type, data
