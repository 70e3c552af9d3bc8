"""The words a search matches in a text, by the index's own rule (offline_cache.highlight)."""

from __future__ import annotations

import pytest

from offline_cache.highlight import match_ranges, utf16_ranges


def marked(text: str, query: str) -> list[str]:
    return [text[start:end] for start, end in match_ranges(text, query)]


@pytest.mark.parametrize(("query", "text", "expected"), [
    ("дорога", "На дороге глубокая яма, дорогу не чинят, ремонт дорог", ["дороге", "дорогу", "дорог"]),
    ("ямы", "Во дворе много ям, яма на яме", ["ям", "яма", "яме"]),
    ("горячая вода", "Нет горячей воды, вода холодная", ["горячей", "воды", "вода"]),
    ("протекала", "Крыша протекает, крыши протекают", ["протекает", "протекают"]),
    ("убрать", "Снег так и не убрали", ["убрали"]),
    ("ёлка", "Елки упали, ёлку не убрали", ["Елки", "ёлку"]),
    ("елку", "ЁЛКИ у подъезда", ["ЁЛКИ"]),
    ("ново-садовой", "ул. Ново-Садовая, д. 52", ["Ново", "Садовая"]),
    ("садовой", "ул. Ново-Садовая", ["Садовая"]),
    ("д. 52, корп. 2", "ул. Лесная, д. 52, корп. 2, дом 8", ["д", "52", "корп", "2"]),  # «д» marks no «дом»
    ("доро", "На дороге яма", ["дороге"]),  # a word being typed
    ("остановка", "Яма у оста\u0301новки", ["оста\u0301новки"]),  # the stress mark stays inside the word
    ("ёлка", "Е\u0308лка упала", ["Е\u0308лка"]),  # ё written as е and a combining diaeresis
])
def test_the_forms_of_a_word_are_marked(query: str, text: str, expected: list[str]) -> None:
    assert marked(text, query) == expected


def test_other_words_are_not_marked() -> None:
    assert marked("Во дворе много ям", "дворник") == []
    assert marked("Дворы не убраны", "дорога") == []
    assert marked("дом 52", "53") == []


def test_nothing_is_marked_without_a_query_or_a_text() -> None:
    assert match_ranges("На дороге яма", "") == [] and match_ranges("На дороге яма", " ,.- ") == []
    assert match_ranges("", "дорога") == []


def test_markup_in_the_text_is_only_text() -> None:
    text = "<b>яма</b> <script>alert('дорога')</script> &amp; ямы"
    assert marked(text, "яма") == ["яма", "ямы"]
    assert marked(text, "script") == ["script", "script"]
    assert match_ranges(text, "яма")[0] == (3, 6)  # offsets in the text as written, tags included


def test_offsets_follow_the_text_as_written() -> None:
    text = "Ёлку 🎄 на дороге"  # an astral character before the match: Python offsets, not UTF-16
    [(start, end)] = match_ranges(text, "дорога")
    assert text[start:end] == "дороге"
    assert utf16_ranges(text, [(start, end)]) == [(start + 1, end + 1)]  # the emoji is two UTF-16 units
    assert utf16_ranges("На дороге", [(3, 9)]) == [(3, 9)]
