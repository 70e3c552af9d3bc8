"""Screenshots of the main screens for each demo role: ``python -m desktop.screenshots --out docs/screenshots``.

Runs the training mode on demo data offscreen (no display needed), opens the window as one demo
user per role, waits for the first sync, selects the most urgent item and saves a PNG.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer

from desktop.actions.screenshots import action_shots
from desktop.admin.screenshots import admin_shots
from desktop.app import make_app
from desktop.main_window import MainWindow
from desktop.outbox.screenshots import outbox_shots
from desktop.search.screenshots import search_shots
from desktop.session import training_session
from desktop.startup import one_per_role
from desktop.templates.screenshots import template_shots
from offline_cache.domain.model import Role


def wait_for_idle(window: MainWindow, timeout_ms: int = 60_000) -> None:
    loop = QEventLoop()
    bridge = window.session.worker.bridge
    bridge.statusChanged.connect(lambda status, _m: loop.quit() if status == "idle" else None)
    QTimer.singleShot(timeout_ms, loop.quit)
    window.session.worker.sync_now()
    loop.exec()
    window._refresh_now()


def settle(window: MainWindow, ms: int = 1500) -> None:
    """Let the window's background reads arrive and its layout follow before it is grabbed."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _app = make_app(sys.argv[:1])  # kept: the application lives as long as this reference
    from training_platform.server import TrainingServer, build_platform

    server = TrainingServer(build_platform("demo"))
    url = server.start()
    settings_dir = Path(tempfile.mkdtemp(prefix="posdesk-shots-"))
    try:
        for role, user in one_per_role(server.platform.demo_users()):
            session = training_session(url, user.login, user.password)
            settings = QSettings(str(settings_dir / f"{user.login}.ini"), QSettings.Format.IniFormat)
            window = MainWindow(session, settings=settings)
            window.resize(args.width, args.height)
            window.show()
            wait_for_idle(window)
            if window.model.rowCount():
                window.panel.table.selectRow(0)
            settle(window)  # background reads (reminders, similar messages) land and the status bar lays out
            path = out / f"main-{role.value}.png"
            window.grab().save(str(path))
            print(path)
            for shot in action_shots(window, role, out):  # the role's main action in progress
                print(shot)
            for shot in template_shots(window, role, out):  # templates and checks (issue 11)
                print(shot)
            if role is Role.COORDINATOR:
                for shot in search_shots(window, out):  # word forms marked, similar messages (issue 15)
                    print(shot)
            for shot in admin_shots(window, role, out):  # «Администрирование» (issue 14)
                print(shot)
            if role is Role.EXECUTOR:  # last: it leaves the platform's copy changed and a conflict behind
                for shot in outbox_shots(window, url, out):  # conflict, offline window, «Исходящие»
                    print(shot)
            window.close()
            session.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
