"""Administrative changes in the local audit log: hash-chained lines, listed and exported with the rest."""

from __future__ import annotations

import secrets
from pathlib import Path

from offline_cache.admin import admin_audit_lines, audit_admin, cached_categories, cached_staff
from offline_cache.audit import audit_rows, csv_lines
from offline_cache.audit_chain import verify
from offline_cache.contract.admin import CategoryChangeRequest
from offline_cache.domain.deadlines import TermKind
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine, SyncStatus
from tests.world import World


def test_admin_changes_are_audited_and_listed(world: World, tmp_path: Path) -> None:
    cache = Cache.open(tmp_path / "admin.posdesk", secrets.token_bytes(32))
    try:
        assert SyncEngine(cache, world.client("c-admin")).sync_once().status is SyncStatus.IDLE
        audit_admin(cache, "c-admin", "staff_added", "Добавлен сотрудник Иванов (логин ivanov)", "u-1")
        audit_admin(cache, "c-admin", "category_changed", "=1+1 срок 30 → 8 дн.")
        assert verify(cache.db).intact
        lines = admin_audit_lines(cache)
        assert [line[2] for line in lines] == ["category_changed", "staff_added"]
        rows = audit_rows(cache)
        assert [r.action for r in rows] == ["category_changed", "staff_added"]  # newest first
        added = next(r for r in rows if r.action == "staff_added")
        assert added.user_name == "Сотрудник c-admin" and added.state_name == "Доставлено"
        assert added.action_name == "Добавлен сотрудник: u-1: Добавлен сотрудник Иванов (логин ivanov)"
        assert audit_rows(cache, item_id="m-1") == []  # they concern no item
        assert audit_rows(cache, user_id="c-coord") == []
        exported = csv_lines(rows)
        assert all(not cell.startswith("=") for line in exported for cell in line)  # formula-safe as the rest
        # The read-only screens' data: the cache's staff (active first) and categories (subcategories under theirs).
        assert {s.id for s in cached_staff(cache, "c")} >= {"c-admin", "c-coord", "c-exec1"}
        assert [c.code for c in cached_categories(cache)] == ["roads", "light", "snow"]  # by name
    finally:
        cache.close()


def test_the_next_sync_brings_an_administrators_change(world: World, tmp_path: Path) -> None:
    """``directory_version`` in /me moved: the workstation downloads the directory at its next sync, not hourly."""
    cache = Cache.open(tmp_path / "coord.posdesk", secrets.token_bytes(32))
    try:
        world.inject()  # a cursor past 0 (an empty cache takes the directory at every sync)
        engine = SyncEngine(cache, world.client("c-coord"))  # the periodic directory refresh: an hour away
        assert engine.sync_once().status is SyncStatus.IDLE
        admin = world.client("c-admin")
        admin.change_category("light", CategoryChangeRequest(name="Освещение", term_kind=TermKind.ACCELERATED))
        admin.deactivate("c-exec3")
        assert engine.sync_once().status is SyncStatus.IDLE
        assert {c.code: c.term_days for c in cached_categories(cache)}["light"] == 10
        assert {s.id: s.active for s in cached_staff(cache, "c")}["c-exec3"] is False
        calls: list[str] = []
        client = engine.client
        original = client.staff
        client.staff = lambda: calls.append("staff") or original()  # type: ignore[method-assign]
        engine.sync_once()  # nothing changed since: the directory is not downloaded again
        assert calls == []
    finally:
        cache.close()
