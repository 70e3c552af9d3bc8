"""Every step an item's history can hold has a Russian name in the window (no raw action codes)."""

from __future__ import annotations

import re
from pathlib import Path

from desktop.labels import history_action_name
from offline_cache.domain.model import Action

ROOT = Path(__file__).resolve().parents[2]


def recorded_steps() -> set[str]:
    """Actions the rules and the platform write into history besides the workflow's own."""
    found: set[str] = set()
    for package in ("offline_cache", "training_platform"):
        for path in (ROOT / package).rglob("*.py"):
            found |= set(re.findall(r'HistoryEntry\([^,]+, [^,]+, "([a-z_]+)"', path.read_text(encoding="utf-8")))
    return found


def test_every_history_step_has_a_russian_name() -> None:
    steps = {a.value for a in Action} | recorded_steps()
    assert {"received", "rated", "reprocessing", "draft_edited"} <= steps  # the scan finds the platform's own
    for step in sorted(steps):
        name = history_action_name(step)
        assert name != step and re.search("[а-яё]", name, re.IGNORECASE), step
