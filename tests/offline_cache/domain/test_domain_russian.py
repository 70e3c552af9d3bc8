"""Russian plural forms: 1/21/101 take the first, 2–4/22–24 the second, the rest (with 11–14) the third."""

from __future__ import annotations

import pytest

from offline_cache.domain.russian import plural


@pytest.mark.parametrize(("n", "form"), [(0, "дней"), (1, "день"), (2, "дня"), (4, "дня"), (5, "дней"),
                                         (11, "дней"), (12, "дней"), (14, "дней"), (21, "день"), (22, "дня"),
                                         (101, "день"), (111, "дней"), (112, "дней"), (124, "дня")])
def test_plural(n: int, form: str) -> None:
    assert plural(n, "день", "дня", "дней") == form
