"""Qt layer of POS Desk: the application, main window and feature folders (UI only)."""
