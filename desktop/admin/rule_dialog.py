"""The dialog that writes one auto-rule: condition, target and, before saving, its conflicts and month's catch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.admin.table import plain_label
from desktop.dialogs.common import ok_cancel
from offline_cache.admin_rules import month_preview
from offline_cache.contract.admin_rules import AutoRuleIn, AutoRuleOut, rule_to_domain
from offline_cache.domain.auto_rules import NAME_MAX, Conflict, RuleContext, Severity, conflicts
from offline_cache.domain.model import Role
from offline_cache.store.cache import Cache

EDITED = "__edited__"  # the id the rule being written has among the others while it is not saved


def _t(text: str) -> str:
    return QCoreApplication.translate("AutoRules", text)


class RuleDialog(QDialog):
    """Write a rule; the conflicts it has with the others (and what it would have caught) update as you type."""

    def __init__(self, reader: Cache, ctx: RuleContext, rules: Sequence[AutoRuleOut], rule: AutoRuleOut | None,
                 clock: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ruleDialog")
        self.setWindowTitle(_t("Правило авторазбора") if rule is None else _t("Правило «{n}»").format(n=rule.name))
        self.resize(720, 640)
        self._reader, self._ctx, self._clock = reader, ctx, clock
        self._rules, self._rule = list(rules), rule
        self.found: list[Conflict] = []
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(rule.name if rule else "")
        self.name.setObjectName("ruleName")
        self.name.setMaxLength(NAME_MAX)
        form.addRow(_t("&Название:"), self.name)
        self.categories = QListWidget()
        self.categories.setObjectName("ruleCategories")
        chosen = set(rule.category_codes) if rule else set()
        for code in self._category_order():
            parent_code = ctx.categories.get(code)
            label = ("    " if parent_code else "") + ctx.category_names.get(code, code)
            entry = QListWidgetItem(label)
            entry.setData(Qt.ItemDataRole.UserRole, code)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Checked if code in chosen else Qt.CheckState.Unchecked)
            self.categories.addItem(entry)
        hint = QLabel(_t("Категория забирает и свои подкатегории."))
        hint.setStyleSheet("color: palette(mid);")
        box = QVBoxLayout()
        box.addWidget(self.categories)
        box.addWidget(hint)
        caption = QLabel(_t("&Категории:"))
        caption.setBuddy(self.categories)  # Alt+К reaches the list though the row holds a layout
        form.addRow(caption, box)
        self.municipality = QLineEdit(rule.municipality or "" if rule else "")
        self.municipality.setObjectName("ruleMunicipality")
        self.municipality.setPlaceholderText(_t("пусто — любой адрес; например «с. Ольховка»"))
        form.addRow(_t("&Адрес содержит:"), self.municipality)
        self.to_org = QRadioButton(_t("в &организацию"))
        self.to_org.setObjectName("ruleToOrg")
        self.to_executor = QRadioButton(_t("&исполнителю"))
        self.to_executor.setObjectName("ruleToExecutor")
        group = QButtonGroup(self)
        group.addButton(self.to_org)
        group.addButton(self.to_executor)
        self.org = QComboBox()
        self.org.setObjectName("ruleOrg")
        for org_id, name in ctx.subordinates.items():
            self.org.addItem(name, org_id)
        self.executor = QComboBox()
        self.executor.setObjectName("ruleExecutor")
        for member in sorted(ctx.staff.values(), key=lambda m: m.full_name):
            # Only who can take a message: active staff of the organisation with an executor's role.
            if member.org_id == ctx.org_id and member.active and member.roles & {Role.EXECUTOR, Role.COORDINATOR}:
                self.executor.addItem(member.full_name + (_t(" (отсутствует)") if member.absent else ""), member.id)
        if rule is not None and rule.target_executor_id and self.executor.findData(rule.target_executor_id) < 0:
            self.executor.addItem(_t("{id} (недоступен)").format(id=rule.target_executor_id), rule.target_executor_id)
        targets = QHBoxLayout()
        for widget in (self.to_org, self.org, self.to_executor, self.executor):
            targets.addWidget(widget)
        form.addRow(_t("Направлять:"), targets)
        self.enabled = QCheckBox(_t("Правило &включено"))
        self.enabled.setObjectName("ruleEnabled")
        self.enabled.setChecked(rule.enabled if rule else True)
        form.addRow(self.enabled)
        layout.addLayout(form)
        self.problems = plain_label("ruleProblems")  # names come from the directory
        layout.addWidget(self.problems)
        self.catch = plain_label("ruleCatch")
        layout.addWidget(self.catch)
        buttons, self.ok = ok_cancel(_t("Сохранить"), self.accept, self.reject)
        layout.addWidget(buttons)
        if rule is not None and rule.target_org_id:
            self.to_org.setChecked(True)
            self.org.setCurrentIndex(max(0, self.org.findData(rule.target_org_id)))
        elif rule is not None:
            self.to_executor.setChecked(True)
            self.executor.setCurrentIndex(max(0, self.executor.findData(rule.target_executor_id)))
        else:
            (self.to_org if self.org.count() else self.to_executor).setChecked(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)  # typing a name must not re-read the month at every key
        self._timer.timeout.connect(self.check)
        self.finished.connect(lambda _result: self._timer.stop())  # no re-reading the cache after closing
        for signal in (self.name.textChanged, self.municipality.textChanged):
            signal.connect(lambda _text: self._timer.start())
        for toggled in (self.to_org.toggled, self.to_executor.toggled, self.enabled.toggled):
            toggled.connect(lambda _on: self.check())
        self.org.currentIndexChanged.connect(lambda _i: self.check())
        self.executor.currentIndexChanged.connect(lambda _i: self.check())
        self.categories.itemChanged.connect(lambda _item: self.check())
        self.check()

    def _category_order(self) -> list[str]:
        """Each category followed by its subcategories, by name."""
        names, parents = self._ctx.category_names, self._ctx.categories
        tops = sorted((c for c, p in parents.items() if not p or p not in parents), key=lambda c: names.get(c, c))
        ordered: list[str] = []
        for top in tops:
            ordered.append(top)
            ordered += sorted((c for c, p in parents.items() if p == top), key=lambda c: names.get(c, c))
        return ordered + [c for c in parents if c not in ordered]

    def request(self) -> AutoRuleIn:
        """The rule as written (the platform checks it again)."""
        codes = [str(self.categories.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.categories.count())
                 if self.categories.item(i).checkState() == Qt.CheckState.Checked]
        to_org = self.to_org.isChecked()
        return AutoRuleIn.model_construct(
            name=self.name.text().strip(), category_codes=codes, municipality=self.municipality.text().strip() or None,
            target_org_id=self.org.currentData() if to_org else None,
            target_executor_id=None if to_org else self.executor.currentData(), enabled=self.enabled.isChecked(),
            position=None, base_version=None)

    def _placed(self) -> tuple[list[AutoRuleOut], AutoRuleOut]:
        req = self.request()
        now = self._clock()
        fields = {k: v for k, v in dict(req).items() if k not in ("position", "base_version")}
        edited = AutoRuleOut.model_construct(id=self._rule.id if self._rule else EDITED, position=0, updated_at=now,
                                             version=1, updated_by=None, **fields)
        rules = [edited if self._rule is not None and r.id == self._rule.id else r for r in self._rules]
        if self._rule is None:
            rules.append(edited)
        return [r.model_copy(update={"position": i}) for i, r in enumerate(rules)], edited

    def check(self) -> None:
        """Conflicts involving this rule and what it would have caught over the cached month, before saving."""
        self.org.setEnabled(self.to_org.isChecked())
        self.executor.setEnabled(self.to_executor.isChecked())
        rules, edited = self._placed()
        domain = [rule_to_domain(r) for r in rules]
        self.found = [c for c in conflicts(domain, self._ctx) if edited.id in (c.rule_id, c.other_id)]
        errors = [c for c in self.found if c.severity is Severity.ERROR]
        lines = []
        for c in self.found:
            mark = _t("Ошибка") if c.severity is Severity.ERROR else _t("Внимание")
            whose = "" if c.rule_id == edited.id else _t(" (правило «{n}» ниже)").format(
                n=next(r.name for r in rules if r.id == c.rule_id))
            lines.append(f"{mark}{whose}: {c.message}")
        self.problems.setText("\n".join(lines) or _t("Конфликтов с другими правилами нет."))
        self.problems.setStyleSheet("color: #c62828;" if errors else "color: #a15c00;" if lines else "color: #2e7d32;")
        self.ok.setEnabled(not errors)
        self.ok.setText(_t("Сохранить, несмотря на замечания") if lines and not errors else _t("Сохранить"))
        rows = month_preview(self._reader, domain, self._clock()) if edited.category_codes else []
        mine = sum(1 for r in rows if r.caught_by == edited.id)
        earlier = sum(1 for r in rows if r.caught_by not in (None, edited.id)
                      and any(x.id == r.caught_by for x in rules[:edited_index(rules, edited.id)]))
        self.catch.setText(_t("За последние 30 дней правило забрало бы сообщений: {n}; ещё {e} подходящих раньше "
                              "забирают правила выше.").format(n=mine, e=earlier))


def edited_index(rules: Sequence[AutoRuleOut], rule_id: str) -> int:
    return next(i for i, r in enumerate(rules) if r.id == rule_id)
