"""Findings, not hypotheses (issue 13, part 1): every evidence item says what was measured and which
way it points, in one sentence with units, and the reports show that sentence. The flagship's
numbers are recomputed here from the CSVs, not read back from hypecheck."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import hypecheck
from hypecheck.evidence import FINDING_SUFFIX, Evidence, finding_sentence

AS_OF = "2026-01-16"
SUFFIX_RE = re.compile(r" \((supports the narrative|against the narrative|neutral)\)$")
LEAN_OF = {"supports the narrative": "catalyst", "against the narrative": "viral", "neutral": "neutral"}


def close(shared: Path, ticker: str) -> pd.Series:
    df = pd.read_csv(shared / "prices" / "etf_daily" / f"{ticker}.csv")
    return df.set_index(pd.to_datetime(df["Date"], format="%Y-%m-%d"))["Close"].astype(float)


def ytd(s: pd.Series, as_of: str) -> float:
    t = pd.Timestamp(as_of)
    base = s.loc[s.index <= pd.Timestamp(year=t.year - 1, month=12, day=31)].iloc[-1]
    return float(s.loc[s.index <= t].iloc[-1] / base - 1)


def fred(shared: Path, sid: str) -> pd.Series:
    """The FRED download of ``sid`` that runs latest (the shared data hold several vintages)."""
    out = []
    for path in sorted(shared.rglob(f"{sid}.csv")):
        df = pd.read_csv(path)
        s = pd.to_numeric(df.iloc[:, 1], errors="coerce")
        out.append(pd.Series(s.to_numpy(), index=pd.to_datetime(df.iloc[:, 0])).dropna())
    return max(out, key=lambda s: s.index[-1])


@pytest.fixture(scope="module")
def flagship(shared_data: Path):
    return hypecheck.check("small-cap-rotation", data=shared_data, as_of=AS_OF, calibrate=False)


@pytest.fixture(scope="module")
def evidence(flagship) -> dict[str, dict]:
    return {e["id"]: e for e in flagship.to_dict()["evidence"]}


def test_every_item_has_one_finding_whose_suffix_is_its_leaning(evidence: dict[str, dict]) -> None:
    assert len(evidence) >= 30
    for eid, e in evidence.items():
        f = e["finding"]
        assert f and f != e["claim"], eid
        m = SUFFIX_RE.search(f)
        assert m, f"{eid}: {f!r} does not end in a direction suffix"
        assert LEAN_OF[m[1]] == e["leaning"], f"{eid}: {f!r} but leaning {e['leaning']}"
        # exactly one direction statement, no second one inside the sentence
        assert sum(f.count(s) for s in FINDING_SUFFIX.values()) == 1, eid
    keys = list(next(iter(evidence.values())))
    assert keys.index("finding") == keys.index("claim") + 1


def test_spread_findings_have_the_verb_and_number_of_the_value(evidence: dict[str, dict]) -> None:
    spreads = {k: e for k, e in evidence.items() if k.startswith(("lead:", "ewcw:"))}
    assert len(spreads) >= 5
    for eid, e in spreads.items():
        a, b = eid.split(":")[1].split("-")
        v = e["value"]
        verb = "led" if v > 0 else "trailed"
        assert f"{a} {verb} {b} by {abs(v) * 100:.2f} pp" in e["finding"], (eid, e["finding"])
        wrong = "trailed" if v > 0 else "led"
        assert f" {wrong} " not in e["finding"], eid
        # outside the noise band the spread's sign decides the leaning (broad leadership, the default)
        if abs(v) > e["threshold"]:
            assert e["leaning"] == ("catalyst" if v > 0 else "viral"), eid


def test_rsp_spy_reads_with_the_number_from_the_csvs(evidence: dict[str, dict], shared_data: Path) -> None:
    sp = ytd(close(shared_data, "RSP"), AS_OF) - ytd(close(shared_data, "SPY"), AS_OF)
    e = evidence["ewcw:RSP-SPY:YTD"]
    assert e["value"] == pytest.approx(sp, abs=1e-12)
    assert sp > 0.0025
    assert e["finding"].startswith(f"RSP led SPY by {sp * 100:.2f} pp this year")  # 2.48 pp
    assert e["finding"].endswith("(supports the narrative)")
    lead = evidence["lead:IWM-SPY:YTD"]
    iwm = ytd(close(shared_data, "IWM"), AS_OF) - ytd(close(shared_data, "SPY"), AS_OF)
    assert lead["finding"] == f"IWM led SPY by {iwm * 100:.2f} pp this year (supports the narrative)"


def test_macro_findings_say_rose_or_fell_in_pp(evidence: dict[str, dict], shared_data: Path) -> None:
    s = fred(shared_data, "DGS2")
    t = pd.Timestamp(AS_OF)
    change = float(s.loc[:t].iloc[-1] - s.loc[: t - pd.DateOffset(months=3)].iloc[-1])
    e = evidence["macro:DGS2"]
    assert e["value"] == pytest.approx(change, abs=1e-9) and change > 0.10
    assert e["finding"].startswith(f"2-year Treasury yield (DGS2) rose {change:.2f} pp over 3 months, to ")
    assert "the narrative needs flat or falling" in e["finding"]
    assert e["finding"].endswith("(against the narrative)")
    for eid, e in evidence.items():
        if eid.startswith("macro:"):
            word = "rose" if e["value"] > 0 else "fell"
            assert f" {word} {abs(e['value']):.2f} pp " in e["finding"], (eid, e["finding"])


def test_share_findings_count_k_of_n(evidence: dict[str, dict]) -> None:
    shares = {k: e for k, e in evidence.items() if e["unit"].startswith("share of") and not e["cited"]}
    assert {"sector-twins:YTD", "persist:IWM-SPY", "participation:50d", "ewcw-trend:RSP-SPY"} <= set(shares)
    for eid, e in shares.items():
        m = re.search(r"(\d+) of (?:the last )?(\d+)", e["finding"])
        assert m, eid
        assert int(m[1]) / int(m[2]) == pytest.approx(e["value"], abs=1e-9), (eid, e["finding"])
    assert (
        "equal weight led cap weight in 6 of 10 sectors this year" in evidence["sector-twins:YTD"]["finding"]
    )


def test_rrg_finding_names_the_quadrant_found() -> None:
    from hypecheck.pillars.price import _rrg_evidence

    panel = SimpleNamespace(provenance=[])
    row = {
        "ticker": "AVGO",
        "quadrant": "weakening",
        "rs_ratio": 101.2,
        "rs_momentum": 98.7,
        "heading": "south-east",
        "periods_in_quadrant": 2,
        "date": pd.Timestamp("2026-01-16"),
    }
    e = _rrg_evidence(panel, "SPY", row, 0.5)  # type: ignore[arg-type]
    assert e.leaning == "neutral" and "leading quadrant" in e.claim
    assert e.finding == (
        "AVGO is in the weakening quadrant of the weekly RRG against SPY "
        "(RS-Ratio 101.20 above 100, RS-Momentum 98.70 below 100) (neutral)"
    )


def test_phrasing_helpers() -> None:
    from hypecheck.pillars._common import level_text, spread_finding, spread_text, window_text

    assert window_text("YTD") == "this year" and window_text("3M") == "over 3 months"
    assert window_text("1M") == "over 1 month" and window_text("20D") == "over 20 days"
    assert spread_text("RSP", "SPY", -0.0277, "YTD") == "RSP trailed SPY by 2.77 pp this year"
    assert spread_text("IWM", "SPY", 0.0653, "3M") == "IWM led SPY by 6.53 pp over 3 months"
    assert spread_text("A", "B", 0.00001, "YTD") == "A was level with B this year"
    assert (
        spread_finding("A", "B", 0.001, "1M", "neutral", noise=0.0025)
        == "A led B by 0.10 pp over 1 month, within the ±0.25 pp noise band (neutral)"
    )
    assert (
        level_text("the 2-year yield", 0.18, "3M", unit="pp") == "the 2-year yield rose 0.18 pp over 3 months"
    )
    assert level_text("x", -0.5, None) == "x fell 0.50"
    assert finding_sentence("a thing happened.", "viral") == "a thing happened (against the narrative)"


def test_reports_and_dashboard_show_findings(flagship, tmp_path: Path) -> None:
    from hypecheck.report.html import render_html, strongest
    from hypecheck.report.markdown import render_markdown

    html = render_html(flagship, png={})
    viral = html.split("Strongest evidence for viral sentiment", 1)[1].split("</ul>", 1)[0]
    catalyst = html.split("Strongest evidence for a real catalyst", 1)[1].split("</ul>", 1)[0]
    top_v, top_c = strongest(flagship, "viral"), strongest(flagship, "catalyst")
    assert top_v and top_c
    from html import escape

    for e in top_v:
        assert escape(e.finding) in viral
    for e in top_c:
        assert escape(e.finding) in catalyst
    # the ledger shows the finding first, the claim as what was tested
    dgs2 = next(e for e in flagship.evidence if e.id == "macro:DGS2")
    assert escape(dgs2.finding) in html and f"tested: {escape(dgs2.claim)}" in html
    md = render_markdown(flagship)
    assert "| finding | value | threshold | leaning | would flip if | claim tested | source |" in md
    assert "2-year Treasury yield \\(DGS2\\) rose 0.18 pp over 3 months" in md
    assert "**Strongest evidence for viral sentiment:**" in md


def test_dashboard_evidence_table_leads_with_findings() -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from hypecheck.server import create_app

    r = hypecheck.check("small-cap-rotation", as_of="2016-12-31", calibrate=False)
    first = next(e for e in r.evidence if e.id.startswith("lead:"))
    page = TestClient(create_app(data=None)).get("/themes/small-cap-rotation?as_of=2016-12-31").text
    ev = page.split("<h2>Evidence</h2>", 1)[1]
    assert "<th>finding</th>" in ev and "<th>claim tested</th>" in ev
    from html import escape

    assert f"<td>{escape(first.finding)}" in ev


def test_evidence_default_finding_is_empty_and_serialised() -> None:
    e = Evidence("price", "x", "c", 0.1, 0.0, "catalyst", "f", "s")
    assert e.finding == "" and e.to_dict()["finding"] == ""


def test_terminal_check_lists_every_pillars_findings_one_line_each(tmp_path: Path) -> None:
    """`hypecheck check` (no --json, no --out) prints each pillar's findings under it, one line
    each, the same sentences as the report and the JSON (hand-built closes, no ../shared)."""
    import json
    import math

    from click.testing import CliRunner

    from hypecheck.cli import main

    data = tmp_path / "data"
    data.mkdir()
    days = pd.bdate_range("2023-01-02", periods=300)
    for t, drift in (("AAA", 0.0010), ("BBB", -0.0005), ("EQW", 0.0007), ("CAP", 0.0002)):
        closes = [round(100 * (1 + drift) ** k * (1 + 0.01 * math.sin(k)), 4) for k in range(len(days))]
        pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Close": closes}).to_csv(
            data / f"{t}.csv", index=False
        )
    theme = tmp_path / "t.toml"
    theme.write_text(
        'id = "t"\ntitle = "T"\nquestion = "Does AAA lead BBB?"\n'
        '[[price.pairs]]\nleader = "AAA"\nlaggard = "BBB"\n'
        '[[breadth.pairs]]\nequal = "EQW"\ncap = "CAP"\n'
    )
    args = ["check", str(theme), "--data", str(data), "--no-calibration", "--as-of", "2024-02-16"]
    doc = json.loads(CliRunner().invoke(main, [*args, "--json"]).stdout)
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    findings = [e["finding"] or e["claim"] for e in doc["evidence"]]
    assert len(findings) >= 4 and {e["pillar"] for e in doc["evidence"]} >= {"price", "breadth"}
    for f in findings:
        hits = [ln for ln in lines if ln.strip().removeprefix("- ") == f]
        assert len(hits) == 1, f"{f!r} not printed once as its own line:\n{res.stdout}"
    # under its own pillar's line, in the ledger's order
    order = [ln.strip().removeprefix("- ") for ln in lines if ln.strip().startswith("- ")]
    assert [x for x in order if x in findings] == findings
    price_at = next(i for i, ln in enumerate(lines) if ln.strip().startswith("Price"))
    breadth_at = next(i for i, ln in enumerate(lines) if ln.strip().startswith("Breadth"))
    first_price = next(i for i, ln in enumerate(lines) if ln.strip().removeprefix("- ") == findings[0])
    assert price_at < first_price < breadth_at
