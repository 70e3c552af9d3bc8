"""Placeholders in template texts: ``{заявитель}``, ``{заявитель|Уважаемый заявитель}``, ``{{`` for a brace.

Rendering is pure: the values come from the item and the directory (``values_for_item``), the
official's answers to the small form fill what had no value and no fallback. A placeholder that
stays unfilled stays in the text as written, so the preview shows it and the check before submit
blocks it; an unknown name is reported, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from offline_cache.contract.models import Item, OrganisationOut, StaffOut
from offline_cache.domain.model import DraftKind, Role


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A value a template can ask for: its name in templates, the form's label, other accepted names."""

    name: str
    label: str
    aliases: tuple[str, ...] = ()


PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder("номер", "Номер сообщения", ("number",)),
    Placeholder("дата_поступления", "Дата поступления", ("received_date", "дата_получения")),
    Placeholder("дата_регистрации", "Дата регистрации", ("registered_date",)),
    Placeholder("заявитель", "Имя и отчество заявителя", ("applicant_name", "имя_отчество")),
    Placeholder("адрес", "Адрес проблемы", ("address",)),
    Placeholder("категория", "Категория", ("category",)),
    Placeholder("организация", "Организация", ("organisation", "organization")),
    Placeholder("исполнитель", "Исполнитель", ("executor",)),
    Placeholder("срок_ответа", "Срок ответа", ("due_date", "срок")),
    Placeholder("плановая_дата", "Плановая дата результата (промежуточный ответ)", ("planned_date",)),
    Placeholder("должность_руководителя", "Должность руководителя", ("head_position",)),
    Placeholder("руководитель", "Руководитель (фамилия, имя, отчество)", ("head_name",)),
    Placeholder("основание_отказа", "Основание отклонения", ("rejection_ground", "основание")),
)


def _key(name: str) -> str:
    return name.strip().lower().replace("ё", "е").replace("-", "_").replace(" ", "_")


_BY_NAME: dict[str, Placeholder] = {_key(n): p for p in PLACEHOLDERS for n in (p.name, *p.aliases)}


def placeholder(name: str) -> Placeholder | None:
    """The placeholder called ``name`` (any accepted spelling, case and ё/е alike), or None."""
    return _BY_NAME.get(_key(name))


# {{ and }} are literal braces; {name} or {name|fallback} a placeholder. A name is a word (letters,
# digits, _ or -, not starting with a digit), so braces in ordinary text («{ул. Ленина}») stay text.
_TOKEN = re.compile(r"\{\{|\}\}|\{\s*([^\W\d_][\w-]{0,59})\s*(?:\|([^{}\n]*))?\}")


@dataclass(frozen=True, slots=True)
class Slot:
    """One placeholder as written in a text, with its span there."""

    written: str
    placeholder: Placeholder | None  # None: a name no placeholder has
    fallback: str | None
    start: int
    end: int

    @property
    def source(self) -> str:
        """The placeholder as it should stay in the text when it cannot be filled."""
        return "{" + self.written + "}"


def _tokens(text: str) -> Iterator[str | Slot]:
    """The text as literal pieces and slots (escapes already turned into single braces)."""
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            yield text[pos:m.start()]
        token = m.group(0)
        if token in ("{{", "}}"):
            yield token[0]
        else:
            fallback = m.group(2)
            yield Slot(m.group(1), placeholder(m.group(1)), fallback.strip() if fallback is not None else None,
                       m.start(), m.end())
        pos = m.end()
    if pos < len(text):
        yield text[pos:]


def slots(text: str) -> list[Slot]:
    """Every placeholder written in ``text``, in order (escaped braces are not placeholders)."""
    return [t for t in _tokens(text) if isinstance(t, Slot)]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A filled template: the text, what still needs the official's answer, and names nobody knows."""

    text: str
    missing: tuple[Placeholder, ...]  # no value, no fallback, no answer: ask in one small form
    unknown: tuple[str, ...]  # names as written that are no placeholder: left in the text

    @property
    def complete(self) -> bool:
        return not self.missing and not self.unknown


def render(text: str, values: Mapping[str, str | None], answers: Mapping[str, str] | None = None) -> Rendered:
    """Fill ``text``: the official's answer, else the item's value, else the fallback; else keep it and ask.

    ``values`` and ``answers`` are keyed by placeholder name (``Placeholder.name``). A blank
    value counts as no value. Values are inserted as they are (never parsed as placeholders).
    """
    answers = answers or {}
    out: list[str] = []
    missing: list[Placeholder] = []
    unknown: list[str] = []
    for token in _tokens(text):
        if isinstance(token, str):
            out.append(token)
            continue
        ph = token.placeholder
        if ph is None:
            if token.written not in unknown:
                unknown.append(token.written)
            out.append(token.source)
            continue
        value = (answers.get(ph.name) or "").strip() or (values.get(ph.name) or "").strip()
        if value:
            out.append(value)
        elif token.fallback:
            out.append(token.fallback)
        else:
            if ph not in missing:
                missing.append(ph)
            out.append(token.source)
    return Rendered("".join(out), tuple(missing), tuple(unknown))


# --- values from the item and the directory ---------------------------------------------------


def name_and_patronymic(full_name: str) -> str | None:
    """«Фамилия Имя Отчество» → «Имя Отчество»; None when there is no given name to address (initials)."""
    parts = [p for p in full_name.split() if any(ch.isalpha() for ch in p)]
    if len(parts) < 2:
        return None
    rest = parts[1:]
    if any("." in p or len(p) == 1 for p in rest):  # «Иванов И. И.»: initials cannot be used to address
        return None
    return " ".join(rest)


def local_date(moment: datetime, zone: str) -> str:
    """The calendar date of ``moment`` in the organisation's zone, dd.mm.yyyy."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%d.%m.%Y")


def last_day(due_at: datetime, zone: str) -> str:
    """The last day of a term ending at ``due_at`` (00:00 local of the next day), dd.mm.yyyy."""
    return local_date(due_at - timedelta(microseconds=1), zone)


def head_of(org_id: str, staff: Sequence[StaffOut]) -> StaffOut | None:
    """The organisation's Руководитель (the first by id when there are several)."""
    heads = sorted((s for s in staff if s.org_id == org_id and Role.HEAD in s.roles), key=lambda s: s.id)
    return heads[0] if heads else None


def values_for_item(item: Item, *, organisation: OrganisationOut | None, staff: Sequence[StaffOut],
                    category_names: Mapping[str, str], ground_text: str | None = None,
                    planned_date: date | None = None) -> dict[str, str | None]:
    """Every placeholder's value for ``item`` (None where the item and directory have none).

    ``planned_date`` is the interim answer's promised date being edited; without it the item's
    interim draft's date is used. ``ground_text`` is the chosen rejection ground's wording.
    """
    zone = organisation.timezone if organisation else "UTC"
    by_id = {s.id: s for s in staff}
    executor = by_id.get(item.assignee_id or "")
    head = head_of(item.org_id, staff)
    if planned_date is None and item.draft is not None and item.draft.kind is DraftKind.INTERIM:
        planned_date = item.draft.planned_date
    return {
        "номер": item.number,
        "дата_поступления": local_date(item.received_at, zone),
        "дата_регистрации": local_date(item.registered_at, zone),
        "заявитель": name_and_patronymic(item.applicant_name),
        "адрес": item.address.strip() or None,
        "категория": category_names.get(item.category_code),
        "организация": organisation.name if organisation else None,
        "исполнитель": executor.full_name if executor else None,
        "срок_ответа": last_day(item.due_at, zone),
        "плановая_дата": planned_date.strftime("%d.%m.%Y") if planned_date else None,
        "должность_руководителя": (head.position or None) if head else None,
        "руководитель": head.full_name if head else None,
        "основание_отказа": ground_text,
    }
