"""The control board and reminders in the main window: the «Контроль» menu, click-through to the queue, notices.

Heads and curators get «Панель контроля сроков…» (Ctrl+Shift+H). Everyone gets reminders: the day's
summary in the status bar and the tray, and a tray notice when an item's control or legal time comes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QSystemTrayIcon

from desktop.board.window import BoardWindow
from offline_cache.control import ControlTimes
from offline_cache.control_board import Cell
from offline_cache.domain.model import Role
from offline_cache.queues import QueueId
from offline_cache.reminders import Notice, Reminders, Watched, summary_text
from offline_cache.store.cache import Cache

if TYPE_CHECKING:
    from desktop.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex
BOARD_SHORTCUT = "Ctrl+Shift+H"
START_WAIT_MS = 30_000
NoticeRole = Qt.ItemDataRole.UserRole + 1


def _t(text: str) -> str:
    return QCoreApplication.translate("ControlBoard", text)


class NoticeLog(QAbstractListModel):
    """The reminders shown in this session, newest last: what the tray said, for the official and tests."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.notices: list[Notice] = []

    def add(self, notice: Notice) -> None:
        self.beginInsertRows(QModelIndex(), len(self.notices), len(self.notices))
        self.notices.append(notice)
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.notices)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.notices):
            return None
        notice = self.notices[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{notice.title}: {notice.text}"
        if role == NoticeRole:
            return notice
        return None


class BoardController(QObject):
    """Owns the board window, the reminders and their log for one main window.

    Signals:
        noticed(object): a ``Notice`` was shown (status bar and tray).
    """

    noticed = Signal(object)

    def __init__(self, window: MainWindow, clock: Callable[[], datetime]) -> None:
        super().__init__(window)
        self.window, self._clock = window, clock
        session = window.session
        self.zone = session.me.organisation.timezone
        self.times = ControlTimes(session.reader.db.conn, self.zone)
        self.reminders = Reminders(session.reader.db.conn, session.viewer, self.zone, self.times)
        self.log = NoticeLog(self)
        # Today's figures stay in the status bar (the summary's own message fades after a minute).
        self.summary = QLabel()
        self.summary.setObjectName("deadlineSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        window.statusBar().addPermanentWidget(self.summary)
        self.board: BoardWindow | None = None
        self.action: QAction | None = None
        if session.roles & {Role.HEAD, Role.CURATOR}:
            menu = window.menuBar().addMenu(_t("&Контроль"))
            menu.setObjectName("controlMenu")
            self.action = QAction(_t("Панель контроля сроков…"), window, shortcut=QKeySequence(BOARD_SHORTCUT))
            self.action.setObjectName("controlBoardAction")
            self.action.triggered.connect(self.show_board)
            menu.addAction(self.action)
        # The cache changed: the calendar, terms and deadlines are read again once the sync pass ends (a first
        # download reports a page at a time: re-reading after each would stall the window), or a second after
        # a change outside a pass (the official's own action).
        self._syncing, self._dirty = False, False
        self._stale = QTimer(self, singleShot=True, interval=1000)
        self._stale.timeout.connect(self._reload_if_dirty)
        session.worker.bridge.itemsChanged.connect(self._items_changed)
        # The start's summary waits for the first sync pass (or its failure: offline, the cache's data
        # serve), so that a first login does not report an empty cache; at the latest after START_WAIT_MS.
        self._started = False
        self._first_check = False  # the start's summary waits for the first background read
        self._request = ""  # the background read of the reminders whose answer is awaited
        session.worker.bridge.readFinished.connect(self._reminders_read)
        session.worker.bridge.statusChanged.connect(self._sync_status)
        QTimer.singleShot(START_WAIT_MS, self.start)
        window.ticker.timeout.connect(self.tick)

    def _sync_status(self, status: str, _message: str) -> None:
        self._syncing = status == "syncing"
        if self._syncing:
            return
        if not self._started:
            self.start()
        elif self._dirty:
            self._stale.start()

    def start(self) -> None:
        """The first reminders: the summary of the day, from what the cache holds now (read in the background)."""
        if self._started or getattr(self.window, "_closed", False):
            return
        self._started = True
        self._first_check = True
        self.reload()

    def _items_changed(self, _ids: list[str]) -> None:
        self._dirty = True
        if not self._syncing and not getattr(self.window, "_closed", False):
            self._stale.start()

    def _reload_if_dirty(self) -> None:
        if self._dirty and not self._syncing:
            self.reload()

    def reload(self) -> None:
        """Read the cache again: stage terms, calendar, watched deadlines, and the board if it is open."""
        if getattr(self.window, "_closed", False):
            return
        self._dirty = False
        self.times.reload()  # a few directory rows
        self._read_reminders()
        if self.board is not None and self.board.isVisible():
            self.board.refresh()

    def _read_reminders(self) -> None:
        """Read the watched deadlines and today's counts beside the worker (``SyncWorker.run_read``).

        Over 100,000 cached items they take 100 ms and more; on the window's thread, after each sync pass
        and every minute, they stalled it (the longest stall at the end of a first download, 120 ms).
        """
        now, viewer, zone = self._clock(), self.window.session.viewer, self.zone

        def read(cache: Cache) -> tuple[datetime, list[Watched], tuple[int, int]]:
            reminders = Reminders(cache.db.conn, viewer, zone, ControlTimes(cache.db.conn, zone))
            reminders.refresh()
            return now, reminders.watched, reminders.counts(now)

        self._request = self.window.session.worker.run_read(read, kind="reminders")

    def _reminders_read(self, request: str, result: object, error: str) -> None:
        if request != self._request or getattr(self.window, "_closed", False):
            return
        if error or not isinstance(result, tuple):  # logged by the reader: read here instead
            self.reminders.refresh()
            now = self._clock()
            result = (now, self.reminders.watched, self.reminders.counts(now))
        now, watched, counts = result
        self.reminders.watch(watched)
        if self._started:
            self._show_counts(counts)
        if self._first_check:
            self._first_check = False
            self._check(now, counts)

    def _show_counts(self, counts: tuple[int, int]) -> None:
        due, late = counts
        self.summary.setText(summary_text(due, late))
        self.summary.setStyleSheet("color: #c62828; font-weight: 600;" if late else "")
        self.summary.setToolTip(_t("Сроки по вашим сообщениям") if not self.reminders.organisation_wide
                                else _t("Сроки по организации"))

    # --- the board --------------------------------------------------------------------------

    def show_board(self) -> None:
        if self.board is None:
            self.board = BoardWindow(self.window.session.reader.db.conn, self.zone, self._clock, self.window)
            self.board.cellActivated.connect(self.open_cell)
        else:
            self.board.refresh()
        self.board.show()
        self.board.activateWindow()
        self.board.current_table().setFocus()

    def open_cell(self, cell: Cell) -> None:
        """Show the count's items in «Все», narrowed to exactly them."""
        window = self.window
        panel = window.panel
        panel.set_narrowing(cell, apply=False)
        everything = window.queues.index(QueueId.ALL)
        if window.navigation.currentRow() == everything:
            panel.apply_filters()
        else:
            window.navigation.setCurrentRow(everything)  # the queue is read with the panel's filters
        window.activateWindow()
        panel.table.setFocus()
        if window.model.rowCount() > 0:
            panel.table.selectRow(0)

    # --- reminders --------------------------------------------------------------------------

    def tick(self) -> None:
        """The minute timer (or a test): show the reminders due now; an open board moves on with the time."""
        if getattr(self.window, "_closed", False):
            return
        if self.board is not None and self.board.isVisible():
            self.board.refresh()
        if not self._started or self._first_check:
            return
        self._check(self._clock())
        self._read_reminders()  # today's counts move on with the time

    def _check(self, now: datetime, counts: tuple[int, int] | None = None) -> None:
        for notice in self.reminders.check(now, counts):
            self.show_notice(notice)

    def show_notice(self, notice: Notice) -> None:
        self.log.add(notice)
        text = self.window.lock.notice(notice.text) if hasattr(self.window, "lock") else notice.text
        self.window.statusBar().showMessage(f"{notice.title}: {text}", 60_000)
        tray = getattr(self.window, "tray", None)
        if isinstance(tray, QSystemTrayIcon):
            tray.show()
            icon = QSystemTrayIcon.MessageIcon.Information if notice.kind == "summary" \
                else QSystemTrayIcon.MessageIcon.Warning
            tray.showMessage(notice.title, text, icon)
        self.noticed.emit(notice)
