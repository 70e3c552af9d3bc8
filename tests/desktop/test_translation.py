"""Translations: a .qm file dropped into resources/translations switches the UI language."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop.app import install_translation
from desktop.labels import queue_name, status_name
from offline_cache.queues import QueueId

TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context><name>Labels</name>
<message><source>Все</source><translation>All</translation></message>
<message><source>В работе</source><translation>In progress</translation></message>
</context>
</TS>
"""


def lrelease() -> str:
    tool = shutil.which("pyside6-lrelease") or str(Path(sys.executable).parent / "pyside6-lrelease")
    if not Path(tool).exists():
        pytest.fail("pyside6-lrelease is missing: it ships with pyside6-essentials")
    return tool


def test_a_dropped_in_qm_file_translates_the_ui(qapp: QApplication, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "translations"
    folder.mkdir()
    (folder / "posdesk_en.ts").write_text(TS, encoding="utf-8")
    subprocess.run([lrelease(), str(folder / "posdesk_en.ts"), "-qm", str(folder / "posdesk_en.qm")],
                   check=True, capture_output=True)
    monkeypatch.setenv("POSDESK_RESOURCES", str(tmp_path))
    assert queue_name(QueueId.ALL) == "Все"
    translator = install_translation(qapp, "en")
    assert translator is not None
    try:
        assert queue_name(QueueId.ALL) == "All"
        assert status_name("in_work") == "In progress"
        assert queue_name(QueueId.OVERDUE) == "Просроченные"  # untranslated strings stay Russian
    finally:
        qapp.removeTranslator(translator)
    assert queue_name(QueueId.ALL) == "Все"


def test_russian_needs_no_file(qapp: QApplication) -> None:
    assert install_translation(qapp, "ru") is None


def test_qts_own_buttons_speak_russian(qapp: QApplication, qtbot: QtBot) -> None:
    install_translation(qapp, "en")  # no posdesk_en.qm here: the UI stays Russian, and so must Qt's buttons
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                               | QDialogButtonBox.StandardButton.Save)
    qtbot.addWidget(buttons)
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Отмена"
    assert buttons.button(QDialogButtonBox.StandardButton.Save).text() == "Сохранить"
    assert len(qapp.findChildren(QTranslator, "qtbase")) == 1
    install_translation(qapp, "ru")  # again: replaced, not stacked
    assert len(qapp.findChildren(QTranslator, "qtbase")) == 1
