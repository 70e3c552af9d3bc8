"""Russian spelling: words the OpenCorpora dictionary (pymorphy3-dicts-ru) and the organisation do not know.

Why pymorphy3 and not a spell-checker package: pyspellchecker's Russian list has about 20,000
word forms taken from subtitles (it flags «ремонта», «отопления», «квартирах»), and pyenchant
needs system hunspell dictionaries that Windows installs do not have. The OpenCorpora
dictionary knows every inflected form of about 400,000 words, is maintained, and installs from
PyPI with nothing else (16 MB). It suggests no corrections: the editor underlines, the official
corrects. Words it cannot know (street names, surnames of staff, the organisation's own terms)
come from the cache (``organisation_words``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import pymorphy3

from offline_cache.placeholders import slots

# Cyrillic words, hyphenated ones whole («северо-западный», «кто-то»).
WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")
ABBREVIATION_MAX = 6  # «ЖКХ», «МКД», «ГИБДД»: capitals only, not checked


class _Dictionary(Protocol):
    def word_is_known(self, word: str, strict: bool = False) -> bool: ...


@cache
def dictionary() -> _Dictionary:
    """The analyser with its dictionary: loaded once per process (about 0.2 s), read-only afterwards."""
    analyser: _Dictionary = pymorphy3.MorphAnalyzer(lang="ru")
    return analyser


def fold(word: str) -> str:
    return word.lower().replace("ё", "е")


@dataclass(frozen=True, slots=True)
class Misspelling:
    """A word neither the dictionary nor the organisation knows, with its span in the text."""

    word: str
    start: int
    end: int


def words_of(texts: Iterable[str]) -> set[str]:
    """Every Cyrillic word (and each part of a hyphenated one) in ``texts``, folded."""
    found: set[str] = set()
    for text in texts:
        for m in WORD.finditer(text):
            word = fold(m.group(0))
            found.add(word)
            found.update(word.split("-"))
    return found


class Speller:
    """Spelling for one editor session; remembers every word it looked up (typing rechecks the same words)."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self.extra = {fold(w) for w in extra_words}
        self._seen: dict[str, bool] = {}
        self._dictionary = dictionary()

    def add_words(self, words: Iterable[str]) -> None:
        """Accept these words from now on (the item's applicant and address, say)."""
        new = {fold(w) for w in words} - self.extra
        if new:
            self.extra |= new
            self._seen = {w: hit for w, hit in self._seen.items() if hit}  # only «unknown» answers can change

    def known(self, word: str) -> bool:
        folded = fold(word)
        hit = self._seen.get(folded)
        if hit is None:
            hit = folded in self.extra or self._dictionary.word_is_known(folded) or (
                "-" in folded and all(p in self.extra or self._dictionary.word_is_known(p)
                                      for p in folded.split("-") if p))
            self._seen[folded] = hit
        return hit

    def misspelt(self, text: str) -> list[Misspelling]:
        """Unknown words in ``text`` in order, with spans for underlining; placeholders are skipped."""
        skip = [(s.start, s.end) for s in slots(text)]
        found = []
        for m in WORD.finditer(text):
            word = m.group(0)
            if len(word) < 2 or (word.isupper() and len(word) <= ABBREVIATION_MAX):
                continue
            if skip and any(a <= m.start() < b for a, b in skip):
                continue
            if not self.known(word):
                found.append(Misspelling(word, m.start(), m.end()))
        return found
