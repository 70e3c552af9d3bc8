"""``posdesk --smoke``: training mode as the first demo user, the window shown, quit after the first sync.

For the installer's smoke test: proves a bundle starts, shows its window and syncs; exit 0, else 3.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QTimer

from desktop.app import make_app
from desktop.main_window import MainWindow
from desktop.session import training_session
from desktop.startup import one_per_role

GIVE_UP_MS = 180_000


def smoke(argv: list[str], started: float) -> int:
    """``started``: time.monotonic() at the entry point's first line."""
    from training_platform.server import TrainingServer, build_platform

    app = make_app(argv)
    server = TrainingServer(build_platform("demo"))
    url = server.start()
    _role, user = one_per_role(server.platform.demo_users())[0]
    session = training_session(url, user.login, user.password)
    window = MainWindow(session)
    window.show()
    shown = time.monotonic() - started
    outcome: list[str] = []

    def status(state: str, _message: str) -> None:
        if state in ("idle", "offline", "auth_required", "storage_error") and not outcome:
            outcome.append(state)
            app.quit()

    session.worker.bridge.statusChanged.connect(status)
    QTimer.singleShot(GIVE_UP_MS, app.quit)
    session.worker.sync_now()
    app.exec()
    synced = time.monotonic() - started
    from offline_cache.spelling import dictionary

    if not dictionary().word_is_known("обращение"):  # the bundled OpenCorpora dictionary loads
        outcome.append("no-dictionary")
    print(f"POS Desk smoke: окно показано через {shown:.2f} с, первая синхронизация через {synced:.2f} с, "
          f"итог: {outcome[0] if outcome else 'нет ответа'}", file=sys.stderr)
    window.close()
    session.close()
    server.stop()
    return 0 if outcome == ["idle"] else 3
