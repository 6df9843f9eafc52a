"""The ``edgar`` provider: a thin Provider around :class:`hypecheck.data.edgar.EdgarClient`.

The client keeps its own rules (User-Agent required, clear errors) and runs on this provider's
:class:`~hypecheck.data.connectors.base.Http` (the shared transport: throttling to SEC's 10 requests a
second, the one retry loop), so respx replays SEC answers in tests.

``query(ticker_or_cik, end=as_of)`` -> ``fetch`` (the companyfacts JSON) -> :meth:`EdgarProvider.parse`
gives the trailing (last four consecutive quarters) net income as known on ``end``
(:class:`~hypecheck.data.edgar.TrailingResult`). **Deviation from the Provider protocol**: company
facts are not a time series, so :meth:`standardize` returns ``[]``; ``get``/``trailing`` return the
TrailingResult.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from ...errors import InputError
from ...schema import SeriesData
from ..edgar import (
    EDGAR_HINTS,
    FACTS_URL,
    NET_INCOME_TAGS,
    TICKERS_URL,
    EdgarClient,
    TrailingResult,
    parse_cik,
    trailing_net_income,
)
from .base import Http, Query, Raw, register_provider

__all__ = ["EdgarProvider"]


class EdgarProvider:
    """Trailing net income of one company from SEC EDGAR company facts (see the module docstring)."""

    name = "edgar"
    kinds: tuple[str, ...] = ("facts",)

    def __init__(
        self,
        http: Http | None = None,
        *,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 3,
        backoff: float = 1.0,
        user_agent: str | None = None,
        min_interval: float = 0.1,
        tags: Sequence[str] = NET_INCOME_TAGS,
    ) -> None:
        self.http = http or Http(
            "SEC EDGAR",
            client,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
            min_interval=min_interval,
            hints=EDGAR_HINTS,
        )
        self.user_agent = user_agent
        self.tags = tuple(tags)
        self._edgar: EdgarClient | None = None

    @property
    def edgar(self) -> EdgarClient:
        """The EDGAR client (built on first use: a missing User-Agent is an InputError then)."""
        if self._edgar is None:
            self._edgar = EdgarClient(self.http, user_agent=self.user_agent)
        return self._edgar

    # ------------------------------------------------------------------ the three steps
    def query(
        self, id: str, start: dt.date | None = None, end: dt.date | None = None, **options: Any
    ) -> Query:
        """``id``: a ticker or a CIK; ``end``: the as-of date (None: everything filed so far)."""
        key = id.strip().upper()
        if not key:
            raise InputError("empty ticker/CIK for SEC EDGAR", hint="give a ticker (AAPL) or a CIK (320193)")
        # a ticker is looked up in SEC's ticker map first, then its company facts are fetched
        url = FACTS_URL.format(cik=parse_cik(key)) if key.removeprefix("CIK").isdigit() else TICKERS_URL
        return Query(self.name, "facts", key, url, {}, start, end, dict(options))

    def fetch(self, query: Query) -> Raw:
        key = query.id
        cik = parse_cik(key) if key.removeprefix("CIK").isdigit() else self.edgar.cik_for(key)
        facts = self.edgar.company_facts(cik)
        body = json.dumps(facts).encode()
        return Raw(query, 200, body, dt.datetime.now(dt.UTC), {"x-cik": str(cik)})

    def standardize(self, raw: Raw) -> list[SeriesData]:
        """Company facts are not a series: always ``[]`` (use :meth:`parse`)."""
        return []

    def parse(self, raw: Raw) -> TrailingResult:
        """Trailing net income as known on ``raw.query.end`` (everything when None)."""
        return trailing_net_income(json.loads(raw.content), raw.query.end, self.tags)

    def trailing(self, id: str, as_of: dt.date | None = None) -> TrailingResult:
        return self.parse(self.fetch(self.query(id, end=as_of)))

    def get(
        self, id: str, start: dt.date | None = None, end: dt.date | None = None, **opts: Any
    ) -> TrailingResult:
        """Same as :meth:`trailing` with ``end`` as the as-of date (not a list of series)."""
        return self.parse(self.fetch(self.query(id, start, end, **opts)))


register_provider("edgar", EdgarProvider, default=True)
