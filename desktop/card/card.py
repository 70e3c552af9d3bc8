"""The message card widget."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.countdown import URGENCY_COLOURS, countdown
from desktop.labels import kind_name, status_name
from offline_cache.contract.convert import item_to_state
from offline_cache.contract.models import Item
from offline_cache.domain.deadlines import active_deadline
from offline_cache.domain.model import Role
from offline_cache.store.cache import Cache


def _t(text: str) -> str:
    return QCoreApplication.translate("MessageCard", text)


def plain_label(text: str = "") -> QLabel:
    """A label that never interprets its text as rich text or links (citizens' text is untrusted)."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    label.setText(text)
    return label


def plain_text_box(height: int | None = None) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)
    if height:
        box.setMaximumHeight(height)
    return box


class MessageCard(QScrollArea):
    """Shows one item: text, place, category and term, attachments, history, draft and deadlines.

    Signals:
        attachmentRequested(str): the official asked to open an attachment (by id).
        thumbnailsWanted(list): image attachments of the shown item whose bytes are not cached yet.
    """

    attachmentRequested = Signal(str)
    thumbnailsWanted = Signal(list)

    def __init__(self, reader: Cache, zone: str, roles: frozenset[Role], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reader, self._zone, self._roles = reader, ZoneInfo(zone), roles
        self._item: Item | None = None
        self.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.title = plain_label()
        self.title.setObjectName("cardTitle")
        self.title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.subject = plain_label()
        layout.addWidget(self.title)
        layout.addWidget(self.subject)
        form = QFormLayout()
        self.status, self.category, self.address = plain_label(), plain_label(), plain_label()
        self.applicant, self.registered, self.due = plain_label(), plain_label(), plain_label()
        self.routing_due, self.countdown = plain_label(), plain_label()
        form.addRow(_t("Статус:"), self.status)
        form.addRow(_t("Категория и срок:"), self.category)
        form.addRow(_t("Место:"), self.address)
        form.addRow(_t("Заявитель:"), self.applicant)
        form.addRow(_t("Зарегистрировано:"), self.registered)
        form.addRow(_t("Ответ до:"), self.due)
        self.routing_row_label = QLabel(_t("Распределить до:"))
        form.addRow(self.routing_row_label, self.routing_due)
        form.addRow(_t("Осталось:"), self.countdown)
        layout.addLayout(form)
        self.text = plain_text_box()
        self.text.setObjectName("citizenText")
        self.text.setMinimumHeight(120)
        layout.addWidget(self._group(_t("Текст сообщения"), self.text))
        self.attachments = QListWidget()
        self.attachments.setViewMode(QListWidget.ViewMode.IconMode)
        self.attachments.setIconSize(QSize(64, 48))
        self.attachments.setMaximumHeight(96)
        self.attachments.itemActivated.connect(
            lambda it: self.attachmentRequested.emit(it.data(Qt.ItemDataRole.UserRole)))
        layout.addWidget(self._group(_t("Вложения"), self.attachments))
        self.history = QListWidget()
        self.history.setMaximumHeight(160)
        layout.addWidget(self._group(_t("История"), self.history))
        self.draft = plain_text_box(160)
        layout.addWidget(self._group(_t("Проект ответа"), self.draft))
        layout.addStretch(1)
        self._body = body
        self.setWidget(body)
        self.show_item(None)

    @staticmethod
    def _group(title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        inner = QVBoxLayout(box)
        inner.addWidget(widget)
        return box

    @property
    def item(self) -> Item | None:
        return self._item

    def _local(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        local = moment.astimezone(self._zone)
        offset = local.utcoffset()
        hours = int(offset.total_seconds() // 3600) if offset is not None else 0
        return local.strftime("%d.%m.%Y %H:%M") + f" (UTC{hours:+d})"

    def show_item(self, item_id: str | None) -> None:
        item = self._reader.item(item_id) if item_id else None
        self._item = item
        self._body.setEnabled(item is not None)
        if item is None:
            self.title.setText(_t("Выберите сообщение в очереди"))
            for label in (self.subject, self.status, self.category, self.address, self.applicant,
                          self.registered, self.due, self.routing_due, self.countdown):
                label.setText("")
            for box in (self.text, self.draft):
                box.setPlainText("")
            self.attachments.clear()
            self.history.clear()
            return
        self.title.setText(f"№ {item.number} · {kind_name(item.kind)}")
        self.subject.setText(item.subject)
        self.status.setText(status_name(item.status))
        term = self._reader.db.execute("SELECT name, term_days FROM categories WHERE code=?",
                                       [item.category_code]).fetchone()
        self.category.setText(f"{term[0]} · {term[1]} дн." if term else item.category_code)
        self.address.setText(item.address)
        self.applicant.setText(item.applicant_name)
        self.registered.setText(self._local(item.registered_at))
        self.due.setText(self._local(item.due_at))
        show_routing = Role.COORDINATOR in self._roles and item.routing_due_at is not None
        self.routing_due.setVisible(show_routing)
        self.routing_row_label.setVisible(show_routing)
        self.routing_due.setText(self._local(item.routing_due_at))
        self.text.setPlainText(item.text)
        draft = self._reader.db.execute("SELECT text FROM drafts WHERE item_id=?", [item.id]).fetchone()
        self.draft.setPlainText(draft[0] if draft else (item.draft.text if item.draft else ""))
        self._fill_attachments(item)
        self._fill_history(item)
        self.tick()

    def tick(self) -> None:
        if self._item is None:
            return
        text, level = countdown(active_deadline(item_to_state(self._item)), datetime.now(UTC))
        self.countdown.setText(text)
        colour = URGENCY_COLOURS[level].name() if level else "palette(text)"
        self.countdown.setStyleSheet(f"color: {colour}; font-weight: 600;")

    def _fill_attachments(self, item: Item) -> None:
        self.attachments.clear()
        missing = []
        for meta in item.attachments:
            entry = QListWidgetItem(meta.name)
            entry.setData(Qt.ItemDataRole.UserRole, meta.id)
            entry.setToolTip(f"{meta.name} · {meta.size // 1024 + 1} КБ")
            data = self._reader.attachment_data(meta.id) if meta.content_type.startswith("image/") else None
            if data is None and meta.content_type.startswith("image/"):
                missing.append(meta.id)
            if data:
                image = QImage.fromData(data)
                if not image.isNull():
                    entry.setIcon(QIcon(QPixmap.fromImage(image.scaled(
                        64, 48, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))))
            self.attachments.addItem(entry)
        if missing:
            self.thumbnailsWanted.emit(missing)

    def _fill_history(self, item: Item) -> None:
        self.history.clear()
        names = {row[0]: row[1] for row in self._reader.db.execute("SELECT id, full_name FROM staff")}
        for h in reversed(item.history):
            who = names.get(h.actor_id or "", _t("платформа") if h.actor_id is None else h.actor_id)
            line = f"{self._local(h.at)} · {status_name(h.to_status)} · {who}"
            if h.comment:
                line += f" · {h.comment}"
            self.history.addItem(QListWidgetItem(line))
