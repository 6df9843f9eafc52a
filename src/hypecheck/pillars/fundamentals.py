"""Fundamentals: measured series where the data have them (index earnings and valuation from
Shiller's workbook, or any series the theme names under [[fundamentals]]), and the theme's cited
analyst facts, shown as such.

Publication lag: a monthly value stamped at the start of month M is used only once M has ended *and*
``lag_months`` more have passed (Shiller's trailing earnings are reported about a quarter late, so the
flagship uses 3). Percentiles are of the series' own history up to the as-of date (expanding, never
the full sample).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..analytics.returns import window_anchor
from ..analytics.structure import percentile_of
from ..evidence import Evidence, Leaning, MissingEvidence, PillarResult, finding_sentence
from ..panel import Panel
from ..rules import Rules
from ..theme import FundamentalSeries
from ._common import assumed_lag, assumed_text, cited_facts, pct, period_word, series_points, src, window_text


def known_values(s: pd.Series, frequency: str, as_of: pd.Timestamp, lag_months: int) -> pd.Series:
    """Values known on ``as_of``: monthly (and coarser) values stamped at their period start count once
    the period has ended plus ``lag_months``; other frequencies once their date plus the lag has passed."""
    s = s.dropna()
    idx = pd.DatetimeIndex(s.index)
    if frequency in ("M", "Q", "A"):
        period = {"M": "M", "Q": "Q", "A": "Y"}[frequency]
        ends = idx.to_period(period).to_timestamp(how="end").normalize()
    else:
        ends = idx
    known_at = ends + pd.DateOffset(months=lag_months)
    return s.loc[known_at <= as_of]


def _subject(label: str) -> str:
    """'S&P 500 trailing 12-month earnings (Shiller): broad earnings support' -> the part before ':'."""
    return label.split(":", 1)[0].strip() or label


def _ordinal(x: float) -> str:
    n = round(x)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class _Reading:
    """One measured fundamental read against what the narrative needs."""

    value: float
    ok: bool
    claim: str
    flip: str
    found: str
    detail: str
    unit: str


def _growth(f: FundamentalSeries, k: pd.Series, lag_txt: str) -> _Reading | None:
    """The change of the last known value over ``f.window``; None when there is no base value."""
    last_date, last = k.index[-1], float(k.iloc[-1])
    base = k.loc[k.index <= window_anchor(last_date, f.window)]
    if base.empty or float(base.iloc[-1]) == 0:
        return None
    value = last / float(base.iloc[-1]) - 1
    ok = value > f.threshold if f.needs == "up" else value < f.threshold
    word = "growing" if f.needs == "up" else "falling"
    verb = "grew" if value > 0 else ("fell" if value < 0 else "was unchanged")
    return _Reading(
        value=value,
        ok=ok,
        claim=f"{f.label}: {word} over {f.window} (beyond {pct(f.threshold, 1)})",
        flip=(
            f"{f.window} change {'at or below' if f.needs == 'up' else 'at or above'} {pct(f.threshold, 1)}"
            if ok
            else f"{f.window} change {'above' if f.needs == 'up' else 'below'} {pct(f.threshold, 1)}"
        ),
        found=(
            f"{_subject(f.label)} {verb}"
            + (f" {abs(value) * 100:.2f}%" if value != 0 else "")
            + f" {window_text(f.window)} (to {last:,.2f} for {last_date:%Y-%m}); the narrative needs "
            + f"{'more' if f.needs == 'up' else 'less'} than {pct(f.threshold, 1)}"
        ),
        detail=f"{last:,.2f} for {last_date:%Y-%m} vs {float(base.iloc[-1]):,.2f} for {base.index[-1]:%Y-%m}{lag_txt}",
        unit="fraction",
    )


def _standing(f: FundamentalSeries, k: pd.Series, lag_txt: str) -> _Reading:
    """The percentile of the last known value in the series' own earlier history."""
    last_date, last = k.index[-1], float(k.iloc[-1])
    hist = k.iloc[:-1]
    value = percentile_of(last, hist.to_numpy())
    ok = value >= f.threshold if f.needs == "high" else value <= f.threshold
    claim = f"{f.label}: {'high' if f.needs == 'high' else 'low'} against its own history"
    flip = (
        f"percentile {'below' if f.needs == 'high' else 'above'} {f.threshold:.0f}"
        if ok
        else f"percentile {'at or above' if f.needs == 'high' else 'at or below'} {f.threshold:.0f}"
    )
    found = (
        f"{_subject(f.label)} is at the {_ordinal(value)} percentile of its own history "
        f"({last:,.2f} for {last_date:%Y-%m}, {len(hist)} months)"
    )
    if f.needs == "context":
        claim = f"{f.label}: where it stands in its own history (context, no direction assumed)"
        flip = "context only: does not move the verdict"
        found += ": context, no direction assumed"
    else:
        found += f"; the narrative needs {'at least' if f.needs == 'high' else 'at most'} the {_ordinal(f.threshold)}"
    detail = (
        f"{last:,.2f} for {last_date:%Y-%m}: percentile {value:.0f} of {len(hist)} months "
        f"{hist.index[0]:%Y-%m}-{hist.index[-1]:%Y-%m}{lag_txt}"
    )
    return _Reading(value=value, ok=ok, claim=claim, flip=flip, found=found, detail=detail, unit="percentile")


def _lag_words(panel: Panel, f: FundamentalSeries) -> str:
    """The publication lag behind the values used, as the detail says it: the theme's ``lag_months``,
    and the data's release lag when the panel's cut *assumed* one (:func:`assumed_lag`) that can keep
    out a value the months would let in (more than 28 days a month: a month is 28 to 31 days); the
    later of the two decides each value."""
    days = assumed_lag(panel, f.id)
    months = f" {f.lag_months}-month publication lag" if f.lag_months else ""
    if days is None or days <= 28 * f.lag_months:
        return f" (known with a{months})" if months else ""
    if not months:
        return f" ({assumed_text(panel, f.id)})"
    return (
        f" (known with a{months} and the data's release date assumed {days} days after the "
        f"{period_word(panel, f.id)}, no "
        f"documented release lag: the later of the two applies; set {f.id} = <days> in the theme's "
        "[release] table)"
    )


def _measured(panel: Panel, f: FundamentalSeries, res: PillarResult) -> dict[str, Any] | None:
    """One [[fundamentals]] series: its evidence and chart, and its row of the measured table; None
    (with the reason in ``res.missing``) when it cannot be measured."""
    as_of = panel.as_of
    s = panel.macro_series(f.id)
    if s is None:
        res.missing.append(
            MissingEvidence(
                "fundamentals",
                f"fundamental:{f.id}",
                f"{f.label}: {panel.why_missing('macro', f.id)}",
                f"add {f.id} to the data folder (Shiller's ie_data.xls gives shiller:E, shiller:CAPE, ...)",
            )
        )
        return None
    freq = panel.macro[f.id].meta.frequency
    k = known_values(s, freq, as_of, f.lag_months)
    if len(k) < 2:
        res.missing.append(
            MissingEvidence(
                "fundamentals",
                f"fundamental:{f.id}",
                f"{f.label}: fewer than two values known on {as_of.date()} after a {f.lag_months}-month lag",
                "use a longer history",
            )
        )
        return None
    last_date, last = k.index[-1], float(k.iloc[-1])
    lag_txt = _lag_words(panel, f)
    r = _growth(f, k, lag_txt) if f.measure == "growth" else _standing(f, k, lag_txt)
    if r is None:
        res.missing.append(
            MissingEvidence(
                "fundamentals",
                f"fundamental:{f.id}",
                f"{f.label}: no value {f.window} before {last_date.date()}",
                "use a longer history",
            )
        )
        return None
    lean: Leaning = "neutral" if f.needs == "context" else ("catalyst" if r.ok else "viral")
    res.evidence.append(
        Evidence(
            pillar="fundamentals",
            id=f"fundamental:{f.id}:{f.measure}",
            claim=r.claim,
            value=float(r.value),
            threshold=f.threshold,
            unit=r.unit,
            leaning=lean,
            finding=finding_sentence(r.found, lean),
            flip=r.flip,
            source=src(panel, f.id),
            detail=r.detail,
        )
    )
    res.charts.setdefault("fundamentals", {})[f.label] = series_points(k, window_anchor(as_of, "120M"))
    return {
        "id": f.id,
        "label": f.label,
        "measure": f.measure,
        "period": f"{last_date:%Y-%m}",
        "level": last,
        "value": r.value,
        "needs": f.needs,
        "threshold": f.threshold,
        "holds": bool(r.ok),
        "lag_months": f.lag_months,
    }


def measure(panel: Panel, rules: Rules) -> PillarResult:
    res = PillarResult("fundamentals")
    theme = panel.theme
    rows: list[dict[str, Any]] = []
    for f in theme.fundamentals:
        row = _measured(panel, f, res)
        if row is not None:
            rows.append(row)
    if rows:
        res.tables["measured"] = rows
    res.evidence.extend(cited_facts(panel, rules, "fundamentals", res.notes))
    if not theme.fundamentals:
        res.missing.append(
            MissingEvidence(
                "fundamentals",
                "measured-fundamentals",
                "the theme names no measured fundamentals",
                "add [[fundamentals]] id = 'shiller:E' (index earnings) and a data folder with Shiller's ie_data.xls",
            )
        )
    if any(math.isnan(float(r["value"])) for r in rows):  # pragma: no cover - defensive
        res.notes.append("some fundamentals could not be measured")
    res.notes.append(
        "member-level fundamentals (the share of unprofitable members) come from SEC EDGAR company facts "
        "(hypecheck.data.connectors.edgar, live); the cited share is shown until a constituent list is fetched"
    )
    return res
