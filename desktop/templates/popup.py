"""The suggestions popup: templates ranked for the item, search by words, arrows and Enter, a live preview."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from desktop.templates.fill import add_preview
from desktop.templates.models import ID_ROLE, SuggestionModel
from offline_cache.placeholders import Rendered
from offline_cache.templates import Purpose, Suggestion


def _t(text: str) -> str:
    return QCoreApplication.translate("Templates", text)


class SuggestionPopup(QDialog):
    """Offers templates for one purpose; Enter (or a double click) picks the highlighted one.

    ``suggest(purpose, query)`` ranks (the library, by the item's category and the official's habits),
    ``preview(template_id, purpose)`` fills a template for the item.

    Signals:
        picked(str, str): template id and purpose.
    """

    picked = Signal(str, str)

    def __init__(self, purposes: list[Purpose], suggest: Callable[[Purpose, str], list[Suggestion]],
                 preview: Callable[[str, Purpose], Rendered], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templatePopup")
        self.setWindowTitle(_t("Шаблоны ответов"))
        self.resize(720, 480)
        self._suggest, self._preview = suggest, preview
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.purpose = QComboBox()
        self.purpose.setObjectName("templatePurpose")
        for purpose in purposes:
            self.purpose.addItem(purpose.label, purpose.value)
        self.purpose.setVisible(len(purposes) > 1)
        self.search = QLineEdit()
        self.search.setObjectName("templateSearch")
        self.search.setPlaceholderText(_t("Поиск по словам названия и текста… (↑↓ — выбор, Enter — вставить)"))
        self.search.setClearButtonEnabled(True)
        top.addWidget(self.purpose)
        top.addWidget(self.search, 1)
        layout.addLayout(top)
        self.model = SuggestionModel()
        self.list = QListView()
        self.list.setObjectName("templateList")
        self.list.setModel(self.model)
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.list, 2)
        self.empty = QLabel(_t("Шаблонов не найдено: измените слова поиска или назначение."))
        self.empty.setObjectName("templateNothing")
        self.empty.hide()
        layout.addWidget(self.empty)
        self.preview, self.missing = add_preview(layout, _t("Текст с подстановками для этого сообщения:"),
                                                 "templatePreview", "templateMissing")
        self.search.textChanged.connect(self.refresh)
        self.purpose.currentIndexChanged.connect(self.refresh)
        self.list.doubleClicked.connect(lambda _index: self.pick())
        self.list.selectionModel().currentChanged.connect(self._show_preview)
        self.search.installEventFilter(self)
        self.list.installEventFilter(self)
        self.refresh()
        self.search.setFocus()

    def current_purpose(self) -> Purpose:
        return Purpose(self.purpose.currentData())

    def refresh(self) -> None:
        """Rank again for the purpose and the words typed; the best one is highlighted."""
        self.model.set_suggestions(self._suggest(self.current_purpose(), self.search.text()))
        self.empty.setVisible(self.model.rowCount() == 0)
        if self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(0))
        else:
            self._show_preview(QModelIndex())

    def current_id(self) -> str:
        index = self.list.currentIndex()
        return str(index.data(ID_ROLE)) if index.isValid() else ""

    def _show_preview(self, index: QModelIndex, _previous: QModelIndex | None = None) -> None:
        template_id = str(index.data(ID_ROLE)) if index.isValid() else ""
        if not template_id:
            self.preview.setPlainText("")
            self.missing.setText("")
            return
        rendered = self._preview(template_id, self.current_purpose())
        self.preview.setPlainText(rendered.text)
        notes = []
        if rendered.missing:
            notes.append(_t("Нет значения — спросим перед вставкой: {names}.").format(
                names=", ".join(p.label for p in rendered.missing)))
        if rendered.unknown:
            notes.append(_t("Неизвестные подстановки останутся в тексте: {names}.").format(
                names=", ".join("{" + n + "}" for n in rendered.unknown)))
        self.missing.setText(" ".join(notes))

    def go(self, step: int) -> None:
        rows = self.model.rowCount()
        if rows:
            row = min(max(self.list.currentIndex().row() + step, 0), rows - 1)
            self.list.setCurrentIndex(self.model.index(row))

    def pick(self) -> None:
        template_id = self.current_id()
        if template_id:
            self.picked.emit(template_id, self.current_purpose().value)
            self.accept()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.pick()
                return True
            if watched is self.search and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.go(-1 if key == Qt.Key.Key_Up else 1)
                return True
        return super().eventFilter(watched, event)
