"""A bar saying an attachment could not be opened, offering to save it instead."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from offline_cache.store.cache import Cache


def _t(text: str) -> str:
    return QCoreApplication.translate("OpenFailed", text)


class OpenFailedBar(QFrame):
    """No program on this computer could show the attachment: say so, offer «Сохранить как…».

    Signals:
        saved(str): the attachment was written to this path.
    """

    saved = Signal(str)

    def __init__(self, reader: Cache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openFailed")
        self.setStyleSheet("#openFailed { background: #fff3c4; } QLabel { color: #5d4200; }")
        self._reader = reader
        self._att_id = ""
        self._name = ""
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # the file name comes from a citizen
        self.message.setWordWrap(True)
        self.save_button = QPushButton(_t("Сохранить как…"))
        self.save_button.setObjectName("saveAttachmentAs")
        self.save_button.clicked.connect(self.ask_where)
        close = QPushButton(_t("Закрыть"))
        close.clicked.connect(self.hide)
        row.addWidget(self.message, 1)
        row.addWidget(self.save_button)
        row.addWidget(close)
        self.dialog: QFileDialog | None = None
        self.hide()

    def show_for(self, att_id: str, name: str) -> None:
        self._att_id, self._name = att_id, name
        self.message.setText(_t("Не удалось открыть «{name}»: на этом компьютере нет программы для файлов "
                                "такого типа. Сохраните файл и откройте его другой программой.").format(name=name))
        self.show()

    def ask_where(self) -> None:
        """The save dialog (Qt's own, so it looks the same everywhere and tests can drive it)."""
        dialog = QFileDialog(self.window(), _t("Сохранить вложение"), str(Path.home() / self._name))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.fileSelected.connect(self.save_to)
        self.dialog = dialog
        dialog.open()

    def save_to(self, path: str) -> None:
        data = self._reader.attachment_data(self._att_id)
        if data is None:
            self.message.setText(_t("Файл ещё не загружен с платформы."))
            return
        try:
            Path(path).write_bytes(data)
        except OSError as exc:
            self.message.setText(_t("Не удалось сохранить файл: {e}").format(e=exc.strerror or exc))
            return
        self.message.setText(_t("Сохранено: {path}").format(path=path))
        self.saved.emit(path)
