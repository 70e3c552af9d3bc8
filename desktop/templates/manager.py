"""The template manager: platform templates (read-only, with version) and personal ones; create, edit,
duplicate, retire; export and import a file; for heads, how often each was used and returned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.dialogs.reject import cached_grounds
from desktop.templates.models import ID_ROLE, TemplateTableModel
from desktop.widgets import action_button, select_or_first
from offline_cache.placeholders import PLACEHOLDERS
from offline_cache.store.cache import Cache
from offline_cache.template_files import export_templates, import_templates
from offline_cache.template_stats import template_stats
from offline_cache.templates import Purpose, Template, TemplateLibrary

UNCHANGED = "библиотека не изменена"


def _t(text: str) -> str:
    return QCoreApplication.translate("TemplateManager", text)


class TemplateManagerDialog(QDialog):
    """Lists and edits templates; every change goes through the worker, errors are shown in Russian."""

    def __init__(self, reader: Cache, worker: Any, org_id: str, *, with_stats: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templateManager")
        self.setWindowTitle(_t("Шаблоны ответов"))
        self.resize(1200, 640)
        self._reader, self._worker, self._org_id = reader, worker, org_id
        self._pending: dict[str, tuple[Callable[[Any], str], Callable[[str], str]]] = {}
        self._editing: str | None = None  # the personal template in the form; None: a new one
        layout = QVBoxLayout(self)
        split = QHBoxLayout()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.model = TemplateTableModel(with_stats)
        self.table = QTableView()
        self.table.setObjectName("templateTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the title gets what is left
        left_layout.addWidget(self.table, 1)
        self.show_retired = QCheckBox(_t("Показывать шаблоны в архиве"))
        self.show_retired.setObjectName("showRetired")
        left_layout.addWidget(self.show_retired)
        if with_stats:
            hint = QLabel(_t("Использован — ответов, построенных на шаблоне; возвращён — из них возвращено на "
                             "доработку (по кэшу и истории сообщений)."))
            hint.setWordWrap(True)
            hint.setStyleSheet("color: palette(mid);")
            left_layout.addWidget(hint)
        split.addWidget(left, 1)
        form = self._build_form()
        form.setFixedWidth(460)  # the table, with its titles and counts, takes the rest
        split.addWidget(form)
        layout.addLayout(split, 1)
        row = QHBoxLayout()
        self.new_button = action_button(row, "templateNew", _t("Новый"), "Ctrl+N", self.new)
        self.save_button = action_button(row, "templateSave", _t("Сохранить"), "Ctrl+S", self.save)
        self.copy_button = action_button(row, "templateCopy", _t("Копия"), "Ctrl+D", self.duplicate)
        self.retire_button = action_button(row, "templateRetire", _t("В архив"), "Ctrl+Del", self.retire_or_restore)
        row.addStretch(1)
        self.export_button = action_button(row, "templateExport", _t("Экспорт в файл…"), "Ctrl+E",
                                           self._choose_export)
        self.import_button = action_button(row, "templateImport", _t("Импорт из файла…"), "Ctrl+O",
                                           self._choose_import)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setObjectName("managerStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # a file's name or a title comes from outside
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        worker.bridge.writeFinished.connect(self._finished)
        self.finished.connect(lambda _r: worker.bridge.writeFinished.disconnect(self._finished))
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._show(current.row()))
        self.show_retired.toggled.connect(lambda _on: self.reload())
        self.reload()
        if with_stats:
            self._run(lambda cache: template_stats(cache, org_id), self._stats_arrived)

    def _build_form(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        self.readonly_note = QLabel()
        self.readonly_note.setObjectName("templateReadOnly")
        self.readonly_note.setWordWrap(True)
        self.readonly_note.setStyleSheet("color: #1a3a6b;")
        form.addRow(self.readonly_note)
        self.title = QLineEdit()
        self.title.setObjectName("templateTitle")
        form.addRow(_t("Название:"), self.title)
        self.purpose = QComboBox()
        self.purpose.setObjectName("templatePurposeEdit")
        for purpose in Purpose:
            self.purpose.addItem(purpose.label, purpose.value)
        form.addRow(_t("Назначение:"), self.purpose)
        self.categories = QLineEdit()
        self.categories.setObjectName("templateCategories")
        self.categories.setPlaceholderText(_t("коды категорий через запятую; пусто — для любой"))
        form.addRow(_t("Категории:"), self.categories)
        self.ground = QComboBox()
        self.ground.setObjectName("templateGround")
        self.ground.addItem(_t("— (не отклонение)"), None)
        for ground in cached_grounds(self._reader):
            self.ground.addItem(f"{ground.number}. {ground.title}", ground.code)
        form.addRow(_t("Основание:"), self.ground)
        self.text = QPlainTextEdit()
        self.text.setObjectName("templateText")
        self.text.setTabChangesFocus(True)
        form.addRow(_t("Текст:"), self.text)
        names = QLabel(_t("Подстановки: ") + ", ".join("{" + p.name + "}" for p in PLACEHOLDERS)
                       + _t(". Запасной текст: {заявитель|Уважаемый заявитель}."))
        names.setTextFormat(Qt.TextFormat.PlainText)
        names.setWordWrap(True)
        names.setStyleSheet("color: palette(mid);")
        form.addRow(names)
        return box

    # --- showing ----------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        chosen = select or self.current_id()
        templates = TemplateLibrary(self._reader).templates(include_retired=self.show_retired.isChecked())
        self.model.set_templates(templates)
        self._show(select_or_first(self.table, self.model.row_of(chosen) if chosen else -1))

    def current_id(self) -> str:
        index = self.table.currentIndex()
        return str(index.data(ID_ROLE)) if index.isValid() else ""

    def current(self) -> Template | None:
        row = self.table.currentIndex().row()
        return self.model.templates[row] if 0 <= row < len(self.model.templates) else None

    def _show(self, row: int) -> None:
        template = self.model.templates[row] if 0 <= row < len(self.model.templates) else None
        self._editing = template.id if template is not None and template.editable else None
        editable = template is None or template.editable
        self.title.setText(template.title if template else "")
        self.purpose.setCurrentIndex(self.purpose.findData(template.purpose.value if template else "answer"))
        self.categories.setText(", ".join(template.category_codes) if template else "")
        self.ground.setCurrentIndex(max(0, self.ground.findData(template.ground_code if template else None)))
        self.text.setPlainText(template.text if template else "")
        for widget in (self.title, self.categories, self.text):
            widget.setReadOnly(not editable)
        for combo in (self.purpose, self.ground):
            combo.setEnabled(editable)
        self.readonly_note.setText("" if editable else _t(
            "Шаблон платформы, версия {v}: только для чтения. «Копия» создаст личный шаблон для правки."
        ).format(v=template.version if template else 0))
        self.readonly_note.setVisible(not editable)
        self.save_button.setEnabled(editable)
        self.copy_button.setEnabled(template is not None)
        self.retire_button.setEnabled(template is not None and template.editable)
        self.retire_button.setText(_t("Вернуть из архива") if template is not None and template.retired
                                   else _t("В архив"))

    # --- changing (on the worker) -----------------------------------------------------------

    def _run(self, work: Callable[[Cache], object], done: Callable[[Any], str],
             failure: Callable[[str], str] = lambda error: error) -> None:
        self._pending[self._worker.run_write(work)] = (done, failure)

    def _finished(self, request: str, result: object, error: str) -> None:
        known = self._pending.pop(request, None)
        if known is None:
            return
        done, failure = known
        if error:
            self.say(failure(error), problem=True)
        else:
            message = done(result)
            if message:
                self.say(message)

    def say(self, text: str, *, problem: bool = False) -> None:
        self.status.setStyleSheet("color: #c62828; font-weight: 600;" if problem else "color: #2e7d32;")
        self.status.setText(text)

    def new(self) -> None:
        self.table.clearSelection()
        self.table.setCurrentIndex(self.model.index(-1, -1))
        self._show(-1)
        self.title.setFocus()

    def _fields(self) -> tuple[str, str, str, list[str], str | None]:
        codes = [c.strip() for c in self.categories.text().replace(";", ",").split(",") if c.strip()]
        return (self.title.text(), self.text.toPlainText(), str(self.purpose.currentData()), codes,
                self.ground.currentData())

    def save(self) -> None:
        title, text, purpose, codes, ground = self._fields()
        editing = self._editing
        if editing is None:
            self._run(lambda cache: TemplateLibrary(cache).create(title, text, purpose, codes, ground),
                      self._saved)
        else:
            self._run(lambda cache: TemplateLibrary(cache).edit(editing, title=title, text=text, purpose=purpose,
                                                                categories=codes, ground_code=ground),
                      self._saved)

    def _saved(self, template: object) -> str:
        assert isinstance(template, Template)
        self.reload(template.id)
        return _t("Шаблон «{t}» сохранён (версия {v}).").format(t=template.title, v=template.version)

    def duplicate(self) -> None:
        source = self.current()
        if source is not None:
            self._run(lambda cache: TemplateLibrary(cache).duplicate(source.id), self._saved)

    def retire_or_restore(self) -> None:
        template = self.current()
        if template is None or not template.editable:
            return
        template_id, retired = template.id, template.retired

        def change(cache: Cache) -> None:
            library = TemplateLibrary(cache)
            (library.restore if retired else library.retire)(template_id)

        def done(_result: object) -> str:
            self.reload(template_id)
            return (_t("Шаблон «{t}» снова предлагается.") if retired
                    else _t("Шаблон «{t}» в архиве: больше не предлагается, его история сохранена.")).format(
                t=template.title)

        self._run(change, done)

    # --- files ------------------------------------------------------------------------------

    def _choose_export(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, _t("Экспорт личных шаблонов"), "шаблоны.posdesk-templates.json",
                                               _t("Шаблоны POS Desk (*.json)"))
        if path:
            self.export_to(Path(path))

    def _choose_import(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _t("Импорт шаблонов"), "", _t("Шаблоны POS Desk (*.json)"))
        if path:
            self.import_from(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the personal templates in use to ``path`` (on the worker)."""
        self._run(lambda cache: export_templates(TemplateLibrary(cache), path),
                  lambda n: _t("Выгружено личных шаблонов: {n}, файл {p}.").format(n=n, p=path.name),
                  lambda error: _t("Экспорт не выполнен: {e}").format(e=error))

    def import_from(self, path: Path) -> None:
        """Add a file's templates, all or none; a refused file leaves the library as it was, and says why."""
        self._run(lambda cache: import_templates(TemplateLibrary(cache), path), self._imported, _import_failed)

    def _imported(self, report: Any) -> str:
        added = [t.id for t in report.added]
        self.reload(added[0] if added else None)
        return str(report.message)

    def _stats_arrived(self, stats: Any) -> str:
        self.model.set_stats(list(stats))
        return ""


def _import_failed(error: str) -> str:
    """The file's problem, and that nothing was added (said once, whether or not the reason says it)."""
    text = _t("Импорт не выполнен. {e}").format(e=error)
    if UNCHANGED not in error.lower():
        text += _t(" Библиотека шаблонов не изменена.")
    return text
