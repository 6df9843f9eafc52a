"""Breadth benchmark: hypecheck's compiled kernel vs the common pandas approach, same data, same run.

Synthetic panels (members x trading days) of random-walk closes with 2% random gaps, late listings
and delistings, plus market caps. For each size it prints our time (median of 3, compiled code
already warm), the pandas long-format ``groupby(member).rolling(N)`` time (one run), their ratio, the
peak traced memory of each (``tracemalloc``: numpy and pandas allocations, measured in a separate
run so tracing does not slow the timed one), and the largest difference between the two results
(they must agree to 1e-9).

    python benchmarks/breadth.py                 # 500x2,520, 3,000x6,300 and 10,000x7,500
    python benchmarks/breadth.py --sizes 500x2520
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

SIZES = [(500, 2520), (3000, 6300), (10000, 7500)]


def panel(members: int, days: int, seed: int = 42) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    px = np.empty((days, members))
    for lo in range(0, members, 1000):  # chunked to keep the generator's temporaries small
        hi = min(members, lo + 1000)
        steps = rng.normal(0.0002, 0.02, (days, hi - lo))
        px[:, lo:hi] = 50.0 * np.exp(np.cumsum(steps, axis=0))
    px[rng.random(px.shape) < 0.02] = np.nan
    listing = rng.integers(0, days // 3, members)
    delisting = rng.integers(days // 2, days + days // 2, members)
    rows = np.arange(days)[:, None]
    px[(rows < listing) | (rows >= delisting)] = np.nan
    idx = pd.bdate_range("2000-01-03", periods=days)
    cols = [f"M{j:05d}" for j in range(members)]
    closes = pd.DataFrame(px, index=idx, columns=cols)
    caps = closes * rng.uniform(1e6, 1e8, members)
    return closes, caps


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def peak_mb(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def max_diff(a: pd.DataFrame, b: pd.DataFrame) -> float:
    worst = 0.0
    for col in b.columns:
        x, y = a[col].to_numpy(dtype=float), b[col].to_numpy(dtype=float)
        if not np.array_equal(np.isnan(x), np.isnan(y)):
            return float("inf")
        ok = ~np.isnan(x)
        if ok.any():
            worst = max(worst, float(np.max(np.abs(x[ok] - y[ok]))))
    return worst


def run(sizes: list[tuple[int, int]]) -> int:
    import numba

    from hypecheck.analytics.breadth import breadth, breadth_pandas

    small, small_caps = panel(50, 300)
    breadth(small, small_caps)  # compile (or load the cache) outside the timings
    print(
        f"breadth: {os.cpu_count()} cores, numba {numba.__version__} ({numba.config.NUMBA_NUM_THREADS} threads), "
        f"pandas {pd.__version__}, numpy {np.__version__}"
    )
    head = f"{'members x days':>16} {'cells':>7} {'ours':>9} {'pandas':>9} {'speed-up':>9} {'ours MB':>8} {'pandas MB':>9} {'max diff':>9}"
    print(head)
    ok = True
    for members, days in sizes:
        closes, caps = panel(members, days)
        t_ours, ours = timed(lambda c=closes, k=caps: breadth(c, k), 3)
        t_pd, ref = timed(lambda c=closes, k=caps: breadth_pandas(c, k), 1)
        diff = max_diff(ours, ref)
        del ref
        m_ours = peak_mb(lambda c=closes, k=caps: breadth(c, k))
        m_pd = peak_mb(lambda c=closes, k=caps: breadth_pandas(c, k))
        ok &= diff <= 1e-9
        print(
            f"{members:>7,} x {days:<6,} {members * days / 1e6:6.1f}M {t_ours:8.3f}s {t_pd:8.2f}s "
            f"{t_pd / t_ours:8.1f}x {m_ours:8.0f} {m_pd:9.0f} {diff:9.1e}",
            flush=True,
        )
        del closes, caps, ours
        gc.collect()
    if not ok:
        print("breadth disagrees with the pandas reference beyond 1e-9", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(f"{m}x{d}" for m, d in SIZES))
    args = ap.parse_args(argv)
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    return run(sizes)  # type: ignore[arg-type]


if __name__ == "__main__":
    raise SystemExit(main())
