"""The status bar's «Перестройка поискового индекса: 45 %» while an upgraded cache's index is rewritten."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget

from offline_cache.search_rebuild import RebuildProgress, pending


def _t(text: str) -> str:
    return QCoreApplication.translate("IndexStatus", text)


class IndexStatus(QLabel):
    """Shown while the rewrite is under way (search works meanwhile), hidden once it is done."""

    def __init__(self, conn: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("indexProgress")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setToolTip(_t("Поиск работает и во время перестройки: слова ищутся во всех формах"))
        self.hide()
        progress = pending(conn)  # the window may open after the first reports
        if progress is not None:
            self.show_progress(progress.done, progress.last)

    def show_progress(self, done: int, last: int) -> None:
        progress = RebuildProgress(done, last)
        if progress.finished:
            self.hide()
            return
        self.setText(_t("Перестройка поискового индекса: {percent} %").format(percent=progress.percent))
        self.show()
