"""`make bench` (issue 24 item 1): ``hypecheck scan`` of 3,000 and 5,000 members over six years.

Data: SYNTHETIC random-walk closes (a market factor times a random beta plus idiosyncratic noise) for
the members and a benchmark over six years of business days (2019-2024), written as one long Parquet
file (date,ticker,close): there are no constituent prices in ../shared/data, and a timing benchmark
needs only the shape of the work.

* **scan**: ``scan(catalog, D, members.toml)`` in a fresh process with an empty disk cache: reading
  the Parquet file, every member's features and births at once (:mod:`hypecheck.scan.wide`), the
  clusters, the panel model fitted as of ``D``, the live narratives measured and scored. Its wall time,
  its CPU time (what the wall time would be on an idle machine, the scan being one process) and its
  peak memory (``ru_maxrss`` of that process, so the interpreter and its imports included).
* **baseline, in this process on the same data**: the per-pair path the scan replaced (issue 16's
  engine): for a random sample of members, the lab's :func:`~hypecheck.lab.history.episodes_of` of the
  pair, and for a pair with a live narrative :func:`~hypecheck.lab.verdict.theme_features`,
  :func:`~hypecheck.lab.fade.fade_test` and :func:`~hypecheck.lab.fade.range_now`; timed on the sample
  and extrapolated to every member (the full loop takes minutes per thousand members). The clusters,
  the model and the reading are not in it, in the baseline's favour.

Goals (issue 24): 3,000 members under 30 s; 5,000 under 60 s and under 1 GB peak. The machine's load
(``uptime``) is printed before and after: the machine has 2 cores shared with other work.

Usage: ``python benchmarks/scan.py [members ...] [--sample K]`` (defaults 3000 5000, sample 40).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

AS_OF = "2024-06-28"
GOALS = {3000: (30.0, None), 5000: (60.0, 1024.0)}  # seconds, MB


def make_members(folder: Path, n: int, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2019-01-01", "2024-12-31")
    mkt = np.cumsum(rng.normal(0.0003, 0.01, len(dates)))
    frames = [pd.DataFrame({"date": dates, "ticker": "BENCH", "close": 100 * np.exp(mkt)})]
    betas = rng.uniform(0.5, 1.5, n)
    for i in range(n):
        idio = np.cumsum(rng.normal(0, 0.015, len(dates)))
        frames.append(
            pd.DataFrame({"date": dates, "ticker": f"S{i:04d}", "close": 40 * np.exp(betas[i] * mkt + idio)})
        )
    import duckdb  # writes Parquet without the optional pyarrow

    duckdb.from_df(pd.concat(frames, ignore_index=True)).write_parquet(str(folder / "members.parquet"))
    toml = folder / "members.toml"
    toml.write_text(
        'name = "bench-members"\nversion = "1"\ndescription = "synthetic random walks"\n'
        '[members]\nbenchmark = "BENCH"\nprices = "members.parquet"\n'
    )
    return toml


def child(toml: str) -> None:
    """The scan in this (fresh) process: one JSON line with its time and this process's peak memory."""
    import resource

    from hypecheck.scan.core import scan
    from hypecheck.schema import Catalog

    t0, c0 = time.perf_counter(), time.process_time()
    res = scan(Catalog("files"), AS_OF, toml)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    out = {"seconds": seconds, "cpu": cpu, "peak_mb": peak, "pairs": res.pairs_scanned}
    out |= {"narratives": len(res.narratives), "n_fit": res.n_fit}
    print(json.dumps(out))


def run_scan(toml: Path, cache: Path) -> dict[str, float]:
    env = {**os.environ, "HYPECHECK_CACHE": str(cache)}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(toml)], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"the scan failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def per_pair(toml: Path, sample: list[str]) -> tuple[float, float, int]:
    """Wall and CPU seconds of the per-pair path over ``sample`` members, and how many had a live
    narrative."""
    from hypecheck.lab import fade as FD
    from hypecheck.lab.history import History, build_context, episodes_of, pair_inputs
    from hypecheck.lab.verdict import theme_features
    from hypecheck.scan.core import LOOKBACK_MONTHS
    from hypecheck.scan.members import load_member_universe
    from hypecheck.schema import Catalog

    u, cat = load_member_universe(toml, Catalog("files"))
    keep = set(sample) | {"BENCH"}
    cat_pairs = [p for p in pair_inputs(cat, u)[0] if p.a in keep]
    ctx = build_context(cat, u)
    as_of = pd.Timestamp(AS_OF)
    tails = FD.Known("all", 6).tails
    known = FD.Known("all", 6)
    live = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for p in cat_pairs:
        eps = episodes_of(p, u.freq, ctx)
        if eps.empty:
            continue
        eps = eps[eps["date"] <= as_of]
        if eps.empty or eps["date"].iloc[-1] < as_of - pd.DateOffset(months=LOOKBACK_MONTHS):
            continue
        live += 1
        last = eps.iloc[-1]
        la, lb = (p.pa, p.pb) if last["leader"] == p.a else (p.pb, p.pa)
        hist = History(u.name, u, eps, as_of, [], "files", ctx)
        theme_features(la, lb, last["leader"], last["laggard"], hist, cat, as_of, 6, ctx)
        FD.fade_test(la, lb, last["leader"], last["laggard"], u.freq, tails, as_of)
        FD.range_now(la, lb, u.freq, known, as_of)
    return time.perf_counter() - t0, time.process_time() - c0, live


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return f"load average {os.getloadavg()}"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        child(argv[1])
        return 0
    k = int(argv[argv.index("--sample") + 1]) if "--sample" in argv else 40
    sizes = [
        int(a) for a in argv if a.isdigit() and (argv.index(a) == 0 or argv[argv.index(a) - 1] != "--sample")
    ]
    sizes = sizes or [3000, 5000]
    print(f"scan benchmark: synthetic random-walk members against BENCH, 2019-2024, as of {AS_OF}")
    print(f"  load before: {uptime()}")
    ok = True
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="hypecheck-scan-bench-") as tmp:
            toml = make_members(Path(tmp), n)
            got = run_scan(toml, Path(tmp) / "cache")
            rng = np.random.default_rng(1)
            sample = sorted(
                rng.choice([f"S{i:04d}" for i in range(n)], size=min(k, n), replace=False).tolist()
            )
            t_pp, c_pp, live = per_pair(toml, sample)
        est, est_cpu = t_pp / len(sample) * n, c_pp / len(sample) * n
        goal_s, goal_mb = GOALS.get(n, (None, None))
        met = (goal_s is None or got["seconds"] <= goal_s) and (goal_mb is None or got["peak_mb"] <= goal_mb)
        ok &= met
        print(
            f"  {n:,} members: scan {got['seconds']:.1f} s ({got.get('cpu', float('nan')):.1f} s of CPU), "
            f"peak {got['peak_mb']:.0f} MB "
            f"({got['pairs']:,} pairs, {got['narratives']:,} live narratives, model on {got['n_fit']:,} "
            f"past narratives)"
            + (f"; goal {goal_s:.0f} s" if goal_s else "")
            + (f" and {goal_mb:.0f} MB" if goal_mb else "")
            + (": met" if met else ": NOT met")
        )
        print(
            f"    baseline, per-pair path on a sample of {len(sample)} members ({live} live) in this process: "
            f"{t_pp:.1f} s ({c_pp:.1f} s of CPU) = {1000 * t_pp / len(sample):.0f} ms a member; extrapolated "
            f"to {n:,}: {est:.0f} s ({est_cpu:.0f} s of CPU); ratio per-pair / scan {est / got['seconds']:.1f}x "
            f"wall, {est_cpu / got['cpu']:.1f}x CPU (the baseline extrapolated from the sample, without "
            "clusters, model or reading)"
        )
    print(f"  load after: {uptime()}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
