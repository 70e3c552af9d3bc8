"""Russian names of statuses, kinds, roles, actions, outbox states and queues, through Qt's translation system.

The words themselves are ``offline_cache.labels`` (shared with the CLI and the CSV export); the
queues' names are the window's own.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from offline_cache import labels as shared
from offline_cache.domain.model import Action
from offline_cache.queues import QueueId


def _t(text: str) -> str:
    return QCoreApplication.translate("Labels", text)


def status_name(status: str) -> str:
    return _t(shared.status_name(status))


def kind_name(kind: str) -> str:
    return _t(shared.kind_name(kind))


def role_name(role: str) -> str:
    return _t(shared.role_name(role))


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
    return _t(shared.action_name(action))


def outbox_state_name(state: str) -> str:
    """An outbox entry's state: «Ожидает отправки», «Доставлено», «Конфликт версий»…"""
    return _t(shared.outbox_state_name(state))


def short_action_name(action: str) -> str:
    """An action's name without the dialog's ellipsis, to quote it in messages («На доработку» не выполнено)."""
    return _t(shared.history_action_name(action))


def history_action_name(action: str) -> str:
    """What was done, as the card's history says it («Утверждено», «Отклонено»…)."""
    names = {
        Action.ROUTE_TO_EXECUTOR: _t("Назначен исполнитель"),
        Action.REASSIGN: _t("Переназначено"),
        Action.REDIRECT: _t("Перенаправлено"),
        Action.TAKE_INTO_WORK: _t("Взято в работу"),
        Action.REJECT: _t("Отклонено"),
        Action.RETURN_TO_ROUTING: _t("Возвращено на распределение"),
        Action.SAVE_DRAFT: _t("Черновик сохранён"),
        Action.SUBMIT_FOR_APPROVAL: _t("Направлено на утверждение"),
        Action.INTERIM_ANSWER: _t("Промежуточный ответ"),
        Action.APPROVE: _t("Утверждено"),
        Action.RETURN_FOR_REVISION: _t("Возвращено на доработку"),
        Action.STOP_REPROCESSING: _t("Повторное рассмотрение прекращено"),
        Action.EXTEND_TERM: _t("Срок продлён, заявитель уведомлён"),
        "received": _t("Поступило"), "reprocessing": _t("Повторное рассмотрение"),
        "rated": _t("Оценка заявителя"), "attachment_added": _t("Добавлен файл"),
        "draft_edited": _t("Проект ответа изменён при утверждении"),
    }
    return names.get(action, action)


ABSENCE_REASONS = ("болезнь", "отпуск", "командировка", "учёба")


def absence_reason_name(reason: str) -> str:
    names = {"болезнь": _t("болезнь"), "отпуск": _t("отпуск"), "командировка": _t("командировка"),
             "учёба": _t("учёба")}
    return names.get(reason, reason)
