"""Table models of «Авторазбор» (the ordered rules with their conflicts, one rule's month preview) and helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor

from desktop.admin.table import Index, RowsTableModel
from offline_cache.admin_rules import PreviewRow
from offline_cache.contract.admin_rules import AutoRuleOut
from offline_cache.domain.auto_rules import Conflict, RuleContext, Severity

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _t(text: str) -> str:
    return QCoreApplication.translate("AutoRules", text)


def target_text(rule: AutoRuleOut, ctx: RuleContext) -> str:
    """Where a rule sends messages, by name."""
    if rule.target_org_id:
        return _t("в организацию: {n}").format(n=ctx.subordinates.get(rule.target_org_id, rule.target_org_id))
    member = ctx.staff.get(rule.target_executor_id or "")
    return _t("исполнителю: {n}").format(n=member.full_name if member else rule.target_executor_id)


def categories_text(codes: Sequence[str], ctx: RuleContext) -> str:
    return ", ".join(ctx.category_names.get(c, c) for c in codes)


class RulesModel(RowsTableModel[AutoRuleOut]):
    """The organisation's rules in the order they are tried, each with what is wrong with it."""

    HEADERS = ("№", "Правило", "Категории", "Адрес содержит", "Куда", "Замечания")
    CONTEXT = "AutoRules"

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.problems: dict[str, list[Conflict]] = {}
        self.ctx: RuleContext | None = None

    def set_rules(self, rules: Sequence[AutoRuleOut], problems: Sequence[Conflict], ctx: RuleContext) -> None:
        self.beginResetModel()
        self.rows, self.ctx = list(rules), ctx
        self.problems = {}
        for problem in problems:
            self.problems.setdefault(problem.rule_id, []).append(problem)
        self.endResetModel()

    @property
    def rules(self) -> list[AutoRuleOut]:
        return self.rows

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or self.ctx is None:
            return None
        rule, column = self.rows[index.row()], index.column()
        problems = self.problems.get(rule.id, [])
        if role == ID_ROLE:
            return rule.id
        if role == Qt.ItemDataRole.DisplayRole:
            values = (str(rule.position + 1), rule.name + ("" if rule.enabled else _t(" (выключено)")),
                      categories_text(rule.category_codes, self.ctx), rule.municipality or _t("любой"),
                      target_text(rule, self.ctx), "; ".join(p.message for p in problems))
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 5 and problems:
                worst = Severity.ERROR if any(p.severity is Severity.ERROR for p in problems) else Severity.WARNING
                return QColor("#c62828" if worst is Severity.ERROR else "#a15c00")
            if not rule.enabled:
                return QColor("#777777")
        if role == Qt.ItemDataRole.ToolTipRole and column == 5 and problems:
            return "\n".join(p.message for p in problems)
        return None

    def row_of(self, rule_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == rule_id), -1)


class PreviewModel(RowsTableModel[PreviewRow]):
    """Messages of the last month a rule would have taken, or that an earlier rule takes first."""

    HEADERS = ("Номер", "Зарегистрировано", "Категория", "Адрес", "Заберёт")
    CONTEXT = "AutoRules"

    def __init__(self, zone: ZoneInfo, parent: Any = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.names: Mapping[str, str] = {}
        self.rule_id: str | None = None

    def set_rows(self, rows: Sequence[PreviewRow], rule_id: str | None, names: Mapping[str, str]) -> None:
        self.beginResetModel()
        self.rows, self.rule_id, self.names = list(rows), rule_id, dict(names)
        self.endResetModel()

    def header_text(self, section: int, title: str) -> str:
        return f"{title} ({_zone_label(self.zone)})" if section == 1 else title

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role == ID_ROLE:
            return row.item_id
        if role == Qt.ItemDataRole.DisplayRole:
            when = datetime.fromisoformat(row.registered_at).astimezone(self.zone).strftime("%d.%m.%Y %H:%M")
            taker = (_t("это правило") if row.caught_by == self.rule_id else
                     self.names.get(row.caught_by or "", _t("координатор")))
            values = (row.number, when, row.category_name, row.address, taker)
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.ForegroundRole and row.caught_by != self.rule_id:
            return QColor("#777777")  # taken by a rule above: shown, but not this rule's
        return None

    def caught(self) -> int:
        return sum(1 for r in self.rows if r.caught_by == self.rule_id)


def _zone_label(zone: ZoneInfo) -> str:
    return _t("время {z}").format(z=zone.key)


def names_of(rules: Sequence[AutoRuleOut]) -> dict[str, str]:
    """Rule id → «правило №N» for the preview's last column."""
    return {r.id: _t("правило №{n} «{name}»").format(n=r.position + 1, name=r.name) for r in rules}


Clock = Callable[[], datetime]
