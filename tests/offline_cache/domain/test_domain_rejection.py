"""The rejection-ground catalogue [KR 12]: the shipped data file and its parser."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from offline_cache import resources
from offline_cache.domain.rejection import CatalogueError, RejectionCatalogue, RejectionGround, parse_rejection_grounds

# Stable codes in the regulatory order: stored items and queued actions refer to them, so renaming
# one is a data migration, not an edit.
EXPECTED_CODES = [
    "insult",
    "hate_speech",
    "third_party_personal_data",
    "spam",
    "several_topics",
    "no_location",
    "unreadable",
    "essence_unclear",
    "protected_secret",
    "portal_support",
    "court_decision",
    "outside_platform_competence",
    "repeated_question",
]


def _ground(code: str, number: int) -> dict[str, Any]:
    return {"code": code, "number": number, "title": f"Основание {number}", "text": f"Текст основания {number}."}


def _data(*grounds: dict[str, Any]) -> dict[str, Any]:
    return {"source": "тест", "grounds": list(grounds)}


# --- the shipped catalogue ------------------------------------------------------------------


def test_shipped_catalogue_has_13_grounds_in_order() -> None:
    catalogue = resources.rejection_grounds()
    assert len(catalogue) == 13
    assert [g.number for g in catalogue] == list(range(1, 14))
    assert [g.code for g in catalogue] == EXPECTED_CODES
    assert catalogue.codes == frozenset(EXPECTED_CODES)


def test_shipped_grounds_have_texts() -> None:
    for ground in resources.rejection_grounds():
        assert ground.title.strip() and ground.text.strip(), ground.code
        assert ground.code.isascii() and ground.code == ground.code.lower(), ground.code


def test_shipped_catalogue_lookup() -> None:
    catalogue = resources.rejection_grounds()
    ground = catalogue.get("court_decision")
    assert ground is not None and ground.number == 11 and "судебное решение" in ground.text
    assert catalogue.get("nonexistent") is None
    assert "spam" in catalogue and "nonexistent" not in catalogue and 4 not in catalogue


def test_resources_dir_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("POSDESK_RESOURCES", str(tmp_path))
    assert resources.resources_dir() == tmp_path
    monkeypatch.delenv("POSDESK_RESOURCES")
    assert (resources.resources_dir() / "catalogues" / "rejection_grounds.json").is_file()


# --- the parser -----------------------------------------------------------------------------


def test_parse_sorts_by_number() -> None:
    catalogue = parse_rejection_grounds(_data(_ground("b", 2), _ground("a", 1), _ground("c", 3)))
    assert isinstance(catalogue, RejectionCatalogue)
    assert [g.code for g in catalogue] == ["a", "b", "c"]
    assert catalogue.grounds[0] == RejectionGround("a", 1, "Основание 1", "Текст основания 1.")


def test_parse_coerces_number() -> None:
    catalogue = parse_rejection_grounds(_data({**_ground("a", 1), "number": "1"}))
    assert catalogue.grounds[0].number == 1


@pytest.mark.parametrize(
    "grounds",
    [
        [_ground("a", 1), _ground("a", 2)],  # duplicate code
        [_ground("a", 1), _ground("b", 1)],  # duplicate number
        [_ground("a", 1), _ground("b", 2), _ground("a", 3)],
    ],
    ids=["code", "number", "code-later"],
)
def test_parse_rejects_duplicates(grounds: list[dict[str, Any]]) -> None:
    with pytest.raises(CatalogueError, match="повторяются"):
        parse_rejection_grounds(_data(*grounds))


@pytest.mark.parametrize("missing", ["code", "number", "title", "text"])
def test_parse_rejects_missing_field(missing: str) -> None:
    broken = _ground("a", 1)
    del broken[missing]
    with pytest.raises(CatalogueError, match="повреждён"):
        parse_rejection_grounds(_data(_ground("b", 2), broken))


@pytest.mark.parametrize(
    "data",
    [{}, {"grounds": None}, {"grounds": [None]}, {"grounds": [{**_ground("a", 1), "number": "первый"}]}],
    ids=["no-grounds", "grounds-none", "ground-none", "number-not-int"],
)
def test_parse_rejects_malformed_data(data: dict[str, Any]) -> None:
    with pytest.raises(CatalogueError):
        parse_rejection_grounds(data)


def test_catalogue_error_is_a_value_error() -> None:
    assert issubclass(CatalogueError, ValueError)


def test_shipped_file_round_trips_through_parser() -> None:
    path = resources.resources_dir() / "catalogues" / "rejection_grounds.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert parse_rejection_grounds(data) == resources.rejection_grounds()
    doubled = copy.deepcopy(data)
    doubled["grounds"].append(doubled["grounds"][0])
    with pytest.raises(CatalogueError):
        parse_rejection_grounds(doubled)
