"""Attention: did search interest spike, and is it holding or fading back to its baseline?

First cut (the full pillar with noise bands, decay fits and event studies is issue 3): ASVI against
the median of the previous ``asvi_window`` periods, the largest ASVI in the last
``lookback_periods`` complete periods as the spike, and the latest complete period's ASVI as the
"still elevated" test. A partial last period is excluded, never read as a drop.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..analytics.attention import asvi
from ..evidence import Evidence, MissingEvidence, PillarResult
from ..panel import Panel
from ..rules import Rules
from ._common import series_points, src


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
    elevated = float(rules.get("attention", "elevated_asvi"))
    lookback = int(rules.get("attention", "lookback_periods"))
    rows = []
    for term in theme.terms:
        found = panel.search.get(term)
        if not found:
            res.missing.append(
                MissingEvidence(
                    "attention",
                    f"term:{term}",
                    panel.why_missing("search", term),
                    f"export Google Trends interest over time for {term!r} (multiTimeline.csv) into the data folder",
                )
            )
            continue
        sd = found[0]
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
        a = asvi(s, k)
        recent = a.iloc[-lookback:]
        finite = recent[np.isfinite(recent)]
        if finite.empty:
            res.missing.append(
                MissingEvidence(
                    "attention",
                    f"term:{term}",
                    f"{term!r}: fewer than {k + 1} periods, or zeros, leave no ASVI",
                    "supply a longer series",
                )
            )
            continue
        peak_date = finite.idxmax()
        peak = float(finite.max())
        now = float(a.iloc[-1]) if np.isfinite(a.iloc[-1]) else float("nan")
        since = int((s.index > peak_date).sum())
        base = float(s.shift(1).rolling(k, min_periods=k).median().iloc[-1])
        freq = sd.meta.frequency
        rows.append(
            {
                "term": term,
                "frequency": freq,
                "last_date": s.index[-1].strftime("%Y-%m-%d"),
                "last": float(s.iloc[-1]),
                "baseline": base,
                "asvi_now": now,
                "peak_asvi": peak,
                "peak_date": peak_date.strftime("%Y-%m-%d"),
                "periods_since_peak": since,
            }
        )
        if peak < spike_at:
            lean, claim = "neutral", f"no attention spike for {term!r} in the last {lookback} periods"
            flip = f"ASVI of {term!r} reaching {spike_at:.2f} (interest {math.exp(spike_at):.2f}x its median)"
        elif not math.isnan(now) and now >= elevated:
            if since >= 3:
                lean, claim = (
                    "catalyst",
                    f"interest in {term!r} spiked and is still elevated {since} periods later",
                )
            else:
                lean, claim = (
                    "neutral",
                    f"interest in {term!r} spiked {since} period(s) ago: too early to judge",
                )
            flip = f"ASVI of {term!r} falling below {elevated:.2f} (back near its baseline)"
        else:
            lean, claim = "viral", f"interest in {term!r} spiked and has faded back toward its baseline"
            flip = f"ASVI of {term!r} back above {elevated:.2f} for 3 periods"
        res.evidence.append(
            Evidence(
                pillar="attention",
                id=f"attention:{term}",
                claim=claim,
                value=now,
                threshold=elevated,
                unit="ASVI (log ratio)",
                leaning=lean,  # type: ignore[arg-type]
                flip=flip,
                source=src(panel, term) + "; Google Trends values are sampled, relative (0-100 per request)",
                detail=f"peak ASVI {peak:.2f} on {peak_date.date()}, now {now:.2f}; {freq} data to {s.index[-1].date()}",
            )
        )
        start = s.index[max(0, len(s) - 60)]
        res.charts.setdefault("terms", {})[term] = {
            "series": series_points(s, start),
            "baseline": series_points(s.shift(1).rolling(k, min_periods=k).median(), start),
            "peak_date": peak_date.strftime("%Y-%m-%d"),
        }
    res.tables["terms"] = rows
    if any(len(v) > 0 for v in panel.search.values()):
        res.notes.append("each term is on its own 0-100 scale; levels are never compared across terms")
    _ = pd  # keep the import for type readers
    return res
