"""Which answer-file names and content types are acceptable, and a plain-ASCII stand-in for a name.

A file name reaches other officials' disks and the applicant: it must not walk directories
(``..``), hide its real extension behind bidirectional-text controls (``‮txt.exe``) or carry
control characters. A content type is a ``type/subtype`` media type [RFC 6838: each name at most
127 characters of the token alphabet].
"""

from __future__ import annotations

import re
import unicodedata

MAX_FILE_NAME_LENGTH = 255
MAX_MEDIA_NAME_LENGTH = 127

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
