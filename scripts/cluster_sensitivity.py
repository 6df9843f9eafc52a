"""How the count of independent narratives, and the kept-half comparison with the random walk, move
with the near-duplicate threshold (:data:`hypecheck.lab.clusters.RHO`, 0.9).

    python scripts/cluster_sensitivity.py [SHARED_DATA]

For the ETF history (the shared data) and the bundled Ken French one: the births are clustered again
at each correlation threshold, and the 6-month kept-half share is compared with the random walk's
under the cluster x year-block bootstrap built on those clusters (the lab's own functions:
``clusters.assign``, ``bootstrap.block_weights``, ``retention.null_at`` and ``_rate_row``). Prints a
Markdown table (the README's lab section shows it). Takes about a minute.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

RHOS = (0.8, 0.85, 0.9, 0.95, 0.99)
MONTHS = 6


def main() -> int:
    from hypecheck.api import load_catalog
    from hypecheck.lab import clusters as C
    from hypecheck.lab import retention as R
    from hypecheck.lab.bootstrap import block_weights
    from hypecheck.lab.history import cluster_of, pair_inputs
    from hypecheck.lab.run import history_for

    shared = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    print(
        "| history | threshold (correlation) | narratives | independent | kept half | random walk | difference (95% CI) |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    default = C.RHO
    for label, data, source in (("ETF (files)", shared, "files"), ("Ken French (bundled)", None, "bundled")):
        cat = load_catalog(data)
        h = history_for(cat, source)
        eps = h.episodes.sort_values(["date", "leader", "laggard"], kind="mergesort").reset_index(drop=True)
        pairs, _ = pair_inputs(cat, h.universe)
        years = pd.DatetimeIndex(eps["date"]).year.to_numpy()
        nl = R.null_at(eps, MONTHS, h.universe.freq.ppm)
        ok = ~np.isnan(nl.kept) & ~np.isnan(nl.p)
        for rho in RHOS:
            C.RHO = rho
            try:
                clusters = np.asarray(cluster_of(eps, pairs, h.universe.freq)).astype(str)
            finally:
                C.RHO = default
            if rho == default:  # the lab's own clusters: the same assignment
                assert (clusters == eps["cluster"].astype(str).to_numpy()).all()
            W = block_weights(clusters, years, R.BOOT)
            row = R._rate_row(W, ok, nl.kept, nl.p)
            lo, hi = row["ci"]
            mark = " (the lab's)" if rho == default else ""
            print(
                f"| {label} | {rho:g}{mark} | {int(ok.sum()):,} | {len(set(clusters[ok].tolist())):,} | "
                f"{row['observed']:.1%} | {row['random_walk']:.1%} | "
                f"{100 * row['diff']:+.1f} pp ({100 * lo:+.1f} to {100 * hi:+.1f}) |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
