"""The provider interface, the registry and the shared HTTP layer (retries, back-off, clear errors).

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

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ...errors import InputError
from ...schema import SeriesData
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


@dataclass(frozen=True)
class Query:
    provider: str
    kind: str  # "price", "macro", "search", "holdings", "facts"
    id: str
    url: str
    params: Mapping[str, str] = field(default_factory=dict, repr=False)  # may hold an API key
    start: dt.date | None = None
    end: dt.date | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """The request as a user may see it: secrets replaced by '***'."""
        shown = {k: ("***" if k.lower() in SECRET_PARAMS else v) for k, v in self.params.items()}
        q = "&".join(f"{k}={v}" for k, v in shown.items())
        return f"{self.url}?{q}" if q else self.url


@dataclass
class Raw:
    query: Query
    status: int
    content: bytes
    fetched_at: dt.datetime
    headers: Mapping[str, str] = field(default_factory=dict)
    parts: list[bytes] = field(default_factory=list)  # multi-request providers (e.g. Trends pulls)

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def as_date(value: dt.date | str | None, what: str) -> dt.date | None:
    """A query date from a date, datetime or ISO string (None stays None); InputError otherwise."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{what}: not a date: {value!r}", hint="give dates as YYYY-MM-DD") from None


@runtime_checkable
class Provider(Protocol):
    name: str
    kinds: tuple[str, ...]

    def query(
        self, id: str, start: dt.date | None = None, end: dt.date | None = None, **options: Any
    ) -> Query: ...

    def fetch(self, query: Query) -> Raw: ...

    def standardize(self, raw: Raw) -> list[SeriesData]: ...


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
