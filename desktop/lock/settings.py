"""The application's QSettings: kept owner-only on POSIX, and the auto-lock's idle period read from them."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings

from offline_cache.store.database import FILE_MODE, secure_file, secure_folder

IDLE_KEY = "security/idle_lock_minutes"
DEFAULT_IDLE_MINUTES = 10


def app_settings() -> QSettings:
    """The workstation's settings (window layout, preferences), made owner-only before Qt writes them."""
    settings = QSettings("POS Desk", "POS Desk")
    secure_settings(settings)
    return settings


def secure_settings(settings: QSettings) -> None:
    """Create the settings file 0600 in a 0700 folder before Qt first writes it; Qt keeps an existing file's
    permissions when it saves. Older versions left it 0644."""
    if sys.platform == "win32" or settings.format() not in (QSettings.Format.NativeFormat,
                                                            QSettings.Format.IniFormat):
        return  # Windows keeps native settings in the user's own registry hive
    path = Path(settings.fileName())
    secure_folder(path.parent)
    if path.exists():
        secure_file(path)
    else:
        path.touch(mode=FILE_MODE)


def idle_minutes(settings: QSettings) -> float:
    """Minutes of inactivity before the window locks (0 or less: never); default 10."""
    raw = settings.value(IDLE_KEY, DEFAULT_IDLE_MINUTES)
    try:
        return float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_IDLE_MINUTES
