"""Data sources. Each source does three visible steps (build query -> fetch raw -> standardise)
and returns :class:`~hypecheck.schema.SeriesData` in the standard schema. Sources are found in a
registry (:func:`get_source`), not an if-chain; third parties can register their own."""

from .base import REGISTRY, Source, get_source, register_source

__all__ = ["REGISTRY", "Source", "get_source", "register_source"]
