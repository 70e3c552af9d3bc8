"""Templates and checks wired into one window: the editor's suggestions and spelling, the checks before an
action is sent, the return comment from a template, the manager. One per window (so per session)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMainWindow, QPlainTextEdit, QPushButton, QWidget

from desktop.card.card import MessageCard
from desktop.labels import short_action_name
from desktop.session import Session
from desktop.templates.assist import Context, TemplateAssist
from desktop.templates.checks import ChecksDialog, SpellingHighlighter
from desktop.templates.manager import TemplateManagerDialog
from offline_cache.checks import CheckResult, check_draft, draft_for_item, speller_for
from offline_cache.domain.model import Action, Role
from offline_cache.spelling import Speller
from offline_cache.templates import Purpose

INSERT_SHORTCUT = "Ctrl+Space"
MANAGER_SHORTCUT = "Ctrl+Shift+L"
#: The actions whose text is checked before it goes, and what the text is for.
CHECKED = {Action.SUBMIT_FOR_APPROVAL: Purpose.ANSWER, Action.INTERIM_ANSWER: Purpose.INTERIM,
           Action.REJECT: Purpose.REJECTION}


def _t(text: str) -> str:
    return QCoreApplication.translate("Templates", text)


class TemplateSupport(QObject):
    """Owns the session's speller (built once, on the worker) and the template parts of the window.

    Signals:
        checked(str, list): action and the codes found by the checks before it (empty: nothing found).
        spellerReady(): the speller is built; spelling is underlined and checked from now on.
    """

    checked = Signal(str, list)
    spellerReady = Signal()

    def __init__(self, window: QMainWindow, session: Session, card: MessageCard) -> None:
        super().__init__(window)
        self.window, self.session, self.card = window, session, card
        self.speller: Speller | None = None
        self.dialog: QDialog | None = None  # the checks dialog or the manager, while open
        self.results: list[CheckResult] = []
        editor = card.editor
        self.assist = TemplateAssist(editor.text, session.reader, session.worker, self._editor_context)
        self.highlighter = SpellingHighlighter(editor.text)
        self.insert_action = QAction(_t("Вставить шаблон в ответ"), window)
        self.insert_action.setObjectName("insertTemplate")
        self.insert_action.setShortcut(QKeySequence(INSERT_SHORTCUT))
        self.insert_action.triggered.connect(self.insert)
        self.manager_action = QAction(_t("Шаблоны ответов…"), window)
        self.manager_action.setObjectName("templateManagerAction")
        self.manager_action.setShortcut(QKeySequence(MANAGER_SHORTCUT))
        self.manager_action.triggered.connect(self.open_manager)
        menu = window.menuBar().addMenu(_t("Шаблоны"))
        menu.addActions([self.insert_action, self.manager_action])
        tools = getattr(editor, "tools", None)
        if tools is not None:
            self.insert_button = QPushButton(_t("Шаблон… ({k})").format(k=INSERT_SHORTCUT))
            self.insert_button.setObjectName("insertTemplateButton")
            self.insert_button.setToolTip(_t("Шаблоны для этого сообщения; в тексте можно набрать «::»"))
            self.insert_button.clicked.connect(self.insert)
            tools.insertWidget(0, self.insert_button)
        bridge = session.worker.bridge
        bridge.writeFinished.connect(self._written)
        self._speller_request = session.worker.run_write(speller_for)

    def insert(self) -> bool:
        """Open the suggestions for the answer being written; say why not when nobody writes one here."""
        if self.assist.open():
            return True
        self.window.statusBar().showMessage(_t("Шаблон вставляется в ответ, который вы пишете: выберите сообщение "
                                               "в работе у вас или на вашем утверждении."), 8_000)
        return False

    def _written(self, request: str, result: object, error: str) -> None:
        if request == self._speller_request and isinstance(result, Speller) and not error \
                and shiboken6.isValid(self.highlighter):
            self.speller = result
            self.highlighter.set_speller(result)
            self.spellerReady.emit()

    def _editor_context(self) -> Context:
        editor = self.card.editor
        planned = editor.planned_date() if editor.planned.isVisibleTo(editor) else None
        return Context(self.card.item, (Purpose.ANSWER, Purpose.INTERIM), planned_date=planned)

    # --- checks before submit ---------------------------------------------------------------

    def gate(self, action: Action, item_id: str, payload: dict[str, object], go: Callable[[], object],
             parent: QWidget | None = None) -> None:
        """Run the checks of ``action``'s text; ``go`` at once when clean, after acknowledging warnings,
        never while a blocking finding stands (the official goes back to the text instead)."""
        purpose = CHECKED.get(action)
        item = self.session.reader.item(item_id) if purpose is not None else None
        text = str(payload.get("comment" if action is Action.REJECT else "text") or "")
        if purpose is None or item is None or not text.strip():
            go()  # an empty text is refused by the domain table itself, with its reason in the card
            return
        planned = payload.get("planned_date")
        ground = payload.get("ground_code")
        draft = draft_for_item(self.session.reader, item, text, purpose,
                               ground_code=str(ground) if ground else None,
                               planned_date=date.fromisoformat(str(planned)) if planned else None)
        self.results = check_draft(draft, self.speller)
        self.checked.emit(action.value, [r.code for r in self.results])
        if not self.results:
            go()
            return
        dialog = ChecksDialog(self.results, short_action_name(action), parent or self.window)
        dialog.accepted.connect(go)
        if action is not Action.REJECT:  # the answer in the editor: back to the first thing to fix
            results = self.results
            dialog.rejected.connect(lambda: self._point_at(results))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def _point_at(self, results: list[CheckResult]) -> None:
        """Select the first marked place (an unresolved placeholder, a misspelt word) in the editor."""
        edit = self.card.editor.text
        span = next((r.spans[0] for r in results if r.spans), None)
        if span is not None and span[1] <= len(edit.toPlainText()):
            cursor = edit.textCursor()
            cursor.setPosition(span[0])
            cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
            edit.setTextCursor(cursor)
        edit.setFocus()

    # --- the action dialogs -----------------------------------------------------------------

    def dialog_opened(self, action: Action, dialog: QDialog) -> None:
        """A return comment can come from a return template; a rejection's text from a rejection template
        and is checked before the dialog closes (so nothing typed is lost to a refusal)."""
        item = self.card.item
        box: Any = getattr(dialog, "comment", None) if action is Action.RETURN_FOR_REVISION else (
            getattr(dialog, "text", None) if action is Action.REJECT else None)
        if item is None or not isinstance(box, QPlainTextEdit):
            return
        ground = getattr(dialog, "ground", None)
        purpose = Purpose.RETURN if action is Action.RETURN_FOR_REVISION else Purpose.REJECTION
        assist = TemplateAssist(box, self.session.reader, self.session.worker, lambda: Context(
            item, (purpose,), ground_code=ground.currentData() if ground is not None else None))
        button = QPushButton(_t("Из шаблона… ({k})").format(k=INSERT_SHORTCUT))
        button.setObjectName("dialogTemplateButton")
        button.setAutoDefault(False)
        button.clicked.connect(assist.open)
        layout = dialog.layout()
        if layout is not None:
            layout.addWidget(button)
        setattr(dialog, "assist", assist)  # noqa: B010 - for tests and the screenshots
        if action is Action.REJECT:
            self._check_before_closing(action, item.id, dialog)

    def _check_before_closing(self, action: Action, item_id: str, dialog: QDialog) -> None:
        ok = getattr(dialog, "ok", None)
        buttons = ok.parent() if ok is not None else None
        payload = getattr(dialog, "payload", None)
        if not isinstance(buttons, QDialogButtonBox) or payload is None:
            return
        buttons.accepted.disconnect()
        buttons.accepted.connect(lambda: self.gate(action, item_id, payload(), lambda: QDialog.accept(dialog),
                                                         dialog))

    # --- the manager ------------------------------------------------------------------------

    def open_manager(self) -> TemplateManagerDialog:
        heads = bool({Role.HEAD, Role.CURATOR} & self.session.roles)
        dialog = TemplateManagerDialog(self.session.reader, self.session.worker, self.session.me.organisation.id,
                                       with_stats=heads, parent=self.window)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog
