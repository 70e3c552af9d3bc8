"""Checks of a draft before submit: blocking ones cannot be skipped, warnings can be acknowledged.

Pure and fast (all of them on a 5,000-character draft well under 50 ms, see
benchmarks/bench_checks.py), so the editor can run them while the official types. Phrase lists
and address words are data in ``resources/checks/``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from offline_cache.contract.models import Item
from offline_cache.placeholders import Slot, slots
from offline_cache.resources import rejection_grounds, resources_dir
from offline_cache.spelling import Speller, words_of
from offline_cache.store.cache import Cache
from offline_cache.templates import Purpose

#: Below this many characters an answer is «very short» (a return comment is never too short).
MIN_CHARS = {Purpose.ANSWER: 120, Purpose.INTERIM: 100, Purpose.REJECTION: 60}
#: From this similarity on, an answer to a re-processed item counts as the earlier answer copied.
COPY_SIMILARITY = 0.9


class Severity(StrEnum):
    BLOCKING = "blocking"  # submit is refused until fixed
    WARNING = "warning"  # the official may acknowledge it and submit


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One finding: a stable code, its severity, a Russian message, and spans in the text to mark."""

    code: str
    severity: Severity
    message: str
    spans: tuple[tuple[int, int], ...] = ()
    words: tuple[str, ...] = ()

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.BLOCKING


@dataclass(frozen=True, slots=True)
class DraftToCheck:
    """What the checks look at: the text, what it is for, and what the item says about the problem."""

    text: str
    purpose: Purpose = Purpose.ANSWER
    ground_code: str | None = None  # rejection only
    planned_date: date | None = None  # interim only
    address: str = ""
    earlier_answer: str | None = None  # the answer a re-processed item got before
    extra_words: frozenset[str] = field(default_factory=frozenset)  # accepted by the speller for this item


# --- data -------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def _alternation(phrases: Sequence[str]) -> re.Pattern[str]:
    """Phrases matched from the start of a word (each phrase's last word may go on: stems)."""
    ordered = sorted({_fold(p) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<![^\W\d_])(?:" + "|".join(re.escape(p) for p in ordered) + ")")


@dataclass(frozen=True, slots=True)
class _Phrases:
    measures: re.Pattern[str]
    results: re.Pattern[str]
    terms: re.Pattern[str]
    dates: re.Pattern[str]
    evasive: re.Pattern[str]
    not_done: frozenset[str]


@cache
def _phrases() -> _Phrases:
    data: dict[str, Any] = json.loads((resources_dir() / "checks" / "otpiska.json").read_text(encoding="utf-8"))
    months = "|".join(re.escape(m) for m in data["months"])
    dates = re.compile(rf"\b\d{{1,2}}\.\d{{1,2}}\.(?:\d{{4}}|\d{{2}})\b|\b\d{{1,2}}\s+(?:{months})|"
                       rf"(?<![^\W\d_])(?:{months})[а-я]*\s+\d{{4}}|\b(?:19|20)\d\d\s*(?:год|г\.)")
    return _Phrases(_alternation(data["measures"]), _alternation(data["results"]), _alternation(data["term_phrases"]),
                    dates, _alternation(data["evasive_phrases"]), frozenset(data["not_done_before"]))


@cache
def _address_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    data: dict[str, Any] = json.loads((resources_dir() / "checks" / "address.json").read_text(encoding="utf-8"))
    return frozenset(data["street_types"]), frozenset(data["place_types"]), frozenset(data["building_words"])


# --- address ----------------------------------------------------------------------------------

_ENDINGS = sorted(["ого", "его", "ему", "ому", "ыми", "ими", "ая", "яя", "ое", "ее", "ой", "ей", "ые", "ие", "ий",
                   "ый", "ую", "юю", "ых", "их", "ом", "ем", "ам", "ям", "ах", "ях", "ов", "ев", "а", "я", "ы", "и",
                   "у", "ю", "е", "о", "ь", "й"], key=len, reverse=True)


def stem(word: str) -> str:
    """A crude Russian stem: the word without its case ending, at least three letters kept."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def street_names(address: str) -> list[tuple[str, ...]]:
    """Stems of each street named in ``address`` («г. Светлогорск, ул. Садовая, д. 1» → [("садов",)])."""
    street_types, place_types, building = _address_words()
    streets, loose = [], []
    for segment in _fold(address).replace("/", ",").replace(";", ",").split(","):
        words = re.findall(r"[а-яa-z]+(?:-[а-яa-z]+)*", segment)
        names = tuple(stem(w) for w in words
                      if w not in street_types and w not in place_types and w not in building and len(w) >= 3)
        if not names:
            continue
        if any(w in street_types for w in words):
            streets.append(names)
        elif not any(w in place_types for w in words):  # not the town or the region: a landmark, say
            loose.append(names)
    return streets or loose


def _mentions(text_words: Sequence[str], stems: tuple[str, ...]) -> bool:
    return all(any(w.startswith(s) for w in text_words) for s in stems)


# --- the checks ---------------------------------------------------------------------------------


def _unresolved(found: list[Slot]) -> CheckResult | None:
    if not found:
        return None
    names = list(dict.fromkeys(s.source for s in found))
    return CheckResult("unresolved_placeholder", Severity.BLOCKING,
                       f"Не заполнены подстановки: {', '.join(names)}. Впишите значения или удалите их из текста.",
                       tuple((s.start, s.end) for s in found), tuple(names))


_LAST_WORDS = re.compile(r"([а-я]+)\W+(?:([а-я]+)\W+)?$")


def _happened(pattern: re.Pattern[str], folded: str, not_done: frozenset[str]) -> bool:
    """A match of ``pattern`` not preceded by «будет», «не», «планируется» (a promise or a denial)."""
    for m in pattern.finditer(folded):
        before = _LAST_WORDS.search(folded, max(0, m.start() - 40), m.start())
        if before is None or not not_done.intersection(before.groups()):
            return True
    return False


def _otpiska(text: str) -> CheckResult | None:
    p = _phrases()
    folded = _fold(text)
    spans = tuple(m.span() for m in p.evasive.finditer(folded))
    evasive = list(dict.fromkeys(folded[a:b] for a, b in spans))
    # A general phrase proves nothing even where it holds a measure's word («в установленном порядке»).
    rest = p.evasive.sub(lambda m: " " * len(m.group(0)), folded) if spans else folded
    if _happened(p.measures, rest, p.not_done) or _happened(p.results, rest, p.not_done):
        return None
    if p.dates.search(rest) or p.terms.search(rest):
        return None
    message = ("Ответ похож на отписку: в нём не найдено ни конкретной меры (что сделано: «заменены», «выдано "
               "предписание», «вывезен»), ни срока (дата, «15 мая», «в течение 10 дней», «до конца года»), ни "
               "результата («устранено», «восстановлено»).")
    if evasive:
        message += " Общие фразы: " + ", ".join(f"«{e}»" for e in evasive) + "."
    return CheckResult("otpiska", Severity.WARNING, message, spans, tuple(evasive))


def _similarity(a: str, b: str) -> float:
    """Share of words two answers have in common, counted with repeats (Dice), 0…1.

    Order is ignored on purpose: the earlier answer with its sentences shuffled is still a copy.
    Linear in the length (difflib's matcher took 40 ms on 5,000 characters).
    """
    wa, wb = Counter(re.findall(r"[^\W_]+", _fold(a))), Counter(re.findall(r"[^\W_]+", _fold(b)))
    total = wa.total() + wb.total()
    return 2 * (wa & wb).total() / total if total else 0.0


def _ground_wording(draft: DraftToCheck) -> bool:
    """Whether a rejection's text is its ground's wording in the regulation (KR 12), unchanged."""
    ground = rejection_grounds().get(draft.ground_code) if draft.ground_code else None
    return ground is not None and draft.text.strip() == ground.text.strip()


def check_draft(draft: DraftToCheck, speller: Speller | None = None) -> list[CheckResult]:
    """Every finding for ``draft``, blocking ones first. ``speller=None`` skips spelling."""
    text, purpose = draft.text, draft.purpose
    noun = "Комментарий" if purpose is Purpose.RETURN else "Ответ"
    results: list[CheckResult] = []
    if not text.strip():
        results.append(CheckResult("empty", Severity.BLOCKING, f"{noun} пуст: напишите текст."))
    unresolved = _unresolved(slots(text))
    if unresolved:
        results.append(unresolved)
    if purpose is Purpose.REJECTION and not draft.ground_code:
        results.append(CheckResult("rejection_without_ground", Severity.BLOCKING,
                                   "Не выбрано основание отклонения: отклонить можно только по одному из оснований "
                                   "порядка работы с сообщениями."))
    if purpose is Purpose.INTERIM and draft.planned_date is None:
        results.append(CheckResult("interim_without_date", Severity.BLOCKING,
                                   "Не указана плановая дата: промежуточный ответ должен назвать срок, к которому "
                                   "будет окончательный результат."))
    if not text.strip():
        return results
    minimum = MIN_CHARS.get(purpose, 0)
    length = len(text.strip())
    if length < minimum and not _ground_wording(draft):  # the regulation's own wording is never «too short»
        results.append(CheckResult("too_short", Severity.WARNING,
                                   f"{noun} очень короткий ({length} зн.): ответ по существу обычно не короче "
                                   f"{minimum} знаков."))
    words = re.findall(r"[^\W_]+", _fold(text))
    if purpose in (Purpose.ANSWER, Purpose.INTERIM) and draft.address.strip():
        streets = street_names(draft.address)
        if streets and not any(_mentions(words, s) for s in streets):
            results.append(CheckResult("address_missing", Severity.WARNING,
                                       f"Ответ не упоминает адрес проблемы («{draft.address.strip()}»): проверка "
                                       "ищет название улицы в любом падеже."))
    if purpose in (Purpose.ANSWER, Purpose.INTERIM) and draft.earlier_answer:
        ratio = _similarity(text, draft.earlier_answer)
        if ratio >= COPY_SIMILARITY:
            results.append(CheckResult("copied_answer", Severity.WARNING,
                                       f"Ответ почти совпадает с прежним ответом (сходство {ratio:.0%}), а сообщение "
                                       "пришло на повторное рассмотрение после низкой оценки: заявитель ждёт нового "
                                       "ответа по существу."))
    if purpose is Purpose.ANSWER:
        otpiska = _otpiska(text)
        if otpiska:
            results.append(otpiska)
    if speller is not None:
        speller.add_words(draft.extra_words)
        wrong = speller.misspelt(text)
        if wrong:
            shown = list(dict.fromkeys(w.word for w in wrong))
            results.append(CheckResult("spelling", Severity.WARNING,
                                       "Возможные опечатки: " + ", ".join(shown[:20]) + ("…" if len(shown) > 20 else "")
                                       + ".", tuple((w.start, w.end) for w in wrong), tuple(shown)))
    results.sort(key=lambda r: not r.blocking)
    return results


def blocking(results: Sequence[CheckResult]) -> list[CheckResult]:
    """The findings that refuse the submit."""
    return [r for r in results if r.blocking]


# --- from the cache -----------------------------------------------------------------------------


def organisation_words(cache: Cache, recent_answers: int = 2000) -> set[str]:
    """Words the organisation uses that no dictionary has: streets, staff and organisation names, categories,
    the platform's templates (vetted by the regional centre), and words of at least two answers sent lately
    (approved by a head; a typo that got through once is still not taken)."""
    texts = [r[0] for r in cache.db.execute("SELECT DISTINCT address FROM items")]
    texts += [r[0] for r in cache.db.execute("SELECT full_name FROM staff")]
    texts += [r[0] for r in cache.db.execute("SELECT name FROM categories")]
    texts += [r[0] for r in cache.db.execute("SELECT json_extract(record, '$.name') FROM organisations")]
    texts += [f"{r[0]} {r[1]}" for r in cache.db.execute("SELECT title, text FROM templates")]
    known = words_of(t for t in texts if t)
    answers = cache.db.execute(
        "SELECT json_extract(r.record, '$.answer.text') FROM items i JOIN item_records r ON r.id = i.id "
        "WHERE i.status IN ('answered', 'closed') ORDER BY i.updated_at DESC LIMIT ?", [recent_answers]).fetchall()
    seen: Counter[str] = Counter()
    for (text,) in answers:
        if text:
            seen.update(words_of([text]))
    return known | {w for w, n in seen.items() if n >= 2}


def speller_for(cache: Cache) -> Speller:
    """A speller that accepts the organisation's own words (build once per session, off the UI thread)."""
    return Speller(organisation_words(cache))


def draft_for_item(cache: Cache, item: Item, text: str, purpose: Purpose | str = Purpose.ANSWER, *,
                   ground_code: str | None = None, planned_date: date | None = None) -> DraftToCheck:
    """What to check for ``text`` on ``item``: its address, applicant, and the earlier answer if re-processed."""
    earlier = None
    if item.parent_id:
        parent = cache.item(item.parent_id)
        if parent is not None and parent.answer is not None:
            earlier = parent.answer.text
    return DraftToCheck(text, Purpose(purpose), ground_code, planned_date, item.address, earlier,
                        frozenset(words_of([item.applicant_name, item.address])))
