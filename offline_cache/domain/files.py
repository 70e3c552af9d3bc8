"""Which files may go with an answer: size, types and count, the same for the workstation and the platform."""

from __future__ import annotations

import posixpath

from offline_cache.domain.workflow import MAX_ATTACHMENTS

#: Largest answer attachment (the platform refuses a bigger upload with 413).
MAX_ANSWER_FILE_BYTES = 5 * 1024 * 1024

#: Content types of answer files, with the name endings each may have: documents an applicant can
#: open anywhere and photos. Executables, archives and scripts never go to a citizen.
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

__all__ = ["ANSWER_FILE_TYPES", "MAX_ANSWER_FILE_BYTES", "MAX_ATTACHMENTS", "check_answer_file", "type_for_name"]


def type_for_name(name: str) -> str | None:
    """The answer file type a name's ending stands for, None when no allowed type has it."""
    ending = posixpath.splitext(name.lower())[1]
    return next((ctype for ctype, endings in ANSWER_FILE_TYPES.items() if ending in endings), None)


def check_answer_file(name: str, content_type: str, size: int) -> str | None:
    """Why a file may not go with an answer (in Russian), or None when it may."""
    if not name.strip() or "/" in name or "\\" in name or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "Недопустимое имя файла"
    if size <= 0:
        return f"Файл «{name}» пуст"
    if size > MAX_ANSWER_FILE_BYTES:
        return (f"Файл «{name}» больше {MAX_ANSWER_FILE_BYTES // (1024 * 1024)} МБ: "
                "уменьшите его или разделите на части")
    base_type = content_type.split(";")[0].strip().lower()
    if base_type not in ANSWER_FILE_TYPES or type_for_name(name) != base_type:
        kinds = sorted({e.lstrip(".").upper() for endings in ANSWER_FILE_TYPES.values() for e in endings})
        return f"Файл «{name}» такого типа нельзя приложить к ответу. Допустимы: {', '.join(kinds)}"
    return None
