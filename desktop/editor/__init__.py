"""The answer editor in the card: plain text, autosaved into the encrypted cache, attachments."""
