"""The heads' control board and deadline reminders (issue 13)."""
