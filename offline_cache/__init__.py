"""Headless core of POS Desk: domain rules, API contract, client, cache and sync (no Qt)."""
