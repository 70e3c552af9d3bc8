"""Real profiles for window tests: a private POSDESK_HOME, an in-memory keyring, and a switchable network path."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import keyring
import keyring.core
import pytest
from PySide6.QtCore import QCoreApplication

from tests.keyrings import MemoryKeyring

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from desktop.session import Session


@pytest.fixture
def real_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """POSDESK_HOME in tmp_path and an in-memory keyring (the OS keyring is the only thing mocked)."""
    previous = keyring.core._keyring_backend
    keyring.set_keyring(MemoryKeyring())
    home = tmp_path / "home"
    monkeypatch.setenv("POSDESK_HOME", str(home))
    yield home
    keyring.core._keyring_backend = previous


def wait_pass(qtbot: QtBot, session: Session, wanted: str = "idle") -> None:
    """A whole sync pass that started after this call ended in ``wanted`` (one already running may have
    missed the latest change)."""
    seen: list[str] = []

    def record(status: str, _message: str) -> None:
        seen.append(status)

    # Reports are queued to this thread: deliver those already on their way (from passes that started
    # before this call) before listening, or an old pass's «syncing» would count as the new one's.
    QCoreApplication.processEvents()
    session.worker.bridge.statusChanged.connect(record)
    try:
        session.worker.sync_now()
        qtbot.waitUntil(lambda: "syncing" in seen and wanted in seen[seen.index("syncing"):], timeout=30_000)
    finally:
        session.worker.bridge.statusChanged.disconnect(record)


def free_port() -> int:
    """A loopback port nothing listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Relay:
    """A loopback TCP relay to the platform that can be cut and restored, like a network cable.

    ``down()`` closes the listening socket and every open connection: new connections are refused.
    ``up()`` listens on the same port again.
    """

    def __init__(self, target_url: str) -> None:
        host, port = target_url.rsplit("//", 1)[1].rsplit(":", 1)
        self._target = (host, int(port))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.up()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), name="relay-accept", daemon=True).start()

    def down(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, []
        for sock in [*sockets, *([listener] if listener else [])]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by down()
            try:
                upstream = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), name="relay-pipe", daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
