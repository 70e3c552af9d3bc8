"""The audit log is a hash chain: an edit, insertion or removal made through SQL is detected."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from offline_cache import cli
from offline_cache.actions import perform
from offline_cache.audit_chain import HEAD_KEY, verify
from offline_cache.domain.model import Action
from offline_cache.profile import cache_path
from offline_cache.store.cache import Cache
from offline_cache.store.vault import stored_key
from offline_cache.sync import SyncEngine
from tests.world import PASSWORD, World

KEY = secrets.token_bytes(32)


@pytest.fixture
def logged(world: World, tmp_path: Path) -> Cache:
    """A cache whose audit log holds a few delivered actions (enqueued + done lines)."""
    ids = [world.inject().id for _ in range(3)]
    cache = Cache.open(tmp_path / "c.posdesk", KEY)
    engine = SyncEngine(cache, world.client("c-coord"))
    engine.sync_once()
    for item_id in ids:
        perform(cache, item_id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
    assert engine.sync_once().pushed == 3
    return cache


def lines(cache: Cache) -> list[int]:
    return [int(r[0]) for r in cache.db.execute("SELECT id FROM audit_log ORDER BY id")]


def test_an_untouched_log_is_intact_and_stays_so_across_reopening(logged: Cache, tmp_path: Path) -> None:
    check = verify(logged.db)
    assert check.intact and check.lines == len(lines(logged)) >= 6 and "не нарушен" in check.message
    logged.close()
    again = Cache.open(tmp_path / "c.posdesk", KEY)
    assert verify(again.db).intact


def test_an_edited_line_is_detected(logged: Cache) -> None:
    target = lines(logged)[2]
    logged.db.execute("UPDATE audit_log SET user_id = 'c-exec2' WHERE id = ?", [target])  # «it was someone else»
    check = verify(logged.db)
    assert not check.intact and check.bad_id == target and "нарушен" in check.message and str(target) in check.message


def test_removed_inserted_and_cut_off_lines_are_detected(logged: Cache, tmp_path: Path) -> None:
    ids = lines(logged)
    logged.db.execute("DELETE FROM audit_log WHERE id = ?", [ids[1]])
    assert verify(logged.db).bad_id == ids[2]
    logged.close()

    cache = Cache.open(tmp_path / "c.posdesk", KEY)  # reopening the writer does not heal it
    assert not verify(cache.db).intact
    cache.db.execute("DELETE FROM audit_log WHERE id > ?", [ids[0]])  # cut everything after the first line
    check = verify(cache.db)
    assert not check.intact and check.bad_id is None and "последние записи" in check.reason
    cache.db.execute("INSERT INTO audit_log (at, event, item_id, details) VALUES ('2026-01-01', 'enqueued', 'x', '')")
    assert not verify(cache.db).intact


def test_lines_from_before_the_chain_are_sealed_once(logged: Cache, tmp_path: Path) -> None:
    logged.db.execute("UPDATE audit_log SET chain = NULL")  # as the cache was before migration 0006
    logged.db.execute("DELETE FROM sync_state WHERE key = ?", [HEAD_KEY])
    assert not verify(logged.db).intact
    logged.close()
    cache = Cache.open(tmp_path / "c.posdesk", KEY)  # the writer's open seals them
    assert verify(cache.db).intact


@pytest.mark.usefixtures("posdesk_home", "memory_keyring")
def test_posdesk_audit_verify(world: World, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("POSDESK_PASSWORD", PASSWORD)
    args = ["--url", world.url, "--login", "c-coord"]
    item = world.inject()
    assert cli.main([*args, "sync", "--once"]) == 0
    from offline_cache.profile import ProfileSettings

    profile = ProfileSettings(world.url, "c-coord").profile
    key = stored_key(profile)
    assert key is not None
    cache = Cache.open(cache_path(profile), key)
    perform(cache, item.id, Action.ROUTE_TO_EXECUTOR, {"executor_id": "c-exec1"})
    cache.close()
    capsys.readouterr()
    assert cli.main(["audit", "verify"]) == 0
    assert "Журнал аудита не нарушен: 1 записей" in capsys.readouterr().out
    cache = Cache.open(cache_path(profile), key)
    cache.db.execute("UPDATE audit_log SET action = 'approve'")
    cache.close()
    assert cli.main(["audit", "verify"]) == 1
    assert "Журнал аудита нарушен (запись № 1)" in capsys.readouterr().err


def test_v6_cache_upgrades_with_its_audit_lines_sealed(tmp_path: Path) -> None:
    """A cache from before the chain (fixtures/cache_v6.posdesk): its audit lines are chained on upgrade."""
    import shutil

    from offline_cache.audit import audit_rows
    from offline_cache.store.database import open_encrypted
    from offline_cache.store.schema import MIGRATIONS, applied
    from tests.offline_cache.test_migrations import FIXTURE_KEY, FIXTURES

    path = tmp_path / "v6.posdesk"
    shutil.copy(FIXTURES / "cache_v6.posdesk", path)
    raw = open_encrypted(path, FIXTURE_KEY, create=False)
    assert applied(raw) == [name for name, _ in MIGRATIONS[:6]]
    before = [tuple(r) for r in raw.execute("SELECT id, event, user_id, acting_for, entry_key FROM audit_log")]
    raw.conn.close()
    assert len(before) >= 4
    cache = Cache.open(path, FIXTURE_KEY)
    assert "0007_audit_chain" in applied(cache.db)
    assert [tuple(r) for r in cache.db.execute("SELECT id, event, user_id, acting_for, entry_key FROM audit_log")] \
        == before
    check = verify(cache.db)
    assert check.intact and check.lines == len(before)
    assert {r.acting_for for r in audit_rows(cache)} == {None, "c-exec1"}  # the log still reads as before
