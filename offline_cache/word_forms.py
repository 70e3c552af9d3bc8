"""Russian word forms reduced to one stem (Snowball), so that «дорога» finds «на дороге» and «ямы» finds «ям».

The search index stores, and every query looks for, the Snowball Russian stem of each word (PyStemmer,
the Snowball project's own C code). Compared on the inflections officials meet (tests/offline_cache/
test_word_forms.py) and on cost per word, against the OpenCorpora lemmatiser pymorphy3 already used for
spelling:

- quality: both join the forms of nouns and adjectives («дорога/дороге/дорог», «яма/ямы/ям»,
  «садовая/садовой», «крыша/крыш»), and both keep numbers and «д», «корп» as they are. Only the
  dictionary knows suppletive forms («шёл/идти», «лёд/льда»), rare in complaints; and the dictionary's
  answer for a word is a set of lemmas («ямы» is «ям» or «яма», «дорог» is «дорога» or «дорогой»),
  each of which would have to be indexed;
- cost: Snowball takes 0.4 µs a word; pymorphy3 takes about 1 ms (measured on this 2-core box), 2,500
  times more: the first sync writes 20,000 items of ~50 words, tens of seconds on the download thread.

A stem is a prefix of the word it came from, so prefix search on stems stays: a word being typed
(«доро») still matches. ё is folded to е first (the stemmer would otherwise see two letters).
A Snowball stemmer object is not safe to share between threads: each thread gets its own.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

import Stemmer

# What FTS5's unicode61 tokenizer keeps in a token: letters and digits (categories L*, N*); everything
# else separates tokens, the underscore and the hyphen included («Ново-Садовая» is two words).
WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Combining marks left after NFC (a typed stress «оста́новка»): not part of the word.
_MARKS = re.compile(r"[\u0300-\u036f]")

_local = threading.local()


def _stemmer() -> Any:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("russian")
    return stemmer


def words(text: str) -> list[str]:
    """The words of ``text`` as the index's tokens, folded: lower case, ё→е, no stray combining marks."""
    if not unicodedata.is_normalized("NFC", text):  # the quick check: most texts need no copy
        text = unicodedata.normalize("NFC", text)
    folded = text.lower().replace("ё", "е")
    return WORD.findall(_MARKS.sub("", folded))


def stems(text: str) -> list[str]:
    """The stem of each word of ``text``, in order."""
    found = words(text)
    return list(_stemmer().stemWords(found)) if found else []


def reduce(text: str | None) -> str:
    """``text`` as the search index stores it: the stems of its words, separated by spaces."""
    return " ".join(stems(text)) if text else ""


def prefix_query(text: str) -> str | None:
    """An FTS5 query matching every word of ``text`` by the prefix of its stem; None without words."""
    found = stems(text)
    if not found:
        return None
    return " ".join(f'"{s}"*' for s in found)


def register(conn: Any) -> None:
    """Make ``reduce_words(text)`` available to SQL on ``conn`` (migrations and rows written from the cache)."""
    conn.create_function("reduce_words", 1, reduce, deterministic=True)
