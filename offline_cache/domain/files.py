"""Which files may go with an answer (names, content types, size, types, count), one rule for the workstation
and the platform; and a plain-ASCII stand-in for a name.

A file name reaches other officials' disks and the applicant: it must not walk directories
(``..``), hide its real extension behind bidirectional-text controls (``‮txt.exe``) or carry
control characters. A content type is a ``type/subtype`` media type [RFC 6838: each name at most
127 characters of the token alphabet].
"""

from __future__ import annotations

import posixpath
import re
import unicodedata

from offline_cache.domain.workflow import MAX_ATTACHMENTS

#: Largest answer attachment (the platform refuses a bigger upload with 413).
MAX_ANSWER_FILE_BYTES = 5 * 1024 * 1024

#: Content types of the usual answer files by name ending, to label a file chosen on disk. Not a limit:
#: the platform takes any well-formed type and always serves files as downloads, never rendered.
ANSWER_FILE_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/tiff": (".tif", ".tiff"),
    "text/plain": (".txt",),
    "application/rtf": (".rtf",),
    "application/msword": (".doc",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
}

MAX_FILE_NAME_LENGTH = 255
MAX_MEDIA_NAME_LENGTH = 127
__all__ = ["ANSWER_FILE_TYPES", "MAX_ANSWER_FILE_BYTES", "MAX_ATTACHMENTS", "ascii_file_name", "check_answer_file",
           "content_type_problem", "file_name_problem", "type_for_name"]

#: RFC 9110 token characters.
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]"
_MEDIA_TYPE = re.compile(rf"{_TOKEN}{{1,{MAX_MEDIA_NAME_LENGTH}}}/{_TOKEN}{{1,{MAX_MEDIA_NAME_LENGTH}}}")
#: Unicode categories never allowed in a name: controls, format characters (bidi overrides,
#: zero-width marks, BOM), surrogates, private use, unassigned, line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_ASCII_SAFE = re.compile(r"[^A-Za-z0-9 ._()+,-]")


def file_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an attachment's name (in Russian), or None when it can."""
    if not name.strip():
        return "имя файла пусто"
    if len(name) > MAX_FILE_NAME_LENGTH:
        return f"имя файла длиннее {MAX_FILE_NAME_LENGTH} символов"
    if "/" in name or "\\" in name:
        return "имя файла не может содержать «/» или «\\»"
    if not name.replace(".", "").strip():
        return "имя файла не может состоять из одних точек"
    for ch in name:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            return f"имя файла содержит недопустимый символ U+{ord(ch):04X}"
    return None


def content_type_problem(value: str) -> str | None:
    """Why ``value`` (the media type, without parameters) is not a valid content type, or None."""
    if not value:
        return "тип содержимого не указан"
    if _MEDIA_TYPE.fullmatch(value) is None:
        return (f"тип содержимого должен иметь вид «тип/подтип» (до {MAX_MEDIA_NAME_LENGTH} латинских символов "
                "в каждой части)")
    return None


def ascii_file_name(name: str) -> str:
    """``name`` with every character outside a small safe ASCII set replaced by ``_`` (for old clients)."""
    return _ASCII_SAFE.sub("_", name)


def type_for_name(name: str) -> str | None:
    """The content type a name's ending stands for among the usual answer files, None for another ending."""
    ending = posixpath.splitext(name.lower())[1]
    return next((ctype for ctype, endings in ANSWER_FILE_TYPES.items() if ending in endings), None)


def check_answer_file(name: str, content_type: str, size: int) -> str | None:
    """Why the platform would refuse this file with an answer (in Russian), or None when it takes it:
    the name, the content type, the size. (How many files an answer may carry: ``MAX_ATTACHMENTS``.)"""
    bad_name = file_name_problem(name)
    if bad_name is not None:
        return f"Недопустимое имя файла: {bad_name}"
    bad_type = content_type_problem(content_type.split(";")[0].strip().lower())
    if bad_type is not None:
        return f"Файл «{name}»: {bad_type}"
    if size <= 0:
        return f"Файл «{name}» пуст"
    if size > MAX_ANSWER_FILE_BYTES:
        return (f"Файл «{name}» больше {MAX_ANSWER_FILE_BYTES // (1024 * 1024)} МБ: "
                "уменьшите его или разделите на части")
    return None
