"""Live connectors (optional extra ``hypecheck[live]``): Yahoo prices (through yfinance), FRED, Google
Trends, GDELT news volume, SEC EDGAR company facts, iShares holdings. Each is three visible steps:
``query`` (what to ask), ``fetch`` (the raw response, through the shared
:class:`~hypecheck.data.transport.Transport`), ``standardize`` (the standard schema, validated). Found
through :func:`get_provider` or, by kind, :func:`connector_for`; third parties register with the
``hypecheck.providers`` entry-point group (see :mod:`hypecheck.data.registry`)."""

from .base import (
    Http,
    Provider,
    Query,
    Raw,
    available_providers,
    connector_for,
    get_provider,
    provider_for_kind,
    register_provider,
)

__all__ = [
    "Http",
    "Provider",
    "Query",
    "Raw",
    "available_providers",
    "connector_for",
    "get_provider",
    "provider_for_kind",
    "register_provider",
]
