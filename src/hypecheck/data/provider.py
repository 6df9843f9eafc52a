"""The provider interface: :class:`Query` (what will be asked), :class:`Raw` (the raw answer) and the
:class:`Provider` protocol (``query``, ``fetch``, ``standardize``), which the connectors implement
(:mod:`hypecheck.data.connectors`) and the registry hands out (:mod:`hypecheck.data.registry`). Its
own module, below both: the connectors' base reads the registry, and the registry names this type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..errors import InputError
from ..schema import SeriesData
from .transport import SECRET_PARAMS

__all__ = ["Provider", "Query", "Raw", "as_date"]


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
