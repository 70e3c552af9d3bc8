"""No citizens' data in the logs: a sync and a few actions with DEBUG logging to a file, then a scan.

Everything logs at DEBUG, including httpx/httpcore and uvicorn's loggers; the file must carry ids and
numbers only, never a message's text, the applicant's name, the address or the answer's text. The
control at the end shows the scan finds a phrase that does get logged.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from offline_cache.actions import perform
from offline_cache.contract.models import Item
from offline_cache.domain.model import Action
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine, SyncStatus
from tests.world import World

PHRASE = "Прошу спилить аварийную берёзу у детской площадки"
APPLICANT = "Евдокия Ферапонтова"
ADDRESS = "ул. Подгорная, д. 42"
DRAFT = "Берёзу спилят бригадой Зеленхоза до пятницы"
SECRETS = [PHRASE, APPLICANT, ADDRESS, DRAFT, "Ферапонтов", "Подгорная", "берёз", "Зеленхоз"]
LOGGERS = ["", "httpx", "httpcore", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi", "offline_cache",
           "training_platform", "desktop", "asyncio"]


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "posdesk.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    saved = {name: (logging.getLogger(name).level, logging.getLogger(name).propagate) for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
        logging.getLogger(name).propagate = True
    logging.getLogger().addHandler(handler)
    yield path
    logging.getLogger().removeHandler(handler)
    handler.close()
    for name, (level, propagate) in saved.items():
        logging.getLogger(name).setLevel(level)
        logging.getLogger(name).propagate = propagate


def scan(path: Path, needles: list[str]) -> list[str]:
    text = path.read_text(encoding="utf-8").lower()
    return [n for n in needles if n.lower() in text]


def test_sync_and_actions_log_ids_and_numbers_only(world: World, new_item: Callable[..., Item], log_file: Path,
                                                   tmp_path: Path) -> None:
    item = new_item(PHRASE, address=ADDRESS, applicant=APPLICANT)
    coord = Cache.open(tmp_path / "coord.posdesk", secrets.token_bytes(32))
    engine = SyncEngine(coord, world.client("c-coord"), page_size=5)
    assert engine.sync_once().status is SyncStatus.IDLE
    perform(coord, item.id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
    assert engine.sync_once().pushed == 1

    executor = Cache.open(tmp_path / "exec.posdesk", secrets.token_bytes(32))
    exec_engine = SyncEngine(executor, world.client("c-exec1"))
    assert exec_engine.sync_once().status is SyncStatus.IDLE
    assert [h["id"] for h in executor.search("берёзу")] == [item.id]
    perform(executor, item.id, Action.SAVE_DRAFT, {"text": DRAFT})
    perform(executor, item.id, Action.SUBMIT_FOR_APPROVAL, {})
    assert exec_engine.sync_once().pushed == 2

    def broken() -> None:  # an operation failing with data in its message (a validation error, say)
        raise ValueError(f"не удалось обработать «{PHRASE}» от {APPLICANT}")

    exec_engine.submit(broken)
    exec_engine.drain_ops()
    pages = coord.db.execute("PRAGMA page_count").fetchone()[0]
    coord.db.execute(f"PRAGMA max_page_count = {pages}")  # a full disk: the sync stops and logs why
    for n in range(20):
        new_item(f"{PHRASE} {n}. " * 30, address=ADDRESS, applicant=APPLICANT)
    assert engine.sync_once().status is SyncStatus.STORAGE_ERROR
    coord.close()
    executor.close()

    logged = log_file.read_text(encoding="utf-8")
    assert "HTTP Request" in logged and "sync stopped by the cache" in logged and "sync thread" in logged
    assert scan(log_file, SECRETS) == []
    assert "ValueError" in logged  # the failure is logged by its kind


def test_the_scan_finds_what_is_logged(log_file: Path) -> None:
    logging.getLogger("offline_cache.sync").debug("текст: %s, %s", PHRASE, APPLICANT)
    assert scan(log_file, SECRETS) == [PHRASE, APPLICANT, "Ферапонтов", "берёз"]


def test_crash_report_names_the_failure_and_where_not_its_text(log_file: Path) -> None:
    from offline_cache.logsafe import crash_report

    def handle() -> None:
        raise KeyError(f"{PHRASE} — {APPLICANT}, {ADDRESS}")

    try:
        handle()
    except KeyError as exc:
        report = crash_report(exc)
    assert report.startswith("POS Desk: необработанная ошибка KeyError") and "in handle" in report
    assert not [s for s in SECRETS if s.lower() in report.lower()]
