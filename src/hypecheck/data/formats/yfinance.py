"""A yfinance download saved with its three-line header (``Price,Close,...`` / ``Ticker,SPY,...`` /
``Date,,,``): one ``price`` series per ticker named in the header (``Adj Close`` if present, else
``Close``)."""

from __future__ import annotations

from ...schema import SeriesData
from .base import DATE_NAMES, Format, _cell, _Problem
from .text import Probe, _cells, _read_frame
from .values import _build, _ohlc_broken, _parse_dates, _parse_numbers

NAME = "yfinance"
DESCRIPTION = "yfinance download with its three-line header (Price / Ticker / Date)"


def detect(probe: Probe) -> bool:
    head = probe.head
    return (
        probe.lc[0] == "price"
        and len(head) >= 3
        and (_cells(head[1]) or [""])[0].lower() == "ticker"
        and (_cells(head[2]) or [""])[0].lower() in DATE_NAMES
    )


def read(probe: Probe) -> list[SeriesData]:
    text, ctx, header = probe.text, probe.ctx, probe.header
    fields = [c.lower() for c in header]
    tickers = _cells(probe.head[1])
    if len(tickers) != len(fields):
        raise _Problem("the Price and Ticker header lines have different lengths", "export the data again")
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.strip())
    if any(not lines[i].strip() for i in range(start, start + 3)):
        raise _Problem("blank lines inside the three-line yfinance header", "export the data again")
    df = _read_frame(text, len(fields), skiprows=start + 3)
    if df.empty:
        raise _Problem("header only, no data rows", "export the data again")
    dates = _parse_dates(df[0], ctx)
    by_ticker: dict[str, dict[str, int]] = {}
    for i in range(1, len(fields)):
        if not tickers[i]:
            raise _Problem(f"column {i + 1} has no ticker in the Ticker line", "export the data again")
        by_ticker.setdefault(tickers[i], {})[fields[i]] = i
    out = []
    multi = len(by_ticker) > 1
    for ticker, pos in by_ticker.items():
        if "adj close" not in pos and "close" not in pos:
            raise _Problem(f"no Close column for {_cell(ticker)}", "download with Close prices")
        col = pos.get("adj close", pos.get("close"))
        assert col is not None
        notes = (
            ["price is Adj Close: adjusted for splits and dividends"]
            if "adj close" in pos
            else [
                "yfinance download without Adj Close: Close is adjusted when auto_adjust=True (the default)"
            ]
        )
        out.append(
            _build(
                ctx,
                dates,
                _parse_numbers(df[col]),
                id=ticker,
                kind="price",
                fmt=NAME,
                description=DESCRIPTION,
                notes=notes,
                label=f"{ticker}: " if multi else "",
                quarantine=_ohlc_broken(df, pos),
                column=f"{header[col]} {ticker}",
            )
        )
    return out


FORMAT = Format(NAME, DESCRIPTION, detect, read)
