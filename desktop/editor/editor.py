"""The answer editor: plain text autosaved (debounced) into the encrypted cache on the worker, files, planned date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
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

from offline_cache.contract.models import Item
from offline_cache.store.cache import Cache

#: Typing pauses this long before the draft is written: every keystroke is not a database write.
AUTOSAVE_MS = 700


def _t(text: str) -> str:
    return QCoreApplication.translate("AnswerEditor", text)


def file_refusal(name: str, content_type: str, size: int) -> str | None:
    """The platform's limits for an answer file (Russian reason), once the core provides them."""
    try:
        from offline_cache.answer_files import check_file  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    result: str | None = check_file(name, content_type, size)
    return result


class AnswerEditor(QWidget):
    """Edits the answer of one item; ``set_item`` decides whether it may be edited.

    The text is autosaved through ``worker.save_local_draft`` (the UI thread never writes the cache).

    Signals:
        autosaved(str, str): item id and error ("" when the draft is safely in the cache).
        edited(): the text changed by the official.
    """

    autosaved = Signal(str, str)
    edited = Signal()

    def __init__(self, worker: Any, reader: Cache, zone: str, clock: Callable[[], datetime],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._worker, self._reader, self._zone, self._clock = worker, reader, ZoneInfo(zone), clock
        self._item: Item | None = None
        self._loaded = ""
        self._autosave = False
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
        self._timer.timeout.connect(self.save_now)
        self.text.textChanged.connect(self._typed)
        self.attach_button.clicked.connect(self._choose_file)
        self.detach_button.clicked.connect(self._detach_selected)
        for signal, slot in self._bridge_slots():
            signal.connect(slot)

    def _bridge_slots(self) -> list[tuple[Any, Any]]:
        bridge = getattr(self._worker, "bridge", None)
        slots = (("draftSaved", self._draft_saved), ("attachmentsChanged", self._attachments_changed))
        return [(getattr(bridge, name), slot) for name, slot in slots if hasattr(bridge, name)]

    # --- showing ----------------------------------------------------------------------------

    def set_item(self, item: Item | None, *, editable: bool, autosave: bool) -> None:
        """Show ``item``'s answer: the local draft first, else the platform's draft."""
        self.save_now()  # a pause in typing is not needed to keep what was typed before switching
        same = item is not None and self._item is not None and item.id == self._item.id
        if same and self._autosave and autosave and editable:
            self._item = item  # the cache changed under the official's typing: keep the text, refresh files
            self._loaded = item.draft.text if item is not None and item.draft else ""
            self._fill_files()
            return
        self._item = item
        self._autosave = autosave and item is not None
        local = self._local_draft(item.id) if item is not None else None
        text = local[0] if local else (item.draft.text if item is not None and item.draft else "")
        self.text.blockSignals(True)
        self.text.setPlainText(text)
        self.text.blockSignals(False)
        self._loaded = item.draft.text if item is not None and item.draft else ""
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

    def _local_draft(self, item_id: str) -> tuple[str, date | None] | None:
        row = self._reader.db.execute("SELECT text, planned_date FROM drafts WHERE item_id=?", [item_id]).fetchone()
        if row is None:
            return None
        return str(row[0]), date.fromisoformat(row[1]) if row[1] else None

    def _fill_files(self) -> None:
        self.files.clear()
        for att_id in self.attachment_ids():
            meta = self._reader.attachment_meta(att_id)
            entry = QListWidgetItem(str(meta["name"]) if meta else att_id)
            entry.setData(Qt.ItemDataRole.UserRole, att_id)
            self.files.addItem(entry)
        self.files.setVisible(self.files.count() > 0)

    def attachment_ids(self) -> list[str]:
        """Files of the answer: the platform's draft's and the local ones waiting for upload."""
        if self._item is None:
            return []
        ids = list(self._item.draft.attachment_ids) if self._item.draft else []
        rows = self._reader.db.execute("SELECT id FROM attachments WHERE item_id=? AND origin='answer' "
                                       "AND id LIKE 'local-%' ORDER BY id", [self._item.id]).fetchall()
        return ids + [str(r[0]) for r in rows if r[0] not in ids]

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
        """Hand the typed text to the worker now (pending autosave, switching items, closing)."""
        if not self._timer.isActive() or self._item is None:
            return
        self._timer.stop()
        save = getattr(self._worker, "save_local_draft", None)
        if save is None:  # the core's local drafts have not landed in this build yet
            self.saved.setText(_t("Автосохранение недоступно"))
            return
        save(self._item.id, self.plain_text(), "final", None)

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
        import mimetypes

        if self._item is None:
            return ""
        try:
            size = path.stat().st_size
        except OSError as exc:
            return self._refuse(_t("Файл не прочитан: {e}").format(e=exc.strerror or exc))
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        reason = file_refusal(path.name, content_type, size)
        if reason:
            return self._refuse(reason)
        attach = getattr(self._worker, "attach", None)
        if attach is None:
            return self._refuse(_t("Прикрепление файлов появится в следующей версии"))
        attach(self._item.id, str(path))
        self.saved.setText(_t("Файл добавляется…"))
        return ""

    def _refuse(self, reason: str) -> str:
        self.saved.setText(reason)
        self.saved.setStyleSheet("color: #c62828;")
        return reason

    def _detach_selected(self) -> None:
        entry = self.files.currentItem()
        detach = getattr(self._worker, "detach", None)
        if entry is None or self._item is None or detach is None:
            return
        detach(self._item.id, str(entry.data(Qt.ItemDataRole.UserRole)))

    def _attachments_changed(self, item_id: str, error: str) -> None:
        if self._item is None or item_id != self._item.id or not self.window().isVisible():
            return
        self.saved.setStyleSheet("color: #c62828;" if error else "color: palette(mid);")
        self.saved.setText(error or _t("Файлы ответа обновлены"))
        self._fill_files()


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
