"""The numpy fast paths of the cold check against the plain pandas computations they replaced.

``window_return`` and ``infer_frequency`` run for every series and window of every check; they were
rewritten on numpy for speed (issue 14). Here each is compared with a direct pandas computation of
the same definition on many random inputs (gaps, NaNs, microsecond and nanosecond indexes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hypecheck.analytics.returns import window_anchor, window_return
from hypecheck.schema import infer_frequency


def _pandas_return(closes: pd.Series, as_of: pd.Timestamp, window: str) -> tuple:
    s = closes.dropna()
    s = s.loc[s.index <= as_of]
    if s.empty:
        return (None, None, float("nan"))
    before = s.loc[s.index <= window_anchor(as_of, window)]
    if before.empty:
        return (None, s.index[-1], float("nan"))
    return (before.index[-1], s.index[-1], float(s.iloc[-1] / before.iloc[-1] - 1.0))


@pytest.mark.parametrize("unit", ["ns", "us"])
def test_window_return_matches_pandas(unit: str) -> None:
    rng = np.random.default_rng(7)
    idx = pd.bdate_range("2018-01-01", "2026-03-31").as_unit(unit)
    checked = 0
    for _ in range(40):
        v = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx))))
        v[rng.random(len(idx)) < 0.1] = np.nan
        start = int(rng.integers(0, len(idx) - 10))
        s = pd.Series(v, index=idx).iloc[start:]
        for as_of in pd.to_datetime(["2017-06-01", "2020-02-29", "2024-12-31", "2026-01-16", "2027-01-01"]):
            for w in ("YTD", "MTD", "QTD", "5D", "1M", "3M", "12M", "2Y", "0D"):
                got = window_return(s, as_of, w)
                ref = _pandas_return(s, as_of, w)
                assert (got.start, got.end) == ref[:2]
                assert (np.isnan(got.value) and np.isnan(ref[2])) or got.value == ref[2]
                checked += 1
    assert checked == 40 * 5 * 9


def _pandas_frequency(index: pd.DatetimeIndex) -> str:
    if len(index) < 3:
        return "irregular"
    med = float(pd.Series(index).diff().dt.days.dropna().median())
    for lo, hi, f in ((-1e18, 4, "D"), (6, 8, "W"), (27, 32, "M"), (88, 93, "Q"), (360, 370, "A")):
        if lo <= med <= hi:
            return f
    return "irregular"


def test_infer_frequency_matches_pandas() -> None:
    rng = np.random.default_rng(3)
    seen = set()
    for freq in ["D", "B", "W-FRI", "ME", "QE", "YE", "MS", "3D", "5D", "10D", "14D"]:
        for n in (3, 4, 5, 50, 200):
            for unit in ("ns", "us", "s"):
                idx = pd.date_range("2000-01-01", periods=n, freq=freq).as_unit(unit)
                keep = rng.random(n) > 0.3
                idx = idx[keep] if keep.sum() >= 3 else idx
                assert infer_frequency(idx) == _pandas_frequency(idx), (freq, n, unit)
                seen.add(infer_frequency(idx))
    odd = pd.DatetimeIndex(["2020-01-01 23:00", "2020-01-02 01:00", "2020-01-05", "2020-01-09 12:00"])
    assert infer_frequency(odd) == _pandas_frequency(odd)
    assert {"D", "W", "M", "Q", "A", "irregular"} <= seen


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rolling_mad_matches_pandas_rolling_apply(seed: int) -> None:
    """``rolling_mad`` (the noise band of every search series) against the pandas rolling apply it
    replaced, bit for bit: short first windows, NaNs inside, every min_periods."""
    from hypecheck.analytics.attention import rolling_mad

    rng = np.random.default_rng(seed)
    for _ in range(150):
        n, w = int(rng.integers(0, 200)), int(rng.integers(2, 60))
        mp = int(rng.integers(1, w + 1))
        d = rng.normal(size=n).round(1)  # rounded: ties, as Google's integer scale has
        if n:
            d[rng.random(n) < rng.random() * 0.3] = np.nan
        want = (
            pd.Series(d, dtype="float64")
            .rolling(w, min_periods=mp)
            .apply(lambda a: np.median(np.abs(a - np.median(a))), raw=True)
            .to_numpy()
        )
        assert np.array_equal(rolling_mad(d, w, mp), want, equal_nan=True), (n, w, mp)


def _period_returns_reference(closes: dict, as_of: pd.Timestamp, period: str) -> pd.DataFrame:
    """period_returns as first written: a groupby per series and a list per period (the definition)."""
    freq = {"A": "Y", "Q": "Q", "M": "M"}[period]
    cols = {}
    for sid, s in closes.items():
        s = s.dropna()
        s = s.loc[s.index <= as_of]
        if s.empty:
            cols[sid] = pd.Series([], index=pd.PeriodIndex([], freq=freq), dtype="float64")
            continue
        idx = pd.DatetimeIndex(s.index)
        per = idx.to_period(freq)
        last = s.groupby(per).last()
        last_date = pd.Series(idx, index=idx).groupby(per).last()
        ends = pd.PeriodIndex(last.index).to_timestamp(how="end")
        covered = [d.to_period("M") == e.to_period("M") for d, e in zip(last_date, ends, strict=True)]
        complete = [e.normalize() <= as_of for e in ends]
        last = last[[c and k for c, k in zip(covered, complete, strict=True)]]
        prev = last.index - 1
        ok = prev.isin(last.index)
        cols[sid] = pd.Series(
            [float(last[p] / last[q] - 1.0) for p, q in zip(last.index[ok], prev[ok], strict=True)],
            index=last.index[ok],
            dtype="float64",
        )
    out = pd.DataFrame(cols)
    out.index = [str(p) for p in out.index] if period != "A" else [int(p.year) for p in out.index]
    return out.sort_index()


@pytest.mark.parametrize("seed", [0, 1])
def test_period_returns_matches_the_groupby_definition(seed: int) -> None:
    """Base-rate period returns, now on arrays, against the groupby definition they replaced: daily,
    month-end and irregular dates, NaNs, shuffled rows (a period's last close is its last row, as
    groupby's last), every period kind, random as-of dates."""
    from hypecheck.analytics.baserate import period_returns

    rng = np.random.default_rng(seed)
    for _ in range(60):
        cols = {}
        for k in range(3):
            start = pd.Timestamp("1990-01-01") + pd.Timedelta(days=int(rng.integers(0, 4000)))
            m = int(rng.integers(0, 3000))
            kind = int(rng.integers(0, 3))
            if kind == 0:
                idx = pd.bdate_range(start, periods=m)
            elif kind == 1:
                idx = pd.date_range(start, periods=m // 20, freq="ME")
            else:
                idx = pd.DatetimeIndex(sorted(start + pd.to_timedelta(rng.integers(0, 9000, m), unit="D")))
            s = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx)))), index=idx)
            if len(s) and rng.random() < 0.3:
                s.iloc[rng.random(len(s)) < 0.2] = np.nan
            if len(s) and rng.random() < 0.2:
                s = s.sample(frac=1, random_state=int(rng.integers(1_000_000)))
            cols[f"S{k}"] = s
        as_of = pd.Timestamp("1995-01-01") + pd.Timedelta(days=int(rng.integers(0, 9000)))
        for period in ("A", "Q", "M"):
            pd.testing.assert_frame_equal(
                period_returns(cols, as_of, period),
                _period_returns_reference(cols, as_of, period),
                check_exact=True,
            )
