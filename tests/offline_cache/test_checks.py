"""Checks before submit, each firing and not firing on real demo messages (training_platform.demo_data)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache

import pytest

from offline_cache.checks import (
    COPY_SIMILARITY,
    CheckResult,
    DraftToCheck,
    Severity,
    blocking,
    check_draft,
    stem,
    street_names,
)
from offline_cache.contract.models import Item
from offline_cache.domain.model import Status
from offline_cache.placeholders import render, values_for_item
from offline_cache.templates import Purpose
from tests.world import WORLD_START
from training_platform.demo_data import DemoData, generate_demo, load_templates


@cache
def demo() -> DemoData:
    return generate_demo(WORLD_START)


def first(test: Callable[[Item], bool]) -> Item:
    return next(i for i in demo().items if test(i))


def codes(results: list[CheckResult]) -> list[str]:
    return [r.code for r in results]


def by_code(results: list[CheckResult], code: str) -> CheckResult:
    return next(r for r in results if r.code == code)


def filled(template_id: str, item: Item) -> str:
    """A demo template filled for a demo item, the way the editor inserts it."""
    template = next(t for t in load_templates() if t.id == template_id)
    org = next(o for o in demo().organisations if o.id == item.org_id)
    from offline_cache.contract.convert import org_to_contract, staff_to_contract

    values = values_for_item(item, organisation=org_to_contract(org),
                             staff=[staff_to_contract(s) for s in demo().staff],
                             category_names={c.code: c.name for c in demo().categories[item.org_id]})
    rendered = render(template.text, values)
    assert rendered.complete, rendered
    return rendered.text


def answered() -> Item:
    """A demo item whose answer names a concrete result."""
    return first(lambda i: i.answer is not None and "устранен" in i.answer.text)


def test_a_good_answer_from_a_demo_template_passes_every_check() -> None:
    item = first(lambda i: i.status is Status.IN_WORK)
    text = filled("tpl-answer-inspection", item)
    assert check_draft(DraftToCheck(text, address=item.address)) == []


def test_empty_answer_blocks() -> None:
    for text in ("", "   \n\t"):
        results = check_draft(DraftToCheck(text, address=answered().address))
        assert codes(results) == ["empty"] and results[0].blocking
        assert results[0].message == "Ответ пуст: напишите текст."
    assert "empty" not in codes(check_draft(DraftToCheck(answered().answer.text)))  # type: ignore[union-attr]
    assert check_draft(DraftToCheck("", Purpose.RETURN))[0].message == "Комментарий пуст: напишите текст."


def test_an_unresolved_placeholder_blocks_and_is_named() -> None:
    item = first(lambda i: i.status is Status.IN_WORK)
    template = next(t for t in load_templates() if t.id == "tpl-answer-works")
    partial = render(template.text, {"адрес": item.address, "номер": item.number})  # no applicant's name
    assert [p.name for p in partial.missing] == ["заявитель"]
    results = check_draft(DraftToCheck(partial.text, address=item.address))
    found = by_code(results, "unresolved_placeholder")
    assert found.severity is Severity.BLOCKING and found.words == ("{applicant_name}",)
    assert "Не заполнены подстановки: {applicant_name}." in found.message
    [(start, end)] = found.spans
    assert partial.text[start:end] == "{applicant_name}"
    assert blocking(results) == [found]
    assert "unresolved_placeholder" not in codes(check_draft(DraftToCheck(filled("tpl-answer-works", item))))
    # an escaped brace is not a placeholder, nor is a brace in ordinary text
    assert "unresolved_placeholder" not in codes(check_draft(DraftToCheck("Скобки {ул. Ленина} и {1}")))


def test_a_rejection_without_a_ground_blocks() -> None:
    item = first(lambda i: i.rejection is not None)
    assert item.rejection is not None
    results = check_draft(DraftToCheck(item.rejection.comment, Purpose.REJECTION, address=item.address))
    assert by_code(results, "rejection_without_ground").blocking
    ok = check_draft(DraftToCheck(item.rejection.comment, Purpose.REJECTION, item.rejection.ground_code,
                                  address=item.address))
    assert blocking(ok) == [] and "address_missing" not in codes(ok)  # a rejection need not name the place


def test_an_interim_answer_without_a_planned_date_blocks() -> None:
    item = first(lambda i: i.interim_answer is not None)
    interim = item.interim_answer
    assert interim is not None and interim.planned_date is not None
    results = check_draft(DraftToCheck(interim.text, Purpose.INTERIM, address=item.address))
    found = by_code(results, "interim_without_date")
    assert found.blocking and "плановая дата" in found.message
    ok = check_draft(DraftToCheck(interim.text, Purpose.INTERIM, planned_date=interim.planned_date,
                                  address=item.address))
    assert blocking(ok) == [] and "otpiska" not in codes(ok)  # an interim answer is not judged as an отписка


def test_a_very_short_answer_warns() -> None:
    draft = first(lambda i: i.draft is not None and i.draft.text == "Запрошена информация у управляющей компании.")
    results = check_draft(DraftToCheck(draft.draft.text, address=draft.address))  # type: ignore[union-attr]
    found = by_code(results, "too_short")
    assert not found.blocking and "очень короткий (44 зн.)" in found.message
    assert "too_short" not in codes(check_draft(DraftToCheck(answered().answer.text)))  # type: ignore[union-attr]


def test_the_answer_must_mention_the_street_in_any_case() -> None:
    item = answered()
    assert item.answer is not None and street_names(item.address)
    # the demo answers do not repeat the address: the warning fires
    found = by_code(check_draft(DraftToCheck(item.answer.text, address=item.address)), "address_missing")
    assert not found.blocking and item.address in found.message
    # filled from a template with {address}: it does not
    text = filled("tpl-answer-works", item)
    assert "address_missing" not in codes(check_draft(DraftToCheck(text, address=item.address)))


@pytest.mark.parametrize(("address", "answer", "mentioned"), [
    ("г. Светлогорск, ул. Клёновая, д. 5", "Дерево на улице Кленовой спилено.", True),
    ("г. Светлогорск, ул. Клёновая, д. 5", "Дерево на КЛЁНОВОЙ улице спилено.", True),
    ("г. Светлогорск, пр-т Победы, д. 2", "На проспекте Победы заменены светильники.", True),
    ("г. Светлогорск, пр-т Победы, д. 2", "На проспекте Космонавтов заменены светильники.", False),
    ("г. Светлогорск, ул. Садовая, д. 1", "В городе Светлогорске заменены светильники.", False),
    ("Ольховское с. п., с. Ольховка, ул. Центральная, д. 3", "На Центральной улице покошена трава.", True),
    ("Новоградский край, г. Новоград, наб. Волжская, д. 7", "На Волжской набережной убран мусор.", True),
    ("г. Светлогорск, мкр. Солнечный, д. 2", "Во дворе микрорайона Солнечного установлены качели.", True),
])
def test_address_mention_is_russian_aware(address: str, answer: str, mentioned: bool) -> None:
    results = check_draft(DraftToCheck(answer + " " * 0, address=address))
    assert ("address_missing" not in codes(results)) is mentioned


def test_street_names_and_stems() -> None:
    assert street_names("г. Светлогорск, ул. Садовая, д. 1") == [("садов",)]
    assert street_names("Новоградский край, г. Новоград, пр-т Ленинградский, д. 7") == [("ленинградск",)]
    assert street_names("у школы") == [("школ",)]
    assert street_names("д. 5") == [] and street_names("") == []
    assert stem("мира") == "мир" and stem("победы") == "побед"


def test_a_reprocessed_item_answered_with_the_earlier_answer_warns() -> None:
    items = {i.id: i for i in demo().items}
    item = first(lambda i: i.parent_id in items and items[i.parent_id].answer is not None)
    earlier = items[item.parent_id].answer.text  # type: ignore[index, union-attr]
    found = by_code(check_draft(DraftToCheck(earlier, address=item.address, earlier_answer=earlier)),
                    "copied_answer")
    assert not found.blocking and "сходство 100" in found.message
    nearly = earlier.replace("сообщаем", "сообщаем вам").replace("!", ".")
    assert "copied_answer" in codes(check_draft(DraftToCheck(nearly, earlier_answer=earlier)))
    fresh = filled("tpl-answer-inspection", item)
    assert "copied_answer" not in codes(check_draft(DraftToCheck(fresh, earlier_answer=earlier)))
    assert COPY_SIMILARITY == 0.9


def test_an_otpiska_warns_and_says_what_it_looks_for() -> None:
    draft = first(lambda i: i.draft is not None and i.draft.text == "Запрошена информация у управляющей компании.")
    found = by_code(check_draft(DraftToCheck(draft.draft.text)), "otpiska")  # type: ignore[union-attr]
    assert not found.blocking
    assert "конкретной меры" in found.message and "срока" in found.message and "результата" in found.message
    evasive = first(lambda i: i.answer is not None and "взято на контроль" in i.answer.text)
    found = by_code(check_draft(DraftToCheck(evasive.answer.text)), "otpiska")  # type: ignore[union-attr]
    assert "«взято на контроль»" in found.message and found.words == ("взято на контроль",)
    [(start, end)] = found.spans
    assert evasive.answer.text[start:end].lower() == "взято на контроль"  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "otpiska"), [
    ("Ваше обращение рассмотрено. Вопрос будет рассмотрен в установленном порядке.", True),
    ("Работы будут выполнены в плановом порядке по мере финансирования.", True),
    ("Яма не устранена, вопрос изучается.", True),
    ("Работы будут выполнены до 15.05.2026.", False),
    ("Работы будут выполнены до 15 мая.", False),
    ("Работы будут выполнены в течение 10 дней.", False),
    ("Выбоина устранена.", False),
    ("Подрядчику выдано предписание.", False),
])
def test_otpiska_phrases(text: str, otpiska: bool) -> None:
    assert ("otpiska" in codes(check_draft(DraftToCheck(text)))) is otpiska


def test_every_demo_answer_that_names_a_result_is_no_otpiska() -> None:
    results = [check_draft(DraftToCheck(i.answer.text)) for i in demo().items  # type: ignore[union-attr]
               if i.answer is not None and ("устранен" in i.answer.text or "восстановлен" in i.answer.text)]
    assert results and not any("otpiska" in codes(r) for r in results)


def test_blocking_results_come_first() -> None:
    results = check_draft(DraftToCheck("Коротко {адрес}", Purpose.INTERIM, address="ул. Садовая, д. 1"))
    assert codes(results)[:2] == ["unresolved_placeholder", "interim_without_date"]
    assert [r.blocking for r in results] == sorted((r.blocking for r in results), reverse=True)
    assert date(2026, 1, 1)  # planned dates are dates
