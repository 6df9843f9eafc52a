"""The panel of past narratives of a scanned universe, every pair at once (:mod:`hypecheck.scan.wide`).

:func:`build_history` gives the :class:`~hypecheck.lab.history.History` that
:func:`hypecheck.lab.history.build_history` gives for the same universe and catalog, row for row and
value for value (the same births, features, outcomes, sort and clusters; tested), from blocks of
pairs computed as arrays: in this process or one Dask task per block. It is cached on disk under the
lab's :func:`~hypecheck.lab.history.fingerprint` of the inputs plus the source of this package's
engine, in a file of its own (``scan-<key>.parquet``).

Clusters (:mod:`hypecheck.lab.clusters`): the same rule, with the correlations of the births of one
date against every later birth in the window computed as matrix products; a correlation within
:data:`RECHECK` of the threshold is computed again by the lab's own :func:`~hypecheck.lab.clusters._corr`,
so the decision is the lab's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from importlib import resources

import numpy as np
import pandas as pd

from ..lab import clusters as C
from ..lab import features as F
from ..lab import history as H
from ..schema import Catalog
from . import wide as W

RECHECK = 1e-6  # correlations this close to the threshold (or degenerate) are recomputed exactly


def _key(catalog: Catalog, u: H.Universe) -> str:
    h = hashlib.sha256(H.fingerprint(catalog, u).encode())
    for name in ("wide.py", "panel.py"):
        h.update(resources.files("hypecheck.scan").joinpath(name).read_bytes())
    return "scan-" + h.hexdigest()[:32]


def build_history(
    catalog: Catalog,
    u: H.Universe,
    pairs: Sequence[H.PairInput],
    skipped: list[str],
    *,
    name: str,
    source: str,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> H.History:
    """The panel of ``pairs`` of universe ``u`` (see the module); ``skipped``: the pairs without closes."""
    end = pd.Timestamp(max(max(p.pa.index[-1], p.pb.index[-1]) for p in pairs))
    cdir = H.cache_dir()
    key = _key(catalog, u) if cdir is not None else ""
    if key and cdir is not None and (cdir / f"{key}.parquet").is_file():
        cached = H._read_cached(cdir / f"{key}.parquet")
        if cached is not None:
            return H.History(name, u, cached, end, skipped, source, None)
    ctx = H.build_context(catalog, u)
    cal = W.calendar(pairs)
    chunks = [list(pairs[i : i + W.BLOCK]) for i in range(0, len(pairs), W.BLOCK)]
    args = (cal, u.freq, W.context_on(ctx, cal), H.EPISODE_K, H.GAP_MONTHS)
    frames = W.map_blocks(_block, chunks, args, engine, scheduler, progress)
    frames = [f for f in frames if not f.empty]
    eps = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not eps.empty:
        eps = eps.sort_values(["date", "leader", "laggard"], kind="mergesort").reset_index(drop=True)
        eps["cluster"] = clusters(eps, pairs, cal, u.freq)
        eps = H._normalise(eps)
        if key and cdir is not None:
            H._write_cached(cdir / f"{key}.parquet", eps)
    return H.History(name, u, eps, end, skipped, source, ctx)


def _block(
    pairs: list[H.PairInput],
    cal: np.ndarray,
    freq: F.Freq,
    ctx_cal: dict[str, np.ndarray],
    k: float,
    gap: int,
) -> pd.DataFrame:
    """One block's episodes (a Dask task: everything it needs is in its arguments)."""
    blk = W.pack(pairs, cal)
    return W.episodes(blk, W.features(blk, freq, ctx_cal), freq, k, gap)


def returns_wide(
    pairs: Sequence[H.PairInput], cal: np.ndarray
) -> tuple[pd.DatetimeIndex, np.ndarray, list[str]]:
    """Every pair's :func:`~hypecheck.lab.clusters.relative_returns` as the columns of one array
    (the lab's ``wide`` frame: the union of their dates, pairs sorted by key)."""
    keys = [f"{p.a}-{p.b}" for p in pairs]
    order = sorted(range(len(pairs)), key=lambda i: keys[i])
    R = np.full((len(cal), len(pairs)), np.nan)
    used = np.zeros(len(cal), dtype=bool)
    for lo in range(0, len(pairs), W.BLOCK):
        idx = order[lo : lo + W.BLOCK]
        blk = W.pack([pairs[i] for i in idx], cal)
        rs = np.log(blk.a) - np.log(blk.b)
        for c in range(blk.width):
            n = int(blk.n[c])
            if n > 1:
                at = blk.pos[1:n, c]
                R[at, lo + c] = np.diff(rs[:n, c])
                used[at] = True
    return pd.DatetimeIndex(cal[used]), R[used], [keys[i] for i in order]


def clusters(eps: pd.DataFrame, pairs: Sequence[H.PairInput], cal: np.ndarray, freq: F.Freq) -> np.ndarray:
    """:func:`hypecheck.lab.history.cluster_of` (:func:`hypecheck.lab.clusters.assign`) of ``eps``."""
    n = len(eps)
    out = np.empty(n, dtype=object)
    if n == 0:
        return out
    window, cw = C.WINDOW[freq.name], C.CORR_WINDOW[freq.name]
    ucal, R, cols = returns_wide(pairs, cal)
    col = {p: i for i, p in enumerate(cols)}
    sides = {f"{p.a}-{p.b}": p.a for p in pairs}
    dates = pd.DatetimeIndex(eps["date"])
    cal_pos = ucal.searchsorted(dates, side="left")
    pos = (dates.year * 12 + dates.month).to_numpy() if freq.name == "monthly" else cal_pos
    pair = eps["pair"].astype(str).to_numpy()
    leader = eps["leader"].astype(str).to_numpy()
    sign = np.where(leader == np.array([sides[p] for p in pair], dtype=object), 1.0, -1.0)
    ci = np.array([col[p] for p in pair])
    names = [f"{d:%Y-%m-%d} {ld}-{lg}" for d, ld, lg in zip(dates, leader, eps["laggard"], strict=True)]
    first = _first_duplicates(R, ci, sign, pos, cal_pos, pair, window, cw)
    for j in range(n):
        out[j] = out[first[j]] if first[j] >= 0 else names[j]
    return out


def _first_duplicates(
    R: np.ndarray,
    ci: np.ndarray,
    sign: np.ndarray,
    pos: np.ndarray,
    cal_pos: np.ndarray,
    pair: np.ndarray,
    window: int,
    cw: int,
) -> np.ndarray:
    """For each birth ``j``: the earliest earlier birth ``i`` within ``window`` whose oriented returns
    correlated above the threshold with ``j``'s over ``i``'s correlation window (-1: none)."""
    n = len(ci)
    first = np.full(n, -1, dtype="int64")
    starts = np.flatnonzero(np.r_[True, cal_pos[1:] != cal_pos[:-1]])  # births of one date: one window
    bounds = np.r_[starts, n]
    for g in range(len(starts)):
        i0, i1 = int(bounds[g]), int(bounds[g + 1])
        j1 = int(np.searchsorted(pos, pos[i0] + window, side="right"))
        if j1 <= i0 + 1:
            continue
        hi = int(cal_pos[i0])
        lo = max(0, hi - cw)
        X = R[lo:hi, ci[i0:i1]] * sign[i0:i1]
        Y = R[lo:hi, ci[i0 + 1 : j1]] * sign[i0 + 1 : j1]
        corr, sure = _masked_corr(X, Y, cw // 2)
        jj = np.arange(i0 + 1, j1)
        ii = np.arange(i0, i1)
        valid = (jj[None, :] > ii[:, None]) & (pair[ii][:, None] != pair[jj][None, :])
        valid &= (first[jj] < 0)[None, :]  # a birth already placed keeps its earliest duplicate
        for a, b in zip(*np.nonzero(valid & ~sure), strict=True):  # near the threshold: the lab's own
            i, j = int(ii[a]), int(jj[b])
            lo_, hi_ = max(0, int(cal_pos[i]) - cw), int(cal_pos[i])
            corr[a, b] = C._corr(R[lo_:hi_, ci[i]] * sign[i], R[lo_:hi_, ci[j]] * sign[j], cw // 2)
        with np.errstate(invalid="ignore"):
            hit = valid & (corr > C.RHO)
        found = hit.any(axis=0)
        first[jj[found]] = ii[hit.argmax(axis=0)[found]]
    return first


def _masked_corr(X: np.ndarray, Y: np.ndarray, min_obs: int) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlations of every column of ``X`` with every column of ``Y`` over the rows where
    both are present (NaN with fewer than ``min_obs``), and whether each is safely away from the
    threshold (else it is recomputed exactly)."""
    mx, my = ~np.isnan(X), ~np.isnan(Y)
    x, y = np.where(mx, X, 0.0), np.where(my, Y, 0.0)
    fx, fy = mx.astype("float64"), my.astype("float64")
    cnt = fx.T @ fy
    sx, sy = x.T @ fy, fx.T @ y
    sxx, syy, sxy = (x * x).T @ fy, fx.T @ (y * y), x.T @ y
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sy / cnt
        vx, vy = sxx - sx * sx / cnt, syy - sy * sy / cnt
        corr = cov / np.sqrt(vx * vy)
    enough = cnt >= min_obs
    corr = np.where(enough, corr, np.nan)
    sure = ~enough | (
        np.isfinite(corr) & (np.abs(corr - C.RHO) > RECHECK) & (vx > 1e-12 * sxx) & (vy > 1e-12 * syy)
    )
    return corr, sure


__all__ = ["build_history", "clusters", "returns_wide"]
