"""iShares holdings CSV: pure parsing (no I/O) into :class:`Holdings` (constituents and weights).

Observed format (hand-built fixtures in ``tests/fixtures/providers``): about nine preamble lines
(``iShares Russell 2000 ETF``, ``Fund Holdings as of,"Nov 21, 2025"``, ``Inception Date,...``,
``Shares Outstanding,...``, ..., a blank line), the header ``Ticker,Name,Sector,Asset Class,Market
Value,Weight (%),Notional Value,Quantity,Price,Location,Exchange,Currency,FX Rate,Market Currency,
Accrual Date`` (older files: ``Shares`` instead of ``Quantity``), quoted numbers with thousands
separators, then a footer (a blank line and a quoted disclaimer). A header that changed (a required
column missing) is a :class:`FormatError` naming the missing columns. The connector that downloads
the file is :mod:`hypecheck.data.connectors.ishares`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...errors import FormatError, NoDataError

__all__ = ["COLUMNS", "OUT_COLUMNS", "QUANTITY", "REQUIRED", "Holdings", "parse_holdings"]

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


def _header(rows: list[list[str]], label: str, hint: str) -> tuple[int, list[str]]:
    """The header row's index and cells; FormatError naming the missing columns."""
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
    return header_at, header


def _preamble(rows: list[list[str]], notes: list[str]) -> tuple[str, dict[str, str], dt.date | None]:
    """The fund's name, the ``key,value`` lines and the as-of date above the header (a note when unread)."""
    preamble: dict[str, str] = {}
    fund_name = ""
    for row in rows:
        cells = [c.strip().replace("\xa0", " ").strip() for c in row]
        if not any(cells):
            continue
        if len(cells) == 1 or not any(cells[1:]):
            fund_name = fund_name or cells[0]
        else:
            preamble[cells[0]] = cells[1]
    as_of_text = preamble.get("Fund Holdings as of", "")
    as_of = _as_of(as_of_text) if as_of_text else None
    if as_of is None:
        notes.append(
            f"no readable 'Fund Holdings as of' date in the preamble ({as_of_text!r})"
            if as_of_text
            else "no 'Fund Holdings as of' line in the preamble: as-of date unknown"
        )
    return fund_name, preamble, as_of


def _table(rows: list[list[str]], header: list[str], label: str, hint: str, notes: list[str]) -> pd.DataFrame:
    """The holdings rows (up to the footer) in the standard columns, numbers read, weights as fractions."""
    body: list[list[str]] = []
    for row in rows:
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
    return out[[*OUT_COLUMNS, *rest]]


def parse_holdings(text: str, fund: str = "", origin: str = "") -> Holdings:
    """Parse an iShares holdings CSV (downloaded or fetched). FormatError when the header changed."""
    label = f"iShares holdings of {fund!r}" if fund else "iShares holdings file"
    hint = "iShares may have changed the file layout; check the download, or report the new header"
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as exc:
        raise FormatError(f"{label}: not a CSV file ({exc})", hint=hint) from None
    header_at, header = _header(rows, label, hint)
    notes: list[str] = []
    fund_name, preamble, as_of = _preamble(rows[:header_at], notes)
    out = _table(rows[header_at + 1 :], header, label, hint, notes)
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
