"""One chart specification, two renderings: Vega-Lite specs drawn interactive in the dashboard and
static (PNG/SVG) in the HTML and Markdown reports.

Why Vega-Lite, written as plain JSON, rendered with ``vl-convert-python``:

- A Vega-Lite spec is data (a JSON document): the dashboard embeds the very dict the report renders,
  so the interactive chart and the static one cannot drift apart. Interaction (hover tooltips, the
  RRG's date slider, zooming the spread chart) is part of the spec (``params``); a static rendering
  simply shows each parameter's initial value (the last date).
- ``vl-convert-python`` (one binary wheel from PyPI, no browser, no network) renders a spec to SVG
  or PNG offline, and :func:`vega_js` takes vega, vega-lite and vega-embed from the same wheel
  (``vl_convert.javascript_bundle()``), so the dashboard serves the charting code from its own
  origin and nothing is fetched from anywhere else. The report stays one self-contained file with
  the charts as ``data:`` PNGs.
- The dashboard's Content-Security-Policy has no ``'unsafe-eval'``: vega-embed's ``ast: true`` uses
  its bundled expression interpreter instead of ``new Function``, so the CSP stays as it was.
- The other candidate, plotly + kaleido, was set aside: kaleido 1.x renders through a Chrome it
  finds or downloads at run time (a report could not be written on a machine without one), and
  plotly.js is ~3.5 MB against ~0.9 MB here.
- The specs are written as dicts rather than built with ``altair``: they are short, deterministic
  and need no dataframe conversion; the tests validate every one against the Vega-Lite JSON schema
  that ``altair`` ships (a dev dependency only).

Specs are built only from a result's chart data (``PillarResult.charts``), never recomputed.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
VL_VERSION = "6.4"  # the Vega-Lite version vl-convert renders with (and the bundle it serves)
PALETTE = ["#1f5fa8", "#d9822b", "#2e8b57", "#b03a48", "#6c4f9e", "#7f7f7f", "#17becf", "#8c564b"]
QUADRANT_COLORS = {
    "leading": "#2e8b57",
    "weakening": "#d9822b",
    "lagging": "#b03a48",
    "improving": "#1f5fa8",
}
# One colour per evidence pillar, the same in every chart, legend and page (the dashboard's pillar
# table, the ledger chart, the lab page): never assigned by position, so a pillar keeps its colour
# whichever pillars a theme measures. The first five are the lab page's (hypecheck.report.labpage).
PILLAR_COLORS: dict[str, str] = {
    "price": "#1f5fa8",
    "breadth": "#2e8b57",
    "catalysts": "#d9822b",
    "attention": "#6c4f9e",
    "history": "#7f7f7f",
    "fundamentals": "#b03a48",
    "structure": "#17becf",
}
OTHER_PILLAR_COLOR = "#8c564b"  # a pillar not in the map (a user's registered pillar)


def pillar_color(pillar: str) -> str:
    """The fixed colour of ``pillar`` (:data:`PILLAR_COLORS`)."""
    return PILLAR_COLORS.get(pillar, OTHER_PILLAR_COLOR)


FONT = "Liberation Sans, Arial, Helvetica, sans-serif"  # vl-convert ships Liberation Sans
CONFIG: dict[str, Any] = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 10, "titleFontSize": 11, "gridOpacity": 0.5},
    "legend": {"labelFontSize": 10, "titleFontSize": 10, "orient": "bottom"},
    "title": {"fontSize": 13, "anchor": "start", "fontWeight": "normal"},
}


def _missing_vl() -> Exception:
    from ..errors import MissingDependencyError

    return MissingDependencyError(
        "drawing the charts needs vl-convert-python",
        hint="pip install 'vl-convert-python>=1.9' (a dependency of hypecheck: reinstall hypecheck)",
    )


@dataclass(frozen=True)
class VegaChart:
    """A Vega-Lite spec with what the report needs to place it; rendered with :meth:`to_bytes`."""

    spec: dict[str, Any]
    interactive: bool = True
    meta: dict[str, Any] = field(default_factory=dict)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Jupyter: the spec for front ends that draw Vega-Lite, an SVG for the others."""
        return {
            "application/vnd.vegalite.v6+json": self.spec,
            "image/svg+xml": self.to_bytes("svg").decode("utf-8"),
        }

    def to_json(self) -> str:
        return json.dumps(self.spec, sort_keys=True, allow_nan=False)

    def to_bytes(self, fmt: str) -> bytes:
        """``svg`` or ``png`` (2x scale), rendered offline by vl-convert."""
        if fmt not in ("svg", "png"):
            raise ValueError(f"cannot render a chart as {fmt!r}; use 'svg' or 'png'")
        svg = _render_svg(json.dumps(self.spec, allow_nan=False))
        if fmt == "svg":
            return _stable_ids(svg).encode("utf-8")
        import vl_convert as vlc

        # the PNG from the SVG: the same pixels as vegalite_to_png (the same bytes), one Vega run
        return bytes(vlc.svg_to_png(svg, scale=2))


@functools.lru_cache(maxsize=32)
def _render_svg(spec_json: str) -> str:
    """A spec (as JSON, key order kept) rendered to SVG by vl-convert: cached, so a chart written
    as SVG and PNG (reports) or drawn twice runs Vega once."""
    try:
        import vl_convert as vlc
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise _missing_vl() from exc
    return str(vlc.vegalite_to_svg(json.loads(spec_json), vl_version=VL_VERSION))


_SVG_ID = re.compile(r"\b(clip|gradient|pattern)(_?)(\d+)\b")  # clip3, gradient_0 (legends)


def _stable_ids(svg: str) -> str:
    """Vega numbers clip paths and gradients with a counter that lives as long as the renderer, so
    the same chart would get other ids on a second rendering: renumber them in order of first
    appearance so the same spec always gives the same bytes (a colour legend's ``gradient_N`` too)."""
    seen: dict[str, str] = {}

    def renumber(m: re.Match[str]) -> str:
        key = m[0]
        if key not in seen:
            seen[key] = f"{m[1]}{m[2]}{sum(1 for k in seen if k.startswith(m[1])) + 1}"
        return seen[key]

    return _SVG_ID.sub(renumber, svg)


@functools.lru_cache(maxsize=1)
def vega_js() -> str:
    """vega, vega-lite and vega-embed as one script (defines ``window.vegaEmbed``), from the
    vl-convert wheel: served by the dashboard from its own origin."""
    try:
        import vl_convert as vlc
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise _missing_vl() from exc
    return str(vlc.javascript_bundle(None, vl_version=VL_VERSION))  # type: ignore[arg-type]  # None: the default snippet


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


# ------------------------------------------------------------------ spread (relative strength)
# A tooltip's date: the temporal field formatted YYYY-MM-DD in UTC (the dates are UTC midnights).
# Not a nominal field: that showed the parsed timestamp ("1751846400000"), and on the hover rule's
# nearest-point (voronoi) layer Vega-Lite reads a nominal field from the wrong object ("undefined").
DATE_TIP: dict[str, Any] = {
    "field": "date",
    "type": "temporal",
    "title": "date",
    "timeUnit": "utcyearmonthdate",
    "format": "%Y-%m-%d",
}


# a time axis: month and year on every label, as few as fit (Vega's default names a month alone)
DATE_AXIS: dict[str, Any] = {"format": "%b %Y", "tickCount": 7, "labelOverlap": True}
DATE_X: dict[str, Any] = {
    "field": "date",
    "type": "temporal",
    "title": None,
    "scale": {"type": "utc"},
    "axis": DATE_AXIS,
}


def series_rows(lines: dict[str, dict[str, list[Any]]]) -> list[dict[str, Any]]:
    """``label -> {"dates", "values"}`` as long rows ``{"series", "date", "value"}`` (finite values)."""
    return [
        {"series": label, "date": d, "value": float(v)}
        for label, pts in lines.items()
        for d, v in zip(pts.get("dates", []), pts.get("values", []), strict=False)
        if _finite(v)
    ]


def series_colors(names: list[str], colors: list[str] | None = None) -> list[str]:
    """One colour per series: ``colors`` (cycled) or the palette in order."""
    pal = colors or PALETTE
    return [pal[i % len(pal)] for i in range(len(names))]


def _line_color(names: list[str], colors: list[str] | None, legend: bool) -> dict[str, Any]:
    return {
        "field": "series",
        "type": "nominal",
        "title": None,
        "scale": {"domain": names, "range": series_colors(names, colors)},
        "legend": (
            {"symbolType": "stroke", "symbolStrokeWidth": 2, "labelLimit": 420, "columns": 2}
            if legend
            else None
        ),
    }


def _hover_layers(
    x: dict[str, Any],
    y: dict[str, Any],
    color: dict[str, Any],
    names: list[str],
    *,
    key: str,
    value_title: str,
    series_title: str,
    fmt: str,
) -> list[dict[str, Any]]:
    """Hovering shows every line's value on the nearest date: a rule whose tooltip is the date and
    each series' value on it (the series pivoted into columns), and a dot per line on that date."""
    hover = f"hover{key}"
    shown: dict[str, Any] = {"condition": {"param": hover, "empty": False, "value": 1}, "value": 0}
    return [
        {
            "params": [
                {
                    "name": hover,
                    "select": {
                        "type": "point",
                        "fields": ["date"],
                        "nearest": True,
                        "on": "pointerover",
                        "clear": "pointerout",
                    },
                }
            ],
            "transform": [{"pivot": "series", "value": "value", "groupby": ["date"]}],
            "mark": {"type": "rule", "color": "#888", "strokeWidth": 1},
            "encoding": {
                "x": x,
                "opacity": {**shown, "condition": {**shown["condition"], "value": 0.8}},
                "tooltip": [
                    DATE_TIP,
                    *({"field": _field(n), "type": "quantitative", "title": n, "format": fmt} for n in names),
                ],
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 40, "clip": True},
            "encoding": {
                "x": x,
                "y": y,
                "color": color,
                "opacity": shown,
                "tooltip": [
                    {"field": "series", "type": "nominal", "title": series_title},
                    DATE_TIP,
                    {"field": "value", "type": "quantitative", "title": value_title, "format": fmt},
                ],
            },
        },
    ]


REFERENCE_STYLE: dict[str, Any] = {"color": "black", "strokeWidth": 0.8}


def lines_view(
    lines: dict[str, dict[str, list[Any]]],
    title: Any,
    *,
    reference: float | None = 100.0,
    reference_style: dict[str, Any] | None = None,
    y_title: str | None = "relative strength (100 = start)",
    value_title: str = "relative strength",
    series_title: str = "pair",
    colors: list[str] | None = None,
    y_domain: list[float] | None = None,
    extra: list[dict[str, Any]] | None = None,
    key: str = "",
    height: int = 260,
    legend: bool = True,
    fmt: str = ".1f",
) -> dict[str, Any] | None:
    """One view (no ``$schema``/``config``: a spec alone or a panel of a ``vconcat``) of lines over
    time around an optional reference level, with the hover rule and dots of :func:`_hover_layers`
    and the time axis zoomed by drag and wheel (double-click resets). ``key`` makes the parameter
    names unique when several views share a spec; ``extra`` layers are drawn under the lines."""
    rows = series_rows(lines)
    if not rows:
        return None
    names = list(dict.fromkeys(r["series"] for r in rows))
    color = _line_color(names, colors, legend)
    x = DATE_X
    scale: dict[str, Any] = {"zero": False, **({"domain": y_domain, "nice": False} if y_domain else {})}
    y: dict[str, Any] = {"field": "value", "type": "quantitative", "title": y_title, "scale": scale}
    ref: list[dict[str, Any]] = []
    if reference is not None:
        ref = [
            {
                "mark": {"type": "rule", **(reference_style or REFERENCE_STYLE)},
                "encoding": {"y": {"datum": reference, "type": "quantitative"}},
            }
        ]
    zoom = {"name": f"zoom{key}", "select": {"type": "interval", "encodings": ["x"]}, "bind": "scales"}
    return {
        "title": title,
        "width": 620,
        "height": height,
        "data": {"values": rows},
        "layer": [
            *ref,
            *(extra or []),
            {
                "params": [zoom],
                "mark": {"type": "line", "strokeWidth": 1.5, "clip": True},
                "encoding": {"x": x, "y": y, "color": color},
            },
            *_hover_layers(
                x, y, color, names, key=key, value_title=value_title, series_title=series_title, fmt=fmt
            ),
        ],
    }


def spread_spec(
    lines: dict[str, dict[str, list[Any]]],
    title: str,
    *,
    reference: float = 100.0,
    y_title: str = "relative strength (100 = start)",
    value_title: str = "relative strength",
    **kw: Any,
) -> dict[str, Any] | None:
    """Lines over time (``label -> {"dates", "values"}``) around a reference level: leader / laggard
    relative strength (100 = start, the default) or a spread in percentage points (``reference=0``).

    Interactive: hovering shows every line's value on the nearest date (a rule and a tooltip);
    dragging pans and the wheel zooms the time axis (double-click resets). ``kw``: the other options
    of :func:`lines_view`."""
    view = lines_view(lines, title, reference=reference, y_title=y_title, value_title=value_title, **kw)
    return None if view is None else {"$schema": SCHEMA, "config": CONFIG, **view}


def _field(name: str) -> str:
    """``name`` as a Vega-Lite field name: dots and brackets escaped (they would read as nested
    access), so a column pivoted from a series label is found whatever the label."""
    return re.sub(r"([.\[\]\\])", r"\\\1", name)


# ------------------------------------------------------------------ relative rotation graph
def _quadrant(x: float, y: float) -> str:
    """The quadrant of an RRG point, split at 100 with ties to the stronger side (as
    :func:`hypecheck.analytics.rrg.quadrant`)."""
    if x >= 100:
        return "leading" if y >= 100 else "weakening"
    return "improving" if y >= 100 else "lagging"


def _rrg_rows(series: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per finite point: name, date, x (RS-Ratio), y (RS-Momentum), quadrant, date index."""
    rows: list[dict[str, Any]] = []
    for name, s in series.items():
        for d, x, y in zip(s.get("dates", []), s.get("ratio", []), s.get("momentum", []), strict=False):
            if _finite(x) and _finite(y):
                rows.append(
                    {"name": name, "date": d, "x": float(x), "y": float(y), "quadrant": _quadrant(x, y)}
                )
    index = {d: i for i, d in enumerate(sorted({r["date"] for r in rows}))}
    for r in rows:
        r["i"] = index[r["date"]]
    return rows


def _rrg_quadrants(lo: float, hi: float) -> list[dict[str, Any]]:
    """The four shaded quadrants and their labels, in the corners."""
    quads: list[dict[str, Any]] = [
        {"q": "leading", "label": "Leading", "x": 100, "x2": hi, "y": 100, "y2": hi, "lx": hi, "ly": hi},
        {"q": "weakening", "label": "Weakening", "x": 100, "x2": hi, "y": lo, "y2": 100, "lx": hi, "ly": lo},
        {"q": "lagging", "label": "Lagging", "x": lo, "x2": 100, "y": lo, "y2": 100, "lx": lo, "ly": lo},
        {"q": "improving", "label": "Improving", "x": lo, "x2": 100, "y": 100, "y2": hi, "lx": lo, "ly": hi},
    ]
    qx = {"field": "x", "type": "quantitative", "scale": {"domain": [lo, hi], "zero": False, "nice": False}}
    qy = {"field": "y", "type": "quantitative", "scale": {"domain": [lo, hi], "zero": False, "nice": False}}
    rects = [
        {
            "data": {"values": [q]},
            "mark": {"type": "rect", "opacity": 0.08, "color": QUADRANT_COLORS[q["q"]]},
            "encoding": {"x": qx, "x2": {"field": "x2"}, "y": qy, "y2": {"field": "y2"}},
        }
        for q in quads
    ]
    labels = [
        {
            "data": {"values": [q]},
            "mark": {
                "type": "text",
                "fontSize": 11,
                "align": "right" if q["lx"] > 100 else "left",
                "baseline": "top" if q["ly"] > 100 else "bottom",
                "dx": -3 if q["lx"] > 100 else 3,
                "dy": 3 if q["ly"] > 100 else -3,
                "color": QUADRANT_COLORS[q["q"]],
            },
            "encoding": {"x": {**qx, "field": "lx"}, "y": {**qy, "field": "ly"}, "text": {"field": "label"}},
        }
        for q in quads
    ]
    return rects + labels


def _rrg_series_layers(rows: list[dict[str, Any]], lo: float, hi: float, tail: int) -> list[dict[str, Any]]:
    """Each series' tail (a line with small dots) up to the slider's date, its head (a large dot)
    and its name beside the head; every dot's tooltip gives name, date, ratio, momentum, quadrant."""
    names = list(dict.fromkeys(r["name"] for r in rows))
    color = {
        "field": "name",
        "type": "nominal",
        "title": None,
        "scale": {"domain": names, "range": series_colors(names)},
        "legend": None,
    }
    dom = {"domain": [lo, hi], "zero": False, "nice": False}
    x = {"field": "x", "type": "quantitative", "title": "RS-Ratio (relative trend)", "scale": dom}
    y = {"field": "y", "type": "quantitative", "title": "RS-Momentum", "scale": dom}
    tooltip = [
        {"field": "name", "type": "nominal", "title": "name"},
        {"field": "date", "type": "nominal", "title": "date"},
        {"field": "x", "type": "quantitative", "title": "RS-Ratio", "format": ".2f"},
        {"field": "y", "type": "quantitative", "title": "RS-Momentum", "format": ".2f"},
        {"field": "quadrant", "type": "nominal", "title": "quadrant"},
    ]
    window = [{"filter": f"datum.i <= week && datum.i > week - {tail}"}]
    head = [
        *window,
        {"joinaggregate": [{"op": "max", "field": "i", "as": "last"}], "groupby": ["name"]},
        {"filter": "datum.i == datum.last"},
    ]
    return [
        {
            "transform": window,
            "mark": {"type": "line", "strokeWidth": 1.3, "opacity": 0.8},
            "encoding": {
                "x": x,
                "y": y,
                "color": color,
                "order": {"field": "i"},
                "detail": {"field": "name"},
            },
        },
        {
            "name": "rrg_tail",
            "transform": window,
            "mark": {"type": "circle", "size": 22, "opacity": 0.7},
            "encoding": {"x": x, "y": y, "color": color, "tooltip": tooltip},
        },
        {
            "name": "rrg_head",
            "transform": head,
            "mark": {"type": "circle", "size": 110, "opacity": 1, "stroke": "white", "strokeWidth": 1},
            "encoding": {"x": x, "y": y, "color": color, "tooltip": tooltip},
        },
        {
            "transform": head,
            "mark": {"type": "text", "dx": 7, "dy": -7, "align": "left", "fontSize": 11},
            "encoding": {"x": x, "y": y, "text": {"field": "name"}, "color": color},
        },
    ]


def rrg_spec(data: dict[str, Any], bench: str) -> dict[str, Any] | None:
    """A Relative Rotation Graph against ``bench`` from the price pillar's chart data
    (``{"tail": n, "series": {name: {"dates", "ratio", "momentum", "quadrant"}}}``).

    Each series is drawn as its last ``tail`` points up to the chosen date (a line with small dots)
    and a large dot at that date, labelled with its name. The ``week`` slider picks the date (one
    step per date in the data; the initial and static view is the last one), so the dots move along
    their tails; hovering any dot shows its name, date, RS-Ratio, RS-Momentum and quadrant."""
    rows = _rrg_rows(data.get("series") or {})
    if not rows:
        return None
    dates = sorted({r["date"] for r in rows})
    tail = max(1, int(data.get("tail") or len(dates)))
    span = max(1.0, max(max(abs(r["x"] - 100), abs(r["y"] - 100)) for r in rows)) * 1.12
    lo, hi = round(100 - span, 3), round(100 + span, 3)
    freq = "weekly" if data.get("freq", "W") == "W" else "daily"
    heading = json.dumps(f"Relative Rotation Graph vs {bench}, {freq}, {tail}-point tails to ")
    slider = {
        "input": "range",
        "min": 0,
        "max": len(dates) - 1,
        "step": 1,
        "name": "date (earlier ← → later) ",
    }
    axis_rule = {"type": "rule", "color": "black", "strokeWidth": 0.7}
    return {
        "$schema": SCHEMA,
        "title": {"text": {"expr": heading + " + dates[week]"}},
        "width": 440,
        "height": 440,
        "config": CONFIG,
        # the dashboard shows the slider's date, not its index (static/charts.js reads this)
        "usermeta": {"slider_labels": {"week": dates}},
        "params": [
            {"name": "week", "value": len(dates) - 1, "bind": slider},
            {"name": "dates", "value": dates},
        ],
        "data": {"values": rows},
        "layer": [
            *_rrg_quadrants(lo, hi),
            {"mark": axis_rule, "encoding": {"x": {"datum": 100}}},
            {"mark": axis_rule, "encoding": {"y": {"datum": 100}}},
            *_rrg_series_layers(rows, lo, hi, tail),
        ],
    }


# ------------------------------------------------------------------ the model's ledger
def pillar_bars(
    rows: list[dict[str, Any]],
    *,
    field: str,
    axis_title: str,
    tooltip: tuple[str, str],
    pillars: list[str],
    title: str,
    width: int,
    step: int,
    band: float,
    label_limit: int,
) -> dict[str, Any]:
    """Horizontal bars, one per feature in the order of ``rows`` (each ``{"feature", "pillar",
    field}``), coloured by pillar with the fixed :data:`PILLAR_COLORS` (the legend lists ``pillars``
    in that order), with a rule at 0; hovering a bar shows the feature, its pillar and the value
    (``tooltip``: its title and d3 format). The body of a spec (no ``$schema`` or ``config``): the
    check's ledger (:func:`ledger_spec`) and the lab's weights (``labspecs.weights_spec``) draw with it."""
    return {
        "title": title,
        "width": width,
        "height": {"step": step},
        "data": {"values": rows},
        "layer": [
            {
                "mark": {"type": "bar", "height": {"band": band}},
                "encoding": {
                    "y": {
                        "field": "feature",
                        "type": "nominal",
                        "title": None,
                        "sort": [r["feature"] for r in rows],
                        "axis": {"labelLimit": label_limit},
                    },
                    "x": {"field": field, "type": "quantitative", "title": axis_title},
                    "color": {
                        "field": "pillar",
                        "type": "nominal",
                        "title": "pillar",
                        "scale": {"domain": pillars, "range": [pillar_color(p) for p in pillars]},
                        "legend": {"orient": "bottom", "symbolType": "square"},
                    },
                    "tooltip": [
                        {"field": "feature", "type": "nominal", "title": "feature"},
                        {"field": "pillar", "type": "nominal", "title": "pillar"},
                        {"field": field, "type": "quantitative", "title": tooltip[0], "format": tooltip[1]},
                    ],
                },
            },
            {"mark": {"type": "rule", "color": "black", "strokeWidth": 0.8}, "encoding": {"x": {"datum": 0}}},
        ],
    }


def ledger_spec(rows: list[dict[str, Any]], title: str) -> dict[str, Any] | None:
    """The panel model's ledger as horizontal bars (:func:`pillar_bars`): each feature's contribution
    to the probability (percentage points, ``100 * contribution_p``), largest first, coloured by its
    pillar."""
    data: list[dict[str, Any]] = [
        {
            "feature": str(e["feature"]),
            "pillar": str(e.get("pillar") or "other"),
            "pp": round(100 * float(e["contribution_p"]), 4),
        }
        for e in rows
        if _finite(e.get("contribution_p"))
    ]
    if not data:
        return None
    data.sort(key=lambda r: -abs(r["pp"]))
    present: list[str] = sorted({str(r["pillar"]) for r in data}, key=lambda p: (_pillar_rank(p), p))
    body = pillar_bars(
        data,
        field="pp",
        axis_title="contribution to the probability (pp)",
        tooltip=("contribution (pp)", "+.2f"),
        pillars=present,
        title=title,
        width=520,
        step=20,
        band=0.75,
        label_limit=220,
    )
    return {"$schema": SCHEMA, "config": CONFIG, **body}


PILLAR_ORDER = ("attention", "price", "breadth", "catalysts", "fundamentals", "structure", "history")


def _pillar_rank(p: str) -> int:
    return PILLAR_ORDER.index(p) if p in PILLAR_ORDER else len(PILLAR_ORDER)


# ------------------------------------------------------------------ sparklines (scan page)
def sparkline_svg(values: list[float], width: int = 120, height: int = 28, title: str = "") -> str:
    """An inline SVG polyline of ``values`` (no script, no external reference), with a dashed line
    at the first value: above it = the leader has gained on the laggard since the start. ``title``
    is escaped. Empty string for fewer than two finite values."""
    from markupsafe import escape

    pts = [float(v) for v in values if _finite(v)]
    if len(pts) < 2:
        return ""
    lo, hi = min(pts), max(pts)
    rng = (hi - lo) or 1.0
    pad = 2.0

    def yy(v: float) -> float:
        return round(pad + (height - 2 * pad) * (1 - (v - lo) / rng), 2)

    step = (width - 2 * pad) / (len(pts) - 1)
    coords = " ".join(f"{round(pad + i * step, 2)},{yy(v)}" for i, v in enumerate(pts))
    colour = "#2e8b57" if pts[-1] >= pts[0] else "#b03a48"
    return (
        f'<svg class="spark" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<line x1="0" x2="{width}" y1="{yy(pts[0])}" y2="{yy(pts[0])}" stroke="#999" '
        'stroke-width="0.6" stroke-dasharray="2,2"/>'
        f'<polyline fill="none" stroke="{colour}" stroke-width="1.3" points="{coords}"/></svg>'
    )
