"""The outbox: undelivered actions, their states and what the official can do about them; offline work."""
