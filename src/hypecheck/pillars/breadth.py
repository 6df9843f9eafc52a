"""Breadth: is participation broad (equal weight keeping up with cap weight) or narrow?"""

from __future__ import annotations

from ..analytics.returns import all_time_high, relative_strength, window_anchor, window_return
from ..evidence import Evidence, MissingEvidence, PillarResult
from ..panel import Panel
from ..rules import Rules
from ._common import lean3, pct, pp, series_points, src


def measure(panel: Panel, rules: Rules) -> PillarResult:
    res = PillarResult("breadth")
    theme, as_of = panel.theme, panel.as_of
    if not theme.breadth_pairs:
        res.missing.append(
            MissingEvidence(
                "breadth",
                "breadth",
                "the theme names no equal- vs cap-weight pairs",
                "add [[breadth.pairs]] equal = 'RSP', cap = 'SPY' to the theme",
            )
        )
        return res
    windows = list(theme.windows)
    primary = windows[0]
    min_spread = float(rules.get("breadth", "min_spread"))
    tol = float(rules.get("breadth", "ath_tolerance"))
    rows = []
    for bp in theme.breadth_pairs:
        eq, cap = panel.price(bp.equal), panel.price(bp.cap)
        if eq is None or cap is None:
            gone = bp.equal if eq is None else bp.cap
            res.missing.append(
                MissingEvidence(
                    "breadth",
                    f"ewcw:{bp.equal}-{bp.cap}",
                    f"{bp.label}: {panel.why_missing('price', gone)}",
                    f"add a price file for {gone} to the data folder",
                )
            )
            continue
        spreads = {}
        for w in windows:
            re_, rc = window_return(eq, as_of, w).value, window_return(cap, as_of, w).value
            spreads[w] = re_ - rc
            rows.append(
                {
                    "pair": bp.label,
                    "equal": bp.equal,
                    "cap": bp.cap,
                    "window": w,
                    "equal_return": re_,
                    "cap_return": rc,
                    "spread": re_ - rc,
                }
            )
        sp = spreads[primary]
        if sp != sp:  # NaN
            res.missing.append(
                MissingEvidence(
                    "breadth",
                    f"ewcw:{bp.equal}-{bp.cap}",
                    f"{bp.label}: no {primary} return",
                    "use longer price history",
                )
            )
            continue
        res.evidence.append(
            Evidence(
                pillar="breadth",
                id=f"ewcw:{bp.equal}-{bp.cap}:{primary}",
                claim=f"{bp.label}: equal weight ({bp.equal}) ahead of cap weight ({bp.cap}) over {primary}",
                value=sp,
                threshold=min_spread,
                unit="fraction",
                leaning=lean3(sp, min_spread, -min_spread),
                flip=(
                    f"{bp.equal} - {bp.cap} {primary} spread below {pp(-min_spread)}"
                    if sp > 0
                    else f"{bp.equal} - {bp.cap} {primary} spread above {pp(min_spread)}"
                ),
                source=src(panel, bp.equal, bp.cap),
                detail=", ".join(f"{w} {pp(s)}" for w, s in spreads.items()),
            )
        )
        rs = relative_strength(eq, cap, window_anchor(as_of, "12M"))
        if not rs.empty:
            res.charts.setdefault("ew_cw", {})[bp.label] = series_points(rs)
    res.tables["ew_cw"] = rows

    # all-time highs of the first pair: "the equal-weight index at a record while cap weight lags"
    first = theme.breadth_pairs[0]
    for t in (first.equal, first.cap):
        s = panel.price(t)
        if s is None:
            continue
        hi = all_time_high(s, as_of, tol)
        if hi is None:
            continue
        res.tables.setdefault("highs", []).append(
            {
                "series": t,
                "last": hi.last,
                "high": hi.high,
                "high_date": hi.high_date.strftime("%Y-%m-%d"),
                "drawdown": hi.drawdown,
                "at_high": hi.at_high,
            }
        )
        if t == first.equal:
            res.evidence.append(
                Evidence(
                    pillar="breadth",
                    id=f"ath:{t}",
                    claim=f"{t} at an all-time high (within {pct(tol, 0, False)})",
                    value=hi.drawdown,
                    threshold=-tol,
                    unit="fraction below the high",
                    leaning="catalyst" if hi.at_high else "neutral",
                    flip=(
                        f"{t} falling more than {pct(tol, 0, False)} below its high of {hi.high:.2f}"
                        if hi.at_high
                        else f"{t} closing within {pct(tol, 0, False)} of its high of {hi.high:.2f}"
                    ),
                    source=src(panel, t),
                    weight=0.5,
                    detail=f"last {hi.last:.2f}, high {hi.high:.2f} on {hi.high_date.date()} ({pct(hi.drawdown)})",
                )
            )
    res.notes.append(
        "member-level breadth (% above moving averages, A/D line) needs constituent prices: not in this data"
    )
    return res
