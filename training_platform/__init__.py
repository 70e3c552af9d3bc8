"""The training platform: our reference implementation of the platform API v1 (ASGI, SQLite)."""
