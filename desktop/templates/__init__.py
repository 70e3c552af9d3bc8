"""Reply templates in the window (issue 11): suggestions in the editor, the values form, checks before submit."""
