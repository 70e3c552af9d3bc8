"""API v1 contract: typed models (``models``) and domain conversions (``convert``)."""
