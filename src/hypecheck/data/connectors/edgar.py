"""The ``edgar`` provider: a thin Provider around :class:`hypecheck.data.edgar.EdgarClient`.

The client keeps its own rules (User-Agent required, throttling, retries with back-off, clear
errors); only its *transport* is swapped for the injected ``httpx`` client of an
:class:`~hypecheck.data.connectors.base.Http`, so respx can replay SEC answers in tests. httpx timeouts
become ``TimeoutError`` and other httpx failures ``OSError``, which the client retries.

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
    FACTS_URL,
    NET_INCOME_TAGS,
    TICKERS_URL,
    EdgarClient,
    TrailingResult,
    parse_cik,
    trailing_net_income,
)
from .base import Http, Query, Raw, _httpx, register_provider

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
        self.http = http or Http(self.name, client, retries=retries, backoff=backoff, sleep=sleep)
        self.sleep = sleep
        self.retries = retries
        self.backoff = backoff
        self.user_agent = user_agent
        self.min_interval = min_interval
        self.tags = tuple(tags)
        self._edgar: EdgarClient | None = None

    @property
    def edgar(self) -> EdgarClient:
        """The EDGAR client (built on first use: a missing User-Agent is an InputError then)."""
        if self._edgar is None:
            self._edgar = EdgarClient(
                self._transport,
                user_agent=self.user_agent,
                max_retries=self.retries,
                sleep=self.sleep,
                backoff=self.backoff,
                min_interval=self.min_interval,
            )
        return self._edgar

    def _transport(self, url: str, headers: dict[str, str]) -> tuple[int, bytes]:
        httpx = _httpx()
        try:
            r = self.http.client.get(url, headers=headers)
        except httpx.TimeoutException as exc:
            raise TimeoutError(f"timed out ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise OSError(type(exc).__name__) from None
        return int(r.status_code), bytes(r.content)

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


register_provider("edgar", EdgarProvider)
