"""Attention: did search interest spike above its noise, and is it holding (a shift) or fading back
to its baseline (a flash)? And what did the theme's spread do after the term's past spikes?

Per term, on the finest series available up to the as-of date (a partial last period is left out,
never read as a drop): spikes from :func:`~hypecheck.analytics.attention.detect_spikes` (ASVI above
``spike_asvi`` *and* ``noise_z`` noise deviations above the baseline); the current spike is the last
one within ``lookback_periods``; its :func:`~hypecheck.analytics.attention.persistence` gives the
leaning: *settled above baseline* -> catalyst (a shift that holds), *returned* or decaying with a
half-life under ``fast_half_life`` -> viral, otherwise neutral. The term's past spikes feed an event
study of the theme's first pair (Da, Engelberg & Gao: attention-driven pressure reverses within
the year); its longest horizon gives a second evidence item.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..analytics.attention import (
    Spike,
    asvi,
    baseline,
    detect_spikes,
    event_study,
    lead_lag,
    noise_from_pulls,
    noise_sd,
    persistence,
)
from ..evidence import Evidence, Leaning, MissingEvidence, PillarResult, finding_sentence
from ..panel import Panel
from ..rules import Rules
from ..schema import SeriesData
from ..theme import Pair
from ._common import pct, series_points, src

LOOKBACK = {"D": 90, "W": 52, "M": 24}
PERIOD = {"D": "D", "W": "W-SAT", "M": "M"}
UNIT = {"D": "days", "W": "weeks", "M": "months"}
# event-study horizons: in the term's periods (for labels) and in trading days / months of price data
HORIZONS = {"D": (10, 20, 65, 130), "W": (2, 4, 13, 26), "M": (1, 3, 6, 12)}
TRADING_DAYS = {"D": 1, "W": 5, "M": 21}


def _n(n: int, unit: str) -> str:
    """'1 month', '4 months'."""
    return f"{n} {unit[:-1] if n == 1 and unit.endswith('s') else unit}"


def _pick(found: list[SeriesData]) -> SeriesData:
    order = {"D": 0, "W": 1, "M": 2}
    usable = [s for s in found if s.meta.frequency in order and len(s.values.dropna()) >= 20]
    return sorted(usable or found, key=lambda s: order.get(s.meta.frequency, 9))[0]


@dataclass(frozen=True)
class _Settings:
    """The attention rules a measurement uses."""

    k: int  # ASVI window (periods)
    spike_at: float  # ASVI a spike must reach
    z: float  # noise deviations a spike must clear
    lookback: int  # periods a spike counts as recent
    fast: float  # half-life (periods) at or below which a spike is fading fast
    reversal: float  # share of windows at or below which spikes are followed by reversals

    @classmethod
    def of(cls, rules: Rules) -> _Settings:
        return cls(
            int(rules.get("attention", "asvi_window")),
            float(rules.get("attention", "spike_asvi")),
            float(rules.get("attention", "noise_z")),
            int(rules.get("attention", "lookback_periods")),
            float(rules.get("attention", "fast_half_life")),
            float(rules.get("attention", "reversal_share")),
        )


@dataclass
class _Reading:
    """What the latest spike (or its absence) says about one term: the evidence item's fields."""

    lean: Leaning
    flip: str
    detail: str
    value: float
    threshold: float
    unit_txt: str
    found_txt: str


def measure(panel: Panel, rules: Rules) -> PillarResult:
    """Each search term: its series, noise band and spikes, the latest spike's persistence (the
    evidence), what the theme's spread did after past spikes, and attention's lead over prices."""
    res = PillarResult("attention")
    theme = panel.theme
    if not theme.terms:
        res.missing.append(
            MissingEvidence(
                "attention",
                "terms",
                "the theme names no search terms",
                "add [attention] terms = [...] to the theme",
            )
        )
        return res
    cfg = _Settings.of(rules)
    rows: list[dict[str, Any]] = []
    spike_rows: list[dict[str, Any]] = []
    study_rows: list[dict[str, Any]] = []
    ll_rows: list[dict[str, Any]] = []
    for term in theme.terms:
        got = _term_series(panel, term, res, cfg.k)
        if got is None:
            continue
        sd, s, freq = got
        what = "news volume" if sd.meta.kind == "news" else "search interest"
        noise = _noise(sd, s, freq, term, res)
        spikes = detect_spikes(s, cfg.k, cfg.spike_at, cfg.z, LOOKBACK[freq], noise)
        spike_rows += [
            {
                "term": term,
                "date": sp.date.strftime("%Y-%m-%d"),
                "value": sp.value,
                "baseline": sp.baseline,
                "asvi": sp.asvi,
                "z": sp.z,
            }
            for sp in spikes
        ]
        end = s.index[-1]
        unit = UNIT[freq]
        row: dict[str, Any] = {
            "term": term,
            "attention": "news" if sd.meta.kind == "news" else "search",
            "frequency": freq,
            "last_date": end.strftime("%Y-%m-%d"),
            "periods": len(s),
            "spikes": len(spikes),
            "current_spike": None,
        }
        chart: dict[str, Any] = {}
        if panel.as_of - end > pd.Timedelta(days={"D": 7, "W": 21, "M": 62}[freq]):
            res.notes.append(f"{term!r}: {freq} data end {end.date()}; nothing later can be seen")
        r = _reading(s, spikes, term, unit, cfg, row, chart, what)
        res.evidence.append(_evidence(panel, term, r, sd.meta.kind))
        rows.append(row)
        _after_spikes(panel, res, term, s, spikes, freq, unit, cfg, study_rows, ll_rows)
        chart.update(_chart(s, spikes, noise, freq, cfg))
        res.charts.setdefault("terms", {})[term] = chart
    res.tables["terms"] = rows
    res.tables["spikes"] = spike_rows
    res.tables["after_spikes"] = study_rows
    res.tables["lead_lag"] = ll_rows
    if rows:
        res.notes.append("each term is on its own 0-100 scale; levels are never compared across terms")
    _coverage_note(theme.terms, rows, res)
    return res


def _term_series(
    panel: Panel, term: str, res: PillarResult, k: int
) -> tuple[SeriesData, pd.Series, str] | None:
    """The term's series at the theme's frequency (the finest when none is set), its last period left
    out when partial; None (with the missing item added) when there is none or it is too short."""
    found = panel.search.get(term)
    if not found and panel.news.get(term):
        found = panel.news[term]  # news attention (GDELT) where search interest is missing
        res.notes.append(
            f"{term!r}: no search interest in the data; news attention (GDELT news volume, share of "
            "monitored articles per day) measured instead, with the same spike, noise and persistence rules"
        )
    if not found:
        res.missing.append(
            MissingEvidence(
                "attention",
                f"term:{term}",
                panel.why_missing("search", term),
                f"export Google Trends 'interest over time' for {term!r} (multiTimeline.csv) into the data "
                "folder, or `hypecheck fetch` it (news volume from GDELT is fetched where Trends fails)",
            )
        )
        return None
    want = panel.theme.attention_frequency
    chosen = [x for x in found if x.meta.frequency == want] if want else found
    if not chosen:
        res.missing.append(
            MissingEvidence(
                "attention",
                f"term:{term}",
                f"{term!r}: no {want} series (have {', '.join(x.meta.frequency for x in found)})",
                f"supply {want} data for {term!r} or drop [attention] frequency",
            )
        )
        return None
    sd = _pick(chosen)
    s = sd.values.dropna()
    if sd.flags is not None and "partial" in sd.flags and bool(sd.flags["partial"].reindex(s.index).iloc[-1]):
        s = s.iloc[:-1]
        res.notes.append(f"{term!r}: last period {sd.values.index[-1].date()} is partial and was left out")
    freq = sd.meta.frequency if sd.meta.frequency in LOOKBACK else "M"
    if len(s) < k + 10:
        res.missing.append(
            MissingEvidence(
                "attention",
                f"term:{term}",
                f"{term!r}: only {len(s)} periods; at least {k + 10} are needed",
                "supply a longer series",
            )
        )
        return None
    return sd, s, freq


def _noise(sd: SeriesData, s: pd.Series, freq: str, term: str, res: PillarResult) -> pd.Series:
    """The noise band: the series' own trailing noise, or the spread of several pulls when averaged."""
    noise = noise_sd(s, LOOKBACK[freq])
    if sd.pulls is not None and sd.pulls.shape[1] >= 2:
        _, pull_sd = noise_from_pulls(sd.pulls.reindex(s.index))
        floor = 0.005 * s.shift(1).expanding().max()  # rounding: half a point on the 0-100 scale
        noise = pull_sd.clip(lower=floor).fillna(noise)
        res.notes.append(
            f"{term!r}: {sd.pulls.shape[1]} pulls averaged; their spread per period is the noise band"
        )
    return noise


def _reading(
    s: pd.Series,
    spikes: list[Any],
    term: str,
    unit: str,
    cfg: _Settings,
    row: dict[str, Any],
    chart: dict[str, Any],
    what: str = "search interest",
) -> _Reading:
    """No recent spike: neutral, with the current ASVI. A recent spike: settled above its baseline
    (catalyst), back at it or fading fast (viral), or too soon to call (neutral); its persistence
    goes into ``row`` and its fitted decay into ``chart``."""
    recent = [sp for sp in spikes if int((s.index > sp.date).sum()) < cfg.lookback]
    if not recent:
        return _quiet(s, spikes, term, unit, cfg, what)
    return _spiked(s, recent[-1], term, unit, cfg, row, chart, what)


def _quiet(s: pd.Series, spikes: list[Any], term: str, unit: str, cfg: _Settings, what: str) -> _Reading:
    """No spike within the lookback: neutral, with how far the current value is from its median."""
    k, spike_at, z, lookback = cfg.k, cfg.spike_at, cfg.z, cfg.lookback
    last = spikes[-1] if spikes else None
    flip = (
        f"{term!r} rising {z:g} noise deviations and {math.exp(spike_at) - 1:.0%} above its {k}-period median"
    )
    detail = f"{len(spikes)} spikes in {len(s)} {unit}" + (f"; last on {last.date.date()}" if last else "")
    value, threshold, unit_txt = (float(asvi(s, k).iloc[-1]), spike_at, "ASVI (log ratio)")
    found_txt = (
        f"{what} in {term!r} has not spiked above its noise in the last {lookback} {unit}; "
        f"it is {abs(math.exp(value) - 1) * 100:.0f}% {'above' if value >= 0 else 'below'} its {k}-period median "
        f"(log ratio {value:+.2f})"
        if value == value
        else f"{what} in {term!r} has not spiked above its noise in the last {lookback} {unit}"
    )
    return _Reading("neutral", flip, detail, value, threshold, unit_txt, found_txt)


def _spiked(
    s: pd.Series,
    sp: Spike,
    term: str,
    unit: str,
    cfg: _Settings,
    row: dict[str, Any],
    chart: dict[str, Any],
    what: str,
) -> _Reading:
    """The latest recent spike ``sp``: its persistence read as settled (catalyst), returned or fading
    fast (viral) or too soon to call (neutral)."""
    p = persistence(s, sp.date, cfg.k, noise=sp.noise)
    row["current_spike"] = sp.date.strftime("%Y-%m-%d")
    row.update({f"persist_{key}": v for key, v in p.to_dict().items() if key != "retained"})
    row["retained_3"] = p.retained.get(3)
    hl = (
        f"half-life {p.half_life:.1f} ± {p.half_life_se or 0:.1f} {unit}"
        if p.half_life
        else "no half-life fitted"
    )
    detail = (
        f"spike {sp.date.date()} at {sp.value:.0f} vs baseline {p.baseline:.1f} ({sp.z:.1f} noise sd); "
        f"{p.periods_above} {unit} above baseline; {hl}; status: {p.status}"
    )
    value, threshold, unit_txt = float(p.periods_above), 3.0, f"{unit} above baseline"
    spiked = f"{what} in {term!r} spiked on {sp.date.date()} ({sp.value:.0f} against a baseline of {p.baseline:.1f})"
    lean: Leaning
    if p.status == "settled above baseline":
        lean = "catalyst"
        flip = f"{term!r} falling back within {p.margin:.1f} of its pre-spike baseline {p.baseline:.1f}"
        found_txt = f"{spiked} and has settled above it: {_n(p.periods_above, unit)} above baseline"
    elif (
        p.returned or p.status == "returned quickly" or (p.half_life is not None and p.half_life <= cfg.fast)
    ):
        lean = "viral"
        flip = f"{term!r} holding above {p.baseline + p.margin:.1f} for 3 more {unit} without decaying"
        found_txt = f"{spiked} and " + (
            f"was back at baseline by {p.returned_date.date()}"
            if p.returned_date is not None
            else f"is fading fast ({hl})"
        )
    else:
        lean = "neutral"
        flip = f"{term!r} settling above {p.baseline + p.margin:.1f} (catalyst) or returning to it (viral)"
        found_txt = (
            f"{spiked} and has been above baseline for {_n(p.periods_above, unit)} since "
            f"({p.status}): too soon to call"
        )
    if p.half_life:
        t = np.arange(0, p.periods_since + 1)
        fit = p.baseline + (p.peak - p.baseline) * 2.0 ** (-t / p.half_life)
        idx = s.index[s.index.get_loc(sp.date) :][: len(t)]
        chart["fit"] = {
            "dates": [d.strftime("%Y-%m-%d") for d in idx],
            "values": [float(v) for v in fit[: len(idx)]],
        }
    return _Reading(lean, flip, detail, value, threshold, unit_txt, found_txt)


def _evidence(panel: Panel, term: str, r: _Reading, kind: str = "search") -> Evidence:
    news = kind == "news"
    return Evidence(
        pillar="attention",
        id=f"attention:{term}",
        claim=f"interest in {term!r} shifted up and holds above its baseline (a shift, not a flash)",
        value=r.value,
        threshold=r.threshold,
        unit=r.unit_txt,
        leaning=r.lean,
        flip=r.flip,
        source=src(panel, term)
        + (
            "; news attention: GDELT news volume (matching articles as a share of all monitored, per day)"
            if news
            else "; Google Trends values are sampled, relative (0-100 per request)"
        ),
        detail=r.detail,
        finding=finding_sentence(r.found_txt, r.lean),
    )


def _after_spikes(
    panel: Panel,
    res: PillarResult,
    term: str,
    s: pd.Series,
    spikes: list[Any],
    freq: str,
    unit: str,
    cfg: _Settings,
    study_rows: list[dict[str, Any]],
    ll_rows: list[dict[str, Any]],
) -> None:
    """What the theme's first pair's spread did after this term's past spikes (history up to the
    as-of date only), and attention's lead or lag over that spread."""
    pair = panel.theme.pairs[0] if panel.theme.pairs else None
    lead_px = panel.price(pair.leader) if pair else None
    lag_px = panel.price(pair.laggard) if pair else None
    if lead_px is None or lag_px is None or pair is None or not spikes:
        return
    px_days = pd.Series(lead_px.index).diff().dt.days.median()
    steps = HORIZONS[freq] if px_days > 20 else tuple(h * TRADING_DAYS[freq] for h in HORIZONS[freq])
    ev = event_study([sp.date for sp in spikes], lead_px, lag_px, steps)
    if not ev.empty:
        study_rows.extend(_study_rows(ev, term, freq, unit, steps))
        found = _history_evidence(panel, term, pair, ev, freq, unit, steps, cfg.reversal)
        if found is not None:
            res.evidence.append(found)
    ll = _lead_lag(s, freq, lead_px, lag_px, cfg.k)
    if ll is not None:
        best = ll.iloc[int(np.nanargmax(ll["corr"].abs().to_numpy()))]
        ll_rows.append(
            {
                "term": term,
                "best_lag": int(best["lag"]),
                "corr_at_best": float(best["corr"]),
                "corr_at_0": float(ll.loc[ll["lag"] == 0, "corr"].iloc[0]),
                "n": int(best["n"]),
            }
        )


def _study_rows(
    ev: pd.DataFrame, term: str, freq: str, unit: str, steps: tuple[int, ...]
) -> list[dict[str, Any]]:
    """The spread after the term's past spikes, summarised per horizon."""
    rows = []
    for h_label, h in zip(HORIZONS[freq], steps, strict=True):
        x = ev.loc[ev["horizon"] == h, "spread"]
        if len(x):
            rows.append(
                {
                    "term": term,
                    "horizon": f"{h_label} {unit if h_label != 1 else unit[:-1]}",
                    "n": len(x),
                    "mean": float(x.mean()),
                    "median": float(x.median()),
                    "share_positive": float((x > 0).mean()),
                    "min": float(x.min()),
                    "max": float(x.max()),
                }
            )
    return rows


def _history_evidence(
    panel: Panel,
    term: str,
    pair: Pair,
    ev: pd.DataFrame,
    freq: str,
    unit: str,
    steps: tuple[int, ...],
    reversal: float,
) -> Evidence | None:
    """Whether the leader kept beating the laggard over the longest horizon after the term's past
    spikes (attention-driven moves not reversing); None with fewer than three spikes to go on."""
    longest = ev.loc[ev["horizon"] == ev["horizon"].max(), "spread"]
    if len(longest) < 3:
        return None
    share = float((longest > 0).mean())
    n_up = int((longest > 0).sum())
    lean2: Leaning = "viral" if share <= reversal else ("catalyst" if share >= 1 - reversal else "neutral")
    h_txt = f"{HORIZONS[freq][list(steps).index(int(ev['horizon'].max()))]} {unit}"
    return Evidence(
        pillar="attention",
        id=f"attention-history:{term}",
        claim=(
            f"after {term!r}'s past spikes, {pair.leader} kept beating {pair.laggard} over "
            f"the next {h_txt} (attention-driven moves did not reverse)"
        ),
        value=share,
        threshold=reversal,
        unit="share of windows",
        leaning=lean2,
        weight=0.5,
        flip=(
            f"{pair.leader} ahead after more than {reversal:.0%} of spikes"
            if lean2 == "viral"
            else f"{pair.leader} ahead after at most {reversal:.0%} of spikes"
        ),
        source=src(panel, term, pair.leader, pair.laggard),
        detail=f"mean spread {pct(float(longest.mean()))}, median {pct(float(longest.median()))}",
        finding=finding_sentence(
            f"after {len(longest)} past spikes in {term!r}, {pair.leader} beat {pair.laggard} "
            f"over the next {h_txt} in {n_up} of {len(longest)} ({share:.0%}; median spread "
            f"{float(longest.median()) * 100:+.2f} pp)",
            lean2,
        ),
    )


def _chart(s: pd.Series, spikes: list[Any], noise: pd.Series, freq: str, cfg: _Settings) -> dict[str, Any]:
    """The last three lookbacks of the series with its baseline, noise band and spikes."""
    k, z = cfg.k, cfg.z
    start = s.index[max(0, len(s) - 3 * LOOKBACK[freq])]
    base = baseline(s, k)
    return {
        "series": series_points(s, start),
        "baseline": series_points(base, start),
        "band": series_points(base + z * noise, start),
        "spikes": [sp.date.strftime("%Y-%m-%d") for sp in spikes if sp.date >= start],
        "frequency": freq,
    }


def _coverage_note(terms: tuple[str, ...], rows: list[dict[str, Any]], res: PillarResult) -> None:
    """Which terms were measured (frequency, last date) and which could not be."""
    measured = [f"{r['term']!r} ({r['frequency']}, to {r['last_date']})" for r in rows]
    absent = [t for t in terms if t not in {r["term"] for r in rows}]
    res.notes.append(
        "can say: "
        + (", ".join(measured) if measured else "nothing (no search data)")
        + (
            "; cannot say: "
            + ", ".join(repr(t) for t in absent)
            + " (export Google Trends 'interest over time' for these, up to the as-of date, into the data folder)"
            if absent
            else ""
        )
    )


def _lead_lag(s: pd.Series, freq: str, lead: pd.Series, lag: pd.Series, k: int) -> pd.DataFrame | None:
    """ASVI vs the pair's spread return per period of the term (positive lag: attention leads)."""
    per = PERIOD[freq]
    a = asvi(s, k)
    a.index = pd.DatetimeIndex(a.index).to_period(per)
    px = pd.concat([lead.rename("a"), lag.rename("b")], axis=1, join="inner").dropna()
    if px.empty:
        return None
    grouped = px.groupby(pd.DatetimeIndex(px.index).to_period(per)).last()
    r = grouped.pct_change()
    spread = (r["a"] - r["b"]).dropna()
    both = a.replace([np.inf, -np.inf], np.nan).dropna()
    common = both.index.intersection(spread.index)
    if len(common) < 24:
        return None
    return lead_lag(both.loc[common].reset_index(drop=True), spread.loc[common].reset_index(drop=True), 6)
