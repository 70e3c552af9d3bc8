"""Demo data for the training platform: a region, a city and a village, staff in every role, items in every
status with histories produced by the real workflow rules, and a few generated images. No real people.

Everything is deterministic for a given ``(now, seed)``: the only source of randomness is one
``random.Random(seed)``, and sets are never iterated where order reaches the output. Word lists and
message fragments live in ``resources/catalogues/demo_texts.json``.
"""

from __future__ import annotations

import bisect
import gc
import itertools
import json
import random
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from offline_cache.contract.convert import state_fields
from offline_cache.contract.models import AttachmentMeta, CategoryOut, Item, TemplateOut
from offline_cache.domain.deadlines import Term, answer_due, routing_due, term_days
from offline_cache.domain.model import Action, Draft, HistoryEntry, ItemKind, ItemState, OrgLevel, Role, Status
from offline_cache.domain.staff import Absence, Actor, ApprovalChain, Organisation, StaffMember, make_actor
from offline_cache.domain.workflow import Decision, DecisionContext, apply_rating, decide, draft_digest
from offline_cache.resources import rejection_grounds, resources_dir

PASSWORD = "demo"
ZONE = "Europe/Moscow"


@dataclass(frozen=True)
class Credential:
    """A demo login: password for everyone is ``demo``; the note says who this is."""

    login: str
    password: str
    staff_id: str
    note: str


@dataclass(frozen=True)
class Blob:
    """Bytes of one attachment as reachable through ``item_id`` (a redirected or re-processed item
    repeats its origin's citizen attachments, so the same ``meta.id`` may appear for several items)."""

    meta: AttachmentMeta
    data: bytes
    item_id: str


@dataclass(frozen=True)
class DemoData:
    organisations: list[Organisation]
    staff: list[StaffMember]
    credentials: list[Credential]
    categories: dict[str, list[CategoryOut]]  # org id -> categories configured by that organisation
    templates: list[TemplateOut]
    items: list[Item]
    blobs: list[Blob]


# --- resources ------------------------------------------------------------------------------


def _json(*parts: str) -> Any:
    return json.loads(resources_dir().joinpath(*parts).read_text(encoding="utf-8"))


def load_categories() -> list[CategoryOut]:
    """Categories with their answer terms, from resources/catalogues/categories.json."""
    return [CategoryOut.model_validate(c) for c in _json("catalogues", "categories.json")["categories"]]


def load_templates() -> list[TemplateOut]:
    """Answer, interim, rejection and return templates, from resources/templates/default_templates.json."""
    return [TemplateOut.model_validate(t) for t in _json("templates", "default_templates.json")["templates"]]


@cache
def _texts() -> dict[str, Any]:
    data: dict[str, Any] = _json("catalogues", "demo_texts.json")
    return data


# --- organisations and staff ----------------------------------------------------------------

ORGS = [
    Organisation("org-region", "Администрация Новоградского края", OrgLevel.REGION, None, ZONE),
    Organisation("org-city", "Администрация города Светлогорска", OrgLevel.MUNICIPALITY, "org-region", ZONE,
                 ApprovalChain((Role.CURATOR, Role.HEAD))),
    Organisation("org-village", "Администрация Ольховского сельского поселения", OrgLevel.SETTLEMENT, "org-city",
                 ZONE),
]
ABSENT_ID, DEPUTY_ID = "u-city-exec-4", "u-city-exec-2"


def _absence(now: datetime) -> Absence:
    today = now.astimezone(ZoneInfo(ZONE)).date()
    start = datetime.combine(today - timedelta(days=6), time(0), tzinfo=ZoneInfo(ZONE)).astimezone(UTC)
    return Absence(start, start + timedelta(days=15), "отпуск")


def build_staff(now: datetime) -> tuple[list[StaffMember], list[Credential]]:
    """Staff of the three organisations (one executor of the city on leave now) and their logins."""
    away = _absence(now)
    until = (away.ends_at - timedelta(seconds=1)).astimezone(ZoneInfo(ZONE)).strftime("%d.%m.%Y")
    members, creds = [], []
    for row in _texts()["staff"]:  # id, org_id, full_name, position, roles, login, note
        absent = row["id"] == ABSENT_ID
        members.append(StaffMember(row["id"], row["org_id"], row["full_name"], frozenset(map(Role, row["roles"])),
                                   row["position"], away if absent else None, DEPUTY_ID if absent else None))
        creds.append(Credential(row["login"], PASSWORD, row["id"], row["note"].format(until=until)))
    return members, creds


def generate_demo(now: datetime, *, seed: int = 0, items: int = 320) -> DemoData:
    """The whole demo world at ``now``: ``items`` messages plus the items redirects and low ratings spawn."""
    now = _utc(now)
    staff, credentials = build_staff(now)
    categories = load_categories()
    made, blobs = generate_items(now, ORGS, staff, categories, count=items, seed=seed, start_number=1)
    return DemoData(list(ORGS), staff, credentials, {o.id: list(categories) for o in ORGS}, load_templates(),
                    made, blobs)


# --- texts ----------------------------------------------------------------------------------

def _one(rng: random.Random, seq: Sequence[Any]) -> Any:
    """``rng.choice`` without its overhead (this runs a few dozen times per item)."""
    return seq[int(rng.random() * len(seq))]


def _some(rng: random.Random, seq: Sequence[Any], k: int) -> list[Any]:
    """Up to two distinct elements of ``seq``."""
    if k <= 0 or not seq:
        return []
    first = int(rng.random() * len(seq))
    if k == 1 or len(seq) == 1:
        return [seq[first]]
    return [seq[first], seq[(first + 1 + int(rng.random() * (len(seq) - 1))) % len(seq)]]


def _num(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def _person(rng: random.Random) -> tuple[str, str, str]:
    """(full name, greeting, e-mail login) of a fictional applicant."""
    names = _texts()["names"]
    female = rng.random() < 0.55
    surname = _one(rng, names["surnames"])
    if female:
        surname = surname[:-2] + "ая" if surname.endswith("ий") else surname + "а"
    first = _one(rng, names["female_first" if female else "male_first"])
    patronymic = _one(rng, names["patronymics"])[int(female)]
    login = "".join(names["translit"].get(ch, ch) for ch in f"{surname}.{first[0]}".lower())
    return (f"{surname} {first} {patronymic}", f"{'Уважаемая' if female else 'Уважаемый'} {first} {patronymic}!",
            login)


def _contact(rng: random.Random, login: str) -> str:
    if rng.random() < 0.6:
        return f"+7 (555) {_num(rng, 100, 999)}-{_num(rng, 10, 99)}-{_num(rng, 10, 99)}"
    return f"{login}{_num(rng, 1, 99)}@example.{_one(rng, ('org', 'com', 'net'))}"


def _address(rng: random.Random, org_id: str) -> tuple[str, float, float]:
    places = _texts()["places"]
    place = places.get(org_id, places["org-city"])
    house = f"д. {_num(rng, 1, 120)}" + (f", корп. {_num(rng, 1, 3)}" if rng.random() < 0.1 else "")
    spread = place["spread"]
    return (f"{place['prefix']}, {_one(rng, place['streets'])}, {house}",
            round(place["lat"] + spread * (2 * rng.random() - 1), 5),
            round(place["lon"] + spread * 1.8 * (2 * rng.random() - 1), 5))


def _compose(rng: random.Random, code: str, address: str, name: str = "") -> tuple[str, str]:
    """(subject, text) of a message about ``code`` at ``address``, built from several fragments."""
    t = _texts()
    cat = t["categories"].get(code) or {"subjects": [name or "Проблема"],
                                        "problems": [f"Прошу обратить внимание на проблему: {name.lower()}."],
                                        "details": []}
    problem = _one(rng, cat["problems"])
    where = _one(rng, t["address_sentences"]).format(address=address)
    parts = [_one(rng, t["openings"])]
    parts += [where, problem] if rng.random() < 0.4 else [problem, where]
    details = _some(rng, cat["details"], _num(rng, 0, 2)) + _some(rng, t["details"], _num(rng, 0, 2))
    if len(details) > 1 and rng.random() < 0.5:
        details.reverse()
    parts += [*details, _one(rng, t["closings"])]
    return _one(rng, cat["subjects"]), " ".join(p for p in parts if p)


def new_message_text(rng: random.Random) -> tuple[str, str, str, str]:
    """(category code, subject, text, address) of a fresh realistic message in the city."""
    code = rng.choice(sorted(_texts()["categories"]))
    address, _, _ = _address(rng, "org-city")
    subject, text = _compose(rng, code, address)
    return code, subject, text, address


# --- images ---------------------------------------------------------------------------------

_PALETTE = [(214, 80, 64), (64, 140, 214), (80, 180, 96), (230, 180, 60), (150, 90, 200), (60, 170, 170),
            (120, 120, 120), (200, 110, 160)]


def png_bytes(width: int, height: int, pixels: bytes) -> bytes:
    """Encode raw RGB ``pixels`` (row after row) as a PNG: signature, IHDR, one IDAT, IEND."""
    stride = width * 3
    raw = b"".join(b"\x00" + pixels[y * stride:(y + 1) * stride] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


@cache
def demo_png(variant: int, width: int = 64, height: int = 48) -> bytes:
    """One of a few dozen 'photos': a coloured gradient with stripes, checks or a disc, and a little noise."""
    noise = random.Random(variant).random
    colour = _PALETTE[variant % len(_PALETTE)]
    pattern = variant // len(_PALETTE) % 3
    out: list[int] = []
    for y in range(height):
        for x in range(width):
            mark = ((x + y) % 12 < 3) if pattern == 0 else ((x // 8 + y // 8) % 2 == 0) if pattern == 1 else \
                ((x - width // 2) ** 2 + (y - height // 2) ** 2 < 180)
            shade = 28 + 140 * (x + y) // (width + height) + (50 if mark else 0) + int(noise() * 25)
            out += [min(255, c * shade // 160) for c in colour]
    return png_bytes(width, height, bytes(out))


# --- driving items through the workflow -----------------------------------------------------

def _table(pairs: Sequence[tuple[Any, int]]) -> tuple[tuple[Any, ...], list[int]]:
    return tuple(v for v, _ in pairs), list(itertools.accumulate(w for _, w in pairs))


def _pick(rng: random.Random, table: tuple[tuple[Any, ...], list[int]]) -> Any:
    """A weighted choice from a table made by ``_table`` (``random.choices`` recomputes sums each call)."""
    values, cum = table
    return values[bisect.bisect(cum, rng.random() * cum[-1])]


#: Where a random item ends up, with weights: the demo shows every status, mostly work in progress.
OUTCOMES: list[tuple[str, int]] = [
    ("awaiting", 16), ("in_work", 24), ("back_to_routing", 2), ("on_approval", 7), ("on_approval_1", 4),
    ("returned", 6), ("interim", 6), ("answered", 8), ("closed", 12), ("rejected", 6), ("redirected", 4),
    ("reprocessing", 4), ("reprocessing_work", 1), ("reprocessing_stopped", 1),
]
_OUTCOMES = _table(OUTCOMES)
_BUCKETS = _table([("overdue", 15), ("critical", 12), ("soon", 18), ("ok", 55)])
_ORG_KEYS = _table([("city", 75), ("village", 12), ("region", 13)])
_KINDS = _table([(ItemKind.MESSAGE, 85), (ItemKind.APPEAL, 8), (ItemKind.OPEN_SOURCE, 7)])
_SOURCES = _table([("portal", 50), ("mobile_app", 30), ("widget", 20)])
_SCORES = _table([(3, 2), (4, 4), (5, 6)])
_WORK_STATUSES = {Status.IN_WORK, Status.ON_APPROVAL, Status.RETURNED, Status.AWAITING_ROUTING}
_BUCKETED = {"in_work", "back_to_routing", "on_approval", "on_approval_1", "returned"}
#: Steps whose payload carries one phrase from demo_texts.json: step -> (payload key, list of phrases).
_PHRASES = {"route": ("comment", "routing_comments"), "reassign": ("comment", "routing_comments"),
            "back": ("comment", "back_to_routing"), "draft": ("text", "drafts"), "return": ("comment", "returns"),
            "redirect": ("comment", "redirect_comments"), "stop": ("comment", "stop_reprocessing")}
_ACTIONS = {
    "route": Action.ROUTE_TO_EXECUTOR, "reassign": Action.REASSIGN, "take": Action.TAKE_INTO_WORK,
    "back": Action.RETURN_TO_ROUTING, "draft": Action.SAVE_DRAFT, "submit": Action.SUBMIT_FOR_APPROVAL,
    "interim": Action.INTERIM_ANSWER, "approve": Action.APPROVE, "return": Action.RETURN_FOR_REVISION,
    "reject": Action.REJECT, "redirect": Action.REDIRECT, "stop": Action.STOP_REPROCESSING,
}


class _Flow:
    """Drives items through ``decide`` / ``apply_rating`` with real actors at moments before ``now``."""

    def __init__(self, orgs: Sequence[Organisation], staff: Sequence[StaffMember], now: datetime,
                 rng: random.Random) -> None:
        self.orgs = {o.id: o for o in orgs}
        self.staff_list = list(staff)
        self.staff = {m.id: m for m in staff}
        self.now, self.rng = now, rng
        self.codes = rejection_grounds().codes
        self.absent = [m for m in staff if m.absence is not None]
        self.by_role: dict[tuple[str, Role], list[StaffMember]] = {}
        for m in sorted(staff, key=lambda s: s.id):
            for role in sorted(m.roles):
                self.by_role.setdefault((m.org_id, role), []).append(m)
        self._actors: dict[tuple[str, tuple[str, ...]], Actor] = {}
        by_level = {o.level: o.id for o in reversed(orgs)}
        first = orgs[0].id
        self.org_of = {"city": by_level.get(OrgLevel.MUNICIPALITY, first),
                       "village": by_level.get(OrgLevel.SETTLEMENT, first),
                       "region": by_level.get(OrgLevel.REGION, first)}

    def actor(self, member: StaffMember, at: datetime) -> Actor:
        key = (member.id, tuple(m.id for m in self.absent if m.absence is not None and m.absence.covers(at)))
        found = self._actors.get(key)
        if found is None:
            found = self._actors[key] = make_actor(member, self.staff_list, self.orgs, at)
        return found

    def act(self, state: ItemState, member: StaffMember, action: Action, payload: Mapping[str, object],
            at: datetime, new_id: str | None = None) -> Decision:
        ctx = DecisionContext(at, self.orgs, self.staff, self.codes, new_id)
        return decide(state, self.actor(member, at), action, payload, ctx)

    def who(self, org_id: str, role: Role) -> StaffMember:
        return self.rng.choice(self.by_role[(org_id, role)])

    def worker(self, state: ItemState, at: datetime) -> StaffMember:
        """The assignee, or their deputy while they are away."""
        member = self.staff[state.assignee_id or ""]
        if member.is_absent(at) and member.deputy_id in self.staff:
            return self.staff[member.deputy_id or ""]
        return member

    def executor_for(self, org_id: str, at: datetime) -> StaffMember:
        present = [m for m in self.by_role.get((org_id, Role.EXECUTOR), []) if not m.is_absent(at)]
        return self.rng.choice(present or self.by_role[(org_id, Role.COORDINATOR)])

    def plan(self, outcome: str, org_id: str) -> tuple[list[str], list[str]]:
        """Steps in the item's organisation, and steps of the item it spawns (if any)."""
        rng = self.rng
        if outcome == "awaiting":
            return [], []
        if outcome == "in_work":
            first = ["take"] if rng.random() < 0.15 else ["route", "reassign"] if rng.random() < 0.1 else ["route"]
            return first + (["draft"] if rng.random() < 0.35 else []), []
        simple = {"back_to_routing": ["route", "back"], "rejected": ["reject"], "on_approval": ["route", "submit"],
                  "returned": ["route", "submit", "return"]}
        if outcome in simple:
            return simple[outcome] + (["draft"] if outcome == "returned" and rng.random() < 0.3 else []), []
        if outcome == "redirected":
            return ["redirect"], [[], ["route"], ["route", "submit"]][rng.randrange(3)]
        approve = ["approve"] * len(self.orgs[org_id].approval_chain.steps)
        if outcome == "on_approval_1":
            return ["route", "submit", *approve[:-1]], []
        if outcome == "interim":
            return ["route", "interim", *approve], []
        answer = ["route", "submit", *(["return", "submit"] if rng.random() < 0.25 else []), *approve]
        if outcome == "answered":
            return answer, []
        if outcome == "closed":
            return [*answer, "rate_ok"], []
        then = {"reprocessing": [], "reprocessing_work": ["route"], "reprocessing_stopped": ["stop"]}[outcome]
        parent = self.orgs[org_id].parent_id
        if "stop" in then and (parent is None or self.orgs[parent].level is not OrgLevel.REGION):
            then = []
        return [*answer, "rate_low"], then

    def moments(self, start: datetime, n: int) -> list[datetime]:
        """``n`` moments after ``start`` and before now; the coordinator usually routes quickly."""
        rng = self.rng
        weights = [rng.uniform(0.05, 0.5) if i == 0 else rng.uniform(0.2, 1.5) for i in range(n)]
        total = sum(weights) + rng.uniform(0.1, 1.5)
        span, acc, out = (self.now - start).total_seconds(), 0.0, []
        for w in weights:
            acc += w
            out.append(start + timedelta(seconds=round(span * acc / total)))
        return out

    def run(self, state: ItemState, outcome: str, extra: Mapping[str, Any]) -> list[ItemState]:
        """The item after its steps, and the item it spawned (redirect, low rating) after that one's steps."""
        steps, then = (list(extra["steps"]), []) if "steps" in extra else self.plan(outcome, state.org_id)
        times = extra.get("times") or self.moments(state.registered_at, len(steps) + len(then))
        spawned: ItemState | None = None
        for at, step in zip(times, steps, strict=False):
            state, made = self.step(state, step, at, extra)
            spawned = made or spawned
        if spawned is None:
            return [state]
        for at, step in zip(times[len(steps):], then, strict=True):
            spawned, _ = self.step(spawned, step, at, extra)
        return [state, spawned]

    def step(self, st: ItemState, step: str, at: datetime, extra: Mapping[str, Any]) -> tuple[ItemState,
                                                                                               ItemState | None]:
        """One step by the right person at ``at``: the item after it, and the item it spawned."""
        rng, t, org = self.rng, _texts(), st.org_id
        if step in ("rate_ok", "rate_low"):
            score = rng.randint(1, 2) if step == "rate_low" else _pick(rng, _SCORES)
            d = apply_rating(st, score, at, self.orgs, f"{st.id}-2")
            return d.item, d.spawned
        key, phrases = _PHRASES.get(step, ("", ""))
        payload: dict[str, object] = {key: rng.choice(t[phrases])} if key else {}
        member = self.who(org, Role.COORDINATOR)
        if step in ("route", "reassign"):
            chosen = self.staff[extra["executor"]] if extra.get("executor") else self.executor_for(org, at)
            if step == "reassign" and chosen.id == st.assignee_id:
                others = [m for m in self.by_role[(org, Role.EXECUTOR)] if m.id != st.assignee_id
                          and not m.is_absent(at)]
                chosen = rng.choice(others or self.by_role[(org, Role.COORDINATOR)])
            payload["executor_id"] = chosen.id
        elif step == "submit":
            payload["text"] = extra["answer"]
        elif step == "interim":
            today = at.astimezone(ZoneInfo(self.orgs[org].timezone)).date()
            payload = {"text": f"{extra['greeting']} {rng.choice(t['interim'])}",
                       "planned_date": (today + timedelta(days=rng.randint(7, 45))).isoformat()}
        elif step == "reject":
            payload = {"ground_code": extra["ground"], "comment": extra["ground_comment"]}
        elif step == "redirect":
            payload["org_id"] = self.redirect_target(org)
        if step in ("approve", "return"):
            member = self.who(org, self.orgs[org].approval_chain.role_at(st.approval_step or 0))
            payload["draft_digest"] = draft_digest(st.draft)
        elif step in ("back", "draft", "submit", "interim"):
            member = self.worker(st, at)
        d = self.act(st, member, _ACTIONS[step], payload, at, f"{st.id}-2" if step == "redirect" else None)
        return d.item, d.spawned

    def redirect_target(self, org_id: str) -> str:
        below = sorted(o.id for o in self.orgs.values() if o.parent_id == org_id)
        parent = self.orgs[org_id].parent_id
        return below[0] if below else parent or next(o for o in sorted(self.orgs) if o != org_id)

    def registered(self, org_id: str, days: int, outcome: str, bucket: str) -> datetime:
        """Registration moment: for work in progress chosen so the answer deadline has the given urgency."""
        rng, zone = self.rng, ZoneInfo(self.orgs[org_id].timezone)
        if bucket:
            today = self.now.astimezone(zone).date()
            back = {"overdue": days + rng.randint(1, max(1, 39 - days)), "critical": days,
                    "soon": days - rng.randint(1, 2), "ok": days - rng.randint(3, days)}[bucket]
            local = datetime.combine(today - timedelta(days=back), time(7), tzinfo=zone)
            at = (local + timedelta(minutes=rng.randint(0, 15 * 60))).astimezone(UTC)
            return min(at, self.now - timedelta(minutes=rng.randint(60, 180))).replace(microsecond=0)
        if outcome == "awaiting":
            age = rng.uniform(0.02, 4.5) if rng.random() < 0.88 else rng.uniform(4.5, 12)
        else:
            age = rng.uniform(3, 30) if outcome == "interim" else rng.uniform(4, 40)
        return (self.now - timedelta(days=age)).replace(microsecond=0)


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _rejection(rng: random.Random, codes: Sequence[str]) -> tuple[str, str]:
    special = sorted(_texts()["rejection_texts"])
    code = rng.choice(special) if rng.random() < 0.7 else rng.choice(codes)
    ground = rejection_grounds().get(code)
    title = ground.title.lower() if ground else code
    return code, _texts()["rejection_comment"].format(ground=title)


#: Items after this many in one batch copy the workflow of an earlier item shifted by whole days (see ``_clone``).
FULL_FLOW_ITEMS = 1000


@dataclass(slots=True)
class _Proto:
    """An item driven through the workflow whose history later items reuse, shifted by whole days."""

    states: tuple[ItemState, ...]
    greeting: str
    text: str | None  # the message text when the outcome depends on it (a rejection ground's example)
    address: bool
    shifts: tuple[int, ...]  # whole days that keep every moment within the last 40 days before now
    wire: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # shift -> state_fields of each state


def _shifts(states: Sequence[ItemState], now: datetime, steady: bool) -> tuple[int, ...]:
    """A few whole-day shifts for a prototype. Deadlines are local midnights, so in a zone without clock
    changes around now the shifted states are exactly what ``decide`` would produce at the shifted moments."""
    first, last = states[0].registered_at, max(s.history[-1].at for s in states)
    low = min(0, -int((first - (now - timedelta(days=40))) / timedelta(days=1)))
    high = max(0, int((now - last) / timedelta(days=1)))
    if states[-1].status in _WORK_STATUSES:  # keep the urgency mix of work in progress
        low, high = max(low, -2), min(high, 2)
    return tuple(sorted({low, (low + high) // 2, 0, high})) if steady else (0,)


def _shift(st: ItemState, delta: timedelta) -> ItemState:
    def draft(d: Draft | None) -> Draft | None:
        return d and Draft(d.text, d.kind, d.planned_date and d.planned_date + delta, d.attachment_ids, d.author_id)

    return st.replace(
        registered_at=st.registered_at + delta, received_at=st.received_at + delta, due_at=st.due_at + delta,
        routing_due_at=st.routing_due_at and st.routing_due_at + delta, draft=draft(st.draft),
        control_due_at=st.control_due_at and st.control_due_at + delta, answer=draft(st.answer),
        interim_answer=draft(st.interim_answer),
        history=tuple(HistoryEntry(h.at + delta, h.actor_id, h.action, h.from_status, h.to_status, h.comment)
                      for h in st.history))


def _clone(proto: _Proto, rng: random.Random, n: int, greeting: str) -> list[dict[str, Any]]:
    """Wire fields of the prototype's states shifted in time, with the new item's ids, number and greeting."""
    days = _one(rng, proto.shifts)
    wire = proto.wire.get(days)
    if wire is None:
        wire = proto.wire[days] = [state_fields(_shift(s, timedelta(days=days))) for s in proto.states]
    number, root = f"{wire[0]['registered_at'].year}-{n:07d}", f"m-{n:07d}"
    out = []
    for k, fields in enumerate(wire):
        fields = {**fields, "id": f"{root}-2" if k else root, "number": number, "parent_id": root if k else None}
        for key in ("draft", "answer", "interim_answer"):
            if fields[key] is not None:
                text = fields[key].text.replace(proto.greeting, greeting).replace(proto.states[0].number, number)
                fields[key] = fields[key].model_copy(update={"text": text})
        out.append(fields)
    return out


def _steady(zone: str, now: datetime) -> bool:
    """Whether ``zone`` keeps one UTC offset from 45 days before ``now`` to 60 days after."""
    tz = ZoneInfo(zone)
    return len({tz.utcoffset(now + timedelta(days=d)) for d in range(-45, 61)}) == 1


def generate_items(now: datetime, orgs: Sequence[Organisation], staff: Sequence[StaffMember],
                   categories: Sequence[CategoryOut], *, count: int, seed: int = 0,
                   start_number: int = 1) -> tuple[list[Item], list[Blob]]:
    """``count`` items numbered from ``start_number`` (plus the items redirects and low ratings spawn).

    The first items follow "showcase" in demo_texts.json (every status, HTML-like texts, a long text, an
    item of an absent executor); the rest are random. Histories come from ``decide`` / ``apply_rating`` with
    real actors; items after ``FULL_FLOW_ITEMS`` reuse such a history shifted by whole days (fast path).
    """
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects, none cyclic: collector passes would dominate
    try:
        return _generate_items(now, orgs, staff, categories, count, seed, start_number)
    finally:
        if collecting:
            gc.enable()


def _generate_items(now: datetime, orgs: Sequence[Organisation], staff: Sequence[StaffMember],
                    categories: Sequence[CategoryOut], count: int, seed: int,
                    start_number: int) -> tuple[list[Item], list[Blob]]:
    now = _utc(now)
    rng = random.Random(seed)
    flow = _Flow(orgs, staff, now, rng)
    t = _texts()
    cats = {c.code: c for c in categories}
    codes = sorted(flow.codes)
    terms = {c.code: Term.of(c.term_kind, c.term_days) for c in categories}
    showcase = t["showcase"]  # the first items: (org, outcome, urgency, special) - every status and special case
    protos: list[_Proto] = []
    steady = {o.timezone: _steady(o.timezone, now) for o in orgs}
    away_ids = {m.id for m in staff if m.absence is not None}  # items they touch are tied to the absence dates
    items: list[Item] = []
    blobs: list[Blob] = []
    for i, n in enumerate(range(start_number, start_number + count)):
        proto = protos[rng.randrange(len(protos))] if i >= FULL_FLOW_ITEMS and protos else None
        if i < len(showcase):
            key, outcome, bucket, special = showcase[i]
        elif proto:
            key, outcome, bucket, special = "", "", "", ""
        else:
            key, outcome, special = _pick(rng, _ORG_KEYS), _pick(rng, _OUTCOMES), ""
            bucket = _pick(rng, _BUCKETS) if outcome in _BUCKETED else ""
        org = flow.orgs[proto.states[0].org_id if proto else flow.org_of[key]]
        if outcome == "on_approval_1" and len(org.approval_chain.steps) < 2:
            outcome = "on_approval"
        if proto:
            cat, kind = cats[proto.states[0].category_code], proto.states[0].kind
            redirected = proto.states[0].status is Status.REDIRECTED
        else:
            fixed = {"long": "heating"} | {f"html{k}": h["category"] for k, h in enumerate(t["html_texts"])}
            cat = cats.get(fixed.get(special, ""), categories[0]) if special else rng.choice(categories)
            kind = ItemKind.MESSAGE if special else _pick(rng, _KINDS)
            redirected = outcome == "redirected"
        who = _person(rng)  # a redirected problem lies in the territory of the organisation it goes to
        address, lat, lon = _address(rng, flow.redirect_target(org.id) if redirected else org.id)
        subject, text = _compose(rng, cat.code, address, cat.name)
        extra: dict[str, Any] = {}
        if special.startswith("html"):
            html = t["html_texts"][int(special[4:]) % len(t["html_texts"])]
            subject, text = html["subject"], html["text"]
        elif special == "long":
            subject, text = "Состояние дома: отопление, подвал, крыша", "\n\n".join(t["long_text"])
        if outcome == "rejected" and not proto:
            extra["ground"], extra["ground_comment"] = _rejection(rng, codes)
            special_texts = t["rejection_texts"].get(extra["ground"])
            text = rng.choice(special_texts) if special_texts else text
            address = "" if extra["ground"] == "no_location" else address
        elif proto:
            text, address = proto.text or text, address if proto.address else ""
        plain = text
        if kind is ItemKind.OPEN_SOURCE:
            text = rng.choice(t["open_source_prefixes"]) + text
        greeting = "Здравствуйте!" if kind is ItemKind.OPEN_SOURCE else who[1]
        if proto:
            wire = _clone(proto, rng, n, greeting)
        else:
            registered = flow.registered(org.id, term_days(kind, terms[cat.code]), outcome, bucket)
            if special == "absent" and ABSENT_ID in flow.staff:
                away = flow.staff[ABSENT_ID].absence
                if away is not None and away.starts_at < now - timedelta(days=2):
                    registered = away.starts_at - timedelta(days=4, hours=rng.randint(1, 9))
                    extra.update(executor=ABSENT_ID, steps=["route", "draft"],  # the deputy writes the draft
                                 times=[registered + timedelta(hours=20), away.starts_at + timedelta(hours=30)])
            number = f"{registered.year}-{n:07d}"
            answers = t["answers"]
            extra["greeting"] = greeting
            extra["answer"] = (f"{greeting} По вашему сообщению № {number} сообщаем. "
                               f"{rng.choice(answers.get(cat.code) or answers['default'])} Благодарим за неравнодушие.")
            start = HistoryEntry(registered, None, "received", None, Status.AWAITING_ROUTING)
            state = ItemState(f"m-{n:07d}", number, kind, org.id, Status.AWAITING_ROUTING, 1, cat.code, registered,
                              registered, answer_due(registered, kind, terms[cat.code], org.timezone),
                              routing_due(registered, org.timezone), history=(start,))
            states = flow.run(state, outcome, extra)
            wire = [state_fields(s) for s in states]
            if not special and not away_ids & {
                    x for st in states for x in (st.assignee_id, *(h.actor_id for h in st.history))}:
                zones_steady = all(steady[flow.orgs[st.org_id].timezone] for st in states)
                protos.append(_Proto(tuple(states), greeting, plain if outcome == "rejected" else None,
                                     bool(address), _shifts(states, now, zones_steady)))
        photos: list[tuple[AttachmentMeta, bytes]] = []
        if rng.random() < 0.1 or special == "long":
            for k in range(rng.randint(1, 2)):
                data = demo_png(rng.randrange(24))
                photos.append((AttachmentMeta(id=f"att-{n:07d}-{k + 1}", name=f"фото_{k + 1}.png",
                                              content_type="image/png", size=len(data), origin="citizen"), data))
        source = "social_network" if kind is ItemKind.OPEN_SOURCE else _pick(rng, _SOURCES)
        message = {"source": source, "subject": subject, "text": text, "address": address,
                   "latitude": lat if address else None, "longitude": lon if address else None,
                   "applicant_name": who[0], "attachments": [m for m, _ in photos],
                   "applicant_contact": "" if kind is ItemKind.OPEN_SOURCE else _contact(rng, who[2])}
        for fields in wire:
            items.append(Item(**message, **fields, updated_at=fields["history"][-1].at))
            blobs.extend(Blob(meta, data, fields["id"]) for meta, data in photos)
    return items, blobs
