"""«Категории»: categories and subcategories with their answer terms; create, edit the term, retire."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.admin.online import AdminOps
from desktop.admin.table import PROBLEM_STYLE, RowsTableModel, confirm, plain_label, rows_view
from desktop.dialogs.common import ok_cancel
from desktop.widgets import action_button
from offline_cache.admin import CachedCategory, cached_categories
from offline_cache.contract.admin import CategoryChangeRequest, NewCategoryRequest
from offline_cache.contract.models import CategoryOut
from offline_cache.domain.administration import FIXED_TERM_DAYS, TERM_KIND_NAMES, term_problem
from offline_cache.domain.deadlines import TermKind
from offline_cache.store.cache import Cache

HEADERS = ("Категория", "Код", "Срок ответа", "Состояние")
#: Said wherever a term is edited: existing items keep their due dates.
APPLIES_LATER = "Изменение применится к сообщениям, зарегистрированным после сохранения; у поступивших раньше " \
                "сроки не меняются."
CODE_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


def _t(text: str) -> str:
    return QCoreApplication.translate("AdminCategories", text)


def term_text(kind: TermKind, days: int) -> str:
    name = TERM_KIND_NAMES[kind].split(" (")[0]
    return _t("{d} дн. — {name}").format(d=days, name=name.lower())


def _ordered(categories: list[CachedCategory]) -> list[CachedCategory]:
    """Each top-level category followed by its subcategories, by name."""
    tops = sorted((c for c in categories if c.parent_code is None), key=lambda c: (c.name, c.code))
    result: list[CachedCategory] = []
    for top in tops:
        result.append(top)
        result += sorted((c for c in categories if c.parent_code == top.code), key=lambda c: (c.name, c.code))
    known = {c.code for c in result}
    return result + [c for c in categories if c.code not in known]  # an orphan still shows


class CategoryTableModel(RowsTableModel[CachedCategory]):
    """Categories with subcategories indented under them; retired ones greyed."""

    HEADERS = HEADERS
    CONTEXT = "AdminCategories"

    def set_rows(self, rows: list[CachedCategory]) -> None:
        self.beginResetModel()
        self.rows = _ordered(rows)
        self.endResetModel()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        c = self.rows[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return c.code
        if role == Qt.ItemDataRole.ForegroundRole and c.retired:
            return QColor("#8a8a8a")
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            column = index.column()
            if column == 0:
                return f"    └ {c.name}" if c.parent_code else c.name
            if column == 1:
                return c.code
            if column == 2:
                return term_text(c.term_kind, c.term_days)
            return _t("Выведена из употребления") if c.retired else _t("Действует")
        return None

    def row_of(self, code: str) -> int:
        return next((n for n, c in enumerate(self.rows) if c.code == code), -1)


class CategoryDialog(QDialog):
    """A new category/subcategory or a category's new name and term, checked with the domain's Term rule."""

    def __init__(self, category: CachedCategory | None, parent_category: CachedCategory | None,
                 taken: set[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.category, self.parent_category, self._taken = category, parent_category, taken
        editing = category is not None
        what = _t("Подкатегория") if (parent_category or (category and category.parent_code)) else _t("Категория")
        self.setWindowTitle(_t("{what}: {name}").format(what=what, name=category.name) if category
                            else _t("Новая {what}").format(what=what.lower()))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        if parent_category is not None:
            form.addRow(_t("Входит в:"), QLabel(parent_category.name))
        self.code = QLineEdit(category.code if category else "")
        self.code.setObjectName("categoryCode")
        self.code.setReadOnly(editing)
        self.code.setPlaceholderText(_t("латиницей, например roads.pits"))
        self.name = QLineEdit(category.name if category else "")
        self.name.setObjectName("categoryName")
        self.kind = QComboBox()
        self.kind.setObjectName("categoryTermKind")
        for kind in TermKind:
            self.kind.addItem(TERM_KIND_NAMES[kind], kind.value)
        self.days = QSpinBox()
        self.days.setObjectName("categoryTermDays")
        self.days.setRange(1, 30)
        self.days.setSuffix(_t(" дн."))
        form.addRow(_t("Код:"), self.code)
        form.addRow(_t("Название:"), self.name)
        form.addRow(_t("Срок ответа:"), self.kind)
        form.addRow(_t("Дней:"), self.days)
        layout.addLayout(form)
        note = QLabel(_t(APPLIES_LATER))
        note.setObjectName("categoryAppliesLater")
        note.setWordWrap(True)
        note.setStyleSheet("color: #1a3a6b;")
        layout.addWidget(note)
        self.problem = plain_label("categoryProblem", PROBLEM_STYLE)
        layout.addWidget(self.problem)
        buttons, self.ok = ok_cancel(_t("Сохранить"), self.accept, self.reject)
        layout.addWidget(buttons)
        start = category or parent_category
        self.kind.setCurrentIndex(self.kind.findData((start.term_kind if start else TermKind.STANDARD).value))
        self.days.setValue(start.term_days if start else 30)
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.days.valueChanged.connect(lambda _v: self._check())
        self.code.textChanged.connect(lambda _v: self._check())
        self.name.textChanged.connect(lambda _v: self._check())
        self._kind_changed()

    def open(self) -> None:
        """Show, with the cursor where typing starts: after a subcategory's prefilled «parent.» (not selecting it)."""
        super().open()
        field = self.name if self.category is not None else self.code
        field.setFocus()
        field.end(False)

    def term_kind(self) -> TermKind:
        return TermKind(self.kind.currentData())

    def _kind_changed(self) -> None:
        kind = self.term_kind()
        fixed = FIXED_TERM_DAYS.get(kind)
        if fixed is not None:
            self.days.setValue(fixed)  # the fixed kinds have their days by regulation
        self.days.setEnabled(fixed is None)
        self._check()

    def problem_text(self) -> str:
        code = self.code.text().strip()
        if not self.category and not re.match(CODE_PATTERN, code):
            return _t("Код — строчные латинские буквы, цифры и . _ -")
        if not self.category and code in self._taken:
            return _t("Код «{c}» уже занят").format(c=code)
        if not self.name.text().strip():
            return _t("Укажите название")
        return term_problem(self.term_kind(), self.days.value()) or ""

    def _check(self) -> None:
        problem = self.problem_text()
        self.problem.setText(problem)
        self.ok.setEnabled(not problem)


class CategoriesPage(QWidget):
    """The categories table and its actions; editing only while the platform is reachable."""

    def __init__(self, reader: Cache, ops: AdminOps, say: Callable[[str, bool], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adminCategoriesPage")
        self._reader, self._ops, self._say = reader, ops, say
        self.dialog: CategoryDialog | None = None
        self.confirm: QMessageBox | None = None
        layout = QVBoxLayout(self)
        self.model = CategoryTableModel(self)
        self.table = rows_view("adminCategoryTable", self.model, stretch=0)
        self.table.activated.connect(lambda _i: self.open_edit())  # Enter or a double click
        layout.addWidget(self.table, 1)
        note = QLabel(_t(APPLIES_LATER) + " " + _t("Сроки: стандартный — 30 дн., ускоренный — 10, фаст-трек 1 "
                                                     "уровня — 8, 2 уровня — 10, иной фаст-трек — менее 30."))
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")
        layout.addWidget(note)
        row = QHBoxLayout()
        self.new_button = action_button(row, "categoryNew", _t("Новая категория…"), "Ctrl+N",
                                        lambda: self.open_new(False))
        self.sub_button = action_button(row, "categoryNewSub", _t("Подкатегория…"), "Ctrl+Shift+N",
                                  lambda: self.open_new(True))
        self.edit_button = action_button(row, "categoryEdit", _t("Изменить срок…"), "Ctrl+E", self.open_edit)
        self.retire_button = action_button(row, "categoryRetire", _t("Вывести из употребления…"), "Ctrl+Del",
                                     self.ask_retire)
        row.addStretch(1)
        layout.addLayout(row)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._enable())
        ops.onlineChanged.connect(lambda _on, _why: self._enable())
        self.show_cached()

    def show_cached(self) -> None:
        self._show(cached_categories(self._reader))

    def reload(self) -> None:
        """The categories from the platform (with which are retired, unknown to the cache)."""
        self._ops.call(lambda client: client.categories(), self._arrived, lambda _why: self.show_cached())

    def _arrived(self, result: list[CategoryOut]) -> None:
        self._show([CachedCategory(c.code, c.name, c.parent_code, c.term_kind, c.term_days, c.retired)
                    for c in result])

    def _show(self, rows: list[CachedCategory]) -> None:
        current = self.current()
        chosen = current.code if current is not None else ""
        self.model.set_rows(rows)
        self.table.selectRow(max(self.model.row_of(chosen), 0))
        self._enable()

    def current(self) -> CachedCategory | None:
        row = self.table.currentIndex().row()
        return self.model.row_at(row)

    def _enable(self) -> None:
        online, current = self._ops.online, self.current()
        live = current is not None and not current.retired
        self.new_button.setEnabled(online)
        self.sub_button.setEnabled(online and live and current is not None and current.parent_code is None)
        self.edit_button.setEnabled(online and live)
        self.retire_button.setEnabled(online and live)

    # --- changing ---------------------------------------------------------------------------

    def open_new(self, sub: bool) -> None:
        button = self.sub_button if sub else self.new_button
        if not button.isEnabled():
            return
        parent = self.current() if sub else None
        dialog = CategoryDialog(None, parent, {c.code for c in self.model.rows}, self)
        if parent is not None and not dialog.code.text():
            dialog.code.setText(f"{parent.code}.")
        dialog.accepted.connect(lambda: self._create(dialog))
        self.dialog = dialog
        dialog.open()

    def _create(self, dialog: CategoryDialog) -> None:
        parent = dialog.parent_category
        req = NewCategoryRequest(code=dialog.code.text().strip(), name=dialog.name.text().strip(),
                                 parent_code=parent.code if parent else None, term_kind=dialog.term_kind(),
                                 term_days=dialog.days.value())
        self._say(_t("Сохраняем категорию…"), False)
        self._ops.call(lambda client: client.add_category(req), self._saved, self._failed,
                       audit=lambda c: ("category_added", c.code, f"Добавлена категория «{c.name}», срок "
                                        f"{c.term_days} дн. ({c.term_kind.value})"), refresh=True)

    def open_edit(self) -> None:
        current = self.current()
        if current is None or not self.edit_button.isEnabled():
            return
        parent = next((c for c in self.model.rows if c.code == current.parent_code), None)
        dialog = CategoryDialog(current, parent, set(), self)
        dialog.accepted.connect(lambda: self._change(current, dialog))
        self.dialog = dialog
        dialog.open()

    def _change(self, before: CachedCategory, dialog: CategoryDialog) -> None:
        req = CategoryChangeRequest(name=dialog.name.text().strip(), term_kind=dialog.term_kind(),
                                    term_days=dialog.days.value())
        self._say(_t("Сохраняем категорию…"), False)
        self._ops.call(lambda client: client.change_category(before.code, req), self._saved, self._failed,
                       audit=lambda c: ("category_changed", c.code, f"Категория «{c.name}»: срок {before.term_days} "
                                        f"дн. ({before.term_kind.value}) → {c.term_days} дн. ({c.term_kind.value})"),
                       refresh=True)

    def _saved(self, category: CategoryOut) -> None:
        self._say(_t("Категория «{name}» сохранена: {term}. ").format(
            name=category.name, term=term_text(category.term_kind, category.term_days)) + _t(APPLIES_LATER), False)
        self.reload()

    def ask_retire(self) -> None:
        current = self.current()
        if current is None or not self.retire_button.isEnabled():
            return
        subs = [c for c in self.model.rows if c.parent_code == current.code and not c.retired]
        text = _t("Вывести из употребления «{name}»? Новые сообщения в неё больше не поступят; поступившие раньше "
                  "сохранят категорию и сроки.").format(name=current.name)
        if subs:
            text += " " + _t("Вместе с ней — подкатегории: {n}.").format(n=len(subs))
        self.confirm = confirm(self, "retireConfirm", _t("Вывод категории из употребления"), text, _t("Вывести"),
                               lambda: self._retire(current))

    def _retire(self, category: CachedCategory) -> None:
        self._ops.call(lambda client: client.retire_category(category.code), self._retired, self._failed,
                       audit=lambda c: ("category_retired", c.code, f"Выведена из употребления категория «{c.name}»"),
                       refresh=True)

    def _retired(self, category: CategoryOut) -> None:
        self._say(_t("Категория «{name}» выведена из употребления.").format(name=category.name), False)
        self.reload()

    def _failed(self, reason: str) -> None:
        self._say(reason, True)
