"""Placeholders: every one rendered with and without a value and a fallback, the missing-values flow, escapes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from offline_cache.contract.models import Item, OrganisationOut, StaffOut
from offline_cache.placeholders import PLACEHOLDERS, name_and_patronymic, placeholder, render, slots, values_for_item

ORG = OrganisationOut(id="c", name="Администрация города", level="municipality", parent_id="r",
                      timezone="Asia/Yekaterinburg", approval_chain=["head"])
STAFF = [
    StaffOut(id="c-exec1", org_id="c", full_name="Орлова Анна Петровна", position="Специалист", roles=["executor"]),
    StaffOut(id="c-head", org_id="c", full_name="Кузнецов Олег Ильич", position="Глава администрации",
             roles=["head"]),
    StaffOut(id="r-head", org_id="r", full_name="Краевой Руководитель", position="Губернатор", roles=["head"]),
]


def make_item(**changes: object) -> Item:
    data = {
        "id": "m-1", "number": "2026-0000042", "kind": "message", "org_id": "c", "status": "in_work", "version": 3,
        "category_code": "roads", "subject": "Дороги", "text": "Яма на дороге", "address": "ул. Садовая, д. 1",
        "applicant_name": "Петров Иван Сергеевич", "assignee_id": "c-exec1",
        # 20:30 UTC is already the next day in Yekaterinburg (UTC+5)
        "registered_at": datetime(2026, 3, 10, 20, 30, tzinfo=UTC),
        "received_at": datetime(2026, 3, 11, 4, 0, tzinfo=UTC),
        "due_at": datetime(2026, 4, 10, 19, 0, tzinfo=UTC),  # 00:00 of 11.04 local: the last day is 10.04
        "updated_at": datetime(2026, 3, 11, 4, 0, tzinfo=UTC),
    }
    data.update(changes)
    return Item.model_validate(data)


def values(item: Item | None = None, **kw: object) -> dict[str, str | None]:
    return values_for_item(item or make_item(), organisation=ORG, staff=STAFF, category_names={"roads": "Дороги"},
                           **kw)  # type: ignore[arg-type]


EXPECTED = {
    "номер": "2026-0000042",
    "дата_поступления": "11.03.2026",
    "дата_регистрации": "11.03.2026",
    "заявитель": "Иван Сергеевич",
    "адрес": "ул. Садовая, д. 1",
    "категория": "Дороги",
    "организация": "Администрация города",
    "исполнитель": "Орлова Анна Петровна",
    "срок_ответа": "10.04.2026",
    "плановая_дата": "01.06.2026",
    "должность_руководителя": "Глава администрации",
    "руководитель": "Кузнецов Олег Ильич",
    "основание_отказа": "В сообщении не указан адрес.",
}


def full_values() -> dict[str, str | None]:
    return values(planned_date=date(2026, 6, 1), ground_text="В сообщении не указан адрес.")


def test_every_placeholder_has_an_expected_value() -> None:
    assert set(EXPECTED) == {p.name for p in PLACEHOLDERS}
    assert full_values() == EXPECTED


@pytest.mark.parametrize("ph", PLACEHOLDERS, ids=lambda p: p.name)
def test_each_placeholder_with_value_without_value_and_with_fallback(ph) -> None:
    given = full_values()
    for name in (ph.name, *ph.aliases):  # every accepted spelling, in any case
        assert render(f"«{{{name}}}»", given).text == f"«{EXPECTED[ph.name]}»"
        assert render(f"«{{{name.upper()}}}»", given).text == f"«{EXPECTED[ph.name]}»"
    # a value wins over the fallback
    assert render(f"{{{ph.name}|запасной текст}}", given).text == EXPECTED[ph.name]
    empty = {**given, ph.name: None}
    # no value, with a fallback: the fallback
    r = render(f"А: {{{ph.name} | запасной текст }}.", empty)
    assert (r.text, r.missing, r.unknown) == ("А: запасной текст.", (), ())
    # no value, no fallback: kept in the text and asked for
    r = render(f"А: {{{ph.name}}}.", {**given, ph.name: "  "})
    assert r.text == f"А: {{{ph.name}}}." and r.missing == (ph,) and not r.complete
    # the answer from the small form fills it
    r = render(f"А: {{{ph.name}}}.", empty, {ph.name: "ответ"})
    assert r.text == "А: ответ." and r.complete


def test_missing_values_are_asked_once_each_in_order_and_filled_by_a_second_call() -> None:
    item = make_item(applicant_name="Петров И. С.", assignee_id=None)
    text = "{заявитель}, {исполнитель}, {заявитель|Уважаемый заявитель} и снова {заявитель}, {адрес}"
    first = render(text, values(item))
    assert [p.name for p in first.missing] == ["заявитель", "исполнитель"]
    assert [p.label for p in first.missing] == ["Имя и отчество заявителя", "Исполнитель"]
    assert first.text == "{заявитель}, {исполнитель}, Уважаемый заявитель и снова {заявитель}, ул. Садовая, д. 1"
    second = render(text, values(item), {"заявитель": "Иван Сергеевич", "исполнитель": "Орлова А. П."})
    assert second.complete
    assert second.text == "Иван Сергеевич, Орлова А. П., Иван Сергеевич и снова Иван Сергеевич, ул. Садовая, д. 1"


def test_unknown_names_are_reported_and_kept() -> None:
    r = render("Здравствуйте, {заявитль}! {номер}. {фио|Уважаемый}", values())
    assert r.unknown == ("заявитль", "фио") and r.missing == () and not r.complete
    assert r.text == "Здравствуйте, {заявитль}! 2026-0000042. {фио}"


def test_escaped_braces_and_ordinary_braces_stay_text() -> None:
    r = render("{{заявитель}} — так пишется подстановка; {{ и }} — скобки; {ул. Ленина} {1} {", values())
    assert r.text == "{заявитель} — так пишется подстановка; { и } — скобки; {ул. Ленина} {1} {" and r.complete
    assert slots("{{заявитель}}") == [] and [s.written for s in slots("{{{заявитель}}}")] == ["заявитель"]
    assert render("{{{заявитель}}}", values()).text == "{Иван Сергеевич}"


def test_values_are_inserted_literally() -> None:
    item = make_item(address="{номер} и {{ скобки", applicant_name="Петров {заявитель} Сергеевич")
    r = render("{адрес} / {заявитель}", values(item))
    assert r.text == "{номер} и {{ скобки / {заявитель} Сергеевич"


@pytest.mark.parametrize(("full", "short"), [
    ("Петров Иван Сергеевич", "Иван Сергеевич"),
    ("  Ёлкина   Пелагея  Ивановна ", "Пелагея Ивановна"),
    ("Алиев Рашад Мамед оглы", "Рашад Мамед оглы"),
    ("Иванова Мария", "Мария"),
    ("Иванов", None),
    ("Иванов И. И.", None),
    ("Иванов И.И.", None),
    ("", None),
])
def test_name_and_patronymic(full: str, short: str | None) -> None:
    assert name_and_patronymic(full) == short


def test_interim_planned_date_comes_from_the_interim_draft_when_not_given() -> None:
    item = make_item(draft={"text": "…", "kind": "interim", "planned_date": "2026-05-20"})
    assert values(item)["плановая_дата"] == "20.05.2026"
    assert values(item, planned_date=date(2026, 7, 1))["плановая_дата"] == "01.07.2026"
    assert values(make_item(draft={"text": "…", "kind": "final"}))["плановая_дата"] is None


def test_lookup_accepts_spellings() -> None:
    assert placeholder("Дата-Регистрации") is placeholder("дата_регистрации") is placeholder("registered_date")
    assert placeholder("неизвестно") is None
