"""Screenshots of «Администрирование» (issue 14) for desktop.screenshots: the staff tab with a deactivation being
confirmed, and the categories tab with a term being edited and refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from desktop.admin.categories import CategoryDialog
from desktop.admin.window import AdminWindow
from desktop.main_window import MainWindow
from offline_cache.domain.deadlines import TermKind
from offline_cache.domain.model import Role


def _settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    QApplication.processEvents()


def _wait(condition: Callable[[], bool], timeout_ms: int = 30_000) -> None:
    waited = 0
    while not condition() and waited < timeout_ms:
        _settle(100)
        waited += 100


def _with_dialog(window: QWidget, dialog: QWidget, path: Path) -> None:
    """The window with its dialog drawn over it (offscreen, grab() sees one widget at a time)."""
    _settle()
    picture = window.grab()
    shot = dialog.grab()
    painter = QPainter(picture)
    x = max(0, (picture.width() - shot.width()) // 2)
    y = max(0, (picture.height() - shot.height()) // 2)
    painter.drawPixmap(x, y, shot)
    painter.end()
    QPixmap(picture).save(str(path))


def admin_shots(window: MainWindow, role: Role, out: Path) -> list[Path]:
    """admin-staff.png and admin-categories.png for the administrator; nothing for other roles."""
    if role is not Role.ADMIN or window.admin is None:
        return []
    admin = window.admin.open()
    assert isinstance(admin, AdminWindow)
    admin.resize(1280, 720)
    _wait(lambda: any(r.login for r in admin.staff.model.rows))
    saved: list[Path] = []
    staff = admin.staff
    busy = max(staff.model.rows, key=lambda r: (r.staff.active and Role.EXECUTOR in r.staff.roles, r.open_items or 0))
    staff.table.selectRow(staff.model.row_of(busy.staff.id))
    staff.ask_deactivate()
    _wait(lambda: staff.confirm is not None and staff.confirm.isVisible())
    path = out / "admin-staff.png"
    if staff.confirm is not None:
        _with_dialog(admin, staff.confirm, path)
        staff.confirm.reject()  # only shown: the demo keeps its staff
    else:
        _settle()
        admin.grab().save(str(path))
    saved.append(path)
    admin.tabs.setCurrentWidget(admin.categories)
    categories = admin.categories
    _wait(lambda: categories.model.rowCount() > 0)
    categories.table.selectRow(0)
    categories.open_edit()
    dialog = categories.dialog
    path = out / "admin-categories.png"
    if isinstance(dialog, CategoryDialog):
        dialog.kind.setCurrentIndex(dialog.kind.findData(TermKind.CUSTOM.value))
        dialog.days.setValue(30)  # refused: a custom fast-track must be shorter than 30 days
        _with_dialog(admin, dialog, path)
        dialog.reject()
    else:
        _settle()
        admin.grab().save(str(path))
    saved.append(path)
    admin.close()
    return saved
