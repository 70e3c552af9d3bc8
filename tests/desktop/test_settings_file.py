"""The window's QSettings file is created 0600 in a 0700 folder (POSIX), and an older 0644 one is tightened."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop.lock.settings import DEFAULT_IDLE_MINUTES, IDLE_KEY, app_settings, idle_minutes

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


@pytest.fixture
def config_home(tmp_path: Path) -> Iterator[Path]:
    previous = os.umask(0o022)
    folder = tmp_path / "config"
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder
    os.umask(previous)
    home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")  # Qt's default on POSIX
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_settings_file_is_owner_only(config_home: Path) -> None:
    settings = app_settings()
    settings.setValue("window/geometry", "x")
    settings.sync()
    path = Path(settings.fileName())
    assert path.is_relative_to(config_home) and path.exists()
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    os.chmod(path, 0o644)
    os.chmod(path.parent, 0o755)
    again = app_settings()
    again.setValue("window/geometry", "y")
    again.sync()
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


def test_idle_period_defaults_to_ten_minutes_and_is_configurable(config_home: Path) -> None:
    settings = app_settings()
    assert idle_minutes(settings) == DEFAULT_IDLE_MINUTES == 10
    settings.setValue(IDLE_KEY, 3)
    assert idle_minutes(settings) == 3
    settings.setValue(IDLE_KEY, "чепуха")
    assert idle_minutes(settings) == 10
