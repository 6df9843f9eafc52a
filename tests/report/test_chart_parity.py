"""Every chart is one Vega-Lite spec (issue 24 item 5): the report renders the very charts the
dashboard draws interactive, each spec carries the pillar's chart data unchanged (read here straight
from the ``PillarResult``, not through the spec code), every spec is valid Vega-Lite, the static
renderings are the same bytes every time, and nothing of the report imports matplotlib."""

from __future__ import annotations

import io
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import hypecheck
from hypecheck.report import charts, write_report

vl_convert = pytest.importorskip("vl_convert")
AS_OF = "2026-01-16"


@pytest.fixture(scope="module")
def flagship(shared_data: Path) -> Any:
    return hypecheck.check("small-cap-rotation", data=shared_data, as_of=AS_OF)


def _values(spec: Any) -> list[dict[str, Any]]:
    """Every inline data row anywhere in a spec (top level, layers, concatenated panels)."""
    out: list[dict[str, Any]] = []
    if isinstance(spec, dict):
        data = spec.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            out += [v for v in data["values"] if isinstance(v, dict)]
        for k, v in spec.items():
            if k != "data":
                out += _values(v)
    elif isinstance(spec, list):
        for v in spec:
            out += _values(v)
    return out


def _numbers(spec: dict[str, Any]) -> list[float]:
    return [v for row in _values(spec) for v in row.values() if isinstance(v, float | int)]


def _has(numbers: list[float], x: float) -> bool:
    return any(math.isclose(x, n, rel_tol=1e-9, abs_tol=1e-9) for n in numbers)


def test_report_renders_the_charts_the_dashboard_draws(
    flagship: Any, shared_data: Path, tmp_path: Path
) -> None:
    """The set of charts in the report (PNG and SVG files, HTML images, Markdown references) equals
    the set the dashboard's theme page draws as interactive Vega-Lite figures, for the flagship."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from hypecheck.server import create_app

    page = TestClient(create_app(data=shared_data)).get(f"/themes/small-cap-rotation?as_of={AS_OF}")
    assert page.status_code == 200
    interactive = set(re.findall(r'<figure class="vl" id="chart-([^"]+)"', page.text))
    images = re.findall(r'<img class="chart"[^>]*src="/api/themes', page.text)
    assert images == []  # no chart left as a server-drawn picture only

    out = write_report(flagship, tmp_path)
    pngs = {p.stem for p in (tmp_path / "charts").glob("*.png")}
    svgs = {p.stem for p in (tmp_path / "charts").glob("*.svg")}
    md = set(re.findall(r"\]\(charts/([^)]+)\.png\)", out["markdown"].read_text("utf-8")))
    html = out["html"].read_text("utf-8")
    assert html.count('<img class="chart"') == len(pngs)
    # the flagship on the shared data measures every pillar: all eleven pillar charts and both RRGs
    expected = {"rs_lines", "rrg_SPY", "rrg_IWB", "style_box", "sectors", "ew_cw", "ew_cw_spread"}
    expected |= {"participation", "attention", "macro", "event_study", "fundamentals", "burden", "hindsight"}
    assert expected <= interactive
    assert pngs == svgs == md == interactive


def test_moved_charts_carry_the_pillar_chart_data(flagship: Any) -> None:
    """Each chart that moved from matplotlib holds the numbers of its chart data: read from the
    PillarResult (in the unit the chart shows: percent for returns) and found among the spec's rows."""
    specs = charts.specs(flagship)
    p = flagship.pillars
    expect: dict[str, list[float]] = {
        "sectors": [100 * x["return"] for x in p["price"].charts["sectors"]["rows"]],
        "style_box": [
            c["return"]
            for row in p["price"].charts["style_box"]["rows"]
            for c in row.values()
            if isinstance(c, dict)
        ],
        "ew_cw": [v for pts in p["breadth"].charts["ew_cw"].values() for v in pts["values"]],
        "participation": p["breadth"].charts["participation"]["pct_above_50d"]["values"]
        + p["breadth"].charts["participation"]["pct_above_200d"]["values"],
        "macro": [v for pts in p["catalysts"].charts["macro"].values() for v in pts["values"]],
        "fundamentals": [
            v for pts in p["fundamentals"].charts["fundamentals"].values() for v in pts["values"]
        ],
        "attention": [v for d in p["attention"].charts["terms"].values() for v in d["series"]["values"]],
        "burden": [100 * s["required_rest"] for s in p["structure"].charts["burden"]["scenarios"]]
        + [
            100 * p["structure"].charts["burden"]["history_median"],
            100 * p["structure"].charts["burden"]["history_p80"],
        ],
        "hindsight": [v for pts in flagship.hindsight["rs"].values() for v in pts["values"]],
    }
    es = p["catalysts"].charts["event_study"]
    pre, post = es["windows"][0], es["windows"][-1]
    expect["event_study"] = [100 * r[w] for r in es["rows"] for w in (pre, post) if r.get(w) is not None]
    for name, want in expect.items():
        finite = [float(x) for x in want if x is not None and math.isfinite(x)]
        assert len(finite) >= 4, name  # the flagship has data for this chart
        have = _numbers(specs[name][2])
        missing = [x for x in finite if not _has(have, x)]
        assert missing == [], (name, missing[:5])
    # dates travel as the pillar wrote them (YYYY-MM-DD), each one a row of the macro chart
    macro_dates = {row.get("date") for row in _values(specs["macro"][2])}
    for pts in p["catalysts"].charts["macro"].values():
        assert set(pts["dates"]) <= macro_dates
    # the events drawn on the macro panels are the pillar's events within the panels' span
    events = {(e["date"], e["label"]) for e in p["catalysts"].charts["events"]}
    drawn = {(r["date"], r["event"]) for r in _values(specs["macro"][2]) if "event" in r}
    assert drawn and drawn <= events


def test_every_spec_is_valid_and_renders_the_same_bytes(flagship: Any) -> None:
    pytest.importorskip("altair")
    import jsonschema
    from altair.vegalite.v6.schema import load_schema

    v = jsonschema.Draft7Validator(load_schema())
    built = charts.build(flagship)
    for name, (_p, _t, chart) in built.items():
        assert [e.message[:200] for e in v.iter_errors(chart.spec)] == [], name
        json.dumps(chart.spec, allow_nan=False)  # no NaN reaches a spec
    from hypecheck.report.spec import _render_svg

    first = {
        name: built[name][2].to_bytes("svg") for name in ("style_box", "event_study", "attention", "burden")
    }
    _render_svg.cache_clear()  # render afresh: Vega's id counters (clip paths, legend gradients) moved on
    for name, svg in first.items():
        again = charts.build(flagship)[name][2]
        assert again.to_bytes("svg") == svg, name
        assert again.to_bytes("png") == again.to_bytes("png")
    assert b"gradient_1" in first["style_box"]  # the colour legend's gradient, renumbered from 1


def test_event_study_labels_whole_and_legend_below() -> None:
    """Event labels were cut at 28 characters and the legend sat on a bar: each label is shown
    whole (wrapped on several lines, every word kept) and the legend sits below the panels."""
    from types import SimpleNamespace

    label = "One Big Beautiful Bill Act signed (fiscal stimulus) after a long night"
    rows = [
        {"spread": s, "date": d, "event": e, "pre": a, "post": b}
        for s in ("IWM - SPY", "RSP - SPY")
        for d, e, a, b in (
            ("2025-07-04", label, 0.02, -0.03),
            ("2025-09-17", "FOMC cuts 25 bp", 0.03, 0.036),
            ("2025-12-10", "FOMC cuts 25 bp", 0.036, None),
        )
    ]
    cat = SimpleNamespace(charts={"event_study": {"windows": ["pre", "post"], "rows": rows}})
    chart = charts.event_study(SimpleNamespace(pillars={"catalysts": cat}))  # type: ignore[arg-type]
    assert chart is not None
    vals = _values(chart.spec)
    assert len(vals) == 10  # 12 bars less the two missing values (not drawn as 0)
    assert sorted(100 * x for r in rows for x in (r["pre"], r["post"]) if x is not None) == sorted(
        r["pp"] for r in vals
    )
    svg = chart.to_bytes("svg").decode("utf-8")
    shown = [
        " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", t))
        for t in re.findall(r"<text[^>]*>((?:<tspan[^>]*>[^<]*</tspan>)+)</text>", svg)
    ]
    assert f"2025-07-04 {label}" in shown
    # the legend (its labels) is drawn below every bar: compare the y of the legend group and bars
    ys = [float(y) for y in re.findall(r'role-legend".*?translate\([\d.]+,([\d.]+)\)', svg, flags=re.S)[:1]]
    bars = [float(m[1]) + float(m[2]) for m in re.finditer(r'd="M[\d.-]+,([\d.-]+)h[\d.-]+v([\d.-]+)h', svg)]
    assert ys and bars and ys[0] > max(bars)
    from PIL import Image

    png = Image.open(io.BytesIO(chart.to_bytes("png")))
    assert png.width > 600 and png.height > 300


def test_no_matplotlib_in_the_reports() -> None:
    """Writing the report draws no chart with matplotlib: no module of hypecheck.report imports it
    (the check path imports none either)."""
    src = Path(charts.__file__).parent
    offenders = [
        p.name for p in src.glob("*.py") if re.search(r"^\s*(import|from) matplotlib", p.read_text(), re.M)
    ]
    assert offenders == []
    code = (
        "import sys, hypecheck; from hypecheck.report import charts, write_report; "
        "r = hypecheck.check('small-cap-rotation', calibrate=False); charts.specs(r); "
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
