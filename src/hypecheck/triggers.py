"""Triggers: the conditions a user wants to be told about, evaluated on the as-of panel.

Each ``[[triggers]]`` entry of a theme has a ``kind`` and ``params``; its state is ``fired``,
``quiet`` or ``unknown`` (the data cannot say), with the measured value and a detail line. Kinds:

``attention_at_baseline``  ``terms``, ``periods`` (3): every listed term back at its baseline for the
                           last ``periods`` periods, by the attention pillar's definition (one
                           function, :func:`attention_state`): the term's current spike (the last one
                           within the rules' ``lookback_periods``) and its frozen pre-spike baseline
                           and margin from :func:`~hypecheck.analytics.attention.persistence`; a
                           period is at baseline when its value is at most baseline + margin. A term
                           with no current spike has been at baseline since its last spike.
``spread_below``           ``leader``, ``laggard``, ``window`` ("20D" trading days, or "1M", "3M"...),
                           ``level`` (0.0): the leader - laggard return over the window below ``level``.
``rs_momentum_below``      ``tickers``, ``benchmark``, ``level`` (100), ``mode`` ("all"/"any"): the
                           tickers' weekly RS-Momentum (see :mod:`hypecheck.analytics.rrg`) below level.
``breadth_below``          ``members`` (tickers; default the theme's sectors), ``metric``
                           ("pct_above_50d"), ``level`` (50): member breadth below the level.
``event``                  ``tickers``, ``event_kind`` ("earnings"), ``days`` (7), ``surprise_below``
                           (none): a dated event of that kind within the last ``days`` days whose own
                           ``tickers`` include one of these (theme events; a label is never searched
                           for ticker names); with ``surprise_below``, only an event whose earnings
                           surprise ((actual - estimate) / |estimate|, from the theme's ``[events]
                           earnings`` reports) is below that level counts: a miss at 0.0.

Kinds and parameters are checked when the theme loads (:data:`hypecheck.theme.TRIGGER_KINDS`).
Everything uses the panel, which holds only data up to the as-of date.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .analytics.attention import Persistence, Spike, detect_spikes, noise_from_pulls, noise_sd, persistence
from .analytics.returns import window_anchor
from .panel import Panel
from .rules import Rules
from .theme import TRIGGER_KINDS, Trigger

KINDS = tuple(TRIGGER_KINDS)


@dataclass
class AttentionState:
    """Where a search term stands as of the panel's date, as the attention pillar measures it."""

    term: str
    series: pd.Series  # the values used (finest usable frequency, a partial last period left out)
    frequency: str
    unit: str  # "days", "weeks" or "months"
    spikes: list[Spike]
    current: Spike | None  # the last spike within the rules' lookback_periods
    persistence: Persistence | None  # of the current spike
    notes: list[str]

    @property
    def periods_at_baseline(self) -> int:
        """Consecutive latest periods back at baseline: value <= the current spike's frozen baseline
        + margin (``persistence``'s own test); with no current spike, the periods since the last
        spike (all of them when there was none)."""
        s = self.series
        if self.current is None or self.persistence is None:
            last = self.spikes[-1].date if self.spikes else None
            return len(s) if last is None else int((s.index > last).sum())
        p = self.persistence
        after = s.loc[s.index > self.current.date]
        run = 0
        for back in (after <= p.baseline + p.margin).to_numpy()[::-1]:
            if not back:
                break
            run += 1
        return run


def attention_state(panel: Panel, rules: Rules, term: str) -> AttentionState | str:
    """The attention pillar's view of ``term`` (the same series, noise, spikes and persistence as
    :mod:`hypecheck.pillars.attention`), or why there is none."""
    from .pillars.attention import LOOKBACK, UNIT, _pick

    found = panel.search.get(term)
    if not found:
        return "no data"
    want = panel.theme.attention_frequency
    chosen = [x for x in found if x.meta.frequency == want] if want else found
    if not chosen:
        return f"no {want} series (have {', '.join(x.meta.frequency for x in found)})"
    sd = _pick(chosen)
    s = sd.values.dropna()
    notes = []
    if sd.flags is not None and "partial" in sd.flags and bool(sd.flags["partial"].reindex(s.index).iloc[-1]):
        s = s.iloc[:-1]
        notes.append(f"last period {sd.values.index[-1].date()} is partial and was left out")
    freq = sd.meta.frequency if sd.meta.frequency in LOOKBACK else "M"
    k = int(rules.get("attention", "asvi_window"))
    if len(s) < k + 10:
        return f"only {len(s)} periods; at least {k + 10} are needed"
    noise = noise_sd(s, LOOKBACK[freq])
    if sd.pulls is not None and sd.pulls.shape[1] >= 2:
        _, pull_sd = noise_from_pulls(sd.pulls.reindex(s.index))
        noise = pull_sd.clip(lower=0.005 * s.shift(1).expanding().max()).fillna(noise)
    spikes = detect_spikes(
        s,
        k,
        float(rules.get("attention", "spike_asvi")),
        float(rules.get("attention", "noise_z")),
        LOOKBACK[freq],
        noise,
    )
    lookback = int(rules.get("attention", "lookback_periods"))
    recent = [sp for sp in spikes if int((s.index > sp.date).sum()) < lookback]
    current = recent[-1] if recent else None
    p = persistence(s, current.date, k, noise=current.noise) if current is not None else None
    return AttentionState(term, s, freq, UNIT[freq], spikes, current, p, notes)


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


def _rrg_latest(
    panel: Panel, bench_id: str, tickers: list[str], closes: pd.DataFrame, bench: pd.Series
) -> pd.DataFrame:
    """The RRG's latest points of ``tickers`` against ``bench_id``: read from the price pillar's RRG of
    this check when it holds every ticker (each ticker's RRG depends only on its own and the
    benchmark's closes), else computed here."""
    from .analytics.rrg import rrg

    for key, g in panel.memo.items():
        if key[:2] == ("rrg", bench_id) and set(tickers) <= set(getattr(g, "tickers", ())):
            latest = g.latest()  # type: ignore[attr-defined]
            rows = latest[latest["ticker"].isin(tickers)]
            order = {t: k for k, t in enumerate(closes.columns)}
            return rows.sort_values("ticker", key=lambda c: c.map(order)).reset_index(drop=True)
    return rrg(closes, bench.rename("benchmark")).latest()


def _one(panel: Panel, rules: Rules, t: Trigger) -> TriggerState:
    kind = _KIND_READERS.get(t.kind)
    if kind is None:
        return _mk(t, "unknown", None, f"unknown trigger kind {t.kind!r} (known: {', '.join(KINDS)})")
    return kind(panel, rules, t)


def _mk(t: Trigger, state: str, value: float | None, detail: str) -> TriggerState:
    return TriggerState(t.id, t.kind, t.description, state, value, detail)


def _spread_below(panel: Panel, rules: Rules, t: Trigger) -> TriggerState:
    """The leader - laggard return over the window below ``level``."""
    p = t.params
    got = _spread(panel, p["leader"], p["laggard"], str(p.get("window", "20D")))
    level = float(p.get("level", 0.0))
    if got is None:
        return _mk(t, "unknown", None, f"no prices for {p['leader']} and {p['laggard']} over the window")
    v, detail = got
    return _mk(
        t, "fired" if v < level else "quiet", v, f"spread {v:+.2%} (fires below {level:+.2%}); {detail}"
    )


def _attention_at_baseline(panel: Panel, rules: Rules, t: Trigger) -> TriggerState:
    """Every listed term back at its baseline for the last ``periods`` periods."""
    p = t.params
    periods = int(p.get("periods", 3))
    runs, parts = [], []
    for term in p.get("terms", list(panel.theme.terms)):
        st = attention_state(panel, rules, term)
        if isinstance(st, str):
            parts.append(f"{term!r}: {st}")
            continue
        run = st.periods_at_baseline
        runs.append(run)
        end = st.series.index[-1].date()
        if st.current is None or st.persistence is None:
            parts.append(
                f"{term!r}: no spike above noise in the last {int(rules.get('attention', 'lookback_periods'))} "
                f"{st.unit}: at baseline for {run} {st.unit} to {end}"
            )
            continue
        ps = st.persistence
        bar = f"baseline {ps.baseline:.1f} + margin {ps.margin:.1f}"
        parts.append(
            f"{term!r}: spiked {st.current.date.date()} ({st.current.value:.0f}); "
            + (
                f"back at {bar} for the last {run} {st.unit} to {end}"
                if run
                else f"above {bar} on {end}"
                + (f" (it was back on {ps.returned_date.date()})" if ps.returned_date is not None else "")
            )
        )
    if not runs:
        return _mk(t, "unknown", None, "; ".join(parts) or "no terms")
    v = float(min(runs))
    return _mk(t, "fired" if v >= periods else "quiet", v, f"needs {periods} periods; " + "; ".join(parts))


def _rs_momentum_below(panel: Panel, rules: Rules, t: Trigger) -> TriggerState:
    """The tickers' weekly RS-Momentum against the benchmark below ``level`` (all of them, or any)."""
    p = t.params
    bench_id = str(p.get("benchmark", panel.theme.benchmarks[0] if panel.theme.benchmarks else "SPY"))
    bench = panel.price(bench_id)
    tickers = [
        x for x in p.get("tickers", [q.leader for q in panel.theme.pairs]) if panel.price(x) is not None
    ]
    if bench is None or not tickers:
        return _mk(t, "unknown", None, "no prices for the tickers or the benchmark")
    closes = pd.concat({x: panel.price(x) for x in tickers}, axis=1, sort=True)
    try:
        latest = _rrg_latest(panel, bench_id, tickers, closes, bench)
    except ValueError as exc:
        return _mk(t, "unknown", None, str(exc).splitlines()[0])
    level = float(p.get("level", 100.0))
    below = latest.loc[latest["rs_momentum"] < level, "ticker"].tolist()
    fired = len(below) == len(latest) if p.get("mode", "all") == "all" else bool(below)
    v = float(latest["rs_momentum"].min())
    detail = ", ".join(f"{r.ticker} {r.rs_momentum:.2f}" for r in latest.itertuples())
    return _mk(
        t,
        "fired" if fired else "quiet",
        v,
        f"RS-Momentum (fires when {p.get('mode', 'all')} < {level:g}): {detail}",
    )


def _breadth_below(panel: Panel, rules: Rules, t: Trigger) -> TriggerState:
    """The members' breadth metric on the last day below ``level``."""
    from .analytics.breadth import breadth

    p = t.params
    members = [x for x in p.get("members", list(panel.theme.sectors)) if panel.price(x) is not None]
    if len(members) < 2:
        return _mk(t, "unknown", None, "fewer than two members with prices")
    metric = str(p.get("metric", "pct_above_50d"))
    b = panel.computed(  # the breadth pillar's sector breadth when the members are the same
        ("breadth", tuple(members)),
        lambda: breadth(pd.concat({x: panel.price(x) for x in members}, axis=1, sort=True), engine="auto"),
    )
    if metric not in b:
        return _mk(t, "unknown", None, f"unknown metric {metric!r}")
    s = b[metric].dropna()
    if s.empty:
        return _mk(t, "unknown", None, f"{metric}: not enough history")
    v = float(s.iloc[-1])
    level = float(p.get("level", 50.0))
    counted = b["members"].get(s.index[-1]) if "members" in b else None
    n = int(counted) if counted is not None and counted == counted else len(members)
    return _mk(
        t,
        "fired" if v < level else "quiet",
        v,
        breadth_sentence(metric, v, n, str(s.index[-1].date()), level),
    )


def _event(panel: Panel, rules: Rules, t: Trigger) -> TriggerState:
    """A dated event of the kind, naming one of the tickers, within the last ``days`` days (with
    ``surprise_below``: only one whose earnings surprise is below that level)."""
    p = t.params
    days = int(p.get("days", 7))
    kind = str(p.get("event_kind", "earnings"))
    wanted = {str(x).upper() for x in p.get("tickers", [])}

    below = p.get("surprise_below")

    def names(e: Any) -> bool:  # the event's own tickers, never words of its label
        return not wanted or bool(wanted & {x.upper() for x in e.tickers})

    def counts(e: Any) -> bool:  # with surprise_below: only a measured surprise below the level
        s = getattr(e, "surprise", None)
        return below is None or (s is not None and s < float(below))

    of_kind = [e for e in (*panel.events, *panel.upcoming) if e.kind == kind]
    past = [e for e in panel.events if e.kind == kind and names(e)]
    in_window = [e for e in past if pd.Timestamp(e.date) > panel.as_of - pd.Timedelta(days=days)]
    recent = [e for e in in_window if counts(e)]
    upcoming = [e for e in panel.upcoming if e.kind == kind and names(e)]
    tag = lambda e: f"{e.date} {e.label}" + (f" ({', '.join(e.tickers)})" if e.tickers else "")  # noqa: E731
    bar = "" if below is None else f" with a surprise below {float(below):+.1%}"
    if recent:
        return _mk(t, "fired", float(len(recent)), "; ".join(tag(e) for e in recent))
    no_data = [why for (k, _), why in panel.missing.items() if k == "earnings"] if kind == "earnings" else []
    if not of_kind:
        return _mk(
            t,
            "unknown" if no_data else "quiet",
            None if no_data else 0.0,
            f"no dated {kind} events in the theme" + (f"; {no_data[0]}" if no_data else ""),
        )
    whom = f" naming {', '.join(sorted(wanted))}" if wanted else ""
    parts = [f"no {kind} event{whom}{bar} in the {days} days to {panel.as_of.date()}"]
    if in_window:
        parts.append("in the window: " + "; ".join(tag(e) for e in in_window))
    if past:
        parts.append(f"last: {tag(past[-1])}")
    if upcoming:
        parts.append(f"next: {tag(upcoming[0])}")
    untagged = [e for e in of_kind if not e.tickers]
    if wanted and untagged:
        parts.append(
            f"{len(untagged)} of the theme's {len(of_kind)} {kind} events name no tickers and cannot "
            "match (add tickers = [...] to them)"
        )
    return _mk(t, "quiet", 0.0, "; ".join(parts))


_KIND_READERS: dict[str, Callable[[Panel, Rules, Trigger], TriggerState]] = {
    "spread_below": _spread_below,
    "attention_at_baseline": _attention_at_baseline,
    "rs_momentum_below": _rs_momentum_below,
    "breadth_below": _breadth_below,
    "event": _event,
}


_BREADTH_COUNTS = {
    "advances": "closed above their previous close",
    "declines": "closed below their previous close",
    "new_highs": "closed at a 52-week high",
    "new_lows": "closed at a 52-week low",
}


def breadth_sentence(metric: str, v: float, n: int, day: str, level: float) -> str:
    """A breadth trigger's reading as a sentence: ``pct_above_50d`` 100.0 over 11 members reads
    "100% of the 11 members closed above their 50-day average on 2026-01-16 (fires below 50%)"."""
    m = re.fullmatch(r"pct_above_(\d+)d", metric)
    if m:
        return (
            f"{v:.0f}% of the {n} members closed above their {m[1]}-day average on {day} "
            f"(fires below {level:g}%)"
        )
    if metric in _BREADTH_COUNTS:
        return f"{v:.0f} of the {n} members {_BREADTH_COUNTS[metric]} on {day} (fires below {level:g})"
    if metric == "mcclellan":
        return f"the McClellan oscillator of the {n} members was {v:+.1f} on {day} (fires below {level:g})"
    if metric == "ad_line":
        return (
            f"the advance/decline line of the {n} members stood at {v:,.0f} on {day} (fires below {level:g})"
        )
    if metric in ("ew_return", "cw_return"):
        kind = "equal" if metric == "ew_return" else "cap"
        return f"the {n} members' {kind}-weighted return was {v:+.2%} on {day} (fires below {level:+.2%})"
    return f"{metric} was {v:.1f} over the {n} members on {day} (fires below {level:g})"
