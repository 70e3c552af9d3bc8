"""Switch-interval requests nest and restore; background loops pause for the window, but never for long."""

from __future__ import annotations

import sys
import threading
import time

from pytest import approx

from offline_cache import interpreter
from offline_cache.interpreter import pause_for_window, switch_interval, window_busy, window_done, window_is_busy


def test_the_shortest_interval_asked_for_applies_and_the_last_one_out_restores() -> None:
    before = sys.getswitchinterval()
    with switch_interval(0.001):
        assert sys.getswitchinterval() == approx(min(before, 0.001))
        with switch_interval(0.0002):
            assert sys.getswitchinterval() == approx(0.0002)  # kept in microseconds
        assert sys.getswitchinterval() == approx(min(before, 0.001))  # the outer request still holds
    assert sys.getswitchinterval() == before


def test_overlapping_requests_from_two_threads_restore_the_original() -> None:
    before = sys.getswitchinterval()
    entered, leave = threading.Event(), threading.Event()

    def other() -> None:
        with switch_interval(0.001):
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    assert entered.wait(10)
    with switch_interval(0.0002):
        leave.set()
        thread.join(10)
        assert sys.getswitchinterval() == approx(0.0002)  # kept in microseconds
    assert sys.getswitchinterval() == before  # the thread left first, this block last: restored


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
