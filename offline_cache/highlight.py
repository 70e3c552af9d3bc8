"""Where the words of a search are in a text, by the search's own rule, for the card to highlight them.

A word of the text is a match when its stem starts with the stem of a word of the query: exactly
what the index does (``offline_cache.word_forms``), so «дорога» marks «дороге», «ёлка» marks
«Елки», and a word being typed («доро») marks what it finds. One exception, for the eye only: a
one-letter query word («д» of «д. 52») marks only that same one-letter word, not every word
beginning with the letter. Offsets are Python ``str`` indices; ``utf16_ranges`` turns them into the
positions of Qt's text cursor, which differ after a character outside the BMP (an emoji).
"""

from __future__ import annotations

import re
import unicodedata

from offline_cache.word_forms import _stemmer, stems

# A word as ``word_forms.WORD`` sees it, with the combining marks inside it (a stress mark, or ё
# written as е + U+0308) kept in the word, as ``words`` removes them before splitting.
_TOKEN = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f])*", re.UNICODE)
_MARKS = re.compile(r"[\u0300-\u036f]")


def _fold(word: str) -> str:
    """The word as the index's tokens are folded: NFC, lower case, ё→е, no combining marks."""
    return _MARKS.sub("", unicodedata.normalize("NFC", word).lower().replace("ё", "е"))


def match_ranges(text: str, query: str) -> list[tuple[int, int]]:
    """(start, end) of each word of ``text`` the search ``query`` matches, in order; none for an empty query."""
    wanted = set(stems(query))
    if not wanted or not text:
        return []
    short = {w for w in wanted if len(w) == 1}
    longer = tuple(w for w in wanted if len(w) > 1)
    tokens = list(_TOKEN.finditer(text))
    folded = [_fold(t.group()) for t in tokens]
    reduced = _stemmer().stemWords(folded) if folded else []
    ranges = []
    for token, word, stem in zip(tokens, folded, reduced, strict=True):
        if stem.startswith(longer) or word in short:
            ranges.append((token.start(), token.end()))
    return ranges


def utf16_ranges(text: str, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``ranges`` of ``text`` as UTF-16 positions (Qt's text cursor counts them): an emoji takes two."""
    if text.isascii() or all(ord(c) < 0x10000 for c in text):
        return ranges

    def position(i: int) -> int:
        return i + sum(1 for c in text[:i] if ord(c) >= 0x10000)
    return [(position(start), position(end)) for start, end in ranges]
