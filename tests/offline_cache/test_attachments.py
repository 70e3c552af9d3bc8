"""Attachments: downloaded once into the encrypted cache; plaintext copies only on request, private and removed."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from offline_cache.attachments import ExternalCopies, fetch, safe_name
from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.contract.models import Item
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine
from tests.world import World

DATA = b"%PDF-1.4 POSDESK " + bytes(range(256)) * 8


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def downloads(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Attachment ids the platform served, in order (counted where the HTTP handler asks the platform)."""
    served: list[str] = []
    original = world.platform.attachment

    def counting(user: Any, att_id: str) -> Any:
        served.append(att_id)
        return original(user, att_id)

    monkeypatch.setattr(world.platform, "attachment", counting)
    return served


@pytest.fixture
def att_id(world: World, routed_item: Item) -> str:
    return world.client("c-exec1").upload_attachment(routed_item.id, "акт осмотра.pdf", "application/pdf", DATA).id


@pytest.fixture
def copies() -> Iterator[ExternalCopies]:
    opened = ExternalCopies()
    yield opened
    opened.close()


def test_fetch_downloads_once_then_serves_from_the_cache(world: World, att_id: str, downloads: list[str],
                                                         tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    cache = Cache.open(tmp_path / "c.posdesk", key)
    client = world.client("c-exec1")
    assert SyncEngine(cache, client).sync_once().error == ""
    meta = cache.attachment_meta(att_id)
    assert meta is not None and meta["size"] == len(DATA) and meta["name"] == "акт осмотра.pdf"
    assert cache.attachment_data(att_id) is None  # the sync brings metadata only
    assert downloads == []

    assert fetch(cache, client, att_id) == DATA
    assert downloads == [att_id]
    assert fetch(cache, client, att_id) == DATA and fetch(cache, client, att_id) == DATA
    assert downloads == [att_id]
    cache.close()

    # Offline and after a restart: still there, and the dead client is never asked.
    offline = PlatformClient(ClientConfig("http://127.0.0.1:9"), sleep=lambda _s: None)
    cache = Cache.open(tmp_path / "c.posdesk", key)
    try:
        assert fetch(cache, offline, att_id) == DATA
    finally:
        cache.close()
        offline.close()
    assert downloads == [att_id]


def test_another_official_fetches_from_their_own_cache(world: World, att_id: str, downloads: list[str],
                                                       tmp_path: Path) -> None:
    cache = Cache.open(tmp_path / "coord.posdesk", secrets.token_bytes(32))
    client = world.client("c-coord")
    try:
        assert SyncEngine(cache, client).sync_once().error == ""
        assert fetch(cache, client, att_id) == DATA and fetch(cache, client, att_id) == DATA
    finally:
        cache.close()
    assert downloads == [att_id]


def test_open_copy_is_private(copies: ExternalCopies) -> None:
    old = os.umask(0)  # even a careless umask must not widen the modes
    try:
        path = copies.open_copy("акт осмотра.pdf", DATA)
    finally:
        os.umask(old)
    assert path.read_bytes() == DATA and path.name == "акт осмотра.pdf"
    assert mode(path) == 0o600
    base = path.parent.parent
    assert mode(base) == 0o700 and mode(path.parent) == 0o700
    assert base.name.startswith("posdesk-view-")
    assert copies.open_paths == [path]


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\system32\\evil.exe", "evil.exe"),
    ("отчёт: фото?.png", "отчёт_ фото_.png"),
    ("a\nb\x00c|d*e<f>.txt", "a_b_c_d_e_f_.txt"),
    ("..", "attachment"),
    ("", "attachment"),
    ("  .hidden.  ", "hidden"),
])
def test_copy_names_are_safe(copies: ExternalCopies, name: str, expected: str) -> None:
    assert safe_name(name) == expected
    path = copies.open_copy(name, b"x")
    base = path.parent.parent
    assert path.name == expected and path.parent.parent == base and base.name.startswith("posdesk-view-")
    assert path.resolve().is_relative_to(base.resolve())
    assert not Path("/etc/passwd").samefile(path)


def test_same_name_twice_gives_two_files(copies: ExternalCopies) -> None:
    first = copies.open_copy("фото.png", b"one")
    second = copies.open_copy("фото.png", b"two")
    assert first != second and first.name == second.name == "фото.png"
    assert (first.read_bytes(), second.read_bytes()) == (b"one", b"two")


def test_release_deletes_the_copy_and_its_folder(copies: ExternalCopies) -> None:
    keep = copies.open_copy("оставить.txt", b"keep")
    gone = copies.open_copy("удалить.txt", b"gone")
    copies.release(gone)
    assert not gone.exists() and not gone.parent.exists()
    assert keep.exists() and copies.open_paths == [keep]
    copies.release(gone)  # twice: harmless
    copies.release(Path("/etc/passwd"))  # not ours: ignored, never deleted
    assert Path("/etc/passwd").exists() and keep.exists()


def test_close_deletes_every_copy_and_the_folder() -> None:
    copies = ExternalCopies()
    paths = [copies.open_copy(f"файл {n}.txt", b"data") for n in range(3)]
    base = paths[0].parent.parent
    copies.close()
    assert not base.exists() and not any(p.exists() for p in paths)
    assert copies.open_paths == []
    copies.close()  # twice: harmless
    again = copies.open_copy("снова.txt", b"x")  # usable after close, in a new private folder
    assert again.exists() and again.parent.parent != base and mode(again.parent.parent) == 0o700
    copies.close()
    assert not again.exists()


def test_a_long_name_keeps_its_extension() -> None:
    assert safe_name("Заявление " * 20 + ".pdf").endswith(".pdf")
