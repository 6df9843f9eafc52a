"""The ``ishares`` provider: an iShares fund's holdings (its constituents and weights) from the CSV
download on the fund's product page.

URL: ``https://www.ishares.com/us/products/<product id>/<slug>/1467271812596.ajax?fileType=csv&
fileName=<TICKER>_holdings&dataType=fund``. Pass that URL, the product page URL
(``https://www.ishares.com/us/products/239710/ishares-russell-2000-etf``), or a ticker of the small
built-in map (:data:`PRODUCTS`: IWM, IWB, IVV, IJH, IJR). For any other fund, copy the "Detailed
Holdings and Analytics" download link from its product page.

Observed format (hand-built fixtures in ``tests/fixtures/providers``): about nine preamble lines
(``iShares Russell 2000 ETF``, ``Fund Holdings as of,"Nov 21, 2025"``, ``Inception Date,...``,
``Shares Outstanding,...``, ..., a blank line), the header ``Ticker,Name,Sector,Asset Class,Market
Value,Weight (%),Notional Value,Quantity,Price,Location,Exchange,Currency,FX Rate,Market Currency,
Accrual Date`` (older files: ``Shares`` instead of ``Quantity``), quoted numbers with thousands
separators, then a footer (a blank line and a quoted disclaimer).

**Deviation from the Provider protocol**: holdings are not a time series, so :meth:`standardize`
returns ``[]``; :meth:`ISharesProvider.holdings` (and ``get``) return a :class:`Holdings`.
:func:`parse_holdings` reads a CSV the user downloaded by hand. A header that changed (a required
column missing) is a :class:`FormatError` naming the missing columns.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from ...errors import InputError, ProviderError, UnknownSeriesError
from ...schema import SeriesData
from ..parsers.ishares import Holdings, parse_holdings
from .base import Http, Query, Raw, register_provider

__all__ = ["PRODUCTS", "Holdings", "ISharesProvider", "parse_holdings"]

BASE = "https://www.ishares.com/us/products"
AJAX_ID = "1467271812596"  # the holdings component id, the same on every US iShares product page
# ticker -> (product id, page slug); other funds: pass the URL
PRODUCTS: dict[str, tuple[str, str]] = {
    "IWM": ("239710", "ishares-russell-2000-etf"),
    "IWB": ("239707", "ishares-russell-1000-etf"),
    "IVV": ("239726", "ishares-core-sp-500-etf"),
    "IJH": ("239763", "ishares-core-sp-midcap-etf"),
    "IJR": ("239774", "ishares-core-sp-smallcap-etf"),
}
OTHER_ISSUERS = {"SPY": "IVV", "VOO": "IVV", "VTWO": "IWM", "VONE": "IWB", "MDY": "IJH"}
_URL_HINT = (
    "pass the holdings download URL (the 'Detailed Holdings and Analytics' CSV link on the fund's "
    f"ishares.com page); built-in tickers: {', '.join(PRODUCTS)}"
)


def _fund_id(url: str) -> str:
    name = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query)).get("fileName", "")
    return name.removesuffix("_holdings").upper() if name else url


class ISharesProvider:
    """iShares fund holdings (see the module docstring)."""

    name = "ishares"
    kinds: tuple[str, ...] = ("holdings",)

    def __init__(
        self,
        http: Http | None = None,
        *,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 3,
        backoff: float = 1.0,
    ) -> None:
        self.http = http or Http(self.name, client, retries=retries, backoff=backoff, sleep=sleep)

    def query(
        self, id: str, start: dt.date | None = None, end: dt.date | None = None, **options: Any
    ) -> Query:
        """``id``: a built-in ticker, a product page URL or the holdings download URL. iShares serves
        only today's holdings, so ``start``/``end`` are ignored."""
        fund = id.strip()
        if fund.lower().startswith(("http://", "https://")):
            parts = urllib.parse.urlsplit(fund)
            if not (parts.hostname or "").endswith("ishares.com"):
                raise InputError(f"not an ishares.com URL: {fund!r}", hint=_URL_HINT)
            params = dict(urllib.parse.parse_qsl(parts.query))
            path = parts.path.rstrip("/")
            if not path.endswith(".ajax"):
                if not re.search(r"/products/\d+", path):
                    raise InputError(f"not an iShares product or holdings URL: {fund!r}", hint=_URL_HINT)
                path = f"{path}/{AJAX_ID}.ajax"
                params = {}
            params.setdefault("fileType", "csv")
            params.setdefault("fileName", f"{path.split('/')[-2].upper()}_holdings")
            params.setdefault("dataType", "fund")
            if params["fileType"].lower() != "csv":
                raise InputError(f"{fund!r} asks for fileType={params['fileType']}", hint="use fileType=csv")
            url = f"{parts.scheme}://{parts.netloc}{path}"
            name = _fund_id(fund) if "fileName" in dict(urllib.parse.parse_qsl(parts.query)) else fund
        else:
            name = fund.upper()
            if name not in PRODUCTS:
                alt = OTHER_ISSUERS.get(name)
                also = (
                    f" ({name} is not an iShares fund; {alt} is the iShares fund on the same index)"
                    if alt
                    else ""
                )
                raise InputError(f"{name!r} is not a built-in iShares fund{also}", hint=_URL_HINT)
            pid, slug = PRODUCTS[name]
            url = f"{BASE}/{pid}/{slug}/{AJAX_ID}.ajax"
            params = {"fileType": "csv", "fileName": f"{name}_holdings", "dataType": "fund"}
        return Query(self.name, "holdings", name, url, params, None, None, dict(options))

    def fetch(self, query: Query) -> Raw:
        status, content, headers = self.http.get(query, what=f"iShares holdings of {query.id!r}")
        return Raw(query, status, content, dt.datetime.now(dt.UTC), headers)

    def standardize(self, raw: Raw) -> list[SeriesData]:
        """Holdings are not a series: always ``[]`` (use :meth:`parse` / :meth:`holdings`)."""
        return []

    def parse(self, raw: Raw) -> Holdings:
        fund = raw.query.id
        if raw.status == 404:
            raise UnknownSeriesError(
                f"iShares has no holdings file for {fund!r} (HTTP 404 at {raw.query.describe()})",
                hint=_URL_HINT,
            )
        if raw.status != 200:
            raise ProviderError(
                f"iShares holdings of {fund!r}: unexpected HTTP {raw.status} ({raw.query.describe()})",
                hint="retry later, or download the CSV from the fund's page and use parse_holdings()",
            )
        text = raw.content.decode("utf-8-sig", errors="replace")
        if not text.strip():
            raise ProviderError(
                f"iShares holdings of {fund!r}: empty response ({raw.query.describe()})",
                hint="retry later; iShares sometimes serves an empty file while it updates the holdings",
            )
        if text.lstrip().startswith("<"):
            raise ProviderError(
                f"iShares holdings of {fund!r}: an HTML page instead of the CSV ({raw.query.describe()})",
                hint="the product id in the URL may be wrong, or iShares blocked the request; " + _URL_HINT,
            )
        return parse_holdings(text, fund=fund, origin=raw.query.describe())

    def holdings(self, fund: str) -> Holdings:
        """The fund's holdings today: ``parse(fetch(query(fund)))``."""
        return self.parse(self.fetch(self.query(fund)))

    def get(self, id: str, start: dt.date | None = None, end: dt.date | None = None, **opts: Any) -> Holdings:
        """Same as :meth:`holdings` (a :class:`Holdings`, not a list of series: see the module doc)."""
        return self.parse(self.fetch(self.query(id, start, end, **opts)))


# ---------------------------------------------------------------------- parsing


register_provider("ishares", ISharesProvider, default=True)
