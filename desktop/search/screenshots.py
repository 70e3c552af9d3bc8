"""Screenshot of search by word forms: «дорога» typed, the card marking «дороге» and listing similar messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from desktop.main_window import MainWindow
from offline_cache.highlight import match_ranges
from offline_cache.queues import QueueId

QUERY = "дорога"


def _wait(done: Callable[[], object], timeout_ms: int = 30_000) -> None:
    """Let events run until ``done()`` holds (or the timeout)."""
    loop = QEventLoop()
    timer = QTimer(interval=50)
    timer.timeout.connect(lambda: loop.quit() if done() else None)
    timer.start()
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    timer.stop()


def search_shots(window: MainWindow, out: Path) -> list[Path]:
    """In «Все», search «дорога» and show the first item whose text holds another form of the word."""
    if QueueId.ALL not in window.queues:
        return []
    window.navigation.setCurrentRow(window.queues.index(QueueId.ALL))
    window.panel.search.setText(QUERY)
    window.panel.apply_filters()
    reader = window.session.reader
    for row in range(window.model.rowCount()):
        item = reader.item(window.model.item_id(row) or "")
        forms = [item.text[s:e].lower() for s, e in match_ranges(item.text, QUERY)] if item else []
        if item is not None and any(form != QUERY for form in forms):
            window.panel.select_item(item.id)
            break
    else:
        return []
    similar = window.card.similar
    _wait(lambda: similar.item_id and not similar._request)
    QApplication.processEvents()
    path = out / "search-highlight.png"
    window.grab().save(str(path))
    return [path]
