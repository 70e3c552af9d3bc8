"""Shared fixtures: Qt offscreen, and a small training platform world served over loopback HTTP."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest

from tests.world import WORLD_START, World, absent, populate
from training_platform.server import TrainingServer
from training_platform.service import Clock, Platform, PlatformConfig
from training_platform.store import Store

__all__ = ["WORLD_START", "World", "absent", "populate"]


@pytest.fixture
def world_factory() -> Iterator[Callable[..., World]]:
    worlds: list[World] = []

    def make(access_ttl: float = 900, start: datetime = WORLD_START) -> World:
        clock = Clock(start)
        platform = Platform(Store(":memory:"), clock=clock, config=PlatformConfig(access_ttl=access_ttl))
        populate(platform, start)
        server = TrainingServer(platform)
        server.start()
        world = World(server, clock)
        worlds.append(world)
        return world

    yield make
    for w in worlds:
        for c in w.clients:
            c.close()
        w.server.stop()


@pytest.fixture
def world(world_factory: Callable[..., World]) -> World:
    return world_factory()
