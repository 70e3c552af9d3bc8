"""A small training-platform world for tests: three organisations, staff in every role, a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.contract.models import CategoryOut, InjectMessageRequest, Item
from offline_cache.domain.deadlines import TermKind
from offline_cache.domain.model import ItemKind, OrgLevel, Role
from offline_cache.domain.staff import Absence, ApprovalChain, Organisation, StaffMember
from training_platform.server import TrainingServer
from training_platform.service import Clock, Platform

WORLD_START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
PASSWORD = "pw"

ORGS = [
    Organisation("r", "Администрация края", OrgLevel.REGION, None, "Europe/Moscow"),
    Organisation("c", "Администрация города", OrgLevel.MUNICIPALITY, "r", "Asia/Yekaterinburg",
                 ApprovalChain((Role.CURATOR, Role.HEAD))),
    Organisation("v", "Администрация поселения", OrgLevel.SETTLEMENT, "c", "Asia/Yekaterinburg"),
]

STAFF = [
    ("r-coord", "r", {Role.COORDINATOR}),
    ("r-exec", "r", {Role.EXECUTOR}),
    ("r-head", "r", {Role.HEAD}),
    ("r-cur", "r", {Role.CURATOR}),
    ("c-admin", "c", {Role.ADMIN}),
    ("c-coord", "c", {Role.COORDINATOR}),
    ("c-exec1", "c", {Role.EXECUTOR}),
    ("c-exec2", "c", {Role.EXECUTOR}),
    ("c-exec3", "c", {Role.EXECUTOR}),
    ("c-head", "c", {Role.HEAD}),
    ("c-cur", "c", {Role.CURATOR}),
    ("v-coord", "v", {Role.COORDINATOR, Role.EXECUTOR}),
    ("v-head", "v", {Role.HEAD}),
]

CATEGORIES = [
    CategoryOut(code="roads", name="Дороги", term_kind=TermKind.STANDARD, term_days=30),
    CategoryOut(code="light", name="Освещение", term_kind=TermKind.FAST_TRACK_1, term_days=8),
    CategoryOut(code="snow", name="Уборка снега", term_kind=TermKind.CUSTOM, term_days=5),
]


@dataclass
class World:
    """A running training platform with a known organisation tree, staff and clock."""

    server: TrainingServer
    clock: Clock
    clients: list[PlatformClient] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def platform(self) -> Platform:
        return self.server.platform

    def client(self, user_id: str | None = None, **config: object) -> PlatformClient:
        """A client (logged in as ``user_id`` when given) whose retries do not sleep."""
        cfg = ClientConfig(self.url, **config)  # type: ignore[arg-type]
        client = PlatformClient(cfg, sleep=lambda _s: None)
        self.clients.append(client)
        if user_id is not None:
            client.login(user_id, PASSWORD)
        return client

    def inject(self, org_id: str = "c", category: str = "roads", kind: ItemKind = ItemKind.MESSAGE,
               text: str = "Яма на дороге у дома, ещё и лужа") -> Item:
        return self.platform.inject(InjectMessageRequest(
            org_id=org_id, kind=kind, category_code=category, text=text, address="ул. Садовая, д. 1",
            applicant_name="Заявитель Тестовый"))


def populate(platform: Platform, start: datetime = WORLD_START) -> None:
    store = platform.store
    with store.transaction():
        for org in ORGS:
            store.put_org(org)
            store.put_categories(org.id, CATEGORIES)
        for staff_id, org_id, roles in STAFF:
            store.put_staff(StaffMember(staff_id, org_id, f"Сотрудник {staff_id}", frozenset(roles)))
            store.put_credential(staff_id, PASSWORD, staff_id, hint=True)
        store.set_meta("default_org", "c")


def absent(member_id: str, deputy_id: str, start: datetime, days: int = 14) -> StaffMember:
    """``member_id`` from STAFF, absent from ``start`` for ``days`` with ``deputy_id`` covering."""
    staff_id, org_id, roles = next(s for s in STAFF if s[0] == member_id)
    return StaffMember(staff_id, org_id, f"Сотрудник {staff_id}", frozenset(roles),
                       absence=Absence(start, start + timedelta(days=days), "отпуск"), deputy_id=deputy_id)
