"""«Авторазбор»: the organisation's auto-rules in order, their conflicts, and what each took over the last month.

Changes go straight to the platform through ``AdminOps`` (the worker thread; online only, each
audited locally and in the platform's history); offline the page reads the cached rules and says
why it cannot change them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.admin.rule_dialog import RuleDialog
from desktop.admin.rules_models import ID_ROLE, PreviewModel, RulesModel, categories_text, names_of
from desktop.admin.table import OFFLINE_STYLE, plain_label, rows_view
from desktop.widgets import action_button, select_or_first
from offline_cache.admin_rules import AdminApi, PreviewRow, cached_rules, domain_rules, month_preview, rule_context
from offline_cache.client import PlatformClient
from offline_cache.contract.admin_rules import AutoRuleIn, AutoRuleOut, rule_to_domain
from offline_cache.domain.auto_rules import RuleContext, Severity, conflicts
from offline_cache.store.cache import Cache


def _t(text: str) -> str:
    return QCoreApplication.translate("AutoRules", text)


def offline_text(reason: str, shown: str = "", why: str = "") -> str:
    """The read-only banner: no connection, what is shown from the cache, and why changes must wait."""
    cause = reason.strip().rstrip(".") or _t("Нет связи с платформой")
    if not cause.casefold().startswith(_t("нет связи").casefold()):
        cause = _t("Нет связи с платформой: {r}").format(r=cause)
    return _t("{r}. {s} из кэша, только для просмотра: {w}. Изменить их можно, когда связь восстановится.").format(
        r=cause, s=shown or _t("Правила показаны"),
        w=why or _t("они меняются сразу на платформе, чтобы новые сообщения разбирались по ним без задержки"))


def describe(rule: AutoRuleOut | AutoRuleIn, ctx: RuleContext) -> str:
    where = _t(", адрес содержит «{m}»").format(m=rule.municipality) if rule.municipality else ""
    return f"«{rule.name}»: {categories_text(rule.category_codes, ctx)}{where}"


class AutoRulesPage(QWidget):
    """The rules table with order, edit and delete; below it, the selected rule's month preview."""

    def __init__(self, reader: Cache, ops: Any, org_id: str, zone: ZoneInfo, clock: Callable[[], datetime],
                 say: Callable[[str, bool], None], parent: QWidget | None = None, *, own_banner: bool = True) -> None:
        super().__init__(parent)
        self._own_banner = own_banner  # inside «Администрирование» the window's banner says it once for all tabs
        self.setObjectName("adminRulesPage")
        self._reader, self._ops, self._org_id, self._clock, self._say = reader, ops, org_id, clock, say
        self.dialog: RuleDialog | None = None
        self.confirm: QMessageBox | None = None
        self._busy = False
        layout = QVBoxLayout(self)
        self.banner = plain_label("rulesOffline", OFFLINE_STYLE)
        layout.addWidget(self.banner)
        intro = QLabel(_t("Новое сообщение забирает первое подходящее правило сверху; остальные — координатору."))
        intro.setStyleSheet("color: palette(mid);")
        layout.addWidget(intro)
        split = QSplitter(Qt.Orientation.Vertical)
        self.model = RulesModel(self)
        self.table = rows_view("rulesTable", self.model, word_wrap=False)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.open_edit())
        above = QWidget()
        above_layout = QVBoxLayout(above)
        above_layout.setContentsMargins(0, 0, 0, 0)
        above_layout.addWidget(self.table, 1)
        self.problems = plain_label("rulesProblems")  # the selected rule's conflicts in full (the column is cut short)
        above_layout.addWidget(self.problems)
        split.addWidget(above)
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        self.preview_title = QLabel()
        self.preview_title.setObjectName("rulesPreviewTitle")
        self.preview_title.setTextFormat(Qt.TextFormat.PlainText)
        below_layout.addWidget(self.preview_title)
        self.preview = PreviewModel(zone, self)
        self.preview_table = rows_view("rulesPreview", self.preview, word_wrap=False)
        self.preview_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        below_layout.addWidget(self.preview_table)
        split.addWidget(below)
        layout.addWidget(split, 1)
        row = QHBoxLayout()
        self.new_button = action_button(row, "ruleNew", _t("Новое…"), "Ctrl+N", self.open_new)
        self.edit_button = action_button(row, "ruleEdit", _t("Изменить…"), "Ctrl+E", self.open_edit)
        self.delete_button = action_button(row, "ruleDelete", _t("Удалить…"), "Ctrl+Del", self.ask_delete)
        self.up_button = action_button(row, "ruleUp", _t("Выше"), "Ctrl+Up", lambda: self.move_rule(-1))
        self.down_button = action_button(row, "ruleDown", _t("Ниже"), "Ctrl+Down", lambda: self.move_rule(1))
        row.addStretch(1)
        layout.addLayout(row)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._selected())
        ops.onlineChanged.connect(lambda _on, _why: self._enable())
        self.show_cached()

    # --- showing ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Ask the platform for the rules (online); the cached ones stay shown until they arrive or if it fails."""
        self._ops.call(lambda client: AdminApi(client).rules(), lambda rules: self.show_rules(rules),
                       lambda _why: self.show_cached())

    def show_cached(self, select: str | None = None) -> None:
        """The rules as last synced (offline, and until the platform answers)."""
        self.show_rules(cached_rules(self._reader), select)

    def show_rules(self, rules: list[AutoRuleOut], select: str | None = None) -> None:
        """``rules`` in order, with the conflicts among them."""
        chosen = select or self.current_id()
        self.ctx = rule_context(self._reader, self._clock())
        self.model.set_rules(rules, conflicts(domain_rules(rules), self.ctx), self.ctx)
        select_or_first(self.table, self.model.row_of(chosen) if chosen else -1)
        self._selected()

    def current_id(self) -> str:
        index = self.table.currentIndex()
        return str(index.data(ID_ROLE)) if index.isValid() else ""

    def current(self) -> AutoRuleOut | None:
        row = self.table.currentIndex().row()
        return self.model.row_at(row)

    def _selected(self) -> None:
        rule = self.current()
        rules = self.model.rules
        problems = self.model.problems.get(rule.id, []) if rule is not None else []
        self.problems.setText("\n".join(_t("Правило №{n}: {m}").format(n=rule.position + 1, m=p.message)
                                         for p in problems) if rule is not None else "")
        self.problems.setStyleSheet("color: #c62828;" if any(p.severity is Severity.ERROR for p in problems)
                                    else "color: #a15c00; font-weight: 600;")
        self.problems.setVisible(bool(problems))
        if rule is None:
            self.preview.set_rows([], None, {})
            self.preview_title.setText(_t("Правил пока нет: все новые сообщения разбирает координатор."))
        else:
            rows = month_preview(self._reader, domain_rules(rules), self._clock())
            mine = [r for r in rows if r.caught_by == rule.id]
            before = {r.id for r in rules[:rule.position]}
            # The rule's own catch first; then what rules above take of its categories (greyed).
            shown = mine + [r for r in rows if r.caught_by in before and rule_to_catch(rule, r, self.ctx)]
            self.preview.set_rows(shown, rule.id, names_of(rules))
            self.preview_title.setText(_t("Правило №{n} за последние 30 дней забрало бы сообщений: {k} "
                                          "(по кэшу; серым — подходящие, которые раньше забирают правила выше)")
                                       .format(n=rule.position + 1, k=len(mine)))
        self._enable()

    def _enable(self) -> None:
        online = bool(self._ops.online) and not self._busy
        self.banner.setVisible(self._own_banner and not self._ops.online)
        self.banner.setText("" if self._ops.online else offline_text(str(self._ops.reason)))
        rule = self.current()
        self.new_button.setEnabled(online)
        for button in (self.edit_button, self.delete_button):
            button.setEnabled(online and rule is not None)
        self.up_button.setEnabled(online and rule is not None and rule.position > 0)
        self.down_button.setEnabled(online and rule is not None and rule.position < len(self.model.rules) - 1)

    # --- changing (on the worker, through the platform) -------------------------------------

    def _run(self, work: Callable[[PlatformClient], Any], action: str, summary: Callable[[Any], tuple[str, str]],
             done: Callable[[Any], str]) -> None:
        self._busy = True
        self._enable()

        def finished(result: Any) -> None:
            self._busy = False
            self._say(done(result), False)

        def failed(reason: str) -> None:
            self._busy = False
            self._enable()
            self._say(_t("Не сохранено: {r}").format(r=reason), True)

        self._ops.call(work, finished, failed, audit=lambda result: (action, *summary(result)), refresh=True)

    def open_new(self) -> None:
        self._open(None)

    def open_edit(self) -> None:
        rule = self.current()
        if rule is not None:
            self._open(rule)

    def _open(self, rule: AutoRuleOut | None) -> None:
        if not self._ops.online or self._busy:
            return
        self.dialog = RuleDialog(self._reader, self.ctx, self.model.rules, rule, self._clock, self)
        self.dialog.accepted.connect(lambda: self._save(rule))
        self.dialog.open()

    def _save(self, rule: AutoRuleOut | None) -> None:
        assert self.dialog is not None
        raw = self.dialog.request()
        try:
            req = AutoRuleIn.model_validate(raw.model_dump())
        except ValueError:
            self._say(_t("Правило не сохранено: заполните название и выберите категории."), True)
            return
        ctx = self.ctx
        if rule is None:
            self._run(lambda client: AdminApi(client).create_rule(req), "auto_rule_created",
                      lambda r: (r.id, _t("Создано правило {d}").format(d=describe(r, ctx))),
                      lambda r: self._after(r.id, _t("Правило «{n}» сохранено: новые сообщения разбираются по нему.")
                                            .format(n=r.name)))
        else:
            rule_id, edited = rule.id, req.model_copy(update={"base_version": rule.version})
            self._run(lambda client: AdminApi(client).update_rule(rule_id, edited), "auto_rule_updated",
                      lambda r: (r.id, _t("Изменено правило {d}").format(d=describe(r, ctx))),
                      lambda r: self._after(r.id, _t("Правило «{n}» сохранено (версия {v}).")
                                            .format(n=r.name, v=r.version)))

    def _after(self, select: str | None, message: str) -> str:
        self.show_cached(select)
        return message

    def ask_delete(self) -> None:
        rule = self.current()
        if rule is None or not self._ops.online or self._busy:
            return
        self.confirm = QMessageBox(QMessageBox.Icon.Question, _t("Удалить правило"),
                                   _t("Удалить правило «{n}»? Уже разобранные сообщения останутся там, куда их "
                                      "отправило правило; новые пойдут координатору или следующим правилам.")
                                   .format(n=rule.name),
                                   QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        self.confirm.setTextFormat(Qt.TextFormat.PlainText)
        self.confirm.button(QMessageBox.StandardButton.Yes).setText(_t("Удалить"))
        self.confirm.button(QMessageBox.StandardButton.No).setText(_t("Отмена"))
        rule_id, name = rule.id, rule.name
        self.confirm.finished.connect(lambda answer: self._delete(rule_id, name) if answer ==
                                      QMessageBox.StandardButton.Yes else None)
        self.confirm.open()

    def _delete(self, rule_id: str, name: str) -> None:
        self._run(lambda client: AdminApi(client).delete_rule(rule_id), "auto_rule_deleted",
                  lambda _r: (rule_id, _t("Удалено правило «{n}»").format(n=name)),
                  lambda _r: self._after(None, _t("Правило «{n}» удалено.").format(n=name)))

    def move_rule(self, step: int) -> None:
        """Move the selected rule up (-1) or down (+1): the order decides which rule takes a message."""
        rule = self.current()
        if rule is None or not self._ops.online or self._busy:
            return
        ids = [r.id for r in self.model.rules]
        at = ids.index(rule.id)
        to = at + step
        if not 0 <= to < len(ids):
            return
        ids[at], ids[to] = ids[to], ids[at]
        rule_id, name = rule.id, rule.name
        self._run(lambda client: AdminApi(client).reorder(ids), "auto_rules_reordered",
                  lambda _r: (rule_id, _t("Правило «{n}» перемещено на место №{p}").format(n=name, p=to + 1)),
                  lambda _r: self._after(rule_id, _t("Правило «{n}» теперь №{p}.").format(n=name, p=to + 1)))


def rule_to_catch(rule: AutoRuleOut, row: PreviewRow, ctx: RuleContext) -> bool:
    """Whether a preview row is of the rule's categories and place, whoever takes it."""
    return rule_to_domain(rule.model_copy(update={"enabled": True})).matches(row.category_code, row.address,
                                                                            ctx.categories)
