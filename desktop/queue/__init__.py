"""The queue: navigation with counters, the paged table model and its panel."""
