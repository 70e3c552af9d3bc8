"""Subprocess for the autosave crash test: a real window over a real SQLCipher file, typing until killed.

Usage: autosave_app.py URL CACHE_PATH KEY_HEX LOGIN ITEM_ID TEXT. Prints «autosaved» once the editor's
autosave reached the cache, then keeps running: the test kills it with SIGKILL.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: make the repo importable
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from desktop.main_window import MainWindow
from desktop.session import open_session
from offline_cache.client import ClientConfig, PlatformClient
from tests.desktop.user_actions import type_text


def main(argv: list[str]) -> int:
    url, cache_path, key_hex, login, item_id, text = argv[:6]
    app = QApplication(sys.argv[:1])
    client = PlatformClient(ClientConfig(url))
    client.login(login, "pw")
    session = open_session(client, Path(cache_path), bytes.fromhex(key_hex), training=False)
    settings = QSettings(str(Path(cache_path).with_suffix(".ini")), QSettings.Format.IniFormat)
    window = MainWindow(session, settings=settings)
    window.show()
    editor = window.card.editor

    def synced(status: str, _message: str) -> None:
        if status != "idle" or editor.text.toPlainText():
            return
        window._refresh_now()
        window.panel.select_item(item_id)
        if window.card.item is None or window.card.item.id != item_id or editor.text.isReadOnly():
            return
        editor.text.setFocus()
        type_text(editor.text, text)  # typed like an official: key presses, no explicit save

    def saved(saved_id: str, error: str) -> None:
        if saved_id == item_id:
            print(f"autosaved {error}" if error else "autosaved", flush=True)

    session.worker.bridge.statusChanged.connect(synced)
    editor.autosaved.connect(saved)
    QTimer.singleShot(0, session.worker.sync_now)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
