"""The main window: queue navigation with counters, the queue, the message card and the sync status."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from desktop.actions.controller import ActionController
from desktop.admin.window import install as install_admin
from desktop.board.controller import BoardController
from desktop.card.card import MessageCard
from desktop.clock import utc_label
from desktop.files.open_failed import OpenFailedBar
from desktop.labels import queue_name, role_name
from desktop.lock.controller import LockController
from desktop.lock.settings import app_settings
from desktop.outbox.workstation import OfflineWork
from desktop.queue.model import QueueModel
from desktop.queue.panel import QueuePanel
from desktop.queue.reader import PageRead, PauseWhilePainting, QueueReader
from desktop.ranking.window import install as install_ranking
from desktop.reports.support import install as install_reports
from desktop.search.index_status import IndexStatus
from desktop.search.similar_view import SIMILAR_SHORTCUT
from desktop.session import Session
from desktop.wipe.dialog import install as install_wipe
from offline_cache.attachments import ExternalCopies
from offline_cache.clock import platform_now
from offline_cache.domain.model import OPEN_STATUSES
from offline_cache.profile import ProfileSettings
from offline_cache.queues import Filters, QueueId, QueueQuery, queues_for

TICK_MS = 60_000
#: Up to this many changed items are updated in place at once; more wait for the coalesced refresh.
ROWS_IN_PLACE = 50


def _t(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


class MainWindow(QMainWindow):
    """The workstation.

    Signals:
        notified(str, str): a notification was raised (title, text), for tests and the tray.
    """

    notified = Signal(str, str)

    def __init__(self, session: Session, *, clock: object = None, settings: QSettings | None = None) -> None:
        super().__init__()
        self.session = session
        # Deadlines run on the platform's clock: the computer's corrected by the last measured skew.
        self._clock = clock or (lambda: platform_now(session.reader))
        self._settings = settings or app_settings()  # owner-only file (issue 12)
        self._copies = ExternalCopies()
        self._alerted: set[str] = set()
        #: Set by «Выйти» / «Сменить пользователя»: the login to offer once this window has closed.
        self.next_login: ProfileSettings | None = None
        me = session.me
        self.setWindowTitle(_t("POS Desk — {name}").format(name=me.user.full_name))
        self.query = QueueQuery(session.reader.db.conn, session.viewer)
        self.model = QueueModel(self.query, self, clock=self._clock, zone=me.organisation.timezone)
        # Refreshes the window starts by itself (after a sync pass, during a download, every minute) read on
        # this reader's thread: at 100,000 items they take 100–200 ms, which would freeze the window.
        self.reader = QueueReader(session.worker.open_reader, session.viewer, self)
        self.reader.pageRead.connect(self._page_read)
        self.reader.countsRead.connect(self._counts_read)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(4, 4, 4, 0)
        if session.training:
            banner = QLabel(_t("Учебный режим: демонстрационные данные, не настоящие обращения граждан"))
            banner.setObjectName("trainingBanner")
            banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
            banner.setStyleSheet("background: #fff3c4; color: #5d4200; padding: 6px; font-weight: 600;")
            banner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            outer.addWidget(banner)
        # The cache could not be written (a full disk, say): stays up, with what to do, until a sync succeeds.
        self.storage_warning = QLabel()
        self.storage_warning.setObjectName("storageWarning")
        self.storage_warning.setTextFormat(Qt.TextFormat.PlainText)
        self.storage_warning.setWordWrap(True)
        self.storage_warning.setStyleSheet("background: #fdecea; color: #8e1b1b; padding: 6px; font-weight: 600;")
        self.storage_warning.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.storage_warning.hide()
        outer.addWidget(self.storage_warning)
        self.open_failed = OpenFailedBar(session.reader)
        outer.addWidget(self.open_failed)
        self.navigation = QListWidget()
        self.navigation.setObjectName("queueNavigation")
        self.navigation.setMinimumWidth(180)
        self.queues = queues_for(session.viewer)
        for queue in self.queues:
            entry = QListWidgetItem(queue_name(queue))
            entry.setData(Qt.ItemDataRole.UserRole, queue.value)
            self.navigation.addItem(entry)
        self.panel = QueuePanel(self.model, session.reader)
        self._paint_first = PauseWhilePainting(self.panel.table.viewport())
        self.card = MessageCard(session.reader, me.organisation.timezone, session.roles, worker=session.worker,
                                clock=self._clock)  # type: ignore[arg-type]
        self.splitter = QSplitter()
        self.splitter.addWidget(self.navigation)
        self.splitter.addWidget(self.panel)
        self.splitter.addWidget(self.card)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([200, 660, 580])  # the card holds the actions and the answer
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._build_actions()
        self.actions_controller = ActionController(self, session, self.panel, self.card,
                                                   self._clock)  # type: ignore[arg-type]

        self.navigation.currentRowChanged.connect(self._queue_selected)
        # The card marks the words of the search that produced the list (before showing its first row).
        self.model.modelReset.connect(lambda: self.card.set_search(self.model.filters.text))
        self.panel.currentItemChanged.connect(self.card.show_item)
        self.card.similar.openRequested.connect(self.open_item)
        self.panel.searchAllRequested.connect(lambda: self.navigation.setCurrentRow(self.queues.index(QueueId.ALL)))
        self.card.attachmentRequested.connect(self._open_attachment)
        self.card.thumbnailsWanted.connect(self._fetch_thumbnails)
        self._opening: set[str] = set()
        self._fetching: set[str] = set()
        bridge = session.worker.bridge
        bridge.statusChanged.connect(self._sync_status)
        bridge.progress.connect(self._progress)
        bridge.indexProgress.connect(self.index_status.show_progress)
        bridge.itemsChanged.connect(self._items_changed)
        bridge.outboxChanged.connect(self._outbox_changed)
        bridge.attachmentFetched.connect(self._attachment_fetched)
        # One timer for every countdown in the window: tables, card, counters, notifications.
        self.ticker = QTimer(self, interval=TICK_MS)
        self.ticker.timeout.connect(self.tick)
        self.ticker.start()
        self._refresh_pending = False  # a refresh is scheduled or being read, until its rows are shown
        self._reading = False  # the reader is reading the refresh's page
        self._reread = False  # items changed while it was reading: refresh again after it
        self._counts_tag = 0  # counts read in the background older than the shown ones are dropped
        self._syncing = False
        self._refresh_after_sync = False
        self._closed = False
        self.navigation.setCurrentRow(0)
        self._restore_state()
        self.refresh_counts()
        # Auto-lock after inactivity or when the OS session locks (issue 12); sync goes on while locked.
        self.lock = LockController(self, session, self._settings)
        self.offline = OfflineWork(self)
        install_wipe(self, session, self.offline.actions["logout"])  # «Выйти и удалить локальные данные…»
        self.reports = install_reports(self, self._clock)  # type: ignore[arg-type]  # «Итоги месяца» (issue 13)
        self.control = BoardController(self, self._clock)  # type: ignore[arg-type]  # control board, reminders
        self.admin = install_admin(self)  # «Администрирование» (Ctrl+Shift+M), administrators only (issue 14)
        self.ranking_action = install_ranking(self)  # curators and regional coordinators (issue 13 p.6)

    # --- building ---------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.online = QLabel(_t("Подключение…"))
        self.online.setObjectName("onlineStatus")
        self.last_sync = QLabel()
        self.progress = QProgressBar()
        self.progress.setObjectName("downloadProgress")
        self.progress.setMaximumWidth(220)
        self.progress.setFormat(_t("Загрузка %v из %m"))
        self.progress.hide()
        self.outbox = QLabel()
        self.outbox.setObjectName("outboxStatus")
        self.sync_button = QPushButton(_t("Синхронизировать"))
        self.sync_button.setObjectName("syncButton")
        self.sync_button.clicked.connect(self.session.worker.sync_now)
        roles = ", ".join(role_name(r) for r in sorted(self.session.roles))
        self.index_status = IndexStatus(self.session.reader.db.conn)
        # Permanent: a temporary message (a reminder, «поставлено в очередь отправки») hides the status bar's
        # ordinary widgets for as long as it shows, and the connection, the download and the index rewrite
        # must stay in view. The time of the last sync may give way to the message.
        bar.addWidget(self.last_sync)
        for widget in (self.online, self.progress, self.index_status):
            bar.addPermanentWidget(widget)
        bar.addPermanentWidget(QLabel(f"{self.session.me.user.full_name} · {roles}"))
        bar.addPermanentWidget(self.outbox)
        bar.addPermanentWidget(self.sync_button)
        self._outbox_changed(self.session.reader.outbox_counts())

    def _build_actions(self) -> None:
        search = QAction(_t("Поиск"), self, shortcut=QKeySequence(QKeySequence.StandardKey.Find))
        search.triggered.connect(self._focus_search)
        sync = QAction(_t("Синхронизировать"), self, shortcut=QKeySequence("F5"))
        sync.triggered.connect(self.session.worker.sync_now)
        for n, _queue in enumerate(self.queues[:9], start=1):
            go = QAction(self, shortcut=QKeySequence(f"Ctrl+{n}"))
            go.triggered.connect(lambda _c=False, row=n - 1: self.navigation.setCurrentRow(row))
            self.addAction(go)
        self.addAction(search)
        self.addAction(sync)
        similar = QAction(_t("Похожие сообщения"), self, shortcut=QKeySequence(SIMILAR_SHORTCUT))
        similar.triggered.connect(self._focus_similar)
        self.addAction(similar)
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray: QSystemTrayIcon | None = QSystemTrayIcon(self.windowIcon(), self)
        else:
            self.tray = None

    def open_item(self, item_id: str) -> None:
        """Show ``item_id`` selected in the queue: in «Все» without search or filters when the current
        list lacks it; in the card alone when it is beyond the rows loaded."""
        if self.model.row_of(item_id) < 0:
            self.panel.search.blockSignals(True)
            self.panel.search.clear()
            self.panel.search.blockSignals(False)
            for combo in (self.panel.status, self.panel.category, self.panel.organisation, self.panel.urgency):
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            everything = self.queues.index(QueueId.ALL) if QueueId.ALL in self.queues else self.navigation.currentRow()
            if self.navigation.currentRow() != everything:
                self.navigation.setCurrentRow(everything)  # reloads the model with the cleared filters
            else:
                self.model.set_filters(self.panel.filters())
        if self.model.row_of(item_id) >= 0:
            self.panel.select_item(item_id)
            self.panel.table.setFocus()
        else:
            self.card.show_item(item_id)

    def _focus_similar(self) -> None:
        """Into the card's similar messages, where Enter opens one."""
        if self.card.similar.isVisible():
            self.card.ensureWidgetVisible(self.card.similar)
            self.card.similar.tree.setFocus()

    def _focus_search(self) -> None:
        self.panel.search.setFocus()
        self.panel.search.selectAll()

    # --- reacting ---------------------------------------------------------------------------

    def _queue_selected(self, row: int) -> None:
        if 0 <= row < len(self.queues):
            self.model.set_queue(self.queues[row], self.panel.filters())

    def _items_changed(self, item_ids: list[str]) -> None:
        # Pages arrive fast during a download: coalesce refreshes (rarer while the download runs),
        # so the UI thread spends its time on the official, not on re-reading a growing table.
        downloading = self.progress.isVisible()
        if not downloading and len(item_ids) <= ROWS_IN_PLACE:
            self.model.update_rows(item_ids)  # an own action shows on its row now, not after the refresh
        if self._syncing and not downloading:
            # Queued actions being delivered report in batches for seconds: re-reading and re-counting a
            # large queue after each would freeze the window; the rows changed in place above, and the
            # queue is re-read once when the pass ends (``_sync_status``).
            self._refresh_after_sync = True
        elif self._reading:
            self._reread = True  # the read under way may have missed these
        elif not self._refresh_pending:
            self._schedule_refresh(1500 if downloading else 300)
        shown = self.card.item
        # An own action's outcome shows the card again (or the next item) when it comes: not twice.
        if shown is not None and shown.id in item_ids and not self.actions_controller.in_flight(shown.id):
            self.card.show_item(shown.id)

    def _schedule_refresh(self, delay_ms: int) -> None:
        self._refresh_pending = True
        QTimer.singleShot(delay_ms, self._refresh_in_background)

    def _refresh_now(self) -> None:
        """Re-read the queue and the counters on the UI thread (at once, for tests and explicit refreshes)."""
        self._refresh_pending = False
        if self._closed:
            return
        self.panel.reload_choices()
        selected = self.card.item.id if self.card.item else None
        self.model.refresh()
        if selected:
            self.panel.select_item(selected)
        self.refresh_counts()

    def _refresh_in_background(self) -> None:
        """Re-read the queue and the counters on the reader's thread; ``_page_read`` shows the result."""
        if self._closed:
            self._refresh_pending = False
            return
        self.panel.reload_choices()  # a few directory rows
        self._reading = True
        self.reader.read_page(self.model.refresh_request())
        self.reader.read_counts(self.queues, self._clock(), self._counts_tag)  # type: ignore[operator]

    def _page_read(self, read: PageRead | None) -> None:
        self._reading = self._refresh_pending = False
        if self._closed:
            return
        if read is None:  # the reader failed (logged): read here, as before it existed
            self._refresh_now()
        else:
            self._show_read(read)
        if self._reread:
            self._reread = False
            self._schedule_refresh(1500 if self.progress.isVisible() else 300)

    def _show_read(self, read: PageRead) -> None:
        selected = self.card.item.id if self.card.item else None
        if self.model.apply_read(read) and selected:
            self.panel.select_item(selected)

    def _counts_read(self, tag: int, counts: dict[QueueId, int] | None) -> None:
        if self._closed or tag != self._counts_tag:
            return  # counted on the UI thread since: those are newer
        if counts is None:
            self.refresh_counts()
        else:
            self._show_counts(counts)

    def refresh_counts(self) -> None:
        now = self._clock()  # type: ignore[operator]
        self._show_counts(self.query.counts(self.queues, now))

    def _show_counts(self, counts: dict[QueueId, int]) -> None:
        self._counts_tag += 1
        for row, queue in enumerate(self.queues):
            self.navigation.item(row).setText(f"{queue_name(queue)}  ({counts[queue]})")
        self.counts = counts

    def tick(self) -> None:
        if self._closed:
            return
        self.model.tick()
        self.card.tick()
        self.reader.read_counts(self.queues, self._clock(), self._counts_tag)  # type: ignore[operator]
        self._notify_deadlines()

    def _notify_deadlines(self) -> None:
        """Tell once about each item of mine that turned critical or overdue."""
        now = self._clock()  # type: ignore[operator]
        from offline_cache.queues import Urgent

        statuses = tuple(s.value for s in OPEN_STATUSES)
        queue = QueueId.MY_WORK if QueueId.MY_WORK in self.queues else QueueId.ALL
        urgent = self.query.page(queue, Filters(statuses=statuses, urgency=(Urgent.CRITICAL, Urgent.OVERDUE)), now,
                                 limit=50)
        fresh = [r for r in urgent if r["id"] not in self._alerted]
        if not fresh:
            return
        self._alerted.update(r["id"] for r in fresh)
        title = _t("Сроки: {n} сообщ.").format(n=len(fresh))
        text = self.lock.notice("; ".join(f"№ {r['number']}" for r in fresh[:5]))  # no details while locked
        self.notified.emit(title, text)
        if self.tray is not None:
            self.tray.show()
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Warning)
        else:
            self.statusBar().showMessage(f"{title}: {text}", 15_000)

    def _sync_status(self, status: str, message: str) -> None:
        texts = {"idle": _t("● На связи"), "syncing": _t("● Синхронизация…"), "offline": _t("● Нет связи"),
                 "auth_required": _t("● Требуется вход"), "storage_error": _t("● Ошибка записи кэша")}
        colours = {"idle": "#2e7d32", "syncing": "#1565c0", "offline": "#c62828", "auth_required": "#b26a00",
                   "storage_error": "#c62828"}
        self._syncing = status == "syncing"
        if not self._syncing and self._refresh_after_sync and self._reading:
            self._refresh_after_sync = False
            self._reread = True
        elif not self._syncing and self._refresh_after_sync and not self._refresh_pending:
            self._refresh_after_sync = False
            self._schedule_refresh(0)
        self.online.setText(texts.get(status, status))
        self.online.setStyleSheet(f"color: {colours.get(status, 'palette(text)')};")
        self.online.setToolTip(message)
        if status == "idle":
            zone = ZoneInfo(self.session.me.organisation.timezone)  # the organisation's time, as everywhere
            now = self._clock()  # type: ignore[operator]
            self.last_sync.setText(_t("Синхронизировано в {t} ({zone})").format(
                t=now.astimezone(zone).strftime("%H:%M"), zone=utc_label(zone, now)))
            self._downloading(False)
            self.storage_warning.hide()
        elif status == "offline":
            self._downloading(False)
        elif status == "storage_error":
            self._downloading(False)
            self.storage_warning.setText(message)
            self.storage_warning.show()

    def _progress(self, done: int, total: int) -> None:
        if total > 0 and done < total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self._downloading(True)
        else:
            self._downloading(False)

    def _downloading(self, on: bool) -> None:
        """Show the download's progress; meanwhile the table's paints go first (``PauseWhilePainting``)."""
        self.progress.setVisible(on)
        self._paint_first.watch(on)

    def _outbox_changed(self, counts: dict[str, int]) -> None:
        waiting = counts.get("pending", 0) + counts.get("sending", 0)
        problems = counts.get("failed", 0) + counts.get("conflict", 0)
        text = _t("К отправке: {n}").format(n=waiting)
        if problems:
            text += _t(" · ошибок: {n}").format(n=problems)
        self.outbox.setText(text)
        self.outbox.setStyleSheet("color: #c62828;" if problems else "")

    def _fetch_thumbnails(self, att_ids: list[str]) -> None:
        for att_id in att_ids:
            if att_id not in self._fetching:
                self._fetching.add(att_id)
                self.session.worker.fetch_attachment(att_id)

    def _attachment_fetched(self, att_id: str, error: str) -> None:
        self._fetching.discard(att_id)
        if error:
            self._opening.discard(att_id)
            self.statusBar().showMessage(_t("Вложение не загружено: {e}").format(e=error), 8000)
            return
        if att_id in self._opening:
            self._opening.discard(att_id)
            self._open_attachment(att_id)
        elif self.card.item is not None and any(a.id == att_id for a in self.card.item.attachments):
            self.card.show_item(self.card.item.id)  # the thumbnail is in the cache now

    def _open_attachment(self, att_id: str) -> None:
        """Open in the system's viewer: an explicit act, the only time a decrypted copy touches the disk."""
        data = self.session.reader.attachment_data(att_id)
        meta = self.session.reader.attachment_meta(att_id)
        if meta is None:
            return
        if data is None:
            self._opening.add(att_id)
            self._fetch_thumbnails([att_id])
            self.statusBar().showMessage(_t("Загружаем вложение с платформы…"), 5000)
            return
        path = self._copies.open_copy(str(meta["name"]), data)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.open_failed.show_for(att_id, str(meta["name"]))

    # --- state ------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        s = self._settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        for key, restore in (("window/state", self.restoreState), ("window/splitter", self.splitter.restoreState),
                             ("queue/header", self.panel.table.horizontalHeader().restoreState)):
            value = s.value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def save_state(self) -> None:
        s = self._settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("queue/header", self.panel.table.horizontalHeader().saveState())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the layout and stop everything that would touch the session after it closes."""
        if not self._closed:
            self._closed = True
            self.save_state()
            self.ticker.stop()
            self.reader.stop()
            self._copies.close()
            bridge = self.session.worker.bridge
            for signal, slot in ((bridge.statusChanged, self._sync_status), (bridge.progress, self._progress),
                                 (bridge.itemsChanged, self._items_changed),
                                 (bridge.outboxChanged, self._outbox_changed),
                                 (bridge.attachmentFetched, self._attachment_fetched),
                                 (bridge.indexProgress, self.index_status.show_progress)):
                signal.disconnect(slot)  # only this window's: others may share the session
        super().closeEvent(event)
