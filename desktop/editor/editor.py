"""The answer editor: plain text autosaved (debounced) into the encrypted cache on the worker, files, planned date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.worker import SyncWorker
from offline_cache.answer_files import check_file, content_type_of
from offline_cache.contract.models import Item
from offline_cache.store.cache import Cache

#: Typing pauses this long before the draft is written: every keystroke is not a database write.
AUTOSAVE_MS = 700


def _t(text: str) -> str:
    return QCoreApplication.translate("AnswerEditor", text)


class AnswerEditor(QWidget):
    """Edits the answer of one item; ``set_item`` decides whether it may be edited.

    The text is autosaved through ``worker.save_local_draft`` (the UI thread never writes the cache).

    Signals:
        autosaved(str, str): item id and error ("" when the draft is safely in the cache).
        edited(): the text changed by the official.
    """

    autosaved = Signal(str, str)
    edited = Signal()

    def __init__(self, worker: SyncWorker | None, reader: Cache, zone: str, clock: Callable[[], datetime],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._worker, self._reader, self._zone, self._clock = worker, reader, ZoneInfo(zone), clock
        self._item: Item | None = None
        self._loaded = ""
        self._autosave = False
        #: An approver's edits of drafts not approved yet, by item: (the draft edited, the edit). Memory only:
        #: the edit is the head's until approval sends it, and it never outlives a change of the draft.
        self._edits: dict[str, tuple[str, str]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text = QPlainTextEdit()
        self.text.setObjectName("answerEditor")
        self.text.setPlaceholderText(_t("Текст ответа заявителю"))
        self.text.setMinimumHeight(140)
        layout.addWidget(self.text, 1)
        self.files = QListWidget()
        self.files.setObjectName("answerFiles")
        self.files.setMaximumHeight(48)
        self.files.setFlow(QListWidget.Flow.LeftToRight)
        layout.addWidget(self.files)
        files = QHBoxLayout()
        self.tools = files  # the row of the editor's buttons (templates add theirs)
        self.attach_button = QPushButton(_t("Прикрепить файл…"))
        self.attach_button.setObjectName("attachButton")
        self.detach_button = QPushButton(_t("Убрать файл"))
        self.detach_button.setObjectName("detachButton")
        files.addWidget(self.attach_button)
        files.addWidget(self.detach_button)
        layout.addLayout(files)
        planned = QHBoxLayout()
        self.planned_label = QLabel(_t("Решение к (для промежуточного):"))
        self.planned = QDateEdit()
        self.planned.setObjectName("plannedDate")
        self.planned.setCalendarPopup(True)
        self.planned.setDisplayFormat("dd.MM.yyyy")
        self.planned_zone = QLabel()
        planned.addWidget(self.planned_label)
        planned.addWidget(self.planned)
        planned.addWidget(self.planned_zone)
        planned.addStretch(1)
        self.saved = QLabel()
        self.saved.setObjectName("autosaveState")
        self.saved.setStyleSheet("color: palette(mid);")
        self.saved.setWordWrap(True)
        files.addWidget(self.saved, 1)
        layout.addLayout(planned)
        self._timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._timer.timeout.connect(self._save)
        self.text.textChanged.connect(self._typed)
        self.attach_button.clicked.connect(self._choose_file)
        self.detach_button.clicked.connect(self._detach_selected)
        if worker is not None:
            worker.bridge.draftSaved.connect(self._draft_saved)
            worker.bridge.attachmentsChanged.connect(self._attachments_changed)

    # --- showing ----------------------------------------------------------------------------

    def set_item(self, item: Item | None, *, editable: bool, autosave: bool) -> None:
        """Show ``item``'s answer: the local draft first, else the platform's draft."""
        self.save_now()  # a pause in typing is not needed to keep what was typed before switching
        base = item.draft.text if item is not None and item.draft else ""
        same = item is not None and self._item is not None and item.id == self._item.id
        approving = editable and not autosave
        if same and editable and not self.text.isReadOnly() and autosave == self._autosave \
                and (autosave or base == self._loaded):
            # The cache changed under the official's typing (a sync, an autosave): keep the text.
            self._item, self._loaded = item, base
            self._fill_files()
            return
        if self._item is not None and not self._autosave and self.is_edited():
            self._edits[self._item.id] = (self._loaded, self.plain_text())  # a head's edit waits for the return
        self._item = item
        self._autosave = autosave and item is not None
        local = self._local_draft(item.id) if item is not None else None
        text = local[0] if local else (item.draft.text if item is not None and item.draft else "")
        stashed = self._edits.pop(item.id, None) if item is not None else None
        if approving and stashed is not None and stashed[0] == base:
            text = stashed[1]  # the head's unsent edit of this very draft
        self.text.blockSignals(True)
        self.text.setPlainText(text)
        self.text.blockSignals(False)
        self._loaded = base
        self.text.setReadOnly(not editable)
        self.attach_button.setVisible(autosave)
        self.detach_button.setVisible(autosave)
        today = self._clock().astimezone(self._zone).date()
        planned = (local[1] if local and local[1] else None) or (
            item.draft.planned_date if item is not None and item.draft and item.draft.planned_date else None)
        self.planned.setMinimumDate(_qdate(today + timedelta(days=1)))
        self.planned.setDate(_qdate(planned or today + timedelta(days=14)))
        offset = self._clock().astimezone(self._zone).utcoffset()
        hours = int(offset.total_seconds() // 3600) if offset is not None else 0
        self.planned_zone.setText(f"(UTC{hours:+d})")
        for widget in (self.planned_label, self.planned_zone):
            widget.setVisible(autosave)
        self.planned.setVisible(autosave)
        self.saved.setText(_t("Черновик из кэша") if local else "")
        self._fill_files()

    def show_sent(self, text: str) -> None:
        """Show the answer already sent to the applicant (read-only; nothing to save)."""
        self.text.blockSignals(True)
        self.text.setPlainText(text)
        self.text.blockSignals(False)
        self._loaded = text
        self.text.setReadOnly(True)

    def _local_draft(self, item_id: str) -> tuple[str, date | None] | None:
        draft = self._reader.local_draft(item_id)
        return None if draft is None else (draft.text, draft.planned_date)

    def _fill_files(self) -> None:
        self.files.clear()
        for att_id in self.attachment_ids():
            meta = self._reader.attachment_meta(att_id)
            entry = QListWidgetItem(str(meta["name"]) if meta else att_id)
            entry.setData(Qt.ItemDataRole.UserRole, att_id)
            self.files.addItem(entry)
        self.files.setVisible(self.files.count() > 0)

    def attachment_ids(self) -> list[str]:
        """Files of the answer: the local draft's (local ones waiting for upload included), else the platform's."""
        if self._item is None:
            return []
        local = self._reader.local_draft(self._item.id)
        if local is not None:
            return list(local.attachment_ids)
        return list(self._item.draft.attachment_ids) if self._item.draft else []

    # --- reading ----------------------------------------------------------------------------

    def plain_text(self) -> str:
        return self.text.toPlainText()

    def is_edited(self) -> bool:
        """Whether the text differs from the platform's draft (a head's edit before approving)."""
        return self.plain_text().strip() != self._loaded.strip()

    def planned_date(self) -> date:
        day = self.planned.date()
        return date(day.year(), day.month(), day.day())

    # --- autosave ---------------------------------------------------------------------------

    def _typed(self) -> None:
        self.edited.emit()
        if self._autosave:
            self.saved.setText(_t("Сохраняется…"))
            self._timer.start()

    def save_now(self) -> None:
        """Hand the typed text to the worker now if an autosave is pending (switching items, closing)."""
        if self._timer.isActive():
            self._timer.stop()
            self._save()

    def _save(self) -> None:
        if self._item is None or self._worker is None or not self._autosave:
            return
        self._worker.save_local_draft(self._item.id, self.plain_text(), "final", None)

    def _draft_saved(self, item_id: str, error: str) -> None:
        if self._item is not None and item_id == self._item.id:
            self.saved.setText(error or _t("Черновик сохранён {t}").format(t=datetime.now().strftime("%H:%M:%S")))
        self.autosaved.emit(item_id, error)

    # --- files ------------------------------------------------------------------------------

    def _choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _t("Прикрепить файл к ответу"))
        if path:
            self.attach_path(Path(path))

    def attach_path(self, path: Path) -> str:
        """Check the platform's limits, then queue the file into the encrypted cache; "" or why not."""
        if self._item is None or self._worker is None:
            return ""
        try:
            size = path.stat().st_size
        except OSError as exc:
            return self._refuse(_t("Файл не прочитан: {e}").format(e=exc.strerror or exc))
        reason = check_file(path.name, content_type_of(path.name), size)
        if reason:
            return self._refuse(reason)
        self._worker.attach(self._item.id, str(path))
        self.saved.setText(_t("Файл добавляется…"))
        return ""

    def _refuse(self, reason: str) -> str:
        self.saved.setText(reason)
        self.saved.setStyleSheet("color: #c62828;")
        return reason

    def _detach_selected(self) -> None:
        entry = self.files.currentItem()
        if entry is None or self._item is None or self._worker is None:
            return
        self._worker.detach(self._item.id, str(entry.data(Qt.ItemDataRole.UserRole)))

    def _attachments_changed(self, item_id: str, error: str) -> None:
        if self._item is None or item_id != self._item.id or not self.window().isVisible():
            return
        self.saved.setStyleSheet("color: #c62828;" if error else "color: palette(mid);")
        self.saved.setText(error or _t("Файлы ответа обновлены"))
        self._fill_files()


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
