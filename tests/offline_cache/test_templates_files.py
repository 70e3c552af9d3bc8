"""Template files: export and import round trip; malformed, oversized and hostile files refused, library unchanged."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from offline_cache.store.cache import Cache
from offline_cache.template_files import (
    MAX_FILE_BYTES,
    TemplateFileError,
    export_templates,
    import_templates,
)
from offline_cache.templates import Origin, TemplateLibrary


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[TemplateLibrary]:
    cache = Cache.open(tmp_path / "c.posdesk", secrets.token_bytes(32))
    yield TemplateLibrary(cache, user_id="c-exec1")
    cache.close()


def snapshot(lib: TemplateLibrary) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in lib.cache.db.execute("SELECT * FROM personal_templates ORDER BY id")]


def entry(**changes: Any) -> dict[str, Any]:
    return {"title": "Ответ", "text": "Уважаемый(ая) {заявитель}!", "purpose": "answer", "categories": [],
            "ground_code": None, **changes}


def write(path: Path, templates: list[Any] | None = None, **top: Any) -> Path:
    data = {"format": "posdesk-templates", "format_version": 1, "templates": templates or [entry()], **top}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_export_and_import_round_trip(lib: TemplateLibrary, tmp_path: Path) -> None:
    lib.create("Снег убран", "Снег по адресу {адрес} убран.\nСпасибо.", "answer", ["snow"])
    lib.create("Отказ: нет адреса", "{основание_отказа}", "rejection", ground_code="no_location")
    retired = lib.create("Старый", "Старый текст", "return")
    lib.retire(retired.id)
    path = tmp_path / "мои шаблоны.json"
    assert export_templates(lib, path) == 2
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "posdesk-templates" and data["format_version"] == 1
    assert [t["title"] for t in data["templates"]] == ["Отказ: нет адреса", "Снег убран"]

    other = TemplateLibrary(Cache.open(tmp_path / "other.posdesk", secrets.token_bytes(32)), user_id="c-exec2")
    try:
        report = import_templates(other, path)
        assert len(report.added) == 2 and report.skipped == 0 and report.message == "Добавлено шаблонов: 2."
        got = {(t.title, t.text, t.purpose.value, t.category_codes, t.ground_code) for t in other.templates()}
        assert got == {("Снег убран", "Снег по адресу {адрес} убран.\nСпасибо.", "answer", ("snow",), None),
                       ("Отказ: нет адреса", "{основание_отказа}", "rejection", (), "no_location")}
        assert all(t.origin is Origin.PERSONAL for t in other.templates())
        again = import_templates(other, path)  # the same file twice adds nothing
        assert again.added == [] and again.skipped == 2 and "уже были в библиотеке: 2" in again.message
    finally:
        other.cache.close()


def test_import_reports_unknown_placeholders_and_accepts_windows_lines_and_bom(lib, tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    data = {"format": "posdesk-templates", "format_version": 1,
            "templates": [entry(text="Строка {фио}\r\nвторая {номер}")]}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(data, ensure_ascii=False).encode())
    report = import_templates(lib, path)
    assert report.unknown_placeholders == ["фио"] and "Неизвестные подстановки: {фио}" in report.message
    assert report.added[0].text == "Строка {фио}\nвторая {номер}"


BAD_FILES: list[tuple[str, Any, str]] = [
    # (case, file content: bytes, or templates list, or a dict of top-level fields, expected message)
    ("not json", b"{\"format\": \"posdesk-templates\", ", r"это не JSON \(строка 1"),
    ("not utf-8", "{\"title\": \"Ответ\"}".encode("cp1251"), "не в кодировке UTF-8"),
    ("not our format", b'{"templates": []}', "Это не файл шаблонов POS Desk"),
    ("json array", b"[1, 2, 3]", "Это не файл шаблонов POS Desk"),
    ("newer format", {"format_version": 2}, "более новой версией POS Desk"),
    ("no version", {"format_version": "1"}, "нет версии формата"),
    ("no list", {"templates": {"title": "x"}}, "нет списка шаблонов"),
    ("too many", [entry(title=f"Ответ {n}") for n in range(501)], "501 шаблонов, больше 500"),
    ("text too long", [entry(), entry(title="Длинный", text="а" * 20_001)],
     "Шаблон № 2 \\(«Длинный»\\): текст длиннее 20 000 знаков"),
    ("title too long", [entry(title="я" * 201)], "название длиннее 200"),
    ("wrong type: text", [entry(text=["a"])], "Шаблон № 1 \\(«Ответ»\\): нужен текст шаблона"),
    ("wrong type: title", [entry(title=5)], "Шаблон № 1: нужно название"),
    ("wrong type: entry", ["просто строка"], "Шаблон № 1: ожидался объект"),
    ("wrong type: categories", [entry(categories="roads")], "категории — список"),
    ("wrong purpose", [entry(purpose="praise")], "назначение должно быть одним из"),
    ("unknown ground", [entry(purpose="rejection", ground_code="secret")], "неизвестное основание"),
    ("unknown field", [entry(script="alert(1)")], "неизвестное поле 'script'"),
    ("control char", [entry(text="Текст\x1b[31m красный")], r"U\+001B"),
    ("nul", [entry(text="Текст\x00")], r"U\+0000"),
    ("bidi override", [entry(text="Оплата \u202eтекст задом наперёд")], r"U\+202E"),
    ("bidi isolate in title", [entry(title="Ответ\u2066")], r"название содержит недопустимый служебный символ U\+2066"),
    ("zero width", [entry(text="Те\u200bкст")], r"U\+200B"),
    ("lone surrogate", b'{"format": "posdesk-templates", "format_version": 1, "templates": '
                       b'[{"title": "x", "text": "\\ud800", "purpose": "answer"}]}', r"U\+D800"),
    ("NaN", b'{"format": "posdesk-templates", "format_version": NaN, "templates": []}', "недопустимое значение NaN"),
    ("duplicate key", b'{"format": "posdesk-templates", "format": "x", "format_version": 1, "templates": []}',
     "поле повторяется"),
    ("deep nesting", b'{"format": "posdesk-templates", "format_version": 1, "templates": [' + b"[" * 100_000
     + b"]" * 100_000 + b"]}", "слишком глубокая вложенность"),
    ("moderately deep", {"templates": [entry(categories=[["roads"]])]}, "слишком глубокая вложенность"),
    ("oversized", b'{"format": "posdesk-templates", "x": "' + b"a" * MAX_FILE_BYTES + b'"}', "больше 1 МБ"),
]


@pytest.mark.parametrize(("case", "content", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_is_refused_whole_with_a_russian_reason(lib, tmp_path: Path, case, content, message) -> None:
    lib.create("Мой шаблон", "Мой текст", "answer")
    before = snapshot(lib)
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, list):
        write(path, content)
    else:
        write(path, **content)
    with pytest.raises(TemplateFileError, match=message) as exc:
        import_templates(lib, path)
    assert exc.value.message[0].isupper() and exc.value.message.endswith(".")
    assert snapshot(lib) == before
    assert not lib.cache.db.conn.in_transaction


def test_a_missing_file_is_a_clear_error(lib, tmp_path: Path) -> None:
    with pytest.raises(TemplateFileError, match="Не удалось прочитать файл шаблонов"):
        import_templates(lib, tmp_path / "нет такого.json")


def test_a_failure_while_writing_rolls_the_whole_import_back(lib, tmp_path: Path, monkeypatch) -> None:
    before = snapshot(lib)
    path = write(tmp_path / "t.json", [entry(title=f"Ответ {n}") for n in range(5)])
    real = lib.insert_personal

    def insert_then_fail(rows):  # type: ignore[no-untyped-def]
        real(rows)
        raise OSError("диск отключён")

    monkeypatch.setattr(lib, "insert_personal", insert_then_fail)
    with pytest.raises(OSError):
        import_templates(lib, path)
    assert snapshot(lib) == before
