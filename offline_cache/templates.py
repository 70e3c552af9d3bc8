"""The template library: platform templates (read-only, versioned) and personal ones, usage, suggestions.

Platform templates arrive with the directory (``GET /templates``) and are replaced at each
directory refresh; personal templates live only in the official's encrypted cache. Every
insertion into an answer is recorded with the template's version then, so a template the
platform (or the official) changed since is noticed, and heads can see what each one is worth.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from offline_cache.contract.models import Item, OrganisationOut, StaffOut
from offline_cache.placeholders import Rendered, render, values_for_item
from offline_cache.resources import rejection_grounds
from offline_cache.store.cache import Cache
from offline_cache.store.items import normalise


class Purpose(StrEnum):
    """What a template is for."""

    ANSWER = "answer"
    INTERIM = "interim"
    REJECTION = "rejection"
    RETURN = "return"  # a head's comment when returning a draft for revision

    @property
    def label(self) -> str:
        return PURPOSE_LABELS[self]


PURPOSE_LABELS = {Purpose.ANSWER: "Ответ", Purpose.INTERIM: "Промежуточный ответ",
                  Purpose.REJECTION: "Отклонение", Purpose.RETURN: "Возврат на доработку"}


class Origin(StrEnum):
    PLATFORM = "platform"  # the organisation's and the region's, from the platform: read-only
    PERSONAL = "personal"  # the official's own, in the local cache


TITLE_MAX = 200
TEXT_MAX = 20_000
CATEGORIES_MAX = 50
CODE_MAX = 64


class TemplateError(ValueError):
    """A template operation refused; ``message`` says why, in Russian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Template:
    """One template as the editor offers it."""

    id: str
    title: str
    text: str
    purpose: Purpose
    origin: Origin
    version: int
    category_codes: tuple[str, ...] = ()
    ground_code: str | None = None
    retired: bool = False

    @property
    def editable(self) -> bool:
        return self.origin is Origin.PERSONAL


@dataclass(frozen=True, slots=True)
class Usage:
    """How often the official used a template, and whether it changed since their last use."""

    template_id: str
    version: int  # the template's version now
    uses: int  # all versions
    uses_of_this_version: int
    last_used_version: int | None

    @property
    def changed_since_last_use(self) -> bool:
        return self.last_used_version is not None and self.last_used_version != self.version


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A template offered for an item, with why it ranks where it does."""

    template: Template
    score: float
    category_match: bool
    uses: int  # by this official


def hostile_char(ch: str) -> bool:
    """Control, format (bidi overrides, zero-width), surrogate and private-use characters."""
    if ch in "\n\t":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co")


def field_problem(title: Any, text: Any, purpose: Any, categories: Any, ground_code: Any,
                  known_grounds: frozenset[str]) -> str | None:
    """Why these fields cannot make a template (Russian), or None. Shared by editing and import."""
    if not isinstance(title, str) or not title.strip():
        return "нужно название"
    if len(title) > TITLE_MAX:
        return f"название длиннее {TITLE_MAX} знаков"
    if "\n" in title:
        return "название должно быть в одну строку"
    if not isinstance(text, str) or not text.strip():
        return "нужен текст шаблона"
    if len(text) > TEXT_MAX:
        return f"текст длиннее {TEXT_MAX:,} знаков".replace(",", " ")
    for name, value in (("название", title), ("текст", text)):
        bad = next((ch for ch in value if hostile_char(ch)), None)
        if bad is not None:
            return (f"{name} содержит недопустимый служебный символ U+{ord(bad):04X} "
                    "(управляющий или меняющий направление текста)")
    if purpose not in tuple(Purpose):
        return "назначение должно быть одним из: " + ", ".join(p.value for p in Purpose)
    if not isinstance(categories, (list, tuple)) or len(categories) > CATEGORIES_MAX:
        return f"категории — список не длиннее {CATEGORIES_MAX}"
    for code in categories:
        if not isinstance(code, str) or not re.fullmatch(r"[\w.-]{1,64}", code):
            return "код категории — строка из букв, цифр, «_», «-», «.» (до 64 знаков)"
    if ground_code is not None:
        if not isinstance(ground_code, str) or ground_code not in known_grounds:
            return f"неизвестное основание отклонения: {str(ground_code)[:CODE_MAX]!r}"
        if purpose != Purpose.REJECTION:
            return "основание отклонения указывается только у шаблона отклонения"
    return None


def unix_lines(text: Any) -> Any:
    """Line breaks as ``\\n`` (a file from Windows has ``\\r\\n``); anything not a string unchanged."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", normalise(text))


def matches(template: Template, query: str, extra: str = "") -> bool:
    """Every word of ``query`` starts a word of the title, text or ``extra`` (case-insensitive, ё = е)."""
    wanted = _words(query)
    if not wanted:
        return True
    have = _words(f"{template.title} {template.text} {extra}")
    return all(any(h.startswith(w) for h in have) for w in wanted)


class TemplateLibrary:
    """Templates of one official's cache. Writes go through this class (the worker's connection)."""

    def __init__(self, cache: Cache, user_id: str | None = None) -> None:
        self.cache = cache
        self.user_id = user_id if user_id is not None else _me_id(cache)

    # --- reading ------------------------------------------------------------------------------

    def templates(self, purpose: Purpose | str | None = None, *, include_retired: bool = False) -> list[Template]:
        """Platform templates, then personal ones, each by title."""
        found = [*self._platform(), *self._personal(include_retired)]
        if purpose is not None:
            found = [t for t in found if t.purpose is Purpose(purpose)]
        return found

    def get(self, template_id: str) -> Template | None:
        return next((t for t in self.templates(include_retired=True) if t.id == template_id), None)

    def _platform(self) -> list[Template]:
        rows = self.cache.db.execute("SELECT id, title, text, purpose, category_code, ground_code, version "
                                     "FROM templates ORDER BY title, id").fetchall()
        return [Template(r[0], r[1], r[2], Purpose(r[3]), Origin.PLATFORM, int(r[6]),
                         (r[4],) if r[4] else (), r[5]) for r in rows]

    def _personal(self, include_retired: bool) -> list[Template]:
        where = "" if include_retired else "WHERE retired_at IS NULL"
        rows = self.cache.db.execute("SELECT id, title, text, purpose, category_codes, ground_code, version, "
                                     f"retired_at FROM personal_templates {where} ORDER BY title, id").fetchall()
        return [Template(r[0], r[1], r[2], Purpose(r[3]), Origin.PERSONAL, int(r[6]), tuple(json.loads(r[4])),
                         r[5], r[7] is not None) for r in rows]

    def known_grounds(self) -> frozenset[str]:
        """Rejection ground codes: the platform's from the cache, the regulation's before the first sync."""
        return self.cache.rejection_codes() or rejection_grounds().codes

    def search(self, query: str, purpose: Purpose | str | None = None) -> list[Template]:
        """Templates whose title or text has every word of ``query`` (prefixes; case and ё/е alike)."""
        return [t for t in self.templates(purpose) if matches(t, query)]

    # --- personal templates -------------------------------------------------------------------

    def create(self, title: str, text: str, purpose: Purpose | str, categories: Sequence[str] = (),
               ground_code: str | None = None) -> Template:
        """A new personal template; TemplateError (Russian) when a field is not acceptable."""
        with self.cache.transaction():
            [made] = self.insert_personal([(title, text, str(purpose), list(categories), ground_code)])
        return made

    def insert_personal(self, rows: Iterable[tuple[Any, Any, Any, Any, Any]]) -> list[Template]:
        """Insert personal templates (title, text, purpose, categories, ground); the caller holds a transaction.

        Every row is checked first: one bad row inserts nothing (the caller's transaction rolls back).
        """
        grounds = self.known_grounds()
        made = []
        for title, raw_text, purpose, categories, ground in rows:
            text = unix_lines(raw_text)
            problem = field_problem(title, text, purpose, categories, ground, grounds)
            if problem:
                raise TemplateError(f"Шаблон не сохранён: {problem}.")
            made.append(Template(f"my-{uuid.uuid4()}", title.strip(), text, Purpose(purpose),
                                 Origin.PERSONAL, 1, tuple(categories), ground))
        stamp = _now()
        self.cache.db.conn.executemany(
            "INSERT INTO personal_templates (id, title, text, purpose, category_codes, ground_code, version, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
            [(t.id, t.title, t.text, t.purpose.value, json.dumps(list(t.category_codes)), t.ground_code, stamp, stamp)
             for t in made])
        return made

    def _own(self, template_id: str) -> Template:
        found = self.get(template_id)
        if found is None:
            raise TemplateError("Шаблон не найден: возможно, он удалён на платформе.")
        if not found.editable:
            raise TemplateError("Шаблоны платформы только для чтения: создайте копию и правьте её.")
        return found

    def edit(self, template_id: str, *, title: str | None = None, text: str | None = None,
             purpose: Purpose | str | None = None, categories: Sequence[str] | None = None,
             ground_code: str | None = "") -> Template:
        """Change a personal template; its version goes up, so usage of the old text is told apart.

        ``ground_code=""`` keeps the ground; None clears it.
        """
        old = self._own(template_id)
        new = Template(old.id, (title if title is not None else old.title).strip(),
                       unix_lines(text if text is not None else old.text),
                       Purpose(purpose) if purpose is not None else old.purpose, Origin.PERSONAL, old.version + 1,
                       tuple(categories) if categories is not None else old.category_codes,
                       old.ground_code if ground_code == "" else ground_code, old.retired)
        problem = field_problem(new.title, new.text, new.purpose.value, list(new.category_codes), new.ground_code,
                                self.known_grounds())
        if problem:
            raise TemplateError(f"Шаблон не сохранён: {problem}.")
        if _content(new) == _content(old):
            return old  # nothing changed: the version stays
        self.cache.db.execute(
            "UPDATE personal_templates SET title=?, text=?, purpose=?, category_codes=?, ground_code=?, version=?, "
            "updated_at=? WHERE id=?", [new.title, new.text, new.purpose.value, json.dumps(list(new.category_codes)),
                                        new.ground_code, new.version, _now(), new.id])
        return new

    def duplicate(self, template_id: str, title: str | None = None) -> Template:
        """A personal copy of any template (a platform one included), to adapt."""
        source = self.get(template_id)
        if source is None:
            raise TemplateError("Шаблон не найден: возможно, он удалён на платформе.")
        name = title or f"{source.title} (копия)"[:TITLE_MAX]
        return self.create(name, source.text, source.purpose, source.category_codes, source.ground_code)

    def retire(self, template_id: str) -> None:
        """Stop offering a personal template (kept, with its usage, and can be restored)."""
        self._own(template_id)
        self.cache.db.execute("UPDATE personal_templates SET retired_at=? WHERE id=? AND retired_at IS NULL",
                              [_now(), template_id])

    def restore(self, template_id: str) -> None:
        self._own(template_id)
        self.cache.db.execute("UPDATE personal_templates SET retired_at=NULL WHERE id=?", [template_id])

    # --- usage --------------------------------------------------------------------------------

    def record_use(self, template_id: str, item_id: str | None) -> None:
        """The official inserted ``template_id`` into the answer to ``item_id``: count it with its version."""
        template = self.get(template_id)
        if template is None:
            raise TemplateError("Шаблон не найден: возможно, он удалён на платформе.")
        self.cache.db.execute(
            "INSERT INTO template_usage (template_id, template_version, origin, user_id, item_id, used_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [template.id, template.version, template.origin.value, self.user_id, item_id, _now()])

    def usage(self, template_id: str) -> Usage:
        """This official's use of a template, split by whether it was the version there is now."""
        template = self.get(template_id)
        version = template.version if template else 0
        rows = self.cache.db.execute(
            "SELECT template_version, count(*), max(id) FROM template_usage WHERE template_id=? AND user_id IS ? "
            "GROUP BY template_version", [template_id, self.user_id]).fetchall()
        last = max(rows, key=lambda r: r[2])[0] if rows else None
        return Usage(template_id, version, sum(r[1] for r in rows),
                     sum(r[1] for r in rows if r[0] == version), last)

    def changed_since_use(self) -> list[Template]:
        """Templates this official used whose version is no longer the one they last used."""
        return [t for t in self.templates() if self.usage(t.id).changed_since_last_use]

    def _use_counts(self) -> dict[str, int]:
        return {str(r[0]): int(r[1]) for r in self.cache.db.execute(
            "SELECT template_id, count(*) FROM template_usage WHERE user_id IS ? GROUP BY template_id",
            [self.user_id])}

    # --- suggestions and filling --------------------------------------------------------------

    def suggest(self, item: Item, purpose: Purpose | str = Purpose.ANSWER, query: str = "",
                limit: int = 10) -> list[Suggestion]:
        """Templates for ``item``: its category's first, then the ones this official uses most.

        Templates of another category are left out unless the query finds them.
        """
        parents = dict(self.cache.db.execute("SELECT code, parent_code FROM categories").fetchall())
        names = dict(self.cache.db.execute("SELECT code, name FROM categories").fetchall())
        family = {item.category_code, parents.get(item.category_code)} - {None}
        counts = self._use_counts()
        ranked = []
        for t in self.templates(purpose):
            extra = " ".join(names.get(c, c) for c in t.category_codes)
            if query and not matches(t, query, extra):
                continue
            if not t.category_codes:
                weight = 1.0
            elif item.category_code in t.category_codes:
                weight = 2.0
            elif family & set(t.category_codes):
                weight = 1.5
            elif query:
                weight = 0.0
            else:
                continue
            uses = counts.get(t.id, 0)
            # Habit counts, but with diminishing returns: the category still leads.
            score = weight + min(1.5, math.log10(1 + uses))
            ranked.append(Suggestion(t, round(score, 4), weight >= 1.5, uses))
        ranked.sort(key=lambda s: (-s.score, s.template.title, s.template.id))
        return ranked[:limit]

    def values(self, item: Item, *, planned_date: date | None = None,
               ground_code: str | None = None) -> dict[str, str | None]:
        """Placeholder values for ``item`` from the cached directory."""
        org_row = self.cache.db.execute("SELECT record FROM organisations WHERE id=?", [item.org_id]).fetchone()
        org = OrganisationOut.model_validate_json(org_row[0]) if org_row else None
        staff: list[StaffOut] = self.cache.staff()
        names = dict(self.cache.db.execute("SELECT code, name FROM categories").fetchall())
        code = ground_code or (item.rejection.ground_code if item.rejection else None)
        ground_text = None
        if code:
            row = self.cache.db.execute("SELECT text FROM rejection_grounds WHERE code=?", [code]).fetchone()
            ground = rejection_grounds().get(code)
            ground_text = row[0] if row else (ground.text if ground else None)
        return values_for_item(item, organisation=org, staff=staff, category_names=names, ground_text=ground_text,
                               planned_date=planned_date)

    def fill(self, template_id: str, item: Item, answers: dict[str, str] | None = None, *,
             planned_date: date | None = None, ground_code: str | None = None) -> Rendered:
        """The template filled for ``item``; ``missing`` lists what to ask, ``answers`` fills it."""
        template = self.get(template_id)
        if template is None:
            raise TemplateError("Шаблон не найден: возможно, он удалён на платформе.")
        return render(template.text, self.values(item, planned_date=planned_date,
                                                 ground_code=ground_code or template.ground_code), answers)


def _content(t: Template) -> tuple[object, ...]:
    return (t.title, t.text, t.purpose, t.category_codes, t.ground_code)


def _me_id(cache: Cache) -> str | None:
    raw = cache.state("me")
    if raw is None:
        return None
    user_id = json.loads(raw).get("user", {}).get("id")
    return str(user_id) if user_id else None
