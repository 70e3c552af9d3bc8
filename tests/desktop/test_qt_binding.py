"""The Qt binding itself: emitting a signal from Python must not eat references to True, False or None.

PySide6 6.12.0 returns ``emit``'s bool without a reference: every emit takes one from True or False,
and after a few thousand the interpreter aborts («bool_dealloc: deallocating True or False»), which
a workstation emitting on every sync report reaches within hours. pyproject.toml keeps that release
out; this test stops a future one with the same fault from slipping in.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    bare = Signal()
    counts = Signal(dict)
    ids = Signal(list)


def test_emitting_keeps_the_reference_counts_of_true_false_and_none() -> None:
    emitter = _Emitter()
    emitter.counts.connect(lambda _counts: None)  # one connected, the others not: both paths of emit
    before = [sys.getrefcount(v) for v in (True, False, None)]
    for _ in range(60):  # enough to see a leak, too few for a faulty release to reach zero and abort
        emitter.bare.emit()
        emitter.counts.emit({"pending": 1})
        emitter.ids.emit(["m-1"])
    after = [sys.getrefcount(v) for v in (True, False, None)]
    drift = [a - b for a, b in zip(after, before, strict=True)]
    assert all(abs(d) < 30 for d in drift), f"True, False, None references changed by {drift}"
