"""Screenshots of each role's main action in progress (route, answer, approve, return), for desktop.screenshots."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.main_window import MainWindow
from offline_cache.domain.model import Action, Role
from offline_cache.queues import QueueId

#: The queue where each role's main action starts.
_QUEUES = {Role.COORDINATOR: QueueId.ROUTING, Role.EXECUTOR: QueueId.MY_WORK, Role.HEAD: QueueId.APPROVAL,
           Role.CURATOR: QueueId.APPROVAL}
SAMPLE_ANSWER = ("Уважаемый заявитель! Ваше сообщение рассмотрено. Работы включены в план и будут выполнены "
                 "до конца месяца. О результате сообщим дополнительно.")


def _open_queue(window: MainWindow, queue: QueueId) -> bool:
    if queue not in window.queues:
        return False
    window.navigation.setCurrentRow(window.queues.index(queue))
    if not window.model.rowCount():
        return False
    window.panel.table.selectRow(0)
    QApplication.processEvents()
    return True


def action_shots(window: MainWindow, role: Role, out: Path) -> list[Path]:
    """Put ``window`` in the middle of ``role``'s main action and save what it looks like; returns the files."""
    saved: list[Path] = []

    def save(name: str, widget: object = None) -> None:
        QApplication.processEvents()
        path = out / f"action-{role.value}-{name}.png"
        (widget or window).grab().save(str(path))  # type: ignore[attr-defined]
        saved.append(path)

    queue = _QUEUES.get(role)
    if queue is None or not _open_queue(window, queue):
        return saved
    controller = window.actions_controller
    offered = controller.offered()
    if role is Role.COORDINATOR and Action.ROUTE_TO_EXECUTOR in offered:
        picker = controller.bar.picker
        picker.list.setCurrentRow(min(1, picker.list.count() - 1))
        save("route")
    elif role is Role.EXECUTOR and Action.SAVE_DRAFT in offered:
        editor = window.card.editor
        if not editor.plain_text():
            editor.text.blockSignals(True)  # a picture, not a draft: nothing is autosaved
            editor.text.setPlainText(SAMPLE_ANSWER)
            editor.text.blockSignals(False)
        save("answer")
    elif role in (Role.HEAD, Role.CURATOR) and Action.APPROVE in offered:
        save("approve")
        controller.trigger(Action.RETURN_FOR_REVISION)
        dialog = controller.dialog
        if dialog is not None:
            dialog.comment.setPlainText("Уточните сроки и приложите план работ.")  # type: ignore[attr-defined]
            save("return", dialog)
            dialog.reject()
    return saved
