"""Every pair's features at once: the scan's engine for member universes, arrays of pairs x dates.

The lab computes a pair at a time (:func:`hypecheck.lab.history.episodes_of`: a pandas frame per
pair, a few milliseconds of Python each); a universe of thousands of members spends its time there.
Here the pairs of a *block* are packed side by side, **start-aligned**: column ``j`` holds pair
``j``'s closes on its own common calendar (the dates where both sides have a positive close, as
:func:`hypecheck.lab.features.align` takes them) from row 0, NaN below its last row. Every feature of
:func:`~hypecheck.lab.features.pair_features` is a function of a row and the rows above it in the
pair's own calendar (shifts, rolling windows, exponential averages), so the frame's column ``j``
computed by pandas' column-wise kernels is, value for value, the pair's own computation: the same
arithmetic in the same order, the trailing NaN never reached by an earlier row (tested bit for bit
against the per-pair definitions, :mod:`tests.scan.test_wide`). Only the dates go through the union
calendar of the block (``pos``): the market context is read once on it and gathered, and the
outcomes' horizon ends are found by one sorted search over every pair.

A block is also the unit of work on a Dask cluster (:func:`map_blocks`): the same rows in the same
order whichever engine ran it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..analytics import rrg
from ..lab import features as F
from ..lab.history import Context, PairInput, dask_client

THREADS = min(2, os.cpu_count() or 1)  # blocks computed at once in a local scan
BLOCK = 256  # pairs per block: bounds the memory of the feature arrays (about 30 of L x BLOCK floats)
TERM_AGE_DAYS = 62  # pair_features' max age of a search-interest value (F.pair_features)


@dataclass
class Block:
    """Pairs packed start-aligned (see the module). ``a``, ``b``: closes (rows x pairs, Fortran order,
    so each pair's column is contiguous); ``pos``: each row's position in ``cal`` (-1 below the last);
    ``n``: rows per pair."""

    keys: list[str]
    a_ids: list[str]
    b_ids: list[str]
    groups: list[str]
    a: np.ndarray
    b: np.ndarray
    pos: np.ndarray
    n: np.ndarray
    cal: np.ndarray  # int64 nanoseconds, sorted, unique
    twins: list[tuple[pd.Series | None, pd.Series | None]]
    terms: list[tuple[pd.Series | None, pd.Series | None]]

    @property
    def width(self) -> int:
        return len(self.keys)

    def dates(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The dates (int64 ns) of rows ``rows`` of pairs ``cols``."""
        return self.cal[self.pos[rows, cols]]

    def last(self) -> np.ndarray:
        """Each pair's last date (int64 ns)."""
        return self.dates(self.n - 1, np.arange(self.width))


def calendar(pairs: Sequence[PairInput]) -> np.ndarray:
    """The union of every pair's dates (int64 ns, sorted)."""
    if not pairs:
        return np.zeros(0, dtype="int64")
    seen: dict[int, np.ndarray] = {}
    for p in pairs:
        for s in (p.pa, p.pb):
            seen.setdefault(id(s), _ns(s))
    return np.unique(np.concatenate(list(seen.values())))


def _ns(s: pd.Series) -> np.ndarray:
    """``s``'s dates as int64 nanoseconds (UTC for an aware index)."""
    values = s.index.values
    if values.dtype.kind != "M":
        values = (
            pd.DatetimeIndex(s.index).tz_convert(None).values
            if getattr(s.index, "tz", None)
            else pd.DatetimeIndex(s.index).values
        )
    return np.asarray(values.astype("datetime64[ns]", copy=False).view("int64"))


def pack(
    pairs: Sequence[PairInput],
    cal: np.ndarray,
    *,
    flip: Sequence[bool] | None = None,
    cut: int | None = None,
) -> Block:
    """Pack ``pairs`` start-aligned on ``cal``. ``flip[j]``: pack pair ``j`` as ``b`` over ``a`` (the
    leader's view of a narrative whose leader is ``b``); ``cut``: only the first ``cut`` dates of
    ``cal`` (the closes known on a scan date)."""
    lu = len(cal) if cut is None else cut
    full: dict[int, np.ndarray | None] = {}

    def on_cal(s: pd.Series) -> np.ndarray | None:
        """``s`` on the calendar (NaN where it has no close); None when its dates are not sorted and
        unique (then the pair is aligned as :func:`~hypecheck.lab.features.align` does)."""
        if id(s) not in full:
            ns = _ns(s)
            if len(ns) > 1 and not bool(np.all(np.diff(ns) > 0)):
                full[id(s)] = None
            else:
                v = np.full(len(cal), np.nan)
                v[np.searchsorted(cal, ns)] = s.to_numpy(dtype="float64")
                full[id(s)] = v
        return full[id(s)]

    cols: list[np.ndarray] = []
    sides: list[tuple[np.ndarray, np.ndarray]] = []
    keys, a_ids, b_ids, groups, twins, terms = [], [], [], [], [], []
    for j, p in enumerate(pairs):
        fl = flip is not None and bool(flip[j])
        sa, sb = (p.pb, p.pa) if fl else (p.pa, p.pb)
        va, vb = on_cal(sa), on_cal(sb)
        if va is None or vb is None:
            df = F.align(sa, sb)
            at = np.searchsorted(cal, _ns(df["a"]))
            keep = at < lu
            rows, xa, xb = at[keep], df["a"].to_numpy()[keep], df["b"].to_numpy()[keep]
        else:
            va, vb = va[:lu], vb[:lu]
            with np.errstate(invalid="ignore"):
                rows = np.flatnonzero((va > 0) & (vb > 0))
            xa, xb = va[rows], vb[rows]
        cols.append(rows)
        sides.append((xa, xb))
        keys.append(f"{p.a}-{p.b}")
        a_ids.append(p.b if fl else p.a)
        b_ids.append(p.a if fl else p.b)
        groups.append(p.group)
        twins.append((p.twin_b, p.twin_a) if fl else (p.twin_a, p.twin_b))
        terms.append((p.term_b, p.term_a) if fl else (p.term_a, p.term_b))
    n = np.array([len(r) for r in cols], dtype="int64")
    height = int(n.max()) if len(n) else 0
    a = np.full((height, len(cols)), np.nan, order="F")
    b = np.full((height, len(cols)), np.nan, order="F")
    pos = np.full((height, len(cols)), -1, dtype="int64", order="F")
    for j, rows in enumerate(cols):
        a[: len(rows), j], b[: len(rows), j] = sides[j]
        pos[: len(rows), j] = rows
    return Block(keys, a_ids, b_ids, groups, a, b, pos, n, cal, twins, terms)


def context_on(ctx: Context | None, cal: np.ndarray) -> dict[str, np.ndarray]:
    """The market context on every date of ``cal`` (what :meth:`Context.on` gives each pair)."""
    if ctx is None or not ctx.series or not len(cal):
        return {}
    frame = ctx.on(pd.DatetimeIndex(cal))
    return {str(c): frame[c].to_numpy(dtype="float64") for c in frame.columns}


def features(blk: Block, freq: F.Freq, ctx_cal: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every column of :func:`~hypecheck.lab.features.pair_features` (orientation ``a`` over ``b``) plus
    the context, for every pair of ``blk`` at once (rows x pairs), and ``rs`` (``ln a - ln b``) and
    ``sigma`` (:func:`~hypecheck.lab.history.pair_sigma`)."""
    from ..lab.null import LAMBDA

    A, B = pd.DataFrame(blk.a), pd.DataFrame(blk.b)
    la, lb = np.log(blk.a), np.log(blk.b)
    rs_np = la - lb
    rs = pd.DataFrame(rs_np)
    out: dict[str, np.ndarray] = {"a": blk.a, "b": blk.b, "rs": rs_np}
    out["sharpness"] = F.sharpness(rs, freq).to_numpy()  # type: ignore[arg-type]  # frames alike
    moms = []
    for months in (1, 3, 6, 12):
        lag = months * freq.ppm
        m = (A / A.shift(lag) - B / B.shift(lag)).to_numpy()  # F._rel_return, column by column
        out[f"mom_{months}m"] = m
        moms.append(m)
    out["consistency"] = np.sign(np.stack(moms, axis=-1)).mean(axis=-1)
    ratio, momentum = _rrg(rs, freq)
    out["rs_ratio"], out["rs_momentum"] = ratio - 100.0, momentum - 100.0
    hi = rs.rolling(freq.high, min_periods=freq.high)
    out["dist_high_a"] = (rs - hi.max()).to_numpy()
    out["dist_high_b"] = (hi.min() - rs).to_numpy()
    d = rs.diff()
    out["rel_vol"] = (
        d.rolling(freq.noise, min_periods=freq.noise).std(ddof=1) * math.sqrt(freq.ppy)
    ).to_numpy()
    _sided(blk, freq, out)
    for k, v in ctx_cal.items():
        out[k] = np.where(blk.pos >= 0, v[np.clip(blk.pos, 0, None)], np.nan)
    s2 = (d * d).ewm(alpha=1.0 - LAMBDA[freq.name], adjust=False).mean()  # N.conditional_sigma
    out["sigma"] = np.sqrt(s2.to_numpy())
    return out


def _rrg(rs: pd.DataFrame, freq: F.Freq) -> tuple[np.ndarray, np.ndarray]:
    """``100 + RS-Ratio`` and ``100 + RS-Momentum`` of ``100 rs``: :func:`hypecheck.analytics.rrg._one_ticker`
    column by column (its burn-in counted from each pair's first row, row 0 here)."""
    smooth, window, roc, mom_window = freq.rrg
    ema = (100.0 * rs).ewm(span=smooth, adjust=False).mean()
    burn = np.broadcast_to((np.arange(len(ema)) >= smooth)[:, None], ema.shape)
    ema = ema.where(burn)
    z = rrg._zscore(ema, window, None)
    zm = rrg._zscore(z - z.shift(roc), mom_window, rrg._ABS_TOL)
    return (100.0 + z).to_numpy(), (100.0 + zm).to_numpy()


def _sided(blk: Block, freq: F.Freq, out: dict[str, np.ndarray]) -> None:
    """``ew_confirm_a/_b`` and ``attention_a/_b``: NaN but for the pairs with a twin or a term."""
    shape = blk.a.shape
    for name in ("ew_confirm_a", "ew_confirm_b", "attention_a", "attention_b"):
        out[name] = np.full(shape, np.nan, order="F")
    lag = 3 * freq.ppm
    for j in range(blk.width):
        n = int(blk.n[j])
        twins, terms = blk.twins[j], blk.terms[j]
        if all(x is None for x in (*twins, *terms)) or n == 0:
            continue
        index = pd.DatetimeIndex(blk.dates(np.arange(n), np.full(n, j)))
        for side, twin, closes in (("a", twins[0], blk.a), ("b", twins[1], blk.b)):
            if twin is not None:
                t = twin.astype("float64").reindex(index)
                c = pd.Series(closes[:n, j], index=index)
                out[f"ew_confirm_{side}"][:n, j] = (t / t.shift(lag) - c / c.shift(lag)).to_numpy()
        for side, term in (("a", terms[0]), ("b", terms[1])):
            if term is not None:
                out[f"attention_{side}"][:n, j] = F.asof(term, index, max_age_days=TERM_AGE_DAYS)


def births(blk: Block, z: np.ndarray, k: float, gap_months: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~hypecheck.lab.features.detect` on every pair of ``blk`` (``z``: its sharpness): the
    births' rows, pairs and directions, pair by pair and in row order within a pair."""
    sig = np.where(np.isnan(z), 0, np.where(z >= k, 1, np.where(z <= -k, -1, 0))).astype("int8")
    prev = np.zeros_like(sig)
    prev[1:] = sig[:-1]
    cols, rows = np.nonzero(((sig != 0) & (sig != prev)).T)  # run starts, pair by pair
    if not len(rows):
        empty = np.zeros(0, dtype="int64")
        return empty, empty, empty
    when = blk.dates(rows, cols)
    until = np.asarray((pd.DatetimeIndex(when) + pd.DateOffset(months=gap_months)).as_unit("ns").asi8)
    s = sig[rows, cols]
    keep = _gap_rule(cols, s, when, until)
    return rows[keep], cols[keep], s[keep].astype("int64")


def _gap_rule(cols: np.ndarray, sig: np.ndarray, when: np.ndarray, until: np.ndarray) -> np.ndarray:
    """Keep a run start unless it comes before ``gap`` after the last kept one of its pair and sign."""
    keep = np.zeros(len(cols), dtype=bool)
    last_col = -1
    up: int | None = None
    down: int | None = None
    for i, (c, s, w) in enumerate(zip(cols.tolist(), sig.tolist(), when.tolist(), strict=True)):
        if c != last_col:
            last_col, up, down = c, None, None
        bound = up if s > 0 else down
        if bound is not None and w < bound:
            continue
        keep[i] = True
        if s > 0:
            up = int(until[i])
        else:
            down = int(until[i])
    return keep


def row_of(blk: Block, cols: np.ndarray, when: np.ndarray) -> np.ndarray:
    """For each ``(cols[i], when[i])``: the pair's last row dated on or before ``when[i]`` (-1 if none)."""
    stride = len(blk.cal) + 1
    valid = blk.pos >= 0
    flat_pos = blk.pos.T[valid.T]  # pair-major: pair 0's rows, then pair 1's ...
    flat_col = np.repeat(np.arange(blk.width), blk.n)
    keys = flat_col * stride + flat_pos
    start = np.concatenate([[0], np.cumsum(blk.n)[:-1]]) if blk.width else np.zeros(0, dtype="int64")
    at = np.searchsorted(blk.cal, when, side="right") - 1
    q = np.searchsorted(keys, cols * stride + at, side="right") - 1
    row = q - start[cols]
    return np.where((q >= start[cols]) & (at >= 0), row, -1)


def episodes(
    blk: Block, feat: dict[str, np.ndarray], freq: F.Freq, k: float, gap_months: int
) -> pd.DataFrame:
    """:func:`~hypecheck.lab.history.episodes_of` for every pair of ``blk``, pair after pair."""
    from ..lab.history import HORIZON_MONTHS

    rows, cols, dirs = births(blk, feat["sharpness"], k, gap_months)
    ok = blk.n[cols] >= freq.noise + freq.move + 2  # shorter pairs have no episodes (episodes_of)
    rows, cols, dirs = rows[ok], cols[ok], dirs[ok]
    d = dirs.astype("float64")
    x: dict[str, Any] = {"date": pd.DatetimeIndex(blk.dates(rows, cols))}
    a_ids, b_ids = np.array(blk.a_ids, dtype=object), np.array(blk.b_ids, dtype=object)
    x["leader"] = np.where(dirs > 0, a_ids[cols], b_ids[cols])
    x["laggard"] = np.where(dirs > 0, b_ids[cols], a_ids[cols])
    x["pair"] = np.array(blk.keys, dtype=object)[cols]
    x["group"] = np.array(blk.groups, dtype=object)[cols]
    x["direction"] = np.ones(len(rows), dtype="int64")
    x.update(_oriented(feat, rows, cols, d))
    rs = feat["rs"]
    prev = rows - freq.move
    x["move"] = np.where(prev >= 0, rs[rows, cols] - rs[np.clip(prev, 0, None), cols], np.nan) * d
    x["sigma"] = feat["sigma"][rows, cols]
    monthly = freq.ppm == 1
    last = blk.last()[cols]
    ends = {h: F.horizon_end(x["date"], h, monthly) for h in HORIZON_MONTHS}
    rel = {}
    for h in HORIZON_MONTHS:
        end = np.asarray(ends[h].as_unit("ns").asi8)
        good = end <= last
        j = np.where(good, row_of(blk, cols, end), rows)
        a, b = feat["a"], feat["b"]
        r = (a[j, cols] / a[rows, cols] - b[j, cols] / b[rows, cols]) * d
        x[f"outcome_{h}m"] = np.where(good, r, np.nan)
        rel[h] = np.where(good, (rs[j, cols] - rs[rows, cols]) * d, np.nan)
    for h in HORIZON_MONTHS:
        x[f"rel_{h}m"] = rel[h]
    for h in HORIZON_MONTHS:
        x[f"known_{h}m"] = ends[h]
    x["data_end"] = pd.DatetimeIndex(last)
    return pd.DataFrame(x)


def _oriented(
    feat: dict[str, np.ndarray], rows: np.ndarray, cols: np.ndarray, d: np.ndarray
) -> dict[str, Any]:
    """:func:`~hypecheck.lab.features.orient` of rows ``rows`` of pairs ``cols`` (directions ``d``)."""
    out: dict[str, Any] = {}
    for c in F.SIGNED:
        out[c] = feat[c][rows, cols] * d
    for c in F.SIDED:
        out[c] = np.where(d > 0, feat[f"{c}_a"][rows, cols], feat[f"{c}_b"][rows, cols])
    for c in F.CONTEXT:
        out[c] = feat[c][rows, cols] if c in feat else np.full(len(rows), np.nan)
    return out


def block_episodes(
    blk: Block, freq: F.Freq, ctx_cal: dict[str, np.ndarray], k: float, gap: int
) -> pd.DataFrame:
    """One block's episodes (a Dask task: everything it needs is in its arguments)."""
    return episodes(blk, features(blk, freq, ctx_cal), freq, k, gap)


def map_blocks(
    fn: Callable[..., Any],
    blocks: Sequence[Any],
    args: tuple[Any, ...],
    engine: str,
    scheduler: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Any]:
    """``[fn(b, *args) for b in blocks]`` in this process (``engine="local"``; ``blocks`` may be lazy)
    or as one task per block on a Dask cluster (the running one at ``scheduler``, else a local one);
    the results in the blocks' order either way."""
    from ..errors import InputError

    if engine == "local":
        return _local(fn, blocks, args, progress)
    if engine != "dask":
        raise InputError(f"unknown engine {engine!r}", hint="use local or dask")
    client, owned = dask_client(scheduler)
    try:
        shared = [client.scatter(a, broadcast=True) if isinstance(a, dict) else a for a in args]
        futs = [client.submit(fn, b, *shared, pure=False) for b in blocks]
        return list(client.gather(futs))
    finally:
        cluster = client.cluster if owned else None
        client.close()
        if cluster is not None:
            cluster.close()


def _local(
    fn: Callable[..., Any],
    blocks: Sequence[Any],
    args: tuple[Any, ...],
    progress: Callable[[int, int], None] | None,
) -> list[Any]:
    """The blocks on :data:`THREADS` threads of this process (pandas' and numpy's kernels release the
    GIL), results in the blocks' order; at most ``THREADS`` blocks in memory at once."""
    from concurrent.futures import ThreadPoolExecutor

    out: list[Any] = []
    if THREADS <= 1 or len(blocks) <= 1:
        for i, b in enumerate(blocks):
            out.append(fn(b, *args))
            if progress is not None:
                progress(i + 1, len(blocks))
        return out
    with ThreadPoolExecutor(THREADS) as pool:
        pending = [pool.submit(fn, b, *args) for b in blocks[:THREADS]]
        for i in range(len(blocks)):
            out.append(pending[i].result())
            pending[i] = None  # type: ignore[call-overload]
            if i + THREADS < len(blocks):
                pending.append(pool.submit(fn, blocks[i + THREADS], *args))
            if progress is not None:
                progress(i + 1, len(blocks))
    return out


__all__ = [
    "BLOCK",
    "Block",
    "births",
    "block_episodes",
    "calendar",
    "context_on",
    "features",
    "map_blocks",
    "pack",
]
