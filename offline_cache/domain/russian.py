"""Russian word forms the domain's texts need (pure)."""

from __future__ import annotations


def plural(n: int, one: str, few: str, many: str) -> str:
    """The form agreeing with ``n``: ``one`` for 1, 21, 101…; ``few`` for 2–4, 22–24…; else ``many`` (11–14 too)."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
