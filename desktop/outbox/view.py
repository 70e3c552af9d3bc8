"""«Исходящие»: undelivered actions with their states; cancel, correct and re-send, discard, resolve conflicts."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.conflict.dialog import ConflictDialog
from desktop.labels import outbox_state_name, short_action_name
from desktop.outbox.model import COLUMNS, OutboxModel
from desktop.outbox.resend import ResendDialog
from offline_cache.store.cache import OutboxEntry

if TYPE_CHECKING:
    from desktop.session import Session


def _t(text: str) -> str:
    return QCoreApplication.translate("OutboxWindow", text)


class OutboxWindow(QDialog):
    """The outbox as a window beside the workstation (not modal: the queue stays usable).

    Signals:
        itemRequested(str): show this item in the main window (its id).
        editRequested(str): open this item's local draft in the editor (after «Изменить…» in a conflict).
    """

    itemRequested = Signal(str)
    editRequested = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outboxWindow")
        self.setWindowTitle(_t("Исходящие"))
        self.session = session
        self._names = {str(i): str(n) for i, n in session.reader.db.execute("SELECT id, full_name FROM staff")}
        self.model = OutboxModel(session.reader, session.me.user.id, session.me.organisation.timezone, self)
        layout = QVBoxLayout(self)
        intro = QLabel(_t("Действия, ещё не доставленные на платформу, в порядке отправки. Ничего не удаляется "
                          "само: отклонённое платформой и конфликты ждут вашего решения."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableView()
        self.table.setObjectName("outboxTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in zip(COLUMNS, (150, 170, 110, 190, 170, 260), strict=True):
            header.resizeSection(COLUMNS.index(column), width)
        layout.addWidget(self.table, 3)
        self.details = QPlainTextEdit()
        self.details.setObjectName("outboxDetails")
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(140)
        layout.addWidget(self.details, 1)
        self.outcome = QLabel()
        self.outcome.setObjectName("outboxResult")
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        self.outcome.setWordWrap(True)
        layout.addWidget(self.outcome)

        row = QHBoxLayout()
        self.cancel_button = self._button(row, _t("Отменить отправку"), "cancelEntry", "Del", self.cancel_selected)
        self.fix_button = self._button(row, _t("Исправить и отправить…"), "fixEntry", "Ctrl+E", self.fix_selected)
        self.resolve_button = self._button(row, _t("Разрешить конфликт…"), "resolveEntry", "Ctrl+R",
                                           self.resolve_selected)
        self.discard_button = self._button(row, _t("Отказаться…"), "discardEntry", "Shift+Del",
                                           self.discard_selected)
        self.open_button = self._button(row, _t("Открыть сообщение"), "openEntryItem", "Ctrl+O", self._open_item)
        row.addStretch(1)
        self.show_finished = QCheckBox(_t("Показывать завершённые"))
        self.show_finished.setObjectName("showFinished")
        self.show_finished.toggled.connect(self._toggle_finished)
        row.addWidget(self.show_finished)
        layout.addLayout(row)

        self.confirm: QMessageBox | None = None
        self.resend_dialog: ResendDialog | None = None
        self.conflict_dialog: ConflictDialog | None = None
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._selection_changed())
        self.model.modelReset.connect(self._selection_changed)
        bridge = session.worker.bridge
        self._connections: tuple[tuple[Any, Any], ...] = (
            (bridge.outboxChanged, self._outbox_changed), (bridge.outboxOpFinished, self._op_finished))
        for signal, slot in self._connections:
            signal.connect(slot)
        self.resize(1120, 520)
        if self.model.rowCount():
            self.table.selectRow(0)
        self._selection_changed()

    def _button(self, row: QHBoxLayout, text: str, name: str, keys: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(f"{text} ({QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)})")
        button.clicked.connect(slot)
        QShortcut(QKeySequence(keys), self, activated=slot)  # type: ignore[call-overload]
        row.addWidget(button)
        return button

    # --- selection --------------------------------------------------------------------------

    def selected(self) -> OutboxEntry | None:
        index = self.table.currentIndex()
        return self.model.entry(index.row()) if index.isValid() else None

    def select_entry(self, entry_id: int) -> None:
        row = self.model.row_of(entry_id)
        if row >= 0:
            self.table.selectRow(row)

    def _selection_changed(self) -> None:
        entry = self.selected()
        mine = entry is not None and self.model.is_mine(entry)
        state = entry.state if entry is not None else ""
        self.cancel_button.setEnabled(mine and state == "pending")
        self.fix_button.setEnabled(mine and state == "failed")
        self.resolve_button.setEnabled(mine and state == "conflict")
        self.discard_button.setEnabled(mine and state in ("failed", "conflict"))
        self.open_button.setEnabled(entry is not None)
        self.details.setPlainText(self._describe(entry) if entry is not None else "")

    def _describe(self, entry: OutboxEntry) -> str:
        state = outbox_state_name(entry.state)
        lines = [f"{short_action_name(entry.action)} · № {self.model.number(entry)} · {state}",
                 _t("Поставлено: {t} · кто: {who}").format(t=self.model.queued(entry), who=self.model.who(entry))]
        if not self.model.is_mine(entry):
            lines.append(_t("Действие другого входа: под вашим логином оно не отправляется и не меняется."))
        for key, value in entry.payload.items():
            if key in ("text", "comment") and value:
                lines.append(f"{'Текст' if key == 'text' else 'Комментарий'}: {value}")
        if entry.last_error:
            lines.append(_t("Причина: {e}").format(e=entry.last_error))
        if entry.attempts:
            lines.append(_t("Попыток отправки: {n}").format(n=entry.attempts))
        return "\n".join(lines)

    def _toggle_finished(self, show: bool) -> None:
        self.model.set_show_finished(show)

    def _outbox_changed(self, _counts: dict[str, int]) -> None:
        entry = self.selected()
        row = self.table.currentIndex().row()
        self.model.reload()
        target = self.model.row_of(entry.id) if entry is not None else -1
        if target < 0 and self.model.rowCount():
            target = min(max(row, 0), self.model.rowCount() - 1)
        if target >= 0:
            self.table.selectRow(target)

    def _op_finished(self, entry_id: int, error: str) -> None:
        self.outcome.setStyleSheet("color: #c62828;" if error else "color: #2e7d32;")
        self.outcome.setText(error or _t("Готово."))
        if not error:
            self._outbox_changed({})

    # --- the official's choices -------------------------------------------------------------

    def cancel_selected(self) -> None:
        entry = self.selected()
        if entry is None or not self.cancel_button.isEnabled():
            return
        self.session.worker.cancel_entry(entry.id)

    def fix_selected(self) -> None:
        entry = self.selected()
        if entry is None or not self.fix_button.isEnabled():
            return
        dialog = ResendDialog(entry, self.model.number(entry), self)
        dialog.accepted.connect(lambda: self.session.worker.resend_entry(entry.id, dialog.payload()))
        self.resend_dialog = dialog
        dialog.open()

    def discard_selected(self) -> None:
        entry = self.selected()
        if entry is None or not self.discard_button.isEnabled():
            return
        box = QMessageBox(QMessageBox.Icon.Warning, _t("Отказаться от действия"),
                          _t("Отказаться от действия «{a}» по сообщению № {n}? Оно не будет отправлено на "
                             "платформу. Запись останется в «Исходящих» (завершённые) и в журнале.").format(
                              a=short_action_name(entry.action), n=self.model.number(entry)),
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("discardConfirm")
        drop = box.addButton(_t("Отказаться"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(_t("Оставить"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.buttonClicked.connect(
            lambda button: self.session.worker.discard_entry(entry.id) if button is drop else None)
        self.confirm = box
        box.open()

    def resolve_selected(self) -> None:
        entry = self.selected()
        if entry is None or not self.resolve_button.isEnabled():
            return
        self.open_conflict(entry)

    def open_conflict(self, entry: OutboxEntry, *, activate: bool = True) -> ConflictDialog:
        """The conflict's dialog, not modal: the queue and «Исходящие» stay usable beside it."""
        dialog = ConflictDialog(entry, self.model.number(entry), self._names, self.session.me.organisation.timezone,
                                self)
        worker = self.session.worker
        dialog.reapplyChosen.connect(worker.reapply_entry)
        dialog.acceptTheirsChosen.connect(worker.accept_theirs)
        dialog.editChosen.connect(lambda entry_id: self._edit(entry_id, entry.item_id))
        self.conflict_dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, not activate)
        dialog.show()
        return dialog

    def _edit(self, entry_id: int, item_id: str) -> None:
        self.session.worker.accept_theirs(entry_id)  # my text becomes the item's local draft …
        self.editRequested.emit(item_id)  # … and opens in the editor to be reworked

    def _open_item(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.itemRequested.emit(entry.item_id)

    def detach(self) -> None:
        """The main window closes: stop listening to the session (its reader closes right after)."""
        for signal, slot in self._connections:
            with contextlib.suppress(RuntimeError, TypeError):  # already gone
                signal.disconnect(slot)
        self._connections = ()
        self.close()
