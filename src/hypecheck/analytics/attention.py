"""Search-interest analytics (first cut; the full attention pillar is issue 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def asvi(series: pd.Series, window: int = 8) -> pd.Series:
    """Abnormal search volume index (Da, Engelberg & Gao 2011).

    ``ASVI_t = ln SVI_t - ln median(SVI_{t-1}, ..., SVI_{t-window})``: the log of this period's
    search volume over the median of the previous ``window`` periods (the current period excluded,
    so nothing after ``t`` is used). Rules: the first ``window`` periods are NaN (no full baseline);
    NaN inputs inside the baseline window make that baseline NaN; zeros are explicit: if SVI_t and
    the baseline median are both 0 the value is 0 (no change from nothing), if only SVI_t is 0 it is
    -inf, if only the baseline is 0 it is +inf. ``<1`` cells should be given as 0.5 by the reader.
    """
    if window < 1:
        raise ValueError("window must be at least 1")
    x = series.astype("float64")
    base = x.shift(1).rolling(window, min_periods=window).median()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(x.to_numpy()) - np.log(base.to_numpy())
    both_zero = (x.to_numpy() == 0) & (base.to_numpy() == 0)
    out[both_zero] = 0.0
    return pd.Series(out, index=series.index, name=f"asvi_{series.name}" if series.name else "asvi")
