"""Charts drawn only from a result's chart data (``PillarResult.charts``/``tables``, the calibration
ledger, the hindsight lines): never recomputed. Every chart is one Vega-Lite spec
(:mod:`hypecheck.report.spec`, :mod:`hypecheck.report.pillarspecs`, :mod:`hypecheck.report.fan`),
drawn interactive in the dashboard and rendered static (SVG/PNG, deterministic bytes) by vl-convert
in the reports: the report and the dashboard show the same charts from the same specs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import pillarspecs as ps
from .spec import VegaChart, ledger_spec, rrg_spec, spread_spec

if TYPE_CHECKING:
    from .view import CheckView

Chart = VegaChart


def _chart(spec: dict[str, Any] | None) -> VegaChart | None:
    return None if spec is None else VegaChart(spec)


def _data(r: CheckView, pillar: str, name: str) -> Any:
    """A pillar's chart data by name (None when the pillar or the chart is absent)."""
    p = r.pillars.get(pillar)
    return None if p is None else p.charts.get(name)


def rs_lines(r: CheckView) -> VegaChart | None:
    """Leader / laggard relative strength per pair (100 = start): a Vega-Lite spread chart."""
    data = _data(r, "price", "rs_lines")
    if not data:
        return None
    return _chart(spread_spec(data, "Relative strength: leader / laggard (100 = start)"))


def style_box(r: CheckView) -> VegaChart | None:
    data = _data(r, "price", "style_box")
    return _chart(ps.style_box_spec(data)) if data else None


def sectors(r: CheckView) -> VegaChart | None:
    data = _data(r, "price", "sectors")
    return _chart(ps.sectors_spec(data)) if data else None


def ew_cw(r: CheckView) -> VegaChart | None:
    data = _data(r, "breadth", "ew_cw")
    return _chart(ps.ew_cw_spec(data)) if data else None


def ew_cw_spread(r: CheckView) -> VegaChart | None:
    """Equal- minus cap-weight return spread in percentage points (above 0 = broadening)."""
    data = _data(r, "breadth", "ew_cw_spread")
    if not data or not data["values"]:
        return None
    line = {data["label"]: {"dates": data["dates"], "values": [100 * v for v in data["values"]]}}
    spec = spread_spec(
        line,
        f"{data['label']} (pp; above 0 = broadening)",
        reference=0.0,
        y_title="percentage points",
        value_title="spread (pp)",
    )
    return _chart(spec)


def participation(r: CheckView) -> VegaChart | None:
    data = _data(r, "breadth", "participation")
    if not data or not data["pct_above_50d"]["values"]:
        return None
    return _chart(ps.participation_spec(data))


def rrg(r: CheckView, bench: str) -> VegaChart | None:
    """Weekly Relative Rotation Graph with tails against one benchmark: a Vega-Lite spec with a
    date slider and tooltips (the static rendering shows the last date)."""
    data = (_data(r, "price", "rrg") or {}).get(bench)
    if not data or not data["series"]:
        return None
    return _chart(rrg_spec(data, bench))


def attention(r: CheckView) -> VegaChart | None:
    data = _data(r, "attention", "terms")
    return _chart(ps.attention_spec(data)) if data else None


def macro(r: CheckView) -> VegaChart | None:
    data = _data(r, "catalysts", "macro")
    if not data:
        return None
    return _chart(ps.macro_spec(data, _data(r, "catalysts", "events") or []))


def event_study(r: CheckView) -> VegaChart | None:
    """Spreads in the windows before and after each event, per spread series (labels whole)."""
    data = _data(r, "catalysts", "event_study")
    return _chart(ps.event_study_spec(data)) if data else None


def fundamentals(r: CheckView) -> VegaChart | None:
    data = _data(r, "fundamentals", "fundamentals")
    return _chart(ps.fundamentals_spec(data)) if data else None


def burden(r: CheckView) -> VegaChart | None:
    data = _data(r, "structure", "burden")
    return _chart(ps.burden_spec(data)) if data else None


CHARTS: dict[str, tuple[str, str, Callable[[CheckView], VegaChart | None]]] = {
    "rs_lines": ("price", "Relative-strength lines", rs_lines),
    "style_box": ("price", "Size x style box", style_box),
    "sectors": ("price", "Sector returns", sectors),
    "ew_cw": ("breadth", "Equal vs cap weight", ew_cw),
    "ew_cw_spread": ("breadth", "Equal- minus cap-weight spread", ew_cw_spread),
    "participation": ("breadth", "Sector participation", participation),
    "attention": ("attention", "Search interest and baseline", attention),
    "macro": ("catalysts", "Macro series with events", macro),
    "event_study": ("catalysts", "Event study: spreads before and after each catalyst", event_study),
    "fundamentals": ("fundamentals", "Measured fundamentals", fundamentals),
    "burden": ("structure", "Structural burden", burden),
}


def calibration(r: CheckView) -> VegaChart | None:
    """The panel model's ledger: each feature's contribution to the probability (pp), coloured by
    pillar with the fixed pillar colours (:data:`~hypecheck.report.spec.PILLAR_COLORS`)."""
    c = r.calibration
    if c is None or not c.ledger:
        return None
    rows = sorted(c.ledger, key=lambda e: abs(e["contribution_p"]))[-12:]
    lo, hi = c.interval
    return _chart(
        ledger_spec(
            rows,
            f"{c.leader} over {c.laggard}: {c.probability:.0%} ({lo:.0%}-{hi:.0%}) vs base rate {c.base_rate:.0%}",
        )
    )


def hindsight(r: CheckView) -> VegaChart | None:
    h = r.hindsight
    if not h or not h.get("rs"):
        return None
    return _chart(ps.hindsight_spec(h))


def _history_fan(r: CheckView) -> VegaChart | None:
    from .fan import history_fan

    return history_fan(r)


def build(r: CheckView) -> dict[str, tuple[str, str, VegaChart]]:
    """name -> (pillar, title, chart) for every chart whose data exist; each chart a
    :class:`~hypecheck.report.spec.VegaChart` (:func:`to_bytes` renders it)."""
    out: dict[str, tuple[str, str, VegaChart]] = {}
    extra = (
        ("history_fan", "What narratives like it did", _history_fan),
        ("calibration", "What moved the probability", calibration),
        ("hindsight", "What happened next", hindsight),
    )
    for name, title, efn in extra:
        chart = efn(r)
        if chart is not None:
            out[name] = (name, title, chart)
    for name, (pillar, title, fn) in CHARTS.items():
        if pillar in r.pillars:
            chart = fn(r)
            if chart is not None:
                out[name] = (pillar, title, chart)
            if name == "rs_lines":  # one rotation graph per benchmark, right after the RS lines
                for bench in r.pillars["price"].charts.get("rrg", {}):
                    f = rrg(r, bench)
                    if f is not None:
                        out[f"rrg_{_slug(bench)}"] = ("price", f"Relative Rotation Graph vs {bench}", f)
    return out


def _slug(s: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in s)


def specs(r: CheckView) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """name -> (pillar, title, Vega-Lite spec) of every chart (drawn interactive by the dashboard);
    the same names, in the same order, as :func:`build`."""
    return {k: (p, t, c.spec) for k, (p, t, c) in build(r).items()}


def to_bytes(fig: VegaChart, fmt: str) -> bytes:
    """A chart as ``png`` or ``svg`` bytes (rendered by vl-convert)."""
    return fig.to_bytes(fmt)
