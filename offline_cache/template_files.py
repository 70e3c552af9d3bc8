"""Personal templates as a file: export, and an import that refuses a bad file whole with a Russian reason.

The file is JSON: ``{"format": "posdesk-templates", "format_version": 1, "exported_at": …,
"templates": [{"title", "text", "purpose", "categories", "ground_code"}]}``. A file comes from
anywhere (a colleague, a USB stick, a mail), so the import trusts nothing: size, encoding, nesting,
types, lengths and characters are checked before anything is written, and everything it adds is
written in one transaction.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from offline_cache.placeholders import slots
from offline_cache.templates import (
    Origin,
    Template,
    TemplateError,
    TemplateLibrary,
    field_problem,
    hostile_char,
    unix_lines,
)

FORMAT = "posdesk-templates"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 1024 * 1024
MAX_TEMPLATES = 500
MAX_DEPTH = 4  # file → templates list → template → categories list
TEMPLATE_KEYS = frozenset({"title", "text", "purpose", "categories", "ground_code", "id", "version"})


class TemplateFileError(TemplateError):
    """The file cannot be imported; nothing was changed."""


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import added; templates already in the library (same title, text and purpose) are skipped."""

    added: list[Template]
    skipped: int
    unknown_placeholders: list[str]  # names no placeholder has, for the official to look at

    @property
    def message(self) -> str:
        text = f"Добавлено шаблонов: {len(self.added)}"
        if self.skipped:
            text += f", уже были в библиотеке: {self.skipped}"
        if self.unknown_placeholders:
            text += ". Неизвестные подстановки: " + ", ".join("{" + n + "}" for n in self.unknown_placeholders)
        return text + "."


def export_templates(library: TemplateLibrary, path: Path | str, ids: Iterable[str] | None = None) -> int:
    """Write the personal templates in use (or the templates ``ids``) to ``path``; return how many.

    Written to a temporary file first and moved into place, so a failed export leaves no half file.
    """
    wanted = set(ids) if ids is not None else None
    chosen = [t for t in library.templates(include_retired=wanted is not None)
              if (t.id in wanted if wanted is not None else t.origin is Origin.PERSONAL)]
    data = {"format": FORMAT, "format_version": FORMAT_VERSION, "exported_at": datetime.now(UTC).isoformat(),
            "templates": [{"title": t.title, "text": t.text, "purpose": t.purpose.value,
                           "categories": list(t.category_codes), "ground_code": t.ground_code} for t in chosen]}
    target = Path(path)
    temp = target.with_name(target.name + ".part")
    temp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temp, target)
    return len(chosen)


def _refuse_constant(name: str) -> Any:
    raise TemplateFileError(f"Файл шаблонов повреждён: недопустимое значение {name}.")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise TemplateFileError("Файл шаблонов повреждён: поле повторяется в одном объекте.")
    return dict(pairs)


def _depth(value: Any) -> int:
    """Nesting depth, iteratively (a hostile file must not exhaust the stack here either)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def read_template_file(path: Path | str) -> list[dict[str, Any]]:
    """The templates of a file, checked for form (not yet for content); TemplateFileError otherwise."""
    try:
        with Path(path).open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise TemplateFileError(f"Не удалось прочитать файл шаблонов: {exc.strerror or exc}.") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise TemplateFileError("Файл шаблонов больше 1 МБ: такой файл не импортируется.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateFileError("Файл шаблонов не в кодировке UTF-8.") from exc
    try:
        data = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicate_keys)
    except RecursionError as exc:
        raise TemplateFileError("Файл шаблонов повреждён: слишком глубокая вложенность.") from exc
    except json.JSONDecodeError as exc:
        raise TemplateFileError(f"Файл шаблонов повреждён: это не JSON (строка {exc.lineno}, "
                                f"позиция {exc.colno}).") from exc
    if _depth(data) > MAX_DEPTH:
        raise TemplateFileError("Файл шаблонов повреждён: слишком глубокая вложенность.")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TemplateFileError("Это не файл шаблонов POS Desk.")
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TemplateFileError("Файл шаблонов повреждён: нет версии формата.")
    if version > FORMAT_VERSION:
        raise TemplateFileError("Файл шаблонов создан более новой версией POS Desk. Обновите программу.")
    templates = data.get("templates")
    if not isinstance(templates, list):
        raise TemplateFileError("Файл шаблонов повреждён: нет списка шаблонов.")
    if len(templates) > MAX_TEMPLATES:
        raise TemplateFileError(f"В файле {len(templates)} шаблонов, больше {MAX_TEMPLATES}: такой файл "
                                "не импортируется.")
    for n, entry in enumerate(templates, start=1):
        if not isinstance(entry, dict):
            raise TemplateFileError(f"Шаблон № {n}: ожидался объект с полями title, text, purpose.")
        extra = sorted(set(entry) - TEMPLATE_KEYS)
        if extra:
            raise TemplateFileError(f"Шаблон № {n}: неизвестное поле {extra[0][:40]!r}.")
    return templates


def import_templates(library: TemplateLibrary, path: Path | str) -> ImportReport:
    """Add the file's templates to the personal library, all or none; TemplateFileError (Russian) otherwise."""
    entries = read_template_file(path)
    grounds = library.known_grounds()
    have = {(t.title, t.text, t.purpose.value) for t in library.templates(include_retired=True)}
    rows: list[tuple[Any, Any, Any, Any, Any]] = []
    skipped = 0
    for n, entry in enumerate(entries, start=1):
        row: tuple[Any, Any, Any, Any, Any] = (entry.get("title"), unix_lines(entry.get("text")), entry.get("purpose"),
                                               entry.get("categories", []), entry.get("ground_code"))
        problem = field_problem(*row, grounds)
        if problem:
            title = row[0][:60] if isinstance(row[0], str) and not any(map(hostile_char, row[0][:60])) else ""
            named = f" («{title}»)" if title else ""
            raise TemplateFileError(f"Шаблон № {n}{named}: {problem}. Файл не импортирован, библиотека не изменена.")
        key = (str(row[0]).strip(), str(row[1]), str(row[2]))
        if key in have:
            skipped += 1
            continue
        have.add(key)
        rows.append(row)
    with library.cache.transaction():
        added = library.insert_personal(rows)
    unknown = sorted({s.written for t in added for s in slots(t.text) if s.placeholder is None})
    return ImportReport(added, skipped, unknown)
