"""Event study in trading days: a spread's return in windows before and after dated events.

Day 0 is the last common close on or before the event date (an event on a holiday, such as a bill
signed on 4 July, is measured from the previous close). A window ``(lo, hi)`` is the spread
``a[hi]/a[lo] - b[hi]/b[lo]`` between trading days ``lo`` and ``hi`` relative to day 0. A window that
runs past the last close (the as-of date) is NaN, never a partial window: nothing after the as-of
date is used, and an unfinished "after" is reported as unfinished.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

WINDOWS: tuple[tuple[int, int], ...] = ((-20, 0), (-5, 0), (0, 5), (0, 20))


def window_label(w: tuple[int, int]) -> str:
    lo, hi = w
    return f"{lo:+d}..{hi:+d}d" if lo else f"0..{hi:+d}d"


def event_windows(
    a: pd.Series,
    b: pd.Series,
    dates: Sequence[pd.Timestamp],
    windows: Sequence[tuple[int, int]] = WINDOWS,
) -> pd.DataFrame:
    """Rows ``date, day0, window, lo, hi, spread`` for every event date and window."""
    df = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna().sort_index()
    va, vb = df["a"].to_numpy(), df["b"].to_numpy()
    rows = []
    for d in dates:
        pos = int(df.index.searchsorted(pd.Timestamp(d), side="right")) - 1
        for lo, hi in windows:
            i, j = pos + lo, pos + hi
            ok = pos >= 0 and i >= 0 and j < len(df)
            spread = float(va[j] / va[i] - vb[j] / vb[i]) if ok else np.nan
            rows.append(
                {
                    "date": pd.Timestamp(d),
                    "day0": df.index[pos] if pos >= 0 else pd.NaT,
                    "window": window_label((lo, hi)),
                    "lo": lo,
                    "hi": hi,
                    "spread": spread,
                }
            )
    return pd.DataFrame(rows, columns=["date", "day0", "window", "lo", "hi", "spread"])


def move_order(before: float, after: float, noise: float) -> str:
    """Where the move happened relative to the event: 'after', 'before', 'before, reversed after',
    'none' (both within +/- noise) or 'unfinished' (no complete after-window)."""
    if after != after:
        return "unfinished"
    if abs(before) <= noise and abs(after) <= noise:
        return "none"
    if abs(after) > noise and (abs(before) <= noise or abs(after) >= abs(before)):
        return "after" if after > 0 else "after (against the leader)"
    if before > noise and after < -noise:
        return "before, reversed after"
    if before < -noise and after > noise:
        return "against before, recovered after"
    return "before" if before > 0 else "before (against the leader)"


def move_onset(a: pd.Series, b: pd.Series, days: int = 20) -> pd.Timestamp | None:
    """Start of the current run of a positive ``days``-day spread (None when the latest is not positive)."""
    df = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna().sort_index()
    if len(df) <= days:
        return None
    spread = (df["a"] / df["a"].shift(days) - df["b"] / df["b"].shift(days)).dropna()
    if spread.empty or spread.iloc[-1] <= 0:
        return None
    neg = spread.index[spread.to_numpy() <= 0]
    after = spread.index[spread.index > neg[-1]] if len(neg) else spread.index
    return pd.Timestamp(after[0])
