"""Qt models of templates: the suggestions offered for an item, and the manager's table (with heads' counts)."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from offline_cache.template_stats import TemplateStats
from offline_cache.templates import Origin, Suggestion, Template

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole


def _t(text: str) -> str:
    return QCoreApplication.translate("Templates", text)


def origin_text(template: Template) -> str:
    """«Платформа, в. 2» or «Личный» (archived ones say so)."""
    if template.origin is Origin.PLATFORM:
        return _t("Платформа, в. {v}").format(v=template.version)
    return _t("Личный (в архиве)") if template.retired else _t("Личный")


class SuggestionModel(QAbstractListModel):
    """Suggested templates, best first; the row says where it comes from and how often it was used."""

    def __init__(self) -> None:
        super().__init__()
        self.suggestions: list[Suggestion] = []

    def set_suggestions(self, suggestions: list[Suggestion]) -> None:
        self.beginResetModel()
        self.suggestions = list(suggestions)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.suggestions)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.suggestions):
            return None
        s = self.suggestions[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            extra = [origin_text(s.template)]
            if s.category_match:
                extra.append(_t("по категории"))
            if s.uses:
                extra.append(_t("вы использовали: {n}").format(n=s.uses))
            return f"{s.template.title}  ·  {', '.join(extra)}"
        if role == ID_ROLE:
            return s.template.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return s.template.text
        return None


class TemplateTableModel(QAbstractTableModel):
    """The manager's table: title, purpose, origin and version; for heads, answers built on it and returned."""

    def __init__(self, with_stats: bool) -> None:
        super().__init__()
        self.templates: list[Template] = []
        self.stats: dict[str, TemplateStats] = {}
        self.with_stats = with_stats
        self.headers = [_t("Название"), _t("Назначение"), _t("Источник")]
        if with_stats:
            self.headers += [_t("Использован"), _t("Возвращён")]

    def set_templates(self, templates: list[Template]) -> None:
        self.beginResetModel()
        self.templates = list(templates)
        self.endResetModel()

    def set_stats(self, stats: list[TemplateStats]) -> None:
        self.stats = {s.template.id: s for s in stats}
        if self.templates and self.with_stats:
            self.dataChanged.emit(self.index(0, 3), self.index(len(self.templates) - 1, 4))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.templates)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.headers):
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.templates):
            return None
        t = self.templates[index.row()]
        if role == ID_ROLE:
            return t.id
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == 0:
            return t.title
        if column == 1:
            return t.purpose.label
        if column == 2:
            return origin_text(t)
        stats = self.stats.get(t.id)
        if stats is None:
            return "…"
        if column == 3:
            return str(stats.used)
        share = f" ({stats.return_share:.0%})" if stats.return_share is not None else ""
        return f"{stats.returned}{share}"

    def row_of(self, template_id: str) -> int:
        return next((n for n, t in enumerate(self.templates) if t.id == template_id), -1)
