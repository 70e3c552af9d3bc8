"""The administrator's pure rules: answer terms worded in Russian, and who must remain in the organisation."""

from __future__ import annotations

import re

import pytest

from offline_cache.domain.administration import missing_required_role, term_of, term_problem
from offline_cache.domain.deadlines import Term, TermError, TermKind
from offline_cache.domain.model import Role

A, C, E = frozenset({Role.ADMIN}), frozenset({Role.COORDINATOR}), frozenset({Role.EXECUTOR})


@pytest.mark.parametrize(("kind", "days"), [(k, d) for k in TermKind for d in (None, *range(0, 32))])
def test_term_problem_agrees_with_the_domain_term(kind: TermKind, days: int | None) -> None:
    """Whatever ``Term`` accepts (days given, or filled in for the fixed kinds) is allowed; nothing else."""
    try:
        Term.of(kind, days)
        domain_allows = True
    except TermError:
        domain_allows = False
    assert (term_problem(kind, days) is None) == domain_allows


def test_term_of_fills_the_fixed_days_and_words_refusals() -> None:
    assert term_of("fast_track_1", None) == Term(TermKind.FAST_TRACK_1, 8)
    assert term_of(TermKind.FAST_TRACK_2, 10).days == 10
    with pytest.raises(TermError, match=re.escape("Фаст-трек 1 уровня срок — 8 дн., а не 9")):
        term_of("fast_track_1", 9)
    assert term_problem("weekly", 7) == "Неизвестный вид срока: weekly"


def test_the_last_administrator_and_coordinator_remain() -> None:
    org = [("a", A, True), ("c", C, True), ("e", E, True), ("old", C, False)]
    assert missing_required_role(org, changed_id="e", new_roles=None) is None
    assert "координатора" in (missing_required_role(org, changed_id="c", new_roles=E) or "")
    assert "координатора" in (missing_required_role(org, changed_id="c", new_roles=None) or "")  # the inactive one
    assert "администратора ЛКО" in (missing_required_role(org, changed_id="a", new_roles=C) or "")
    assert missing_required_role(org, changed_id="e", new_roles=C) is None
    both = [("x", A | C, True), ("e", E, True)]
    assert missing_required_role(both, changed_id="x", new_roles=A | C | E) is None
    assert missing_required_role([*both, ("y", A | C, True)], changed_id="x", new_roles=None) is None
