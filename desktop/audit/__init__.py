"""The local audit log: who did what, for whom, on which item, when queued and delivered or why it failed."""
