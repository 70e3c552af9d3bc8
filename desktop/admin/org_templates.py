"""«Шаблоны организации»: the templates the platform serves to the organisation's staff; create, edit, retire.

The platform raises a template's version whenever its wording changes, so the staff's
workstations see it changed since they used it. Online only, through ``AdminOps``; offline the
page shows the cached templates read-only and says why.

A save of an existing template names the version loaded into the form (``base_version``): when
another administrator changed the template since, the platform refuses it (409) and the page says so,
reloads the list and keeps the administrator's wording in the form to apply again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.admin.rules import offline_text
from desktop.admin.rules_models import ID_ROLE
from desktop.admin.table import OFFLINE_STYLE, Index, RowsTableModel, plain_label, rows_view
from desktop.dialogs.reject import cached_grounds
from desktop.widgets import action_button, select_or_first
from offline_cache.admin_rules import AdminApi, cached_templates
from offline_cache.client import PlatformClient
from offline_cache.contract.admin_rules import OrgTemplateIn, OrgTemplateOut
from offline_cache.errors import ConflictError
from offline_cache.store.cache import Cache
from offline_cache.templates import PURPOSE_LABELS, Purpose


def _t(text: str) -> str:
    return QCoreApplication.translate("OrgTemplates", text)


class FormState(NamedTuple):
    """What the form holds, to put back after the list is reloaded (a refused save keeps the wording)."""

    title: str
    purpose: Any
    category: Any
    ground: Any
    text: str


def _state_of(template: OrgTemplateOut) -> FormState:
    return FormState(template.title, template.purpose, template.category_code, template.ground_code, template.text)


class OrgTemplatesModel(RowsTableModel[OrgTemplateOut]):
    """The organisation's templates, retired ones last and greyed."""

    HEADERS = ("Название", "Назначение", "Категория", "Версия", "Состояние", "Изменён")
    CONTEXT = "OrgTemplates"

    def __init__(self, zone: ZoneInfo, parent: Any = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.category_names: dict[str, str] = {}

    def set_templates(self, templates: Sequence[OrgTemplateOut], category_names: dict[str, str]) -> None:
        self.beginResetModel()
        self.rows = sorted(templates, key=lambda t: (t.retired, t.title.casefold(), t.id))
        self.category_names = category_names
        self.endResetModel()

    @property
    def templates(self) -> list[OrgTemplateOut]:
        return self.rows

    def header_text(self, section: int, title: str) -> str:
        return f"{title} ({self.zone.key})" if section == 5 else title

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        template, column = self.rows[index.row()], index.column()
        if role == ID_ROLE:
            return template.id
        if role == Qt.ItemDataRole.DisplayRole:
            changed = template.updated_at.astimezone(self.zone).strftime("%d.%m.%Y %H:%M") \
                if template.updated_at else ""
            values = (template.title, PURPOSE_LABELS[Purpose(template.purpose)],
                      self.category_names.get(template.category_code or "", template.category_code or _t("любая")),
                      str(template.version), _t("в архиве") if template.retired else _t("в работе"), changed)
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.ForegroundRole and template.retired:
            return QColor("#777777")
        return None

    def row_of(self, template_id: str) -> int:
        return next((i for i, t in enumerate(self.rows) if t.id == template_id), -1)


class OrgTemplatesPage(QWidget):
    """The table on the left, the selected (or new) template's form on the right."""

    def __init__(self, reader: Cache, ops: Any, org_id: str, zone: ZoneInfo, clock: Callable[[], datetime],
                 say: Callable[[str, bool], None], parent: QWidget | None = None, *, own_banner: bool = True) -> None:
        super().__init__(parent)
        self._own_banner = own_banner  # inside «Администрирование» the window's banner says it once for all tabs
        self.setObjectName("adminTemplatesPage")
        self._reader, self._ops, self._say = reader, ops, say
        self._busy = False
        self._editing: str | None = None
        self._base: int | None = None  # the version of ``_editing`` loaded into the form: the save's base
        self._kept: str | None = None  # the template whose newer version the form does not show (after a 409)
        layout = QVBoxLayout(self)
        self.banner = plain_label("templatesOffline", OFFLINE_STYLE)
        layout.addWidget(self.banner)
        split = QHBoxLayout()
        left = QVBoxLayout()
        self.model = OrgTemplatesModel(zone, self)
        self.table = rows_view("orgTemplatesTable", self.model, stretch=0)
        left.addWidget(self.table, 1)
        self.show_retired = QCheckBox(_t("Показывать шаблоны в а&рхиве"))
        self.show_retired.setObjectName("orgShowRetired")
        self.show_retired.setChecked(True)
        left.addWidget(self.show_retired)
        split.addLayout(left, 1)
        form_box = QWidget()
        form_box.setFixedWidth(460)
        form = QFormLayout(form_box)
        self.title = QLineEdit()
        self.title.setObjectName("orgTemplateTitle")
        self.title.setMaxLength(200)
        form.addRow(_t("&Название:"), self.title)
        self.purpose = QComboBox()
        self.purpose.setObjectName("orgTemplatePurpose")
        for purpose in Purpose:
            self.purpose.addItem(purpose.label, purpose.value)
        form.addRow(_t("Н&азначение:"), self.purpose)
        self.category = QComboBox()
        self.category.setObjectName("orgTemplateCategory")
        self.category.addItem(_t("— любая"), None)
        categories = reader.db.execute("SELECT code, name FROM categories ORDER BY name, code").fetchall()
        for code, name in categories:
            self.category.addItem(str(name), str(code))
        form.addRow(_t("&Категория:"), self.category)
        self.ground = QComboBox()
        self.ground.setObjectName("orgTemplateGround")
        self.ground.addItem(_t("— (не отклонение)"), None)
        for ground in cached_grounds(reader):
            self.ground.addItem(f"{ground.number}. {ground.title}", ground.code)
        form.addRow(_t("&Основание:"), self.ground)
        self.text = QPlainTextEdit()
        self.text.setObjectName("orgTemplateText")
        self.text.setTabChangesFocus(True)
        form.addRow(_t("&Текст:"), self.text)
        note = QLabel(_t("Сотрудники получат шаблон при следующей синхронизации; изменение текста повышает версию."))
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")
        form.addRow(note)
        split.addWidget(form_box)
        layout.addLayout(split, 1)
        row = QHBoxLayout()
        self.new_button = action_button(row, "orgTemplateNew", _t("Новый"), "Ctrl+N", self.new)
        self.save_button = action_button(row, "orgTemplateSave", _t("Сохранить"), "Ctrl+S", self.save)
        self.retire_button = action_button(row, "orgTemplateRetire", _t("В архив"), "Ctrl+Del", self.retire_or_restore)
        row.addStretch(1)
        layout.addLayout(row)
        self._names = {str(c): str(n) for c, n in categories}
        self.table.selectionModel().currentRowChanged.connect(lambda current, _p: self._show(current.row()))
        self.table.clicked.connect(self._clicked)
        self._all: list[OrgTemplateOut] = []
        self.show_retired.toggled.connect(lambda _on: self.show_templates(self._all))
        ops.onlineChanged.connect(lambda _on, _why: self._enable())
        self.show_cached()

    # --- showing ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Ask the platform for the organisation's templates (online); the cached ones stay shown meanwhile."""
        self._ops.call(lambda client: AdminApi(client).templates(), lambda found: self.show_templates(found),
                       lambda _why: self.show_cached())

    def show_cached(self, select: str | None = None) -> None:
        """The templates as last synced (offline, and until the platform answers)."""
        self.show_templates(cached_templates(self._reader), select)

    def show_templates(self, found: list[OrgTemplateOut], select: str | None = None) -> None:
        # A list that arrives while the administrator is writing (the platform's, a moment after the cached
        # one) must not take the wording back: unsaved edits stay, on the version they were begun on.
        edited = self._unsaved() if select is None else None
        editing, base, kept = self._editing, self._base, self._kept
        self._all = found
        chosen = select or self.current_id()
        templates = [t for t in found if self.show_retired.isChecked() or not t.retired]
        self.model.set_templates(templates, self._names)
        self._show(select_or_first(self.table, self.model.row_of(chosen) if chosen else -1))
        if edited is None:
            return
        if editing is None:
            self.new()  # a new template being written stays one
        elif self._editing != editing:
            return  # the template is gone from the list: what it held is shown
        self._fill(edited)
        self._base, self._kept = base, kept
        self._enable()

    def _unsaved(self) -> FormState | None:
        """The form if it holds something not saved: edits of the shown template, or a new one begun."""
        state = self.form_state()
        shown = next((t for t in self._all if t.id == self._editing), None) if self._editing else None
        if shown is None:
            return state if state.title.strip() or state.text.strip() else None
        return None if state == _state_of(shown) else state

    def current_id(self) -> str:
        index = self.table.currentIndex()
        return str(index.data(ID_ROLE)) if index.isValid() else ""

    def current(self) -> OrgTemplateOut | None:
        row = self.table.currentIndex().row()
        return self.model.row_at(row)

    def _show(self, row: int) -> None:
        template = self.model.row_at(row)
        self._editing = template.id if template is not None else None
        self._base = template.version if template is not None else None
        self._kept = None
        self._fill(_state_of(template) if template else FormState("", "answer", None, None, ""))
        self._enable()

    def _clicked(self, index: QModelIndex) -> None:
        # After a refused save the form keeps the administrator's wording; a click on the template opens
        # the stored (other administrator's) version. Otherwise a click on the current row changes nothing.
        if self._kept is not None and index.isValid() and index.data(ID_ROLE) == self._kept:
            self._show(index.row())

    def form_state(self) -> FormState:
        return FormState(self.title.text(), self.purpose.currentData(), self.category.currentData(),
                         self.ground.currentData(), self.text.toPlainText())

    def _fill(self, state: FormState) -> None:
        self.title.setText(state.title)
        self.purpose.setCurrentIndex(max(0, self.purpose.findData(state.purpose)))
        self.category.setCurrentIndex(max(0, self.category.findData(state.category)))
        self.ground.setCurrentIndex(max(0, self.ground.findData(state.ground)))
        self.text.setPlainText(state.text)

    def _enable(self) -> None:
        online = bool(self._ops.online) and not self._busy
        self.banner.setVisible(self._own_banner and not self._ops.online)
        self.banner.setText("" if self._ops.online else offline_text(
            str(self._ops.reason), _t("Шаблоны показаны"),
            _t("шаблоны меняются сразу на платформе, которая выдаёт их сотрудникам")))
        for widget in (self.title, self.text):
            widget.setReadOnly(not online)
        for combo in (self.purpose, self.category, self.ground):
            combo.setEnabled(online)
        template = self.current()
        self.new_button.setEnabled(online)
        self.save_button.setEnabled(online)
        self.retire_button.setEnabled(online and template is not None and template.id == self._editing)
        self.retire_button.setText(_t("Вернуть из архива") if template is not None and template.retired
                                   else _t("В архив"))

    # --- changing ---------------------------------------------------------------------------

    def new(self) -> None:
        self.table.clearSelection()
        self.table.setCurrentIndex(self.model.index(-1, -1))
        self._show(-1)
        self.title.setFocus()

    def request(self) -> OrgTemplateIn | str:
        """The form as a request, or why it cannot be one (in Russian)."""
        title, text = self.title.text().strip(), self.text.toPlainText().strip()
        purpose, ground = str(self.purpose.currentData()), self.ground.currentData()
        if not title or not text:
            return _t("Нужны название и текст шаблона.")
        if purpose == Purpose.REJECTION and ground is None:
            return _t("Для шаблона отклонения выберите основание.")
        return OrgTemplateIn.model_validate({"title": title, "text": text, "purpose": purpose,
                                             "category_code": self.category.currentData(), "ground_code": ground})

    def _run(self, work: Callable[[PlatformClient], OrgTemplateOut], action: str, summary: str,
             done: Callable[[OrgTemplateOut], str], conflict: Callable[[str], None] | None = None) -> None:
        """``work`` on the worker; ``conflict(reason)`` instead of the plain failure when the platform said 409."""
        self._busy = True
        self._enable()
        refused: list[bool] = []  # appended on the worker before the result is posted to the UI thread

        def guarded(client: PlatformClient) -> OrgTemplateOut:
            try:
                return work(client)
            except ConflictError:
                refused.append(True)
                raise

        def finished(result: OrgTemplateOut) -> None:
            self._busy = False
            self.show_cached(result.id)
            self._say(done(result), False)

        def failed(reason: str) -> None:
            self._busy = False
            if refused and conflict is not None:
                conflict(reason)
                return
            self._enable()
            self._say(_t("Не сохранено: {r}").format(r=reason), True)

        self._ops.call(guarded, finished, failed, audit=lambda result: (action, result.id, summary), refresh=True)

    def _conflicted(self, template_id: str, reason: str) -> None:
        """Another administrator changed the template since it was loaded: say so, reload the list from the
        platform and keep the administrator's wording in the form, so that «Сохранить» applies it again."""
        kept, why = self.form_state(), reason.rstrip(".")
        self._say(_t("Не сохранено: {r}. Ваш вариант оставлен в форме; список шаблонов обновляется…").format(r=why),
                  True)
        self._busy = True  # the form stays read-only until the list is back, so nothing typed meanwhile is lost
        self._enable()

        def arrived(found: list[OrgTemplateOut]) -> None:
            self._busy = False
            if not self.show_retired.isChecked() and any(t.id == template_id and t.retired for t in found):
                self.show_retired.setChecked(True)  # retired meanwhile: shown, so the wording stays its edit
            self.show_templates(found, template_id)
            if self._editing != template_id:
                self.new()  # gone from the list: the kept wording can still be saved as a new template
            self._fill(kept)
            self._kept = self._editing
            stored = next((t for t in found if t.id == template_id), None)
            if stored is not None:
                self._say(_t("Не сохранено: {r}. Ваш вариант оставлен в форме: «Сохранить» заменит им версию {v}, "
                             "щелчок по шаблону в списке откроет её.").format(r=why, v=stored.version), True)
            else:
                self._say(_t("Не сохранено: {r}. Шаблона больше нет в списке; ваш вариант оставлен в форме и "
                             "сохранится как новый шаблон.").format(r=why), True)

        def unreachable(_why: str) -> None:
            self._busy = False
            self._enable()

        self._ops.call(lambda client: AdminApi(client).templates(), arrived, unreachable)

    def save(self) -> None:
        if not self._ops.online or self._busy:
            return
        req = self.request()
        if isinstance(req, str):
            self._say(req, True)
            return
        editing = self._editing
        if editing is None:
            self._run(lambda client: AdminApi(client).create_template(req), "template_created",
                      _t("Создан шаблон «{t}»").format(t=req.title),
                      lambda t: _t("Шаблон «{t}» создан (версия {v}); сотрудники получат его при синхронизации.")
                      .format(t=t.title, v=t.version))
        else:
            edited = req.model_copy(update={"base_version": self._base})  # the version loaded into the form
            self._run(lambda client: AdminApi(client).update_template(editing, edited), "template_updated",
                      _t("Изменён шаблон «{t}»").format(t=req.title),
                      lambda t: _t("Шаблон «{t}» сохранён (версия {v}).").format(t=t.title, v=t.version),
                      conflict=lambda reason: self._conflicted(editing, reason))

    def retire_or_restore(self) -> None:
        template = self.current()
        if template is None or not self._ops.online or self._busy:
            return
        template_id, retire = template.id, not template.retired
        self._run(lambda client: AdminApi(client).set_retired(template_id, retire),
                  "template_retired" if retire else "template_restored",
                  (_t("В архив: шаблон «{t}»") if retire else _t("Из архива: шаблон «{t}»")).format(t=template.title),
                  lambda t: (_t("Шаблон «{t}» в архиве: сотрудникам больше не предлагается.") if retire
                             else _t("Шаблон «{t}» снова предлагается сотрудникам.")).format(t=t.title))
