"""The catalogue of rejection grounds [KR 12], parsed from data kept in resources/."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


class CatalogueError(ValueError):
    """Catalogue data that cannot be used (missing fields, duplicate codes)."""


@dataclass(frozen=True, slots=True)
class RejectionGround:
    """A ground for rejecting a message: a stable code, its number in the order, and texts."""

    code: str
    number: int
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class RejectionCatalogue:
    """The grounds in their regulatory order, looked up by stable code."""

    grounds: tuple[RejectionGround, ...]

    def __iter__(self) -> Iterator[RejectionGround]:
        return iter(self.grounds)

    def __len__(self) -> int:
        return len(self.grounds)

    def __contains__(self, code: object) -> bool:
        return any(g.code == code for g in self.grounds)

    def get(self, code: str) -> RejectionGround | None:
        return next((g for g in self.grounds if g.code == code), None)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(g.code for g in self.grounds)


def parse_rejection_grounds(data: Mapping[str, Any]) -> RejectionCatalogue:
    """Build the catalogue from its JSON form, checking codes and numbers are unique."""
    try:
        raw = data["grounds"]
        grounds = tuple(
            RejectionGround(code=str(g["code"]), number=int(g["number"]), title=str(g["title"]),
                            text=str(g["text"]))
            for g in raw
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogueError(f"справочник оснований отклонения повреждён: {exc!r}") from exc
    if len({g.code for g in grounds}) != len(grounds) or len({g.number for g in grounds}) != len(grounds):
        raise CatalogueError("в справочнике оснований отклонения повторяются коды или номера")
    return RejectionCatalogue(tuple(sorted(grounds, key=lambda g: g.number)))
