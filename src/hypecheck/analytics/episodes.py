"""Past episodes like today's and what happened next, with no look-ahead.

An *episode* is a date on which a theme's configuration held, judged with data up to that date only:

* ``first_weeks``: the leader - laggard spread over the first ``weeks`` weeks of a year (from the last
  close of the previous year to the last close on or before day ``7 * weeks`` of January; for monthly
  data, the first month-end on or after that day) was above ``min_spread``. One per year at most.
* ``rs_high``: the leader / laggard ratio closed at its trailing ``lookback``-observation high.
  Signals within ``gap_months`` of the previous episode are skipped (no overlapping outcomes).

*Outcomes*: the leader - laggard spread from the episode date to the last close on or before the date
``h`` months later, for each horizon; ``rest_of_year`` runs to the year's last close. A horizon that
ends after the as-of date is *pending* (NaN), never partial. An episode *persisted* over ``h`` when
that spread was positive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

HORIZONS = ("1M", "3M", "6M", "12M")

# the standard normal's 97.5th percentile as the nearest double (scipy.stats.norm.ppf(0.975); the
# stdlib's NormalDist().inv_cdf is one unit in the last place off): the 95% interval needs no SciPy
Z_975 = 1.959963984540054


def normal_quantile(q: float) -> float:
    """The standard normal quantile at ``q``; SciPy is imported only for a level other than 95%."""
    if q == 0.975:
        return Z_975
    from scipy import stats

    return float(stats.norm.ppf(q))


def _pair(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    return pd.concat({"a": a, "b": b}, axis=1, join="inner", sort=True).dropna()


def _at(df: pd.DataFrame, when: pd.Timestamp) -> int:
    """Position of the last row on or before ``when`` (-1 if none)."""
    return int(df.index.searchsorted(when, side="right")) - 1


def first_weeks(
    a: pd.Series, b: pd.Series, as_of: pd.Timestamp, *, weeks: int = 2, min_spread: float = 0.025
) -> pd.DataFrame:
    """Every year's early-January spread; ``episode`` marks those above ``min_spread``.

    Columns: ``year, date, start, spread, episode``. Only years whose measuring date is on or before
    ``as_of`` and that have a close in the previous December are included."""
    df = _pair(a, b)
    df = df.loc[df.index <= as_of]
    if df.empty:
        return pd.DataFrame(columns=["year", "date", "start", "spread", "episode"])
    idx = pd.DatetimeIndex(df.index)
    monthly = bool(pd.Series(idx).diff().median() > pd.Timedelta(days=20))
    rows = []
    for y in range(idx[0].year + 1, as_of.year + 1):
        cut = pd.Timestamp(year=y, month=1, day=1) + pd.Timedelta(days=7 * weeks - 1)
        if monthly:
            cand = np.flatnonzero((idx >= cut) & (idx.year == y))
            if len(cand) == 0:
                continue
            j = int(cand[0])
        else:
            j = _at(df, cut)
        i = _at(df, pd.Timestamp(year=y - 1, month=12, day=31))
        if i < 0 or j <= i or idx[i].year != y - 1 or idx[i].month != 12 or idx[j].year != y:
            continue
        if idx[j] > as_of:
            continue
        ra = df["a"].iloc[j] / df["a"].iloc[i] - 1
        rb = df["b"].iloc[j] / df["b"].iloc[i] - 1
        rows.append(
            {
                "year": y,
                "date": idx[j],
                "start": idx[i],
                "spread": float(ra - rb),
                "episode": bool(ra - rb > min_spread),
            }
        )
    return pd.DataFrame(rows, columns=["year", "date", "start", "spread", "episode"])


def rs_high(
    a: pd.Series, b: pd.Series, as_of: pd.Timestamp, *, lookback: int = 252, gap_months: int = 12
) -> pd.DataFrame:
    """Dates the leader/laggard ratio closed at its trailing ``lookback`` high, ``gap_months`` apart."""
    df = _pair(a, b)
    df = df.loc[df.index <= as_of]
    rs = df["a"] / df["b"]
    hi = rs.rolling(lookback, min_periods=lookback).max()
    sig = rs.index[(rs >= hi) & hi.notna()]
    rows, last = [], None
    for d in sig:  # signal dates only (sparse), to enforce the gap
        if last is None or d >= last + pd.DateOffset(months=gap_months):
            rows.append({"year": d.year, "date": d, "start": d, "spread": float("nan"), "episode": True})
            last = d
    return pd.DataFrame(rows, columns=["year", "date", "start", "spread", "episode"])


def paired(
    a: pd.Series, b: pd.Series, as_of: pd.Timestamp | None = None
) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """``_pair(a, b)`` (the dates both have, rows with a NaN dropped) cut at ``as_of`` (None: not cut),
    as (dates, a's values, b's values). In NumPy for the usual input (float64 series on sorted, unique,
    tz-naive date indexes of one resolution), the same rows and values; through ``_pair`` otherwise."""
    ia, ib = a.index, b.index
    if (
        isinstance(ia, pd.DatetimeIndex)
        and isinstance(ib, pd.DatetimeIndex)
        and isinstance(ia.dtype, np.dtype)
        and ia.dtype == ib.dtype
        and a.dtype == b.dtype == np.float64
        and ia.is_monotonic_increasing
        and ib.is_monotonic_increasing
        and ia.is_unique
        and ib.is_unique
    ):
        common, pa, pb = np.intersect1d(ia.asi8, ib.asi8, assume_unique=True, return_indices=True)
        av, bv = a.to_numpy()[pa], b.to_numpy()[pb]
        keep = ~(np.isnan(av) | np.isnan(bv))
        idx = pd.DatetimeIndex(common[keep].view(ia.dtype))
        n = len(idx) if as_of is None else int(idx.searchsorted(as_of, side="right"))
        return idx[:n], av[keep][:n], bv[keep][:n]
    df = _pair(a, b)
    if as_of is not None:
        df = df.loc[df.index <= as_of]
    return pd.DatetimeIndex(df.index), df["a"].to_numpy(), df["b"].to_numpy()


def _horizon_end(d: pd.Timestamp, h: str) -> pd.Timestamp:
    if h == "rest_of_year":
        return pd.Timestamp(year=d.year, month=12, day=31)
    return d + pd.DateOffset(months=int(h[:-1]))


def outcomes(
    a: pd.Series, b: pd.Series, dates: pd.Series | list[pd.Timestamp], as_of: pd.Timestamp, horizons=HORIZONS
) -> pd.DataFrame:
    """Leader - laggard spread after each date over each horizon (and to the year's end); NaN when
    the horizon ends after ``as_of``. (Each spread: ``a[j] / a[i] - b[j] / b[i]`` with ``i`` the last
    common close on or before the date and ``j`` the last on or before the horizon's end.)"""
    idx, av, bv = paired(a, b, as_of)
    cols = [*horizons, "rest_of_year"]
    days = [pd.Timestamp(d) for d in dates]
    ends = [_horizon_end(d, h) for d in days for h in cols]
    # the last row on or before each date and each horizon's end, all in one search each
    starts: np.ndarray = idx.searchsorted(pd.DatetimeIndex(days), side="right") - 1
    stops: np.ndarray = idx.searchsorted(pd.DatetimeIndex(ends), side="right") - 1
    out = []
    for k, d in enumerate(days):
        i = int(starts[k])
        row: dict[str, object] = {"date": d}
        for m, h in enumerate(cols):
            end = ends[k * len(cols) + m]
            j = int(stops[k * len(cols) + m])
            if i < 0 or end > as_of or j <= i:
                row[h] = float("nan")
                continue
            row[h] = float(av[j] / av[i] - bv[j] / bv[i])
        out.append(row)
    return pd.DataFrame(out, columns=["date", *horizons, "rest_of_year"])


def wilson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n."""
    if n == 0:
        return (math.nan, math.nan)
    z = normal_quantile(0.5 + level / 2)
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(0.0, mid - half), min(1.0, mid + half))


@dataclass
class HorizonStats:
    horizon: str
    n: int
    hits: int
    rate: float
    ci_low: float
    ci_high: float
    mean: float
    median: float
    q25: float
    q75: float

    def to_dict(self) -> dict[str, object]:
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in self.__dict__.items()}


def summarise(out: pd.DataFrame, horizons=(*HORIZONS, "rest_of_year")) -> list[HorizonStats]:
    """n, persistence hit rate (spread > 0) with a Wilson 95% interval, and the distribution."""
    res = []
    for h in horizons:
        x = out[h].dropna().to_numpy(dtype=float) if h in out else np.array([])
        k = int((x > 0).sum())
        lo, hi = wilson(k, len(x))
        q = np.percentile(x, [25, 50, 75]) if len(x) else [math.nan] * 3
        res.append(
            HorizonStats(
                h,
                len(x),
                k,
                k / len(x) if len(x) else math.nan,
                lo,
                hi,
                float(x.mean()) if len(x) else math.nan,
                float(q[1]),
                float(q[0]),
                float(q[2]),
            )
        )
    return res
