"""Demo data: deterministic, every status and role, histories that follow the workflow rules, valid images."""

from __future__ import annotations

import itertools
import random
import re
import struct
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from offline_cache.contract.convert import item_to_state
from offline_cache.contract.models import Item
from offline_cache.domain.deadlines import Term, TermKind, Urgency, answer_due, item_urgency, routing_due
from offline_cache.domain.model import Action, ItemKind, Role, Status
from offline_cache.domain.staff import make_actor, validate_deputy
from offline_cache.domain.workflow import cell
from offline_cache.resources import rejection_grounds
from training_platform.demo_data import (
    DemoData,
    generate_demo,
    generate_items,
    load_categories,
    load_templates,
    new_message_text,
)

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(NOW)


@pytest.fixture(scope="module")
def bulk(demo: DemoData) -> tuple[list[Item], float]:
    started = time.process_time()  # CPU time: other processes on a busy machine do not count
    items, _ = generate_items(NOW, demo.organisations, demo.staff, load_categories(), count=20_000, seed=7,
                              start_number=100_000)
    return items, time.process_time() - started


def check_histories(items: Sequence[Item], demo: DemoData) -> None:
    """Each history is a chain of the workflow's transitions, done by people whose roles allow them."""
    orgs = {o.id: o for o in demo.organisations}
    staff = {m.id: m for m in demo.staff}
    terms = {c.code: Term.of(c.term_kind, c.term_days) for c in load_categories()}
    for item in items:
        h = item.history
        assert h, item.id
        assert h[0].from_status is None and h[0].to_status in (Status.AWAITING_ROUTING, Status.REPROCESSING), item.id
        for prev, entry in itertools.pairwise(h):
            assert entry.from_status == prev.to_status, item.id
            assert entry.at >= prev.at, item.id
        assert h[-1].to_status == item.status, item.id
        assert item.version == len(h), item.id
        assert item.updated_at == h[-1].at <= NOW, item.id
        assert (item.parent_id is None) == (h[0].action == "received" and h[0].actor_id is None), item.id
        for entry in h[1:]:
            if entry.actor_id is None:
                assert entry.action == "rated" and entry.to_status is Status.CLOSED, item.id
                continue
            member = staff[entry.actor_id]
            assert member.org_id == item.org_id, item.id
            action = Action(entry.action)
            assert entry.from_status is not None, item.id
            roles = make_actor(member, demo.staff, orgs, entry.at).roles
            allowed = {cell(entry.from_status, role, action) for role in roles} - {None}
            assert allowed, (item.id, entry)
            if action is not Action.APPROVE:
                assert entry.to_status in allowed, (item.id, entry)
        if h[0].to_status is Status.AWAITING_ROUTING:  # the answer term runs from registration [KR 8]
            zone = orgs[item.org_id].timezone
            assert item.due_at == answer_due(item.registered_at, item.kind, terms[item.category_code], zone), item.id
        if len(h) == 1:
            assert item.routing_due_at == routing_due(item.received_at, orgs[item.org_id].timezone), item.id
        for moment in (item.registered_at, item.received_at, item.due_at, item.updated_at, *(e.at for e in h)):
            assert moment.utcoffset() == timedelta(0), item.id
        assert NOW - timedelta(days=41) < item.registered_at < NOW, item.id


def test_same_moment_and_seed_give_the_same_data(demo: DemoData) -> None:
    again = generate_demo(NOW)
    assert [i.model_dump() for i in again.items] == [i.model_dump() for i in demo.items]
    assert again.blobs == demo.blobs and again.staff == demo.staff and again.credentials == demo.credentials
    other = generate_demo(NOW, seed=1)
    assert [i.text for i in other.items] != [i.text for i in demo.items]


def test_items_are_many_and_valid_and_cover_every_status_kind_and_org(demo: DemoData) -> None:
    assert len(demo.items) >= 300
    assert len({i.id for i in demo.items}) == len(demo.items)
    statuses = Counter(i.status for i in demo.items)
    assert set(statuses) == set(Status)
    assert statuses[Status.IN_WORK] + statuses[Status.AWAITING_ROUTING] > len(demo.items) / 4
    assert {i.kind for i in demo.items} == set(ItemKind)
    assert all(i.source == "social_network" for i in demo.items if i.kind is ItemKind.OPEN_SOURCE)
    assert {i.source for i in demo.items} == {"portal", "widget", "mobile_app", "social_network"}
    orgs = Counter(i.org_id for i in demo.items)
    assert set(orgs) == {o.id for o in demo.organisations} and orgs.most_common(1)[0][0] == "org-city"
    for item in demo.items:
        assert Item.model_validate(item.model_dump()) == item


def test_histories_follow_the_workflow(demo: DemoData) -> None:
    check_histories(demo.items, demo)


def test_showcase_cases_are_present(demo: DemoData) -> None:
    by_id = {i.id: i for i in demo.items}
    city_steps = {i.approval_step for i in demo.items if i.org_id == "org-city" and i.status is Status.ON_APPROVAL}
    assert {0, 1} <= city_steps
    reprocessing = {i.org_id for i in demo.items if i.status is Status.REPROCESSING}
    assert {"org-region", "org-city"} <= reprocessing
    for item in demo.items:
        if item.status is Status.REPROCESSING:
            parent = by_id[item.parent_id or ""]
            assert parent.status is Status.CLOSED and parent.rating is not None and parent.rating <= 2
        if item.status is Status.REDIRECTED:
            spawned = by_id[f"{item.id}-2"]
            assert spawned.parent_id == item.id and spawned.org_id == item.redirected_to_org_id != item.org_id
            assert spawned.number == item.number and spawned.due_at == item.due_at
        if item.status is Status.INTERIM_ANSWER:
            assert item.control_due_at is not None and item.interim_answer is not None
        if item.status is Status.RETURNED:
            assert any(h.action == "return_for_revision" and h.comment for h in item.history)
        if item.status is Status.REJECTED:
            assert item.rejection is not None and item.rejection.ground_code in rejection_grounds()
    assert any(h.action == "stop_reprocessing" for i in demo.items for h in i.history)
    urgencies = Counter(item_urgency(item_to_state(i), NOW) for i in demo.items)
    assert urgencies[Urgency.OVERDUE] >= 10 and urgencies[Urgency.CRITICAL] >= 3 and urgencies[Urgency.OK] >= 10


def test_texts_are_russian_varied_and_include_tricky_ones(demo: DemoData) -> None:
    texts = [i.text for i in demo.items]
    assert sum("<img src=x onerror=alert(1)>" in t or "<a href" in t or "<b>" in t for t in texts) >= 2
    assert max(map(len, texts)) >= 4_500
    assert sum("ё" in t for t in texts) > 20
    assert len(set(texts)) > 0.8 * len(texts)
    assert all(re.search("[А-Яа-я]", i.subject) for i in demo.items)
    assert all(re.fullmatch(r"(\+7 \(555\) \d{3}-\d\d-\d\d|[a-z.]+\d+@example\.(org|com|net))?", i.applicant_contact)
               for i in demo.items)
    coords = [(i.latitude, i.longitude) for i in demo.items if i.latitude is not None and i.longitude is not None]
    assert coords and all(57 < lat < 58.5 and 39 < lon < 41 for lat, lon in coords)
    code, subject, text, address = new_message_text(random.Random(3))
    assert code in {c.code for c in load_categories()} and subject and address in text
    assert "Светлогорск" in address


def test_every_role_is_staffed_and_one_executor_is_away_with_a_deputy(demo: DemoData) -> None:
    assert {r for m in demo.staff for r in m.roles} == set(Role)
    city = [m for m in demo.staff if m.org_id == "org-city"]
    count = Counter(r for m in city for r in m.roles)
    assert count[Role.COORDINATOR] >= 2 and count[Role.EXECUTOR] >= 4
    assert count[Role.ADMIN] and count[Role.HEAD] and count[Role.CURATOR]
    for org in ("org-region", "org-village"):
        assert {Role.COORDINATOR, Role.EXECUTOR, Role.HEAD} <= {r for m in demo.staff if m.org_id == org
                                                                 for r in m.roles}
    away = [m for m in demo.staff if m.is_absent(NOW)]
    assert len(away) == 1 and away[0].org_id == "org-city" and Role.EXECUTOR in away[0].roles
    assert away[0].absence is not None and away[0].absence.reason == "отпуск"
    deputy = next(m for m in demo.staff if m.id == away[0].deputy_id)
    assert Role.EXECUTOR in deputy.roles and not deputy.is_absent(NOW) and validate_deputy(away[0], deputy) is None
    covered = [i for i in demo.items if i.assignee_id == away[0].id]
    assert any(i.draft and i.draft.author_id == deputy.id for i in covered)
    logins = {c.login for c in demo.credentials}
    assert {"coord.city", "exec1.city", "head.city", "curator.city", "admin.city", "coord.region"} <= logins
    assert len(logins) == len(demo.credentials) == len(demo.staff)
    assert all(c.password == "demo" and re.search("[а-я]", c.note) for c in demo.credentials)


def test_organisations_and_their_chains(demo: DemoData) -> None:
    orgs = {o.id: o for o in demo.organisations}
    assert set(orgs) == {"org-region", "org-city", "org-village"}
    assert orgs["org-city"].approval_chain.steps == (Role.CURATOR, Role.HEAD)
    assert orgs["org-village"].parent_id == "org-city" and orgs["org-city"].parent_id == "org-region"
    assert all(ZoneInfo(o.timezone).key == "Europe/Moscow" for o in orgs.values())


def test_blobs_are_png_images_of_item_attachments(demo: DemoData) -> None:
    assert demo.blobs
    attachments = {(a.id, i.id): a for i in demo.items for a in i.attachments}
    assert {(b.meta.id, b.item_id) for b in demo.blobs} == set(attachments)
    for blob in demo.blobs:
        data = blob.data
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
        width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
        assert (width, height, depth, colour) == (64, 48, 8, 2)
        assert struct.unpack(">I", data[29:33])[0] == zlib.crc32(data[12:29]) & 0xFFFFFFFF
        idat = data.index(b"IDAT")
        length = struct.unpack(">I", data[idat - 4:idat])[0]
        assert len(zlib.decompress(data[idat + 4:idat + 4 + length])) == height * (1 + width * 3)
        assert data.endswith(b"IEND\xaeB`\x82")
        assert blob.meta.size == len(data) and blob.meta.content_type == "image/png"
        assert blob.meta.origin == "citizen" and blob.meta.id.startswith("att-")


def test_categories_cover_every_term_kind(demo: DemoData) -> None:
    categories = load_categories()
    assert len(categories) >= 12
    codes = [c.code for c in categories]
    assert len(set(codes)) == len(codes) and all(re.fullmatch("[a-z][a-z0-9_]*", c) for c in codes)
    assert {c.term_kind for c in categories} == set(TermKind)
    assert all(Term.of(c.term_kind, c.term_days).days == c.term_days for c in categories)
    assert any(c.parent_code for c in categories) and all(c.parent_code in (None, *codes) for c in categories)
    assert set(demo.categories) == {o.id for o in demo.organisations}
    assert all(v == categories for v in demo.categories.values())
    assert {i.category_code for i in demo.items} <= set(codes)


def test_templates_cover_every_purpose_and_real_grounds() -> None:
    templates = load_templates()
    assert len(templates) >= 10 and len({t.id for t in templates}) == len(templates)
    assert {t.purpose for t in templates} == {"answer", "interim", "rejection", "return"}
    grounds = rejection_grounds().codes
    rejections = [t for t in templates if t.purpose == "rejection"]
    assert len(rejections) >= 3 and all(t.ground_code in grounds for t in rejections)
    codes = {c.code for c in load_categories()}
    assert all(t.category_code is None or t.category_code in codes for t in templates)


def test_large_sets_are_fast_and_still_follow_the_rules(demo: DemoData, bulk: tuple[list[Item], float]) -> None:
    items, seconds = bulk
    assert len(items) >= 20_000 and len({i.id for i in items}) == len(items)
    assert seconds < 5, f"20 000 items took {seconds:.1f} s"
    assert set(Counter(i.status for i in items)) == set(Status)
    assert items[0].number.endswith("0100000")
    check_histories(items, demo)
