"""The platform's behaviour behind API v1: auth, visibility, the change feed and actions.

Every rule about who may do what comes from ``offline_cache.domain``; this module adds what only
a server has: identities, tokens, a clock, idempotency keys and the change feed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from offline_cache.contract.convert import (
    calendar_to_domain,
    item_to_state,
    org_to_contract,
    staff_to_contract,
    stage_terms_to_contract,
    stage_terms_to_domain,
    state_fields,
)
from offline_cache.contract.models import (
    ActionRequest,
    ActionResult,
    AttachmentMeta,
    CalendarYearIn,
    CalendarYearOut,
    CategoryOut,
    DemoUser,
    DeputyRequest,
    ErrorResponse,
    FeedPage,
    HistoryOut,
    InjectMessageRequest,
    Item,
    Me,
    OrganisationOut,
    RejectionGroundOut,
    StaffOut,
    TemplateOut,
    TokenPair,
)
from offline_cache.domain.deadlines import Term, answer_due, routing_due
from offline_cache.domain.model import Action, ItemState, Role, Status
from offline_cache.domain.staff import (
    Absence,
    Actor,
    StaffMember,
    descendants,
    make_actor,
    may_manage_staff,
    validate_deputy,
)
from offline_cache.domain.workflow import (
    TABLE,
    DecisionContext,
    DomainError,
    Forbidden,
    InvalidPayload,
    apply_rating,
    decide,
    reprocessing_overseers,
)
from offline_cache.resources import rejection_grounds
from training_platform.store import Store

ORG_WIDE_ROLES = frozenset({Role.COORDINATOR, Role.HEAD, Role.ADMIN, Role.CURATOR})


class ApiError(Exception):
    """An error the HTTP layer turns into ``{"error": {...}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None,
                 current: Item | None = None, details: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field, self.current, self.details = field, current, details or []

    def body(self) -> dict[str, object]:
        return ErrorResponse.model_validate({"error": {
            "code": self.code, "message": self.message, "field": self.field, "details": self.details,
            "current": self.current}}).model_dump(mode="json")


class Clock:
    """The platform's time: real UTC time plus an offset the training controls can advance."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0) if start is None else start - datetime.now(UTC)

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()


@dataclass(frozen=True, slots=True)
class PlatformConfig:
    access_ttl: float = 15 * 60  # seconds
    refresh_ttl: float = 12 * 3600
    #: After rotation the old refresh token still gives the same new pair for this long (a lost answer);
    #: used later, it revokes the whole token family (a stolen token, or a replay).
    refresh_grace: float = 60
    training_controls: bool = True  # /training endpoints: inject messages, ratings, clock, faults


def _request_hash(item_id: str, req: ActionRequest) -> str:
    raw = json.dumps([item_id, req.model_dump(mode="json")], sort_keys=True, ensure_ascii=False)
    # surrogatepass: a lone surrogate (refused over HTTP, but Platform is callable directly) cannot break it.
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


class Platform:
    """The training platform's API v1, independent of HTTP."""

    def __init__(self, store: Store, clock: Clock | None = None, config: PlatformConfig | None = None,
                 id_factory: Callable[[str], str] | None = None) -> None:
        self.store = store
        self.clock = clock or Clock()
        self.config = config or PlatformConfig()
        self._new_id = id_factory or (lambda prefix: f"{prefix}-{secrets.token_hex(6)}")
        self.grounds = rejection_grounds()
        self.calendar_years: dict[int, CalendarYearOut] = {}  # the platform's overrides of the bundled calendar

    # --- auth -------------------------------------------------------------------------------

    def _issue(self, user_id: str, family: str | None = None) -> TokenPair:
        """A new pair; a login starts a token family, a refresh continues its family."""
        now = self.clock.now().timestamp()
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.store.put_token(access, "access", user_id, now + self.config.access_ttl)
        self.store.put_token(refresh, "refresh", user_id, now + self.config.refresh_ttl)
        self.store.put_family(family or secrets.token_hex(12), access, refresh)
        return TokenPair(access_token=access, refresh_token=refresh, expires_in=int(self.config.access_ttl),
                         refresh_expires_in=int(self.config.refresh_ttl))

    def login(self, login: str, password: str) -> TokenPair:
        with self.store.transaction():
            user_id = self.store.check_credential(login, password)
            if user_id is None or user_id not in self.store.staff():
                raise ApiError(401, "unauthorized", "Неверный логин или пароль")
            return self._issue(user_id)

    def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate: a refresh token gives one new pair. Within ``refresh_grace`` seconds of its rotation it gives
        that same pair again (the answer may have been lost); used after that, it revokes its whole family."""
        now = self.clock.now().timestamp()
        with self.store.transaction():
            spent = self.store.spent_refresh(refresh_token)
            if spent is not None:
                family, _user_id, spent_at, successor = spent
                if successor and now - spent_at <= self.config.refresh_grace:
                    return TokenPair.model_validate_json(successor)
                self.store.revoke_family(family)  # reuse after the grace: whoever holds the family is cut off
        if spent is not None:  # raised after the commit: the revocation must stay
            raise ApiError(401, "unauthorized", "Сеанс отозван: токен обновления использован повторно. Войдите заново")
        with self.store.transaction():
            found = self.store.get_token(refresh_token, "refresh")
            if found is None or found[1] <= now:
                raise ApiError(401, "unauthorized", "Сеанс завершён, войдите заново")
            family = self.store.family_of(refresh_token) or secrets.token_hex(12)
            self.store.delete_token(refresh_token)  # rotation: a refresh token is spent once used
            pair = self._issue(found[0], family)
            self.store.spend_refresh(refresh_token, family, found[0], now, pair.model_dump_json())
            return pair

    def authenticate(self, access_token: str | None) -> StaffMember:
        if not access_token:
            raise ApiError(401, "unauthorized", "Требуется вход в систему")
        with self.store.lock:
            found = self.store.get_token(access_token, "access")
            if found is None:
                raise ApiError(401, "unauthorized", "Недействительный токен доступа")
            if found[1] <= self.clock.now().timestamp():
                raise ApiError(401, "token_expired", "Срок действия токена доступа истёк")
            user = self.store.staff().get(found[0])
        if user is None:
            raise ApiError(401, "unauthorized", "Учётная запись отключена")
        return user

    # --- directory --------------------------------------------------------------------------

    def actor(self, user: StaffMember) -> Actor:
        return make_actor(user, self.store.staff().values(), self.store.orgs(), self.clock.now())

    def me(self, user: StaffMember) -> Me:
        with self.store.lock:
            actor = self.actor(user)
            org = self.store.orgs()[user.org_id]
        return Me(user=staff_to_contract(user), organisation=org_to_contract(org),
                  effective_roles=sorted(actor.roles), deputising_for=sorted(actor.acts_for - {user.id}),
                  server_time=self.clock.now(), directory_version=int(self.store.get_meta("directory_version") or 0))

    def organisations(self) -> list[OrganisationOut]:
        with self.store.lock:
            return [org_to_contract(o) for o in self.store.orgs().values()]

    def staff(self) -> list[StaffOut]:
        with self.store.lock:
            return [staff_to_contract(m) for m in self.store.staff().values()]

    def categories(self, user: StaffMember) -> list[CategoryOut]:
        """The organisation's categories, each with all three stage control terms (defaults filled in)."""
        with self.store.lock:
            categories = self.store.categories(user.org_id)
        return [c.model_copy(update={"stage_terms": stage_terms_to_contract(stage_terms_to_domain(c))})
                for c in categories]

    def calendar(self) -> list[CalendarYearOut]:
        """The years of the production calendar the platform overrides, in order."""
        return [self.calendar_years[y] for y in sorted(self.calendar_years)]

    def set_calendar_year(self, req: CalendarYearIn) -> CalendarYearOut:
        year = CalendarYearOut(year=req.year, days_off=sorted(set(req.days_off)),
                               working_weekend_days=sorted(set(req.working_weekend_days)))
        try:
            calendar_to_domain([year])
        except ValueError as exc:
            raise ApiError(422, "invalid", f"Производственный календарь не принят: {exc}") from exc
        self.calendar_years[req.year] = year
        return year

    def templates(self) -> list[TemplateOut]:
        with self.store.lock:
            return self.store.templates()

    def rejection_grounds(self) -> list[RejectionGroundOut]:
        return [RejectionGroundOut(code=g.code, number=g.number, title=g.title, text=g.text) for g in self.grounds]

    def set_deputy(self, user: StaffMember, target_id: str, req: DeputyRequest) -> StaffOut:
        with self.store.transaction():
            staff = self.store.staff()
            target = staff.get(target_id)
            if target is None:
                raise ApiError(404, "not_found", "Сотрудник не найден")
            action = "set_deputy" if req.deputy_id else "clear_deputy"
            if not may_manage_staff(self.actor(user), target, action):
                raise ApiError(403, "forbidden", "Назначать заместителя может администратор ЛКО или сам сотрудник")
            deputy = staff.get(req.deputy_id) if req.deputy_id else None
            if req.deputy_id and deputy is None:
                raise ApiError(422, "invalid", "Заместитель не найден", field="deputy_id")
            reason = validate_deputy(target, deputy)
            if reason:
                raise ApiError(422, "invalid", reason, field="deputy_id")
            absence = None
            if req.absence is not None:
                if req.absence.ends_at <= req.absence.starts_at:
                    raise ApiError(422, "invalid", "Окончание отсутствия раньше начала", field="absence")
                absence = Absence(req.absence.starts_at, req.absence.ends_at, req.absence.reason)
            updated = StaffMember(target.id, target.org_id, target.full_name, target.roles, target.position,
                                  absence if deputy else None, deputy.id if deputy else None)
            self.store.put_staff(updated)
            if deputy is not None:
                # The deputy must see the absent colleague's items at once, not when they next change.
                for item_id in self.store.participant_items(target.id):
                    self.store.add_participants(item_id, [deputy.id])
                    self.store.touch_item(item_id)
            return staff_to_contract(updated)

    # --- feed and items ---------------------------------------------------------------------

    def _scope(self, actor: Actor) -> tuple[set[str], set[str]]:
        """Organisations whose whole queue ``actor`` sees, and users whose items they see."""
        orgs: set[str] = set()
        if actor.roles & ORG_WIDE_ROLES:
            orgs.add(actor.org_id)
        if Role.CURATOR in actor.roles:
            orgs |= descendants(actor.org_id, self.store.orgs())
        return orgs, set(actor.acts_for)

    def feed(self, user: StaffMember, cursor: int, limit: int) -> FeedPage:
        return FeedPage.model_validate_json(self.feed_json(user, cursor, limit))

    def feed_json(self, user: StaffMember, cursor: int, limit: int) -> bytes:
        """The feed page as JSON, stored records passed through as they are.

        Re-validating each record here would turn one malformed stored record into a 500 for the
        whole page, for every client; passing it through lets clients quarantine just that record
        (and saves a parse and a serialisation per item).
        """
        with self.store.lock:
            orgs, users = self._scope(self.actor(user))
            rows, remaining = self.store.feed(orgs, users, cursor, limit)
        next_cursor = rows[-1][0] if rows else cursor
        items = b",".join(data.encode() for _, data in rows)
        tail = json.dumps({"next_cursor": next_cursor, "has_more": remaining > 0, "remaining": remaining})
        return b'{"items":[' + items + b"]," + tail[1:].encode()

    def _visible_item(self, user: StaffMember, item_id: str) -> Item:
        item = self.store.get_item(item_id)
        if item is not None:
            orgs, users = self._scope(self.actor(user))
            if item.org_id in orgs or self.store.is_participant(item.id, users):
                return item
        raise ApiError(404, "not_found", "Сообщение не найдено или недоступно")

    def get_item(self, user: StaffMember, item_id: str) -> Item:
        with self.store.lock:
            return self._visible_item(user, item_id)

    def _save(self, item: Item, state: ItemState, now: datetime) -> Item:
        updated = item.model_copy(update={**state_fields(state), "updated_at": now})
        updated = Item.model_validate(updated.model_dump())  # re-validate nested models
        self.store.put_item(updated)
        participants = {state.assignee_id} if state.assignee_id else set()
        if state.draft and state.draft.author_id:
            participants.add(state.draft.author_id)
        staff = self.store.staff()
        assignee = staff.get(state.assignee_id) if state.assignee_id else None
        if assignee is not None and assignee.deputy_id:
            participants.add(assignee.deputy_id)
        self.store.add_participants(updated.id, participants)
        return updated

    def act(self, user: StaffMember, item_id: str, req: ActionRequest, key: str) -> tuple[int, dict[str, object]]:
        """Apply an action under an idempotency key; return (HTTP status, JSON body).

        A replayed key returns the first result and applies nothing; the same key with another
        request is refused. Every first 2xx and 4xx result is recorded (a 404 too: an item that
        becomes visible later must not turn a replayed refusal into a success); a 5xx leaves no
        record, so a retry under the same key applies the action once.
        """
        request_hash = _request_hash(item_id, req)
        with self.store.transaction():
            seen = self.store.get_idempotent(user.id, key)
            if seen is not None:
                if seen[0] != request_hash:
                    raise ApiError(422, "idempotency_mismatch",
                                   "Ключ идемпотентности уже использован для другого запроса",
                                   field="Idempotency-Key")
                return seen[1], json.loads(seen[2])
            try:
                status, body = 200, self._apply(user, item_id, req).model_dump(mode="json")
            except ApiError as exc:
                status, body = exc.status, exc.body()
            self.store.put_idempotent(user.id, key, request_hash, status, json.dumps(body, ensure_ascii=False))
            return status, body

    def _apply(self, user: StaffMember, item_id: str, req: ActionRequest) -> ActionResult:
        item = self._visible_item(user, item_id)
        payload = req.payload.model_dump(mode="json", exclude_unset=True)
        known = {a.id for a in item.attachments if a.origin == "answer"}
        unknown = set(payload.get("attachment_ids") or []) - known
        if unknown:
            raise ApiError(422, "invalid", "Вложение не найдено среди файлов ответа на это сообщение",
                           field="attachment_ids")
        if req.base_version > item.version:
            raise ApiError(422, "invalid", "Версия сообщения из будущего: обновите данные", field="base_version")
        stale = req.base_version < item.version
        now = self.clock.now()
        actor = self.actor(user)
        ctx = DecisionContext(now=now, orgs=self.store.orgs(), staff=self.store.staff(),
                              rejection_codes=self.grounds.codes, new_item_id=self._new_id("m"))
        state = item_to_state(item)
        try:
            decision = decide(state, actor, req.action, payload, ctx)
        except InvalidPayload as exc:
            if stale:
                raise self._conflict(item, exc) from None
            raise ApiError(422, "invalid", exc.message, field=exc.field) from None
        except DomainError as exc:
            if stale or not self._role_could(actor, state.status, req.action, exc):
                raise self._conflict(item, exc) from None
            raise ApiError(403, "forbidden", exc.message) from None
        saved = self._save(item, decision.item, now)
        if decision.spawned is not None:
            self._spawn(item, decision.spawned, now)
        return ActionResult(item=saved)

    @staticmethod
    def _role_could(actor: Actor, status: Status, action: Action, exc: DomainError) -> bool:
        """Forbidden (403) when the action exists in this status; otherwise it is a state conflict."""
        return isinstance(exc, Forbidden) and (status, action) in TABLE

    @staticmethod
    def _conflict(item: Item, exc: DomainError) -> ApiError:
        return ApiError(409, "conflict", f"Сообщение изменилось: {exc.message}", current=item)

    def _spawn(self, origin: Item, state: ItemState, now: datetime) -> Item:
        base = origin.model_copy(update={"draft": None, "answer": None, "interim_answer": None,
                                         "rejection": None, "rating": None, "attachments": [
                                             a for a in origin.attachments if a.origin == "citizen"]})
        spawned = self._save(base, state, now)
        self.store.link_attachments([a.id for a in spawned.attachments], spawned.id)
        return spawned

    # --- attachments ------------------------------------------------------------------------

    def upload_attachment(self, user: StaffMember, item_id: str, name: str, content_type: str,
                          data: bytes) -> AttachmentMeta:
        with self.store.transaction():
            item = self._visible_item(user, item_id)
            if item.assignee_id not in self.actor(user).acts_for:
                raise ApiError(403, "forbidden", "Вложения к ответу добавляет исполнитель сообщения")
            if item.status not in (Status.IN_WORK, Status.RETURNED, Status.INTERIM_ANSWER):
                raise ApiError(409, "conflict", "Ответ уже не готовится: добавить к нему файл нельзя", current=item)
            meta = AttachmentMeta(id=self._new_id("att"), name=name, content_type=content_type, size=len(data),
                                  origin="answer")
            self.store.put_attachment(meta, item.id, data, user.id)
            # A new version, so caches that keep the highest version pick the attachment up.
            now = self.clock.now()
            entry = HistoryOut(at=now, actor_id=user.id, action="attachment_added", from_status=item.status,
                               to_status=item.status, comment=name)
            updated = item.model_copy(update={"attachments": [*item.attachments, meta], "version": item.version + 1,
                                              "history": [*item.history, entry], "updated_at": now})
            self.store.put_item(updated)
            return meta

    def attachment(self, user: StaffMember, att_id: str) -> tuple[AttachmentMeta, bytes]:
        with self.store.lock:
            found = self.store.get_attachment(att_id)
            if found is None:
                raise ApiError(404, "not_found", "Вложение не найдено")
            meta, _, data, _ = found
            for item_id in self.store.attachment_item_ids(att_id):
                try:
                    self._visible_item(user, item_id)
                except ApiError:
                    continue
                return meta, data
            raise ApiError(404, "not_found", "Вложение не найдено")

    # --- the platform's own side (training controls) ----------------------------------------

    def demo_users(self) -> list[DemoUser]:
        with self.store.lock:
            staff, orgs = self.store.staff(), self.store.orgs()
            result = []
            for login, hint, staff_id, note in self.store.credentials():
                m = staff.get(staff_id)
                if m is not None:
                    result.append(DemoUser(login=login, password=hint, full_name=m.full_name,
                                           roles=sorted(m.roles), org_name=orgs[m.org_id].name, note=note))
            return result

    def inject(self, req: InjectMessageRequest) -> Item:
        """A new message arrives from the portal, widget or app (or is found in social networks)."""
        with self.store.transaction():
            orgs = self.store.orgs()
            org_id = req.org_id or self.store.get_meta("default_org") or next(iter(orgs))
            if org_id not in orgs:
                raise ApiError(422, "invalid", "Организация не найдена", field="org_id")
            cats = {c.code: c for c in self.store.categories(org_id)}
            cat = cats.get(req.category_code)
            if cat is None:
                raise ApiError(422, "invalid", "Категория не найдена", field="category_code")
            if cat.retired:
                raise ApiError(422, "invalid", "Категория выведена из употребления", field="category_code")
            now = self.clock.now()
            zone = orgs[org_id].timezone
            seq_no = int(self.store.get_meta("number") or "0") + 1
            self.store.set_meta("number", str(seq_no))
            item = Item(
                id=self._new_id("m"), number=f"{now.year}-{seq_no:07d}", kind=req.kind, source=req.source,
                org_id=org_id, status=Status.AWAITING_ROUTING, version=1, category_code=cat.code,
                subject=req.subject or cat.name, text=req.text, address=req.address,
                applicant_name=req.applicant_name, applicant_contact=req.applicant_contact,
                registered_at=now, received_at=now,
                due_at=answer_due(now, req.kind, Term.of(cat.term_kind, cat.term_days), zone),
                routing_due_at=routing_due(now, zone), updated_at=now,
                history=[HistoryOut(at=now, actor_id=None, action="received", from_status=None,
                                    to_status=Status.AWAITING_ROUTING)],
            )
            self.store.put_item(item)
            return item

    def rate(self, item_id: str, score: int) -> Item:
        """The applicant rates the answer; a low rating re-opens the item one level up."""
        with self.store.transaction():
            item = self.store.get_item(item_id)
            if item is None:
                raise ApiError(404, "not_found", "Сообщение не найдено")
            now = self.clock.now()
            try:
                decision = apply_rating(item_to_state(item), score, now, self.store.orgs(), self._new_id("m"))
            except DomainError as exc:
                raise ApiError(409 if exc.code == "not_applicable" else 422, "conflict"
                               if exc.code == "not_applicable" else "invalid", exc.message, current=item) from None
            saved = self._save(item, decision.item, now)
            if decision.spawned is not None:
                reopened = self._spawn(item, decision.spawned, now)
                # The region's coordinators decide on stopping it, wherever it is re-processed [KR 3].
                self.store.add_participants(reopened.id, reprocessing_overseers(
                    reopened.org_id, self.store.orgs(), self.store.staff()))
            return saved
