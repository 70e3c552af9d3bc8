"""Background loops pause while the window paints, and go on when it is done or after MAX_PAUSE at the most."""

from __future__ import annotations

import threading
import time

from offline_cache import interpreter
from offline_cache.interpreter import pause_for_window, window_busy, window_done, window_is_busy


def test_a_loop_pauses_while_the_window_paints_and_goes_on_when_it_is_done() -> None:
    passed: list[float] = []
    window_busy()
    try:
        assert window_is_busy()
        thread = threading.Thread(target=lambda: (pause_for_window(), passed.append(time.monotonic())))
        thread.start()
        thread.join(0.02)
        assert passed == []  # waiting for the window
        released = time.monotonic()
        window_done()
        thread.join(10)
        assert passed and passed[0] >= released
    finally:
        window_done()
    assert not window_is_busy()
    t = time.monotonic()
    pause_for_window()  # nothing painting: no wait at all
    assert time.monotonic() - t < interpreter.MAX_PAUSE


def test_a_paint_that_never_ends_holds_a_loop_for_max_pause_only() -> None:
    window_busy()
    try:
        t = time.monotonic()
        pause_for_window()
        assert time.monotonic() - t >= interpreter.MAX_PAUSE * 0.9
    finally:
        window_done()
