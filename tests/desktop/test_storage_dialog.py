"""A cache that will not open is told in the login dialog as what it is, promptly, and the file stays as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.app import make_app, open_profile
from desktop.startup import LoginDialog
from offline_cache.profile import ProfileSettings, cache_path
from offline_cache.store.database import CacheError, CorruptCacheError, NotACacheError
from tests.desktop.profiles import real_home
from tests.world import PASSWORD, World

__all__ = ["real_home"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("damage", "kind", "needle"), [
    ("truncate", CorruptCacheError, "повреждён или обрезан"),
    ("empty", NotACacheError, "пуст (0 байт)"),
])
def test_a_damaged_cache_is_told_in_the_login_dialog(real_home: Path, world: World, qtbot: QtBot, damage: str,
                                                    kind: type[CacheError], needle: str) -> None:
    make_app([])
    settings = ProfileSettings(world.url, "c-coord")
    open_profile(settings, PASSWORD).close()  # the first login makes the cache
    path = cache_path(settings.profile)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100] if damage == "truncate" else b"")
    before = sha(path)
    with pytest.raises(CacheError) as caught:
        open_profile(settings, PASSWORD)
    assert type(caught.value) is kind and needle in caught.value.message
    assert sha(path) == before
    dialog = LoginDialog(settings)  # what the application shows: the login dialog with the reason
    qtbot.addWidget(dialog)
    dialog.show_error(caught.value.message)
    assert dialog.error.text() == caught.value.message
    assert dialog.error.textFormat() == Qt.TextFormat.PlainText
