"""Vega-Lite specs of the lab page's charts (skill by pillar, reliability, persistence by decile,
holdout against walk-forward, the final model's weights), read from a lab history's results and
never recomputed. Plain dicts, rendered static (PNG) by vl-convert like every other chart
(:mod:`hypecheck.report.spec`); pillars in their fixed colours (:func:`~hypecheck.report.spec.pillar_color`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..lab import model as M
from .spec import CONFIG, SCHEMA, pillar_bars, pillar_color

if TYPE_CHECKING:
    from ..lab.run import HistoryResult

GOOD, BAD, NEUTRAL = "#2e8b57", "#b03a48", "#7f7f7f"
HOLDOUT_COLOR = "#d9822b"
LAB_PILLARS = ("price", "breadth", "catalysts", "attention", "history")


def _ok(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def pct(x: Any, digits: int = 1) -> str:
    """A share as a percentage ("n/a" when missing or not finite); the lab page's words use it too."""
    return (
        "n/a"
        if x is None or (isinstance(x, float) and not math.isfinite(x))
        else f"{100 * float(x):.{digits}f}%"
    )


def _spec(body: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": SCHEMA, "config": CONFIG, **body}


def _sign_color(ci: tuple[float, float]) -> str:
    """Green when the whole interval is above 0, red when below, grey when it straddles 0."""
    lo, hi = ci
    if _ok(lo) and lo > 0:
        return GOOD
    if _ok(hi) and hi < 0:
        return BAD
    return NEUTRAL


def _tick(enc: dict[str, Any], end: str, color: dict[str, Any]) -> dict[str, Any]:
    return {
        "transform": [{"filter": f"isValid(datum.{end})"}],
        "mark": {"type": "tick", "thickness": 2, "size": 12, "orient": "vertical"},
        "encoding": {**enc, "x": {"field": end, "type": "quantitative"}, "color": color},
    }


def _interval_layers(y: dict[str, Any], extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """An estimate with its interval: a rule lo-hi with end ticks and a dot; colour, fill and shape
    from the rows' ``color``, ``fill`` and ``shape`` (taken as they are: no scale)."""
    enc: dict[str, Any] = {"y": y, **(extra or {})}
    color: dict[str, Any] = {"field": "color", "type": "nominal", "scale": None}
    tip = [
        {"field": "name", "type": "nominal", "title": "what"},
        {"field": "v", "type": "quantitative", "title": "Brier skill", "format": "+.3f"},
        {"field": "lo", "type": "quantitative", "title": "95% low", "format": "+.3f"},
        {"field": "hi", "type": "quantitative", "title": "95% high", "format": "+.3f"},
    ]
    x = {"field": "lo", "type": "quantitative"}
    return [
        {
            "transform": [{"filter": "isValid(datum.lo) && isValid(datum.hi)"}],
            "mark": {"type": "rule", "strokeWidth": 2.2, "opacity": 0.8},
            "encoding": {**enc, "x": x, "x2": {"field": "hi"}, "color": color},
        },
        *(_tick(enc, end, color) for end in ("lo", "hi")),
        {
            "transform": [{"filter": "isValid(datum.v)"}],
            "mark": {"type": "point", "size": 70, "strokeWidth": 1.6, "opacity": 1},
            "encoding": {
                **enc,
                "x": {"field": "v", "type": "quantitative"},
                "stroke": color,
                "fill": {"field": "fill", "type": "nominal", "scale": None},
                "shape": {"field": "shape", "type": "nominal", "scale": None},
                "tooltip": tip,
            },
        },
        {"mark": {"type": "rule", "color": "black", "strokeWidth": 0.9}, "encoding": {"x": {"datum": 0}}},
    ]


def _num(x: Any) -> float | None:
    return float(x) if _ok(x) else None


def skill_by_pillar_spec(h: HistoryResult) -> dict[str, Any] | None:
    """Brier skill vs the base rate with its 95% interval: each pillar, the verdict (walk-forward,
    a diamond) and the verdict on the holdout (an open diamond)."""
    named = [(s.name, s) for s in h.skill if s.kind == "pillar"]
    named += [("verdict (walk-forward)", h.verdict), ("verdict (holdout)", h.holdout)]
    rows = []
    for name, s in named:
        if not _ok(s.bss_base):
            continue
        color = _sign_color(s.ci_bss_base)
        if name.startswith("verdict") and color == NEUTRAL:
            color = "black"
        lo, hi = s.ci_bss_base
        rows.append(
            {
                "name": name,
                "v": float(s.bss_base),
                "lo": _num(lo),
                "hi": _num(hi),
                "color": color,
                "fill": "white" if "holdout" in name else color,
                "shape": "diamond" if name.startswith("verdict") else "circle",
            }
        )
    if not rows:
        return None
    y = {"field": "name", "type": "nominal", "title": None, "sort": [r["name"] for r in rows]}
    return _spec(
        {
            "title": "Skill by pillar with 95% intervals (year-block bootstrap)",
            "width": 440,
            "height": {"step": 26},
            "data": {"values": rows},
            "encoding": {
                "x": {
                    "type": "quantitative",
                    "title": "Brier skill vs the base rate (right of 0 = better than the base rate)",
                }
            },
            "layer": _interval_layers(y),
        }
    )


def holdout_spec(h: HistoryResult) -> dict[str, Any] | None:
    """Brier skill vs the base rate and vs momentum with intervals, walk-forward against holdout."""
    parts = (("walk-forward", h.verdict, pillar_color("price")), ("holdout", h.holdout, HOLDOUT_COLOR))
    if all(not _ok(s.bss_base) for _n, s, _c in parts):
        return None
    metrics = (
        ("vs base rate", "bss_base", "ci_bss_base"),
        ("vs momentum", "bss_momentum", "ci_bss_momentum"),
    )
    rows = []
    for part, s, color in parts:
        for metric, attr, ciattr in metrics:
            lo, hi = getattr(s, ciattr)
            rows.append(
                {
                    "name": f"{part}, {metric}",
                    "part": part,
                    "metric": metric,
                    "v": _num(getattr(s, attr)),
                    "lo": _num(lo),
                    "hi": _num(hi),
                    "color": color,
                    "fill": color,
                    "shape": "circle",
                }
            )
    y = {"field": "metric", "type": "nominal", "title": None, "sort": [m for m, _a, _c in metrics]}
    legend = {
        "field": "part",
        "type": "nominal",
        "title": None,
        "scale": {"domain": [p for p, _s, _c in parts], "range": [c for _p, _s, c in parts]},
    }
    layers = _interval_layers(y, {"yOffset": {"field": "part", "sort": [p for p, _s, _c in parts]}})
    layers.append(  # the legend: walk-forward and holdout in their colours
        {
            "transform": [{"filter": "isValid(datum.v)"}],
            "mark": {"type": "point", "size": 0, "opacity": 0},
            "encoding": {"x": {"field": "v", "type": "quantitative"}, "color": legend},
        }
    )
    return _spec(
        {
            "title": "Verdict: walk-forward vs holdout",
            "width": 400,
            "height": {"step": 44},
            "data": {"values": rows},
            "encoding": {"x": {"type": "quantitative", "title": "Brier skill score with 95% interval"}},
            "layer": layers,
        }
    )


def _series_scale(names: list[str], colors: list[str]) -> dict[str, Any]:
    return {"field": "series", "type": "nominal", "title": None, "scale": {"domain": names, "range": colors}}


def _reliability_points(x: dict[str, Any], y: dict[str, Any], color: dict[str, Any]) -> dict[str, Any]:
    """One dot per decile or quintile, sized by its episodes, with its numbers in the tooltip."""
    return {
        "mark": {"type": "point", "filled": True, "opacity": 0.75, "stroke": "white"},
        "encoding": {
            "x": x,
            "y": y,
            "color": color,
            "shape": {"field": "shape", "type": "nominal", "scale": None},
            "size": {
                "field": "n",
                "type": "quantitative",
                "title": "episodes",
                "scale": {"range": [20, 200]},
                "legend": None,
            },
            "tooltip": [
                {"field": "series", "type": "nominal", "title": "group"},
                {"field": "p", "type": "quantitative", "title": "mean predicted", "format": ".1%"},
                {"field": "obs", "type": "quantitative", "title": "observed", "format": ".1%"},
                {"field": "n", "type": "quantitative", "title": "episodes"},
            ],
        },
    }


def reliability_spec(h: HistoryResult) -> dict[str, Any] | None:
    """Observed persistence against the mean predicted probability per walk-forward decile and
    holdout quintile (point size = episodes), the diagonal of perfect calibration and the base rate."""
    parts = (
        ("walk-forward deciles", h.reliability, pillar_color("price"), "circle"),
        ("holdout quintiles", h.reliability_holdout, pillar_color("catalysts"), "square"),
    )
    rows: list[dict[str, Any]] = [
        {
            "series": name,
            "p": float(r["mean_p"]),
            "obs": float(r["observed"]),
            "n": int(r["n"]),
            "shape": shape,
        }
        for name, rs, _c, shape in parts
        for r in rs
        if _ok(r.get("mean_p")) and _ok(r.get("observed"))
    ]
    if not rows:
        return None
    vals: list[float] = [r["p"] for r in rows] + [r["obs"] for r in rows]
    lo, hi = max(0.0, min(vals) - 0.05), min(1.0, max(vals) + 0.05)
    dom = {"domain": [lo, hi], "nice": False, "zero": False}
    names = ["perfect calibration", *([f"base rate {pct(h.base_rate)}"] if _ok(h.base_rate) else [])]
    names += [n for n, rs, _c, _s in parts if rs]
    colors = ["black", NEUTRAL][: 1 + _ok(h.base_rate)] + [c for _n, rs, c, _s in parts if rs]
    color = _series_scale(names, colors)
    x = {"field": "p", "type": "quantitative", "title": "mean predicted probability", "scale": dom}
    y = {"field": "obs", "type": "quantitative", "title": "observed persistence rate", "scale": dom}
    guide = [
        {"series": "perfect calibration", "p": lo, "obs": lo},
        {"series": "perfect calibration", "p": hi, "obs": hi},
    ]
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": guide},
            "mark": {"type": "line", "strokeDash": [5, 3], "strokeWidth": 0.8, "clip": True},
            "encoding": {"x": x, "y": y, "color": color},
        },
    ]
    if _ok(h.base_rate):
        layers.append(
            {
                "data": {"values": [{"series": names[1], "obs": float(h.base_rate)}]},
                "mark": {"type": "rule", "strokeDash": [2, 2], "strokeWidth": 0.9},
                "encoding": {"y": y, "color": color},
            }
        )
    layers += [
        {
            "mark": {"type": "line", "strokeWidth": 0.8, "opacity": 0.6},
            "encoding": {"x": x, "y": y, "color": color, "detail": {"field": "series"}},
        },
        _reliability_points(x, y, color),
    ]
    return _spec(
        {
            "title": "Reliability (point size = episodes)",
            "width": 330,
            "height": 330,
            "data": {"values": rows},
            "layer": layers,
        }
    )


def deciles_spec(h: HistoryResult) -> dict[str, Any] | None:
    """Observed persistence per decile of the walk-forward probability (bars, labelled in percent),
    the mean predicted probability of each decile (a black tick) and the base rate (dashed)."""
    rows = [
        {"decile": int(r["decile"]), "obs": float(r["observed"]), "p": float(r["mean_p"])}
        for r in h.reliability
        if _ok(r.get("observed")) and _ok(r.get("mean_p"))
    ]
    if not rows:
        return None
    base = float(h.base_rate) if _ok(h.base_rate) else None
    top = min(1.0, max([*(r["obs"] for r in rows), base or 0.0, 0.5]) + 0.12)
    names = [
        "observed persistence",
        "mean predicted probability",
        *([f"base rate {pct(base)}"] if base is not None else []),
    ]
    color = _series_scale(names, [pillar_color("price"), "black", BAD][: len(names)])
    x = {
        "field": "decile",
        "type": "ordinal",
        "title": "decile of the walk-forward probability (1 = lowest)",
        "axis": {"labelAngle": 0},
    }
    y = {
        "field": "obs",
        "type": "quantitative",
        "title": "persisted",
        "axis": {"format": ".0%"},
        "scale": {"domain": [0, top]},
    }
    tip = [
        {"field": "decile", "type": "ordinal", "title": "decile"},
        {"field": "obs", "type": "quantitative", "title": "observed", "format": ".1%"},
        {"field": "p", "type": "quantitative", "title": "mean predicted", "format": ".1%"},
    ]
    layers: list[dict[str, Any]] = [
        {
            "transform": [{"calculate": "'observed persistence'", "as": "series"}],
            "mark": {"type": "bar", "opacity": 0.8},
            "encoding": {"x": x, "y": y, "color": color, "tooltip": tip},
        },
        {
            "transform": [{"calculate": "'mean predicted probability'", "as": "series"}],
            "mark": {"type": "tick", "thickness": 2},
            "encoding": {"x": x, "y": {**y, "field": "p"}, "color": color, "tooltip": tip},
        },
        {
            "mark": {"type": "text", "baseline": "top", "dy": 3, "fontSize": 9, "color": "white"},
            "encoding": {"x": x, "y": y, "text": {"field": "obs", "type": "quantitative", "format": ".0%"}},
        },
    ]
    if base is not None:
        layers.append(
            {
                "data": {"values": [{"series": names[2], "obs": base}]},
                "mark": {"type": "rule", "strokeDash": [5, 3], "strokeWidth": 1.2},
                "encoding": {"y": {"field": "obs", "type": "quantitative"}, "color": color},
            }
        )
    return _spec(
        {
            "title": f"Persistence rate by decile of the probability ({h.horizon}M)",
            "width": 380,
            "height": 220,
            "data": {"values": rows},
            "layer": layers,
        }
    )


def weights_spec(h: HistoryResult, count: Any = str) -> dict[str, Any] | None:
    """The final model's weight per feature (log-odds per standard deviation), grouped and coloured
    by pillar; ``count`` formats the number of known outcomes in the title."""
    feats, weights = list(h.final.features), [float(w) for w in h.final.weights]
    if not feats:
        return None

    def pillar(f: str) -> str:
        p = M.PILLAR_OF.get(f, "history")
        return p if p in LAB_PILLARS else "history"

    order = sorted(range(len(feats)), key=lambda i: (LAB_PILLARS.index(pillar(feats[i])), i))
    rows = [
        {"feature": feats[i], "pillar": pillar(feats[i]), "w": weights[i]} for i in order if _ok(weights[i])
    ]
    used = [p for p in LAB_PILLARS if any(r["pillar"] == p for r in rows)]
    return _spec(
        pillar_bars(
            rows,
            field="w",
            axis_title="weight on the log-odds per standard deviation of the feature",
            tooltip=("weight", "+.3f"),
            pillars=used,
            title=f"Final model's weights ({count(h.final.n)} known outcomes), by pillar",
            width=420,
            step=18,
            band=0.7,
            label_limit=240,
        )
    )


__all__ = ["deciles_spec", "holdout_spec", "reliability_spec", "skill_by_pillar_spec", "weights_spec"]
