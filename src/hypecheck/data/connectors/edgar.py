"""The ``edgar`` connector: SEC EDGAR XBRL company facts (``data.sec.gov``), through the shared transport.

Everything that talks to SEC is here; the rules that read the documents (periods, which filing wins,
Q4, missing values, trailing sums) are pure functions in :mod:`hypecheck.data.parsers.edgar`. Requests go
through the shared :class:`~hypecheck.data.transport.Transport` (throttling to SEC's 10 requests a
second, the one retry loop, typed failures), so tests replay SEC answers through an injected HTTP client.

Public API
----------
``EdgarClient(http=None, user_agent=None, max_retries=3, sleep=time.sleep, *, client=None)``
    ``company_facts(cik) -> dict`` (the companyfacts JSON), ``ticker_map() -> {ticker: cik}``,
    ``cik_for(ticker) -> int``. SEC requires a User-Agent naming you and an e-mail: pass
    ``user_agent=`` or set ``HYPECHECK_SEC_USER_AGENT``; without one, :class:`InputError`.
``EdgarSource(tickers, client=None).fetch(as_of=None) -> EdgarFetch``  trailing net income and the
    unprofitable share of a list of tickers or CIKs.
``EdgarProvider``  the registered ``edgar`` connector: ``query(ticker_or_cik, end=as_of)`` -> ``fetch``
    (the companyfacts JSON) -> :meth:`EdgarProvider.parse` gives the trailing (last four consecutive
    quarters) net income as known on ``end`` (:class:`~hypecheck.data.parsers.edgar.TrailingResult`).
    **Deviation from the Provider protocol**: company facts are not a time series, so
    :meth:`~EdgarProvider.standardize` returns ``[]``; ``get``/``trailing`` return the TrailingResult.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ...errors import BadResponseError, FormatError, InputError, ProviderError
from ...schema import SeriesData
from ..parsers.edgar import (
    NET_INCOME_TAGS,
    ShareResult,
    TrailingResult,
    missing_result,
    parse_cik,
    share_from_results,
    trailing_net_income,
    validate_company_facts,
)
from ..transport import Transport
from .base import Http, Query, Raw, register_provider

__all__ = [
    "EDGAR_HINTS",
    "FACTS_URL",
    "TICKERS_URL",
    "USER_AGENT_ENV",
    "EdgarClient",
    "EdgarFetch",
    "EdgarProvider",
    "EdgarSource",
]

FACTS_URL = "https://data.sec.gov/api/xbrl/companyfacts/CIK{cik:010d}.json"
TICKERS_URL = "https://www.sec.gov/files/company_tickers.json"
USER_AGENT_ENV = "HYPECHECK_SEC_USER_AGENT"
TIMEOUT_S = 20.0

_UA_HINT = f'export {USER_AGENT_ENV}="Your Name you@example.com" (SEC wants a name and a contact e-mail)'
EDGAR_HINTS = {
    "rate_limited": "SEC allows 10 requests/second per user; wait a few minutes, then retry",
    "timeout": "SEC EDGAR is slow or unreachable; check the network and retry later",
    "offline": "check the network connection (and any proxy), then retry",
    "server": "SEC EDGAR is having trouble; retry later",
}


# ================================================================================= client


class EdgarClient:
    """Fetches SEC EDGAR JSON politely: a User-Agent on every request, at most one request per
    ``min_interval`` seconds (SEC allows 10/s), through the shared transport (``http``, or one built
    on ``client``, an ``httpx.Client``): 429, 5xx and network failures are retried ``max_retries``
    times with back-off ``backoff * 2**i`` (1, 2, 4 s by default), then a typed
    :class:`ProviderError`. 404 for company facts is :class:`InputError` (unknown CIK); 403 and other
    statuses, and bodies that are not the documented JSON, are ProviderError.
    """

    def __init__(
        self,
        http: Transport | None = None,
        user_agent: str | None = None,
        max_retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        *,
        client: Any = None,
        backoff: float = 1.0,
        min_interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        agent = (user_agent if user_agent is not None else os.environ.get(USER_AGENT_ENV, "")).strip()
        if not agent:
            raise InputError(
                f"SEC EDGAR needs a User-Agent with your name and e-mail: set {USER_AGENT_ENV}",
                hint=f"{_UA_HINT}, or pass user_agent= to EdgarClient",
            )
        self.user_agent = agent
        self.http = http or Transport(
            "SEC EDGAR",
            client,
            retries=max_retries,
            backoff=backoff,
            sleep=sleep,
            timeout=TIMEOUT_S,
            min_interval=min_interval,
            clock=clock,
            hints=EDGAR_HINTS,
        )
        self._tickers: dict[str, int] | None = None

    # ---------------------------------------------------------------- HTTP
    def _request(self, url: str, what: str) -> tuple[int, bytes]:
        """GET ``url`` through the transport (which retries 429/5xx/network failures)."""
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        r = self.http.request(url, headers=headers, what=f"SEC EDGAR {what}")
        return r.status, r.content

    def _json(self, url: str, what: str, not_found: int | None = None) -> Any:
        status, body = self._request(url, what)
        if status == 404 and not_found is not None:
            raise InputError(
                f"no company facts for CIK {not_found:010d}: check the CIK/ticker",
                hint="SEC has XBRL facts only for companies that file financial statements with it "
                "(not ETFs or funds); look the company up at https://www.sec.gov/edgar/search/",
            )
        if status == 403:
            raise ProviderError(
                f"SEC EDGAR refused the request for {what} (HTTP 403)",
                hint=f"SEC refuses requests without a descriptive User-Agent ({_UA_HINT}); "
                "if it is set, you may be blocked for going over 10 requests/second: wait and retry",
            )
        if status != 200:
            raise BadResponseError(
                f"SEC EDGAR {what}: unexpected HTTP {status}", hint="retry later", status=status
            )
        try:
            return json.loads(body)
        except ValueError:  # JSONDecodeError, UnicodeDecodeError
            start = body[:40].decode("utf-8", "replace")
            raise BadResponseError(
                f"SEC EDGAR {what}: the answer is not valid JSON (it starts {start!r})",
                hint="SEC may be serving an error page (an outage or a block); retry later",
            ) from None

    # ---------------------------------------------------------------- endpoints
    def company_facts(self, cik: int | str) -> dict[str, Any]:
        """The companyfacts document of one company, checked to have the documented shape."""
        number = parse_cik(cik)
        what = f"company facts for CIK {number:010d}"
        data = self._json(FACTS_URL.format(cik=number), what, not_found=number)
        try:
            return dict(validate_company_facts(data))
        except FormatError as exc:
            raise ProviderError(
                f"SEC EDGAR {what}: {exc.message}", hint="SEC may have changed the API; retry later"
            ) from None

    def ticker_map(self) -> dict[str, int]:
        """``{TICKER: cik}`` from SEC's ``company_tickers.json`` (fetched once per client)."""
        if self._tickers is None:
            what = "ticker map (company_tickers.json)"
            data = self._json(TICKERS_URL, what)
            bad = ProviderError(
                f"SEC EDGAR {what}: not the documented shape {{'0': {{'cik_str': ..., 'ticker': ...}}}}",
                hint="SEC may have changed the file; pass CIKs instead of tickers",
            )
            if not isinstance(data, dict):
                raise bad
            tickers: dict[str, int] = {}
            for row in data.values():
                if not isinstance(row, dict) or not isinstance(row.get("ticker"), str):
                    raise bad
                try:
                    tickers.setdefault(row["ticker"].strip().upper(), parse_cik(row.get("cik_str", "")))
                except InputError:
                    raise bad from None
            self._tickers = tickers
        return dict(self._tickers)

    def cik_for(self, ticker: str) -> int:
        """The CIK of ``ticker`` (case-insensitive; ``BRK.B`` also finds SEC's ``BRK-B``)."""
        tickers = self.ticker_map()
        key = ticker.strip().upper()
        for candidate in (key, key.replace(".", "-"), key.replace("/", "-")):
            if candidate in tickers:
                return tickers[candidate]
        raise InputError(
            f"unknown ticker {ticker!r}: not in SEC's company ticker list",
            hint="check the spelling; SEC lists only current tickers of companies filing with it "
            "(a delisted or renamed company needs its CIK)",
        )


# ================================================================================= source


@dataclass(frozen=True)
class EdgarFetch:
    """What :meth:`EdgarSource.fetch` got: the raw documents (to cache), the CIKs, and the share."""

    facts: Mapping[str, dict[str, Any]]
    ciks: Mapping[str, int]
    share: ShareResult

    @property
    def results(self) -> Mapping[str, TrailingResult]:
        return self.share.results


class EdgarSource:
    """Trailing net income and the unprofitable share of a constituent list, live from SEC EDGAR.

    ``tickers`` are tickers or CIKs (all digits). A ticker SEC does not know, or a CIK without
    company facts (404), is listed as missing with the reason; provider failures (rate limit or
    network after the retries) raise :class:`ProviderError`, since a partial list would mislead.
    """

    name = "edgar"

    def __init__(
        self,
        tickers: Iterable[str],
        client: EdgarClient | None = None,
        *,
        tags: Sequence[str] = NET_INCOME_TAGS,
        max_age_days: int | None = None,
    ) -> None:
        self.tickers = list(dict.fromkeys(t.strip().upper() for t in tickers if t.strip()))
        self._client = client
        self.tags = tuple(tags)
        self.max_age_days = max_age_days

    @property
    def client(self) -> EdgarClient:
        if self._client is None:
            self._client = EdgarClient()
        return self._client

    def fetch(self, as_of: str | date | None = None) -> EdgarFetch:
        """Fetch every member's company facts and compute trailing net income as known on ``as_of``."""
        facts: dict[str, dict[str, Any]] = {}
        ciks: dict[str, int] = {}
        results: dict[str, TrailingResult] = {}
        client = self.client  # outside the loop: a missing User-Agent is an error, not N missing members
        for ticker in self.tickers:
            try:
                ciks[ticker] = parse_cik(ticker) if ticker.isdigit() else client.cik_for(ticker)
                facts[ticker] = client.company_facts(ciks[ticker])
            except InputError as exc:
                results[ticker] = missing_result(exc.message)
                continue
            try:
                results[ticker] = trailing_net_income(
                    facts[ticker], as_of, self.tags, max_age_days=self.max_age_days
                )
            except FormatError as exc:
                results[ticker] = missing_result(f"malformed company facts: {exc.message}")
        return EdgarFetch(facts=facts, ciks=ciks, share=share_from_results(results))


# ================================================================================= provider


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

    # ---------------------------------------------------------------- the three steps
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
