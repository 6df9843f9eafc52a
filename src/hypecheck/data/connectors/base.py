"""The provider interface (from :mod:`hypecheck.data.provider`), the registry and the shared HTTP
layer (retries, back-off, clear errors).

A provider turns a series id into data in three steps a user can inspect:

1. ``query(id, start, end, **options) -> Query``: what will be asked (URL and parameters; no I/O);
2. ``fetch(query) -> Raw``: the raw response bytes, through :class:`Http` (an injected
   ``httpx.Client``: tests replay recorded or hand-built responses with respx);
3. ``standardize(raw) -> list[SeriesData]``: the standard schema, validated at the boundary
   (see :mod:`hypecheck.validation`).

Secrets (API keys) are passed as request parameters and never appear in error messages, logs or
``Query.describe()``: a provider registers its key with :func:`register_secret`, every message built
from upstream text goes through :func:`scrub` (the key, and any ``api_key=...`` query value, become
``***``), and :func:`install_log_filter` scrubs httpx's INFO request lines, which carry the full URL.
"""

from __future__ import annotations

from typing import Any

from ..provider import Provider, Query, Raw, as_date
from ..registry import _FACTORIES as _FACTORIES  # the registry's table (tests patch it)
from ..registry import available_providers, connector_for, get_provider, provider_for_kind, register_provider
from ..transport import (
    SECRET_PARAMS,
    SecretFilter,
    Transport,
    httpx_module,
    install_log_filter,
    register_secret,
    scrub,
    scrub_error,
)

__all__ = [
    "SECRET_PARAMS",
    "Http",
    "Provider",
    "Query",
    "Raw",
    "SecretFilter",
    "as_date",
    "available_providers",
    "connector_for",
    "get_provider",
    "install_log_filter",
    "provider_for_kind",
    "register_provider",
    "register_secret",
    "scrub",
    "scrub_error",
]


def _httpx() -> Any:
    return httpx_module()


class Http(Transport):
    """The shared :class:`~hypecheck.data.transport.Transport` (typed failures, the one retry loop)
    with the connectors' call: :meth:`get` takes a :class:`Query` and shows it with its secrets hidden."""

    def get(self, query: Query, *, what: str | None = None) -> tuple[int, bytes, dict[str, str]]:
        r = self.request(
            query.url, query.params, what=what or f"{self.provider} {query.id}", shown=query.describe()
        )
        return r.status, r.content, dict(r.headers)
