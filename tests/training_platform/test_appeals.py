"""59-ФЗ appeals over HTTP: the head extends the term once; messages, other roles and bad data are refused."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from offline_cache.domain.model import Action, ItemKind, Status
from offline_cache.errors import ConflictError, ForbiddenError, PlatformError
from tests.training_platform.conftest import Driver

REASON = {"days": 15, "comment": "Запрошены документы в управляющей компании"}
CITY = ZoneInfo("Asia/Yekaterinburg")



def test_head_extends_an_appeal_once(shared_drive: Driver) -> None:
    item = shared_drive.act("c-coord", shared_drive.new(kind=ItemKind.APPEAL), Action.ROUTE_TO_EXECUTOR,
                            {"executor_id": "c-exec1"})
    after = shared_drive.act("c-head", item, Action.EXTEND_TERM, REASON)
    assert after.status is Status.IN_WORK and after.version == item.version + 1
    assert after.due_at.astimezone(CITY) == item.due_at.astimezone(CITY) + timedelta(days=15)
    assert (after.history[-1].action, after.history[-1].comment) == ("extend_term", REASON["comment"])
    with pytest.raises(ConflictError) as caught:
        shared_drive.act("c-head", after, Action.EXTEND_TERM, {"days": 5, "comment": "ещё раз"})
    assert "один раз" in caught.value.message
    assert shared_drive.get(after).due_at == after.due_at


def test_a_message_has_no_extension(shared_drive: Driver) -> None:
    item = shared_drive.in_work()
    with pytest.raises(ConflictError) as caught:
        shared_drive.act("c-head", item, Action.EXTEND_TERM, REASON)
    assert "59-ФЗ" in caught.value.message


@pytest.mark.parametrize("user", ["c-exec1", "c-coord", "c-cur"])
def test_only_the_head_extends(shared_drive: Driver, user: str) -> None:
    item = shared_drive.act("c-coord", shared_drive.new(kind=ItemKind.APPEAL), Action.ROUTE_TO_EXECUTOR,
                            {"executor_id": "c-exec1"})
    with pytest.raises(ForbiddenError):
        shared_drive.act(user, item, Action.EXTEND_TERM, REASON)


@pytest.mark.parametrize("payload", [{"days": 31, "comment": "x"}, {"days": 0, "comment": "x"},
                                     {"days": 10, "comment": ""}, {"days": 10}])
def test_extension_data_is_checked(shared_drive: Driver, payload: dict[str, object]) -> None:
    item = shared_drive.new(kind=ItemKind.APPEAL)
    with pytest.raises(PlatformError) as caught:
        shared_drive.act("c-head", item, Action.EXTEND_TERM, payload)
    assert caught.value.status == 422
    assert shared_drive.get(item).version == item.version
