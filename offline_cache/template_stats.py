"""For heads: per template, how many answers were built on it and how many of those were returned for revision.

Which template an answer came from is known two ways: this cache's usage records (the official's
own insertions), and the answer text itself, which for anyone's answer still carries the
template's fixed wording (placeholders filled in). Returns come from the items' history.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from offline_cache.placeholders import slots
from offline_cache.store.cache import Cache
from offline_cache.templates import Purpose, Template, TemplateLibrary

#: Share of a template's fixed wording an answer must contain to count as built on it.
MATCH_SHARE = 0.6
#: Fixed pieces shorter than this («! », «, ») say nothing about the template.
MIN_PIECE = 12


@dataclass(frozen=True, slots=True)
class TemplateStats:
    """One template's record: answers built on it, and how many of them a head returned."""

    template: Template
    used: int  # items whose answer (or comment) was built on it
    returned: int  # of those, items returned for revision at least once
    recorded_uses: dict[int, int] = field(default_factory=dict)  # insertions in this cache, by template version

    @property
    def return_share(self) -> float | None:
        return self.returned / self.used if self.used else None


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("ё", "е")).strip()


def fixed_pieces(text: str) -> list[str]:
    """The template's wording between placeholders, folded; the short pieces dropped."""
    pieces, pos = [], 0
    for slot in [*slots(text), None]:
        end = slot.start if slot else len(text)
        piece = _fold(text[pos:end].replace("{{", "{").replace("}}", "}"))
        if len(piece) >= MIN_PIECE:
            pieces.append(piece)
        pos = slot.end if slot else end
    return pieces


def built_on(text: str, pieces: list[str]) -> bool:
    """Whether ``text`` carries at least MATCH_SHARE of the template's fixed wording."""
    total = sum(map(len, pieces))
    if total < 2 * MIN_PIECE:
        return False  # a template that is nearly all placeholders cannot be recognised
    folded = _fold(text)
    return sum(len(p) for p in pieces if p in folded) >= MATCH_SHARE * total


def _texts(record: dict[str, Any], purpose: Purpose) -> Iterable[str]:
    """The texts of an item that a template of ``purpose`` could have produced."""
    if purpose is Purpose.REJECTION:
        yield (record.get("rejection") or {}).get("comment") or ""
    elif purpose is Purpose.RETURN:
        yield from (h.get("comment") or "" for h in record.get("history", [])
                    if h.get("action") == "return_for_revision")
    else:
        for key in ("draft", "answer", "interim_answer"):
            yield (record.get(key) or {}).get("text") or ""


def template_stats(cache: Cache, org_id: str | None = None) -> list[TemplateStats]:
    """Every template with its use and returns, most used first (items of ``org_id`` only, when given)."""
    library = TemplateLibrary(cache)
    templates = library.templates(include_retired=True)
    where, params = ("WHERE i.org_id = ?", [org_id]) if org_id else ("", [])
    records = [(str(r[0]), json.loads(r[1])) for r in cache.db.execute(
        f"SELECT i.id, r.record FROM items i JOIN item_records r ON r.id = i.id {where}", params)]
    in_scope = {item_id for item_id, _ in records}
    returned = {str(r[0]) for r in cache.db.execute(
        "SELECT DISTINCT item_id FROM history WHERE action = 'return_for_revision'")}
    recorded: dict[str, set[str]] = {}
    versions: dict[str, Counter[int]] = {}
    for template_id, version, item_id in cache.db.execute(
            "SELECT template_id, template_version, item_id FROM template_usage"):
        versions.setdefault(template_id, Counter())[int(version)] += 1
        if item_id and (org_id is None or item_id in in_scope):
            recorded.setdefault(template_id, set()).add(item_id)
    stats = []
    for template in templates:
        items = set(recorded.get(template.id, ()))
        pieces = fixed_pieces(template.text)
        items.update(item_id for item_id, record in records
                     if any(built_on(t, pieces) for t in _texts(record, template.purpose) if t))
        stats.append(TemplateStats(template, len(items), len(items & returned),
                                   dict(versions.get(template.id, Counter()))))
    stats.sort(key=lambda s: (-s.used, s.template.title, s.template.id))
    return stats
