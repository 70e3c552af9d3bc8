"""Workflow actions in the window: one QAction per domain action, offered exactly as the domain table allows.

The same QActions serve the card's buttons, the queue row's context menu and the «Действия» menu,
each with its shortcut. An action that needs more (an executor, an organisation, a ground, a
comment) opens its dialog non-modally; the result goes to ``worker.perform``. When the worker
reports it queued, the next item of the queue is selected; a refusal is shown in the card.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QObject, QPoint, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu

from desktop.actions.bar import ActionBar
from desktop.card.card import MessageCard
from desktop.countdown import URGENCY_COLOURS, countdown
from desktop.deputies.dialog import DeputyDialog
from desktop.dialogs.comment import CommentDialog, ExtendTermDialog
from desktop.dialogs.orgs import RedirectDialog
from desktop.dialogs.reject import RejectDialog, cached_grounds
from desktop.dialogs.staff import Candidate, StaffPickerDialog, candidates
from desktop.labels import action_name, short_action_name
from desktop.queue.panel import QueuePanel
from desktop.session import Session
from desktop.templates.support import TemplateSupport
from offline_cache.domain.model import Action

SHORTCUTS = {
    Action.ROUTE_TO_EXECUTOR: "Ctrl+Shift+E",
    Action.REASSIGN: "Ctrl+Shift+U",
    Action.REDIRECT: "Ctrl+Shift+R",
    Action.TAKE_INTO_WORK: "Ctrl+Shift+T",
    Action.REJECT: "Ctrl+Shift+X",
    Action.RETURN_TO_ROUTING: "Ctrl+Shift+B",
    Action.SAVE_DRAFT: "Ctrl+S",
    Action.SUBMIT_FOR_APPROVAL: "Ctrl+Return",
    Action.INTERIM_ANSWER: "Ctrl+Shift+I",
    Action.APPROVE: "Ctrl+Shift+A",
    Action.RETURN_FOR_REVISION: "Ctrl+Shift+N",
    Action.STOP_REPROCESSING: "Ctrl+Shift+P",
    Action.EXTEND_TERM: "Ctrl+Shift+G",
}
DEPUTY_SHORTCUT = "Ctrl+Shift+D"
#: Actions after which the official stays on the item (the draft is still being written).
_STAY = {Action.SAVE_DRAFT}
_COMMENTED = frozenset({Action.RETURN_TO_ROUTING, Action.RETURN_FOR_REVISION, Action.STOP_REPROCESSING})


def _t(text: str) -> str:
    return QCoreApplication.translate("Actions", text)


def _comment_prompt(action: Action) -> tuple[str, str]:
    """(title, prompt) of the comment dialog of ``action``."""
    if action is Action.RETURN_TO_ROUTING:
        return _t("Вернуть на распределение"), _t("Почему сообщение возвращается координатору:")
    if action is Action.RETURN_FOR_REVISION:
        return _t("Вернуть на доработку"), _t("Что исправить в проекте ответа:")
    return (_t("Прекратить повторное рассмотрение"),
            _t("Основание (переписка утратила смысл, заявитель нарушил правила…):"))


class ActionController(QObject):
    """Offers and performs the workflow actions of the window.

    Signals:
        performed(str, str): item id and action, queued in the outbox.
        refused(str, str, str): item id, action and the Russian reason.
    """

    performed = Signal(str, str)
    refused = Signal(str, str, str)

    def __init__(self, window: QMainWindow, session: Session, panel: QueuePanel, card: MessageCard,
                 clock: Callable[[], datetime]) -> None:
        super().__init__(window)
        self.window, self.session, self.panel, self.card, self._clock = window, session, panel, card, clock
        self._zone = ZoneInfo(session.me.organisation.timezone)
        self.actions: dict[Action, QAction] = {}
        for action in Action:
            qaction = QAction(action_name(action), window)
            qaction.setObjectName(f"action_{action.value}")
            qaction.setShortcut(QKeySequence(SHORTCUTS[action]))
            qaction.triggered.connect(partial(self.trigger, action))
            qaction.setVisible(False)
            window.addAction(qaction)
            self.actions[action] = qaction
        self.deputy_action = QAction(_t("Назначить заместителя…"), window)
        self.deputy_action.setShortcut(QKeySequence(DEPUTY_SHORTCUT))
        self.deputy_action.triggered.connect(self.open_deputy_dialog)
        window.addAction(self.deputy_action)
        self.bar = ActionBar(self.actions)
        card.actions_slot.addWidget(self.bar)
        self.menu = window.menuBar().addMenu(_t("Действия"))
        self.menu.setObjectName("actionsMenu")
        self.menu.addActions(list(self.actions.values()))
        self.menu.addSeparator()
        self.menu.addAction(self.deputy_action)
        self.dialog: QDialog | None = None
        self.templates = TemplateSupport(window, session, card)  # suggestions, spelling, checks (issue 11)
        self.context_menu: QMenu | None = None
        self._requests: dict[str, tuple[str, Action, str | None]] = {}
        self._routing_for = ""
        self._candidates: dict[str, list[Candidate]] = {}  # by organisation
        self._stale_candidates: set[str] = set()
        self._candidates_request = ""
        session.worker.bridge.itemsChanged.connect(self._items_changed)
        session.worker.bridge.readFinished.connect(self._candidates_read)
        card.shown.connect(self._update)
        card.ticked.connect(self._routing_term)
        panel.contextMenuRequested.connect(self.show_context_menu)
        self.bar.picker.picked.connect(lambda _person: self.trigger(Action.ROUTE_TO_EXECUTOR))
        session.worker.bridge.actionFinished.connect(self._finished)
        # A delivery refused by the platform later is shown in the card as soon as the outbox says so.
        session.worker.bridge.outboxChanged.connect(self._outbox_changed)
        self._update(card.item.id if card.item else "")

    # --- offering ---------------------------------------------------------------------------

    def offered(self) -> list[Action]:
        """What the window offers on the shown item right now (the card computed it with the domain table)."""
        return list(self.card.offered)

    def _update(self, item_id: str) -> None:
        offered = self.card.offered if item_id else []
        for action, qaction in self.actions.items():
            qaction.setVisible(action in offered)
            qaction.setEnabled(action in offered)
        self.bar.show_offered(offered)
        item = self.card.item
        if item is not None and Action.ROUTE_TO_EXECUTOR in offered:
            if self._routing_for != item.id:  # a refresh of the same item keeps the person being picked
                self._routing_for = item.id
                self.bar.picker.set_candidates(self._candidates_of(item.org_id))
            self._routing_term()
        else:
            self._routing_for = ""

    def _candidates_of(self, org_id: str) -> list[Candidate]:
        """Who can be made the executor, with their open items: counted once, then counted again in the
        background after the cache changed (the list shown meanwhile is at most one change behind).

        Counting every colleague's open items takes 10–20 ms over 100,000 items, for each item shown
        while routing: it stood between an action's key press and the next card.
        """
        known = self._candidates.get(org_id)
        if known is None:
            known = self._candidates[org_id] = candidates(self.session.reader, org_id, self._clock(), self._zone)
        elif org_id in self._stale_candidates:
            self._stale_candidates.discard(org_id)
            now, zone = self._clock(), self._zone
            self._candidates_request = self.session.worker.run_read(
                lambda cache: (org_id, candidates(cache, org_id, now, zone)), kind="candidates")
        return known

    def _items_changed(self, _ids: list[str]) -> None:
        self._stale_candidates.update(self._candidates)

    def _candidates_read(self, request: str, result: object, error: str) -> None:
        if request != self._candidates_request or error or not isinstance(result, tuple):
            return  # an older read, or a failed one (logged): the list shown stays, counted again next change
        org_id, fresh = result
        self._candidates[org_id] = fresh
        item = self.card.item
        if self._routing_for and item is not None and item.org_id == org_id and self.window.isVisible():
            self.bar.picker.recount(fresh)  # what the coordinator has typed stays

    def _routing_term(self) -> None:
        """The coordinator's 3-day term beside the routing actions, counting down with the card."""
        item = self.card.item
        if item is None or not self._routing_for:
            return
        text, level = countdown(item.routing_due_at, self._clock())
        self.bar.routing_term.setText(_t("Распределить за 3 дня: {left}").format(left=text))
        colour = URGENCY_COLOURS[level].name() if level else "palette(text)"
        self.bar.routing_term.setStyleSheet(f"font-weight: 600; color: {colour};")

    def show_context_menu(self, where: QPoint) -> None:
        """The queue row's menu: the same actions as the card's buttons (the row is already selected)."""
        menu = QMenu(self.window)
        menu.setObjectName("queueContextMenu")
        for qaction in self.actions.values():
            if qaction.isVisible():
                menu.addAction(qaction)
        if menu.isEmpty():
            menu.addAction(_t("Действий с этим сообщением у вас нет")).setEnabled(False)
        self.context_menu = menu
        menu.popup(where)

    # --- performing -------------------------------------------------------------------------

    def trigger(self, action: Action) -> None:
        """Start ``action`` on the shown item: at once, or after its dialog is accepted."""
        item = self.card.item
        if item is None or action not in self.card.offered:
            return
        self.card.show_refusal("")
        editor = self.card.editor
        if action is Action.ROUTE_TO_EXECUTOR and self.bar.picker.current_id():
            self.perform(action, {"executor_id": self.bar.picker.current_id()})
        elif action is Action.ROUTE_TO_EXECUTOR and self.bar.routing.isVisibleTo(self.window):
            # The picker is right there in the card: type a name, Enter routes.
            self.bar.picker.filter.setFocus()
            self.window.statusBar().showMessage(_t("Начните вводить фамилию исполнителя и нажмите Enter"), 8_000)
        elif action in (Action.ROUTE_TO_EXECUTOR, Action.REASSIGN):
            exclude = frozenset({item.assignee_id}) if item.assignee_id else frozenset()
            people = candidates(self.session.reader, item.org_id, self._clock(), self._zone, exclude)
            self._open(StaffPickerDialog(action_name(action).rstrip("…"), people, self.window), action)
        elif action is Action.REDIRECT:
            self._open(RedirectDialog(self.session.reader.organisations(), item.org_id, self.window), action)
        elif action is Action.REJECT:
            self._open(RejectDialog(cached_grounds(self.session.reader), self.window), action)
        elif action is Action.EXTEND_TERM:
            self._open(ExtendTermDialog(self.window), action)
        elif action in _COMMENTED:
            title, prompt = _comment_prompt(action)
            self._open(CommentDialog(title, prompt, short_action_name(action), self.window), action)
        elif action in (Action.SAVE_DRAFT, Action.SUBMIT_FOR_APPROVAL):
            payload: dict[str, object] = {"text": editor.plain_text()}
            if editor.attachment_ids():
                payload["attachment_ids"] = editor.attachment_ids()
            self._checked(action, payload)
        elif action is Action.INTERIM_ANSWER:
            self._checked(action, {"text": editor.plain_text(), "planned_date": editor.planned_date().isoformat()})
        elif action is Action.APPROVE:
            # The head's edit travels with the approval; the platform records it as the head's.
            self.perform(action, {"text": editor.plain_text()} if editor.is_edited() else {})
        else:
            self.perform(action, {})

    def _open(self, dialog: QDialog, action: Action) -> None:
        item_id = self.card.item.id if self.card.item else ""
        payload = getattr(dialog, "payload")  # noqa: B009 - every action dialog has one
        dialog.accepted.connect(lambda: self.perform(action, payload(), item_id=item_id))
        dialog.finished.connect(dialog.deleteLater)
        self.templates.dialog_opened(action, dialog)
        self.dialog = dialog
        dialog.open()

    def _checked(self, action: Action, payload: dict[str, object]) -> None:
        """The checks before submit first (issue 11): sent when clean or the warnings are acknowledged."""
        item_id = self.card.item.id if self.card.item else ""
        self.templates.gate(action, item_id, payload, lambda: self.perform(action, payload, item_id=item_id))

    def perform(self, action: Action, payload: dict[str, object], *, item_id: str = "") -> str:
        """Hand the action to the worker; remember what to select next when it is queued."""
        item_id = item_id or (self.card.item.id if self.card.item else "")
        if not item_id:
            return ""
        model = self.panel.model
        row = model.row_of(item_id)
        following = model.item_id(row + 1) or model.item_id(row - 1) if row >= 0 else None
        request = self.session.worker.perform(item_id, action.value, dict(payload))
        self._requests[request] = (item_id, action, following)
        return request

    def _finished(self, request: str, item_id: str, error: str) -> None:
        known = self._requests.pop(request, None)
        if known is None or not self.window.isVisible():
            return
        _item_id, action, following = known
        if error:
            message = _t("«{a}» не выполнено: {e}").format(a=short_action_name(action), e=error)
            if self.card.item is not None and self.card.item.id == item_id:
                self.card.show_refusal(message)
            self.window.statusBar().showMessage(message, 10_000)
            self.refused.emit(item_id, action.value, error)
            return
        shown = self.card.item is not None and self.card.item.id == item_id
        if shown and action not in _STAY and following:
            self.panel.select_item(following)  # the queue is worked through without the mouse
        elif shown:
            self.card.show_item(item_id)
        self.window.statusBar().showMessage(
            _t("«{a}» — поставлено в очередь отправки").format(a=short_action_name(action)), 5_000)
        self.performed.emit(item_id, action.value)

    def in_flight(self, item_id: str) -> bool:
        """Whether an action on ``item_id`` was handed to the worker and its outcome is still awaited: the
        card is shown again (or moves on) when it comes, so reports before it need not redraw the card."""
        return any(known[0] == item_id for known in self._requests.values())

    def _outbox_changed(self, _counts: dict[str, int]) -> None:
        # A closed window's session may be closed already; reports still in the event queue are not for it.
        if self.card.item is not None and self.window.isVisible() and not self.in_flight(self.card.item.id):
            self.card.show_item(self.card.item.id)

    # --- deputies ---------------------------------------------------------------------------

    def open_deputy_dialog(self) -> None:
        dialog = DeputyDialog(self.session, self._clock(), self.window)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
