"""The live narratives at a scan date, measured for every pair at once (:mod:`hypecheck.scan.wide`).

A pair's narrative is *live* at ``D`` when its latest birth on or before ``D`` is at most
:data:`~hypecheck.scan.core.LOOKBACK_MONTHS` old and its leader is still ahead of where the move began
(see :mod:`hypecheck.scan.core`). Each candidate pair is packed in its leader's view (the leader as
side ``a``) with the closes known on ``D``, and one pass over the block gives, for every pair, what a
``check`` of it as of ``D`` computes one pair at a time: the leader's features on its last date
(:func:`hypecheck.lab.verdict.theme_features` without the pair's base rate, added by the caller from
the model's panel), the fade test (:func:`hypecheck.lab.fade.fade_test`), the pair's volatility for the
random walk's range (:func:`hypecheck.lab.fade.range_now`), and the move, the return since the birth
and the sparkline of :func:`hypecheck.scan.core._narrative`. Tested value for value against those
functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..lab import fade as FD
from ..lab import features as F
from ..lab import history as H
from ..lab import null as N
from . import wide as W

KNOWN_AT_MAX = 5000  # narratives up to which the scan calls the lab's known_at (above: known_now)
SPARK_DAYS = 63  # trading days of relative strength kept for a sparkline (three months)
RANGE_ROWS = 80  # range_now: a pair needs this many common closes for the random walk's range


@dataclass
class Measured:
    """One candidate narrative measured at the scan date (leader's view)."""

    index: int  # the pair's position in the scan's pairs
    leader: str
    laggard: str
    given_back: bool  # the leader no longer ahead of where the move began
    born: pd.Timestamp | None = None  # the latest birth (from the panel)
    born_sharpness: float = np.nan
    age: int = 0
    move: float = np.nan
    since: float = np.nan
    rs: list[float] = field(default_factory=list)
    rs_start: pd.Timestamp | None = None
    row: dict[str, float] = field(default_factory=dict)  # theme_features' columns but pair_base_rate
    fade: Any = None
    sigma: float | None = None  # the pair's conditional deviation now (None: too few closes)


def candidates(
    eps: pd.DataFrame, pairs: Sequence[H.PairInput], ts: pd.Timestamp, lookback_months: int
) -> list[tuple[int, dict[str, Any]]]:
    """(position in ``pairs``, latest birth as a row of ``eps``) of every pair whose latest birth on or
    before ``ts`` is at most ``lookback_months`` old, in the pairs' order."""
    if eps.empty:
        return []
    eps = eps.loc[pd.DatetimeIndex(eps["date"]) <= ts]
    latest = eps.groupby("pair", sort=False).tail(1)
    since_min = ts - pd.DateOffset(months=lookback_months)
    rows = {str(r["pair"]): {str(k): v for k, v in r.items()} for r in latest.to_dict("records")}
    out: list[tuple[int, dict[str, Any]]] = []
    for i, p in enumerate(pairs):
        ep = rows.get(f"{p.a}-{p.b}")
        if ep is None or pd.Timestamp(str(ep["date"])) < since_min:
            continue
        out.append((i, ep))
    return out


def measure(
    pairs: Sequence[H.PairInput],
    cands: list[tuple[int, dict[str, Any]]],
    ts: pd.Timestamp,
    freq: F.Freq,
    ctx: H.Context | None,
    tails: N.Tails,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Measured]:
    """Every candidate measured at ``ts`` (see the module), in the candidates' order."""
    if not cands:
        return []
    sub = [pairs[i] for i, _ in cands]
    cal = W.calendar(sub)
    cut = int(np.searchsorted(cal, pd.Timestamp(ts).as_unit("ns").value, side="right"))
    ctx_cal = W.context_on(ctx, cal[:cut])
    items = []
    for lo in range(0, len(cands), W.BLOCK):
        part = cands[lo : lo + W.BLOCK]
        items.append(
            (
                [pairs[i] for i, _ in part],
                [i for i, _ in part],
                [str(ep["leader"]) != pairs[i].a for i, ep in part],
                np.array([pd.Timestamp(ep["date"]).as_unit("ns").value for _, ep in part], dtype="int64"),
            )
        )
    args = (cal, cut, freq, ctx_cal, tails)
    out: list[Measured] = []
    for res in W.map_blocks(_measure_block, items, args, engine, scheduler, progress):
        out += res
    for m, (_, ep) in zip(out, cands, strict=True):
        m.born, m.born_sharpness = pd.Timestamp(ep["date"]), float(ep["sharpness"])
    return out


def _measure_block(
    item: tuple[list[H.PairInput], list[int], list[bool], np.ndarray],
    cal: np.ndarray,
    cut: int,
    freq: F.Freq,
    ctx_cal: dict[str, np.ndarray],
    tails: N.Tails,
) -> list[Measured]:
    """One block of candidates (a Dask task)."""
    pairs, index, flip, born = item
    blk = W.pack(pairs, cal, flip=flip, cut=cut)
    feat = W.features(blk, freq, ctx_cal)
    cols = np.arange(blk.width)
    t = blk.n - 1
    j = W.row_of(blk, cols, born - 1) + 1  # searchsorted(born), left: the birth's own row
    brows, bcols, bdirs = W.births(blk, feat["sharpness"], H.EPISODE_K, H.GAP_MONTHS)
    rs, a, b = feat["rs"], feat["a"], feat["b"]
    out = []
    for c in range(blk.width):
        m = Measured(index[c], blk.a_ids[c], blk.b_ids[c], False)
        tc, jc = int(t[c]), int(j[c])
        if rs[tc, c] - rs[max(jc - freq.move, 0), c] <= 0:  # the whole move lost: no lead left
            m.given_back = True
            out.append(m)
            continue
        m.age = tc - jc
        mv = freq.move
        m.move = float(a[tc, c] / a[tc - mv, c] - b[tc, c] / b[tc - mv, c])
        m.since = float(a[tc, c] / a[jc, c] - b[tc, c] / b[jc, c])
        s0 = max(0, tc + 1 - SPARK_DAYS)
        ratio = a[s0 : tc + 1, c] / b[s0 : tc + 1, c]
        m.rs = (ratio / ratio[0]).tolist()
        m.rs_start = pd.Timestamp(int(blk.dates(np.array([s0]), np.array([c]))[0]))
        m.row = _row(feat, tc, c)
        own = bcols == c
        m.fade = _fade(blk, feat, c, brows[own], bdirs[own], freq, tails)
        m.sigma = float(feat["sigma"][tc, c]) if tc + 1 >= RANGE_ROWS else None
        out.append(m)
    return out


def _row(feat: dict[str, np.ndarray], t: int, c: int) -> dict[str, float]:
    """The leader's features on row ``t`` of pair ``c`` (packed in the leader's view): ``orient`` with
    direction +1, as :func:`~hypecheck.lab.verdict.theme_features` takes it."""
    one = np.array([t]), np.array([c])
    d = np.ones(1)
    out: dict[str, float] = {}
    for k, v in W._oriented(feat, *one, d).items():
        out[k] = float(v[0])
    return out


def _fade(
    blk: W.Block,
    feat: dict[str, np.ndarray],
    c: int,
    rows: np.ndarray,
    dirs: np.ndarray,
    freq: F.Freq,
    tails: N.Tails,
) -> FD.Fade:
    """:func:`hypecheck.lab.fade.fade_test` of pair ``c`` (its leader as side ``a``) on its last row."""
    period = "trading day" if freq.ppm > 1 else "month"
    out = FD.Fade(blk.a_ids[c], blk.b_ids[c], "no narrative born", period=period)
    n = int(blk.n[c])
    if n < freq.noise + freq.move + 2:
        return out
    dates = blk.dates(rows, np.full(len(rows), c))
    last = pd.Timestamp(int(blk.dates(np.array([n - 1]), np.array([c]))[0]))
    since = (last - pd.DateOffset(months=FD.LOOKBACK_MONTHS)).as_unit("ns").value
    keep = dates >= since
    rows, dirs, dates = rows[keep], dirs[keep], dates[keep]
    ups, downs = dirs > 0, dirs < 0
    if not ups.any():
        out.last_other = pd.Timestamp(int(dates[downs][-1])) if downs.any() else None
        return out
    row = int(rows[ups][-1])
    rs = feat["rs"][:n, c]
    later = downs & (rows > row)
    out.birth = pd.Timestamp(int(dates[ups][-1]))
    out.reversed_on = pd.Timestamp(int(dates[later][0])) if later.any() else None
    out.sharpness = float(feat["sharpness"][row, c])
    out.move = float(rs[row] - rs[row - freq.move])
    out.sigma = float(feat["sigma"][row, c])
    out.age = int(n - 1 - row)
    r_a = float(rs[-1] - rs[row])
    out.retained = (out.move + r_a) / out.move
    if out.age < FD.MIN_AGE[freq.name]:
        out.label = "too young to tell"
        return out
    z, p, e = FD.fade_statistic(out.move, r_a, out.sigma, out.age, tails)
    out.z, out.p_value, out.expected_rw = float(z), float(p), float(e)
    out.label = FD.LABELS[0] if out.p_value < FD.LEVEL else FD.LABELS[1]
    return out


def range_of(sigma: float | None, freq: F.Freq, k: FD.Known) -> FD.Range | None:
    """:func:`hypecheck.lab.fade.range_now` from the pair's conditional deviation now."""
    if sigma is None:
        return None
    lo, hi = N.null_range(np.array([sigma]), N.steps(k.months, freq.ppm), k.tails, FD.RANGE_LEVEL)
    return FD.Range(
        k.months,
        FD.RANGE_LEVEL,
        float(lo[0]),
        float(hi[0]),
        sigma,
        k.coverage_oos,
        k.coverage_ci,
        k.coverage_n,
    )


def known_now(eps: pd.DataFrame, months: int, ppm: int, as_of: pd.Timestamp) -> FD.Known:
    """What the scan reads of :func:`hypecheck.lab.fade.known_at` for all narratives: the tails of the
    standardised outcomes over ``months`` and over one month, and the random walk's range's
    out-of-sample coverage with its block-bootstrap interval. The same computations, but the interval's
    bootstrap weights (:func:`hypecheck.lab.bootstrap.block_weights`: the same draws of the same
    generator) are summed a calendar year at a time instead of held as a draws x narratives array
    (at 40,000 narratives: 320 MB twice, and the detectable AUC the scan does not read, 5 s and more).
    Equal to ``known_at`` but for the summation order of the interval's weighted means (tested)."""
    from ..lab import target as T
    from ..lab.bootstrap import interval
    from ..lab.retention import null_at

    out = FD.Known("all", months)
    if eps.empty:
        return out
    nl = null_at(eps, months, ppm, level=FD.RANGE_LEVEL)
    n1 = null_at(eps, 1, ppm)
    known = np.asarray(T.known_dates(eps, months) <= as_of) & ~np.isnan(nl.kept)
    out.tails = N.fit_tails(nl.z[known])
    k1 = np.asarray(T.known_dates(eps, 1) <= as_of) & np.isfinite(n1.z)
    out.tails_1m = N.fit_tails(n1.z[k1])
    years = pd.DatetimeIndex(eps["date"]).year.to_numpy()
    clusters = eps["cluster"].astype(str).to_numpy() if "cluster" in eps else np.arange(len(eps)).astype(str)
    inside = (nl.r[known] >= nl.lo[known]) & (nl.r[known] <= nl.hi[known])
    good = ~np.isnan(nl.lo[known])
    if good.sum() > 20:
        out.coverage_n = int(good.sum())
        out.coverage_oos = float(inside[good].mean())
        draws = _block_wmean(clusters[known], years[known], good, inside[good].astype(float))
        out.coverage_ci = interval(draws)
    return out


def _block_wmean(clusters: np.ndarray, years: np.ndarray, rows: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``wmean(block_weights(clusters, years)[:, rows], x)`` a year of clusters at a time."""
    from ..lab.bootstrap import BOOT

    codes, uniq = pd.factorize(pd.Series(clusters, dtype=object))
    k = len(uniq)
    if k == 0:
        return np.full(BOOT, np.nan)
    cyear = np.zeros(k, dtype="int64")
    first = pd.Series(np.asarray(years)).groupby(codes).min()
    cyear[first.index.to_numpy()] = first.to_numpy()
    yrs = np.unique(cyear)
    rng = np.random.default_rng(0)
    ycount = rng.multinomial(len(yrs), np.full(len(yrs), 1.0 / len(yrs)), size=BOOT)
    xs = np.bincount(codes[rows], weights=x, minlength=k)
    cs = np.bincount(codes[rows], minlength=k).astype("float64")
    num, den = np.zeros(BOOT), np.zeros(BOOT)
    for j, y in enumerate(yrs):
        members = np.flatnonzero(cyear == y)
        m = len(members)
        w = rng.multinomial(ycount[:, j] * m, np.full(m, 1.0 / m))
        num += w @ xs[members]
        den += w @ cs[members]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


__all__ = ["KNOWN_AT_MAX", "Measured", "candidates", "known_now", "measure", "range_of"]
