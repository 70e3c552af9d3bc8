"""The Администратор ЛКО's rules: who must stay in the organisation, which answer terms a category may have.

Pure rules shared by the training platform (which enforces them) and the window (which checks them
before sending, so the official reads the same Russian reason in both places).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from offline_cache.domain.deadlines import (
    ACCELERATED_TERM_DAYS,
    DEFAULT_TERM_DAYS,
    FAST_TRACK_1_DAYS,
    FAST_TRACK_2_DAYS,
    Term,
    TermError,
    TermKind,
)
from offline_cache.domain.model import Role, Status

#: Roles an organisation can never be left without: someone must administer it and route its messages.
REQUIRED_ROLES: tuple[Role, ...] = (Role.ADMIN, Role.COORDINATOR)

#: Statuses in which an item waits for its assignee: a deactivated member's such items go back to routing.
#: (On approval the draft waits for the approvers, not for the assignee, so those stay where they are.)
ASSIGNEE_STATUSES = frozenset({Status.IN_WORK, Status.RETURNED, Status.INTERIM_ANSWER})

TERM_KIND_NAMES: Mapping[TermKind, str] = {
    TermKind.STANDARD: "Стандартный (30 дн.)",
    TermKind.ACCELERATED: "Ускоренный (10 дн.)",
    TermKind.FAST_TRACK_1: "Фаст-трек 1 уровня (8 дн.)",
    TermKind.FAST_TRACK_2: "Фаст-трек 2 уровня (10 дн.)",
    TermKind.CUSTOM: "Иной фаст-трек (менее 30 дн.)",
}

FIXED_TERM_DAYS: Mapping[TermKind, int] = {
    TermKind.STANDARD: DEFAULT_TERM_DAYS,
    TermKind.ACCELERATED: ACCELERATED_TERM_DAYS,
    TermKind.FAST_TRACK_1: FAST_TRACK_1_DAYS,
    TermKind.FAST_TRACK_2: FAST_TRACK_2_DAYS,
}

_REQUIRED_NAMES = {Role.ADMIN: "администратора ЛКО", Role.COORDINATOR: "координатора"}


def term_problem(kind: TermKind | str, days: int | None) -> str | None:
    """Why ``kind``/``days`` is not an answer term the regulations allow, in Russian; None when it is.

    The domain's ``Term`` decides; this only words its refusal for an official.
    """
    try:
        term_kind = TermKind(kind)
    except ValueError:
        return f"Неизвестный вид срока: {kind}"
    if term_kind is TermKind.CUSTOM and (days is None or not 1 <= days < DEFAULT_TERM_DAYS):
        return f"Иной фаст-трек — от 1 до {DEFAULT_TERM_DAYS - 1} дней (короче стандартных {DEFAULT_TERM_DAYS})"
    if days is not None and term_kind in FIXED_TERM_DAYS and days != FIXED_TERM_DAYS[term_kind]:
        name = TERM_KIND_NAMES[term_kind].split(" (")[0]
        return f"{name} срок — {FIXED_TERM_DAYS[term_kind]} дн., а не {days}"
    try:
        Term.of(term_kind, days)
    except TermError as exc:  # a rule the wording above does not know yet: still refused
        return f"Срок не допускается: {exc}"
    return None


def term_of(kind: TermKind | str, days: int | None) -> Term:
    """The term, days filled in for the fixed kinds; raises TermError with the Russian reason."""
    problem = term_problem(kind, days)
    if problem:
        raise TermError(problem)
    return Term.of(kind, days)


def missing_required_role(members: Iterable[tuple[str, frozenset[Role], bool]], *, changed_id: str,
                          new_roles: frozenset[Role] | None) -> str | None:
    """Why changing ``changed_id`` (``new_roles``; None: deactivated) would leave the organisation without
    an administrator or a coordinator, in Russian; None when someone of each remains active.

    ``members``: (id, roles, active) of the organisation's staff as they are now.
    """
    after: list[frozenset[Role]] = []
    for member_id, roles, active in members:
        if member_id == changed_id:
            if new_roles is not None and active:
                after.append(new_roles)
        elif active:
            after.append(roles)
    for role in REQUIRED_ROLES:
        if not any(role in roles for roles in after):
            name = _REQUIRED_NAMES[role]
            return (f"В организации не останется ни одного {name}: сначала назначьте эту роль "
                    f"другому сотруднику")
    return None
