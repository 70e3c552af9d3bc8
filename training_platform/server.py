"""Building a platform (store, clock, seed data) and serving it in-process on a loopback port."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from types import TracebackType

import uvicorn

from offline_cache.domain.model import Role
from offline_cache.domain.workflow import reprocessing_overseers
from training_platform.app import create_app
from training_platform.faults import FaultInjector
from training_platform.service import Clock, Platform, PlatformConfig
from training_platform.store import Store


def load_demo(platform: Platform, *, items: int = 320, seed: int = 0, now: datetime | None = None) -> None:
    """Fill an empty store with the generated demo organisation, staff and items."""
    from training_platform.demo_data import generate_demo

    data = generate_demo(now or platform.clock.now(), seed=seed, items=items)
    store = platform.store
    with store.transaction():
        for org in data.organisations:
            store.put_org(org)
        for member in data.staff:
            store.put_staff(member)
        for cred in data.credentials:
            store.put_credential(cred.login, cred.password, cred.staff_id, cred.note, hint=True)
        for org_id, categories in data.categories.items():
            store.put_categories(org_id, categories)
        store.put_templates(data.templates)
        default = next((o.id for o in data.organisations if o.level.value == "municipality"),
                       data.organisations[0].id)
        store.set_meta("default_org", default)
        staff = {m.id: m for m in data.staff}
        numbers = []
        orgs = {o.id: o for o in data.organisations}
        for item in sorted(data.items, key=lambda i: i.updated_at):
            store.put_item(item)
            # A spawned item's first entry is the redirect or rating that made it, done in another
            # organisation: whoever did it does not take part in the new item.
            own = item.history[1:] if item.parent_id else item.history
            people = {h.actor_id for h in own if h.actor_id} | ({item.assignee_id} - {None})
            # Executors see what they have worked on; org-wide roles see the organisation's queue anyway.
            workers = {p for p in people if p in staff and Role.EXECUTOR in staff[p].roles}
            assignee = staff.get(item.assignee_id or "")
            if assignee is not None and assignee.deputy_id:
                workers.add(assignee.deputy_id)
            store.add_participants(item.id, {w for w in workers if w is not None})
            if item.history[0].action == "reprocessing":
                store.add_participants(item.id, reprocessing_overseers(item.org_id, orgs, staff))
            numbers.append(int(item.number.rsplit("-", 1)[-1]) if item.number[-1:].isdigit() else 0)
        store.set_meta("number", str(max(numbers, default=0)))
        for blob in data.blobs:
            store.put_attachment(blob.meta, blob.item_id, blob.data, None)


def build_platform(seed: str = "demo", *, db_path: str | Path = ":memory:", clock: Clock | None = None,
                   config: PlatformConfig | None = None, items: int = 320) -> Platform:
    """A platform over a store at ``db_path``, seeded with demo data when ``seed == "demo"`` and empty."""
    platform = Platform(Store(db_path), clock=clock, config=config)
    if seed == "demo" and platform.store.item_count() == 0 and not platform.store.orgs():
        load_demo(platform, items=items)
    return platform


class TrainingServer:
    """The training platform on a loopback port in a background thread.

    Used by the training mode and tests: ``start()`` returns the base URL, ``stop()`` shuts the
    server down and waits for its thread.
    """

    def __init__(self, platform: Platform | None = None, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.platform = platform or build_platform()
        self.faults = FaultInjector()
        self._config = uvicorn.Config(create_app(self.platform, self.faults), host=host, port=port,
                                      log_level="warning", lifespan="off", access_log=False,
                                      timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(self._config)
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self, timeout: float = 15.0) -> str:
        self._thread = threading.Thread(target=self._server.run, name="training-platform", daemon=True)
        self._thread.start()
        started = threading.Event()
        for _ in range(int(timeout / 0.01)):
            if self._server.started:
                started.set()
                break
            if not self._thread.is_alive():
                break
            started.wait(0.01)
        if not started.is_set():
            raise RuntimeError("учебная платформа не запустилась")
        sock = self._server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.platform.store.close()

    def __enter__(self) -> TrainingServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
