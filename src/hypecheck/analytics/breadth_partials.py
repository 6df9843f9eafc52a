"""The partial counts breadth is summed from: their layout, the block-order reduce, and the final frame.

Shared by every engine (:mod:`hypecheck.analytics.breadth`, the compiled kernels in
:mod:`hypecheck.analytics.breadth_numba` and the Dask engine in :mod:`hypecheck.analytics.breadth_dask`)
and free of Numba, so the pandas engine and the package import without compiling anything.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

BLOCK = 256  # members per block: each block's partial counts are one task (thread or Dask task)
MA_SHORT, MA_LONG, HILO = 50, 200, 252
EMA_FAST, EMA_SLOW = 19, 39

# rows of the partial-count array (one float64 vector over dates each; counts stay exact below 2**53)
_ABOVE1, _ELIG1, _ABOVE2, _ELIG2, _ADV, _DEC, _NH, _NL, _ELIGHL, _RSUM, _RCNT, _CWNUM, _CWDEN, _MEMB = range(
    14
)
NSTAT = 14


def reduce_partials(parts: Sequence[np.ndarray] | np.ndarray, n_dates: int) -> np.ndarray:
    """Sum partial counts in block order (a fixed order, so every engine gets identical floats)."""
    acc = np.zeros((NSTAT, n_dates))
    for p in parts:
        acc += p
    return acc


def _ema(x: np.ndarray, span: int) -> np.ndarray:
    return pd.Series(x).ewm(span=span, adjust=False).mean().to_numpy()


def finalize(
    tot: np.ndarray, index: pd.DatetimeIndex, has_caps: bool, windows: tuple[int, int]
) -> pd.DataFrame:
    """Turn summed partial counts into the breadth frame."""
    with np.errstate(invalid="ignore", divide="ignore"):
        pct1 = np.where(tot[_ELIG1] > 0, 100.0 * tot[_ABOVE1] / tot[_ELIG1], np.nan)
        pct2 = np.where(tot[_ELIG2] > 0, 100.0 * tot[_ABOVE2] / tot[_ELIG2], np.nan)
        ew = np.where(tot[_RCNT] > 0, tot[_RSUM] / tot[_RCNT], np.nan)
        cw = np.where(tot[_CWDEN] > 0, tot[_CWNUM] / tot[_CWDEN], np.nan) if has_caps else np.nan
    net = tot[_ADV] - tot[_DEC]
    out = pd.DataFrame(
        {
            "members": tot[_MEMB].astype(np.int64),
            f"pct_above_{windows[0]}d": pct1,
            f"pct_above_{windows[1]}d": pct2,
            "advances": tot[_ADV].astype(np.int64),
            "declines": tot[_DEC].astype(np.int64),
            "ad_line": np.cumsum(net),
            "mcclellan": _ema(net, EMA_FAST) - _ema(net, EMA_SLOW),
            "new_highs": tot[_NH].astype(np.int64),
            "new_lows": tot[_NL].astype(np.int64),
            "hilo_members": tot[_ELIGHL].astype(np.int64),
            "ew_return": ew,
            "cw_return": cw,
        },
        index=index,
    )
    out.index.name = "date"
    return out
