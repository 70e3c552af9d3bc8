"""59-ФЗ appeals: the head's one extension (refused for messages and other roles), the 7-day redirect countdown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from offline_cache.domain.appeals import (
    APPEAL_REDIRECT_DAYS,
    MAX_EXTENSION_DAYS,
    already_extended,
    extended_due,
    redirect_due,
    regime,
)
from offline_cache.domain.model import Action, ItemKind, ItemState, Status
from offline_cache.domain.staff import Actor, Organisation
from offline_cache.domain.workflow import (
    DecisionContext,
    Forbidden,
    InvalidPayload,
    NotApplicable,
    allowed_actions,
    decide,
)
from offline_cache.labels import action_name

MSK = ZoneInfo("Europe/Moscow")
VLAT = ZoneInfo("Asia/Vladivostok")
ItemFactory = Callable[..., ItemState]
ActorFactory = Callable[..., Actor]
REASON = {"days": 20, "comment": "Запрошены документы в управляющей компании"}


def _appeal(make_item: ItemFactory, status: Status = Status.IN_WORK, org_id: str = "muni") -> ItemState:
    return make_item(status, org_id=org_id, kind=ItemKind.APPEAL, assignee_id="exec1")


@pytest.mark.parametrize("status", [Status.AWAITING_ROUTING, Status.IN_WORK, Status.RETURNED,
                                    Status.ON_APPROVAL, Status.INTERIM_ANSWER])
def test_head_extends_an_open_appeal_once(make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext,
                                          orgs: dict[str, Organisation], status: Status) -> None:
    item = _appeal(make_item, status)
    head = actor_of("head")
    assert Action.EXTEND_TERM in allowed_actions(item, head, orgs)
    decision = decide(item, head, Action.EXTEND_TERM, REASON, ctx)
    after = decision.item
    # registered 05.03, due at 00:00 on 05.04 (Moscow); 20 more days: 00:00 on 25.04
    assert after.due_at == datetime(2025, 4, 25, tzinfo=MSK)
    assert after.status is status and after.version == item.version + 1
    assert (after.history[-1].action, after.history[-1].actor_id) == ("extend_term", "head")
    assert after.history[-1].comment == REASON["comment"]
    assert decision.notes == ("заявитель уведомлён о продлении срока",)
    assert already_extended(after)
    # once only: nobody may extend it again, and the head is no longer offered it
    assert Action.EXTEND_TERM not in allowed_actions(after, head, orgs)
    with pytest.raises(NotApplicable, match="один раз"):
        decide(after, head, Action.EXTEND_TERM, {"days": 5, "comment": "ещё"}, ctx)


@pytest.mark.parametrize("kind", [ItemKind.MESSAGE, ItemKind.OPEN_SOURCE])
@pytest.mark.parametrize("user", ["head", "exec1", "coord"])
def test_messages_have_no_extension_for_anyone(make_item: ItemFactory, actor_of: ActorFactory,
                                               ctx: DecisionContext, orgs: dict[str, Organisation],
                                               kind: ItemKind, user: str) -> None:
    item = make_item(Status.IN_WORK, kind=kind, assignee_id="exec1")
    assert Action.EXTEND_TERM not in allowed_actions(item, actor_of(user), orgs)
    with pytest.raises(NotApplicable, match="59-ФЗ"):
        decide(item, actor_of(user), Action.EXTEND_TERM, REASON, ctx)


@pytest.mark.parametrize("user", ["exec1", "coord", "cur", "admin", "rhead", "shead"])
def test_other_roles_and_other_organisations_heads_may_not_extend(
        make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext, orgs: dict[str, Organisation],
        user: str) -> None:
    item = _appeal(make_item)
    assert Action.EXTEND_TERM not in allowed_actions(item, actor_of(user), orgs)
    with pytest.raises(Forbidden):
        decide(item, actor_of(user), Action.EXTEND_TERM, REASON, ctx)


@pytest.mark.parametrize("status", [Status.ANSWERED, Status.CLOSED, Status.REJECTED, Status.REDIRECTED,
                                    Status.REPROCESSING])
def test_no_extension_once_nothing_is_owed(make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext,
                                           status: Status) -> None:
    with pytest.raises(NotApplicable):
        decide(_appeal(make_item, status), actor_of("head"), Action.EXTEND_TERM, REASON, ctx)


@pytest.mark.parametrize(
    "payload",
    [{"days": 0, "comment": "x"}, {"days": MAX_EXTENSION_DAYS + 1, "comment": "x"}, {"days": True, "comment": "x"},
     {"days": "5", "comment": "x"}, {"comment": "x"}, {"days": 5}, {"days": 5, "comment": "   "}],
)
def test_extension_needs_up_to_30_days_and_a_reason(make_item: ItemFactory, actor_of: ActorFactory,
                                                    ctx: DecisionContext, payload: dict[str, object]) -> None:
    with pytest.raises(InvalidPayload) as caught:
        decide(_appeal(make_item), actor_of("head"), Action.EXTEND_TERM, payload, ctx)
    assert caught.value.field in {"days", "comment"}


def test_extension_of_30_days_is_allowed(make_item: ItemFactory, actor_of: ActorFactory, ctx: DecisionContext) -> None:
    after = decide(_appeal(make_item), actor_of("head"), Action.EXTEND_TERM,
                   {"days": MAX_EXTENSION_DAYS, "comment": "проверка на месте"}, ctx).item
    assert after.due_at == datetime(2025, 5, 5, tzinfo=MSK)


def test_extended_due_counts_days_on_the_organisations_calendar() -> None:
    due = datetime(2025, 1, 14, tzinfo=VLAT)
    assert extended_due(due, 10, VLAT) == datetime(2025, 1, 24, tzinfo=VLAT)
    assert extended_due(due, 10, "Asia/Vladivostok").tzinfo == ZoneInfo("UTC")


# --- the 7-day redirect countdown -------------------------------------------------------------


def test_appeal_awaiting_routing_has_a_7_day_redirect_countdown(make_item: ItemFactory) -> None:
    assert APPEAL_REDIRECT_DAYS == 7
    item = _appeal(make_item, Status.AWAITING_ROUTING)  # registered 05.03.2025 10:00 Moscow
    assert redirect_due(item, MSK) == datetime(2025, 3, 13, tzinfo=MSK)


def test_redirect_countdown_in_the_far_east_counts_from_the_local_day() -> None:
    registered = datetime(2025, 3, 5, 23, 30, tzinfo=MSK)  # 06:30 on 06.03 in Vladivostok

    class Appeal:
        kind, status, registered_at, history = ItemKind.APPEAL, Status.AWAITING_ROUTING, registered, ()

    assert redirect_due(Appeal(), MSK) == datetime(2025, 3, 13, tzinfo=MSK)
    assert redirect_due(Appeal(), VLAT) == datetime(2025, 3, 14, tzinfo=VLAT)


@pytest.mark.parametrize(("kind", "status"), [(ItemKind.MESSAGE, Status.AWAITING_ROUTING),
                                              (ItemKind.APPEAL, Status.IN_WORK),
                                              (ItemKind.APPEAL, Status.REPROCESSING),
                                              (ItemKind.APPEAL, Status.REDIRECTED)])
def test_no_redirect_countdown_for_messages_or_after_routing(make_item: ItemFactory, kind: ItemKind,
                                                             status: Status) -> None:
    assert redirect_due(make_item(status, kind=kind), MSK) is None


def test_card_says_which_regime_applies_and_the_action_has_a_russian_name() -> None:
    assert "59-ФЗ" in regime(ItemKind.APPEAL) and "7 дней" in regime(ItemKind.APPEAL)
    assert "без продления" in regime(ItemKind.MESSAGE)
    assert "без продления" in regime(ItemKind.OPEN_SOURCE)
    assert action_name(Action.EXTEND_TERM) == "Продлить срок…"
