"""Breadth: is participation broad (equal weight keeping up with cap weight) or narrow?"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analytics.breadth import breadth
from ..analytics.returns import all_time_high, relative_strength, window_anchor, window_return
from ..evidence import Evidence, MissingEvidence, PillarResult
from ..panel import Panel
from ..rules import Rules
from ._common import lean3, pct, pp, series_points, share_evidence, src


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
        if bp.cap in theme.sectors:
            continue  # sector twins count once, together, in the sector-twins item below
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
    _sector_twins(panel, rules, res, rows, primary)
    _spread_trend(panel, rules, res)
    _participation(panel, rules, res)
    return res


def _sector_twins(
    panel: Panel, rules: Rules, res: PillarResult, rows: list[dict[str, Any]], primary: str
) -> None:
    """How many sectors' equal-weight twins beat their cap-weighted versions over the primary window."""
    sectors = panel.theme.sectors
    twins = [r for r in rows if r["window"] == primary and r["cap"] in sectors and r["spread"] == r["spread"]]
    if len(twins) < 2:
        return
    ahead = [r for r in twins if r["spread"] > 0]
    keep, fade = float(rules.get("breadth", "broad_share")), float(rules.get("breadth", "narrow_share"))
    res.evidence.append(
        share_evidence(
            pillar="breadth",
            id=f"sector-twins:{primary}",
            claim=f"Within sectors, equal weight beats cap weight in most sectors over {primary}",
            hits=len(ahead),
            total=len(twins),
            keep=keep,
            fade=fade,
            what="equal weight ahead",
            items="sectors",
            source=src(panel, *[r["equal"] for r in twins], *[r["cap"] for r in twins]),
            detail=f"{len(ahead)} of {len(twins)}: "
            + ", ".join(f"{sectors[r['cap']]} {pp(r['spread'])}" for r in twins),
        )
    )


def _spread_trend(panel: Panel, rules: Rules, res: PillarResult) -> None:
    """Trend of the first pair's equal- minus cap-weight 20-day return spread over the last 60 days."""
    bp = panel.theme.breadth_pairs[0]
    eq, cap = panel.price(bp.equal), panel.price(bp.cap)
    if eq is None or cap is None:
        return
    days, look = int(rules.get("breadth", "spread_days")), int(rules.get("breadth", "trend_days"))
    both = pd.concat({"eq": eq, "cap": cap}, axis=1, sort=True).dropna()
    if panel.prices[bp.equal].meta.frequency != "D" or len(both) < days + look:
        return
    spread = (both["eq"] / both["eq"].shift(days) - 1) - (both["cap"] / both["cap"].shift(days) - 1)
    recent = spread.dropna().iloc[-look:]
    keep, fade = float(rules.get("breadth", "broad_share")), float(rules.get("breadth", "narrow_share"))
    now = float(recent.iloc[-1])
    res.evidence.append(
        share_evidence(
            pillar="breadth",
            id=f"ewcw-trend:{bp.equal}-{bp.cap}",
            claim=f"{bp.equal} - {bp.cap} {days}-day spread positive on most of the last {look} trading days",
            hits=int((recent > 0).sum()),
            total=len(recent),
            keep=keep,
            fade=fade,
            what=f"the {days}-day spread positive",
            items="days",
            source=src(panel, bp.equal, bp.cap),
            detail=f"latest {days}-day spread {pp(now)}; {look}-day mean {pp(float(recent.mean()))}; "
            f"positive on {int((recent > 0).sum())} of {len(recent)} days",
        )
    )
    res.charts["ew_cw_spread"] = {
        "label": f"{bp.equal} - {bp.cap}, {days}-day return spread",
        **series_points(spread, window_anchor(panel.as_of, "12M")),
    }


def _participation(panel: Panel, rules: Rules, res: PillarResult) -> None:
    """Sector participation: :func:`hypecheck.breadth` over the theme's sector series as members."""
    sectors = [t for t in panel.theme.sectors if panel.price(t) is not None]
    if len(sectors) < 3 or any(panel.prices[t].meta.frequency != "D" for t in sectors):
        res.notes.append(
            "member-level breadth (% above moving averages, A/D line) needs daily constituent prices; "
            "sector participation needs daily sector closes: not in this data"
        )
        return
    closes = pd.concat({t: panel.price(t) for t in sectors}, axis=1, sort=True)
    b = breadth(closes)
    last = b.dropna(subset=["pct_above_50d"]).iloc[-1]
    keep, fade = float(rules.get("breadth", "broad_share")), float(rules.get("breadth", "narrow_share"))
    for col, n in (("pct_above_50d", 50), ("pct_above_200d", 200)):
        v = float(last[col]) / 100
        if v != v:
            continue
        lean: Any = "catalyst" if v >= keep else ("viral" if v <= fade else "neutral")
        res.evidence.append(
            Evidence(
                pillar="breadth",
                id=f"participation:{n}d",
                claim=f"Most sectors above their {n}-day average",
                value=v,
                threshold=keep,
                unit="share of sectors",
                leaning=lean,
                flip=(
                    f"fewer than {pct(keep, 0, False)} of sectors above their {n}-day average"
                    if lean == "catalyst"
                    else f"at least {pct(keep, 0, False)} of sectors above their {n}-day average"
                ),
                source=src(panel, *sectors),
                weight=0.5,
                detail=f"{round(v * int(last['members']))} of {int(last['members'])} sector series on "
                f"{b.index[-1].date()}",
            )
        )
    start = window_anchor(panel.as_of, "12M")
    res.charts["participation"] = {
        "members": len(sectors),
        "pct_above_50d": series_points(b["pct_above_50d"], start),
        "pct_above_200d": series_points(b["pct_above_200d"], start),
        "ad_line": series_points(b["ad_line"], start),
    }
    res.notes.append(
        f"sector participation treats the {len(sectors)} sector series as members of hypecheck.breadth; "
        "member-level breadth of the index needs constituent prices (pass them to hypecheck.breadth)"
    )
