"""Returns over calendar windows, relative strength, all-time highs."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

_WIN = re.compile(r"^(\d+)([DWMY])$")


def window_anchor(as_of: pd.Timestamp, window: str) -> pd.Timestamp:
    """The date whose close is the window's starting value.

    ``YTD`` -> 31 December of the previous year (so the base is the last close of the prior year),
    ``MTD`` -> last day of the previous month, ``QTD`` -> last day of the previous quarter,
    ``ND``/``NW`` -> ``as_of`` minus N days/weeks, ``NM``/``NY`` -> ``as_of`` minus N calendar
    months/years (clipped to month end, pandas ``DateOffset`` rules).
    """
    ts = pd.Timestamp(as_of)
    return _anchor(ts, getattr(ts, "unit", ""), str(ts.tz), window)


# asked for again and again with the same values: cached, keyed also by the unit and time zone (equal
# Timestamps of other units or zones give results of their own unit or zone)
@functools.lru_cache(maxsize=4096)
def _anchor(as_of: pd.Timestamp, resolution: str, tz: str, window: str) -> pd.Timestamp:
    as_of = pd.Timestamp(as_of).normalize()
    w = window.upper()
    if w == "YTD":
        return pd.Timestamp(year=as_of.year - 1, month=12, day=31)
    if w == "MTD":
        return (as_of.replace(day=1) - pd.Timedelta(days=1)).normalize()
    if w == "QTD":
        q_first_month = 3 * ((as_of.month - 1) // 3) + 1
        return (as_of.replace(month=q_first_month, day=1) - pd.Timedelta(days=1)).normalize()
    m = _WIN.match(w)
    if not m:
        raise ValueError(f"unknown window {window!r}: use YTD, MTD, QTD or N followed by D, W, M or Y")
    n, unit = int(m.group(1)), m.group(2)
    if unit == "D":
        return as_of - pd.Timedelta(days=n)
    if unit == "W":
        return as_of - pd.Timedelta(weeks=n)
    if unit == "M":
        return (as_of - pd.DateOffset(months=n)).normalize()
    return (as_of - pd.DateOffset(years=n)).normalize()


@dataclass(frozen=True)
class WindowReturn:
    window: str
    start: pd.Timestamp | None  # date of the base close (last close on or before the anchor)
    end: pd.Timestamp | None  # date of the last close on or before as_of
    value: float  # simple return as a fraction; NaN when the series does not reach back to the anchor


def window_return(closes: pd.Series, as_of: pd.Timestamp, window: str) -> WindowReturn:
    """Simple return ``close[end] / close[start] - 1`` over ``window`` ending at ``as_of``.

    ``closes``: float Series on a sorted DatetimeIndex; NaNs are ignored (the last *valid* close on
    or before each date is used). ``start`` is the last close on or before :func:`window_anchor`;
    when the series starts after the anchor the return is NaN (not a shorter window in disguise).
    Only data dated on or before ``as_of`` are used.
    """
    return _window_return(*_valid(closes), as_of, window)


def _valid(closes: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The dates (datetime64[ns]) and values of the non-NaN closes."""
    v = closes.to_numpy(dtype="float64")
    keep = ~np.isnan(v)
    return closes.index.to_numpy(dtype="datetime64[ns]")[keep], v[keep]


def _window_return(dates: np.ndarray, v: np.ndarray, as_of: pd.Timestamp, window: str) -> WindowReturn:
    """:func:`window_return` on the valid closes (:func:`_valid`)."""
    anchor = window_anchor(as_of, window)
    # positions of the last valid close on or before as_of and on or before the anchor (numpy: this
    # runs for every series x window of a check, so no pandas indexing per call)
    end_at = pd.Timestamp(as_of).as_unit("ns").to_datetime64()
    k_end = int(np.searchsorted(dates, end_at, side="right")) - 1
    if k_end < 0:
        return WindowReturn(window, None, None, float("nan"))
    end_date = pd.Timestamp(dates[k_end])
    k_start = min(int(np.searchsorted(dates, anchor.as_unit("ns").to_datetime64(), side="right")) - 1, k_end)
    if k_start < 0:
        return WindowReturn(window, None, end_date, float("nan"))
    return WindowReturn(window, pd.Timestamp(dates[k_start]), end_date, float(v[k_end] / v[k_start] - 1.0))


def returns_table(
    closes: dict[str, pd.Series], as_of: pd.Timestamp, windows: list[str] | tuple[str, ...]
) -> pd.DataFrame:
    """Long table with columns ``series, window, start, end, return`` (one row per series x window)."""
    rows = []
    for name, s in closes.items():
        dates, v = _valid(s)  # once per series, not per window
        for w in windows:
            r = _window_return(dates, v, as_of, w)
            rows.append({"series": name, "window": w, "start": r.start, "end": r.end, "return": r.value})
    return pd.DataFrame(rows, columns=["series", "window", "start", "end", "return"])


def relative_strength(a: pd.Series, b: pd.Series, start: pd.Timestamp | None = None) -> pd.Series:
    """Relative-strength line ``100 * (a/b) / (a/b)[first]`` on the dates both have, from ``start``.

    Rising means ``a`` outperforms ``b``. Dates where either is NaN are dropped. Empty if no overlap.
    """
    df = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
    if start is not None:
        df = df.loc[df.index >= start]
    if df.empty:
        return pd.Series(dtype="float64")
    ratio = df["a"] / df["b"]
    return (100.0 * ratio / ratio.iloc[0]).rename("rs")


@dataclass(frozen=True)
class HighInfo:
    at_high: bool
    last: float
    high: float
    high_date: pd.Timestamp
    drawdown: float  # last / running max - 1 (<= 0)


def all_time_high(closes: pd.Series, as_of: pd.Timestamp, tolerance: float = 0.0) -> HighInfo | None:
    """Is the last close on or before ``as_of`` at its all-time high (within ``tolerance``)?

    "All-time" means over the series' own history up to ``as_of``. None when there is no data.
    """
    s = closes.dropna()
    s = s.loc[s.index <= pd.Timestamp(as_of)]
    if s.empty:
        return None
    vals = s.to_numpy()
    i = int(np.argmax(vals))
    high = float(vals[i])
    last = float(vals[-1])
    dd = last / high - 1.0
    return HighInfo(at_high=dd >= -tolerance, last=last, high=high, high_date=s.index[i], drawdown=dd)
