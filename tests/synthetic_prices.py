"""A small, hand-built (not recorded) folder of daily closes for the chart and scan-page tests.

Seeded random walks, so every run writes the same numbers: a market walk, and each ticker = market x
its own relative walk plus a slow cycle (so the rotation graph rotates); IWM gets a planted surge of
about 6% against the market over the last 15 trading days before 2026-01-16, so a scan as of that date
finds "IWM over SPY" born within the last few weeks. Enough history (2019-2026) for the weekly
Relative Rotation Graph (114 weekly closes before its first point) and the lab's narrative panel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

TICKERS = ("SPY", "IWB", "IWM", "IWN", "IWO", "IWD", "IWF", "IVE", "IVW", "XLK", "XLE", "XLF", "RSP")
AS_OF = "2026-01-16"


def write_prices(folder: Path) -> Path:
    """``folder/prices/<TICKER>.csv`` (``Date,Close``) for :data:`TICKERS`; returns ``folder``."""
    rng = np.random.default_rng(7)
    days = pd.bdate_range("2019-01-02", AS_OF)
    n = len(days)
    market = 100 * np.exp(np.cumsum(rng.normal(0.0003, 0.01, n)))
    (folder / "prices").mkdir(parents=True, exist_ok=True)
    for i, t in enumerate(TICKERS):
        rel = np.cumsum(rng.normal(0, 0.004, n)) + 0.08 * np.sin(np.arange(n) / (60 + 9 * i) + i)
        if t == "SPY":
            rel = np.zeros(n)
        if t == "IWM":
            rel[-15:] += np.linspace(0.005, 0.06, 15)
        frame = pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Close": market * np.exp(rel)})
        frame.to_csv(folder / "prices" / f"{t}.csv", index=False)
    return folder
