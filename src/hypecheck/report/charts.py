"""Charts drawn only from a result's chart data (``PillarResult.charts``/``tables``): never
recomputed. The relative-strength (spread) lines and the Relative Rotation Graphs are Vega-Lite
specs (:mod:`hypecheck.report.spec`: one spec, interactive in the dashboard, static PNG/SVG here);
the others use matplotlib's object API (no pyplot state), Agg backend, deterministic SVG/PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.patches
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from .view import CheckView
from .spec import VegaChart, ledger_spec, rrg_spec, spread_spec

Chart = Figure | VegaChart

matplotlib.rcParams["svg.hashsalt"] = "hypecheck"
matplotlib.rcParams["svg.fonttype"] = "none"
if "text.parse_math" in matplotlib.rcParams:  # user text such as '$\href{...}$' is never mathtext
    matplotlib.rcParams["text.parse_math"] = False
PALETTE = ["#1f5fa8", "#d9822b", "#2e8b57", "#b03a48", "#6c4f9e", "#7f7f7f"]


def _dates(points: dict[str, list[Any]]) -> list[Any]:
    import pandas as pd

    return list(pd.to_datetime(points["dates"]))


def _fig(width: float = 7.0, height: float = 3.2) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, height), dpi=110)
    ax = fig.add_subplot(1, 1, 1)
    ax.grid(True, alpha=0.25)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _date_axis(ax: Any) -> None:
    loc = mdates.AutoDateLocator(maxticks=7)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))


def rs_lines(r: CheckView) -> VegaChart | None:
    """Leader / laggard relative strength per pair (100 = start): a Vega-Lite spread chart."""
    data = r.pillars["price"].charts.get("rs_lines")
    if not data:
        return None
    spec = spread_spec(data, "Relative strength: leader / laggard (100 = start)")
    return None if spec is None else VegaChart(spec)


def style_box(r: CheckView) -> Figure | None:
    data = r.pillars["price"].charts.get("style_box")
    if not data or not data["rows"]:
        return None
    styles = ["value", "blend", "growth"]
    rows = data["rows"]
    fig = Figure(figsize=(4.6, 0.9 + 0.8 * len(rows)), dpi=110)
    ax = fig.add_subplot(1, 1, 1)
    vals = [[(row.get(s) or {}).get("return") for s in styles] for row in rows]
    flat = [abs(v) for rr in vals for v in rr if v is not None] or [0.01]
    lim = max(flat)
    grid = [[float("nan") if v is None else v for v in rr] for rr in vals]
    ax.imshow(grid, cmap="RdYlGn", vmin=-lim, vmax=lim, aspect="auto")
    for i, rr in enumerate(vals):
        for j, v in enumerate(rr):
            tick = (rows[i].get(styles[j]) or {}).get("ticker", "")
            ax.text(
                j,
                i,
                f"{tick}\n{'n/a' if v is None else f'{v * 100:+.1f}%'}",
                ha="center",
                va="center",
                fontsize=8,
            )
    ax.set_xticks(range(3), styles)
    ax.set_yticks(range(len(rows)), [row["size"] for row in rows])
    ax.set_title(f"Size x style box, {data['window']} return", fontsize=10, loc="left")
    return fig


def sectors(r: CheckView) -> Figure | None:
    data = r.pillars["price"].charts.get("sectors")
    if not data or not data["rows"]:
        return None
    rows = data["rows"]
    fig, ax = _fig(6.0, 0.6 + 0.28 * len(rows))
    labels = [f"{x['sector']} ({x['ticker']})" for x in rows][::-1]
    vals = [x["return"] * 100 for x in rows][::-1]
    ax.barh(labels, vals, color=["#2e8b57" if v >= 0 else "#b03a48" for v in vals])
    ax.axvline(0, color="black", lw=0.8)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title(f"Sectors, {data['window']} return (%)", fontsize=10, loc="left")
    return fig


def ew_cw(r: CheckView) -> Figure | None:
    data = r.pillars["breadth"].charts.get("ew_cw")
    if not data:
        return None
    fig, ax = _fig()
    for i, (label, pts) in enumerate(data.items()):
        ax.plot(_dates(pts), pts["values"], color=PALETTE[i % len(PALETTE)], lw=1.3, label=label)
    ax.axhline(100, color="black", lw=0.8)
    ax.set_title(
        "Equal weight / cap weight (100 = 12 months ago; rising = broadening)", fontsize=10, loc="left"
    )
    ax.legend(fontsize=7, frameon=False)
    _date_axis(ax)
    return fig


def ew_cw_spread(r: CheckView) -> VegaChart | None:
    """Equal- minus cap-weight return spread in percentage points (above 0 = broadening): a Vega-Lite
    line chart (interactive in the dashboard, SVG/PNG in reports)."""
    data = r.pillars["breadth"].charts.get("ew_cw_spread")
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
    return None if spec is None else VegaChart(spec)


def participation(r: CheckView) -> Figure | None:
    data = r.pillars["breadth"].charts.get("participation")
    if not data or not data["pct_above_50d"]["values"]:
        return None
    fig, ax = _fig()
    for i, (key, label) in enumerate(
        (("pct_above_50d", "above 50-day average"), ("pct_above_200d", "above 200-day average"))
    ):
        pts = data[key]
        if pts["values"]:
            ax.plot(_dates(pts), pts["values"], color=PALETTE[i], lw=1.3, label=label)
    ax.axhline(50, color="black", lw=0.6, ls=":")
    ax.set_ylim(-3, 103)
    ax.set_ylabel("% of sectors", fontsize=8)
    ax.set_title(
        f"Sector participation: % of {data['members']} sector series above their averages",
        fontsize=10,
        loc="left",
    )
    ax.legend(fontsize=7, frameon=False, loc="lower left")
    _date_axis(ax)
    return fig


_QUAD_COLORS = {"leading": "#2e8b57", "weakening": "#d9822b", "lagging": "#b03a48", "improving": "#1f5fa8"}


def rrg(r: CheckView, bench: str) -> VegaChart | None:
    """Weekly Relative Rotation Graph with tails against one benchmark: a Vega-Lite spec with a
    date slider and tooltips (the static rendering shows the last date)."""
    data = r.pillars["price"].charts.get("rrg", {}).get(bench)
    if not data or not data["series"]:
        return None
    spec = rrg_spec(data, bench)
    return None if spec is None else VegaChart(spec)


def attention(r: CheckView) -> Figure | None:
    data = r.pillars["attention"].charts.get("terms")
    if not data:
        return None
    import pandas as pd

    fig = Figure(figsize=(7.0, 2.4 * len(data)), dpi=110)
    for i, (term, d) in enumerate(data.items()):
        ax = fig.add_subplot(len(data), 1, i + 1)
        ax.grid(True, alpha=0.25)
        ax.plot(_dates(d["series"]), d["series"]["values"], color=PALETTE[0], lw=1.4, label="search interest")
        ax.plot(
            _dates(d["baseline"]),
            d["baseline"]["values"],
            color="black",
            lw=1,
            ls="--",
            label="baseline (median)",
        )
        if d.get("band") and d["band"]["dates"]:
            ax.fill_between(
                _dates(d["band"]),
                d["baseline"]["values"][-len(d["band"]["values"]) :],
                d["band"]["values"],
                color="grey",
                alpha=0.2,
                lw=0,
                label="noise band",
            )
        values = dict(zip(d["series"]["dates"], d["series"]["values"], strict=True))
        spikes = [x for x in d.get("spikes", []) if x in values]
        if spikes:
            ax.scatter(
                mdates.date2num(list(pd.to_datetime(spikes))),
                [values[x] for x in spikes],
                color=PALETTE[3],
                zorder=3,
                s=18,
                label="spike above noise",
            )
        if d.get("fit"):
            ax.plot(_dates(d["fit"]), d["fit"]["values"], color=PALETTE[1], lw=1.2, label="decay fit")
        ax.set_title(f"Search interest: {term} (0-100, sampled, relative)", fontsize=9, loc="left")
        ax.legend(fontsize=6, frameon=False, ncol=3)
        _date_axis(ax)
    fig.tight_layout()
    return fig


def macro(r: CheckView) -> Figure | None:
    data = r.pillars["catalysts"].charts.get("macro")
    if not data:
        return None
    import pandas as pd

    events = r.pillars["catalysts"].charts.get("events", [])
    fig = Figure(figsize=(7.0, 1.9 * len(data)), dpi=110)
    for i, (label, pts) in enumerate(data.items()):
        ax = fig.add_subplot(len(data), 1, i + 1)
        ax.grid(True, alpha=0.25)
        ax.plot(_dates(pts), pts["values"], color=PALETTE[i % len(PALETTE)], lw=1.3)
        start = pd.Timestamp(pts["dates"][0]) if pts["dates"] else None
        for ev in events:
            t = pd.Timestamp(ev["date"])
            if start is not None and t >= start:
                ax.axvline(mdates.date2num(t), color="grey", lw=0.8, ls=":")
        ax.set_title(label, fontsize=8, loc="left")
        _date_axis(ax)
    fig.tight_layout()
    return fig


def _wrap(text: str, width: int = 26) -> str:
    """``text`` on lines of at most ``width`` characters (whole words; never cut short)."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False)) or text


def event_study(r: CheckView) -> Figure | None:
    """Spreads in the 20 trading days before and after each event, per spread series. Each event's
    label is shown whole (wrapped, never truncated); the legend sits below the panels, over no bar."""
    data = r.pillars["catalysts"].charts.get("event_study")
    if not data or not data["rows"]:
        return None
    import numpy as np

    pre_w, post_w = data["windows"][0], data["windows"][-1]
    names = list(dict.fromkeys(row["spread"] for row in data["rows"]))
    events = list(dict.fromkeys((row["date"], row["event"]) for row in data["rows"]))
    labels = [f"{d}\n{_wrap(str(lbl))}" for d, lbl in events]
    lines = max(label.count("\n") + 1 for label in labels)
    fig = Figure(figsize=(7.6, 1.5 + max(1.1, 0.22 * lines + 0.5) * len(events)), dpi=110)
    axes = [fig.add_subplot(1, len(names), k + 1) for k in range(len(names))]
    y = np.arange(len(events))
    handles: list[Any] = []
    for k, (ax, name) in enumerate(zip(axes, names, strict=True)):
        rows = {(row["date"], row["event"]): row for row in data["rows"] if row["spread"] == name}
        pre = [100 * (rows.get(e, {}).get(pre_w) or 0.0) for e in events]
        post = [100 * (rows.get(e, {}).get(post_w) or 0.0) for e in events]
        b1 = ax.barh(y - 0.18, pre, height=0.34, color=PALETTE[5], label=f"before ({pre_w})")
        b2 = ax.barh(y + 0.18, post, height=0.34, color=PALETTE[0], label=f"after ({post_w})")
        if k == 0:
            handles = [b1, b2]
        ax.axvline(0, color="black", lw=0.7)
        ax.set_yticks(y)
        ax.set_yticklabels(labels if k == 0 else [""] * len(events), fontsize=6.5)
        ax.invert_yaxis()
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(True, axis="x", alpha=0.25)
        ax.set_title(f"{name} (pp)", fontsize=9, loc="left")
    # below the panels, outside every axes: it can cover no bar
    fig.legend(handles=handles, fontsize=7, frameon=False, loc="lower center", ncol=2)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def fundamentals(r: CheckView) -> Figure | None:
    data = r.pillars["fundamentals"].charts.get("fundamentals") if "fundamentals" in r.pillars else None
    if not data:
        return None
    fig = Figure(figsize=(7.0, 1.9 * len(data)), dpi=110)
    for i, (label, pts) in enumerate(data.items()):
        ax = fig.add_subplot(len(data), 1, i + 1)
        ax.grid(True, alpha=0.25)
        ax.plot(_dates(pts), pts["values"], color=PALETTE[i % len(PALETTE)], lw=1.3)
        ax.set_title(f"{label} (as known on each date)", fontsize=8, loc="left")
        _date_axis(ax)
    fig.tight_layout()
    return fig


def burden(r: CheckView) -> Figure | None:
    data = r.pillars["structure"].charts.get("burden")
    if not data:
        return None
    fig, ax = _fig(6.0, 2.8)
    rows = data["scenarios"]
    labels = [x["scenario"] for x in rows]
    vals = [x["required_rest"] * 100 for x in rows]
    ax.barh(labels[::-1], vals[::-1], color=PALETTE[1])
    ax.axvline(
        data["history_median"] * 100, color="black", lw=1, ls="--", label=f"median year of {data['proxy']}"
    )
    ax.axvline(data["history_p80"] * 100, color=PALETTE[3], lw=1, ls=":", label="80th percentile year")
    ax.tick_params(axis="y", labelsize=7)
    who = data.get("solve_for", "rest") if isinstance(data, dict) else "rest"
    title = "the rest of the index" if who == "rest" else str(who)
    ax.set_title(f"Return {title} needs (%)", fontsize=10, loc="left")
    ax.legend(fontsize=7, frameon=False)
    return fig


CHARTS: dict[str, tuple[str, str, Callable[[CheckView], Chart | None]]] = {
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
    pillar with the fixed pillar colours (:data:`~hypecheck.report.spec.PILLAR_COLORS`): a
    Vega-Lite bar chart (tooltips in the dashboard, SVG/PNG in reports)."""
    c = r.calibration
    if c is None or not c.ledger:
        return None
    rows = sorted(c.ledger, key=lambda e: abs(e["contribution_p"]))[-12:]
    lo, hi = c.interval
    spec = ledger_spec(
        rows,
        f"{c.leader} over {c.laggard}: {c.probability:.0%} ({lo:.0%}-{hi:.0%}) vs base rate {c.base_rate:.0%}",
    )
    return None if spec is None else VegaChart(spec)


def hindsight(r: CheckView) -> Figure | None:
    h = r.hindsight
    if not h or not h.get("rs"):
        return None
    import pandas as pd

    fig, ax = _fig()
    for i, (label, pts) in enumerate(h["rs"].items()):
        ax.plot(_dates(pts), pts["values"], color=PALETTE[i % len(PALETTE)], lw=1.3, label=label)
    ax.axvline(mdates.date2num(pd.Timestamp(h["as_of"])), color="black", lw=0.9, ls="--")
    ax.axhline(100, color="grey", lw=0.6)
    ax.set_title(
        f"After the as-of date (dashed): leader / laggard, 100 = {h['as_of']}", fontsize=10, loc="left"
    )
    ax.legend(fontsize=7, frameon=False)
    _date_axis(ax)
    return fig


def build(r: CheckView) -> dict[str, tuple[str, str, Chart]]:
    """name -> (pillar, title, chart) for every chart whose data exist; a chart is a matplotlib
    Figure or a :class:`~hypecheck.report.spec.VegaChart` (:func:`to_bytes` renders either)."""
    out: dict[str, tuple[str, str, Chart]] = {}
    extra = (
        ("history_fan", "What narratives like it did", _history_fan),
        ("calibration", "What moved the probability", calibration),
        ("hindsight", "What happened next", hindsight),
    )
    for name, title, efn in extra:
        extra_fig = efn(r)
        if extra_fig is not None:
            out[name] = (name, title, extra_fig)
    for name, (pillar, title, fn) in CHARTS.items():
        if pillar in r.pillars:
            fig = fn(r)
            if fig is not None:
                out[name] = (pillar, title, fig)
            if name == "rs_lines":  # one rotation graph per benchmark, right after the RS lines
                for bench in r.pillars["price"].charts.get("rrg", {}):
                    f = rrg(r, bench)
                    if f is not None:
                        out[f"rrg_{_slug(bench)}"] = ("price", f"Relative Rotation Graph vs {bench}", f)
    return out


def _history_fan(r: CheckView) -> VegaChart | None:
    from .fan import history_fan

    return history_fan(r)


def _slug(s: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in s)


def specs(r: CheckView) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """name -> (pillar, title, Vega-Lite spec) of the charts that are specs (drawn interactive by
    the dashboard); the same names as in :func:`build`."""
    return {k: (p, t, c.spec) for k, (p, t, c) in build(r).items() if isinstance(c, VegaChart)}


def to_bytes(fig: Chart, fmt: str) -> bytes:
    """A chart as ``png`` or ``svg`` bytes (a Vega-Lite chart through vl-convert)."""
    if isinstance(fig, VegaChart):
        return fig.to_bytes(fmt)
    buf = io.BytesIO()
    meta = {"Date": None} if fmt == "svg" else {"Software": None} if fmt == "png" else {}
    fig.savefig(buf, format=fmt, bbox_inches="tight", metadata=meta)
    return buf.getvalue()
