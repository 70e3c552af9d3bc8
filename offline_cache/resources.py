"""Locating and loading the data files kept in resources/ (catalogues, templates, icons)."""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path

from offline_cache.domain.rejection import RejectionCatalogue, parse_rejection_grounds


def resources_dir() -> Path:
    """The resources folder: $POSDESK_RESOURCES, the PyInstaller bundle, or the source tree."""
    override = os.environ.get("POSDESK_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


@cache
def rejection_grounds() -> RejectionCatalogue:
    """The 13 rejection grounds of KR 12, from resources/catalogues/rejection_grounds.json."""
    path = resources_dir() / "catalogues" / "rejection_grounds.json"
    with path.open(encoding="utf-8") as fh:
        return parse_rejection_grounds(json.load(fh))
