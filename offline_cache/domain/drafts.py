"""The fingerprint of a draft: what an approver read, so that an approval binds to that text."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date
from typing import Protocol

from offline_cache.domain.model import DraftKind


class DraftLike(Protocol):
    """A draft as the domain (``Draft``) or the contract (``DraftOut``) holds it."""

    @property
    def text(self) -> str: ...
    @property
    def kind(self) -> DraftKind: ...
    @property
    def planned_date(self) -> date | None: ...
    @property
    def attachment_ids(self) -> Sequence[str]: ...


def draft_digest(draft: DraftLike | None) -> str:
    """A fingerprint of what an approver reads: text, kind, planned date and attached files.

    64 lowercase hex digits (SHA-256). Who wrote the draft does not count: the same text is the
    same decision. ``None`` (no draft) has a digest too, so a request about a missing draft is
    still well-formed and is refused for its meaning.
    """
    if draft is None:
        material: list[object] = ["no draft"]
    else:
        planned = draft.planned_date.isoformat() if draft.planned_date else None
        material = [draft.text, DraftKind(draft.kind).value, planned, list(draft.attachment_ids)]
    raw = json.dumps(material, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
