"""Russian names of statuses, kinds, roles, actions and outbox states: one table for the CLI, exports and the window.

Plain strings without Qt, so that headless commands and CSV exports use the very words the window
shows (``desktop.labels`` passes them through Qt's translation system).
"""

from __future__ import annotations

from collections.abc import Mapping

from offline_cache.domain.model import Action, ItemKind, Role, Status

STATUS_NAMES: Mapping[str, str] = {
    Status.AWAITING_ROUTING: "На распределении",
    Status.IN_WORK: "В работе",
    Status.ON_APPROVAL: "На утверждении",
    Status.RETURNED: "На доработке",
    Status.INTERIM_ANSWER: "Промежуточный ответ",
    Status.ANSWERED: "Ответ отправлен",
    Status.REJECTED: "Отклонено",
    Status.REDIRECTED: "Перенаправлено",
    Status.REPROCESSING: "Повторное рассмотрение",
    Status.CLOSED: "Закрыто",
}

KIND_NAMES: Mapping[str, str] = {
    ItemKind.MESSAGE: "Сообщение",
    ItemKind.APPEAL: "Обращение",
    ItemKind.OPEN_SOURCE: "Открытый источник",
}

ROLE_NAMES: Mapping[str, str] = {
    Role.ADMIN: "Администратор ЛКО",
    Role.COORDINATOR: "Координатор",
    Role.EXECUTOR: "Исполнитель",
    Role.HEAD: "Руководитель",
    Role.CURATOR: "Куратор",
}

#: Button texts; an ellipsis where a dialog follows.
ACTION_NAMES: Mapping[str, str] = {
    Action.ROUTE_TO_EXECUTOR: "Назначить исполнителя…",
    Action.REASSIGN: "Переназначить…",
    Action.REDIRECT: "Перенаправить…",
    Action.TAKE_INTO_WORK: "Взять в работу",
    Action.REJECT: "Отклонить…",
    Action.RETURN_TO_ROUTING: "Вернуть на распределение…",
    Action.SAVE_DRAFT: "Сохранить черновик",
    Action.SUBMIT_FOR_APPROVAL: "На утверждение",
    Action.INTERIM_ANSWER: "Промежуточный ответ",
    Action.APPROVE: "Утвердить",
    Action.RETURN_FOR_REVISION: "На доработку…",
    Action.STOP_REPROCESSING: "Прекратить повторное рассмотрение…",
    Action.EXTEND_TERM: "Продлить срок…",
}

OUTBOX_STATE_NAMES: Mapping[str, str] = {
    "pending": "Ожидает отправки",
    "sending": "Отправляется",
    "done": "Доставлено",
    "failed": "Отклонено платформой",
    "conflict": "Конфликт версий",
    "cancelled": "Отменено",
    "discarded": "Отброшено",
    "resolved": "Заменено или разрешено",
}


def status_name(status: str) -> str:
    return STATUS_NAMES.get(status, status)


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind)


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)


def action_name(action: str) -> str:
    """The action's button text (with the dialog ellipsis where there is one)."""
    return ACTION_NAMES.get(action, action)


def history_action_name(action: str) -> str:
    """What an action was, in a word or two (without the dialog ellipsis)."""
    return action_name(action).rstrip("…")


def outbox_state_name(state: str) -> str:
    return OUTBOX_STATE_NAMES.get(state, state)
