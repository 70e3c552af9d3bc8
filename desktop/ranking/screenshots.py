"""The ranking's screenshot on demo data: ``python -m desktop.ranking.screenshots --out docs/screenshots``.

The region's curator (curator.region) ranks the city and the settlement from the cache; with ``--login
coord.region`` the region's coordinator gets the platform's figures (ranking-regional.png); the month shown
is the one with the most answers among the last twelve, ordered by the share answered in time, its row
selected.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer

from desktop.app import make_app
from desktop.main_window import MainWindow
from desktop.ranking.window import RankingWindow, open_ranking
from desktop.screenshots import wait_for_idle
from desktop.session import training_session


def _spin_until(done: object, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:  # type: ignore[operator]
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()


def ranking_shot(window: MainWindow, out: Path, name: str = "ranking.png") -> Path | None:
    ranking = open_ranking(window)
    if not isinstance(ranking, RankingWindow):
        return None
    done: list[bool] = []
    ranking.computed.connect(lambda: done.append(True))

    def show(index: int) -> None:
        done.clear()
        ranking.months.setCurrentIndex(index)
        ranking.refresh()  # the same month again emits no change: ask outright
        _spin_until(lambda: bool(done))

    best, most = 0, -1
    for index in range(12):  # the month with the most answers: the fullest picture
        show(index)
        answers = sum(r.answered for r in ranking.model.rows)
        if answers > most:
            best, most = index, answers
    show(best)
    ranking.resize(1100, 760)
    if ranking.model.rowCount():
        ranking.table.selectRow(0)
    _spin_until(lambda: False, 0.3)
    path = out / name
    ranking.grab().save(str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--login", default="curator.region", choices=("curator.region", "coord.region"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    make_app(sys.argv[:1])
    from training_platform.server import TrainingServer, build_platform

    server = TrainingServer(build_platform("demo"))
    url = server.start()
    try:
        user = next(u for u in server.platform.demo_users() if u.login == args.login)
        session = training_session(url, user.login, user.password)
        settings = QSettings(str(Path(tempfile.mkdtemp(prefix="posdesk-shots-")) / "r.ini"),
                             QSettings.Format.IniFormat)
        window = MainWindow(session, settings=settings)
        window.show()
        wait_for_idle(window)
        name = "ranking.png" if args.login == "curator.region" else "ranking-regional.png"
        print(ranking_shot(window, out, name))
        window.close()
        session.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
