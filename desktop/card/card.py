"""The message card widget."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.approvals.chain import ApprovalChainView
from desktop.card.history import history_lines
from desktop.card.notices import earlier_answer, outbox_notice, outcome, return_comment, staff_names
from desktop.countdown import URGENCY_COLOURS, countdown
from desktop.editor.editor import AnswerEditor
from desktop.labels import kind_name, status_name
from desktop.search.highlight import highlight_matches
from desktop.search.similar_view import SimilarMessages
from desktop.worker import SyncWorker
from offline_cache.actions import offered_actions
from offline_cache.contract.models import Item
from offline_cache.control import ControlTimes, ItemDeadlines, answer_term_text
from offline_cache.domain.model import Action, Role, Status
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


def notice_box(name: str, style: str) -> QLabel:
    """A highlighted plain-text box shown whole above the card (a return comment, the earlier answer)."""
    box = plain_label()
    box.setObjectName(name)
    box.setStyleSheet(f"{style} padding: 6px; border-radius: 3px;")
    box.hide()
    return box


class MessageCard(QScrollArea):
    """Shows one item: notices, the actions offered, text and answer, attachments, history and deadlines.

    Signals:
        attachmentRequested(str): the official asked to open an attachment (by id).
        thumbnailsWanted(list): image attachments of the shown item whose bytes are not cached yet.
        shown(str): an item was (re)shown, ``offered`` is current ("" when none).
        ticked(): the minute timer moved the countdowns on.
    """

    attachmentRequested = Signal(str)
    thumbnailsWanted = Signal(list)
    shown = Signal(str)
    ticked = Signal()

    def __init__(self, reader: Cache, zone: str, roles: frozenset[Role], parent: QWidget | None = None, *,
                 worker: SyncWorker | None = None, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent)
        self._reader, self._zone, self._roles = reader, ZoneInfo(zone), roles
        self._clock = clock or (lambda: datetime.now(UTC))
        self._item: Item | None = None
        self.deadlines: ItemDeadlines | None = None
        self._times = ControlTimes(reader.db.conn, self._zone)  # stage terms and calendar, from the cache
        self._search = ""  # the queue's search: its words are marked in the citizen's text
        self.offered: list[Action] = []
        self.setWidgetResizable(True)
        # The card follows the splitter's width: long lines wrap instead of hiding behind a scroll bar.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.title = plain_label()
        self.title.setObjectName("cardTitle")
        self.title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.subject = plain_label()
        layout.addWidget(self.title)
        layout.addWidget(self.subject)
        self.refusal = plain_label()
        self.refusal.setObjectName("refusal")
        self.refusal.setStyleSheet("background: #fdecea; color: #8e1b1b; padding: 6px; font-weight: 600;")
        self.refusal.hide()
        layout.addWidget(self.refusal)
        self.pending = plain_label()
        self.pending.setObjectName("pendingNotice")
        self.pending.hide()
        layout.addWidget(self.pending)
        self.return_box = notice_box("returnComment", "background: #fff3c4; color: #5d4200; font-weight: 600;")
        layout.addWidget(self.return_box)
        self.earlier_box = notice_box("earlierAnswer", "background: #e8f0fe; color: #1a3a6b;")
        layout.addWidget(self.earlier_box)
        self.outcome_box = notice_box("outcome", "background: #eef5ee; color: #1b4d1f;")
        layout.addWidget(self.outcome_box)
        self.actions_slot = QVBoxLayout()
        layout.addLayout(self.actions_slot)
        self.chain = ApprovalChainView()
        self.chain.setObjectName("approvalChain")
        layout.addWidget(self.chain)
        form = QFormLayout()
        self.status, self.category, self.address = plain_label(), plain_label(), plain_label()
        self.applicant, self.registered, self.due = plain_label(), plain_label(), plain_label()
        self.routing_due, self.countdown = plain_label(), plain_label()
        self.regime, self.control_due, self.redirect_due = plain_label(), plain_label(), plain_label()
        self.regime.setObjectName("regime")
        self.due.setObjectName("legalDue")
        self.control_due.setObjectName("controlDue")
        self.redirect_due.setObjectName("redirectDue")
        self.countdown.setObjectName("countdown")
        form.addRow(_t("Статус:"), self.status)
        form.addRow(_t("Режим:"), self.regime)
        form.addRow(_t("Категория и срок:"), self.category)
        form.addRow(_t("Место:"), self.address)
        form.addRow(_t("Заявитель:"), self.applicant)
        form.addRow(_t("Зарегистрировано:"), self.registered)
        form.addRow(_t("Ответ до:"), self.due)
        self.routing_row_label = QLabel(_t("Распределить до:"))
        form.addRow(self.routing_row_label, self.routing_due)
        self.control_row_label = QLabel(_t("Контрольный срок:"))
        form.addRow(self.control_row_label, self.control_due)
        self.redirect_row_label = QLabel(_t("Перенаправить до:"))
        form.addRow(self.redirect_row_label, self.redirect_due)
        form.addRow(_t("Осталось:"), self.countdown)
        layout.addLayout(form)
        self.text = plain_text_box()
        self.text.setObjectName("citizenText")
        self.text.setMinimumHeight(120)
        self.editor = AnswerEditor(worker, reader, zone, self._clock)
        # Message and answer side by side while a draft is approved; one above the other otherwise.
        self.content = QSplitter(Qt.Orientation.Vertical)
        self.content.setObjectName("cardContent")
        self.content.setChildrenCollapsible(False)
        self.content.addWidget(self._group(_t("Текст сообщения"), self.text))
        self.answer_group = self._group(_t("Проект ответа"), self.editor)
        self.content.addWidget(self.answer_group)
        self.content.setStretchFactor(0, 1)
        self.content.setStretchFactor(1, 1)
        layout.addWidget(self.content, 1)
        # Repeats from the same address or on the same problem (rejection ground 13), looked up on the worker.
        self.similar = SimilarMessages(worker, self._local)
        layout.addWidget(self.similar)
        self.attachments = QListWidget()
        self.attachments.setViewMode(QListWidget.ViewMode.IconMode)
        self.attachments.setIconSize(QSize(64, 48))
        self.attachments.setMaximumHeight(96)
        self.attachments.itemActivated.connect(
            lambda it: self.attachmentRequested.emit(it.data(Qt.ItemDataRole.UserRole)))
        self.attachments_group = self._group(_t("Вложения"), self.attachments)
        layout.addWidget(self.attachments_group)
        self.history = QListWidget()
        self.history.setMaximumHeight(160)
        self.history.setWordWrap(True)
        layout.addWidget(self._group(_t("История"), self.history))
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

    def set_search(self, text: str) -> None:
        """Mark the words of the queue's search ``text`` in the citizen's text (now and in items shown next)."""
        if text != self._search:
            self._search = text
            highlight_matches(self.text, text)

    @property
    def matches(self) -> list[tuple[int, int]]:
        """The marked ranges of the citizen's text (Qt positions)."""
        return [(s.cursor.selectionStart(), s.cursor.selectionEnd())
                for s in self.text.extraSelections()]

    def show_refusal(self, text: str) -> None:
        """Say in the card why an action was not done (until another item is shown)."""
        self.refusal.setText(text)
        self.refusal.setVisible(bool(text))

    def show_item(self, item_id: str | None) -> None:
        item = self._reader.item(item_id) if item_id else None
        if item is None or self._item is None or item.id != self._item.id:
            self.show_refusal("")
        self._item = item
        self._body.setEnabled(item is not None)
        self.offered = offered_actions(self._reader, item.id, self._clock()) if item is not None else []
        if item is None:
            self.title.setText(_t("Выберите сообщение в очереди"))
            self.deadlines = None
            for label in (self.subject, self.status, self.category, self.address, self.applicant,
                          self.registered, self.due, self.routing_due, self.countdown, self.regime,
                          self.control_due, self.redirect_due):
                label.setText("")
                label.setToolTip("")
            self.text.setPlainText("")
            self.editor.set_item(None, editable=False, autosave=False)
            for notice in (self.return_box, self.earlier_box, self.outcome_box, self.pending):
                notice.setText("")
                notice.hide()
            self.chain.hide()
            self.attachments.clear()
            self.history.clear()
            self.similar.show_for(None)
            self.shown.emit("")
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
        self._fill_deadlines(item)
        self.text.setPlainText(item.text)
        highlight_matches(self.text, self._search)
        self._fill_notices(item)
        self._fill_answer(item)
        self._fill_attachments(item)
        self._fill_history(item)
        self.similar.show_for(item.id)
        self.tick()
        self.shown.emit(item.id)

    def _fill_notices(self, item: Item) -> None:
        names = staff_names(self._reader)
        for box, text in ((self.return_box, return_comment(item, names, self._local)),
                          (self.earlier_box, earlier_answer(self._reader, item)),
                          (self.outcome_box, outcome(self._reader, item))):
            box.setText(text or "")
            box.setVisible(bool(text))
        pending, problem = outbox_notice(self._reader, item.id, self._local)
        self.pending.setText(pending)
        self.pending.setStyleSheet("color: #c62828; font-weight: 600;" if problem else "color: #1565c0;")
        self.pending.setVisible(bool(pending))

    def _fill_answer(self, item: Item) -> None:
        working = Action.SAVE_DRAFT in self.offered
        approving = Action.APPROVE in self.offered
        self.editor.set_item(item, editable=working or approving, autosave=working)
        sent = item.answer if item.draft is None and not working else None
        if sent is not None:  # the answer the platform sent: read-only, in the same place
            self.editor.show_sent(sent.text)
        self.answer_group.setVisible(working or approving or item.draft is not None or sent is not None)
        self.answer_group.setTitle(_t("Ответ заявителю (отправлен)") if sent is not None
                                   else _t("Проект ответа (можно исправить)") if approving else _t("Проект ответа"))
        side_by_side = Qt.Orientation.Horizontal if item.status is Status.ON_APPROVAL else Qt.Orientation.Vertical
        if self.content.orientation() != side_by_side:
            self.content.setOrientation(side_by_side)
            QTimer.singleShot(0, self._equal_halves)  # once laid out: message and answer get equal room
        row = self._reader.db.execute("SELECT json_extract(record, '$.approval_chain') FROM organisations "
                                      "WHERE id=?", [item.org_id]).fetchone()
        chain = [Role(r) for r in json.loads(row[0])] if row and row[0] else [Role.HEAD]
        in_chain = item.status in (Status.IN_WORK, Status.RETURNED, Status.ON_APPROVAL, Status.INTERIM_ANSWER,
                                   Status.ANSWERED)
        self.chain.show_chain(chain, item.status, item.approval_step)
        self.chain.setVisible(in_chain)

    def _equal_halves(self) -> None:
        horizontal = self.content.orientation() is Qt.Orientation.Horizontal
        half = max(1, (self.content.width() if horizontal else self.content.height()) // 2)
        self.content.setSizes([half, half])

    def _fill_deadlines(self, item: Item) -> None:
        """The legal due time, the stage's control time and an appeal's redirect time, each with its rule."""
        self._times.reload()  # small tables; a sync may have brought new terms or a new calendar year
        deadlines = self.deadlines = self._times.of(item)
        self.regime.setText(deadlines.regime)
        self.due.setText(self._local(item.due_at))
        self.due.setToolTip(answer_term_text(item, deadlines, self._times, self._zone))
        show_routing = Role.COORDINATOR in self._roles and item.routing_due_at is not None
        self.routing_due.setVisible(show_routing)
        self.routing_row_label.setVisible(show_routing)
        self.routing_due.setText(self._local(item.routing_due_at))
        routing = deadlines.legal if deadlines.legal is not None and deadlines.legal.rule == "routing" else None
        self.routing_due.setToolTip(routing.explanation if routing else "")
        control = deadlines.control
        self.control_due.setText(self._local(control.at) + (_t(" · ближайший") if deadlines.governing == control
                                                             else "") if control else "—")
        self.control_due.setToolTip(control.explanation if control else
                                    _t("Контрольный срок этапа не действует: сообщение вне этапов "
                                       "распределения, исполнения и утверждения"))
        redirect = deadlines.redirect
        self.redirect_due.setVisible(redirect is not None)
        self.redirect_row_label.setVisible(redirect is not None)
        self.redirect_due.setToolTip(redirect.explanation if redirect else "")

    def tick(self) -> None:
        if self._item is None:
            return
        now = self._clock()
        deadlines = self.deadlines
        governing = deadlines.governing if deadlines is not None else None
        text, level = countdown(governing.at if governing else None, now)
        if governing is not None and governing.rule == "control":
            text += _t(" (контрольный срок этапа)")
        self.countdown.setText(text)
        self.countdown.setToolTip(_t("Отсчёт идёт до ближайшего срока. {rule}").format(rule=governing.explanation)
                                  if governing else "")
        colour = URGENCY_COLOURS[level].name() if level else "palette(text)"
        self.countdown.setStyleSheet(f"color: {colour}; font-weight: 600;")
        redirect = deadlines.redirect if deadlines is not None else None
        if redirect is not None:
            left, redirect_level = countdown(redirect.at, now)
            self.redirect_due.setText(f"{self._local(redirect.at)} · {left}")
            colour = URGENCY_COLOURS[redirect_level].name() if redirect_level else "palette(text)"
            self.redirect_due.setStyleSheet(f"color: {colour};")
        self.ticked.emit()

    def _fill_attachments(self, item: Item) -> None:
        self.attachments.clear()
        self.attachments_group.setVisible(bool(item.attachments))
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
        for line in history_lines(self._reader, item, self._local):
            self.history.addItem(QListWidgetItem(line))
