"""Auto-rules: first match wins, subcategories and municipality, conflicts (shadowed, same condition, targets)."""

from __future__ import annotations

from offline_cache.domain.auto_rules import (
    AutoRule,
    Executor,
    RuleContext,
    Severity,
    conflicts,
    errors,
    first_match,
    preview,
)
from offline_cache.domain.model import Role

PARENTS: dict[str, str | None] = {"roads": None, "pits": "roads", "light": None, "snow": None}
NAMES = {"roads": "Дороги", "pits": "Ямы", "light": "Освещение", "snow": "Снег"}


def ctx(**staff: Executor) -> RuleContext:
    members = {"e1": Executor("e1", "c", "Исполнитель Один", frozenset({Role.EXECUTOR})),
               "gone": Executor("gone", "c", "Уволенный", frozenset({Role.EXECUTOR}), active=False),
               "head": Executor("head", "c", "Руководитель", frozenset({Role.HEAD})),
               "other": Executor("other", "r", "Чужой", frozenset({Role.EXECUTOR})), **staff}
    return RuleContext("c", PARENTS, NAMES, {"v": "Поселение"}, members)


def rule(rid: str, *codes: str, org: str | None = "v", executor: str | None = None,
         municipality: str | None = None, enabled: bool = True) -> AutoRule:
    return AutoRule(rid, f"Правило {rid}", codes, None if executor else org, executor, municipality, enabled)


def test_first_match_wins_and_a_category_catches_its_subcategories() -> None:
    rules = [rule("a", "light", executor="e1"), rule("b", "roads"), rule("c", "pits", executor="e1")]
    assert first_match(rules, "pits", "ул. Ленина", PARENTS) == rules[1]
    assert first_match(rules, "light", "", PARENTS) == rules[0]
    assert first_match(rules, "snow", "", PARENTS) is None


def test_municipality_is_found_in_the_address_ignoring_case_and_yo() -> None:
    rules = [rule("a", "roads", municipality="с. Ольховка"), rule("b", "roads", executor="e1")]
    assert first_match(rules, "roads", "Новоградский край, С. ОЛЬХОВКА, ул. Полевая", PARENTS) == rules[0]
    assert first_match(rules, "roads", "г. Светлогорск, ул. Ёлочная", PARENTS) == rules[1]


def test_disabled_rules_catch_nothing() -> None:
    assert first_match([rule("a", "roads", enabled=False)], "roads", "", PARENTS) is None


def test_a_rule_under_a_broader_earlier_one_is_shadowed() -> None:
    found = conflicts([rule("a", "roads"), rule("b", "pits", executor="e1")], ctx())
    assert [(c.rule_id, c.kind, c.other_id) for c in found] == [("b", "shadowed", "a")]
    assert "никогда не сработает" in found[0].message and found[0].severity is Severity.WARNING


def test_a_narrower_rule_first_is_fine_and_a_place_limited_rule_does_not_shadow() -> None:
    assert conflicts([rule("b", "pits", executor="e1"), rule("a", "roads")], ctx()) == []
    assert conflicts([rule("a", "roads", municipality="Ольховка"), rule("b", "roads", executor="e1")], ctx()) == []


def test_same_condition_with_another_target() -> None:
    found = conflicts([rule("a", "light"), rule("b", "light", executor="e1")], ctx())
    assert [(c.kind, c.other_id) for c in found] == [("same_condition", "a")]
    assert "другой получатель" in found[0].message


def test_partly_shadowed_names_the_categories() -> None:
    found = conflicts([rule("a", "light"), rule("b", "light", "snow", executor="e1")], ctx())
    assert [c.kind for c in found] == ["partly_shadowed"] and "Освещение" in found[0].message


def test_targets_that_cannot_work_are_errors() -> None:
    bad = [rule("x", "roads", executor="gone"), rule("y", "snow", executor="head"),
           rule("z", "light", org="r"), rule("w", "nope", executor="other")]
    kinds = {(c.rule_id, c.kind) for c in errors(conflicts(bad, ctx()))}
    assert kinds == {("x", "executor_inactive"), ("y", "executor_not_executor"), ("z", "org_not_subordinate"),
                     ("w", "unknown_category"), ("w", "executor_unknown")}


def test_no_target_and_two_targets() -> None:
    none = AutoRule("a", "Без цели", ("roads",))
    both = AutoRule("b", "Две цели", ("snow",), "v", "e1")
    kinds = {c.kind for c in conflicts([none, both], ctx())}
    assert kinds == {"no_target", "two_targets"}


def test_an_absent_executor_is_a_warning() -> None:
    away = Executor("e2", "c", "Отпускник", frozenset({Role.EXECUTOR}), absent=True)
    found = conflicts([rule("a", "roads", executor="e2")], ctx(e2=away))
    assert [(c.kind, c.severity) for c in found] == [("executor_absent", Severity.WARNING)]


def test_preview_gives_each_message_to_the_first_matching_rule() -> None:
    rules = [rule("a", "pits", executor="e1"), rule("b", "roads")]
    got = preview(rules, [("m1", "pits", ""), ("m2", "roads", ""), ("m3", "snow", "")], PARENTS)
    assert [(c.item_id, c.caught_by) for c in got] == [("m1", "a"), ("m2", "b"), ("m3", None)]
