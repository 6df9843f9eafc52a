"""Vega-Lite specs of the pillar charts that were drawn with matplotlib: the size x style box, the
sector returns, equal vs cap weight, sector participation, search interest, the macro series, the
event study, the fundamentals, the structural burden and the hindsight lines.

Plain dicts, like :mod:`hypecheck.report.spec` (see its docstring for why Vega-Lite and why dicts
rather than ``altair``): each function takes one chart's data exactly as the pillar stored it
(``PillarResult.charts``, or the result's ``hindsight``), never recomputes it, and returns a spec
(``None`` when there is nothing to draw). One spec is drawn interactive in the dashboard (tooltips
with dates as dates, zoomable time axes) and rendered static (SVG/PNG) by vl-convert in reports.
Single-colour marks take their pillar's fixed colour (:func:`~hypecheck.report.spec.pillar_color`).
"""

from __future__ import annotations

import textwrap
from typing import Any

from .spec import CONFIG, DATE_TIP, DATE_X, PALETTE, SCHEMA, _finite, lines_view, pillar_color, spread_spec

UP, DOWN = "#2e8b57", "#b03a48"  # a gain and a loss, as the sparklines and tables
WIDTH = 620


def _others(pillar: str) -> list[str]:
    """The pillar's colour first, then the palette without it: colours for several series."""
    own = pillar_color(pillar)
    return [own, *(c for c in PALETTE if c != own)]


def _spec(body: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": SCHEMA, "config": CONFIG, **body}


def _tip(field: str, title: str, fmt: str | None = None, kind: str = "quantitative") -> dict[str, Any]:
    return {"field": field, "type": kind, "title": title, **({"format": fmt} if fmt else {})}


def _pct_text(v: Any) -> str:
    return "n/a" if not _finite(v) else f"{v * 100:+.1f}%"


# ------------------------------------------------------------------ price: style box, sectors
STYLES = ("value", "blend", "growth")


def style_box_spec(data: dict[str, Any]) -> dict[str, Any] | None:
    """The size x style box: one cell per size and style, coloured by its return on a red-yellow-
    green scale symmetric around 0, labelled with its ticker and return (``n/a`` when unknown)."""
    rows = data.get("rows") or []
    if not rows:
        return None
    cells: list[dict[str, Any]] = []
    for row in rows:
        for style in STYLES:
            cell = row.get(style) or {}
            raw = cell.get("return")
            ret = float(raw) if raw is not None and _finite(raw) else None
            tick = str(cell.get("ticker", ""))
            cells.append(
                {
                    "size": str(row["size"]),
                    "style": style,
                    "ticker": tick,
                    "return": ret,
                    "label": f"{tick}\n{_pct_text(ret)}",
                }
            )
    lim = max([abs(c["return"]) for c in cells if c["return"] is not None] or [0.01])
    x = {"field": "style", "type": "nominal", "title": None, "sort": list(STYLES), "axis": {"labelAngle": 0}}
    y = {"field": "size", "type": "nominal", "title": None, "sort": [str(r["size"]) for r in rows]}
    tip = [
        _tip("size", "size", kind="nominal"),
        _tip("style", "style", kind="nominal"),
        _tip("ticker", "ticker", kind="nominal"),
        _tip("return", "return", "+.1%"),
    ]
    return _spec(
        {
            "title": f"Size x style box, {data.get('window', '')} return",
            "width": 300,
            "height": {"step": 56},
            "data": {"values": cells},
            "layer": [
                {
                    "transform": [{"filter": "isValid(datum['return'])"}],
                    "mark": {"type": "rect"},
                    "encoding": {
                        "x": x,
                        "y": y,
                        "color": {
                            "field": "return",
                            "type": "quantitative",
                            "title": "return",
                            "scale": {"scheme": "redyellowgreen", "domain": [-lim, lim]},
                            "legend": {"format": "+.0%"},
                        },
                        "tooltip": tip,
                    },
                },
                {
                    "mark": {"type": "text", "lineBreak": "\n", "fontSize": 11},
                    "encoding": {"x": x, "y": y, "text": {"field": "label"}, "tooltip": tip},
                },
            ],
        }
    )


def sectors_spec(data: dict[str, Any]) -> dict[str, Any] | None:
    """Each sector's return over the window as a bar (green up, red down), in the pillar's order
    (best first), with a rule at 0."""
    rows = [
        {
            "label": f"{x['sector']} ({x['ticker']})",
            "sector": str(x["sector"]),
            "ticker": str(x["ticker"]),
            "pct": 100 * float(x["return"]),
        }
        for x in data.get("rows") or []
        if _finite(x.get("return"))
    ]
    if not rows:
        return None
    return _spec(
        {
            "title": f"Sectors, {data.get('window', '')} return (%)",
            "width": 520,
            "height": {"step": 18},
            "data": {"values": rows},
            "layer": [
                {
                    "mark": {"type": "bar", "height": {"band": 0.75}},
                    "encoding": {
                        "y": {
                            "field": "label",
                            "type": "nominal",
                            "title": None,
                            "sort": [r["label"] for r in rows],
                            "axis": {"labelLimit": 260},
                        },
                        "x": {"field": "pct", "type": "quantitative", "title": "return (%)"},
                        "color": {"condition": {"test": "datum.pct >= 0", "value": UP}, "value": DOWN},
                        "tooltip": [
                            _tip("sector", "sector", kind="nominal"),
                            _tip("ticker", "ticker", kind="nominal"),
                            _tip("pct", "return, %", "+.2f"),
                        ],
                    },
                },
                {
                    "mark": {"type": "rule", "color": "black", "strokeWidth": 0.8},
                    "encoding": {"x": {"datum": 0}},
                },
            ],
        }
    )


# ------------------------------------------------------------------ breadth: lines
def ew_cw_spec(data: dict[str, dict[str, list[Any]]]) -> dict[str, Any] | None:
    """Equal weight / cap weight per pair (100 = 12 months ago; rising = broadening)."""
    return spread_spec(
        data,
        "Equal weight / cap weight (100 = 12 months ago; rising = broadening)",
        y_title="equal / cap weight (100 = start)",
        value_title="equal / cap weight",
        colors=_others("breadth"),
    )


PARTICIPATION = (("pct_above_50d", "above 50-day average"), ("pct_above_200d", "above 200-day average"))


def participation_spec(data: dict[str, Any]) -> dict[str, Any] | None:
    """The share of sector series above their 50- and 200-day averages (0-100), with a dotted rule
    at 50%."""
    lines = {label: data[key] for key, label in PARTICIPATION if data.get(key) and data[key].get("values")}
    return spread_spec(
        lines,
        f"Sector participation: % of {data.get('members')} sector series above their averages",
        reference=50.0,
        reference_style={"color": "black", "strokeWidth": 0.6, "strokeDash": [2, 2]},
        y_title="% of sectors",
        value_title="% of sectors",
        series_title="share",
        y_domain=[-3, 103],
        colors=_others("breadth"),
    )


# ------------------------------------------------------------------ panels over time
def _vconcat(panels: list[dict[str, Any] | None], title: str | None = None) -> dict[str, Any] | None:
    drawn = [p for p in panels if p is not None]
    if not drawn:
        return None
    # each panel its own series: its own colour scale and legend (shared, they would merge domains)
    resolve = {"scale": {"color": "independent"}, "legend": {"color": "independent"}}
    return _spec({**({"title": title} if title else {}), "vconcat": drawn, "spacing": 18, "resolve": resolve})


def _panel(label: str, pts: dict[str, list[Any]], title: str, color: str, key: str, **kw: Any) -> Any:
    return lines_view(
        {label: pts},
        {"text": title, "fontSize": 11},
        reference=None,
        y_title=None,
        value_title="value",
        series_title="series",
        colors=[color],
        key=key,
        height=110,
        legend=False,
        fmt=".4~g",
        **kw,
    )


def _event_rules(events: list[dict[str, Any]], start: str | None) -> list[dict[str, Any]]:
    """Dotted grey rules at the dated events on or after ``start`` (each with its tooltip)."""
    shown = [{"date": str(e["date"]), "event": str(e.get("label", ""))} for e in events]
    shown = [e for e in shown if start is not None and e["date"] >= start]
    if not shown:
        return []
    return [
        {
            "data": {"values": shown},
            "mark": {"type": "rule", "color": "grey", "strokeWidth": 0.9, "strokeDash": [2, 2]},
            "encoding": {
                "x": DATE_X,
                "tooltip": [DATE_TIP, _tip("event", "event", kind="nominal")],
            },
        }
    ]


def macro_spec(data: dict[str, dict[str, list[Any]]], events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One panel per macro series, with a dotted rule at each dated event within its span."""
    return _vconcat(
        [
            _panel(
                label,
                pts,
                label,
                pillar_color("catalysts"),
                f"_m{i}",
                extra=_event_rules(events, pts["dates"][0] if pts.get("dates") else None),
            )
            for i, (label, pts) in enumerate(data.items())
        ]
    )


def fundamentals_spec(data: dict[str, dict[str, list[Any]]]) -> dict[str, Any] | None:
    """One panel per measured fundamental series, as known on each date."""
    return _vconcat(
        [
            _panel(label, pts, f"{label} (as known on each date)", pillar_color("fundamentals"), f"_f{i}")
            for i, (label, pts) in enumerate(data.items())
        ]
    )


# ------------------------------------------------------------------ attention
ATTENTION_KEYS = {
    "search interest": pillar_color("attention"),
    "baseline (median)": "black",
    "noise band": "#aaaaaa",
    "spike above noise": PALETTE[3],
    "decay fit": PALETTE[1],
}


def _term_layers(d: dict[str, Any], color: dict[str, Any]) -> list[dict[str, Any]]:
    """The noise band, the baseline (dashed), the spikes and the decay fit of one term."""
    x = DATE_X
    y = {"field": "value", "type": "quantitative", "title": None}
    layers: list[dict[str, Any]] = []
    band, base = d.get("band") or {}, d.get("baseline") or {}
    if band.get("dates"):
        lows = base.get("values", [])[-len(band["values"]) :]
        rows = [
            {"date": t, "lo": float(lo), "hi": float(hi), "series": "noise band"}
            for t, lo, hi in zip(band["dates"], lows, band["values"], strict=False)
            if _finite(lo) and _finite(hi)
        ]
        layers.append(
            {
                "data": {"values": rows},
                "mark": {"type": "area", "opacity": 0.25},
                "encoding": {"x": x, "y": {**y, "field": "lo"}, "y2": {"field": "hi"}, "color": color},
            }
        )
    series = [("baseline (median)", base, {"strokeDash": [5, 3], "strokeWidth": 1})]
    if d.get("fit"):
        series.append(("decay fit", d["fit"], {"strokeWidth": 1.2}))
    for name, pts, style in series:
        rows = [
            {"date": t, "value": float(v), "series": name}
            for t, v in zip(pts.get("dates", []), pts.get("values", []), strict=False)
            if _finite(v)
        ]
        if rows:
            mark = {"type": "line", **style}
            layers.append(
                {"data": {"values": rows}, "mark": mark, "encoding": {"x": x, "y": y, "color": color}}
            )
    values = dict(zip(d["series"]["dates"], d["series"]["values"], strict=True))
    spikes = [
        {"date": t, "value": values[t], "series": "spike above noise"}
        for t in d.get("spikes", [])
        if t in values
    ]
    if spikes:
        layers.append(
            {
                "data": {"values": spikes},
                "mark": {"type": "point", "filled": True, "size": 36, "opacity": 1},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": color,
                    "tooltip": [DATE_TIP, _tip("value", "search interest", ".0f")],
                },
            }
        )
    return layers


def _term_panel(term: str, d: dict[str, Any], i: int) -> dict[str, Any] | None:
    present = ["search interest", "baseline (median)"]
    present += [
        k
        for k, on in (
            ("noise band", (d.get("band") or {}).get("dates")),
            ("spike above noise", d.get("spikes")),
            ("decay fit", d.get("fit")),
        )
        if on
    ]
    color = {
        "field": "series",
        "type": "nominal",
        "title": None,
        "scale": {"domain": present, "range": [ATTENTION_KEYS[k] for k in present]},
        "legend": {"orient": "bottom", "direction": "horizontal", "labelLimit": 200, "symbolType": "stroke"},
    }
    view = lines_view(
        {"search interest": d["series"]},
        {"text": f"Search interest: {term} (0-100, sampled, relative)", "fontSize": 11},
        reference=None,
        y_title="search interest",
        value_title="search interest",
        series_title="series",
        key=f"_a{i}",
        height=150,
        fmt=".0f",
    )
    if view is None:
        return None
    for layer in view["layer"]:  # the one legend for every layer of the panel
        if "color" in layer.get("encoding", {}):
            layer["encoding"]["color"] = color
    view["layer"] = [*_term_layers(d, color), *view["layer"]]
    return view


def attention_spec(data: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """One panel per search term: its search interest, the baseline (median, dashed), the noise
    band around it, the spikes above the noise and the decay fit when there is one."""
    return _vconcat([_term_panel(term, d, i) for i, (term, d) in enumerate(data.items())])


# ------------------------------------------------------------------ catalysts: event study
def _wrap(text: str, width: int = 26) -> str:
    """``text`` on lines of at most ``width`` characters (whole words; never cut short)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False)) or text


def _event_rows(
    data: dict[str, Any], label: dict[tuple[str, str], str], whens: list[str]
) -> list[dict[str, Any]]:
    """One row per spread, event and window (before, after) with a finite move, in pp."""
    pre_w, post_w = data["windows"][0], data["windows"][-1]
    return [
        {
            "spread": str(r["spread"]),
            "panel": f"{r['spread']} (pp)",
            "event": label[(str(r["date"]), str(r["event"]))],
            "date": str(r["date"]),
            "name": str(r["event"]),
            "when": when,
            "pp": 100 * float(r[w]),
        }
        for r in data["rows"]
        for w, when in ((pre_w, whens[0]), (post_w, whens[1]))
        if _finite(r.get(w))
    ]


def _event_bars(labels: list[str], whens: list[str]) -> dict[str, Any]:
    """A pair of bars (before, after) per event; the event's label on as many lines as it needs."""
    axis = {"labelExpr": "split(datum.label, '\\n')", "labelLimit": 0, "labelFontSize": 9}
    return {
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "event", "type": "nominal", "title": None, "sort": labels, "axis": axis},
            "yOffset": {"field": "when", "sort": whens},
            "x": {"field": "pp", "type": "quantitative", "title": "pp"},
            "color": {
                "field": "when",
                "type": "nominal",
                "title": None,
                "scale": {"domain": whens, "range": [PALETTE[5], PALETTE[0]]},
                "legend": {"orient": "bottom"},
            },
            "tooltip": [
                _tip("spread", "spread", kind="nominal"),
                _tip("date", "event date", kind="nominal"),
                _tip("name", "event", kind="nominal"),
                _tip("when", "window", kind="nominal"),
                _tip("pp", "spread move, pp", "+.2f"),
            ],
        },
    }


def event_study_spec(data: dict[str, Any]) -> dict[str, Any] | None:
    """Each spread's move in the window before and the window after each event (pp), one panel per
    spread side by side, one pair of bars per event; each event's label shown whole (wrapped, never
    truncated) and the legend below the panels."""
    if not data.get("rows"):
        return None
    names = list(dict.fromkeys(str(r["spread"]) for r in data["rows"]))
    events = list(dict.fromkeys((str(r["date"]), str(r["event"])) for r in data["rows"]))
    label = {e: f"{e[0]}\n{_wrap(e[1])}" for e in events}
    whens = [f"before ({data['windows'][0]})", f"after ({data['windows'][-1]})"]
    rows = _event_rows(data, label, whens)
    if not rows:
        return None
    lines = max(v.count("\n") + 1 for v in label.values())
    panels = [f"{n} (pp)" for n in names]
    return _spec(
        {
            "data": {"values": rows},
            "facet": {
                "column": {
                    "field": "panel",
                    "type": "nominal",
                    "sort": panels,
                    "title": None,
                    "header": {"labelFontSize": 12, "labelAnchor": "start"},
                }
            },
            "spec": {
                "width": max(180, 520 // len(names)),
                "height": {"step": max(28, 12 * lines + 6)},
                "layer": [
                    _event_bars([label[e] for e in events], whens),
                    {
                        "mark": {"type": "rule", "color": "black", "strokeWidth": 0.7},
                        "encoding": {"x": {"datum": 0}},
                    },
                ],
            },
            "resolve": {"scale": {"x": "independent"}},
        }
    )


# ------------------------------------------------------------------ structure: burden
def burden_spec(data: dict[str, Any]) -> dict[str, Any] | None:
    """The return the solved-for part of the index needs under each scenario (%), against the
    median (dashed) and 80th-percentile (dotted) calendar-year returns of its history."""
    rows = [
        {"scenario": str(x["scenario"]), "pct": 100 * float(x["required_rest"])}
        for x in data.get("scenarios") or []
        if _finite(x.get("required_rest"))
    ]
    if not rows:
        return None
    who = data.get("solve_for", "rest")
    title = "the rest of the index" if who == "rest" else str(who)
    marks = [
        {"what": f"median year of {data.get('proxy')}", "pct": 100 * float(data["history_median"])},
        {"what": "80th percentile year", "pct": 100 * float(data["history_p80"])},
    ]
    marks = [m for m in marks if _finite(m["pct"])]
    rule_color = {
        "field": "what",
        "type": "nominal",
        "title": None,
        "scale": {"domain": [m["what"] for m in marks], "range": ["black", PALETTE[3]][: len(marks)]},
        "legend": {"orient": "bottom", "symbolType": "stroke", "labelLimit": 300},
    }
    dash = {
        "field": "what",
        "type": "nominal",
        "scale": {"domain": [m["what"] for m in marks], "range": [[5, 3], [2, 2]][: len(marks)]},
        "title": None,
        "legend": rule_color["legend"],  # one legend: each rule in its colour and dash
    }
    return _spec(
        {
            "title": f"Return {title} needs (%)",
            "width": 520,
            "height": {"step": 26},
            "layer": [
                {
                    "data": {"values": rows},
                    "mark": {"type": "bar", "height": {"band": 0.7}, "color": pillar_color("structure")},
                    "encoding": {
                        "y": {
                            "field": "scenario",
                            "type": "nominal",
                            "title": None,
                            "sort": [r["scenario"] for r in rows],
                            "axis": {"labelLimit": 300},
                        },
                        "x": {"field": "pct", "type": "quantitative", "title": "return needed (%)"},
                        "tooltip": [
                            _tip("scenario", "scenario", kind="nominal"),
                            _tip("pct", "return needed, %", "+.1f"),
                        ],
                    },
                },
                {
                    "data": {"values": marks},
                    "mark": {"type": "rule", "strokeWidth": 1.2},
                    "encoding": {
                        "x": {"field": "pct", "type": "quantitative"},
                        "color": rule_color,
                        "strokeDash": dash,
                        "tooltip": [
                            _tip("what", "history", kind="nominal"),
                            _tip("pct", "return, %", "+.1f"),
                        ],
                    },
                },
            ],
        }
    )


# ------------------------------------------------------------------ hindsight
def hindsight_spec(h: dict[str, Any]) -> dict[str, Any] | None:
    """Leader / laggard after the as-of date (100 = the as-of date), with a dashed rule at it."""
    rule = {
        "data": {"values": [{"date": h["as_of"]}]},
        "mark": {"type": "rule", "color": "black", "strokeWidth": 0.9, "strokeDash": [5, 3]},
        "encoding": {
            "x": DATE_X,
            "tooltip": [{**DATE_TIP, "title": "as of"}],
        },
    }
    return spread_spec(
        h.get("rs") or {},
        f"After the as-of date (dashed): leader / laggard, 100 = {h['as_of']}",
        reference_style={"color": "grey", "strokeWidth": 0.6},
        y_title=f"relative strength (100 = {h['as_of']})",
        extra=[rule],
    )


__all__ = [
    "attention_spec",
    "burden_spec",
    "event_study_spec",
    "ew_cw_spec",
    "fundamentals_spec",
    "hindsight_spec",
    "macro_spec",
    "participation_spec",
    "sectors_spec",
    "style_box_spec",
]
