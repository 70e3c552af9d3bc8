"""Answer-file names and content types (issue 10, point 6): what is refused and why, in Russian."""

from __future__ import annotations

import pytest

from offline_cache.domain.files import ascii_file_name, content_type_problem, file_name_problem


@pytest.mark.parametrize("name", ["Акт осмотра.pdf", "фото 1 (двор).jpg", "a.b.c.txt", ".profile", "x" * 255,
                                  "план 😀.png", "name with  spaces.docx"])
def test_ordinary_names_pass(name: str) -> None:
    assert file_name_problem(name) is None


@pytest.mark.parametrize(("name", "reason"), [
    ("", "пусто"), ("   ", "пусто"), (".", "точек"), ("..", "точек"), (". .", "точек"), ("...", "точек"),
    ("a/b.txt", "«/»"), ("..\\win.ini", "«/»"), ("x" * 256, "длиннее 255"),
    ("\u202etxt.exe", "U+202E"), ("a\u200fb.pdf", "U+200F"), ("\u2066x.txt", "U+2066"), ("a\u0085b", "U+0085"),
    ("a\x1bb", "U+001B"), ("a\x00b", "U+0000"), ("\ufeffa.txt", "U+FEFF"), ("a\u2028b", "U+2028"),
    ("a\ud800b", "U+D800"), ("a\ue000b", "U+E000"),
])
def test_unsafe_names_are_refused_with_a_reason(name: str, reason: str) -> None:
    problem = file_name_problem(name)
    assert problem is not None and reason in problem


@pytest.mark.parametrize("value", ["application/pdf", "image/png", "text/plain", "application/vnd.ms-excel",
                                   "application/ld+json", "a" * 127 + "/" + "b" * 127])
def test_media_types_pass(value: str) -> None:
    assert content_type_problem(value) is None


@pytest.mark.parametrize("value", ["", "a" * 300, "not a mime", "text", "text/", "/plain", "text/pl ain",
                                   "text/plain/x", "te(xt)/plain", "a" * 128 + "/b", "текст/plain",
                                   "text/plain; charset=utf-8"])
def test_invalid_media_types_are_refused(value: str) -> None:
    problem = content_type_problem(value)
    assert problem is not None and "тип" in problem


def test_ascii_stand_in_keeps_the_extension_and_nothing_unsafe() -> None:
    assert ascii_file_name('Акт "осмотра"; x=1.pdf') == "___ __________ x_1.pdf"
    assert ascii_file_name("plan-v2 (final), 3+4.txt") == "plan-v2 (final), 3+4.txt"
