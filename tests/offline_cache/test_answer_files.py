"""Answer files: the platform's limits checked before queueing (one rule for both), files kept encrypted until
delivered, uploaded before the action that names them, and never twice, even across a crash."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from offline_cache.actions import perform
from offline_cache.answer_files import check_file, read_answer_file
from offline_cache.client import PlatformClient
from offline_cache.contract.models import MAX_ATTACHMENT_BYTES, AttachmentMeta
from offline_cache.domain.files import MAX_ANSWER_FILE_BYTES, MAX_ATTACHMENTS
from offline_cache.domain.model import Action, Status
from offline_cache.errors import InvalidError, OfflineError
from offline_cache.store.cache import Cache
from offline_cache.store.local import LocalFileRefused
from offline_cache.sync import SyncEngine, SyncStatus
from tests.offline_cache.test_outbox_ops import in_work
from tests.world import World

PDF = b"%PDF-1.4 \xd0\xb0\xd0\xba\xd1\x82 " + secrets.token_bytes(64)


class SimulatedCrash(BaseException):
    """The process dies here (nothing after this line runs, nothing catches it)."""


@pytest.mark.parametrize(("name", "ctype", "size", "reason"), [
    ("акт.pdf", "application/pdf", 10, None),
    ("фото.JPG", "image/jpeg", MAX_ANSWER_FILE_BYTES, None),
    ("фото.jpg", "image/jpeg", MAX_ANSWER_FILE_BYTES + 1, "больше 5 МБ"),
    ("пусто.pdf", "application/pdf", 0, "пуст"),
    ("акт\u202etxt.exe", "application/pdf", 10, "недопустимый символ U+202E"),  # a hidden real ending
    ("../акт.pdf", "application/pdf", 10, "Недопустимое имя"),
    ("акт.pdf", "not a mime", 10, "«тип/подтип»"),
])
def test_check_file_says_why_in_russian(name: str, ctype: str, size: int, reason: str | None) -> None:
    result = check_file(name, ctype, size)
    assert result is None if reason is None else (result is not None and reason in result), result


def test_the_platform_enforces_the_same_rule(world: World) -> None:
    assert MAX_ATTACHMENT_BYTES == MAX_ANSWER_FILE_BYTES
    item_id = in_work(world)
    client = world.client("c-exec1")
    for name, ctype, data in [("акт\u202etxt.exe", "application/pdf", PDF), ("акт.pdf", "not a mime", PDF),
                              ("скан.pdf", "application/pdf", b"\0" * (MAX_ANSWER_FILE_BYTES + 1))]:
        assert check_file(name, ctype, len(data)) is not None
        with pytest.raises(InvalidError):
            client.upload_attachment(item_id, name, ctype, data)
    assert check_file("акт.pdf", "application/pdf", len(PDF)) is None
    assert client.upload_attachment(item_id, "акт.pdf", "application/pdf", PDF).size == len(PDF)


def test_reading_a_file_checks_before_reading(tmp_path: Path) -> None:
    good = tmp_path / "справка.docx"
    good.write_bytes(b"PK docx")
    assert read_answer_file(good) == (
        "справка.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK docx")
    big = tmp_path / "скан.pdf"
    with big.open("wb") as f:
        f.truncate(MAX_ANSWER_FILE_BYTES + 1)
    with pytest.raises(LocalFileRefused, match="больше 5 МБ"):
        read_answer_file(big)


def synced(world: World, path: Path, key: bytes, client: PlatformClient | None = None) -> tuple[Cache, SyncEngine]:
    cache = Cache.open(path, key)
    engine = SyncEngine(cache, client or world.client("c-exec1"))
    assert engine.sync_once().status is SyncStatus.IDLE
    return cache, engine


def answer_files(world: World, item_id: str) -> list[AttachmentMeta]:
    server = world.platform.store.get_item(item_id)
    assert server is not None
    return [a for a in server.attachments if a.origin == "answer"]


def test_local_files_stay_encrypted_and_are_uploaded_before_the_action(world: World, tmp_path: Path) -> None:
    item_id = in_work(world)
    path, key = tmp_path / "files.posdesk", secrets.token_bytes(32)
    cache, engine = synced(world, path, key)
    meta = cache.add_local_attachment(item_id, "акт.pdf", "application/pdf", PDF)
    assert meta.id.startswith("local-") and cache.local_attachments(item_id) == [meta]
    assert cache.local_draft(item_id).attachment_ids == (meta.id,)  # type: ignore[union-attr]
    assert PDF not in path.read_bytes() and not any(
        PDF in p.read_bytes() for p in tmp_path.iterdir() if p.is_file()), "the bytes are stored encrypted"
    for n in range(MAX_ATTACHMENTS - 1):
        cache.add_local_attachment(item_id, f"фото{n}.png", "image/png", b"png")
    with pytest.raises(LocalFileRefused, match=f"не более {MAX_ATTACHMENTS}"):
        cache.add_local_attachment(item_id, "лишний.png", "image/png", b"png")
    for extra in cache.local_attachments(item_id)[1:]:
        cache.remove_local_attachment(extra.id)
    assert cache.local_attachments(item_id) == [meta]

    # Two actions name the same file (saved, then submitted, both offline): it is uploaded once.
    perform(cache, item_id, Action.SAVE_DRAFT, {"text": "Ответ с актом", "attachment_ids": [meta.id]})
    perform(cache, item_id, Action.SUBMIT_FOR_APPROVAL, {"text": "Ответ с актом", "attachment_ids": [meta.id]})
    report = engine.sync_once()
    assert report.pushed == 2 and report.failed == 0, report
    [uploaded] = answer_files(world, item_id)
    server = world.platform.store.get_item(item_id)
    assert server is not None and server.status is Status.ON_APPROVAL and server.draft is not None
    assert server.draft.attachment_ids == [uploaded.id] and uploaded.name == "акт.pdf"
    assert world.platform.store.get_attachment(uploaded.id)[2] == PDF  # type: ignore[index]
    assert [e.payload["attachment_ids"] for e in cache.outbox(("done",))] == [[uploaded.id], [uploaded.id]]
    assert cache.local_attachments(item_id) == [], "delivered: the local copy is gone"
    assert cache.attachment_data(uploaded.id) == PDF, "the platform's copy has its bytes without a download"
    cache.close()


class _Flaky(PlatformClient):
    """A real client that fails at one chosen moment, once."""

    fail: str = ""

    def upload_attachment(self, item_id: str, name: str, content_type: str, data: bytes) -> AttachmentMeta:
        meta = super().upload_attachment(item_id, name, content_type, data)
        if self.fail == "upload-answer-lost":
            self.fail = ""
            raise OfflineError("Связь с платформой прервалась во время обмена", code="dropped")
        if self.fail == "crash-after-upload":
            self.fail = ""
            raise SimulatedCrash
        return meta

    def act(self, item_id: str, action: Any, base_version: int, payload: Any = None, *,
            idempotency_key: str | None = None) -> Any:
        if self.fail == "crash-before-action":
            self.fail = ""
            raise SimulatedCrash
        return super().act(item_id, action, base_version, payload, idempotency_key=idempotency_key)


@pytest.mark.parametrize("moment", ["upload-answer-lost", "crash-after-upload", "crash-before-action"])
def test_an_interrupted_delivery_neither_uploads_twice_nor_loses_the_file(world: World, tmp_path: Path,
                                                                          moment: str) -> None:
    item_id = in_work(world)
    path, key = tmp_path / "crash.posdesk", secrets.token_bytes(32)
    flaky = world.client()
    flaky.__class__ = _Flaky
    flaky.login("c-exec1", "pw")
    cache, engine = synced(world, path, key, flaky)
    meta = cache.add_local_attachment(item_id, "акт.pdf", "application/pdf", PDF)
    queued = perform(cache, item_id, Action.SAVE_DRAFT, {"text": "Ответ", "attachment_ids": [meta.id]})
    flaky.fail = moment  # type: ignore[attr-defined]
    if moment == "upload-answer-lost":
        assert engine.sync_once().status is SyncStatus.OFFLINE
    else:
        with pytest.raises(SimulatedCrash):
            engine.sync_once()
        cache.close()  # the process is gone; a new one opens the same file
        cache = Cache.open(path, key)
        engine = SyncEngine(cache, world.client("c-exec1"))
    assert cache.local_file(meta.id) is not None, "the file is still in the cache"
    assert len(answer_files(world, item_id)) == 1

    report = engine.sync_once()
    assert report.status is SyncStatus.IDLE and report.pushed == 1, report
    [uploaded] = answer_files(world, item_id)
    assert world.platform.store.get_attachment(uploaded.id)[2] == PDF  # type: ignore[index]
    server = world.platform.store.get_item(item_id)
    assert server is not None and server.draft is not None and server.draft.attachment_ids == [uploaded.id]
    entry = cache.outbox_entry(queued.entry.id)
    assert entry is not None and entry.state == "done" and entry.payload["attachment_ids"] == [uploaded.id]
    assert cache.local_file(meta.id) is None and cache.attachment_data(uploaded.id) == PDF
    cache.close()
