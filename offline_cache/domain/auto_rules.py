"""Auto-rules (авторазбор): which new messages go straight to a subordinate organisation or an executor.

Pure rules, no I/O, shared by the training platform (which applies them to arriving messages and
refuses what cannot work) and the workstation (which shows conflicts before saving and previews a
rule over the cached month). Rules are ordered; the first that matches a message wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from offline_cache.domain.model import Role

NAME_MAX = 200
MUNICIPALITY_MAX = 200
MAX_CATEGORIES = 50
MAX_RULES = 200


def fold(text: str) -> str:
    """Text as compared by a rule: case-folded, ё = е, runs of spaces as one."""
    return " ".join(text.casefold().replace("ё", "е").split())


@dataclass(frozen=True, slots=True)
class AutoRule:
    """One rule: messages of ``category_codes`` (a category catches its subcategories), optionally only
    those whose address names ``municipality``, go to ``target_org_id`` or to ``target_executor_id``."""

    id: str
    name: str
    category_codes: tuple[str, ...]
    target_org_id: str | None = None
    target_executor_id: str | None = None
    municipality: str | None = None
    enabled: bool = True

    def catches_category(self, code: str, parents: Mapping[str, str | None]) -> bool:
        """Whether a message of category ``code`` is of this rule's categories (or a subcategory of one)."""
        seen: set[str] = set()
        current: str | None = code
        while current is not None and current not in seen:
            if current in self.category_codes:
                return True
            seen.add(current)
            current = parents.get(current)
        return False

    def matches(self, category_code: str, address: str, parents: Mapping[str, str | None]) -> bool:
        if not self.enabled or not self.catches_category(category_code, parents):
            return False
        return not self.municipality or fold(self.municipality) in fold(address)


def first_match(rules: Sequence[AutoRule], category_code: str, address: str,
                parents: Mapping[str, str | None]) -> AutoRule | None:
    """The rule that takes a new message of ``category_code`` at ``address``: the first that matches."""
    for rule in rules:
        if rule.matches(category_code, address, parents):
            return rule
    return None


# --- conflicts ------------------------------------------------------------------------------


class Severity(StrEnum):
    ERROR = "error"  # the rule cannot work: the platform refuses it
    WARNING = "warning"  # it works, but probably not as meant: shown before saving


@dataclass(frozen=True, slots=True)
class Conflict:
    """A problem with ``rule_id`` (and ``other_id``, the earlier rule it clashes with), in Russian."""

    rule_id: str
    severity: Severity
    kind: str  # shadowed, same_condition, partly_shadowed, no_target, two_targets, unknown_category,
    #            executor_unknown, executor_inactive, executor_not_executor, executor_absent, org_not_subordinate
    message: str
    other_id: str | None = None


@dataclass(frozen=True, slots=True)
class Executor:
    """What the rules need to know about a member of staff."""

    id: str
    org_id: str
    full_name: str
    roles: frozenset[Role]
    active: bool = True
    absent: bool = False


@dataclass(frozen=True, slots=True)
class RuleContext:
    """The administrator's organisation and what a rule may name: categories, subordinate orgs, staff."""

    org_id: str
    categories: Mapping[str, str | None]  # code -> parent code
    category_names: Mapping[str, str]
    subordinates: Mapping[str, str]  # id -> name of organisations below org_id
    staff: Mapping[str, Executor]


def _cover(rule: AutoRule, parents: Mapping[str, str | None], codes: Iterable[str]) -> set[str]:
    return {c for c in codes if rule.catches_category(c, parents)}


def _narrower_or_equal_place(later: AutoRule, earlier: AutoRule) -> bool:
    """Whether every address ``later`` accepts is accepted by ``earlier`` (by municipality)."""
    if not earlier.municipality:
        return True
    return bool(later.municipality) and fold(earlier.municipality) in fold(later.municipality or "")


def _target(rule: AutoRule) -> tuple[str | None, str | None]:
    return rule.target_org_id, rule.target_executor_id


def _label(rule: AutoRule, position: int) -> str:
    return f"№{position + 1} «{rule.name}»"


def rule_problems(rule: AutoRule, ctx: RuleContext) -> list[Conflict]:
    """What is wrong with one rule by itself: no or two targets, unknown categories, a target it may not name."""
    found: list[Conflict] = []

    def add(severity: Severity, kind: str, message: str) -> None:
        found.append(Conflict(rule.id, severity, kind, message))

    if not rule.name.strip():
        add(Severity.ERROR, "no_name", "у правила нет названия")
    if not rule.category_codes:
        add(Severity.ERROR, "no_category", "не выбрана ни одна категория")
    unknown = [c for c in rule.category_codes if c not in ctx.categories]
    if unknown:
        add(Severity.ERROR, "unknown_category", "категории нет в справочнике организации: " + ", ".join(unknown))
    if rule.target_org_id and rule.target_executor_id:
        add(Severity.ERROR, "two_targets", "укажите что-то одно: организацию или исполнителя")
    elif not rule.target_org_id and not rule.target_executor_id:
        add(Severity.ERROR, "no_target", "не указано, куда направлять сообщения")
    if rule.target_org_id and rule.target_org_id not in ctx.subordinates:
        add(Severity.ERROR, "org_not_subordinate",
            "направлять можно только в подведомственную (нижестоящую) организацию")
    if rule.target_executor_id:
        member = ctx.staff.get(rule.target_executor_id)
        if member is None or member.org_id != ctx.org_id:
            add(Severity.ERROR, "executor_unknown", "исполнитель не найден среди сотрудников организации")
        elif not member.active:
            add(Severity.ERROR, "executor_inactive", f"сотрудник {member.full_name} деактивирован")
        elif not member.roles & {Role.EXECUTOR, Role.COORDINATOR}:
            add(Severity.ERROR, "executor_not_executor", f"у сотрудника {member.full_name} нет роли исполнителя")
        elif member.absent:
            add(Severity.WARNING, "executor_absent",
                f"{member.full_name} сейчас отсутствует: сообщения получит его заместитель")
    if len(rule.name) > NAME_MAX or len(rule.municipality or "") > MUNICIPALITY_MAX \
            or len(rule.category_codes) > MAX_CATEGORIES:
        add(Severity.ERROR, "too_long", "слишком длинное название, муниципалитет или список категорий")
    return found


def conflicts(rules: Sequence[AutoRule], ctx: RuleContext) -> list[Conflict]:
    """Every problem of an ordered rule set: each rule's own, and rules an earlier rule leaves nothing to.

    A later rule is *shadowed* when an earlier enabled rule catches every category it names in every
    place it applies (it never fires); *same condition* when that earlier rule has exactly its
    condition (with another target: the two disagree about where the messages go); *partly
    shadowed* when an earlier rule takes some of its categories there.
    """
    found: list[Conflict] = []
    all_codes = list(ctx.categories)
    for position, rule in enumerate(rules):
        found += rule_problems(rule, ctx)
        if not rule.enabled:
            continue
        mine = _cover(rule, ctx.categories, all_codes) or set(rule.category_codes)
        for before, earlier in enumerate(rules[:position]):
            if not earlier.enabled or not _narrower_or_equal_place(rule, earlier):
                continue
            taken = {c for c in mine if earlier.catches_category(c, ctx.categories)}
            # A narrower rule first is an exception carved out of a broader one below: not a clash.
            named = {c for c in rule.category_codes if earlier.catches_category(c, ctx.categories)}
            if not named:
                continue
            same = (set(earlier.category_codes) == set(rule.category_codes)
                    and fold(earlier.municipality or "") == fold(rule.municipality or ""))
            if same:
                differs = _target(earlier) != _target(rule)
                found.append(Conflict(rule.id, Severity.WARNING, "same_condition", (
                    f"то же условие, что у правила {_label(earlier, before)}, но другой получатель: сработает "
                    "только то, что выше" if differs else
                    f"повторяет правило {_label(earlier, before)}: никогда не сработает"), earlier.id))
            elif taken == mine:
                found.append(Conflict(rule.id, Severity.WARNING, "shadowed", (
                    f"перекрыто более общим правилом {_label(earlier, before)} выше: никогда не сработает"),
                    earlier.id))
            else:
                names = ", ".join(sorted(ctx.category_names.get(c, c) for c in named))
                found.append(Conflict(rule.id, Severity.WARNING, "partly_shadowed", (
                    f"часть категорий ({names}) раньше забирает правило {_label(earlier, before)}"), earlier.id))
            if taken == mine:
                break  # one earlier rule that takes everything is enough to say
    return found


def errors(found: Iterable[Conflict]) -> list[Conflict]:
    return [c for c in found if c.severity is Severity.ERROR]


# --- preview --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Caught:
    """A past message and what the rule set would have done with it."""

    item_id: str
    caught_by: str | None  # id of the first matching rule, None when none matches


def preview(rules: Sequence[AutoRule], messages: Iterable[tuple[str, str, str]],
            parents: Mapping[str, str | None]) -> list[Caught]:
    """For each (item id, category code, address): which rule would have taken it, first match winning."""
    result = []
    for item_id, code, address in messages:
        rule = first_match(rules, code, address, parents)
        result.append(Caught(item_id, rule.id if rule else None))
    return result
