"""«Администрирование»: the administrator's window with a tab per area, opened from the main window.

Online only, said plainly: every change goes straight to the platform through the worker; when the
platform cannot be reached the tabs show the cache read-only under a banner saying why.

Hooks for more tabs (auto-rules, organisation templates):

* ``AdminWindow.add_page(title, widget)`` adds a tab to an open window;
* ``register_page(title, factory)`` makes every window built afterwards call ``factory(window)`` and add
  the widget it returns. A page reaches the platform with ``window.ops.call(...)`` (worker thread,
  audit line, directory refresh) and follows ``window.ops.onlineChanged`` to go read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDialog, QTabWidget, QVBoxLayout, QWidget

from desktop.admin.categories import CategoriesPage
from desktop.admin.events import EventsPage
from desktop.admin.online import AdminOps
from desktop.admin.org_templates import OrgTemplatesPage
from desktop.admin.rules import AutoRulesPage
from desktop.admin.staff import StaffPage
from desktop.admin.table import plain_label
from desktop.session import Session
from offline_cache.domain.model import Role

if TYPE_CHECKING:
    from desktop.main_window import MainWindow

ADMIN_SHORTCUT = "Ctrl+Shift+M"

#: (title, factory) of tabs other features add to every window built afterwards (see ``register_page``).
_EXTRA_PAGES: list[tuple[str, Callable[[AdminWindow], QWidget]]] = []


def _t(text: str) -> str:
    return QCoreApplication.translate("AdminWindow", text)


def register_page(title: str, factory: Callable[[AdminWindow], QWidget]) -> None:
    """Add a tab ``title`` built by ``factory(window)`` to every administration window opened from now on."""
    if all(existing != title for existing, _f in _EXTRA_PAGES):
        _EXTRA_PAGES.append((title, factory))


class AdminWindow(QDialog):
    """The administration tabs under one banner and one status line."""

    def __init__(self, session: Session, clock: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adminWindow")
        self.setWindowTitle(_t("Администрирование — {org}").format(org=session.me.organisation.name))
        self.resize(1200, 640)
        self.session = session
        me = session.me
        self.ops = AdminOps(session.worker, user_id=me.user.id, offline_reason=session.offline_reason, parent=self)
        layout = QVBoxLayout(self)
        self.banner = plain_label("adminOfflineBanner",
                                  "background: #fdecea; color: #8e1b1b; padding: 6px; font-weight: 600;")
        layout.addWidget(self.banner)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("adminTabs")
        layout.addWidget(self.tabs, 1)
        self.status = plain_label("adminStatus")  # names and messages come from outside
        layout.addWidget(self.status)
        zone = ZoneInfo(me.organisation.timezone)
        self.staff = StaffPage(session.reader, self.ops, me.organisation.id, zone, clock, self.say)
        self.categories = CategoriesPage(session.reader, self.ops, self.say)
        self.events = EventsPage(session.reader, self.ops, zone)
        self.tabs.addTab(self.staff, _t("Сотрудники"))
        self.tabs.addTab(self.categories, _t("Категории"))
        self.tabs.addTab(self.events, _t("Журнал изменений"))  # always last: ``add_page`` inserts before it
        self.rules = AutoRulesPage(session.reader, self.ops, me.organisation.id, zone, clock, self.say,
                                   own_banner=False)
        self.org_templates = OrgTemplatesPage(session.reader, self.ops, me.organisation.id, zone, clock, self.say,
                                              own_banner=False)
        self.add_page(_t("Авторазбор"), self.rules)
        self.add_page(_t("Шаблоны организации"), self.org_templates)
        for title, factory in _EXTRA_PAGES:
            self.add_page(title, factory(self))
        for n in range(1, 10):  # Ctrl+1…9 switch tabs, as they switch queues in the main window
            go = QAction(self, shortcut=QKeySequence(f"Ctrl+{n}"))
            go.triggered.connect(lambda _c=False, i=n - 1: self.tabs.setCurrentIndex(i)
                                 if i < self.tabs.count() else None)
            self.addAction(go)
        self.ops.onlineChanged.connect(self._online_changed)
        self.ops.changed.connect(lambda _action: self.events.reload())
        self.tabs.currentChanged.connect(lambda i: self.events.reload() if self.tabs.widget(i) is self.events
                                         else None)
        self._online_changed(self.ops.online, self.ops.reason)
        self.reload()

    def add_page(self, title: str, widget: QWidget) -> int:
        """Add a tab before «Журнал изменений» (the hook for more administration areas); returns its index."""
        return self.tabs.insertTab(self.tabs.indexOf(self.events), widget, title)

    def reload(self) -> None:
        """Fresh data from the platform when it is reachable; the cache otherwise (already shown)."""
        if self.ops.online:
            self.staff.reload()
            self.categories.reload()
            self.rules.reload()
            self.org_templates.reload()

    def say(self, text: str, problem: bool = False) -> None:
        self.status.setStyleSheet("color: #c62828; font-weight: 600;" if problem else "color: #2e7d32;")
        self.status.setText(text)

    def _online_changed(self, online: bool, reason: str) -> None:
        if online:
            self.banner.hide()
            return
        self.banner.setText(_t("Только просмотр: изменения вносятся сразу на платформе, а связи с ней нет ({why}). "
                               "Показаны данные из кэша на момент последней синхронизации.").format(
            why=reason.rstrip(".") or _t("нет связи")))
        self.banner.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.ops.detach()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self.ops.detach()
        super().done(result)


class AdminSupport(QObject):
    """The main window's «Администрирование» menu (offered to administrators only) and the open window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.main = window
        self.window: AdminWindow | None = None
        self.action = QAction(_t("Администрирование…"), window)
        self.action.setObjectName("adminAction")
        self.action.setShortcut(QKeySequence(ADMIN_SHORTCUT))
        self.action.triggered.connect(self.open)
        menu = window.menuBar().addMenu(_t("Администрирование"))
        menu.setObjectName("adminMenu")
        menu.addAction(self.action)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The main window closes (the session with it): the administration window stops listening first.
        if watched is self.main and event.type() == QEvent.Type.Close and self.window is not None:
            self.window.close()
        return False

    def open(self) -> AdminWindow:
        if self.window is not None and self.window.isVisible():
            self.window.raise_()
            self.window.activateWindow()
            return self.window
        if self.window is not None:  # hidden by the auto-lock: a fresh one replaces it
            self.window.close()
        clock = self.main._clock
        admin = AdminWindow(self.main.session, clock, self.main)  # type: ignore[arg-type]
        admin.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        admin.destroyed.connect(lambda _o=None: setattr(self, "window", None))
        self.window = admin
        admin.show()
        return admin


def install(window: MainWindow) -> AdminSupport | None:
    """Offer «Администрирование» in ``window`` when the official is an administrator (effective roles)."""
    if Role.ADMIN not in window.session.roles:
        return None
    return AdminSupport(window)
