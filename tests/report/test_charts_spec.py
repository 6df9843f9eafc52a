"""One chart specification (Vega-Lite) for the rotation graph and the spread chart: valid against the
Vega-Lite schema, faithful to the result's chart data, rendered static (SVG/PNG, same bytes every
time) into a report that stays one self-contained file."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hypecheck.analytics.rrg import quadrant
from hypecheck.report import charts
from hypecheck.report.spec import VegaChart, rrg_spec, sparkline_svg, spread_spec
from synthetic_prices import AS_OF, write_prices

vl_convert = pytest.importorskip("vl_convert")


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import hypecheck
    from hypecheck.api import load_catalog

    data = write_prices(tmp_path_factory.mktemp("prices"))
    return hypecheck.check("small-cap-rotation", as_of=AS_OF, catalog=load_catalog(data), calibrate=False)


def _validator() -> Any:
    pytest.importorskip("altair")
    import jsonschema
    from altair.vegalite.v6.schema import load_schema

    return jsonschema.Draft7Validator(load_schema())


def test_specs_are_valid_vega_lite(result: Any) -> None:
    specs = charts.specs(result)
    assert {"rs_lines", "rrg_SPY", "rrg_IWB"} <= set(specs)
    v = _validator()
    for name, (_pillar, _title, spec) in specs.items():
        errors = [e.message[:200] for e in v.iter_errors(spec)]
        assert errors == [], name
    # an invalid spec is caught by the same validator (the check can fail)
    assert list(v.iter_errors({"mark": "no-such-mark", "data": {"values": []}}))


def test_rrg_spec_holds_the_chart_data(result: Any) -> None:
    data = result.pillars["price"].charts["rrg"]["SPY"]
    spec = rrg_spec(data, "SPY")
    assert spec is not None
    rows = spec["data"]["values"]
    dates = sorted({d for s in data["series"].values() for d in s["dates"]})
    params = {p["name"]: p for p in spec["params"]}
    assert params["dates"]["value"] == dates
    assert params["week"]["value"] == len(dates) - 1  # static view and initial slider: the last date
    assert params["week"]["bind"]["max"] == len(dates) - 1 and params["week"]["bind"]["min"] == 0
    n = 0
    for name, s in data["series"].items():
        mine = [r for r in rows if r["name"] == name]
        assert [r["date"] for r in mine] == s["dates"]
        assert [r["x"] for r in mine] == s["ratio"] and [r["y"] for r in mine] == s["momentum"]
        assert [r["quadrant"] for r in mine] == list(quadrant(np.array(s["ratio"]), np.array(s["momentum"])))
        assert [dates[r["i"]] for r in mine] == s["dates"]
        assert mine[-1]["quadrant"] == s["quadrant"]  # the pillar's quadrant of the last point
        n += len(mine)
    assert n == len(rows)
    # both axes share one domain, symmetric around 100, holding every point
    lo, hi = spec["layer"][-1]["encoding"]["x"]["scale"]["domain"]
    assert spec["layer"][-1]["encoding"]["y"]["scale"]["domain"] == [lo, hi]
    assert abs((lo + hi) / 2 - 100) < 1e-6
    assert all(lo < r["x"] < hi and lo < r["y"] < hi for r in rows)
    # the tail window: the last `tail` points up to the slider's date
    assert f"datum.i > week - {data['tail']}" in spec["layer"][-1]["transform"][0]["filter"]


def test_spread_spec_holds_the_lines(result: Any) -> None:
    lines = result.pillars["price"].charts["rs_lines"]
    spec = spread_spec(lines, "t")
    assert spec is not None
    rows = spec["data"]["values"]
    for label, pts in lines.items():
        mine = [r for r in rows if r["series"] == label]
        assert [r["date"] for r in mine] == pts["dates"] and [r["value"] for r in mine] == pts["values"]
    assert spread_spec({}, "t") is None
    assert spread_spec({"a": {"dates": ["2020-01-01"], "values": [float("nan")]}}, "t") is None


def test_static_rendering_is_deterministic_and_shows_the_series(result: Any) -> None:
    from PIL import Image

    chart = charts.build(result)["rrg_SPY"][2]
    assert isinstance(chart, VegaChart)
    svg = chart.to_bytes("svg")
    charts.to_bytes(charts.build(result)["rs_lines"][2], "svg")  # another rendering in between
    assert chart.to_bytes("svg") == svg  # same bytes (clip-path ids renumbered)
    text = svg.decode()
    for name in result.pillars["price"].charts["rrg"]["SPY"]["series"]:
        assert f">{name}</text>" in text
    assert "to 2026-01-16" in text  # the title names the last date: the static view
    png = chart.to_bytes("png")
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) / 255
    assert img.shape[0] > 400 and abs(img.shape[0] / img.shape[1] - 1) < 0.3  # a square-ish plot
    gray = img[..., :3].mean(axis=2)
    assert float(gray.std()) > 0.05 and float((gray < 0.5).mean()) > 0.002
    with pytest.raises(ValueError, match="svg"):
        chart.to_bytes("gif")


def test_report_is_one_self_contained_file_with_the_charts(result: Any, tmp_path: Path) -> None:
    from hypecheck.report import write_report

    out = write_report(result, tmp_path / "r")
    html = out["html"].read_text("utf-8")
    refs = re.findall(r"""\b(?:src|href|xlink:href|action)\s*=\s*["']?([^"'\s>]+)""", html, flags=re.I)
    assert refs and all(r.startswith(("data:", "#")) for r in refs), [
        r[:60] for r in refs if not r.startswith("data:")
    ]
    assert not re.search(r"url\(\s*['\"]?https?:", html)
    assert "<script" not in html.lower() and "@import" not in html
    assert 'alt="Relative Rotation Graph vs SPY"' in html and 'alt="Relative-strength lines"' in html
    md = out["markdown"].read_text("utf-8")
    for name in ("rrg_SPY", "rrg_IWB", "rs_lines"):
        assert f"charts/{name}.png" in md
        assert (tmp_path / "r" / "charts" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (tmp_path / "r" / "charts" / f"{name}.svg").read_text("utf-8").startswith("<svg")


def test_sparkline() -> None:
    values = [1.0, 1.02, 0.99, 1.05]
    svg = sparkline_svg(values, width=100, height=20, title="<b>A</b> & B")
    pts = re.search(r'points="([^"]+)"', svg)
    assert pts is not None
    xy = [tuple(map(float, p.split(","))) for p in pts[1].split()]
    assert len(xy) == 4 and xy[0][0] == 2 and xy[-1][0] == 98  # spread over the width, 2 px padding
    assert min(xy, key=lambda p: p[1]) == xy[3] and max(xy, key=lambda p: p[1]) == xy[2]  # up is higher
    assert "#2e8b57" in svg  # ended above its start: the leader gained
    assert "&lt;b&gt;A&lt;/b&gt; &amp; B" in svg and "<b>" not in svg
    assert "#b03a48" in sparkline_svg([1.0, 0.9])
    assert sparkline_svg([1.0]) == "" and sparkline_svg([1.0, float("nan")]) == ""


# ------------------------------------------------------------------ issue 23: colours, dates, labels
def test_a_pillar_keeps_its_colour_whichever_pillars_a_chart_shows() -> None:
    """The ledger chart coloured pillars by their position among the pillars present, so a pillar's
    colour changed from theme to theme, and its legend swatches were all one blue: each pillar now
    has one fixed colour, in the bars' scale and so in the legend; the lab page agrees."""
    from hypecheck.report.labpage import PILLAR_COLORS as LAB_COLORS
    from hypecheck.report.spec import PILLAR_COLORS, ledger_spec

    assert len(set(PILLAR_COLORS.values())) == len(PILLAR_COLORS)  # one colour per pillar
    assert {k: PILLAR_COLORS[k] for k in LAB_COLORS} == LAB_COLORS
    rows = [
        {"feature": "sharpness", "pillar": "price", "contribution_p": 0.02},
        {"feature": "vix", "pillar": "catalysts", "contribution_p": -0.01},
        {"feature": "attention", "pillar": "attention", "contribution_p": 0.005},
        {"feature": "participation", "pillar": "breadth", "contribution_p": 0.003},
    ]
    for subset in (rows, rows[:2], rows[1:], [rows[1], rows[3]]):
        spec = ledger_spec(subset, "t")
        assert spec is not None
        scale = spec["layer"][0]["encoding"]["color"]["scale"]
        assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
            r["pillar"]: PILLAR_COLORS[r["pillar"]] for r in subset
        }
    assert not list(_validator().iter_errors(ledger_spec(rows, "t")))
    png = VegaChart(ledger_spec(rows, "t")).to_bytes("png")  # type: ignore[arg-type]
    assert png.startswith(b"\x89PNG")


def test_spread_tooltips_format_dates_as_dates(result: Any) -> None:
    """Every date in a spread chart's tooltips is the temporal field formatted YYYY-MM-DD in UTC (a
    nominal date field showed "1751846400000", and "undefined" on the hover rule)."""
    for name in ("rs_lines", "ew_cw_spread"):
        spec = charts.specs(result)[name][2]
        tips = [t for layer in spec["layer"] for t in layer.get("encoding", {}).get("tooltip", [])]
        dated = [t for t in tips if t["field"] == "date"]
        assert len(dated) == 2
        for t in dated:
            assert (
                t["type"] == "temporal" and t["timeUnit"] == "utcyearmonthdate" and t["format"] == "%Y-%m-%d"
            )


def test_breadth_trigger_reads_as_a_sentence() -> None:
    from hypecheck.triggers import breadth_sentence

    assert (
        breadth_sentence("pct_above_50d", 100.0, 11, "2026-01-16", 50)
        == "100% of the 11 members closed above their 50-day average on 2026-01-16 (fires below 50%)"
    )
    assert breadth_sentence("new_lows", 3, 11, "2026-01-16", 5).startswith(
        "3 of the 11 members closed at a 52-week low"
    )
    assert "McClellan oscillator" in breadth_sentence("mcclellan", -12.3, 11, "2026-01-16", 0)
