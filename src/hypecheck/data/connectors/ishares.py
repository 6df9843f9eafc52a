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

import csv
import datetime as dt
import io
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...errors import FormatError, InputError, NoDataError, ProviderError, UnknownSeriesError
from ...schema import SeriesData
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
REQUIRED = ("Ticker", "Name", "Sector", "Asset Class", "Market Value", "Weight (%)", "Price")
QUANTITY = ("Quantity", "Shares")  # newer files / older files
COLUMNS = {
    "Ticker": "ticker",
    "Name": "name",
    "Sector": "sector",
    "Asset Class": "asset_class",
    "Market Value": "market_value",
    "Weight (%)": "weight",
    "Quantity": "quantity",
    "Shares": "quantity",
    "Price": "price",
    "Location": "location",
    "Exchange": "exchange",
    "Currency": "currency",
}
OUT_COLUMNS = ("ticker", "name", "sector", "asset_class", "weight", "market_value", "quantity", "price")
_DATE_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%d/%b/%Y", "%m/%d/%Y", "%Y-%m-%d")
_URL_HINT = (
    "pass the holdings download URL (the 'Detailed Holdings and Analytics' CSV link on the fund's "
    f"ishares.com page); built-in tickers: {', '.join(PRODUCTS)}"
)


@dataclass(frozen=True)
class Holdings:
    """One fund's holdings on ``as_of``. ``constituents``: the equity rows; ``all_rows``: every row
    (cash, money market, futures too). Columns: ``ticker, name, sector, asset_class, weight`` (a
    fraction: 0.0123 = 1.23%), ``market_value, quantity, price`` (floats; NaN for ``-``), then
    ``location, exchange, currency`` when the file has them."""

    fund: str
    fund_name: str
    as_of: dt.date | None
    constituents: pd.DataFrame
    all_rows: pd.DataFrame
    origin: str
    notes: tuple[str, ...] = ()
    preamble: Mapping[str, str] = field(default_factory=dict)


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


def _as_of(cell: str) -> dt.date | None:
    text = cell.strip().replace("\xa0", " ")
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _numbers(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Floats from cells like ``"1,234.50"``; ``-`` and blanks are NaN. Also the mask of bad cells."""
    text = cells.astype("string").str.strip().str.replace(",", "", regex=False)
    missing = (text.isna() | text.isin(["", "-", "--"])).astype(bool)
    nums = pd.to_numeric(text.where(~missing), errors="coerce").astype("float64")
    return nums, (nums.isna() & ~missing)


def parse_holdings(text: str, fund: str = "", origin: str = "") -> Holdings:
    """Parse an iShares holdings CSV (downloaded or fetched). FormatError when the header changed."""
    label = f"iShares holdings of {fund!r}" if fund else "iShares holdings file"
    hint = "iShares may have changed the file layout; check the download, or report the new header"
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as exc:
        raise FormatError(f"{label}: not a CSV file ({exc})", hint=hint) from None
    header_at = None
    for i, row in enumerate(rows[:60]):
        cells = [c.strip().lstrip("\ufeff") for c in row]
        if "Ticker" in cells or sum(c in COLUMNS for c in cells) >= 3:
            header_at = i
            break
    if header_at is None:
        wide = next((r for r in rows[:60] if len([c for c in r if c.strip()]) >= 5), None)
        seen = f"; the widest early line is {[c.strip() for c in wide]}" if wide else ""
        raise FormatError(
            f"{label}: no header with a Ticker column in the first lines (missing columns: "
            f"{', '.join(REQUIRED)}, Quantity){seen}",
            hint=hint,
        )
    header = [c.strip().lstrip("\ufeff") for c in rows[header_at]]
    missing = [c for c in REQUIRED if c not in header]
    if not any(q in header for q in QUANTITY):
        missing.append("Quantity (or Shares)")
    if missing:
        raise FormatError(
            f"{label}: the header changed: missing column(s) {', '.join(missing)} (header: {', '.join(header)})",
            hint=hint,
        )
    preamble: dict[str, str] = {}
    fund_name = ""
    for row in rows[:header_at]:
        cells = [c.strip().replace("\xa0", " ").strip() for c in row]
        if not any(cells):
            continue
        if len(cells) == 1 or not any(cells[1:]):
            fund_name = fund_name or cells[0]
        else:
            preamble[cells[0]] = cells[1]
    notes: list[str] = []
    as_of_text = preamble.get("Fund Holdings as of", "")
    as_of = _as_of(as_of_text) if as_of_text else None
    if as_of is None:
        notes.append(
            f"no readable 'Fund Holdings as of' date in the preamble ({as_of_text!r})"
            if as_of_text
            else "no 'Fund Holdings as of' line in the preamble: as-of date unknown"
        )
    body: list[list[str]] = []
    for row in rows[header_at + 1 :]:
        if len(row) < len(header) or not any(c.strip() for c in row):
            break  # the footer: a blank line, then the disclaimer
        body.append(row[: len(header)])
    if not body:
        raise NoDataError(
            f"{label}: the file has a header but no holdings rows", hint="download it again later"
        )
    raw = pd.DataFrame(body, columns=header, dtype="string")
    out = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for col, name in COLUMNS.items():
        if col in raw.columns and name not in out.columns:
            out[name] = raw[col].str.strip()
    for name in ("market_value", "quantity", "price", "weight"):
        nums, bad = _numbers(out[name])
        if bad.any():
            example = str(out[name][bad].iloc[0])
            if name == "weight":
                raise FormatError(
                    f"{label}: Weight (%) {example!r} on holdings row {int(np.argmax(bad.to_numpy())) + 1} is "
                    "not a number",
                    hint=hint,
                )
            notes.append(f"{int(bad.sum())} {name} cell(s) not numbers (e.g. {example!r}): read as missing")
        out[name] = nums
    out["weight"] = out["weight"] / 100.0
    rest = [c for c in out.columns if c not in OUT_COLUMNS]
    out = out[[*OUT_COLUMNS, *rest]]
    equity = out["asset_class"].str.lower().eq("equity").fillna(False).astype(bool)
    constituents = out[equity].reset_index(drop=True)
    if constituents.empty:
        raise NoDataError(
            f"{label}: no equity rows among {len(out)} holdings (asset classes: "
            f"{', '.join(sorted(set(out['asset_class'].dropna())))})",
            hint="this provider lists equity constituents; a bond or cash fund has none",
        )
    if "Shares" in header and "Quantity" not in header:
        notes.append("older file layout: 'Shares' read as quantity")
    notes.append(
        f"{len(out)} holdings rows: {len(constituents)} equity constituents, {len(out) - len(constituents)} "
        "other rows (cash, money market, futures) kept in all_rows only"
    )
    notes.append(
        f"weights sum to {float(out['weight'].sum()):.4f} over all rows, "
        f"{float(constituents['weight'].sum()):.4f} over the equity rows"
    )
    return Holdings(
        fund=fund,
        fund_name=fund_name,
        as_of=as_of,
        constituents=constituents,
        all_rows=out,
        origin=origin,
        notes=tuple(notes),
        preamble=preamble,
    )


register_provider("ishares", ISharesProvider)
