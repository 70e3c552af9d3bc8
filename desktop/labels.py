"""Russian names of statuses, kinds, roles and queues, through Qt's translation system."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from offline_cache.domain.model import Action, ItemKind, Role, Status
from offline_cache.queues import QueueId


def _t(text: str) -> str:
    return QCoreApplication.translate("Labels", text)


def status_name(status: str) -> str:
    names = {
        Status.AWAITING_ROUTING: _t("На распределении"),
        Status.IN_WORK: _t("В работе"),
        Status.ON_APPROVAL: _t("На утверждении"),
        Status.RETURNED: _t("На доработке"),
        Status.INTERIM_ANSWER: _t("Промежуточный ответ"),
        Status.ANSWERED: _t("Ответ отправлен"),
        Status.REJECTED: _t("Отклонено"),
        Status.REDIRECTED: _t("Перенаправлено"),
        Status.REPROCESSING: _t("Повторное рассмотрение"),
        Status.CLOSED: _t("Закрыто"),
    }
    try:
        return names[Status(status)]
    except ValueError:
        return status


def kind_name(kind: str) -> str:
    names = {ItemKind.MESSAGE: _t("Сообщение"), ItemKind.APPEAL: _t("Обращение"),
             ItemKind.OPEN_SOURCE: _t("Открытый источник")}
    try:
        return names[ItemKind(kind)]
    except ValueError:
        return kind


def role_name(role: str) -> str:
    names = {Role.ADMIN: _t("Администратор ЛКО"), Role.COORDINATOR: _t("Координатор"),
             Role.EXECUTOR: _t("Исполнитель"), Role.HEAD: _t("Руководитель"), Role.CURATOR: _t("Куратор")}
    try:
        return names[Role(role)]
    except ValueError:
        return role


def queue_name(queue: QueueId) -> str:
    names = {
        QueueId.ROUTING: _t("На распределение"),
        QueueId.MY_WORK: _t("Мне на исполнение"),
        QueueId.RETURNED: _t("На доработке"),
        QueueId.APPROVAL: _t("На утверждении"),
        QueueId.INTERIM: _t("Промежуточный ответ"),
        QueueId.REPROCESSING: _t("Повторное рассмотрение"),
        QueueId.OVERDUE: _t("Просроченные"),
        QueueId.ALL: _t("Все"),
        QueueId.DRAFTS: _t("Черновики"),
        QueueId.OUTBOX: _t("Ожидают отправки"),
        QueueId.DEPUTISING: _t("За отсутствующих"),
    }
    return names[queue]


def action_name(action: str) -> str:
    """The button text of a workflow action."""
    names = {
        Action.ROUTE_TO_EXECUTOR: _t("Назначить исполнителя…"),
        Action.REASSIGN: _t("Переназначить…"),
        Action.REDIRECT: _t("Перенаправить…"),
        Action.TAKE_INTO_WORK: _t("Взять в работу"),
        Action.REJECT: _t("Отклонить…"),
        Action.RETURN_TO_ROUTING: _t("Вернуть на распределение…"),
        Action.SAVE_DRAFT: _t("Сохранить черновик"),
        Action.SUBMIT_FOR_APPROVAL: _t("На утверждение"),
        Action.INTERIM_ANSWER: _t("Промежуточный ответ"),
        Action.APPROVE: _t("Утвердить"),
        Action.RETURN_FOR_REVISION: _t("На доработку…"),
        Action.STOP_REPROCESSING: _t("Прекратить повторное рассмотрение…"),
    }
    try:
        return names[Action(action)]
    except ValueError:
        return action


def history_action_name(action: str) -> str:
    """What a history entry's action was, in a word or two (without the dialog ellipsis)."""
    return action_name(action).rstrip("…")


ABSENCE_REASONS = ("болезнь", "отпуск", "командировка", "учёба")


def absence_reason_name(reason: str) -> str:
    names = {"болезнь": _t("болезнь"), "отпуск": _t("отпуск"), "командировка": _t("командировка"),
             "учёба": _t("учёба")}
    return names.get(reason, reason)
