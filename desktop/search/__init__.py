"""Search in the window: the index rewrite's progress, matched words in the card, similar messages."""
