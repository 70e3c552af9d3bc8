"""Fixtures for cache tests: test keyrings, a private POSDESK_HOME, and items injected with chosen fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.core
import pytest

from offline_cache.contract.models import InjectMessageRequest, Item
from offline_cache.domain.model import Action, ItemKind
from tests.keyrings import MemoryKeyring
from tests.world import World


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-memory keyring for this test; the previous backend (even "not chosen yet") comes back after."""
    previous = keyring.core._keyring_backend
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.core._keyring_backend = previous


@pytest.fixture
def no_keyring() -> Iterator[keyring.backends.fail.Keyring]:
    """No usable keyring, as on a headless machine without Secret Service."""
    previous = keyring.core._keyring_backend
    backend = keyring.backends.fail.Keyring()  # type: ignore[no-untyped-call]
    keyring.set_keyring(backend)
    yield backend
    keyring.core._keyring_backend = previous


@pytest.fixture
def posdesk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data folder for profiles and caches."""
    home = tmp_path / "home"
    monkeypatch.setenv("POSDESK_HOME", str(home))
    return home


NewItem = Callable[..., Item]


@pytest.fixture
def new_item(world: World) -> NewItem:
    """Inject a citizen's message with chosen text, address, applicant and category into ``world``."""

    def make(text: str, *, address: str = "ул. Садовая, д. 1", applicant: str = "Заявитель Тестовый",
             category: str = "roads", org_id: str = "c") -> Item:
        return world.platform.inject(InjectMessageRequest(
            org_id=org_id, kind=ItemKind.MESSAGE, category_code=category, text=text, address=address,
            applicant_name=applicant))

    return make


@pytest.fixture
def routed_item(world: World, new_item: NewItem) -> Item:
    """An item routed to c-exec1 through the API (so c-exec1 may attach files and save a draft)."""
    item = new_item("Прошу убрать сугроб у подъезда")
    return world.client("c-coord").act(item.id, Action.ROUTE_TO_EXECUTOR, item.version, {"executor_id": "c-exec1"})
