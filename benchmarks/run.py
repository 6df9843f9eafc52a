"""`make bench`: hypecheck's timings as ratios against a baseline run in the same process on the
same data. (Issue 4 adds the breadth kernels at 500x2,520 .. 10,000x7,500.)

1. Loading a data folder with format detection and validation vs a bare ``pandas.read_csv`` of the
   same CSV files (the floor any loader pays).
2. The returns table of a theme (every series x window) vs a one-shot vectorised pandas baseline
   (one wide frame, ``asof`` lookups); the two must agree to 1e-12.
3. A full ``check()`` of the flagship with the catalog cached (no baseline: absolute time).
4. The acceptance ratio of issue 14: the flagship check from the command line in a fresh process
   (``hypecheck check small-cap-rotation --data ../shared/data --as-of 2026-01-16 --no-calibration
   --json``) over ``python -c "import pandas"`` timed in the same run, once with the folder index
   cache cold (a new, empty ``$HYPECHECK_CACHE``: the first run ever) and once warm (the next runs).
   Bytecode caching is on, as in any normal Python (the first run writes ``__pycache__``).
   Issue 14 asked for at most 3x, issue 24 for at most 2x (the goal printed). Skipped without
   ../shared/data. The calibrated check against this one (issue 24: at most 1.5x) and the lab's goals
   are in benchmarks/lab.py.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def timeit(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


FLAGSHIP = [
    "check",
    "small-cap-rotation",
    "--data",
    str(SHARED),
    "--as-of",
    "2026-01-16",
    "--no-calibration",
    "--json",
]
TARGET_RATIO = 2.0  # issue 24 (issue 14 asked for 3x)


CPU_RUNS: dict[str, list[float]] = {}  # command label -> CPU seconds (user + system) of each run


def _wall(cmd: list[str], env: dict[str, str], label: str = "") -> float:
    """Wall time of one run of ``cmd``; its CPU time (the child's user + system) is kept under ``label``
    in :data:`CPU_RUNS` (on a loaded machine CPU time says more than wall time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU_RUNS.setdefault(label, []).append(cpu)
    return wall


def acceptance() -> list[tuple[str, float, float]]:
    """The cold flagship check (fresh process) vs ``import pandas`` (fresh process), index cache cold
    and warm; medians of five interleaved runs except the cold-cache run (there is only one first run)."""
    exe = Path(sys.executable).with_name("hypecheck")
    cli = [str(exe)] if exe.exists() else [sys.executable, "-c", "from hypecheck.cli import main; main()"]
    with tempfile.TemporaryDirectory() as cache:
        # as a user's Python does: bytecode is written on the first (cold) run and read after, even
        # where this shell disables writing it (PYTHONDONTWRITEBYTECODE, set on this machine)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["HYPECHECK_CACHE"] = cache
        t_cold = _wall(cli + FLAGSHIP, env, "cold")
        pandas_runs, warm_runs = [], []
        for _ in range(5):  # interleaved, so both see the same machine load; medians of five
            pandas_runs.append(_wall([sys.executable, "-c", "import pandas"], env, "pandas"))
            warm_runs.append(_wall(cli + FLAGSHIP, env, "check"))
        t_pandas, t_warm = statistics.median(pandas_runs), statistics.median(warm_runs)
    return [
        ("cold flagship check, fresh process, index cache cold vs import pandas", t_cold, t_pandas),
        ("cold flagship check, fresh process, index cache warm vs import pandas", t_warm, t_pandas),
    ]


def _print_acceptance(accept: list[tuple[str, float, float]]) -> None:
    """The goal of issue 24 met or missed (wall time, as the issue measures it), and the same in CPU time."""
    if not accept:
        print("acceptance (issue 24): skipped, ../shared/data is not present beside the project")
        return
    warm = accept[1][1] / accept[1][2]
    verdict = "meets" if warm <= TARGET_RATIO else "misses"
    print(
        f"acceptance (issue 24): warm-cache cold check / import pandas = {warm:.2f}x, {verdict} <= {TARGET_RATIO:g}x"
    )
    cpu_check, cpu_pandas = (statistics.median(CPU_RUNS[k]) for k in ("check", "pandas"))
    print(
        f"  in CPU time (user + system, medians): check {cpu_check:.2f} s, import pandas {cpu_pandas:.2f} s, "
        f"{cpu_check / cpu_pandas:.2f}x; load average {os.getloadavg()[0]:.1f}"
    )


def main() -> int:
    import hypecheck
    from hypecheck.analytics.returns import returns_table, window_anchor
    from hypecheck.api import load_catalog

    have_shared = (SHARED / "prices" / "etf_daily").is_dir()
    data = SHARED if have_shared else None
    print(f"data: {'../shared/data' if have_shared else 'bundled sample data (../shared/data absent)'}")
    rows = []
    if have_shared:
        files = sorted(SHARED.rglob("*.csv"))
        t_base, _ = timeit(lambda: [pd.read_csv(f) for f in files], 1)
        saved = os.environ.get("HYPECHECK_CACHE")
        os.environ["HYPECHECK_CACHE"] = "off"  # every file read, detected and validated
        t_ours, _ = timeit(lambda: load_catalog(SHARED, refresh=True), 1)
        with tempfile.TemporaryDirectory() as cache:
            os.environ["HYPECHECK_CACHE"] = cache
            load_catalog(SHARED, refresh=True)  # builds the index
            t_index, _ = timeit(lambda: load_catalog(SHARED, refresh=True), 3)
        if saved is None:
            os.environ.pop("HYPECHECK_CACHE")
        else:
            os.environ["HYPECHECK_CACHE"] = saved
        rows.append(("load folder (detect+validate every file) vs bare read_csv", t_ours, t_base))
        rows.append(("load folder from its index (series read when asked) vs bare read_csv", t_index, t_base))
    catalog = load_catalog(data)
    source = catalog.source
    theme = hypecheck.load_theme("small-cap-rotation")
    as_of = pd.Timestamp("2026-01-16" if have_shared else "2016-12-31")
    mapping = theme.mappings.get(source)
    closes = {}
    for t in theme.tickers():
        tid = mapping.series.get(t, t) if mapping else t
        if catalog.has("price", tid):
            closes[t] = catalog.get("price", tid).values
    windows = list(theme.windows)

    def baseline() -> pd.DataFrame:
        wide = pd.concat(closes, axis=1, sort=True).ffill()
        wide = wide.loc[wide.index <= as_of]
        end = wide.iloc[-1]
        out = {}
        for w in windows:
            a = window_anchor(as_of, w)
            start = wide.loc[wide.index <= a].iloc[-1] if (wide.index <= a).any() else end * np.nan
            out[w] = end / start - 1
        return pd.DataFrame(out)

    t_ours, ours = timeit(lambda: returns_table(closes, as_of, windows), 5)
    t_base, base = timeit(baseline, 5)
    got = ours.pivot(index="series", columns="window", values="return")
    exp = base.loc[got.index, got.columns]
    diff = np.nanmax(np.abs(got.to_numpy() - exp.to_numpy()))
    rows.append(
        (
            f"returns table {len(closes)} series x {len(windows)} windows vs wide pandas (max diff {diff:.1e})",
            t_ours,
            t_base,
        )
    )
    t_check, _ = timeit(lambda: hypecheck.check(theme, as_of=as_of, data=data), 3)
    rows.append(("check() flagship, catalog cached", t_check, float("nan")))

    accept = acceptance() if have_shared else []
    rows += accept
    print(f"{'benchmark':<78} {'ours':>9} {'baseline':>9} {'ratio':>7}")
    for name, ours_t, base_t in rows:
        ratio = ours_t / base_t if base_t == base_t else float("nan")
        print(f"{name:<78} {ours_t * 1e3:8.1f}ms {base_t * 1e3:8.1f}ms {ratio:7.2f}")
    _print_acceptance(accept)
    if diff > 1e-12:
        print("returns disagree with the baseline", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
