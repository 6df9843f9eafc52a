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
from typing import Any

import numpy as np
import pandas as pd

from ..analytics.attention import (
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


def measure(panel: Panel, rules: Rules) -> PillarResult:
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
    k = int(rules.get("attention", "asvi_window"))
    spike_at = float(rules.get("attention", "spike_asvi"))
    z = float(rules.get("attention", "noise_z"))
    lookback = int(rules.get("attention", "lookback_periods"))
    fast = float(rules.get("attention", "fast_half_life"))
    reversal = float(rules.get("attention", "reversal_share"))
    pair = theme.pairs[0] if theme.pairs else None
    lead_px = panel.price(pair.leader) if pair else None
    lag_px = panel.price(pair.laggard) if pair else None
    rows, spike_rows, study_rows, ll_rows = [], [], [], []
    for term in theme.terms:
        found = panel.search.get(term)
        if not found:
            res.missing.append(
                MissingEvidence(
                    "attention",
                    f"term:{term}",
                    panel.why_missing("search", term),
                    f"export Google Trends 'interest over time' for {term!r} (multiTimeline.csv) into the data folder",
                )
            )
            continue
        want = theme.attention_frequency
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
            continue
        sd = _pick(chosen)
        s = sd.values.dropna()
        if (
            sd.flags is not None
            and "partial" in sd.flags
            and bool(sd.flags["partial"].reindex(s.index).iloc[-1])
        ):
            s = s.iloc[:-1]
            res.notes.append(
                f"{term!r}: last period {sd.values.index[-1].date()} is partial and was left out"
            )
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
            continue
        noise = noise_sd(s, LOOKBACK[freq])
        if sd.pulls is not None and sd.pulls.shape[1] >= 2:
            _, pull_sd = noise_from_pulls(sd.pulls.reindex(s.index))
            floor = 0.005 * s.shift(1).expanding().max()  # rounding: half a point on the 0-100 scale
            noise = pull_sd.clip(lower=floor).fillna(noise)
            res.notes.append(
                f"{term!r}: {sd.pulls.shape[1]} pulls averaged; their spread per period is the noise band"
            )
        spikes = detect_spikes(s, k, spike_at, z, LOOKBACK[freq], noise)
        for sp in spikes:
            spike_rows.append(
                {
                    "term": term,
                    "date": sp.date.strftime("%Y-%m-%d"),
                    "value": sp.value,
                    "baseline": sp.baseline,
                    "asvi": sp.asvi,
                    "z": sp.z,
                }
            )
        end = s.index[-1]
        recent = [sp for sp in spikes if int((s.index > sp.date).sum()) < lookback]
        unit = UNIT[freq]
        row: dict[str, Any] = {
            "term": term,
            "frequency": freq,
            "last_date": end.strftime("%Y-%m-%d"),
            "periods": len(s),
            "spikes": len(spikes),
            "current_spike": None,
        }
        chart: dict[str, Any] = {}
        if panel.as_of - end > pd.Timedelta(days={"D": 7, "W": 21, "M": 62}[freq]):
            res.notes.append(f"{term!r}: {freq} data end {end.date()}; nothing later can be seen")
        if not recent:
            last = spikes[-1] if spikes else None
            lean: Leaning = "neutral"
            flip = f"{term!r} rising {z:g} noise deviations and {math.exp(spike_at) - 1:.0%} above its {k}-period median"
            detail = f"{len(spikes)} spikes in {len(s)} {unit}" + (
                f"; last on {last.date.date()}" if last else ""
            )
            value, threshold, unit_txt = (float(asvi(s, k).iloc[-1]), spike_at, "ASVI (log ratio)")
            found_txt = (
                f"search interest in {term!r} has not spiked above its noise in the last {lookback} {unit}; "
                f"it is {abs(math.exp(value) - 1) * 100:.0f}% {'above' if value >= 0 else 'below'} its {k}-period median "
                f"(log ratio {value:+.2f})"
                if value == value
                else f"search interest in {term!r} has not spiked above its noise in the last {lookback} {unit}"
            )
        else:
            sp = recent[-1]
            p = persistence(s, sp.date, k, noise=sp.noise)
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
            spiked = (
                f"search interest in {term!r} spiked on {sp.date.date()} ({sp.value:.0f} against a baseline "
                f"of {p.baseline:.1f})"
            )
            if p.status == "settled above baseline":
                lean = "catalyst"
                flip = (
                    f"{term!r} falling back within {p.margin:.1f} of its pre-spike baseline {p.baseline:.1f}"
                )
                found_txt = f"{spiked} and has settled above it: {_n(p.periods_above, unit)} above baseline"
            elif (
                p.returned
                or p.status == "returned quickly"
                or (p.half_life is not None and p.half_life <= fast)
            ):
                lean = "viral"
                flip = (
                    f"{term!r} holding above {p.baseline + p.margin:.1f} for 3 more {unit} without decaying"
                )
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
        res.evidence.append(
            Evidence(
                pillar="attention",
                id=f"attention:{term}",
                claim=f"interest in {term!r} shifted up and holds above its baseline (a shift, not a flash)",
                value=value,
                threshold=threshold,
                unit=unit_txt,
                leaning=lean,
                flip=flip,
                source=src(panel, term) + "; Google Trends values are sampled, relative (0-100 per request)",
                detail=detail,
                finding=finding_sentence(found_txt, lean),
            )
        )
        rows.append(row)

        # what did the theme's spread do after this term's past spikes? (history up to as-of only)
        if lead_px is not None and lag_px is not None and pair is not None and spikes:
            px_days = pd.Series(lead_px.index).diff().dt.days.median()
            steps = HORIZONS[freq] if px_days > 20 else tuple(h * TRADING_DAYS[freq] for h in HORIZONS[freq])
            ev = event_study([sp.date for sp in spikes], lead_px, lag_px, steps)
            if not ev.empty:
                for h_label, h in zip(HORIZONS[freq], steps, strict=True):
                    x = ev.loc[ev["horizon"] == h, "spread"]
                    if len(x):
                        study_rows.append(
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
                longest = ev.loc[ev["horizon"] == ev["horizon"].max(), "spread"]
                if len(longest) >= 3:
                    share = float((longest > 0).mean())
                    n_up = int((longest > 0).sum())
                    lean2: Leaning = (
                        "viral" if share <= reversal else ("catalyst" if share >= 1 - reversal else "neutral")
                    )
                    h_txt = f"{HORIZONS[freq][list(steps).index(int(ev['horizon'].max()))]} {unit}"
                    res.evidence.append(
                        Evidence(
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
                    )
            ll = _lead_lag(s, freq, lead_px, lag_px, k)
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

        start = s.index[max(0, len(s) - 3 * LOOKBACK[freq])]
        base = baseline(s, k)
        chart.update(
            {
                "series": series_points(s, start),
                "baseline": series_points(base, start),
                "band": series_points(base + z * noise, start),
                "spikes": [sp.date.strftime("%Y-%m-%d") for sp in spikes if sp.date >= start],
                "frequency": freq,
            }
        )
        res.charts.setdefault("terms", {})[term] = chart
    res.tables["terms"] = rows
    res.tables["spikes"] = spike_rows
    res.tables["after_spikes"] = study_rows
    res.tables["lead_lag"] = ll_rows
    if rows:
        res.notes.append("each term is on its own 0-100 scale; levels are never compared across terms")
    measured = [f"{r['term']!r} ({r['frequency']}, to {r['last_date']})" for r in rows]
    absent = [t for t in theme.terms if t not in {r["term"] for r in rows}]
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
    return res


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
