"""The queue panel: search box, filters and the table, all narrowing in SQL."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.labels import status_name
from desktop.queue.model import COLUMNS, ItemIdRole, QueueModel
from offline_cache.domain.model import Status
from offline_cache.queues import Filters, Narrowing, QueueId, Urgent
from offline_cache.store.cache import Cache


def _t(text: str) -> str:
    return QCoreApplication.translate("QueuePanel", text)


class QueuePanel(QWidget):
    """Search, filters and the queue table.

    Signals:
        currentItemChanged(str): the selected item's id ("" when none).
        searchAllRequested(): the official asked to search every queue, not only the current one.
        contextMenuRequested(QPoint): a row was right-clicked (and selected); global position for the menu.
    """

    currentItemChanged = Signal(str)
    searchAllRequested = Signal()
    contextMenuRequested = Signal(QPoint)

    def __init__(self, model: QueueModel, reader: Cache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(_t("Поиск: текст, адрес, заявитель, номер…"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        # A search covers the current queue only; say so, and offer every queue with its count.
        self.scope = QLabel()
        self.scope.setObjectName("searchScope")
        self.scope.setTextFormat(Qt.TextFormat.PlainText)
        self.search_all = QPushButton()
        self.search_all.setObjectName("searchAll")
        self.search_all.setFlat(True)
        self.search_all.setCursor(Qt.CursorShape.PointingHandCursor)
        self.search_all.setStyleSheet("color: palette(link); text-decoration: underline; text-align: left;")
        self.search_all.clicked.connect(self.searchAllRequested)
        scope_row = QHBoxLayout()
        scope_row.addWidget(self.scope)
        scope_row.addWidget(self.search_all)
        scope_row.addStretch(1)
        layout.addLayout(scope_row)
        self.scope.hide()
        self.search_all.hide()
        # A narrowing from elsewhere (a count of the control board): said, and removable.
        self._narrowing: Narrowing | None = None
        self.narrowing_label = QLabel()
        self.narrowing_label.setObjectName("narrowing")
        self.narrowing_label.setTextFormat(Qt.TextFormat.PlainText)
        self.narrowing_label.setStyleSheet("background: #e8f0fe; color: #1a3a6b; padding: 3px; font-weight: 600;")
        self.clear_narrowing = QPushButton(_t("Снять отбор"))
        self.clear_narrowing.setObjectName("clearNarrowing")
        self.clear_narrowing.setToolTip(_t("Показать очередь без отбора панели контроля"))
        self.clear_narrowing.clicked.connect(lambda: self.set_narrowing(None))
        narrowing_row = QHBoxLayout()
        narrowing_row.addWidget(self.narrowing_label, 1)
        narrowing_row.addWidget(self.clear_narrowing)
        layout.addLayout(narrowing_row)
        self.narrowing_label.hide()
        self.clear_narrowing.hide()
        self.status = self._combo("statusFilter", _t("Все статусы"), [(s.value, status_name(s)) for s in Status])
        self._reader = reader
        self.category = self._combo("categoryFilter", _t("Все категории"), [])
        self.organisation = self._combo("organisationFilter", _t("Все организации"), [])
        self.reload_choices()
        self.urgency = self._combo("urgencyFilter", _t("Любая срочность"), [
            (Urgent.OVERDUE.value, _t("Просрочено")), (Urgent.CRITICAL.value, _t("Критично (до суток)")),
            (Urgent.SOON.value, _t("Скоро (до 3 дней)")), (Urgent.OK.value, _t("В срок"))])
        for combo in (self.status, self.category, self.organisation, self.urgency):
            bar.addWidget(combo, 1)
        layout.addLayout(bar)
        self.table = QTableView()
        self.table.setObjectName("queueTable")
        self.table.setModel(model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COLUMNS.index("deadline"), Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column, width in zip(COLUMNS, (96, 150, 128, 150, 120, 200, 130, 96, 28), strict=True):
            header.resizeSection(COLUMNS.index(column), width)
        layout.addWidget(self.table)
        # Typing waits for a pause before querying, so each keystroke does not hit the database.
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self.apply_filters)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.installEventFilter(self)  # the Menu key opens the menu of the current row
        model.modelReset.connect(self._after_reset)

    def _combo(self, name: str, everything: str, entries: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItem(everything, "")
        for value, text in entries:
            combo.addItem(text, value)
        combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        return combo

    def reload_choices(self) -> None:
        """Refill the category and organisation filters from the cached directory (after a sync)."""
        db = self._reader.db
        for combo, rows in (
            (self.category, db.execute("SELECT code, name FROM categories ORDER BY name").fetchall()),
            (self.organisation, db.execute(
                "SELECT id, json_extract(record, '$.name') FROM organisations ORDER BY 2").fetchall()),
        ):
            current = combo.currentData()
            if combo.count() - 1 == len(rows):
                continue
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value, text in rows:
                combo.addItem(str(text), str(value))
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    def filters(self) -> Filters:
        def one(combo: QComboBox) -> tuple[str, ...]:
            value = combo.currentData()
            return (value,) if value else ()

        urgency = tuple(Urgent(v) for v in one(self.urgency))
        return Filters(statuses=one(self.status), categories=one(self.category),
                       organisations=one(self.organisation), urgency=urgency, text=self.search.text(),
                       narrowing=self._narrowing)

    @property
    def narrowing(self) -> Narrowing | None:
        return self._narrowing

    def set_narrowing(self, narrowing: Narrowing | None, *, apply: bool = True) -> None:
        """Narrow the queue to a control board's count (None: remove it); the other filters are reset."""
        self._narrowing = narrowing
        if narrowing is not None:
            for combo in (self.status, self.category, self.organisation, self.urgency):
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
        self.narrowing_label.setText(_t("Отбор панели контроля: {what}").format(what=narrowing.label)
                                     if narrowing is not None else "")
        self.narrowing_label.setVisible(narrowing is not None)
        self.clear_narrowing.setVisible(narrowing is not None)
        if apply:
            self.apply_filters()

    def apply_filters(self) -> None:
        self._debounce.stop()
        self.model.set_filters(self.filters())

    def _row_changed(self, current: object, _previous: object) -> None:
        index = self.table.currentIndex()
        self.currentItemChanged.emit(index.data(ItemIdRole) or "" if index.isValid() else "")

    def _after_reset(self) -> None:
        if self.model.rowCount() == 0:
            self.currentItemChanged.emit("")
        self._show_scope()

    def _show_scope(self) -> None:
        searching = bool(self.model.filters.text.strip())
        elsewhere = searching and self.model.queue is not QueueId.ALL
        self.scope.setVisible(elsewhere)
        self.search_all.setVisible(elsewhere)
        if not elsewhere:
            return
        found = self.model.count_in(QueueId.ALL)
        self.scope.setText(_t("Найдено в этой очереди: {n}.").format(n=self.model.total))
        self.search_all.setText(_t("Искать во всех очередях ({n})").format(n=found))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and isinstance(event, QContextMenuEvent) \
                and event.reason() is QContextMenuEvent.Reason.Keyboard:
            index = self.table.currentIndex()
            if index.isValid():
                self._context_menu(self.table.visualRect(index).center())
            return True
        return super().eventFilter(watched, event)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.selectRow(index.row())  # the menu acts on the row under the pointer, shown in the card
        self.contextMenuRequested.emit(self.table.viewport().mapToGlobal(pos))

    def select_item(self, item_id: str) -> None:
        row = self.model.row_of(item_id)
        if row >= 0:
            self.table.selectRow(row)
