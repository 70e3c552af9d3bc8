"""Administrative calls to the platform from the window: on the worker thread, online only, each change audited.

``AdminOps`` is what every administration page talks to: it runs a call with the platform client on the
worker (never on the UI thread), writes the local audit line of a change there too, and brings the
result back as a callback on the UI thread. It also knows whether the platform is reachable, so the
pages go read-only (with the reason) the moment the connection is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from offline_cache.admin import audit_admin
from offline_cache.client import PlatformClient
from offline_cache.errors import AuthError, AuthExpiredError, OfflineError
from offline_cache.store.cache import Cache


def _t(text: str) -> str:
    return QCoreApplication.translate("AdminOps", text)


@dataclass(frozen=True, slots=True)
class Unreachable:
    """The platform could not be reached (or the session needs a new login): the call changed nothing."""

    reason: str


#: (action, target, summary) of the local audit line, from the call's result.
AuditOf = Callable[[Any], tuple[str, str, str]]


class AdminOps(QObject):
    """Runs administrative calls on the worker and tracks whether the platform is reachable.

    Signals:
        onlineChanged(bool, str): reachable or not, and why not (in Russian; "" when online).
        changed(str): a change (a call with ``audit``) was taken by the platform; its audit action.
    """

    onlineChanged = Signal(bool, str)
    changed = Signal(str)

    def __init__(self, worker: Any, *, user_id: str, offline_reason: str = "",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.user_id = user_id
        self.online = not offline_reason
        self.reason = offline_reason
        self._pending: dict[str, tuple[Callable[[Any], None], Callable[[str], None], AuditOf | None]] = {}
        self._attached = True
        bridge = worker.bridge
        bridge.writeFinished.connect(self._finished)
        bridge.statusChanged.connect(self._status)

    def detach(self) -> None:
        """Stop listening to the session (the window closes; the session may live on). Safe to repeat."""
        if not self._attached:
            return
        self._attached = False
        bridge = self.worker.bridge
        bridge.writeFinished.disconnect(self._finished)
        bridge.statusChanged.disconnect(self._status)
        self._pending.clear()

    def call(self, work: Callable[[PlatformClient], Any], done: Callable[[Any], None],
             failed: Callable[[str], None], *, audit: AuditOf | None = None, refresh: bool = False) -> str:
        """``work(client)`` on the worker; ``done(result)`` or ``failed(reason)`` on the UI thread.

        ``audit`` makes it a change: its local audit line is written on the worker once the platform
        took it, and ``refresh`` downloads the directory again and syncs, so the queues reflect it.
        """
        user_id = self.user_id

        def run(client: PlatformClient, cache: Cache) -> Any:
            try:
                result = work(client)
            except (OfflineError, AuthExpiredError, AuthError) as exc:
                return Unreachable(exc.message)
            if audit is not None:
                action, target, summary = audit(result)
                audit_admin(cache, user_id, action, summary, target)
            return result

        request: str = self.worker.run_online(run, refresh=refresh)
        self._pending[request] = (done, failed, audit)
        return request

    def _finished(self, request: str, result: object, error: str) -> None:
        known = self._pending.pop(request, None)
        if known is None:
            return
        done, failed, audit = known
        if isinstance(result, Unreachable):
            self._set(False, result.reason)
            failed(result.reason)
        elif error:
            failed(error)
        else:
            self._set(True, "")
            done(result)
            if audit is not None:
                self.changed.emit(audit(result)[0])

    def _status(self, status: str, message: str) -> None:
        if status == "offline":
            self._set(False, message or _t("Нет связи с платформой"))
        elif status == "auth_required":
            self._set(False, message or _t("Требуется вход на платформу"))
        elif status == "idle":
            self._set(True, "")

    def _set(self, online: bool, reason: str) -> None:
        if (online, reason) != (self.online, self.reason):
            self.online, self.reason = online, reason
            self.onlineChanged.emit(online, reason)
