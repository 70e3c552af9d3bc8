"""Similar messages: other items from the same address, and items whose text shares its rarer words.

The check behind rejection ground 13 (a repeat of a message already answered) and behind consistent
answers. Both lookups go through the search index, whose words are reduced to stems
(``offline_cache.word_forms``), so «ул. Ново-Садовая, д. 52» and «Ново-Садовой ул., дом 52» are one
address, and «ямы на дороге» shares its words with «яма на дорогах». Headless: the card shows the lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from offline_cache.search_rebuild import pending
from offline_cache.word_forms import stems

#: Words of an address that name the kind of a street or building, not the place («ул», «дом», «корп»).
#: Stems, since addresses are compared reduced.
ADDRESS_KINDS = frozenset(stems(
    "г город ул улица пр т проспект пер переулок пл площадь ш шоссе б р бульвар наб набережная пр д проезд "
    "мкр микрорайон д дом корп корпус к стр строение лит литера"))
#: After these the rest of the address is a flat or an office: the same building is the same address.
ADDRESS_UNITS = frozenset(stems("кв квартира оф офис комн комната пом помещение"))
#: Words too common in citizens' messages to tell one problem from another.
COMMON = frozenset(stems(
    "просим прошу просьба пожалуйста помочь помогите принять меры решить вопрос проблема уже также который "
    "очень этот наш дом двор жители житель год месяц день время обращение сообщение ответ город район улица "
    "на не ни по за из от до со во ко об под над при для без как так что это все его она они уже еще"))
MIN_STEM = 2  # one letter is a preposition or an abbreviation; two may be a word («ям» of «ямы»)
TEXT_WORDS = 6  # the rarest words of the text that are compared
MAX_SHARE = 0.05  # a word in more than this share of a large cache tells nothing...
MAX_ROWS = 100  # ...but a word in this many items always may (a small cache)


@dataclass(frozen=True, slots=True)
class SimilarItem:
    """Another item like the given one, with what the official needs to compare: status and answer."""

    id: str
    number: str
    status: str
    subject: str
    address: str
    registered_at: str
    answer: str | None  # the final answer's text, else the interim answer's, else the rejection's comment
    shared: int  # words shared with the item's text (0 for the same address only)


@dataclass(frozen=True, slots=True)
class Similar:
    same_address: list[SimilarItem]
    same_words: list[SimilarItem]


def address_key(address: str) -> tuple[str, ...]:
    """The address reduced to what names the place: stems of names and numbers, in order, no flat."""
    key: list[str] = []
    for stem in stems(address):
        if stem in ADDRESS_UNITS:
            break
        if stem not in ADDRESS_KINDS:
            key.append(stem)
    return tuple(key)


def _phrase(words: list[str] | tuple[str, ...], prefix: bool = False) -> str:
    """Each stem as a token; by prefix while old rows hold whole words (``search_rebuild``): the texts decide."""
    star = "*" if prefix else ""
    return " ".join(f'"{w}"{star}' for w in words)


_COLUMNS = ("i.rowid", "i.id", "i.number", "i.status", "i.subject", "i.address", "i.registered_at",
            "COALESCE(i.local_record, r.record)")


def _rows(conn: Any, rowids: Iterable[int], item_id: str) -> list[tuple[Any, ...]]:
    """The items with these search rowids except ``item_id``, newest first."""
    sql = (f"SELECT {', '.join(_COLUMNS)} FROM items i JOIN item_records r ON r.id = i.id "
           "WHERE i.rowid IN (SELECT value FROM json_each(?)) AND i.id != ? ORDER BY i.registered_at DESC, i.id")
    return [tuple(row) for row in conn.execute(sql, [json.dumps(list(rowids)), item_id]).fetchall()]


def _similar(row: tuple[Any, ...], shared: int) -> SimilarItem:
    record = json.loads(row[7])
    answer = next((record[k]["text"] for k in ("answer", "interim_answer") if record.get(k)), None)
    if answer is None and record.get("rejection"):
        answer = record["rejection"]["comment"]
    return SimilarItem(row[1], row[2], row[3], row[4], row[5], row[6], answer, shared)


def _matching(conn: Any, query: str) -> set[int]:
    return {r[0] for r in conn.execute("SELECT rowid FROM search WHERE search MATCH ?", [query])}


def same_address(conn: Any, item_id: str, address: str, limit: int, *, prefix: bool = False) -> list[SimilarItem]:
    """Other items at ``address`` (the same reduced key), newest first."""
    key = address_key(address)
    if not key:
        return []
    # The index keeps no columns (detail=none): it finds the items with these words anywhere, the
    # reduced address of each then decides.
    rowids = _matching(conn, _phrase(key, prefix))
    if not rowids:
        return []
    return [_similar(r, 0) for r in _rows(conn, rowids, item_id) if address_key(r[5]) == key][:limit]


def same_words(conn: Any, item_id: str, text: str, limit: int, *, prefix: bool = False) -> list[SimilarItem]:
    """Items whose text shares at least two of the rarest words of ``text`` (one if it has only one), most first."""
    size = conn.execute("SELECT count(*) FROM items").fetchone()[0]
    candidates = {s for s in stems(text) if len(s) >= MIN_STEM and s not in COMMON and not s.isdigit()}
    found: dict[str, set[int]] = {}
    for word in candidates:  # a lookup per word by the exact stem token: a few dozen at most
        rowids = _matching(conn, _phrase([word], prefix))  # in any column (detail=none): the texts are checked below
        if 1 < len(rowids) <= max(MAX_ROWS, size * MAX_SHARE):  # in another item, and not in most of them
            found[word] = rowids
    chosen = sorted(found, key=lambda w: (len(found[w]), w))[:TEXT_WORDS]
    if not chosen:
        return []
    score: dict[int, int] = {}
    for word in chosen:
        for rowid in found[word]:
            score[rowid] = score.get(rowid, 0) + 1
    needed = min(2, len(chosen))
    similar = []
    for row in _rows(conn, [rowid for rowid, n in score.items() if n >= needed], item_id):
        shared = len(set(chosen) & set(stems(json.loads(row[7])["text"])))  # the citizen's text, not the draft
        if shared >= needed:
            similar.append(_similar(row, shared))
    return sorted(similar, key=lambda s: -s.shared)[:limit]  # stable: newest first among equals


def similar_items(conn: Any, item_id: str, *, limit: int = 20) -> Similar:
    """Items like ``item_id`` in the cache on ``conn``: by the same address, and by shared words."""
    row = conn.execute("SELECT i.address, COALESCE(i.local_record, r.record) ->> '$.text' FROM items i "
                       "JOIN item_records r ON r.id = i.id WHERE i.id = ?", [item_id]).fetchone()
    if row is None:
        return Similar([], [])
    prefix = pending(conn) is not None  # an upgraded cache whose index is still being rewritten
    return Similar(same_address(conn, item_id, row[0], limit, prefix=prefix),
                   same_words(conn, item_id, row[1] or "", limit, prefix=prefix))
