"""Files the official opens or saves from the cache."""
