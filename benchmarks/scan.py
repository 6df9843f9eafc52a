"""`make bench` (issue 16 part 6): a 3,000-member scan against the per-pair loop it replaces.

Data: SYNTHETIC random-walk closes (a market factor times a random beta plus idiosyncratic noise) for
3,000 members and a benchmark over six years of business days, written as one long Parquet file
(date,ticker,close): there are no constituent prices in ../shared/data, and a timing benchmark needs
only the shape of the work. Both sides run in this process on the same data; the scan starts from an
empty disk cache (it builds the panel), and the loop is handed that panel outside its timed part.

* **scan**: ``scan(catalog, D, members.toml)``: the member panel through the lab's partitioned engine
  (every pair's features for every date, births, outcomes), the panel model fitted once as of ``D``,
  the live narratives measured and scored.
* **per-pair loop**: what a user without ``scan`` runs, one pair at a time: the pair's births
  (:func:`~hypecheck.lab.history.episodes_of`, the market context computed once, in its favour), and
  for a pair with a live narrative a ``check``-style verdict (the panel model fitted as of ``D`` with its
  bootstrap interval, as :func:`hypecheck.lab.verdict.panel_verdict` does on every call; the panel
  itself is handed over ready-made, again in the loop's favour). Timed on a random sample of members and
  extrapolated to all of them (the full loop takes too long to run in ``make bench``); the output says so.

Usage: ``python benchmarks/scan.py [members] [sample]`` (defaults 3000 and 150).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_members(folder: Path, n: int, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2019-01-01", "2024-12-31")
    mkt = np.cumsum(rng.normal(0.0003, 0.01, len(dates)))
    frames = [pd.DataFrame({"date": dates, "ticker": "BENCH", "close": 100 * np.exp(mkt)})]
    betas = rng.uniform(0.5, 1.5, n)
    idio = np.cumsum(rng.normal(0, 0.015, (n, len(dates))), axis=1)
    for i in range(n):
        frames.append(
            pd.DataFrame(
                {"date": dates, "ticker": f"S{i:04d}", "close": 40 * np.exp(betas[i] * mkt + idio[i])}
            )
        )
    import duckdb  # writes Parquet without the optional pyarrow

    duckdb.from_df(pd.concat(frames, ignore_index=True)).write_parquet(str(folder / "members.parquet"))
    toml = folder / "members.toml"
    toml.write_text(
        'name = "bench-members"\nversion = "1"\ndescription = "synthetic random walks"\n'
        '[members]\nbenchmark = "BENCH"\nprices = "members.parquet"\n'
    )
    return toml


def per_pair_loop(catalog, toml: Path, as_of: pd.Timestamp, sample: list[str]) -> tuple[float, int]:
    """Seconds for the loop over ``sample`` members, and how many had a live narrative."""
    from hypecheck.lab import model as M
    from hypecheck.lab.history import build_context, build_history, episodes_of, pair_inputs
    from hypecheck.lab.run import evaluate_at
    from hypecheck.lab.verdict import theme_features
    from hypecheck.scan.core import LIVE_DAYS
    from hypecheck.scan.members import load_member_universe

    u, cat = load_member_universe(toml, catalog)
    hist = build_history(cat, u, name=u.name, source="files")  # handed to the loop ready-made
    ctx = build_context(cat, u)
    pairs = {p.a: p for p in pair_inputs(cat, u)[0]}
    months = 6
    live = 0
    t0 = time.perf_counter()
    for t in sample:
        p = pairs[t]
        eps = episodes_of(p, u.freq, ctx)
        if eps.empty:
            continue
        eps = eps[eps["date"] <= as_of]
        if eps.empty:
            continue
        last = eps.iloc[-1]
        idx = p.pa.index[(p.pa.index <= as_of)]
        if len(idx) - 1 - idx.searchsorted(last["date"]) > LIVE_DAYS:
            continue
        live += 1
        res = evaluate_at(hist, months, as_of)  # cached after the first call: in the loop's favour
        e = res.episodes
        y = e[f"outcome_{months}m"].to_numpy(dtype="float64")
        known = np.asarray((M.known_dates(e, months) <= as_of) & ~np.isnan(y))
        years = pd.DatetimeIndex(e["date"]).year.to_numpy()
        fit = M.fit(e.loc[known], (y[known] > 0).astype(float), M.ALL_FEATURES, years[known], boot=M.BOOT_FIT)
        lead, lag = (p.pa, p.pb) if last["leader"] == p.a else (p.pb, p.pa)
        row = theme_features(lead, lag, last["leader"], last["laggard"], hist, cat, as_of, months, ctx)
        fit.predict(row)
        fit.interval(row)
    return time.perf_counter() - t0, live


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    from hypecheck.scan.core import scan
    from hypecheck.schema import Catalog

    with tempfile.TemporaryDirectory(prefix="hypecheck-scan-bench-") as tmp:
        # a fresh disk cache: the scan builds the panel (a miss), the loop's untimed setup reads it back
        os.environ["HYPECHECK_CACHE"] = str(Path(tmp) / "cache")
        toml = make_members(Path(tmp), n)
        as_of = pd.Timestamp("2024-06-28")
        catalog = Catalog("files")
        t0 = time.perf_counter()
        res = scan(catalog, as_of, toml)
        t_scan = time.perf_counter() - t0
        rng = np.random.default_rng(1)
        sample = sorted(rng.choice([f"S{i:04d}" for i in range(n)], size=min(k, n), replace=False).tolist())
        t_loop, live = per_pair_loop(catalog, toml, as_of, sample)
    per = t_loop / len(sample)
    est = per * n
    print(f"scan: {n:,} synthetic random-walk members against their benchmark, as of {as_of:%Y-%m-%d}")
    print(
        f"  scan (partitioned engine, one model fit): {t_scan:.1f} s for {res.pairs_scanned:,} pairs, "
        f"{len(res.narratives)} live narratives, model fitted on {res.n_fit:,} past narratives"
    )
    print(
        f"  per-pair loop: {t_loop:.1f} s for a sample of {len(sample)} members ({live} live, each refitting "
        f"the model as a check does) = {per * 1000:.0f} ms per member; extrapolated to {n:,} members: {est:.0f} s"
    )
    print(
        f"  ratio per-pair loop / scan: {est / t_scan:.1f}x (the loop's figure is extrapolated from the sample)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
