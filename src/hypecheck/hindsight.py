"""What happened next: computed only after the verdict, from data dated after the as-of date.

When the data extend past the as-of date (the bundled demo and the shared data both do), the report
shows, in a separate panel, the realised leader - laggard and equal - cap weight spreads over 1, 3, 6
and 12 months after it (or as far as the data go, said so). Nothing here feeds the verdict: it is
computed after the verdict from the uncut catalog, and the tests check the verdict is identical with
and without the later data.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .analytics.episodes import paired
from .errors import UnknownSeriesError
from .schema import Catalog
from .theme import Theme

HORIZONS = (1, 3, 6, 12)


def _series(catalog: Catalog, theme: Theme, source: str, tid: str) -> pd.Series | None:
    mapping = theme.mappings.get(source)
    target = mapping.series.get(tid, tid) if mapping else tid
    target = catalog.resolve("price", target) or target  # as the panel resolves names (case, file names)
    try:
        return catalog.get("price", target).values.dropna()
    except UnknownSeriesError:
        return None


def hindsight(theme: Theme, catalog: Catalog, source: str, as_of: pd.Timestamp) -> dict[str, Any] | None:
    """Rows ``pair, horizon, end, leader_return, laggard_return, spread, complete`` after ``as_of``;
    None when no series of the theme has data after the as-of date."""
    pairs = [(p.label, p.leader, p.laggard) for p in theme.pairs]
    pairs += [(b.label, b.equal, b.cap) for b in theme.breadth_pairs[:1]]
    rows: list[dict[str, Any]] = []
    lines: dict[str, dict[str, list[Any]]] = {}
    last_date = None
    for label, x, y in pairs:
        a, b = _series(catalog, theme, source, x), _series(catalog, theme, source, y)
        if a is None or b is None:
            continue
        idx, av, bv = paired(a, b)  # the dates both have, rows with a NaN dropped
        df = pd.DataFrame({"a": av, "b": bv}, index=idx)
        i = int(df.index.searchsorted(as_of, side="right")) - 1
        if i < 0 or i == len(df) - 1:
            continue
        last_date = max(last_date or df.index[-1], df.index[-1])
        for h in HORIZONS:
            end = as_of + pd.DateOffset(months=h)
            j = int(df.index.searchsorted(end, side="right")) - 1
            complete = end <= df.index[-1]
            if j <= i:
                continue
            ra = float(df["a"].iloc[j] / df["a"].iloc[i] - 1)
            rb = float(df["b"].iloc[j] / df["b"].iloc[i] - 1)
            rows.append(
                {
                    "pair": label,
                    "horizon": f"{h}M",
                    "end": df.index[j].strftime("%Y-%m-%d"),
                    "leader_return": ra,
                    "laggard_return": rb,
                    "spread": ra - rb,
                    "complete": bool(complete),
                }
            )
            if not complete:
                break
        if label == pairs[0][0]:
            window = df.loc[
                (df.index >= as_of - pd.DateOffset(months=3)) & (df.index <= as_of + pd.DateOffset(months=12))
            ]
            base = window.loc[window.index <= as_of].iloc[-1]
            rs = 100 * (window["a"] / base["a"]) / (window["b"] / base["b"])
            lines[label] = {
                "dates": [d.strftime("%Y-%m-%d") for d in rs.index],
                "values": [float(v) for v in rs],
            }
    if not rows:
        return None
    return {
        "as_of": as_of.strftime("%Y-%m-%d"),
        "data_end": last_date.strftime("%Y-%m-%d") if last_date is not None else None,
        "rows": rows,
        "rs": lines,
        "note": "realised after the as-of date; shown for hindsight only, never used by the verdict",
    }
