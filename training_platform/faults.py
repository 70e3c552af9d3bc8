"""Fault injection for tests and demos: latency, 5xx errors, dropped connections, truncated bodies.

Off by default. Dropping and truncating reach into the server's transport: with uvicorn the ASGI
``send`` callable is a method of the request cycle that owns it. Where no transport can be found
the middleware falls back to a response that ends early, which clients see the same way.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from offline_cache.contract.models import FaultConfig


class FaultInjector:
    """The current fault configuration and its random source, shared with the control endpoint."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.config = FaultConfig()
        self._rng = random.Random()
        self.counts = {"error": 0, "drop": 0, "truncate": 0}

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._rng = random.Random(config.seed)
            self.counts = {"error": 0, "drop": 0, "truncate": 0}

    def roll(self, path: str) -> tuple[str | None, int, float]:
        """(fault or None, error status, latency in seconds) for one request to ``path``."""
        with self._lock:
            cfg = self.config
            if not path.startswith(cfg.path_prefix):
                return None, 0, 0.0
            latency = cfg.latency_ms / 1000
            draw = self._rng.random()
            fault: str | None = None
            if draw < cfg.error_rate:
                fault = "error"
            elif draw < cfg.error_rate + cfg.drop_rate:
                fault = "drop"
            elif draw < cfg.error_rate + cfg.drop_rate + cfg.truncate_rate:
                fault = "truncate"
            status = self._rng.choice(cfg.error_statuses) if cfg.error_statuses else 503
            if fault:
                self.counts[fault] += 1
            return fault, status, latency


def _transport(send: Send) -> Any:
    cycle = getattr(send, "__self__", None)
    return getattr(cycle, "transport", None)


async def _abort(send: Send) -> bool:
    transport = _transport(send)
    if transport is None:
        return False
    transport.abort()
    for _ in range(3):  # let the server notice the disconnect before the app returns
        await asyncio.sleep(0)
    return True


class FaultMiddleware:
    """ASGI middleware applying the injector's faults to matching requests."""

    def __init__(self, app: ASGIApp, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fault, status, latency = self.injector.roll(scope["path"])
        if latency:
            await asyncio.sleep(latency)
        if fault == "error":
            body = json.dumps({"error": {"code": "server_error", "message": "Внедрённый сбой платформы"}},
                              ensure_ascii=False).encode()
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        if fault == "drop" and await _abort(send):
            return  # the request was never processed
        if fault == "truncate":
            await self._truncated(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _truncated(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Process the request fully, then deliver only half of the response body."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        assert start is not None
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
        if not await _abort(send):
            raise ConnectionAbortedError("injected truncation")
