"""The local audit log: who acted, for whom, what, on which item, when queued, when delivered or why not; CSV export
that Excel opens (UTF-8 with BOM) and that cannot smuggle formulas."""

from __future__ import annotations

import csv
import secrets
import shutil
from pathlib import Path

from offline_cache.actions import perform
from offline_cache.audit import CSV_HEADER, audit_rows, export_csv, safe_cell
from offline_cache.domain.model import Action
from offline_cache.outbox import Outbox
from offline_cache.store.cache import Cache
from offline_cache.sync import SyncEngine, SyncStatus
from tests.offline_cache.fixtures_workstation import FIXTURE_KEY, FIXTURES
from tests.offline_cache.test_outbox_ops import in_work
from tests.world import WORLD_START, World, absent


def test_audit_rows_tell_who_for_whom_what_when_and_why(world: World, tmp_path: Path) -> None:
    delivered, refused, cancelled = in_work(world), in_work(world), in_work(world)
    world.platform.store.put_staff(absent("c-exec1", "c-exec2", WORLD_START))
    cache = Cache.open(tmp_path / "audit.posdesk", secrets.token_bytes(32))
    engine = SyncEngine(cache, world.client("c-exec2"))
    assert engine.sync_once().status is SyncStatus.IDLE
    ok = perform(cache, delivered, Action.SAVE_DRAFT, {"text": "=HYPERLINK(\"http://evil\")"})
    bad = perform(cache, refused, Action.SAVE_DRAFT, {"text": "Ответ", "attachment_ids": ["att-нет"]})
    gone = perform(cache, cancelled, Action.SAVE_DRAFT, {"text": "Передумал"})
    Outbox(cache).cancel(gone.entry.id)
    engine.sync_once()

    rows = {r.entry_key: r for r in audit_rows(cache)}
    assert set(rows) == {ok.entry.idempotency_key, bad.entry.idempotency_key, gone.entry.idempotency_key}
    done = rows[ok.entry.idempotency_key]
    assert (done.user_id, done.user_name, done.acting_for, done.acting_for_name) == (
        "c-exec2", "Сотрудник c-exec2", "c-exec1", "Сотрудник c-exec1")
    assert (done.item_id, done.action_name, done.state, done.state_name, done.error) == (
        delivered, "Сохранить черновик", "done", "Доставлено", "")
    assert done.item_number.startswith("2026-") and done.queued_at == ok.entry.created_at
    assert done.delivered_at is not None and done.delivered_at >= done.queued_at
    failed = rows[bad.entry.idempotency_key]
    assert failed.state == "failed" and "Вложение не найдено" in failed.error and failed.delivered_at is None
    assert rows[gone.entry.idempotency_key].state_name == "Отменено"
    assert [r.entry_key for r in audit_rows(cache, item_id=refused)] == [bad.entry.idempotency_key]
    assert audit_rows(cache, user_id="c-exec1") == [] and len(audit_rows(cache, user_id="c-exec2")) == 3
    assert len(audit_rows(cache, limit=2)) == 2

    path = tmp_path / "журнал.csv"
    assert export_csv(audit_rows(cache), path) == 3
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
    with path.open(encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f, delimiter=";"))
    assert tuple(lines[0]) == CSV_HEADER and len(lines) == 4
    assert {line[6] for line in lines[1:]} == {"Доставлено", "Отклонено платформой", "Отменено"}
    assert all(line[1] == "Сотрудник c-exec1" for line in lines[1:])
    cache.close()


def test_cells_cannot_become_formulas() -> None:
    for dangerous in ("=1+1", "+7 999", "-2", "@SUM(A1)", "\tx", "\r=1"):
        assert safe_cell(dangerous) == "'" + dangerous
    for harmless in ("Иванов", "2026-03-10T09:00:00+00:00", "", "a=b"):
        assert safe_cell(harmless) == harmless


def test_export_of_hostile_text_stays_text(tmp_path: Path) -> None:
    from offline_cache.audit import AuditRow

    row = AuditRow("k", "m-1", "=cmd|' /C calc'!A0", "save_draft", "u", "@Иванов", None, "", "2026-03-10",
                   None, "failed", "-ошибка")
    path = tmp_path / "x.csv"
    export_csv([row], path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        [_, line] = list(csv.reader(f, delimiter=";"))
    assert line[0] == "'@Иванов" and line[3] == "'=cmd|' /C calc'!A0" and line[7] == "'-ошибка"


def test_lines_from_before_the_columns_are_read_too(tmp_path: Path) -> None:
    path = tmp_path / "v3.posdesk"
    shutil.copy(FIXTURES / "cache_v3_outbox.posdesk", path)
    cache = Cache.open(path, FIXTURE_KEY)
    rows = audit_rows(cache)
    assert len(rows) == 3 and {r.action for r in rows} == {"save_draft", "submit_for_approval"}
    assert all(r.state == "pending" and r.queued_at.startswith("2026-03-10") for r in rows)
    cache.close()
