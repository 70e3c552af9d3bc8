"""Workflow actions offered where the item is: card buttons, context menu, the «Действия» menu."""
