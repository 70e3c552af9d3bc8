"""Deputies: naming a deputy for a period of absence."""
