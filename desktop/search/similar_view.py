"""«Похожие сообщения» in the card: the same address and close text, with status and answer, read in the background.

The lookup (``offline_cache.similar``) reads the search index and many records, so it runs on a read
thread beside the worker (``SyncWorker.run_read``): neither the card nor the official's next action
waits for it. Only the latest request is read and shown, so a quick walk down the queue shows the item in view.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGroupBox, QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from desktop.labels import status_name
from desktop.worker import SyncWorker
from offline_cache.similar import Similar, SimilarItem, similar_items
from offline_cache.store.cache import Cache

SIMILAR_SHORTCUT = "Ctrl+Shift+F"  # the window's action that moves into the list
ANSWER_CHARS = 160  # of an answer, on one line: the whole answer is in the item's own card
LIMIT = 20  # items per list


def _t(text: str) -> str:
    return QCoreApplication.translate("SimilarMessages", text)


#: The formulas an answer opens with («Уважаемый Алексей Борисович! По вашему сообщению № … сообщаем»):
#: on one line they would hide the substance.
_SALUTATION = re.compile(r"^\s*(Уважаем\w*[^!.\n]{0,80}!\s*)?"
                         r"(По вашему (сообщению|обращению)[^.:\n]{0,60}сообщаем[,:.]?\s*)?")


def _line(text: str | None) -> str:
    if not text:
        return "—"
    flat = " ".join(_SALUTATION.sub("", text).split()) or " ".join(text.split())
    return flat if len(flat) <= ANSWER_CHARS else flat[:ANSWER_CHARS - 1] + "…"


class _Tree(QTreeWidget):
    """Enter opens the current row (item views leave Return to the platform's «activate» setting)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        current = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and current is not None:
            self.itemActivated.emit(current, 0)
            return
        super().keyPressEvent(event)


class SimilarMessages(QGroupBox):
    """Two groups of rows: «По тому же адресу» and «С похожим текстом»; Enter or a double click opens one.

    Signals:
        openRequested(str): the official asked to open an item of the list (its id).
        found(str): the lists of an item were filled (its id), for tests and the status bar.
    """

    openRequested = Signal(str)
    found = Signal(str)

    #: The answer next to the status: what the official compares first (a consistent answer, a repeat).
    COLUMNS = ("Номер", "Статус", "Ответ", "Адрес", "Зарегистрировано")

    def __init__(self, worker: SyncWorker | None, local: Callable[[datetime | None], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(_t("Похожие сообщения ({key})").format(key=SIMILAR_SHORTCUT), parent)
        self.setObjectName("similarMessages")
        self._worker, self._local = worker, local
        self._request = ""  # the run_read request whose answer is awaited
        self._item_id = ""  # the item whose lists are shown or awaited
        self._stale, self._syncing = False, False
        self._later = QTimer(self, singleShot=True, interval=1000)
        self._later.timeout.connect(self._refresh_if_stale)
        self.tree = _Tree()
        self.tree.setObjectName("similarList")
        self.tree.setColumnCount(len(self.COLUMNS))
        self.tree.setHeaderLabels([_t(c) for c in self.COLUMNS])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setMinimumHeight(140)
        self.tree.setMaximumHeight(220)
        header = self.tree.header()
        header.setStretchLastSection(True)
        for column, width in enumerate((110, 130, 260, 200)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.itemActivated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        if worker is not None:
            worker.bridge.readFinished.connect(self._finished)
            worker.bridge.itemsChanged.connect(self._items_changed)
            worker.bridge.statusChanged.connect(self._sync_status)
        else:
            self.hide()  # without the worker there is nowhere to look them up off the window's thread

    @property
    def item_id(self) -> str:
        return self._item_id

    def show_for(self, item_id: str | None) -> None:
        """Look up the items like ``item_id`` (None: clear); the same item is not looked up again."""
        if (item_id or "") == self._item_id:
            return
        self._item_id = item_id or ""
        self.tree.clear()
        self._request = ""
        if not item_id or self._worker is None:
            return
        self._message(_t("Поиск похожих сообщений…"))
        wanted = item_id
        self._request = self._worker.run_read(lambda cache: self._lookup(cache, wanted), kind="similar")

    def refresh(self) -> None:
        """Look the shown item's lists up again; the lists shown stay until the new ones come."""
        if self._item_id and self._worker is not None:
            wanted = self._item_id
            self._request = self._worker.run_read(lambda cache: self._lookup(cache, wanted), kind="similar")

    def _items_changed(self, _ids: list[str]) -> None:
        # Another item's status or answer changed (a sync, a colleague's or one's own action): the lists are
        # read again once the sync pass ends, or a second after a change outside one.
        self._stale = True
        if not self._syncing:
            self._later.start()

    def _sync_status(self, status: str, _message: str) -> None:
        self._syncing = status == "syncing"
        if not self._syncing and self._stale:
            self._later.start()

    def _refresh_if_stale(self) -> None:
        if self._stale and not self._syncing and self.isVisible():
            self._stale = False
            self.refresh()

    @staticmethod
    def _lookup(cache: Cache, item_id: str) -> tuple[str, Similar]:
        return item_id, similar_items(cache.db.conn, item_id, limit=LIMIT)

    def _finished(self, request: str, result: object, error: str) -> None:
        if request != self._request or not request:
            return  # another request's answer, or one for an item no longer shown
        self._request = ""
        if error or not isinstance(result, tuple):
            self.tree.clear()
            self._message(_t("Похожие сообщения не найдены: {error}").format(error=error or "—"))
            return
        item_id, similar = result
        chosen = self.tree.currentItem()
        was = chosen.data(0, Qt.ItemDataRole.UserRole) if chosen is not None else None
        self.tree.clear()
        self._fill(similar)
        again = next((row for row in self._top() if was and row.data(0, Qt.ItemDataRole.UserRole) == was), None)
        if again is not None:  # read again after a sync: the official's place in the list stays
            self.tree.setCurrentItem(again)
        self.found.emit(item_id)

    def _message(self, text: str) -> None:
        row = QTreeWidgetItem([text])
        row.setFlags(Qt.ItemFlag.ItemIsEnabled)
        row.setFirstColumnSpanned(True)
        self.tree.addTopLevelItem(row)
        row.setFirstColumnSpanned(True)

    def _fill(self, similar: Similar) -> None:
        if not similar.same_address and not similar.same_words:
            self._message(_t("Других сообщений по этому адресу и с похожим текстом нет"))
            return
        for title, rows in ((_t("По тому же адресу"), similar.same_address),
                            (_t("С похожим текстом"), similar.same_words)):
            if not rows:
                continue
            self._message(f"{title}: {len(rows)}")
            for entry in rows:
                self.tree.addTopLevelItem(self._row(entry))
        first = next((row for row in self._top() if row.data(0, Qt.ItemDataRole.UserRole)), None)
        if first is not None:
            self.tree.setCurrentItem(first)

    def _top(self) -> list[QTreeWidgetItem]:
        rows = (self.tree.topLevelItem(n) for n in range(self.tree.topLevelItemCount()))
        return [row for row in rows if row is not None]

    def _row(self, entry: SimilarItem) -> QTreeWidgetItem:
        registered = datetime.fromisoformat(entry.registered_at) if entry.registered_at else None
        # Item views show their text as plain text: the citizen's address and the answer need no escaping.
        row = QTreeWidgetItem([entry.number, status_name(entry.status), _line(entry.answer), entry.address,
                               self._local(registered)])
        row.setData(0, Qt.ItemDataRole.UserRole, entry.id)
        if entry.answer:  # the whole answer on hovering; escaped, since a tooltip may take text for markup
            row.setToolTip(2, f"<p>{html.escape(entry.answer)}</p>")
        return row

    def rows(self) -> list[tuple[str, str, str]]:
        """(id, status shown, answer shown) of each item listed, in order (for tests)."""
        found = []
        for row in self._top():
            item_id = row.data(0, Qt.ItemDataRole.UserRole)
            if item_id:
                found.append((str(item_id), row.text(1), row.text(2)))
        return found

    def _activated(self, row: QTreeWidgetItem, _column: int) -> None:
        item_id = row.data(0, Qt.ItemDataRole.UserRole)
        if item_id:
            self.openRequested.emit(str(item_id))
