"""Templates inserted into a text box from the keyboard: Ctrl+Space or «::» opens the suggestions.

The values come from the item; what it lacks (and has no fallback) is asked in one form; each
insertion is recorded on the worker (``TemplateLibrary.record_use``), so suggestions learn the
official's habits and heads see what each template is worth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit

from desktop.templates.fill import FillDialog
from desktop.templates.popup import SuggestionPopup
from offline_cache.contract.models import Item
from offline_cache.placeholders import Rendered
from offline_cache.store.cache import Cache
from offline_cache.templates import Purpose, Suggestion, TemplateLibrary

TRIGGER = "::"


@dataclass(frozen=True, slots=True)
class Context:
    """What the text box is for right now: the item, the purposes offered (first is the default), and more."""

    item: Item | None
    purposes: tuple[Purpose, ...]
    ground_code: str | None = None  # the rejection ground chosen
    planned_date: date | None = None  # the interim answer's promised date


def record_use(worker: Any, template_id: str, item_id: str) -> str:
    """Count an insertion on the worker (the UI thread never writes the cache); returns the request id."""
    request: str = worker.run_write(lambda cache: TemplateLibrary(cache).record_use(template_id, item_id))
    return request


class TemplateAssist(QObject):
    """Watches one plain-text box for the trigger keys and inserts the template the official picks.

    Signals:
        inserted(str): template id, once its filled text is in the box.
    """

    inserted = Signal(str)

    def __init__(self, edit: QPlainTextEdit, reader: Cache, worker: Any, context: Callable[[], Context]) -> None:
        super().__init__(edit)
        self.edit, self._reader, self._worker, self._context = edit, reader, worker, context
        self.popup: SuggestionPopup | None = None
        self.form: FillDialog | None = None
        edit.installEventFilter(self)

    def library(self) -> TemplateLibrary:
        return TemplateLibrary(self._reader)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and not self.edit.isReadOnly():
            ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            if event.key() == Qt.Key.Key_Space and ctrl:
                return self.open()
            if event.text() == TRIGGER[-1] and self._before_cursor() == TRIGGER[:-1]:
                self.edit.textCursor().deletePreviousChar()  # the trigger is a key, not text of the answer
                return self.open()
        return super().eventFilter(watched, event)

    def _before_cursor(self) -> str:
        cursor = self.edit.textCursor()
        block = cursor.block().text()
        at = cursor.positionInBlock()
        return block[max(0, at - len(TRIGGER) + 1):at]

    def open(self) -> bool:
        """Show the suggestions for the item; False (nothing shown) when there is no item or it is read-only."""
        context = self._context()
        if context.item is None or self.edit.isReadOnly():
            return False
        item = context.item

        def suggest(purpose: Purpose, query: str) -> list[Suggestion]:
            found = self.library().suggest(item, purpose, query, limit=30)
            ground = self._context().ground_code if purpose is Purpose.REJECTION else None
            # The chosen ground's own templates first (the sort is stable: the ranking holds within each part).
            return sorted(found, key=lambda s: s.template.ground_code != ground) if ground else found

        popup = SuggestionPopup(list(context.purposes), suggest, self._fill, self.edit.window())
        popup.picked.connect(lambda template_id, purpose: self.choose(template_id, Purpose(purpose)))
        popup.finished.connect(popup.deleteLater)
        popup.finished.connect(lambda _r: self.edit.setFocus())
        self.popup = popup
        popup.open()
        return True

    def _fill(self, template_id: str, purpose: Purpose, answers: dict[str, str] | None = None) -> Rendered:
        context = self._context()
        assert context.item is not None
        planned = context.planned_date if purpose is Purpose.INTERIM else None
        ground = context.ground_code if purpose is Purpose.REJECTION else None
        return self.library().fill(template_id, context.item, answers, planned_date=planned, ground_code=ground)

    def choose(self, template_id: str, purpose: Purpose) -> None:
        """Insert ``template_id`` filled for the item, asking first for the values it lacks."""
        rendered = self._fill(template_id, purpose)
        if not rendered.missing:
            self.insert(template_id, rendered.text)
            return
        context = self._context()
        library = self.library()
        template = library.get(template_id)
        assert template is not None and context.item is not None
        values = library.values(context.item, planned_date=context.planned_date if purpose is Purpose.INTERIM
                                else None, ground_code=context.ground_code or template.ground_code)
        form = FillDialog(template.title, template.text, values, rendered.missing, self.edit.window())
        form.accepted.connect(lambda: self.insert(template_id, form.rendered().text))
        form.finished.connect(form.deleteLater)
        form.finished.connect(lambda _r: self.edit.setFocus())
        self.form = form
        form.open()

    def insert(self, template_id: str, text: str) -> None:
        context = self._context()
        if context.item is None or self.edit.isReadOnly():
            return
        self.edit.textCursor().insertText(text)
        self.edit.setFocus()
        record_use(self._worker, template_id, context.item.id)
        self.inserted.emit(template_id)
