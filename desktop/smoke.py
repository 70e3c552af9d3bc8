"""``posdesk --smoke``: training mode as the first demo user, the window shown, quit after the first sync and an export.

For the installer's smoke test: proves a bundle starts, shows its window and syncs; exit 0, else 3.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer

from desktop.app import make_app
from desktop.main_window import MainWindow
from desktop.session import Session, training_session
from desktop.startup import one_per_role
from offline_cache.store.cache import Cache

GIVE_UP_MS = 180_000


def exports_work(app: QCoreApplication, session: Session) -> bool:
    """The month's summary of the synced cache written as XLSX and PDF into a temporary folder, both non-empty."""
    from datetime import UTC, datetime

    from offline_cache.report_export import build_report, export

    folder = Path(tempfile.mkdtemp(prefix="posdesk-smoke-"))
    org = session.me.organisation

    def work(cache: Cache) -> list[int]:
        now = datetime.now(UTC)
        report = build_report(cache.db.conn, org.id, org.name, now.date().replace(day=1), org.timezone, now)
        for fmt in ("xlsx", "pdf"):
            export(report, folder / f"summary.{fmt}", fmt)
        return [(folder / f"summary.{fmt}").stat().st_size for fmt in ("xlsx", "pdf")]

    sizes: list[object] = []
    request = session.worker.run_write(work)

    def done(rid: str, result: object, error: str) -> None:
        if rid == request:
            sizes.append(error or result)
            app.quit()

    session.worker.bridge.writeFinished.connect(done)
    QTimer.singleShot(GIVE_UP_MS, app.quit)
    app.exec()
    shutil.rmtree(folder, ignore_errors=True)
    ok = bool(sizes) and isinstance(sizes[0], list) and all(int(n) > 0 for n in sizes[0])
    if not ok:
        print(f"POS Desk smoke: экспорт итогов месяца не удался: {sizes}", file=sys.stderr)
    return ok


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
    if outcome == ["idle"] and not exports_work(app, session):  # openpyxl, reportlab and the font travel along
        outcome.append("no-export")
    print(f"POS Desk smoke: окно показано через {shown:.2f} с, первая синхронизация через {synced:.2f} с, "
          f"итог: {outcome[0] if outcome else 'нет ответа'}", file=sys.stderr)
    window.close()
    session.close()
    server.stop()
    return 0 if outcome == ["idle"] else 3
