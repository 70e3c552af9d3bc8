"""Checks before submit (issue 11): all checks on a 5,000-character draft, against the bare dictionary lookup.

    .venv/bin/python -m benchmarks.bench_checks [--chars 5000] [--rounds 60]

The draft is made of demo answer sentences (training_platform.demo_data), with a few typos, an
address to look for and an earlier answer of the same length to compare with (the re-processing
check's worst case: nearly the same text). Measured, each as median and max of --rounds rounds:

- baseline: the bare spelling lookup, each distinct word of the draft looked up in the dictionary
  once (``word_is_known``), no other check: the least any dictionary check of this draft costs;
- all checks, cold: a new speller each round (nothing remembered), as on the first check of a draft;
- all checks, while typing: one speller kept across rounds and one character changed each round, as
  the editor runs them. Target: under 50 ms.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable

from offline_cache.checks import DraftToCheck, check_draft
from offline_cache.contract.convert import staff_to_contract
from offline_cache.spelling import WORD, Speller, dictionary, words_of
from offline_cache.templates import Purpose
from tests.world import WORLD_START
from training_platform.demo_data import generate_demo


def make_draft(chars: int) -> tuple[str, str, set[str]]:
    """A draft of about ``chars`` characters from demo answers with typos, its item's address, and org words."""
    data = generate_demo(WORLD_START)
    sentences: list[str] = []
    for item in data.items:
        for draft in (item.answer, item.draft, item.interim_answer):
            if draft is not None:
                sentences += [s for s in re.split(r"(?<=[.!])\s+", draft.text) if s not in sentences]
    text, n = "", 0
    while len(text) < chars:
        text += sentences[n % len(sentences)] + " "
        n += 1
    text = text[:chars].replace("устранена", "устронена", 1).replace("подрядчик", "подрядчек", 1)
    org_words = words_of([s.full_name for s in map(staff_to_contract, data.staff)]
                         + [i.address for i in data.items] + [t.text for t in data.templates])
    return text, data.items[0].address, org_words


def timed(rounds: int, run: Callable[[int], object]) -> list[float]:
    out = []
    for n in range(rounds):
        start = time.perf_counter()
        run(n)
        out.append((time.perf_counter() - start) * 1000)
    return out


def show(name: str, ms: list[float]) -> float:
    median = statistics.median(ms)
    print(f"{name:<46} median {median:7.2f} ms   max {max(ms):7.2f} ms")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    text, address, org_words = make_draft(args.chars)
    earlier = text.replace("Уважаем", "Дорог")  # nearly the same answer given before
    dictionary()  # loaded once per process, before the editor opens (not part of a check)
    words = [m.group(0).lower() for m in WORD.finditer(text)]
    print(f"draft: {len(text)} characters, {len(words)} words ({len(set(words))} distinct)")

    distinct = sorted(set(words))

    def bare(_n: int) -> None:
        d = dictionary()
        for w in distinct:
            d.word_is_known(w)

    def draft(n: int) -> DraftToCheck:
        changed = text[: n % len(text)] + "а" + text[n % len(text) + 1:]
        return DraftToCheck(changed, Purpose.ANSWER, address=address, earlier_answer=earlier)

    base = show("baseline: bare lookup of each distinct word", timed(args.rounds, bare))
    cold = show("all checks, cold (new speller each round)",
                timed(args.rounds, lambda n: check_draft(draft(n), Speller(org_words))))
    kept = Speller(org_words)
    check_draft(draft(0), kept)
    warm = show("all checks, while typing (speller kept)", timed(args.rounds, lambda n: check_draft(draft(n), kept)))
    without = show("all checks but spelling", timed(args.rounds, lambda n: check_draft(draft(n), None)))
    findings = [r.code for r in check_draft(draft(0), kept)]
    print(f"findings: {', '.join(findings)}")
    print(f"cold / baseline: {cold / base:.2f}x; while typing: {warm:.1f} ms, without spelling: {without:.1f} ms "
          f"(target < 50 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
