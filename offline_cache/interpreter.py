"""Sharing the interpreter and the cores with the window: background loops pause while it paints, and run below it.

A thread that wants the interpreter lock while another runs Python waits up to the switch interval
for each take. The window's repaint takes the lock once per cell, so it asks the sync's Python loops
to pause until it has painted (``window_busy`` / ``pause_for_window``); and the sync's threads are
scheduled below the window's (``run_in_background``).
"""

from __future__ import annotations

import os
import sys
import threading

# The window asks the background's Python loops to pause while it repaints beside them: a repaint takes
# the interpreter lock once per cell, and a busy loop beside it makes each take wait for its turn.
_window_idle = threading.Event()
_window_idle.set()
#: A background loop waits at most this long for the window, so a paint that never comes (a minimised
#: window) costs it little.
MAX_PAUSE = 0.1


def window_busy() -> None:
    """The window is about to repaint: background loops that call ``pause_for_window`` wait until ``window_done``."""
    _window_idle.clear()


def window_done() -> None:
    _window_idle.set()


def pause_for_window() -> None:
    """Called between items by background loops that run Python (the sync's validation and row building)."""
    if not _window_idle.is_set():
        _window_idle.wait(MAX_PAUSE)


def window_is_busy() -> bool:
    """Whether background loops are asked to pause now (for tests and diagnostics)."""
    return not _window_idle.is_set()


#: How much lower than the window the sync's threads are scheduled (Unix nice steps; Windows: one level).
BACKGROUND_NICE = 10


def run_in_background() -> None:
    """Schedule the calling thread (and the threads it starts) below the window's.

    On a two-core office PC a first download keeps both cores busy (the sync's Python, SQLite's
    writes, the antivirus…): at equal priority the window's thread waited for a core in the middle of
    a repaint. Lowered, the sync takes only what the window leaves. Best effort: where the system
    refuses, the thread runs as before.
    """
    try:
        if sys.platform == "win32":
            import ctypes

            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
            kernel32.SetThreadPriority(kernel32.GetCurrentThread(), -1)  # THREAD_PRIORITY_BELOW_NORMAL
        elif sys.platform.startswith("linux"):  # elsewhere a thread's id is not a scheduling id
            tid = threading.get_native_id()  # Linux schedules each thread by its own id; new threads inherit it
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + BACKGROUND_NICE))
    except OSError:
        pass
