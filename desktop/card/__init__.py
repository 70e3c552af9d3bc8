"""The message card: everything about one item, citizens' text always as plain text."""
