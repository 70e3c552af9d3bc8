"""Approval: the organisation's chain with the current step, message and draft side by side."""
