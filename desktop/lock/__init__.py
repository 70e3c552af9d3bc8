"""Auto-lock (issue 12): the idle timer, the OS session lock, the lock screen over the window, and the settings."""
