"""Index arithmetic a narrative must survive."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def required_return(
    target: float,
    weights: Mapping[str, float] | float,
    returns: Mapping[str, float] | float | np.ndarray,
) -> float | np.ndarray:
    """Return the rest of an index needs so the whole index returns ``target``.

    ``r_rest = (R* - sum_g w_g r_g) / (1 - sum_g w_g)``, with ``w_g`` the start-of-period index
    weights of the pillar groups and ``r_g`` their returns over the period. ``weights`` and
    ``returns`` are mappings with the same keys (or scalars for a single group; ``returns`` may then
    be an array of scenarios). Raises ValueError when weights do not leave a rest (sum >= 1) or a
    group has no return.
    """
    if isinstance(weights, Mapping):
        if not isinstance(returns, Mapping):
            raise ValueError("weights is a mapping, so returns must be a mapping with the same keys")
        missing = set(weights) - set(returns)
        if missing:
            raise ValueError(f"no return given for group(s): {', '.join(sorted(missing))}")
        w_sum = float(sum(weights.values()))
        contrib = np.asarray(sum(float(weights[g]) * float(returns[g]) for g in weights), dtype="float64")
    else:
        w_sum = float(weights)
        contrib = w_sum * np.asarray(returns, dtype="float64")
    if not 0 <= w_sum < 1:
        raise ValueError(f"group weights sum to {w_sum}; they must be in [0, 1) to leave a rest of the index")
    out = (target - contrib) / (1.0 - w_sum)
    return float(out) if np.ndim(out) == 0 else np.asarray(out)


def calendar_year_returns(closes: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """Simple returns of each complete calendar year on or before ``as_of``, indexed by year.

    Year ``Y`` counts when 31 December of ``Y`` is on or before ``as_of`` and the series has a close
    in December of both ``Y`` and ``Y-1`` (the base is the last close of ``Y-1``). NaNs are ignored.
    """
    as_of = pd.Timestamp(as_of)
    s = closes.dropna()
    s = s.loc[s.index <= as_of]
    if s.empty:
        return pd.Series(dtype="float64", name="return")
    dec = s.loc[pd.DatetimeIndex(s.index).month == 12]
    year_end = dec.groupby(pd.DatetimeIndex(dec.index).year).last()
    year_end = year_end.loc[[pd.Timestamp(year=int(y), month=12, day=31) <= as_of for y in year_end.index]]
    rets = {
        int(y): float(year_end[y] / year_end[y - 1] - 1.0) for y in year_end.index if y - 1 in year_end.index
    }
    return pd.Series(rets, dtype="float64", name="return")


def percentile_of(value: float, history: pd.Series | np.ndarray) -> float:
    """Share (0-100) of ``history`` values strictly below ``value``, ties counting half (mid-rank)."""
    h = np.asarray(history, dtype="float64")
    h = h[~np.isnan(h)]
    if h.size == 0:
        return float("nan")
    return float(100.0 * ((h < value).sum() + 0.5 * (h == value).sum()) / h.size)
