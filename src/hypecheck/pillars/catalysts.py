"""Catalysts: do the macro series move the way the narrative needs, and when did price move
relative to the dated events?"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..analytics.returns import window_anchor
from ..evidence import Evidence, MissingEvidence, PillarResult
from ..panel import Panel
from ..rules import Rules
from ._common import pp, series_points, src

NEEDS_TEXT = {
    "up": "rising",
    "down": "falling",
    "flat": "flat",
    "flat_or_down": "flat or falling",
    "flat_or_up": "flat or rising",
}


def holds(change: float, needs: str, tol: float) -> bool:
    """Does a change (in the series' units) move the way ``needs`` says, with ``tol`` counted as flat?"""
    return {
        "up": change > tol,
        "down": change < -tol,
        "flat": abs(change) <= tol,
        "flat_or_down": change <= tol,
        "flat_or_up": change >= -tol,
    }[needs]


def level_change(s: pd.Series, as_of: pd.Timestamp, window: str) -> tuple[float, float, Any, Any]:
    """(last level, change since the last observation on or before the window anchor, start, end)."""
    s = s.dropna()
    s = s.loc[s.index <= as_of]
    before = s.loc[s.index <= window_anchor(as_of, window)]
    if s.empty or before.empty:
        return float("nan"), float("nan"), pd.NaT, pd.NaT
    return float(s.iloc[-1]), float(s.iloc[-1] - before.iloc[-1]), before.index[-1], s.index[-1]


def policy_regime(rate: pd.Series, as_of: pd.Timestamp, step: float = 0.20) -> str:
    """hiking / cutting / holding from the policy rate's change over the last 6 months (and 3)."""
    _, ch6, _, _ = level_change(rate, as_of, "6M")
    _, ch3, _, _ = level_change(rate, as_of, "3M")
    if math.isnan(ch6):
        return "unknown"
    if ch3 <= -step / 2 or ch6 <= -step:
        return "cutting"
    if ch3 >= step / 2 or ch6 >= step:
        return "hiking"
    return "holding"


def measure(panel: Panel, rules: Rules) -> PillarResult:
    res = PillarResult("catalysts")
    theme, as_of = panel.theme, panel.as_of
    rows = []
    for m in theme.macro:
        s = panel.macro_series(m.id)
        if s is None:
            res.missing.append(
                MissingEvidence(
                    "catalysts",
                    f"macro:{m.id}",
                    panel.why_missing("macro", m.id),
                    f"add the FRED series {m.id} (CSV download) to the data folder",
                )
            )
            continue
        level, change, start, end = level_change(s, as_of, m.window)
        if math.isnan(change):
            res.missing.append(
                MissingEvidence(
                    "catalysts",
                    f"macro:{m.id}",
                    f"{m.id}: no observation before the {m.window} window",
                    "longer history",
                )
            )
            continue
        ok = holds(change, m.needs, m.tolerance)
        rows.append(
            {
                "id": m.id,
                "label": m.label,
                "window": m.window,
                "start": start.strftime("%Y-%m-%d"),
                "end": end.strftime("%Y-%m-%d"),
                "level": level,
                "change": change,
                "needs": m.needs,
                "holds": ok,
            }
        )
        res.evidence.append(
            Evidence(
                pillar="catalysts",
                id=f"macro:{m.id}",
                claim=f"{m.label}: {NEEDS_TEXT[m.needs]} over {m.window}",
                value=change,
                threshold=m.tolerance,
                unit="change in series units",
                leaning="catalyst" if ok else "viral",
                flip=f"{m.id} {m.window} change {'leaving' if ok else 'entering'} the '{NEEDS_TEXT[m.needs]}' range "
                f"(tolerance {m.tolerance:g})",
                source=src(panel, m.id),
                detail=f"{level:.2f} on {end.date()}, {change:+.2f} since {start.date()}",
            )
        )
        res.charts.setdefault("macro", {})[m.label] = series_points(s, window_anchor(as_of, "24M"))
        if m.id in ("FEDFUNDS", "DFF", "EFFR") or (panel.mapping and m.id == "FEDFUNDS"):
            regime = policy_regime(s, as_of)
            res.tables["policy"] = [{"series": m.id, "regime": regime, "level": level}]
            res.notes.append(f"policy-rate regime from {m.id}: {regime} (level {level:.2f})")

    # event windows: leader - laggard spread in the month before and after each dated event
    days = int(rules.get("catalysts", "event_window_days"))
    pair = theme.pairs[0] if theme.pairs else None
    if pair is not None:
        a, b = panel.price(pair.leader), panel.price(pair.laggard)
        if a is not None and b is not None:
            df = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
            for ev in panel.events:
                t0 = pd.Timestamp(ev.date)

                def spread(lo: pd.Timestamp, hi: pd.Timestamp, df: pd.DataFrame = df) -> float:
                    x = df.loc[(df.index <= hi)]
                    base = x.loc[x.index <= lo]
                    if base.empty or x.empty or x.index[-1] <= base.index[-1]:
                        return float("nan")
                    r = x.iloc[-1] / base.iloc[-1] - 1
                    return float(r["a"] - r["b"])

                after_end = min(t0 + pd.Timedelta(days=days), as_of)
                rows_ev = {
                    "date": str(ev.date),
                    "event": ev.label,
                    "kind": ev.kind,
                    "spread_before": spread(t0 - pd.Timedelta(days=days), t0),
                    "spread_after": spread(t0, after_end),
                    "after_days": int((after_end - t0).days),
                }
                res.tables.setdefault("events", []).append(rows_ev)
            if panel.events:
                res.notes.append(
                    f"event windows use {pair.leader} - {pair.laggard}, {days} days either side "
                    "(after-windows are cut at the as-of date)"
                )
    for ev in panel.upcoming:
        res.notes.append(f"after the as-of date, not used: {ev.date} {ev.label}")
    if not theme.macro and not panel.events:
        res.missing.append(
            MissingEvidence(
                "catalysts",
                "catalysts",
                "the theme names no macro series or events",
                "add [[macro]] series and [[events]] to the theme",
            )
        )
    _ = pp
    res.tables["macro"] = rows
    return res
