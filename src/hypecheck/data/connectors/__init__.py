"""Live data providers (optional extra ``hypecheck[live]``): Yahoo prices, FRED, Google Trends,
SEC EDGAR company facts, iShares holdings. Each is three visible steps: ``query`` (what to ask),
``fetch`` (the raw response, through an injectable HTTP client), ``standardize`` (the standard schema,
validated). Found through :func:`get_provider`; third parties register with the ``hypecheck.providers``
entry-point group."""

from .base import Http, Provider, Query, Raw, available_providers, get_provider, register_provider

__all__ = ["Http", "Provider", "Query", "Raw", "available_providers", "get_provider", "register_provider"]
