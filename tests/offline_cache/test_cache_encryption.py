"""The cache file is ciphertext without its key: no personal data in the file, its WAL or anything beside it."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from offline_cache.contract.models import Item
from offline_cache.domain.model import Action
from offline_cache.store.cache import Cache, fts_query, normalise
from offline_cache.store.database import WrongKeyError
from offline_cache.sync import SyncEngine
from tests.world import World

PHRASE = "Уникальная фраза: ёлка упала на провода"
ADDRESS = "ул. Звёздная, д. 17"
APPLICANT = "Пелагея Ёлкина"
DRAFT = "Черновик: снегоуборщик приедет в четверг"
# Bytes nobody would find by chance in an SQLite page: a PNG signature and a marker, repeated.
SECRET_BYTES = b"\x89PNG\r\n\x1a\n" + b"POSDESK-ATTACHMENT-SECRET-0123456789" * 64


@dataclass
class Synced:
    """A cache filled by a real sync of c-coord's view of ``world``."""

    cache: Cache
    path: Path
    key: bytes
    phrase_item: Item
    routed: Item
    attachment_id: str


def fingerprint(path: Path) -> tuple[str, int, int] | None:
    """(sha256, size, mtime in ns) of ``path``, or None when it does not exist."""
    if not path.exists():
        return None
    st = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), st.st_size, st.st_mtime_ns


def wal(path: Path) -> Path:
    return Path(f"{path}-wal")


def secrets_of(synced: Synced) -> list[bytes]:
    """Everything that must never appear in plaintext on disk."""
    texts = [PHRASE, normalise(PHRASE), ADDRESS, normalise(ADDRESS), APPLICANT, normalise(APPLICANT), DRAFT,
             normalise(DRAFT), "Ёлкина", "елкина"]
    return [t.encode() for t in texts] + [SECRET_BYTES, SECRET_BYTES[8:40]]


def assert_no_plaintext(folder: Path, needles: list[bytes]) -> list[str]:
    """No file in ``folder`` (the cache, its -wal and -shm, anything else) holds any of ``needles``."""
    names = []
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        raw = file.read_bytes()
        names.append(file.name)
        for needle in needles:
            assert needle not in raw, f"{needle!r} found in plaintext in {file.name}"
    return names


@pytest.fixture
def synced(world: World, new_item: Callable[..., Item], routed_item: Item, tmp_path: Path) -> Iterator[Synced]:
    phrase_item = new_item(PHRASE, address=ADDRESS, applicant=APPLICANT)
    new_item("Не горит фонарь во дворе", category="light")
    executor = world.client("c-exec1")
    meta = executor.upload_attachment(routed_item.id, "фото.png", "image/png", b"placeholder")
    current = executor.message(routed_item.id)
    executor.act(routed_item.id, Action.SAVE_DRAFT, current.version, {"text": DRAFT})
    folder = tmp_path / "caches"
    path = folder / "c.posdesk"
    key = secrets.token_bytes(32)
    cache = Cache.open(path, key)
    report = SyncEngine(cache, world.client("c-coord")).sync_once()
    assert report.error == "" and report.pulled == 3, report
    cache.store_attachment_data(meta.id, SECRET_BYTES)
    assert cache.attachment_data(meta.id) == SECRET_BYTES
    data = Synced(cache, path, key, phrase_item, executor.message(routed_item.id), meta.id)
    yield data
    data.cache.close()


def test_nothing_readable_while_open_with_a_populated_wal(synced: Synced) -> None:
    assert wal(synced.path).exists() and wal(synced.path).stat().st_size > 0
    names = assert_no_plaintext(synced.path.parent, secrets_of(synced))
    assert {"c.posdesk", "c.posdesk-wal"} <= set(names)


def test_nothing_readable_after_close(synced: Synced) -> None:
    synced.cache.close()
    raw = synced.path.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert_no_plaintext(synced.path.parent, secrets_of(synced))
    plain = sqlite3.connect(synced.path)
    try:
        with pytest.raises(sqlite3.DatabaseError):
            plain.execute("SELECT count(*) FROM sqlite_master").fetchall()
    finally:
        plain.close()
    synced.cache = Cache.open(synced.path, synced.key)  # the right key still opens it, data intact
    assert synced.cache.item(synced.phrase_item.id).text == PHRASE  # type: ignore[union-attr]
    assert synced.cache.attachment_data(synced.attachment_id) == SECRET_BYTES


def test_wrong_key_is_refused_in_russian_and_changes_nothing(synced: Synced) -> None:
    db_before, wal_before = fingerprint(synced.path), fingerprint(wal(synced.path))
    assert wal_before is not None  # the writer is open: its WAL holds the latest pages
    with pytest.raises(WrongKeyError) as exc:
        Cache.open(synced.path, secrets.token_bytes(32))
    assert "Ключ не подходит" in exc.value.message and "не изменён" in exc.value.message
    assert fingerprint(synced.path) == db_before and fingerprint(wal(synced.path)) == wal_before

    synced.cache.close()
    closed = fingerprint(synced.path)
    for attempt in (secrets.token_bytes(32), bytes(32)):
        with pytest.raises(WrongKeyError):
            Cache.open(synced.path, attempt, create=False)
        with pytest.raises(WrongKeyError):
            Cache.open(synced.path, attempt, upgrade=False)
    assert fingerprint(synced.path) == closed and not wal(synced.path).exists()
    synced.cache = Cache.open(synced.path, synced.key)
    assert synced.cache.item_count() == 3


def test_key_of_wrong_length_is_a_value_error(synced: Synced) -> None:
    synced.cache.close()
    before = fingerprint(synced.path)
    for length in (0, 16, 31, 33, 64):
        with pytest.raises(ValueError, match="32 bytes"):
            Cache.open(synced.path, (synced.key * 3)[:length])
    assert fingerprint(synced.path) == before
    synced.cache = Cache.open(synced.path, synced.key)
    for length in (31, 33):
        with pytest.raises(ValueError, match="32 bytes"):
            synced.cache.rekey((synced.key * 3)[:length])
    assert synced.cache.item_count() == 3  # the failed rekey left the old key in place


def test_key_of_wrong_length_creates_no_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Cache.open(tmp_path / "new.posdesk", bytes(31))
    assert not (tmp_path / "new.posdesk").exists()


def test_rekey_old_key_fails_new_key_opens_data_intact(synced: Synced) -> None:
    new_key = secrets.token_bytes(32)
    synced.cache.rekey(new_key)
    synced.cache.set_state("after_rekey", "да")  # writes after a rekey use the new key too
    synced.cache.close()
    with pytest.raises(WrongKeyError):
        Cache.open(synced.path, synced.key)
    synced.cache = Cache.open(synced.path, new_key)
    assert synced.cache.item_count() == 3 and synced.cache.state("after_rekey") == "да"
    assert synced.cache.item(synced.phrase_item.id).text == PHRASE  # type: ignore[union-attr]
    assert synced.cache.attachment_data(synced.attachment_id) == SECRET_BYTES
    assert [h["id"] for h in synced.cache.search("ёлка")] == [synced.phrase_item.id]
    assert_no_plaintext(synced.path.parent, secrets_of(synced))


def test_search_folds_case_and_yo_and_matches_prefixes(synced: Synced) -> None:
    for query in ("ёлка", "ЕЛК", "елк", "ЁЛКА", "Елка", "ёл", "уникальн фраз", "УНИКАЛЬНАЯ ФРАЗА ёлка упал"):
        assert [h["id"] for h in synced.cache.search(query)] == [synced.phrase_item.id], query


def test_search_by_address_applicant_category_number_and_draft(synced: Synced) -> None:
    def ids(query: str) -> set[str]:
        return {h["id"] for h in synced.cache.search(query)}

    phrase, routed = synced.phrase_item.id, synced.routed.id
    assert ids("звездная 17") == {phrase} and ids("Звёздн") == {phrase}
    assert ids("Пелагея") == {phrase} and ids("елкина") == {phrase} and ids("ЁЛКИН") == {phrase}
    assert len(ids("освещ")) == 1 and phrase not in ids("освещение")
    assert ids("дороги") >= {phrase, routed}
    assert ids(synced.phrase_item.number) == {phrase}
    assert ids("снегоуборщик четверг") == {routed} and ids("снегоубор") == {routed}
    assert ids("") == set() and ids("?!") == set() and ids("несуществующееслово") == set()


def test_search_takes_any_typed_text_as_single_token_prefixes(synced: Synced) -> None:
    """The index keeps no positions, so every query term must be one token: underscores, quotes,
    FTS syntax and a typed stress mark are separators or dropped, never an error."""
    phrase = synced.phrase_item.id
    for query in ("ёлка_упала", "уника\u0301льная", '"ёлка"', "ёлка*", "(ёлка) упала", "ёлка-упала", "ёлка:упала",
                  "{ёлка} ^упала"):
        assert [h["id"] for h in synced.cache.search(query)] == [phrase], query
    assert fts_query("foo_bar баз\u0301") == '"foo"* "bar"* "баз"*'


def test_the_plaintext_check_itself_finds_plaintext(tmp_path: Path) -> None:
    """Control: the same check on an unencrypted SQLite file (with WAL) does find the phrase and the bytes."""
    plain = sqlite3.connect(tmp_path / "plain.db")
    plain.execute("PRAGMA journal_mode = WAL")
    plain.execute("CREATE TABLE t (text TEXT, data BLOB)")
    plain.execute("INSERT INTO t VALUES (?, ?)", [PHRASE, SECRET_BYTES])
    plain.commit()
    try:
        for needle in (PHRASE.encode(), SECRET_BYTES):
            with pytest.raises(AssertionError, match="found in plaintext"):
                assert_no_plaintext(tmp_path, [needle])
    finally:
        plain.close()
