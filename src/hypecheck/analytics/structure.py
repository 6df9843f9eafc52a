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
    group has no return. :func:`required_part_return` solves for any one part (a group or the rest).
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


REST = "rest"


def required_part_return(
    target: float,
    weights: Mapping[str, float],
    returns: Mapping[str, float],
    solve_for: str = REST,
) -> float:
    """Return one part of an index needs, given what the other parts do, so the whole returns ``target``.

    The index is its named groups (``weights``: start-of-period index weights) plus the rest of the
    index (weight ``1 - sum w_g``), named :data:`REST`. Solving for part ``x``::

        r_x = (R* - sum_{k != x} w_k r_k) / w_x

    ``returns`` gives the return of every other part (the rest included, under :data:`REST`, unless
    the rest is the part solved for). With ``solve_for = REST`` this is :func:`required_return`.
    Raises ValueError for weights that leave no rest, an unknown part, or a missing return."""
    w = {str(k): float(v) for k, v in weights.items()}
    w_sum = sum(w.values())
    if not 0 <= w_sum < 1:
        raise ValueError(f"group weights sum to {w_sum}; they must be in [0, 1) to leave a rest of the index")
    if REST in w:
        raise ValueError(f"{REST!r} names the rest of the index; a group cannot be called that")
    w[REST] = 1.0 - w_sum
    if solve_for not in w:
        raise ValueError(f"cannot solve for {solve_for!r}: the parts are {', '.join(w)}")
    if w[solve_for] <= 0:
        raise ValueError(f"{solve_for!r} has no weight in the index, so no return of it can carry the target")
    others = [k for k in w if k != solve_for]
    missing = [k for k in others if k not in returns]
    if missing:
        raise ValueError(f"no return given for part(s): {', '.join(missing)}")
    contrib = sum(w[k] * float(returns[k]) for k in others)
    return float((target - contrib) / w[solve_for])


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
