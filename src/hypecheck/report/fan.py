"""What narratives like this one did: the fan chart of past spreads, as a Vega-Lite spec.

From a check's ``verdict.history.fan`` (quantiles 10/25/50/75/90 of the leader's log relative return
over 1, 3, 6 and 12 months of the past narratives of the pair's class whose outcomes were known on
the as-of date) and ``verdict.range`` (the random walk's 80% range over the horizon from the as-of
date): shaded bands 10-90 and 25-75, the median, and the random walk's range as an error bar at the
horizon. Returns in percent (``exp(x) - 1``). Interactive in the dashboard (tooltips), static SVG/PNG
in reports (vl-convert), like every other spec chart.
"""

from __future__ import annotations

import math
from typing import Any

from .spec import CONFIG, SCHEMA, VegaChart

MONTHS = (1, 3, 6, 12)


def _pct(x: float) -> float:
    return round(100.0 * math.expm1(x), 3)


def fan_rows(fan: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """One row per horizon (and the birth at month 0): quantiles of past spreads in percent."""
    rows: list[dict[str, Any]] = [
        {"month": 0, "q10": 0.0, "q25": 0.0, "q50": 0.0, "q75": 0.0, "q90": 0.0, "n": None}
    ]
    for m in MONTHS:
        q = fan.get(f"{m}M")
        if q:
            rows.append(
                {"month": m, **{k: _pct(q[k]) for k in ("q10", "q25", "q50", "q75", "q90")}, "n": q["n"]}
            )
    return rows


TIP = [
    {"field": "month", "type": "quantitative", "title": "months after the birth"},
    {"field": "q10", "type": "quantitative", "title": "10th percentile, %", "format": "+.1f"},
    {"field": "q25", "type": "quantitative", "title": "25th percentile, %", "format": "+.1f"},
    {"field": "q50", "type": "quantitative", "title": "median, %", "format": "+.1f"},
    {"field": "q75", "type": "quantitative", "title": "75th percentile, %", "format": "+.1f"},
    {"field": "q90", "type": "quantitative", "title": "90th percentile, %", "format": "+.1f"},
    {"field": "n", "type": "quantitative", "title": "past narratives"},
]


def _fan_layers(ytitle: str) -> list[dict[str, Any]]:
    """The 10-90 and 25-75 bands and the median line (its points carry the tooltip)."""
    x = {"field": "month", "type": "quantitative", "title": "months ahead", "scale": {"domain": [0, 12]}}
    return [
        {
            "mark": {"type": "area", "opacity": 0.25, "color": "#1f5fa8"},
            "encoding": {
                "x": x,
                "y": {"field": "q10", "type": "quantitative", "title": ytitle},
                "y2": {"field": "q90"},
            },
        },
        {
            "mark": {"type": "area", "opacity": 0.35, "color": "#1f5fa8"},
            "encoding": {
                "x": x,
                "y": {"field": "q25", "type": "quantitative", "title": ytitle},
                "y2": {"field": "q75"},
            },
        },
        {
            "mark": {"type": "line", "color": "#123c6b", "point": True},
            "encoding": {
                "x": x,
                "y": {"field": "q50", "type": "quantitative", "title": ytitle},
                "tooltip": TIP,
            },
        },
    ]


def _range_layer(rng: dict[str, Any], ytitle: str) -> dict[str, Any]:
    """The random walk's range over the horizon as a red error bar at the horizon."""
    m = int(str(rng["horizon"]).rstrip("M"))
    what = f"random walk {100 * rng['level']:.0f}% range from the date"
    return {
        "data": {"values": [{"month": m, "lo": _pct(rng["lo"]), "hi": _pct(rng["hi"]), "what": what}]},
        "mark": {"type": "errorbar", "color": "#b03a48", "thickness": 2, "ticks": True},
        "encoding": {
            "x": {"field": "month", "type": "quantitative"},
            "y": {"field": "lo", "type": "quantitative", "title": ytitle},
            "y2": {"field": "hi"},
            "tooltip": [
                {"field": "what", "type": "nominal", "title": "range"},
                {"field": "lo", "type": "quantitative", "format": "+.1f", "title": "low, %"},
                {"field": "hi", "type": "quantitative", "format": "+.1f", "title": "high, %"},
            ],
        },
    }


def fan_spec(
    fan: dict[str, dict[str, float]], rng: dict[str, Any] | None, leader: str, laggard: str, klass: str
) -> dict[str, Any] | None:
    """The fan chart's Vega-Lite spec (None with fewer than two horizons of past outcomes)."""
    rows = fan_rows(fan)
    if len(rows) < 3:
        return None
    ytitle = f"{leader} vs {laggard}, %"
    layers = _fan_layers(ytitle)
    if rng and rng.get("lo") is not None and rng.get("hi") is not None:
        layers.append(_range_layer(rng, ytitle))
    cls = "all past narratives" if klass == "all" else f"past {klass} narratives"
    return {
        "$schema": SCHEMA,
        "title": {
            "text": f"What {cls} did after their birth: {leader} vs {laggard}",
            "subtitle": "bands: 10-90th and 25-75th percentiles of their spreads; line: median; "
            "red bar: the random walk's range for this narrative",
        },
        "width": 520,
        "height": 260,
        "config": CONFIG,
        "data": {"values": rows},
        "layer": layers,
    }


def history_fan(r: Any) -> VegaChart | None:
    """The fan chart of a :class:`~hypecheck.result.CheckResult` (None without a panel verdict)."""
    v = r.verdict
    h = getattr(v, "history", None) or {}
    fan = h.get("fan") or {}
    if not fan or r.calibration is None:
        return None
    c = r.calibration
    spec = fan_spec(fan, getattr(v, "range", None), c.leader, c.laggard, str(h.get("class", "all")))
    return None if spec is None else VegaChart(spec)


__all__ = ["fan_rows", "fan_spec", "history_fan"]
