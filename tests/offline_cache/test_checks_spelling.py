"""Spelling: known errors found with their spans; placeholders, abbreviations and the organisation's words accepted."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from offline_cache.checks import DraftToCheck, check_draft, draft_for_item, organisation_words, speller_for
from offline_cache.contract.convert import org_to_contract, staff_to_contract
from offline_cache.contract.models import Item
from offline_cache.spelling import Speller, words_of
from offline_cache.store.cache import Cache
from tests.world import WORLD_START
from training_platform.demo_data import DemoData, generate_demo, load_templates

TEXT_WITH_ERRORS = ("Уважаемый Иван Сергеевич! Выбоена на дороге устронена подрядчеком, асфальт уложен. "
                    "Сотрудники ЖКХ и МКД проверили двор. Ёлку убрали, елку вывезли.")


@cache
def demo() -> DemoData:
    return generate_demo(WORLD_START)


def test_known_errors_are_found_with_their_spans() -> None:
    found = Speller().misspelt(TEXT_WITH_ERRORS)
    assert [w.word for w in found] == ["Выбоена", "устронена", "подрядчеком"]
    assert all(TEXT_WITH_ERRORS[w.start:w.end] == w.word for w in found)


def test_a_correct_text_has_no_errors() -> None:
    text = ("Управляющая организация провела промывку и регулировку системы отопления в доме; температура в "
            "квартирах соответствует нормативу. Северо-западный участок кто-то огородил.")
    assert Speller().misspelt(text) == []


def test_placeholders_are_not_spelling() -> None:
    assert Speller().misspelt("Уважаемый {заявитель|Уважаемый заявитель}! {applicant_name} {номр}") == []


def test_the_check_lists_the_words_and_marks_them() -> None:
    results = check_draft(DraftToCheck(TEXT_WITH_ERRORS), Speller())
    [spelling] = [r for r in results if r.code == "spelling"]
    assert not spelling.blocking and spelling.message == "Возможные опечатки: Выбоена, устронена, подрядчеком."
    assert [TEXT_WITH_ERRORS[a:b] for a, b in spelling.spans] == ["Выбоена", "устронена", "подрядчеком"]


def test_extra_words_are_accepted_in_any_case_and_with_yo() -> None:
    speller = Speller(["Квакшинская"])
    assert speller.misspelt("На улице КВАКШИНСКАЯ") == []
    assert [w.word for w in speller.misspelt("Пелагея Ёжикова")] == ["Ёжикова"]
    speller.add_words(["ежикова"])
    assert speller.misspelt("Пелагея Ёжикова") == []


@pytest.fixture
def demo_cache(tmp_path: Path) -> Iterator[Cache]:
    """A cache holding the demo directory, templates and items, as a sync leaves it."""
    data = demo()
    cache_ = Cache.open(tmp_path / "c.posdesk", secrets.token_bytes(32))
    cache_.store_directory([org_to_contract(o) for o in data.organisations], [staff_to_contract(s) for s in data.staff],
                           data.categories["org-city"], load_templates(), [])
    typo = next(i for i in data.items if i.answer is not None and i.status.value == "closed")
    assert typo.answer is not None
    odd = typo.model_copy(update={"id": "m-typo", "answer": typo.answer.model_copy(
        update={"text": typo.answer.text + " Асфальтт уложен."})})
    cache_.apply_page([*data.items, odd], 1)
    yield cache_
    cache_.close()


def test_the_organisations_words_come_from_the_cache(demo_cache: Cache) -> None:
    words = organisation_words(demo_cache)
    plain = Speller()
    speller = speller_for(demo_cache)
    street = "Клёновая"  # a demo street
    staff = next(s.full_name for s in demo().staff).split()[0]
    # words of sent answers (at least two of them), streets, staff surnames, template words
    for word in ("грейдирование", "противогололёдными", street, staff):
        assert words_of([word]) <= words, word
        assert speller.misspelt(word) == [], word
    assert [w.word for w in plain.misspelt("грейдирование")] == ["грейдирование"]
    assert [w.word for w in speller.misspelt("Асфальтт")] == ["Асфальтт"]  # in one answer only: still a typo


def test_draft_for_item_accepts_the_applicants_name(demo_cache: Cache) -> None:
    item = demo_cache.item("m-0000001")
    assert isinstance(item, Item)
    odd = item.model_copy(update={"applicant_name": "Квакшина Пелагея Ивановна"})
    draft = draft_for_item(demo_cache, odd, "Уважаемая Пелагея Ивановна Квакшина! Мусор вывезен.")
    results = check_draft(draft, speller_for(demo_cache))
    assert "spelling" not in [r.code for r in results]
    assert draft.address == item.address and draft.earlier_answer is None


def test_draft_for_a_reprocessed_item_brings_the_earlier_answer(demo_cache: Cache) -> None:
    item = next(i for i in demo().items if i.parent_id and (p := demo_cache.item(i.parent_id)) and p.answer)
    parent = demo_cache.item(item.parent_id or "")
    assert parent is not None and parent.answer is not None
    draft = draft_for_item(demo_cache, item, parent.answer.text)
    assert draft.earlier_answer == parent.answer.text
    assert "copied_answer" in [r.code for r in check_draft(draft)]
