"""The compiled (Numba) breadth kernels: one pass per member, members in fixed blocks processed in
parallel. Imported when breadth is first computed with the default engine, not with the package
(Numba takes a noticeable share of a second to import). Definitions: :mod:`hypecheck.analytics.breadth`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .breadth_partials import BLOCK, NSTAT


@njit(cache=True, nogil=True, inline="always")
def _add(s: float, c: float, x: float) -> tuple[float, float]:  # pragma: no cover - compiled
    """One step of Neumaier's compensated sum: (sum, compensation) after adding ``x``."""
    t = s + x
    if abs(s) >= abs(x):
        c += (s - t) + x
    else:
        c += (x - t) + s
    return t, c


@njit(cache=True, nogil=True)
# long: one JIT pass whose loop-carried state (two compensated sums, two deques) a split would hurt
def _column(
    x: np.ndarray,
    cap: np.ndarray,
    has_caps: bool,
    w1: int,
    w2: int,
    hl: int,
    out: np.ndarray,
    obs: np.ndarray,
    dqmax: np.ndarray,
    dqmin: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Add one member's contributions to ``out`` (NSTAT x T). Buffers have length T."""
    n = x.shape[0]
    k = 0
    # Neumaier-compensated running sums for the two moving averages
    s1 = 0.0
    c1 = 0.0
    s2 = 0.0
    c2 = 0.0
    hmax = 0
    tmax = 0
    hmin = 0
    tmin = 0
    prev = np.nan
    prev_cap = np.nan
    for i in range(n):
        v = x[i]
        if v != v:
            continue
        obs[k] = v
        out[13, i] += 1.0
        # --- moving averages over the member's own last w closes
        s1, c1 = _add(s1, c1, v)
        if k >= w1:
            s1, c1 = _add(s1, c1, -obs[k - w1])
        s2, c2 = _add(s2, c2, v)
        if k >= w2:
            s2, c2 = _add(s2, c2, -obs[k - w2])
        # --- rolling max/min over the last hl closes: monotonic deques of observation indices
        while tmax > hmax and obs[dqmax[tmax - 1]] <= v:
            tmax -= 1
        dqmax[tmax] = k
        tmax += 1
        if dqmax[hmax] <= k - hl:
            hmax += 1
        while tmin > hmin and obs[dqmin[tmin - 1]] >= v:
            tmin -= 1
        dqmin[tmin] = k
        tmin += 1
        if dqmin[hmin] <= k - hl:
            hmin += 1
        k += 1
        if k >= w1:
            out[1, i] += 1.0
            if v > (s1 + c1) / w1:
                out[0, i] += 1.0
        if k >= w2:
            out[3, i] += 1.0
            if v > (s2 + c2) / w2:
                out[2, i] += 1.0
        if k >= hl:
            out[8, i] += 1.0
            if obs[dqmax[hmax]] <= v:
                out[6, i] += 1.0
            if obs[dqmin[hmin]] >= v:
                out[7, i] += 1.0
        # --- daily return against the member's own previous close
        if prev == prev:
            r = v / prev - 1.0
            if r > 0.0:
                out[4, i] += 1.0
            elif r < 0.0:
                out[5, i] += 1.0
            out[9, i] += r
            out[10, i] += 1.0
            if has_caps and prev_cap == prev_cap and prev_cap > 0.0:
                out[11, i] += prev_cap * r
                out[12, i] += prev_cap
        prev = v
        if has_caps:
            prev_cap = cap[i]


@njit(cache=True, nogil=True)
def _block(
    x: np.ndarray, caps: np.ndarray, has_caps: bool, w1: int, w2: int, hl: int, out: np.ndarray
) -> None:  # pragma: no cover - compiled
    n = x.shape[0]
    obs = np.empty(n)
    dqmax = np.empty(n, dtype=np.int64)
    dqmin = np.empty(n, dtype=np.int64)
    for j in range(x.shape[1]):
        _column(x[:, j], caps[:, j] if has_caps else caps[:, 0], has_caps, w1, w2, hl, out, obs, dqmax, dqmin)


@njit(cache=True, parallel=True)
def _blocks_parallel(
    x: np.ndarray, caps: np.ndarray, has_caps: bool, w1: int, w2: int, hl: int, block: int
) -> np.ndarray:  # pragma: no cover - compiled
    m = x.shape[1]
    nb = (m + block - 1) // block
    parts = np.zeros((nb, NSTAT, x.shape[0]))
    for b in prange(nb):
        lo = b * block
        hi = min(m, lo + block)
        _block(x[:, lo:hi], caps[:, lo:hi] if has_caps else caps, has_caps, w1, w2, hl, parts[b])
    return parts


def block_partials(
    values: np.ndarray, caps: np.ndarray | None, windows: tuple[int, int], hilo: int, block: int = BLOCK
) -> np.ndarray:
    """Partial counts (n_blocks x NSTAT x T) for a (T x M) float array, one block per ``block`` members.

    This is the map step shared by the single-machine and Dask engines."""
    x = np.asfortranarray(values, dtype=np.float64)
    has_caps = caps is not None
    c = (
        np.asfortranarray(caps, dtype=np.float64)
        if caps is not None
        else np.zeros((x.shape[0], 1), order="F")
    )
    if x.shape[1] == 0:
        return np.zeros((0, NSTAT, x.shape[0]))
    return _blocks_parallel(x, c, has_caps, int(windows[0]), int(windows[1]), int(hilo), int(block))


@njit(cache=True, nogil=True)
def scan_closes(x: np.ndarray) -> tuple[int, int, int]:  # pragma: no cover - compiled
    """One pass: (number of closes, row and column of the first bad one or -1, -1)."""
    n = 0
    for j in range(x.shape[1]):
        for i in range(x.shape[0]):
            v = x[i, j]
            if v != v:
                continue
            if v <= 0.0 or v == np.inf:
                return n, i, j
            n += 1
    return n, -1, -1
