"""window_anchor (now cached) and returns_table (each series' valid closes prepared once) against their
definitions: the same anchors (value, unit and zone) and the same returns bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hypecheck.analytics.returns import _anchor, returns_table, window_anchor, window_return

WINDOWS = ["YTD", "MTD", "QTD", "5D", "2W", "1M", "3M", "6M", "12M", "18M", "1Y", "3Y"]


def _definition(as_of: pd.Timestamp, window: str) -> pd.Timestamp:
    """window_anchor as written before the cache (its documented rules)."""
    as_of = pd.Timestamp(as_of).normalize()
    w = window.upper()
    if w == "YTD":
        return pd.Timestamp(year=as_of.year - 1, month=12, day=31)
    if w == "MTD":
        return (as_of.replace(day=1) - pd.Timedelta(days=1)).normalize()
    if w == "QTD":
        return (
            as_of.replace(month=3 * ((as_of.month - 1) // 3) + 1, day=1) - pd.Timedelta(days=1)
        ).normalize()
    n, unit = int(w[:-1]), w[-1]
    if unit in "DW":
        return as_of - pd.Timedelta(days=n * (7 if unit == "W" else 1))
    return (as_of - pd.DateOffset(months=n if unit == "M" else 12 * n)).normalize()


@pytest.mark.parametrize("unit", ["s", "us", "ns"])
def test_cached_anchor_is_the_definition_for_every_unit_and_zone(unit: str) -> None:
    _anchor.cache_clear()
    days = pd.date_range("2019-12-28", "2021-03-05", freq="37h").as_unit(unit)
    for tz in (None, "UTC", "America/New_York"):
        for d in days[::5]:
            d = d.tz_localize(tz) if tz else d
            for w in WINDOWS:
                got, want = window_anchor(d, w), _definition(d, w)
                assert got == want and got.unit == want.unit and str(got.tz) == str(want.tz), (d, w)
                assert window_anchor(d, w) is got  # the second ask is the cached one
    assert window_anchor("2024-03-31", "1M") == pd.Timestamp("2024-02-29")  # clipped to month end
    with pytest.raises(ValueError, match="unknown window"):
        window_anchor(pd.Timestamp("2024-01-05"), "7X")


def test_returns_table_is_window_return_per_series_and_window() -> None:
    rng = np.random.default_rng(4)
    idx = pd.bdate_range("2015-01-01", "2024-06-28")
    closes = {}
    for k in range(5):
        v = 50 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx))))
        v[rng.random(len(v)) < 0.05] = np.nan
        s = pd.Series(v, index=idx)
        s.iloc[: int(rng.integers(0, 2000))] = np.nan
        closes[f"S{k}"] = s
    as_of = pd.Timestamp("2024-05-15")
    t = returns_table(closes, as_of, WINDOWS)
    assert len(t) == 5 * len(WINDOWS)
    for row in t.itertuples(index=False):
        r = window_return(closes[row.series], as_of, row.window)
        assert (row.start, row.end) == (r.start, r.end) or (pd.isna(row.start) and r.start is None)
        assert np.array_equal([row._4], [r.value], equal_nan=True)
        # and the definition in pandas: last valid close on or before each date
        s = closes[row.series].dropna()
        s = s.loc[s.index <= as_of]
        base = s.loc[s.index <= window_anchor(as_of, row.window)]
        want = s.iloc[-1] / base.iloc[-1] - 1 if len(base) else np.nan
        assert np.array_equal([row._4], [want], equal_nan=True)
