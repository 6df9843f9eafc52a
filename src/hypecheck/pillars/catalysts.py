"""Catalysts: do the macro series move the way the narrative needs, and when did price move
relative to the dated events?"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from ..analytics.events import WINDOWS, event_windows, move_onset, move_order, window_label
from ..analytics.returns import window_anchor
from ..evidence import Evidence, Leaning, MissingEvidence, PillarResult, finding_sentence
from ..panel import Panel
from ..rules import Rules
from ..theme import MacroSeries
from ._common import amount, assumed_text, level_finding, pct, pp, series_points, src

NEEDS_TEXT = {
    "up": "rising",
    "down": "falling",
    "flat": "flat",
    "flat_or_down": "flat or falling",
    "flat_or_up": "flat or rising",
}


# FRED series quoted in percent (yields, policy rates, spreads, unemployment): their changes are in
# percentage points
PERCENT_SERIES = re.compile(
    r"^(DGS\d+MO|DGS\d+|DFF|FEDFUNDS|EFFR|SOFR|IORB|DFEDTAR[UL]|T10Y2Y|T10Y3M|T10YFF|T5YIE|T10YIE|DFII\d+|"
    r"BAML\w+|DTB\d+|TB\d+MS|GS\d+|DPRIME|MPRIME|MORTGAGE\d+US|UNRATE|DBAA|DAAA|AAA|BAA|BAA10Y|AAA10Y)$",
    re.IGNORECASE,
)


MOVED_TEXT = {
    "after (against the leader)": "moved against the leader after",
    "before": "moved before",
    "before (against the leader)": "moved against the leader before",
    "before, reversed after": "moved before and reversed after",
    "against before, recovered after": "moved against the leader before and recovered after",
    "none": "did not move",
}


_DIRECTION_WORDS = re.compile(
    r"(?:\s+(?:or\s+)?(?:rising|falling|widening|narrowing|steepening|flattening|inverting|easing|tightening))+$",
    re.IGNORECASE,
)


def subject(label: str) -> str:
    """What a series is, for a finding's subject: its label without a trailing parenthetical or the
    direction the narrative wants ('Fed funds rate (policy on hold)' -> 'Fed funds rate', 'Initial
    jobless claims rising' -> 'Initial jobless claims'), since the finding states the direction found."""
    out = re.sub(r"\s*\([^()]*\)\s*$", "", label).strip()
    out = _DIRECTION_WORDS.sub("", out).strip()
    return out or label


def holds(change: float, needs: str, tol: float) -> bool:
    """Does a change (in the series' units) move the way ``needs`` says, with ``tol`` counted as flat?"""
    return {
        "up": change > tol,
        "down": change < -tol,
        "flat": abs(change) <= tol,
        "flat_or_down": change <= tol,
        "flat_or_up": change >= -tol,
    }[needs]


_OBS_PER_MONTH = {"M": 1.0, "Q": 1 / 3}


def observation_frequency(index: pd.DatetimeIndex) -> str:
    """``D``, ``W``, ``M`` or ``Q`` from the median spacing of the dates."""
    if len(index) < 3:
        return "D"
    gap = float(np.median(np.diff(index.values).astype("timedelta64[s]").astype("float64")) / 86_400)
    return "Q" if gap >= 80 else "M" if gap >= 25 else "W" if gap >= 6 else "D"


def observation_periods(index: pd.DatetimeIndex, window: str) -> int | None:
    """How many observation periods an ``NM``/``NY`` window spans on a monthly or quarterly series
    (3M on a monthly series: 3); None for daily and weekly series and other windows (dated anchors)."""
    m = re.fullmatch(r"(\d+)([MY])", window.strip().upper())
    freq = observation_frequency(index)
    if m is None or freq in ("D", "W"):  # daily and weekly: the dated anchor is at most days off
        return None
    months = int(m.group(1)) * (12 if m.group(2) == "Y" else 1)
    return max(1, round(months * _OBS_PER_MONTH[freq]))


def level_change(s: pd.Series, as_of: pd.Timestamp, window: str) -> tuple[float, float, Any, Any]:
    """(last level, change, start, end) of ``s``, a series as known on ``as_of`` (the panel's cut,
    :class:`hypecheck.known.KnownView`: it is not cut again here; a value dated after ``as_of`` is an
    error). Daily series: since the last observation on or before the window anchor (weekly series
    too). Monthly and quarterly series: over the window's number of observation periods, the latest
    value known against the one that many observations earlier (with publication lags the latest
    monthly value is often two months old: a date anchor would then compare it with the month before
    and call that "3 months")."""
    s = s.dropna()
    if bool((s.index > as_of).any()):
        raise ValueError(
            f"level_change reads a series as known on {as_of.date()} (the panel's cut), "
            f"got one running to {pd.Timestamp(s.index.max()).date()}"
        )
    k = observation_periods(pd.DatetimeIndex(s.index), window)
    if k is not None:
        if len(s) <= k:
            return float("nan"), float("nan"), pd.NaT, pd.NaT
        return float(s.iloc[-1]), float(s.iloc[-1] - s.iloc[-1 - k]), s.index[-1 - k], s.index[-1]
    before = s.loc[s.index <= window_anchor(as_of, window)]
    if s.empty or before.empty:
        return float("nan"), float("nan"), pd.NaT, pd.NaT
    return float(s.iloc[-1]), float(s.iloc[-1] - before.iloc[-1]), before.index[-1], s.index[-1]


def _periods_note(s: pd.Series, window: str, start: Any, end: Any) -> str:
    k = observation_periods(pd.DatetimeIndex(s.dropna().index), window)
    if k is None:
        return ""
    freq = {"W": "weekly", "M": "monthly", "Q": "quarterly"}[
        observation_frequency(pd.DatetimeIndex(s.dropna().index))
    ]
    return (
        f"over {k} {freq} observation{'s' if k != 1 else ''}, from the one dated {pd.Timestamp(start).date()}"
    )


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
    theme = panel.theme
    rows = []
    for m in theme.macro:
        row = _macro(panel, m, res)
        if row is not None:
            rows.append(row)

    if panel.events:
        res.charts["events"] = [{"date": str(e.date), "label": e.label, "kind": e.kind} for e in panel.events]
    _event_study(panel, rules, res)
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
    res.tables["macro"] = rows
    return res


def _macro(panel: Panel, m: MacroSeries, res: PillarResult) -> dict[str, Any] | None:
    """One [[macro]] series: whether it moved the way the narrative needs over its window (evidence,
    chart, and the policy regime for a policy rate) and its row of the macro table; None (with the
    reason in ``res.missing``) when it cannot be measured."""
    as_of = panel.as_of
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
        return None
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
        return None
    ok = holds(change, m.needs, m.tolerance)
    lean: Leaning = "catalyst" if ok else "viral"
    in_pp = bool(PERCENT_SERIES.match(m.id))
    # the release lag behind the latest value, when it was assumed: said where the value is read
    assumed = assumed_text(panel, m.id)
    notes = [n for n in (_periods_note(s, m.window, start, end), assumed) if n]
    res.evidence.append(
        Evidence(
            pillar="catalysts",
            id=f"macro:{m.id}",
            claim=f"{m.label}: {NEEDS_TEXT[m.needs]} over {m.window}",
            value=change,
            threshold=m.tolerance,
            unit="change in series units",
            leaning=lean,
            finding=level_finding(
                f"{subject(m.label)} ({m.id})",
                change,
                m.window,
                lean,
                unit="pp" if in_pp else "",
                level=f"{amount(level)}{'%' if in_pp else ''} on {end.date()}"
                + (f" ({'; '.join(notes)})" if notes else ""),
                tolerance=m.tolerance,
                needs=NEEDS_TEXT[m.needs],
            ),
            flip=f"{m.id} {m.window} change {'leaving' if ok else 'entering'} the '{NEEDS_TEXT[m.needs]}' range "
            f"(tolerance {m.tolerance:g})",
            source=src(panel, m.id),
            detail=f"{level:.2f} on {end.date()}, {change:+.2f} since {start.date()}"
            + (f" ({assumed})" if assumed else ""),
        )
    )
    res.charts.setdefault("macro", {})[m.label] = series_points(s, window_anchor(as_of, "24M"))
    if m.id in ("FEDFUNDS", "DFF", "EFFR") or (panel.mapping and m.id == "FEDFUNDS"):
        regime = policy_regime(s, as_of)
        res.tables["policy"] = [{"series": m.id, "regime": regime, "level": level}]
        res.notes.append(f"policy-rate regime from {m.id}: {regime} (level {level:.2f})")
    return {
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


Spread = tuple[str, str, str]  # (name "X - Y", X, Y): a spread of two series' returns


def _event_study(panel: Panel, rules: Rules, res: PillarResult) -> None:
    """Leader - laggard and breadth (equal - cap weight) spreads in trading-day windows around each
    dated event; where the move happened (before or after); one evidence item over the events."""
    theme = panel.theme
    if not panel.events:
        return
    noise = float(rules.get("catalysts", "event_noise"))
    series: list[Spread] = []
    if theme.pairs:
        p = theme.pairs[0]
        series.append((f"{p.leader} - {p.laggard}", p.leader, p.laggard))
    if theme.breadth_pairs:
        bp = theme.breadth_pairs[0]
        series.append((f"{bp.equal} - {bp.cap}", bp.equal, bp.cap))
    rows = _event_rows(panel, series, noise, res)
    if not rows:
        return
    res.tables["event_study"] = rows
    res.charts["event_study"] = {"rows": rows, "windows": [window_label(w) for w in WINDOWS]}
    lead = series[0]
    done = [r for r in rows if r["spread"] == lead[0] and r["moved"] != "unfinished"]
    if not done:
        return
    res.evidence.append(_event_evidence(panel, rules, lead, done))
    res.notes.append(
        f"event study: trading-day windows {', '.join(window_label(w) for w in WINDOWS)} around each event's "
        f"last close on or before its date; moves within +/-{noise * 100:.1f} pp count as none; after-windows past "
        "the as-of date are 'unfinished'"
    )


def _event_rows(panel: Panel, series: list[Spread], noise: float, res: PillarResult) -> list[dict[str, Any]]:
    """One row per spread and event: the spread over each window around the event, and where it moved."""
    dates = [pd.Timestamp(e.date) for e in panel.events]
    rows: list[dict[str, Any]] = []
    for name, x, y in series:
        a, b = panel.price(x), panel.price(y)
        if a is None or b is None:
            res.notes.append(f"event study without {name}: no prices for both")
            continue
        if panel.prices[x].meta.frequency not in ("D", "W"):
            res.notes.append(f"event study without {name}: trading-day windows need daily closes")
            continue
        ew = event_windows(a, b, sorted(set(dates)))  # two events on one day: one window
        for ev, d in zip(panel.events, dates, strict=True):
            sub = ew.loc[ew["date"] == d].set_index("window")["spread"]
            row: dict[str, Any] = {"date": str(ev.date), "event": ev.label, "spread": name}
            for w in WINDOWS:
                v = sub.get(window_label(w))
                row[window_label(w)] = None if v is None or v != v else float(v)
            pre, post = sub.get(window_label(WINDOWS[0])), sub.get(window_label(WINDOWS[-1]))
            row["moved"] = move_order(
                float("nan") if pre is None else float(pre),
                float("nan") if post is None else float(post),
                noise,
            )
            rows.append(row)
    return rows


def _event_evidence(panel: Panel, rules: Rules, lead: Spread, done: list[dict[str, Any]]) -> Evidence:
    """Whether the lead spread moved in the leader's favour after the dated catalysts (``done``: its
    events with a finished after-window) rather than before."""
    after = [r for r in done if r["moved"] == "after"]
    keep, fade = float(rules.get("price", "persistence_share")), float(rules.get("price", "fade_share"))
    share = len(after) / len(done)
    lean: Leaning = "catalyst" if share >= keep else ("viral" if share <= fade else "neutral")
    others: dict[str, int] = {}
    for r in done:
        if r["moved"] != "after":
            others[r["moved"]] = others.get(r["moved"], 0) + 1
    return Evidence(
        pillar="catalysts",
        id="event-study",
        claim=f"{lead[0]} moved in the leader's favour after the dated catalysts rather than before",
        value=share,
        threshold=keep,
        unit="share of events",
        leaning=lean,
        flip=(
            f"the move following fewer than {pct(keep, 0, False)} of the events"
            if lean == "catalyst"
            else f"the move following at least {pct(keep, 0, False)} of the events"
        ),
        source=src(panel, lead[1], lead[2]),
        finding=finding_sentence(
            f"{lead[0]} moved in the leader's favour after {len(after)} of {len(done)} dated catalysts"
            + (
                "; of the others, " + ", ".join(f"{v} {MOVED_TEXT.get(k, k)}" for k, v in others.items())
                if others
                else ""
            ),
            lean,
        ),
        detail="; ".join(
            f"{r['date']} {r['moved']} (20d before {pp(r[window_label(WINDOWS[0])])}, "
            f"after {pp(r[window_label(WINDOWS[-1])])})"
            for r in done
        ),
    )


def add_sequence(pillars: dict[str, PillarResult], panel: Panel) -> None:
    """The lead-lag order across pillars: when the price move began (start of the current run of a
    positive 20-day leader - laggard spread), the dated catalysts, and the latest search spike of each
    term within the year before the as-of date. Added to the catalysts pillar as a table and a note."""
    res = pillars.get("catalysts")
    if res is None:
        return
    theme, as_of = panel.theme, panel.as_of
    items: list[dict[str, Any]] = []
    if theme.pairs:
        p = theme.pairs[0]
        a, b = panel.price(p.leader), panel.price(p.laggard)
        if a is not None and b is not None and panel.prices[p.leader].meta.frequency == "D":
            onset = move_onset(a, b)
            if onset is not None:
                items.append(
                    {
                        "date": onset.strftime("%Y-%m-%d"),
                        "what": f"price: {p.leader} - {p.laggard} 20-day spread turns positive (current run)",
                    }
                )
    for ev in panel.events:
        if pd.Timestamp(ev.date) >= as_of - pd.DateOffset(months=12):
            items.append({"date": str(ev.date), "what": f"catalyst: {ev.label}"})
    att = pillars.get("attention")
    latest: dict[str, str] = {}
    for r in att.tables.get("spikes", []) if att else []:
        d = str(r["date"])
        if pd.Timestamp(d) >= as_of - pd.DateOffset(months=12) and d > latest.get(r["term"], ""):
            latest[r["term"]] = d
    items += [{"date": d, "what": f"attention: search spike for '{t}'"} for t, d in latest.items()]
    if len(items) < 2:
        return
    items.sort(key=lambda r: r["date"])
    res.tables["sequence"] = items
    res.notes.append(
        "order of events: " + " -> ".join(f"{r['what'].split(':')[0]} ({r['date']})" for r in items)
    )
