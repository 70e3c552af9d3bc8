"""Russian names of statuses, kinds, roles and queues, through Qt's translation system."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from offline_cache.domain.model import ItemKind, Role, Status
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
    }
    return names[queue]
