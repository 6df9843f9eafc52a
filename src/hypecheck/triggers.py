"""Triggers: the conditions a user wants to be told about, evaluated on the as-of panel.

Each ``[[triggers]]`` entry of a theme has a ``kind`` and ``params``; its state is ``fired``,
``quiet`` or ``unknown`` (the data cannot say), with the measured value and a detail line. Kinds:

``attention_at_baseline``  ``terms``, ``periods`` (3): every listed term's abnormal search volume
                           (ASVI, ln of the value over the median of the 8 periods before) at or
                           below the "elevated" rule (ln 1.2) for the last ``periods`` periods.
``spread_below``           ``leader``, ``laggard``, ``window`` ("20D" trading days, or "1M", "3M"...),
                           ``level`` (0.0): the leader - laggard return over the window below ``level``.
``rs_momentum_below``      ``tickers``, ``benchmark``, ``level`` (100), ``mode`` ("all"/"any"): the
                           tickers' weekly RS-Momentum (see :mod:`hypecheck.analytics.rrg`) below level.
``breadth_below``          ``members`` (tickers; default the theme's sectors), ``metric``
                           ("pct_above_50d"), ``level`` (50): member breadth below the level.
``event``                  ``tickers``, ``event_kind`` ("earnings"), ``days`` (7): a dated event of that
                           kind naming one of the tickers within the last ``days`` days (theme events).

Everything uses the panel, which holds only data up to the as-of date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .analytics.attention import asvi
from .analytics.returns import window_anchor
from .panel import Panel
from .rules import Rules

KINDS = ("attention_at_baseline", "spread_below", "rs_momentum_below", "breadth_below", "event")


@dataclass
class TriggerState:
    id: str
    kind: str
    description: str
    state: str  # fired / quiet / unknown
    value: float | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        v = self.value
        return {
            "id": self.id,
            "kind": self.kind,
            "description": self.description,
            "state": self.state,
            "value": None if v is None or (isinstance(v, float) and math.isnan(v)) else v,
            "detail": self.detail,
        }


def _spread(panel: Panel, leader: str, laggard: str, window: str) -> tuple[float, str] | None:
    a, b = panel.price(leader), panel.price(laggard)
    if a is None or b is None:
        return None
    df = pd.concat({"a": a, "b": b}, axis=1, join="inner", sort=True).dropna()
    if df.empty:
        return None
    w = window.upper()
    if w.endswith("D") and w[:-1].isdigit():
        n = int(w[:-1])
        if len(df) <= n:
            return None
        r = df.iloc[-1] / df.iloc[-1 - n] - 1
        start = df.index[-1 - n]
    else:
        base = df.loc[df.index <= window_anchor(panel.as_of, w)]
        if base.empty:
            return None
        r = df.iloc[-1] / base.iloc[-1] - 1
        start = base.index[-1]
    return float(
        r["a"] - r["b"]
    ), f"{leader} {r['a']:+.2%} vs {laggard} {r['b']:+.2%} from {start.date()} to {df.index[-1].date()}"


def evaluate(panel: Panel, rules: Rules) -> list[TriggerState]:
    out = []
    for t in panel.theme.triggers:
        try:
            out.append(_one(panel, rules, t))
        except (KeyError, TypeError, ValueError) as exc:  # a malformed params table: say so, do not crash
            out.append(TriggerState(t.id, t.kind, t.description, "unknown", None, f"cannot evaluate: {exc}"))
    return out


def _one(panel: Panel, rules: Rules, t: Any) -> TriggerState:
    p = t.params
    mk = lambda state, value, detail: TriggerState(t.id, t.kind, t.description, state, value, detail)  # noqa: E731
    if t.kind == "spread_below":
        got = _spread(panel, p["leader"], p["laggard"], str(p.get("window", "20D")))
        level = float(p.get("level", 0.0))
        if got is None:
            return mk("unknown", None, f"no prices for {p['leader']} and {p['laggard']} over the window")
        v, detail = got
        return mk(
            "fired" if v < level else "quiet", v, f"spread {v:+.2%} (fires below {level:+.2%}); {detail}"
        )
    if t.kind == "attention_at_baseline":
        periods = int(p.get("periods", 3))
        limit = float(rules.get("attention", "elevated_asvi"))
        window = int(rules.get("attention", "asvi_window"))
        runs, parts = [], []
        for term in p.get("terms", list(panel.theme.terms)):
            pulls = panel.search.get(term)
            if not pulls:
                parts.append(f"'{term}': no data")
                continue
            s = pulls[0].values.dropna()
            a = asvi(s, window).dropna()
            if a.empty:
                parts.append(f"'{term}': too short")
                continue
            at_base = (a <= limit).to_numpy()[::-1]
            run = 0
            for x in at_base:  # consecutive latest periods at baseline (a handful of periods)
                if not x:
                    break
                run += 1
            runs.append(run)
            parts.append(f"'{term}': {run} period(s) at baseline to {a.index[-1].date()}")
        if not runs:
            return mk("unknown", None, "; ".join(parts) or "no terms")
        v = float(min(runs))
        return mk("fired" if v >= periods else "quiet", v, f"needs {periods}; " + "; ".join(parts))
    if t.kind == "rs_momentum_below":
        from .analytics.rrg import rrg

        bench = panel.price(
            p.get("benchmark", panel.theme.benchmarks[0] if panel.theme.benchmarks else "SPY")
        )
        tickers = [
            x for x in p.get("tickers", [q.leader for q in panel.theme.pairs]) if panel.price(x) is not None
        ]
        if bench is None or not tickers:
            return mk("unknown", None, "no prices for the tickers or the benchmark")
        closes = pd.concat({x: panel.price(x) for x in tickers}, axis=1, sort=True)
        try:
            latest = rrg(closes, bench.rename("benchmark")).latest()
        except ValueError as exc:
            return mk("unknown", None, str(exc).splitlines()[0])
        level = float(p.get("level", 100.0))
        below = latest.loc[latest["rs_momentum"] < level, "ticker"].tolist()
        fired = len(below) == len(latest) if p.get("mode", "all") == "all" else bool(below)
        v = float(latest["rs_momentum"].min())
        detail = ", ".join(f"{r.ticker} {r.rs_momentum:.2f}" for r in latest.itertuples())
        return mk(
            "fired" if fired else "quiet",
            v,
            f"RS-Momentum (fires when {p.get('mode', 'all')} < {level:g}): {detail}",
        )
    if t.kind == "breadth_below":
        from .analytics.breadth import breadth

        members = [x for x in p.get("members", list(panel.theme.sectors)) if panel.price(x) is not None]
        if len(members) < 2:
            return mk("unknown", None, "fewer than two members with prices")
        metric = str(p.get("metric", "pct_above_50d"))
        b = breadth(pd.concat({x: panel.price(x) for x in members}, axis=1, sort=True))
        if metric not in b:
            return mk("unknown", None, f"unknown metric {metric!r}")
        s = b[metric].dropna()
        if s.empty:
            return mk("unknown", None, f"{metric}: not enough history")
        v = float(s.iloc[-1])
        level = float(p.get("level", 50.0))
        return mk(
            "fired" if v < level else "quiet",
            v,
            f"{metric} {v:.1f} of {len(members)} members on {s.index[-1].date()} (fires below {level:g})",
        )
    if t.kind == "event":
        days = int(p.get("days", 7))
        kind = str(p.get("event_kind", "earnings"))
        tickers = [str(x) for x in p.get("tickers", [])]
        recent = [
            e
            for e in panel.events
            if e.kind == kind
            and (not tickers or any(x in e.label for x in tickers))
            and pd.Timestamp(e.date) > panel.as_of - pd.Timedelta(days=days)
        ]
        upcoming = [
            e
            for e in panel.upcoming
            if e.kind == kind and (not tickers or any(x in e.label for x in tickers))
        ]
        if recent:
            return mk("fired", float(len(recent)), "; ".join(f"{e.date} {e.label}" for e in recent))
        nxt = (
            f"next: {upcoming[0].date} {upcoming[0].label}"
            if upcoming
            else f"no dated {kind} events in the theme"
        )
        return mk("quiet", 0.0, nxt)
    return mk("unknown", None, f"unknown trigger kind {t.kind!r} (known: {', '.join(KINDS)})")
