"""Logout with a wipe of the profile's local data (issue 12, point 5)."""
