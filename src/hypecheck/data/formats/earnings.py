"""An earnings calendar, ``date,ticker,eps_estimate,eps_actual`` (case-insensitive names, any order;
a ``surprise`` column, if any, is ignored: the surprise is computed from the two EPS columns).

Each ticker gives two series of kind ``earnings``: ``<TICKER>:eps_estimate`` and ``<TICKER>:eps_actual``
(the EPS per report date, upper-case ticker). A blank ``eps_actual`` (a report not yet made) is a
missing value, skipped and counted; rows dated after today are rejected like any file's (an upcoming
report is not read from a file). A theme's ``[events] earnings = [...]`` turns them into dated
``earnings`` events with the surprise (:func:`hypecheck.panel.earnings_events`); the live connector
:mod:`hypecheck.data.connectors.earnings` writes the same series into the store."""

from __future__ import annotations

import re

import numpy as np

from ...schema import SeriesData
from .base import Format, _cell, _Problem
from .text import Probe
from .values import _build, _Dates, _Numbers, _parse_dates, _parse_numbers

NAME = "earnings"
DESCRIPTION = "earnings calendar (date,ticker,eps_estimate,eps_actual)"
COLUMNS = ("date", "ticker", "eps_estimate", "eps_actual")
FIELDS = ("eps_estimate", "eps_actual")
TICKER = re.compile(r"^[A-Z0-9^][A-Z0-9.\-=^]{0,39}$")  # an exchange symbol, upper-cased


def series_id(ticker: str, field: str) -> str:
    """The catalog id of one ticker's EPS field (``NVDA:eps_actual``)."""
    return f"{ticker.upper()}:{field}"


def detect(probe: Probe) -> bool:
    lc = [c.strip() for c in probe.lc]
    return set(COLUMNS) <= set(lc) and set(lc) <= {*COLUMNS, "surprise"}


def read(probe: Probe) -> list[SeriesData]:
    df = probe.frame.copy()
    df.columns = [c.strip() for c in probe.lc]
    if df.empty:
        raise _Problem("header only, no data rows", "one row per report: date,ticker,eps_estimate,eps_actual")
    ctx = probe.ctx
    dates = _parse_dates(df["date"].astype("string"), ctx)
    tickers = df["ticker"].astype("string").str.strip().str.upper()
    bad_ticker = ~tickers.fillna("").map(lambda t: bool(TICKER.match(t))).to_numpy(dtype=bool)
    bad_ticker &= ~dates.rejected
    ctx.tally.reject(int(bad_ticker.sum()), "no ticker or not a ticker")
    rejected = dates.rejected | bad_ticker
    nums = {f: _parse_numbers(df[f]) for f in FIELDS}
    out: list[SeriesData] = []
    names = sorted({str(t) for t, r in zip(tickers.fillna(""), rejected, strict=True) if not r})
    for t in names:
        rows = np.flatnonzero((tickers == t).fillna(False).to_numpy(dtype=bool) & ~rejected)
        sub = _Dates(dates.values[rows], rejected[rows], dates.fmt)
        for f in FIELDS:
            n = nums[f]
            part = _Numbers(n.values[rows], n.missing[rows], n.bad[rows], n.below_one[rows], n.example)
            if not (~part.missing & ~part.bad).any():  # no report made yet (or none estimated)
                ctx.tally.notes.append(f"{t}: no {f} values")
                continue
            out.append(
                _build(
                    ctx,
                    sub,
                    part,
                    id=series_id(t, f),
                    kind="earnings",
                    fmt=NAME,
                    units="USD per share",
                    description=f"{t} {f.replace('_', ' ')} (EPS) per report date",
                    label=f"{t} {f}: ",
                    column=f,
                )
            )
    if not out:
        raise _Problem(
            f"no usable earnings rows in {_cell(probe.ctx.origin)}",
            "one row per report: date,ticker,eps_estimate,eps_actual (YYYY-MM-DD dates, numbers)",
        )
    return out


FORMAT = Format(NAME, DESCRIPTION, detect, read)
