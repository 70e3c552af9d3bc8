"""Demo data for the training platform: a region, a city and a village, staff in every role, items in every
status with histories produced by the real workflow rules, and a few generated images. No real people."""

from __future__ import annotations

import json
import random
import struct
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from offline_cache.contract.convert import state_fields
from offline_cache.contract.models import AttachmentMeta, CategoryOut, HistoryOut, Item, TemplateOut
from offline_cache.domain.deadlines import Term, answer_due, routing_due
from offline_cache.domain.model import Action, HistoryEntry, ItemKind, ItemState, OrgLevel, Role, Status
from offline_cache.domain.staff import Absence, ApprovalChain, Organisation, StaffMember, make_actor
from offline_cache.domain.workflow import Decision, DecisionContext, apply_rating, decide
from offline_cache.resources import rejection_grounds, resources_dir

PASSWORD = "demo"
ZONE = "Europe/Moscow"


@dataclass(frozen=True)
class Credential:
    login: str
    password: str
    staff_id: str
    note: str


@dataclass(frozen=True)
class Blob:
    meta: AttachmentMeta
    data: bytes
    item_id: str


@dataclass(frozen=True)
class DemoData:
    organisations: list[Organisation]
    staff: list[StaffMember]
    credentials: list[Credential]
    categories: dict[str, list[CategoryOut]]
    templates: list[TemplateOut]
    items: list[Item]
    blobs: list[Blob]


def load_categories() -> list[CategoryOut]:
    raw = json.loads((resources_dir() / "catalogues" / "categories.json").read_text(encoding="utf-8"))
    return [CategoryOut.model_validate(c) for c in raw["categories"]]


def load_templates() -> list[TemplateOut]:
    raw = json.loads((resources_dir() / "templates" / "default_templates.json").read_text(encoding="utf-8"))
    return [TemplateOut.model_validate(t) for t in raw["templates"]]


ORGS = [
    Organisation("org-region", "Администрация Новоградского края", OrgLevel.REGION, None, ZONE),
    Organisation("org-city", "Администрация города Светлогорска", OrgLevel.MUNICIPALITY, "org-region", ZONE,
                 ApprovalChain((Role.CURATOR, Role.HEAD))),
    Organisation("org-village", "Администрация Ольховского сельского поселения", OrgLevel.SETTLEMENT, "org-city",
                 ZONE),
]

# (id, org, name, position, roles, login, note)
STAFF = [
    ("u-region-admin", "org-region", "Белова Ирина Сергеевна", "Консультант", {Role.ADMIN}, "admin.region",
     "администратор ЛКО, край"),
    ("u-region-coord", "org-region", "Громов Павел Андреевич", "Главный специалист", {Role.COORDINATOR},
     "coord.region", "координатор, край (прекращает повторное рассмотрение)"),
    ("u-region-exec", "org-region", "Титова Анна Викторовна", "Ведущий специалист", {Role.EXECUTOR},
     "exec.region", "исполнитель, край"),
    ("u-region-head", "org-region", "Воронцов Алексей Игоревич", "Заместитель министра", {Role.HEAD},
     "head.region", "руководитель, край"),
    ("u-region-curator", "org-region", "Лаврова Елена Петровна", "Начальник отдела", {Role.CURATOR},
     "curator.region", "куратор, край (видит очереди города и поселения)"),
    ("u-city-admin", "org-city", "Соколова Марина Олеговна", "Специалист", {Role.ADMIN}, "admin.city",
     "администратор ЛКО, город"),
    ("u-city-coord-1", "org-city", "Кузнецов Дмитрий Сергеевич", "Начальник отдела по работе с обращениями",
     {Role.COORDINATOR}, "coord.city", "координатор, город"),
    ("u-city-coord-2", "org-city", "Егорова Ольга Николаевна", "Главный специалист", {Role.COORDINATOR},
     "coord2.city", "координатор, город"),
    ("u-city-exec-1", "org-city", "Морозов Артём Владимирович", "Ведущий специалист ЖКХ", {Role.EXECUTOR},
     "exec1.city", "исполнитель, город"),
    ("u-city-exec-2", "org-city", "Никитина Светлана Юрьевна", "Специалист по благоустройству", {Role.EXECUTOR},
     "exec2.city", "исполнитель, город; замещает Фёдорова на время отпуска"),
    ("u-city-exec-3", "org-city", "Павлов Игорь Романович", "Специалист дорожного хозяйства", {Role.EXECUTOR},
     "exec3.city", "исполнитель, город"),
    ("u-city-exec-4", "org-city", "Фёдоров Константин Ильич", "Специалист по транспорту", {Role.EXECUTOR},
     "exec4.city", "исполнитель, город; в отпуске, замещает Никитина"),
    ("u-city-head", "org-city", "Смирнов Виктор Алексеевич", "Заместитель главы города", {Role.HEAD},
     "head.city", "руководитель, город"),
    ("u-city-curator", "org-city", "Орлова Наталья Борисовна", "Руководитель аппарата", {Role.CURATOR},
     "curator.city", "куратор, город"),
    ("u-village-coord", "org-village", "Зайцева Людмила Ивановна", "Специалист администрации",
     {Role.COORDINATOR, Role.EXECUTOR}, "coord.village", "координатор и исполнитель, поселение"),
    ("u-village-head", "org-village", "Журавлёв Николай Петрович", "Глава поселения", {Role.HEAD},
     "head.village", "руководитель, поселение"),
]

PROBLEMS = {
    "roads": ["разбито дорожное покрытие", "после ремонта дорогу снова размыло", "нет разметки на перекрёстке"],
    "roads_potholes": ["глубокая яма на проезжей части", "яма у пешеходного перехода, машины её объезжают по встречке"],
    "lighting": ["не горит уличный фонарь", "вечером во дворе совсем темно, фонари не работают уже неделю"],
    "heating": ["в квартирах холодно, батареи еле тёплые", "в подъезде не работает отопление"],
    "water": ["нет холодной воды с утра", "из крана идёт ржавая вода"],
    "waste": ["контейнерную площадку не вывозят", "мусор переполнил баки, его растаскивают собаки"],
    "yards": ["сломаны качели на детской площадке", "во дворе нет скамеек, пожилым негде присесть"],
    "snow": ["тротуар не очищен от снега", "двор завален снегом, не проехать скорой"],
    "transport": ["автобус № 12 не ходит по расписанию", "на остановке нет навеса, люди мокнут под дождём"],
    "health": ["в поликлинике не записаться к терапевту", "в фельдшерском пункте нет врача"],
    "education": ["в школе не работает столовая", "к детскому саду нет безопасного подхода"],
    "social": ["не выплачена компенсация за коммунальные услуги", "не могу получить справку для субсидии"],
    "animals": ["стая бездомных собак у школы", "во дворе агрессивная собака без хозяина"],
    "ecology": ["кто-то сжигает мусор в частном секторе, дым во дворах", "стихийная свалка у реки"],
}
OPENINGS = ["Здравствуйте!", "Добрый день.", "Уважаемая администрация!", "Прошу помочь.", "Обращаюсь повторно."]
DETAILS = ["Это продолжается уже вторую неделю.", "Жители дома неоднократно звонили в управляющую компанию.",
           "Рядом школа, ходят дети.", "Ещё весной обещали всё исправить.", "Фото прилагаю.",
           "Пожилым людям очень трудно.", "Ситуация ухудшается с каждым днём."]
CLOSINGS = ["Прошу принять меры.", "Просим разобраться и сообщить сроки.", "Надеюсь на быстрый ответ.",
            "Спасибо заранее."]
STREETS = ["Садовая", "Ленина", "Мира", "Школьная", "Набережная", "Заречная", "Полевая", "Гагарина", "Лесная",
           "Молодёжная", "Советская", "Новая", "Речная", "Берёзовая"]
MALE = (["Александр", "Сергей", "Андрей", "Михаил", "Иван", "Олег", "Юрий"],
        ["Петров", "Васильев", "Комаров", "Лебедев", "Семёнов", "Голубев", "Киселёв"],
        ["Иванович", "Петрович", "Сергеевич", "Алексеевич"])
FEMALE = (["Елена", "Татьяна", "Наталья", "Ольга", "Мария", "Анастасия", "Галина"],
          ["Петрова", "Васильева", "Комарова", "Лебедева", "Семёнова", "Голубева", "Киселёва"],
          ["Ивановна", "Петровна", "Сергеевна", "Алексеевна"])
HTML_TEXTS = [
    "<b>Срочно!</b> Во дворе <img src=x onerror=alert(1)> прорвало трубу, вода заливает подвал.",
    "Подробности на сайте <a href='http://example.invalid/фото'>по ссылке</a>, там фото ямы.",
]
#: Where each item ends up, with weights: the demo shows every status, mostly work in progress.
OUTCOMES = [(Status.AWAITING_ROUTING, 14), (Status.IN_WORK, 24), (Status.ON_APPROVAL, 10), (Status.RETURNED, 6),
            (Status.INTERIM_ANSWER, 6), (Status.ANSWERED, 10), (Status.CLOSED, 10), (Status.REJECTED, 6),
            (Status.REDIRECTED, 4), (Status.REPROCESSING, 4)]


def png(width: int, height: int, colour: tuple[int, int, int], seed: int) -> bytes:
    """A small PNG (a gradient with stripes), encoded with zlib: no imaging library needed."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            stripe = 40 if (x + y + seed) % 16 < 4 else 0
            row += bytes(min(255, c * (x + y) // (width + height) + stripe + 30) for c in colour)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + \
        chunk(b"IEND", b"")


def person(rng: random.Random) -> str:
    first, last, middle = rng.choice((MALE, FEMALE))
    return f"{rng.choice(last)} {rng.choice(first)} {rng.choice(middle)}"


def new_message_text(rng: random.Random) -> tuple[str, str, str, str]:
    """(category code, subject, text, address) of a fresh, realistic message."""
    code = rng.choice(sorted(PROBLEMS))
    problem = rng.choice(PROBLEMS[code])
    address = f"г. Светлогорск, ул. {rng.choice(STREETS)}, д. {rng.randint(1, 140)}"
    parts = [rng.choice(OPENINGS), f"По адресу {address} {problem}."]
    parts += rng.sample(DETAILS, rng.randint(1, 3))
    parts.append(rng.choice(CLOSINGS))
    return code, problem[0].upper() + problem[1:], " ".join(parts), address


def build_staff(now: datetime) -> list[StaffMember]:
    members = []
    for sid, org, name, position, roles, _login, _note in STAFF:
        absence = deputy = None
        if sid == "u-city-exec-4":
            absence = Absence(now - timedelta(days=5), now + timedelta(days=9), "отпуск")
            deputy = "u-city-exec-2"
        members.append(StaffMember(sid, org, name, frozenset(roles), position, absence, deputy))
    return members


def generate_demo(now: datetime, *, seed: int = 0, items: int = 320) -> DemoData:
    staff = build_staff(now)
    categories = load_categories()
    made, blobs = generate_items(now, ORGS, staff, categories, count=items, seed=seed, start_number=1)
    credentials = [Credential(login, PASSWORD, sid, note) for sid, _o, _n, _p, _r, login, note in STAFF]
    return DemoData(list(ORGS), staff, credentials, {o.id: categories for o in ORGS}, load_templates(), made, blobs)


class _Flow:
    """Drives one item through the real workflow rules, at moments between registration and now."""

    def __init__(self, orgs: dict[str, Organisation], staff: dict[str, StaffMember], codes: frozenset[str],
                 rng: random.Random, now: datetime) -> None:
        self.orgs, self.staff, self.codes, self.rng, self.now = orgs, staff, codes, rng, now
        self.by_role: dict[tuple[str, Role], list[StaffMember]] = {}
        for m in staff.values():
            for role in m.roles:
                self.by_role.setdefault((m.org_id, role), []).append(m)

    def who(self, org: str, role: Role) -> StaffMember:
        return self.by_role[(org, role)][0]

    def act(self, state: ItemState, member: StaffMember, action: Action, payload: dict[str, object],
            at: datetime, new_id: str | None = None) -> Decision:
        actor = make_actor(member, self.staff.values(), self.orgs, at)
        ctx = DecisionContext(at, self.orgs, self.staff, self.codes, new_id)
        return decide(state, actor, action, payload, ctx)

    def run(self, state: ItemState, target: Status, new_id: str) -> list[ItemState]:
        org, rng = state.org_id, self.rng
        span = max(self.now - state.registered_at, timedelta(hours=2))
        moments = sorted(state.registered_at + span * f for f in (rng.uniform(0.02, 0.95) for _ in range(6)))
        steps = iter(moments)
        if target is Status.AWAITING_ROUTING:
            return [state]
        coord = self.who(org, Role.COORDINATOR)
        if target is Status.REJECTED:
            code = rng.choice(sorted(self.codes))
            return [self.act(state, coord, Action.REJECT, {"ground_code": code,
                             "comment": "Сообщение отклонено по основаниям, установленным порядком."},
                             next(steps)).item]
        if target is Status.REDIRECTED:
            target_org = "org-village" if org == "org-city" else "org-city"
            d = self.act(state, coord, Action.REDIRECT, {"org_id": target_org,
                         "comment": "Вопрос в компетенции другой администрации"}, next(steps), new_id)
            return [d.item] + ([d.spawned] if d.spawned else [])
        executors = [m for m in self.by_role.get((org, Role.EXECUTOR), []) if not m.is_absent(self.now)]
        executor = rng.choice(executors) if executors else coord
        at = next(steps)
        state = self.act(state, coord, Action.ROUTE_TO_EXECUTOR, {"executor_id": executor.id}, at).item
        if target is Status.IN_WORK:
            if rng.random() < 0.3:
                state = self.act(state, executor, Action.SAVE_DRAFT, {"text": "Черновик ответа: выясняем сроки."},
                                 next(steps)).item
            return [state]
        if target is Status.INTERIM_ANSWER:
            at = next(steps)
            planned = (self.now + timedelta(days=rng.randint(10, 60))).date().isoformat()
            state = self.act(state, executor, Action.INTERIM_ANSWER, {
                "text": "Работы включены в план, будут выполнены в указанный срок.", "planned_date": planned}, at).item
            return [self._approve_all(state, steps)]
        state = self.act(state, executor, Action.SUBMIT_FOR_APPROVAL, {
            "text": "Сообщаем, что по вашему обращению проведено обследование, работы выполнены."}, next(steps)).item
        chain = self.orgs[org].approval_chain.steps
        if target is Status.ON_APPROVAL:
            if len(chain) > 1 and rng.random() < 0.5:
                state = self.act(state, self.who(org, chain[0]), Action.APPROVE, {}, next(steps)).item
            return [state]
        if target is Status.RETURNED:
            return [self.act(state, self.who(org, chain[0]), Action.RETURN_FOR_REVISION,
                             {"comment": "Укажите конкретные сроки выполнения работ."}, next(steps)).item]
        state = self._approve_all(state, steps)
        if target is Status.ANSWERED:
            return [state]
        low = target is Status.REPROCESSING
        d = apply_rating(state, rng.randint(1, 2) if low else rng.randint(4, 5), next(steps), self.orgs, new_id)
        return [d.item] + ([d.spawned] if d.spawned else [])

    def _approve_all(self, state: ItemState, steps: object) -> ItemState:
        chain = self.orgs[state.org_id].approval_chain.steps
        for role in chain[(state.approval_step or 0):]:
            state = self.act(state, self.who(state.org_id, role), Action.APPROVE, {}, next(steps)).item  # type: ignore[call-overload]
        return state


def generate_items(now: datetime, orgs: list[Organisation], staff: list[StaffMember],
                   categories: list[CategoryOut], *, count: int, seed: int = 0,
                   start_number: int = 1) -> tuple[list[Item], list[Blob]]:
    """``count`` items (redirects and re-processing add the items they spawn), deterministic per seed."""
    rng = random.Random(seed)
    org_map = {o.id: o for o in orgs}
    flow = _Flow(org_map, {m.id: m for m in staff}, rejection_grounds().codes, rng, now)
    cats = {c.code: c for c in categories}
    weights = [w for _, w in OUTCOMES]
    items: list[Item] = []
    blobs: list[Blob] = []
    for n in range(start_number, start_number + count):
        org_id = rng.choices(["org-city", "org-village", "org-region"], [75, 15, 10])[0]
        code, subject, text, address = new_message_text(rng)
        if code not in cats:
            code = next(iter(cats))
        if n % 97 == 5:
            text = HTML_TEXTS[n % len(HTML_TEXTS)]
        if n % 151 == 7:
            text = " ".join([text] * 40)[:5000]
        kind = rng.choices([ItemKind.MESSAGE, ItemKind.APPEAL, ItemKind.OPEN_SOURCE], [85, 8, 7])[0]
        target = rng.choices([s for s, _ in OUTCOMES], weights)[0]
        if target is Status.REPROCESSING and org_id == "org-region":
            org_id = "org-city"
        registered = now - timedelta(days=rng.uniform(0.1, 40 if target.is_final or target in (
            Status.ANSWERED, Status.REPROCESSING) else 34), minutes=rng.randint(0, 600))
        cat = cats[code]
        term = Term.of(cat.term_kind, cat.term_days)
        zone = org_map[org_id].timezone
        number = f"{now.year}-{n:07d}"
        state = ItemState(
            id=f"m-{n:07d}", number=number, kind=kind, org_id=org_id, status=Status.AWAITING_ROUTING, version=1,
            category_code=code, registered_at=registered, received_at=registered,
            due_at=answer_due(registered, kind, term, zone), routing_due_at=routing_due(registered, zone),
            history=(HistoryEntry(registered, None, "received", None, Status.AWAITING_ROUTING),))
        source = "social_network" if kind is ItemKind.OPEN_SOURCE else rng.choice(["portal", "widget", "mobile_app"])
        base = Item(id=state.id, number=number, kind=kind, source=source, org_id=org_id, status=state.status,
                    version=1, category_code=code, subject=subject, text=text, address=address,
                    latitude=round(54.70 + rng.uniform(-0.05, 0.05), 5),
                    longitude=round(20.50 + rng.uniform(-0.08, 0.08), 5),
                    applicant_name=person(rng), applicant_contact=f"+7 (555) {rng.randint(100, 999)}-"
                    f"{rng.randint(10, 99)}-{rng.randint(10, 99)}", registered_at=registered, received_at=registered,
                    due_at=state.due_at, updated_at=registered,
                    history=[HistoryOut(at=registered, actor_id=None, action="received", from_status=None,
                                        to_status=Status.AWAITING_ROUTING)])
        if rng.random() < 0.1:
            metas = []
            for k in range(rng.randint(1, 2)):
                data = png(64, 48, (rng.randint(60, 255), rng.randint(60, 255), rng.randint(60, 255)), n + k)
                meta = AttachmentMeta(id=f"att-{n:07d}-{k}", name=f"фото_{k + 1}.png", content_type="image/png",
                                      size=len(data), origin="citizen")
                metas.append(meta)
                blobs.append(Blob(meta, data, state.id))
            base = base.model_copy(update={"attachments": metas})
        for result in flow.run(state, target, f"m-{n:07d}-b"):
            fields = state_fields(result)
            items.append(Item.model_validate({**base.model_dump(), **{k: v for k, v in fields.items()},
                                              "history": [h.model_dump() for h in fields["history"]],  # type: ignore[attr-defined]
                                              "updated_at": result.history[-1].at}))
    return items, blobs
