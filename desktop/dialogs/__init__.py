"""Pickers and dialogs that collect what a workflow action needs (executor, organisation, ground, comment)."""
