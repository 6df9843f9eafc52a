"""Breadth: is participation broad (equal weight keeping up with cap weight) or narrow?

Which of the two supports the narrative is the theme's to say: ``[breadth] leadership = "broad"``
(the default: equal weight ahead, most sectors participating, the equal-weight index at its record
lean catalyst) or ``"narrow"`` (a narrative *about* a few names carrying the index: cap weight ahead,
few sectors participating, the cap-weighted index at its record lean catalyst). The measurements are
the same; only the direction that counts as support flips, and every finding says which it is.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analytics.breadth import breadth
from ..analytics.returns import HighInfo, all_time_high, relative_strength, window_anchor, window_return
from ..evidence import Evidence, Leaning, MissingEvidence, PillarResult, finding_sentence
from ..panel import Panel
from ..rules import Rules
from ..theme import BreadthPair
from ._common import lean3, pct, pp, series_points, share_evidence, spread_finding, src, window_text

OPPOSITE: dict[str, Leaning] = {"catalyst": "viral", "viral": "catalyst", "neutral": "neutral"}


def leadership(panel: Panel) -> str:
    """The leadership the theme claims: ``"broad"`` (default) or ``"narrow"``."""
    v = str(getattr(panel.theme, "leadership", "broad") or "broad").strip().lower()
    return "narrow" if v == "narrow" else "broad"


def _breadth_context(spread: float, noise: float, narrow: bool) -> str:
    """'broad participation, as the narrative claims' / 'narrow leadership, where the narrative claims
    broad participation' for an equal- minus cap-weight spread outside the noise band ('' inside it)."""
    if abs(spread) <= noise:
        return ""
    found = "broad participation" if spread > 0 else "narrow leadership"
    claimed = "narrow leadership" if narrow else "broad participation"
    return (
        f"{found}, as the narrative claims"
        if found == claimed
        else f"{found}, where the narrative claims {claimed}"
    )


def _directed(lean: Leaning, narrow: bool) -> Leaning:
    """A leaning measured for broad participation, turned round when the theme claims narrow leadership."""
    return OPPOSITE[lean] if narrow else lean


def measure(panel: Panel, rules: Rules) -> PillarResult:
    res = PillarResult("breadth")
    theme = panel.theme
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
    narrow = leadership(panel) == "narrow"
    if narrow:
        res.notes.append(
            "the theme claims narrow leadership ([breadth] leadership = 'narrow'): cap weight ahead of equal "
            "weight, few sectors participating and the cap-weighted index at its record count as support"
        )
    min_spread = float(rules.get("breadth", "min_spread"))
    tol = float(rules.get("breadth", "ath_tolerance"))
    rows = _ew_cw(panel, res, min_spread, narrow)
    _highs(panel, res, tol, narrow)
    _sector_twins(panel, rules, res, rows, theme.windows[0])
    _spread_trend(panel, rules, res)
    _participation(panel, rules, res)
    return res


def _ew_cw(panel: Panel, res: PillarResult, min_spread: float, narrow: bool) -> list[dict[str, Any]]:
    """Each equal- vs cap-weight pair: its spread over every window (the returned rows, also the
    ew_cw table), the primary-window spread as evidence (sector twins excepted: they count together in
    :func:`_sector_twins`) and its RS line."""
    theme, as_of = panel.theme, panel.as_of
    windows = list(theme.windows)
    primary = windows[0]
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
        res.evidence.append(_ew_cw_evidence(panel, bp, spreads, primary, min_spread, narrow))
        rs = relative_strength(eq, cap, window_anchor(as_of, "12M"))
        if not rs.empty:
            res.charts.setdefault("ew_cw", {})[bp.label] = series_points(rs)
    res.tables["ew_cw"] = rows
    return rows


def _ew_cw_evidence(
    panel: Panel, bp: BreadthPair, spreads: dict[str, float], primary: str, min_spread: float, narrow: bool
) -> Evidence:
    """Equal weight ahead of cap weight over the primary window (or behind it, for a narrow theme)."""
    sp = spreads[primary]
    lean = _directed(lean3(sp, min_spread, -min_spread), narrow)
    context = _breadth_context(sp, min_spread, narrow)
    return Evidence(
        pillar="breadth",
        id=f"ewcw:{bp.equal}-{bp.cap}:{primary}",
        claim=(
            f"{bp.label}: cap weight ({bp.cap}) ahead of equal weight ({bp.equal}) over {primary} "
            "(narrow leadership)"
            if narrow
            else f"{bp.label}: equal weight ({bp.equal}) ahead of cap weight ({bp.cap}) over {primary}"
        ),
        value=sp,
        threshold=-min_spread if narrow else min_spread,
        unit="fraction",
        leaning=lean,
        flip=(
            f"{bp.equal} - {bp.cap} {primary} spread below {pp(-min_spread)}"
            if sp > 0
            else f"{bp.equal} - {bp.cap} {primary} spread above {pp(min_spread)}"
        ),
        source=src(panel, bp.equal, bp.cap),
        detail=", ".join(f"{w} {pp(s)}" for w, s in spreads.items()),
        finding=spread_finding(
            bp.equal,
            bp.cap,
            sp,
            primary,
            lean,
            noise=min_spread,
            context=context,
        ),
    )


def _highs(panel: Panel, res: PillarResult, tol: float, narrow: bool) -> None:
    """All-time highs of the first pair: "the equal-weight index at a record while cap weight lags"
    (broad), or the cap-weighted index at a record carried by its largest members (narrow)."""
    first = panel.theme.breadth_pairs[0]
    at_record = first.cap if narrow else first.equal
    for t in (first.equal, first.cap):
        s = panel.price(t)
        if s is None:
            continue
        hi = all_time_high(s, panel.as_of, tol)
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
        if t == at_record:
            res.evidence.append(_ath_evidence(panel, t, hi, tol, narrow))


def _ath_evidence(panel: Panel, t: str, hi: HighInfo, tol: float, narrow: bool) -> Evidence:
    """The record-holding series (equal weight, or cap weight for a narrow theme) at its all-time high."""
    ath_lean: Leaning = "catalyst" if hi.at_high else "neutral"
    where = (
        f"{t} closed at its all-time high of {hi.high:.2f}"
        if hi.drawdown >= 0
        else f"{t} closed {abs(hi.drawdown) * 100:.2f}% below its all-time high of {hi.high:.2f} "
        f"({hi.high_date.date()}), {'within' if hi.at_high else 'more than'} the "
        f"{pct(tol, 0, False)} counted as at the high"
    )
    return Evidence(
        pillar="breadth",
        id=f"ath:{t}",
        claim=f"{t} at an all-time high (within {pct(tol, 0, False)})"
        + (" (the cap-weighted index carried to a record)" if narrow else ""),
        value=hi.drawdown,
        threshold=-tol,
        unit="fraction below the high",
        leaning=ath_lean,
        flip=(
            f"{t} falling more than {pct(tol, 0, False)} below its high of {hi.high:.2f}"
            if hi.at_high
            else f"{t} closing within {pct(tol, 0, False)} of its high of {hi.high:.2f}"
        ),
        source=src(panel, t),
        weight=0.5,
        detail=f"last {hi.last:.2f}, high {hi.high:.2f} on {hi.high_date.date()} ({pct(hi.drawdown)})",
        finding=finding_sentence(where, ath_lean),
    )


def _sector_twins(
    panel: Panel, rules: Rules, res: PillarResult, rows: list[dict[str, Any]], primary: str
) -> None:
    """How many sectors' equal-weight twins beat their cap-weighted versions over the primary window
    (broad), or trailed them (narrow)."""
    sectors = panel.theme.sectors
    twins = [r for r in rows if r["window"] == primary and r["cap"] in sectors and r["spread"] == r["spread"]]
    if len(twins) < 2:
        return
    narrow = leadership(panel) == "narrow"
    ahead = [r for r in twins if r["spread"] > 0]
    behind = [r for r in twins if r["spread"] < 0]
    hits = behind if narrow else ahead
    keep, fade = float(rules.get("breadth", "broad_share")), float(rules.get("breadth", "narrow_share"))
    res.evidence.append(
        share_evidence(
            pillar="breadth",
            id=f"sector-twins:{primary}",
            claim=(
                f"Within sectors, cap weight beats equal weight in most sectors over {primary} (narrow leadership)"
                if narrow
                else f"Within sectors, equal weight beats cap weight in most sectors over {primary}"
            ),
            hits=len(hits),
            total=len(twins),
            keep=keep,
            fade=fade,
            what="cap weight ahead" if narrow else "equal weight ahead",
            items="sectors",
            found=(
                f"cap weight led equal weight in {len(hits)} of {len(twins)} sectors {window_text(primary)}"
                if narrow
                else f"equal weight led cap weight in {len(hits)} of {len(twins)} sectors {window_text(primary)}"
            ),
            source=src(panel, *[r["equal"] for r in twins], *[r["cap"] for r in twins]),
            detail=f"{len(ahead)} of {len(twins)} with equal weight ahead: "
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
    narrow = leadership(panel) == "narrow"
    pos, neg = int((recent > 0).sum()), int((recent < 0).sum())
    sign_word = "negative" if narrow else "positive"
    res.evidence.append(
        share_evidence(
            pillar="breadth",
            id=f"ewcw-trend:{bp.equal}-{bp.cap}",
            claim=f"{bp.equal} - {bp.cap} {days}-day spread {sign_word} on most of the last {look} trading days"
            + (" (narrow leadership)" if narrow else ""),
            hits=neg if narrow else pos,
            total=len(recent),
            keep=keep,
            fade=fade,
            what=f"the {days}-day spread {sign_word}",
            items="days",
            found=f"the {bp.equal} - {bp.cap} {days}-day return spread was {sign_word} on "
            f"{neg if narrow else pos} of the last {len(recent)} trading days (latest {pp(now)})",
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
    b = panel.computed(
        ("breadth", tuple(sectors)),
        lambda: breadth(pd.concat({t: panel.price(t) for t in sectors}, axis=1, sort=True), engine="auto"),
    )
    last = b.dropna(subset=["pct_above_50d"]).iloc[-1]
    keep, fade = float(rules.get("breadth", "broad_share")), float(rules.get("breadth", "narrow_share"))
    narrow = leadership(panel) == "narrow"
    for col, n in (("pct_above_50d", 50), ("pct_above_200d", 200)):
        v = float(last[col]) / 100
        if v != v:
            continue
        broad_lean: Leaning = "catalyst" if v >= keep else ("viral" if v <= fade else "neutral")
        lean = _directed(broad_lean, narrow)
        members = int(last["members"])
        above = round(v * members)
        if narrow:
            flip = (
                f"more than {pct(fade, 0, False)} of sectors above their {n}-day average"
                if lean == "catalyst"
                else f"at most {pct(fade, 0, False)} of sectors above their {n}-day average"
            )
        else:
            flip = (
                f"fewer than {pct(keep, 0, False)} of sectors above their {n}-day average"
                if lean == "catalyst"
                else f"at least {pct(keep, 0, False)} of sectors above their {n}-day average"
            )
        kind = "broad" if v >= keep else ("narrow" if v <= fade else "middling")
        res.evidence.append(
            Evidence(
                pillar="breadth",
                id=f"participation:{n}d",
                claim=(
                    f"Few sectors above their {n}-day average (narrow leadership)"
                    if narrow
                    else f"Most sectors above their {n}-day average"
                ),
                value=v,
                threshold=fade if narrow else keep,
                unit="share of sectors",
                leaning=lean,
                flip=flip,
                source=src(panel, *sectors),
                weight=0.5,
                detail=f"{above} of {members} sector series on {b.index[-1].date()}",
                finding=finding_sentence(
                    f"{above} of {members} sectors closed above their {n}-day average on "
                    f"{b.index[-1].date()}: {kind} participation",
                    lean,
                ),
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
