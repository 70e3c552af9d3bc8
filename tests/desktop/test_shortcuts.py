"""Every window-wide shortcut of the main window answers to one action only, for every role."""

from __future__ import annotations

from collections import defaultdict

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QShortcut

from tests.desktop.conftest import WindowFactory

# A shortcut limited to a widget (the editor, a list) may repeat one elsewhere; window-wide ones may not.
WIDE = (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)


@pytest.mark.parametrize("user", ["c-admin", "c-coord", "c-exec1", "c-head", "c-cur"])
def test_window_shortcuts_are_unique(open_window: WindowFactory, user: str) -> None:
    window = open_window(user)
    owners: dict[str, set[str]] = defaultdict(set)
    for action in window.findChildren(QAction):
        if action.shortcutContext() in WIDE:
            for key in action.shortcuts():
                if not key.isEmpty():
                    owners[key.toString()].add(action.text().replace("&", ""))
    for shortcut in window.findChildren(QShortcut):
        if shortcut.context() in WIDE and shortcut.isEnabled() and not shortcut.key().isEmpty():
            owners[shortcut.key().toString()].add(f"QShortcut {shortcut.objectName() or shortcut.whatsThis()}")
    clashes = {key: names for key, names in owners.items() if len(names) > 1}
    assert not clashes, clashes
    assert len(owners) >= 10  # the window really has its shortcuts (the test can see them)
