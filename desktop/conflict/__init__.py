"""Conflicts with the platform: both versions side by side and choices that lose nothing."""
