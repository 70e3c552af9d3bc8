"""Stage control terms served with the categories (defaults filled in) and the platform's production calendar."""

from __future__ import annotations

from datetime import date

import httpx

from offline_cache.contract.convert import calendar_to_domain, stage_terms_to_domain
from offline_cache.contract.models import CategoryOut, StageTermOut
from offline_cache.domain.deadlines import TermKind
from offline_cache.domain.stages import DEFAULT_STAGE_TERMS, DayKind, Stage, StageTerm
from tests.training_platform.http_helpers import assert_russian_error
from tests.world import CATEGORIES, World


def test_categories_carry_all_three_stage_terms_with_defaults(shared_world: World) -> None:
    categories = shared_world.client("c-exec1").categories()
    assert categories
    for category in categories:
        assert [t.stage for t in category.stage_terms] == list(Stage)
        assert stage_terms_to_domain(category) == DEFAULT_STAGE_TERMS


def test_terms_the_organisation_set_are_served_and_the_rest_default(shared_world: World) -> None:
    store = shared_world.platform.store
    custom = CategoryOut(code="holes", name="Ямы", term_kind=TermKind.FAST_TRACK_2, term_days=10,
                         stage_terms=[StageTermOut(stage=Stage.EXECUTION, days=5, day_kind=DayKind.WORKING)])
    with store.transaction():
        store.put_categories("v", [*CATEGORIES, custom])
    served = {c.code: c for c in shared_world.client("v-coord").categories()}
    terms = stage_terms_to_domain(served["holes"])
    assert terms.of(Stage.EXECUTION) == StageTerm(5, DayKind.WORKING)
    assert terms.of(Stage.COORDINATION) == DEFAULT_STAGE_TERMS.coordination
    assert terms.of(Stage.APPROVAL) == DEFAULT_STAGE_TERMS.approval
    # another organisation does not see the settlement's category
    assert "holes" not in {c.code for c in shared_world.client("c-exec1").categories()}


def test_a_platform_without_stage_terms_means_defaults() -> None:
    old = CategoryOut.model_validate({"code": "roads", "name": "Дороги", "term_kind": "standard", "term_days": 30})
    assert old.stage_terms == []
    assert stage_terms_to_domain(old) == DEFAULT_STAGE_TERMS


def test_platform_overrides_a_year_of_the_calendar(shared_world: World) -> None:
    client = shared_world.client("c-exec1")
    assert client.calendar() == []
    with httpx.Client(base_url=shared_world.url) as http:
        body = {"year": 2027, "days_off": ["2027-05-04"], "working_weekend_days": []}
        assert http.put("/training/calendar", json=body).status_code == 200
        assert_russian_error(http.put("/training/calendar", json={
            "year": 2027, "working_weekend_days": ["2027-05-05"]}), 422)  # a Wednesday is no weekend day
        assert_russian_error(http.put("/training/calendar", json={
            "year": 2027, "days_off": ["2028-01-03"]}), 422)  # a day of another year
    years = client.calendar()
    assert [y.year for y in years] == [2027]
    calendar = calendar_to_domain(years)
    assert not calendar.is_working_day(date(2027, 5, 4))  # the platform's day off
    assert not calendar.is_working_day(date(2027, 2, 20))  # the override drops the package's moved Saturday
    assert calendar.is_working_day(date(2027, 2, 22))
    assert not calendar.is_working_day(date(2026, 1, 9))  # other years: the package's data
