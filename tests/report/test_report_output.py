"""Reports: files written, self-contained, deterministic, JSON identical to the result, user text
escaped everywhere (RELIABILITY.md cases 31-35)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

import hypecheck
from hypecheck.report import write_report
from hypecheck.theme import parse_theme

FLAGSHIP = Path(__file__).resolve().parents[2] / "src" / "hypecheck" / "themes" / "small-cap-rotation.toml"
NASTY_TITLE = "<script>alert(1)</script>"
NASTY_TERMS = [
    '"><img src=x onerror=alert(1)>',
    'Tom & Jerry\'s "fund"',
    "</script><script>alert(1)</script>",
    "$\\href{javascript:alert(1)}{x}$",
    "日本株 🚀",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[object, Path, dict]:
    r = hypecheck.check("small-cap-rotation")
    out = tmp_path_factory.mktemp("demo")
    return r, out, write_report(r, out)


def test_files_and_charts_written(demo) -> None:
    _r, out, _written = demo
    for name in ("report.html", "report.md", "verdict.json"):
        assert (out / name).stat().st_size > 1000
    pngs = sorted(p.stem for p in (out / "charts").glob("*.png"))
    svgs = sorted(p.stem for p in (out / "charts").glob("*.svg"))
    assert pngs == svgs and {"rs_lines", "style_box", "sectors", "burden"} <= set(pngs)
    assert (out / "report.html").stat().st_mode & 0o044  # readable by others, not mkstemp's 0600
    assert not list(out.rglob("*.tmp"))


def test_json_equals_result(demo) -> None:
    r, out, _ = demo
    assert json.loads((out / "verdict.json").read_text("utf-8")) == r.to_dict()


def test_html_is_self_contained(demo) -> None:
    _, out, _ = demo
    html = (out / "report.html").read_text("utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert "<link" not in html.lower()
    assert "default-src 'none'" in html  # the CSP forbids any request even if markup slipped in
    assert html.count('src="data:image/png;base64,') >= 4


def test_verdict_and_sample_badge_shown(demo) -> None:
    r, out, _ = demo
    html = (out / "report.html").read_text("utf-8")
    md = (out / "report.md").read_text("utf-8")
    assert r.verdict.label in html and r.verdict.label.upper() in md
    assert "SAMPLE DATA" in html and "SAMPLE DATA" in md
    # a missing pillar shows its reason and how to supply the data
    assert "no search data for &#39;small cap&#39;" in html
    for name in ("rs_lines", "style_box"):
        assert f"charts/{name}.png" in md


def test_deterministic_bytes(demo, tmp_path: Path) -> None:
    r, out, _ = demo
    write_report(r, tmp_path)
    for f in ("report.html", "report.md", "verdict.json", "charts/rs_lines.svg", "charts/rs_lines.png"):
        assert (tmp_path / f).read_bytes() == (out / f).read_bytes(), f


def test_user_text_is_escaped(tmp_path: Path) -> None:
    d = tomllib.loads(FLAGSHIP.read_text("utf-8"))
    d["title"] = NASTY_TITLE
    d["question"] = "Is <b>this</b> & that real?"
    d["attention"]["terms"] = NASTY_TERMS
    d["triggers"][0]["params"]["terms"] = NASTY_TERMS[:2]  # a trigger reads only the theme's own terms
    d["mapping"]["bundled"]["series"]["nope"] = "x"
    r = hypecheck.check(parse_theme(d))
    write_report(r, tmp_path)
    html = (tmp_path / "report.html").read_text("utf-8")
    md = (tmp_path / "report.md").read_text("utf-8")
    for raw in [NASTY_TITLE, "<b>this</b>", *NASTY_TERMS[:3]]:
        assert raw not in html, raw
        assert raw not in md, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower() and "<img src=x" not in html
    assert "日本株 🚀" in html  # unicode round-trips unchanged
    summary = r._repr_html_()
    assert NASTY_TITLE not in summary and "&lt;script&gt;" in summary


def test_flagship_report_on_shared_data(shared_data: Path, tmp_path: Path) -> None:
    r = hypecheck.check("small-cap-rotation", data=shared_data, as_of="2026-01-16")
    write_report(r, tmp_path)
    html = (tmp_path / "report.html").read_text("utf-8")
    assert "SAMPLE DATA" not in html
    for chart in ("attention", "ew_cw", "macro", "rs_lines", "burden"):
        assert (tmp_path / "charts" / f"{chart}.png").exists(), chart
    assert "One Big Beautiful Bill Act" in html  # events table
    assert "2026-01-28" in html  # the January FOMC, after the as-of date: shown as upcoming, not used


def test_notebook_rich_html_and_chart_objects() -> None:
    import hypecheck

    r = hypecheck.check("small-cap-rotation")
    assert r.verdict.label.upper() in r.verdict._repr_html_().upper()
    html = r.pillars["price"]._repr_html_()
    assert "Price confirmation" in html and "S&amp;P 500" in html  # escaped
    from hypecheck.report.spec import VegaChart

    figs = r.charts()
    assert figs and all(isinstance(f, VegaChart) for f in figs.values())  # every chart one spec
    assert isinstance(figs["rs_lines"], VegaChart)  # one spec: interactive in the dashboard, PNG/SVG here
    assert figs["rs_lines"]._repr_mimebundle_()["image/svg+xml"].startswith("<svg")
