"""Independent narratives: near-duplicate births are one cluster.

IJR over SPY and IJR over IVV are one narrative told twice: the same birth, the same outcome. Counting
both doubles ``n`` and narrows every interval. The rule, applied to births in (date, leader, laggard)
order:

* a birth *joins* the cluster of the earliest earlier birth that was born at most :data:`WINDOW`
  periods before it on the union calendar of the universe (5 trading days; on monthly data 0, the
  same month) **and** whose pair's daily (monthly) log relative returns, each in its own leader's
  orientation, correlated above :data:`RHO` (0.9) with this birth's pair over the :data:`CORR_WINDOW`
  observations (252 days; 60 months) ending the period before the earlier birth (at least half of
  them common to both pairs);
* otherwise it starts a cluster, named by its own birth (``"YYYY-MM-DD LEADER-LAGGARD"``).

A birth only joins an *earlier* cluster and clusters are never merged, so a later birth cannot change
an earlier birth's cluster: truncating the data leaves every cluster as it was (tested). The same
pair's reversal is never a duplicate (its oriented returns correlate at -1).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

RHO = 0.9
WINDOW = {"daily": 5, "monthly": 0}
CORR_WINDOW = {"daily": 252, "monthly": 60}


def relative_returns(pa: pd.Series, pb: pd.Series) -> pd.Series:
    """``diff(ln a - ln b)`` on the dates both sides have a positive close."""
    from .features import align

    df = align(pa, pb)
    return (np.log(df["a"]) - np.log(df["b"])).diff().dropna()


def _corr(x: np.ndarray, y: np.ndarray, min_obs: int) -> float:
    ok = ~np.isnan(x) & ~np.isnan(y)
    if ok.sum() < min_obs:
        return float("nan")
    x, y = x[ok] - x[ok].mean(), y[ok] - y[ok].mean()
    den = float(np.sqrt((x @ x) * (y @ y)))
    return float(x @ y / den) if den > 0 else float("nan")


def assign(
    eps: pd.DataFrame,
    returns: Mapping[str, pd.Series],
    sides: Mapping[str, tuple[str, str]],
    freq: str,
) -> np.ndarray:
    """The cluster of every birth of ``eps`` (rows sorted by date, leader, laggard; columns ``date``,
    ``pair``, ``leader``), given each pair's :func:`relative_returns` (``a`` over ``b``) and its sides
    ``pair -> (a, b)``. Returns an object array of cluster names (see the module)."""
    n = len(eps)
    out = np.empty(n, dtype=object)
    if n == 0:
        return out
    window, cw = WINDOW[freq], CORR_WINDOW[freq]
    pairs = sorted(returns)
    col = {p: i for i, p in enumerate(pairs)}
    wide = pd.DataFrame({p: returns[p] for p in pairs}).sort_index()
    cal = pd.DatetimeIndex(wide.index)
    R = wide.to_numpy(dtype="float64")
    dates = pd.DatetimeIndex(eps["date"])
    pos = cal.searchsorted(dates, side="left")
    if freq == "monthly":  # the same month is the window
        pos = (dates.year * 12 + dates.month).to_numpy()
    pair = eps["pair"].astype(str).to_numpy()
    sign = np.array([1.0 if ld == sides[p][0] else -1.0 for p, ld in zip(pair, eps["leader"], strict=True)])
    names = [
        f"{d:%Y-%m-%d} {ld}-{lg}" for d, ld, lg in zip(dates, eps["leader"], eps["laggard"], strict=True)
    ]
    cal_pos = cal.searchsorted(dates, side="left")
    start = 0
    for j in range(n):
        while pos[j] - pos[start] > window:
            start += 1
        out[j] = names[j]
        for i in range(start, j):  # earliest first: join the earliest duplicate
            if pair[i] == pair[j] or pair[i] not in col or pair[j] not in col:
                continue
            lo, hi = max(0, cal_pos[i] - cw), cal_pos[i]
            x = R[lo:hi, col[pair[i]]] * sign[i]
            y = R[lo:hi, col[pair[j]]] * sign[j]
            if _corr(x, y, cw // 2) > RHO:
                out[j] = out[i]
                break
    return out


__all__ = ["CORR_WINDOW", "RHO", "WINDOW", "assign", "relative_returns"]
