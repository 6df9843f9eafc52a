"""Price confirmation: do the leaders the narrative names actually lead, and across windows?"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..analytics.returns import relative_strength, returns_table, window_anchor
from ..evidence import Evidence, MissingEvidence, PillarResult
from ..panel import Panel
from ..rules import Rules
from ._common import lean3, pct, pp, series_points, src


def measure(panel: Panel, rules: Rules) -> PillarResult:
    res = PillarResult("price")
    theme, as_of = panel.theme, panel.as_of
    windows = list(theme.windows)
    primary = windows[0]
    closes = {t: s.values for t, s in panel.prices.items()}
    table = returns_table(closes, as_of, windows)
    records: list[dict[str, Any]] = table.to_dict("records")  # type: ignore[assignment]
    res.tables["returns"] = [
        {
            "series": row["series"],
            "window": row["window"],
            "start": None
            if row["start"] is None or pd.isna(row["start"])
            else row["start"].strftime("%Y-%m-%d"),
            "end": None if row["end"] is None or pd.isna(row["end"]) else row["end"].strftime("%Y-%m-%d"),
            "return": None if math.isnan(row["return"]) else float(row["return"]),
        }
        for row in records
    ]
    ret = {(row["series"], row["window"]): row["return"] for row in res.tables["returns"]}

    min_spread = float(rules.get("price", "min_spread"))
    keep, fade = float(rules.get("price", "persistence_share")), float(rules.get("price", "fade_share"))
    longest = max(windows, key=lambda w: as_of - window_anchor(as_of, w))
    rs_start = window_anchor(as_of, longest)
    pair_rows = []
    for pair in theme.pairs:
        a, b = panel.price(pair.leader), panel.price(pair.laggard)
        if a is None or b is None:
            gone = pair.leader if a is None else pair.laggard
            res.missing.append(
                MissingEvidence(
                    "price",
                    f"pair:{pair.leader}-{pair.laggard}",
                    f"{pair.label}: {panel.why_missing('price', gone)}",
                    f"add a price file for {gone} (Date,Close) to the data folder, or map it in [mapping.{panel.source}]",
                )
            )
            continue
        spreads = {}
        for w in windows:
            ra, rb = ret.get((pair.leader, w)), ret.get((pair.laggard, w))
            spreads[w] = None if ra is None or rb is None else ra - rb
            pair_rows.append(
                {
                    "pair": pair.label,
                    "leader": pair.leader,
                    "laggard": pair.laggard,
                    "window": w,
                    "leader_return": ra,
                    "laggard_return": rb,
                    "spread": spreads[w],
                }
            )
        sp = spreads[primary]
        if sp is None:
            res.missing.append(
                MissingEvidence(
                    "price",
                    f"pair:{pair.leader}-{pair.laggard}",
                    f"{pair.label}: no {primary} return (history too short before {as_of.date()})",
                    "use a later as-of date or longer price history",
                )
            )
            continue
        lean = lean3(sp, min_spread, -min_spread)
        res.evidence.append(
            Evidence(
                pillar="price",
                id=f"lead:{pair.leader}-{pair.laggard}:{primary}",
                claim=f"{pair.label}: {pair.leader} ahead of {pair.laggard} over {primary}",
                value=sp,
                threshold=min_spread,
                unit="fraction",
                leaning=lean,
                flip=(
                    f"{pair.leader} - {pair.laggard} {primary} spread falling below {pp(-min_spread)}"
                    if sp > 0
                    else f"{pair.leader} - {pair.laggard} {primary} spread rising above {pp(min_spread)}"
                ),
                source=src(panel, pair.leader, pair.laggard),
                detail=f"{pair.leader} {pct(ret.get((pair.leader, primary)))} vs {pair.laggard} "
                f"{pct(ret.get((pair.laggard, primary)))}",
            )
        )
        valid = {w: s for w, s in spreads.items() if s is not None}
        if len(valid) >= 2:
            share = sum(1 for s in valid.values() if s > 0) / len(valid)
            ahead = [w for w, s in valid.items() if s > 0]
            lean_p = "catalyst" if share >= keep else ("viral" if share <= fade else "neutral")
            need = math.ceil(keep * len(valid))
            res.evidence.append(
                Evidence(
                    pillar="price",
                    id=f"persist:{pair.leader}-{pair.laggard}",
                    claim=f"{pair.label}: leadership persists across windows",
                    value=share,
                    threshold=keep,
                    unit="share of windows",
                    leaning=lean_p,  # type: ignore[arg-type]
                    flip=(
                        f"{pair.leader} ahead in fewer than {need} of {len(valid)} windows"
                        if lean_p == "catalyst"
                        else f"{pair.leader} ahead in at least {need} of {len(valid)} windows"
                    ),
                    source=src(panel, pair.leader, pair.laggard),
                    detail="ahead over "
                    + (", ".join(ahead) or "no window")
                    + "; "
                    + ", ".join(f"{w} {pp(s)}" for w, s in valid.items()),
                )
            )
        rs = relative_strength(a, b, rs_start)
        if not rs.empty:
            res.charts.setdefault("rs_lines", {})[pair.label] = series_points(rs)
    res.tables["pairs"] = pair_rows

    if theme.style_box:
        box = []
        for size in ("small", "mid", "large"):
            row = theme.style_box.get(size)
            if not row:
                continue
            box.append(
                {
                    "size": size,
                    **{st: {"ticker": t, "return": ret.get((t, primary))} for st, t in row.items()},
                }
            )
        res.tables["style_box"] = box
        res.charts["style_box"] = {"window": primary, "rows": box}
    if theme.sectors:
        sec = sorted(
            (
                {"ticker": t, "sector": name, "return": ret.get((t, primary))}
                for t, name in theme.sectors.items()
                if ret.get((t, primary)) is not None
            ),
            key=lambda r: -float(r["return"]),  # type: ignore[arg-type]
        )
        res.tables["sectors"] = sec
        res.charts["sectors"] = {"window": primary, "rows": sec}
        for t in theme.sectors:
            if (t, primary) not in ret:
                res.notes.append(f"sector {t}: {panel.why_missing('price', t)}")
    return res
