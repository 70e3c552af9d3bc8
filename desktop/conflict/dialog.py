"""The conflict dialog: my queued action beside the platform's current item, and three ways out that lose nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.card.card import plain_label
from desktop.clock import utc_label, zone_time
from desktop.labels import history_action_name, short_action_name, status_name
from offline_cache.contract.models import Item
from offline_cache.store.cache import OutboxEntry


def _t(text: str) -> str:
    return QCoreApplication.translate("ConflictDialog", text)


def _text_box(text: str, name: str) -> QPlainTextEdit:
    box = QPlainTextEdit(text)
    box.setObjectName(name)
    box.setReadOnly(True)
    return box


def my_text(entry: OutboxEntry) -> str:
    """The words the official's action carried (answer text, else comment)."""
    for key in ("text", "comment"):
        value = entry.payload.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def their_text(item: Item | None) -> str:
    """The platform's current words on the item: its draft or answer, else the latest comment."""
    if item is None:
        return ""
    for words in (item.draft, item.answer, item.interim_answer):
        if words is not None and words.text:
            return words.text
    latest = item.history[-1] if item.history else None
    return latest.comment if latest is not None else ""


class ConflictDialog(QDialog):
    """Both versions side by side; «Применить моё», «Принять версию платформы», «Изменить…», «Решить позже».

    Signals:
        reapplyChosen(int): re-apply my action on the platform's current version (entry id).
        acceptTheirsChosen(int): keep the platform's version; my text becomes the item's local draft.
        editChosen(int): keep the platform's version and open my text in the editor to rework it.
    """

    reapplyChosen = Signal(int)
    acceptTheirsChosen = Signal(int)
    editChosen = Signal(int)

    def __init__(self, entry: OutboxEntry, number: str, names: dict[str, str], zone: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.entry = entry
        tz = ZoneInfo(zone)
        self.setWindowTitle(_t("Конфликт с платформой — № {n}").format(n=number))
        layout = QVBoxLayout(self)
        intro = plain_label(_t("Пока ваше действие ждало отправки, сообщение № {n} изменили на платформе, и действие "
                          "к новой версии не подошло. Ничего не потеряно: сравните версии и выберите, "
                          "как поступить.").format(n=number))
        layout.addWidget(intro)
        self.reason = plain_label(_t("Ответ платформы: {r}").format(r=entry.last_error or "—"))
        self.reason.setObjectName("conflictReason")
        self.reason.setStyleSheet("color: #b26a00;")
        layout.addWidget(self.reason)

        side = QHBoxLayout()
        queued = datetime.fromisoformat(entry.created_at)
        mine = QGroupBox(_t("Моё действие"))
        mine_form = QFormLayout(mine)
        mine_form.addRow(_t("Действие:"), plain_label(short_action_name(entry.action)))
        mine_form.addRow(_t("Поставлено:"), plain_label(f"{zone_time(queued, tz)} ({utc_label(tz, queued)})"))
        mine_form.addRow(_t("Основано на версии:"), plain_label(str(entry.base_version)))
        self.mine_text = _text_box(my_text(entry), "mineText")
        mine_form.addRow(_t("Мой текст:"), self.mine_text)
        side.addWidget(mine)

        server = entry.server_record
        theirs = QGroupBox(_t("Сейчас на платформе"))
        theirs_form = QFormLayout(theirs)
        if server is not None:
            latest = server.history[-1] if server.history else None
            who = names.get(latest.actor_id or "", latest.actor_id or _t("платформа")) if latest else "—"
            what = f"{history_action_name(latest.action)} · {who}" if latest else "—"
            changed = f"{zone_time(server.updated_at, tz)} ({utc_label(tz, server.updated_at)})"
            theirs_form.addRow(_t("Статус:"), plain_label(status_name(server.status)))
            theirs_form.addRow(_t("Исполнитель:"), plain_label(names.get(server.assignee_id or "", "—")))
            theirs_form.addRow(_t("Последнее изменение:"), plain_label(f"{what}, {changed}"))
            theirs_form.addRow(_t("Версия:"), plain_label(str(server.version)))
        else:
            theirs_form.addRow(plain_label(_t("Платформа не прислала текущую версию; она придёт со следующей "
                                         "синхронизацией.")))
        self.their_text = _text_box(their_text(server), "theirText")
        self.their_text.setPlaceholderText(_t("На платформе текста ответа нет"))
        theirs_form.addRow(_t("Текст на платформе:"), self.their_text)
        side.addWidget(theirs)
        layout.addLayout(side, 1)

        buttons = QHBoxLayout()
        self.reapply = QPushButton(_t("Применить моё к текущей версии"))
        self.reapply.setObjectName("reapplyMine")
        self.reapply.setShortcut(QKeySequence("Alt+1"))
        self.reapply.setToolTip(_t("Отправить моё действие заново, поверх версии платформы (Alt+1)"))
        self.accept_theirs = QPushButton(_t("Принять версию платформы"))
        self.accept_theirs.setObjectName("acceptTheirs")
        self.accept_theirs.setShortcut(QKeySequence("Alt+2"))
        self.accept_theirs.setToolTip(_t("Оставить как на платформе; мой текст сохранится черновиком (Alt+2)"))
        self.edit = QPushButton(_t("Изменить…"))
        self.edit.setObjectName("editMine")
        self.edit.setShortcut(QKeySequence("Alt+3"))
        self.edit.setToolTip(_t("Принять версию платформы и открыть мой текст в редакторе (Alt+3)"))
        later = QPushButton(_t("Решить позже"))
        later.clicked.connect(self.reject)
        for button, signal in ((self.reapply, self.reapplyChosen), (self.accept_theirs, self.acceptTheirsChosen),
                               (self.edit, self.editChosen)):
            button.clicked.connect(lambda _c=False, s=signal: self._choose(s))
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(later)
        layout.addLayout(buttons)
        note = plain_label(_t("Мой текст не пропадёт ни при каком выборе: при «Принять версию платформы» и «Изменить…» "
                         "он остаётся черновиком этого сообщения."))
        layout.addWidget(note)
        self.resize(900, 520)

    def _choose(self, signal: Signal) -> None:
        signal.emit(self.entry.id)  # type: ignore[attr-defined]
        self.accept()
