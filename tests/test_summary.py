"""One :class:`~hypecheck.summary.Summary` for every result (issue 22 item 7): a check, the forward
record, a scan and the lab render text, HTML and ``_repr_html_`` from it. The text is what the
commands print (``summary()`` is ``to_summary().text()`` for all four; a hand-built scan pins the exact
text the scan's former renderer wrote); the numbers in it are the numbers of the result's JSON; every
user string is escaped in the HTML."""

from __future__ import annotations

import math
import re
import tomllib
from importlib import resources

import numpy as np
import pandas as pd
import pytest

import hypecheck
from conftest import hostile_scan
from hypecheck.pillar_registry import PILLARS
from hypecheck.record import score
from hypecheck.result import CheckResult
from hypecheck.summary import Section, Summary, Table
from hypecheck.theme import parse_theme
from test_record import _catalog, _row  # the record's hand-built catalog and forecast

NASTY = '<script>alert("x")</script>'


def _shows(line: str, x: float, places: int, scale: float = 1.0) -> bool:
    """``line`` shows ``x * scale`` to ``places`` decimals (the JSON rounds to 6 decimals, so a value
    on a rounding edge may print one unit apart: within half a unit plus the JSON's rounding)."""
    nums = [float(m) for m in re.findall(r"[+-]?\d+\.\d+", line)]
    return any(abs(v - x * scale) <= 0.5 * 10**-places + 1e-6 * scale for v in nums)


def _html_ok(html: str, raw: str) -> None:
    """``raw`` (user text with markup) appears only escaped."""
    assert raw not in html and "<script" not in html.lower()
    assert raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in html


def test_text_layout_by_hand() -> None:
    """The layout rules, on a summary small enough to write out: inline title, no-gap section with
    indent and details, a bullet list, a table with header and per-row details, notes last."""
    s = Summary(
        title="hypecheck thing",
        headline="2 found",
        sections=(
            Section(sentences=("first", "second"), details=((), ("under second",)), indent="  ", gap=False),
            Section(
                heading="Table:",
                table=Table(
                    columns=("name", "n"),
                    rows=(("a", "1"), ("bb", "22")),
                    row_format="  {0:<4}{1:>3}",
                    header_format="  {0:<4}{1:>3}",
                    details=(("why a",),),
                    detail_format="    - {}",
                ),
            ),
            Section(sentences=("one", "two"), indent="  ", bullet="- ", details=(("more",),)),
        ),
        notes=("skipped 1",),
        inline=True,
    )
    assert s.text() == "\n".join(
        [
            "hypecheck thing: 2 found",
            "  first",
            "  second",
            "  under second",
            "",
            "Table:",
            "  name  n",
            "  a     1",
            "    - why a",
            "  bb   22",
            "",
            "  - one",
            "    more",
            "  - two",
            "  skipped 1",
        ]
    )
    assert str(s) == s.text()
    apart = Summary(title="T", context=("as of X",), headline="H")
    assert apart.text() == "T\nas of X\nH"
    html = s.html()
    assert s._repr_html_() == html
    assert "<h3>hypecheck thing</h3>" in html and "<strong>2 found</strong>" in html
    assert "<th>name</th><th>n</th>" in html and "<td>bb</td><td>22</td>" in html
    assert "<li>one<br>more</li><li>two</li>" in html and "<small>skipped 1</small>" in html


def test_html_escapes_every_part() -> None:
    s = Summary(
        title=NASTY,
        context=(NASTY,),
        headline=NASTY,
        sections=(
            Section(
                heading=NASTY,
                sentences=(NASTY,),
                details=((NASTY,),),
                table=Table(columns=(NASTY,), rows=((NASTY,),), row_format="{0}", details=((NASTY,),)),
            ),
        ),
        notes=(NASTY,),
    )
    html = s.html()
    _html_ok(html, NASTY)
    assert html.count("&lt;script&gt;") == 10  # all ten places (the table's header too)
    assert s.text().count(NASTY) == 9  # plain text, no header line (the CLI escapes controls)


# --- the check ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flagship() -> CheckResult:
    return hypecheck.check("small-cap-rotation")


def test_check_summary_states_the_verdict_first_and_the_json_numbers(flagship: CheckResult) -> None:
    r, d = flagship, flagship.to_dict()
    s = r.to_summary()
    text = s.text()
    assert text == r.summary() == str(r)
    lines = text.splitlines()
    assert lines[0] == f"{d['title']}  [{d['theme']}]" and lines[1].startswith(f"as of {d['as_of']}  data: ")
    assert lines[2] == s.headline == f"VERDICT: {d['verdict']['label'].upper()}"
    c = d["calibration"]
    lo, hi = c["interval"]
    assert f"{c['probability']:.0%} probability that" in text and f"interval {lo:.0%}-{hi:.0%}" in text
    assert f"base rate of {c['base_rate']:.0%}" in text
    for name, p in d["pillars"].items():
        row = next(x for x in lines if x.startswith(f"  {PILLARS.title(name):<20} {p['status']:<8} "))
        assert ("  n/a" if p["score"] is None else f"{p['score']:+.2f}") in row and p["reason"] in row
    for e in d["evidence"]:
        assert f"      - {e['finding'] or e['claim']}" in lines
    for e in c["ledger"]:
        assert f"contribution {100 * e['contribution_p']:+.1f} pp" in text
    assert f"What would flip it: {d['verdict']['flip']}" in lines
    assert r._repr_html_() == s.html() == s._repr_html_()


def test_check_html_escapes_the_theme_text() -> None:
    d = tomllib.loads(
        (resources.files("hypecheck") / "themes" / "small-cap-rotation.toml").read_text("utf-8")
    )
    d["title"] = NASTY
    r = hypecheck.check(parse_theme(d), calibrate=False)
    html = r._repr_html_()
    _html_ok(html, NASTY)
    assert r.to_summary().text().startswith(f"{NASTY}  [")


def test_check_without_the_model_says_so(flagship: CheckResult) -> None:
    r = hypecheck.check("small-cap-rotation", calibrate=False)
    text = r.to_summary().text()
    assert text.splitlines()[2] == "VERDICT: INSUFFICIENT DATA"
    assert text.splitlines()[3] == r.verdict.flip  # no model headline: the flip sentence says why
    assert "ledger (weight" not in text and "ledger (weight" in flagship.summary()


# --- the forward record ------------------------------------------------------------------------------


def test_record_summary_has_the_json_numbers_and_escapes() -> None:
    idx = pd.bdate_range("2020-01-01", "2020-12-31")
    rng = np.random.default_rng(4)
    a = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx)))), index=idx)
    b = pd.Series(50 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx)))), index=idx)
    fc = pd.DataFrame(
        [
            _row(leader=NASTY),
            _row(
                id="f2", as_of=pd.Timestamp("2020-11-02").date(), data_end=pd.Timestamp("2020-12-31").date()
            ),
            _row(
                id="f3",
                made_on=pd.Timestamp("2021-03-05"),
                as_of=pd.Timestamp("2020-03-02").date(),
                data_end=pd.Timestamp("2020-12-31").date(),
            ),
        ]
    )
    res = score(fc, _catalog(a, b))
    d, s = res.to_dict(), res.to_summary()
    text = s.text()
    assert text == res.summary() == str(res)
    sm = d["summary"]
    assert text.splitlines()[0] == (
        f"hypecheck record: {sm['n']} forecasts, {sm['scored']} scored, {sm['pending']} pending "
        "(horizon not passed in the data)"
    )
    for part in ("live", "replayed"):
        p = sm[part]
        assert f"  {part}: {p['scored']} scored of {p['n']}: the range held {p['inside']} times" in text
        assert f"({p['coverage']:.0%} against the {p['level']:.0%} promised)" in text
        assert f"Brier {p['brier_rw']:.3f}" in text and f"panel model Brier {p['brier_model']:.3f}" in text
    assert "    (replayed: made after the data already ran past their as-of date)" in text
    for f in d["forecasts"]:
        line = next(x for x in text.splitlines() if x.startswith(f"  {f['made_on'][:10]} {f['leader']} vs"))
        if f["realised"] is None:
            assert line.endswith(": pending")
        else:
            assert f"realised {100 * math.expm1(f['realised']):+.1f}%" in line
            assert ("inside" if f["inside"] else "outside") in line
    assert res._repr_html_() == s.html()
    _html_ok(s.html(), NASTY)


# --- the scan ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_scan_summary_is_the_printed_text_with_the_json_numbers(bundled_catalog: object) -> None:
    from hypecheck.scan.core import scan

    res = scan(bundled_catalog, None)  # type: ignore[arg-type]
    d, s = res.to_dict(), res.to_summary()
    text = s.text()
    assert text == res.summary() == str(res)  # what `hypecheck scan` prints
    assert len(d["narratives"]) > 3
    assert text.startswith(
        f"hypecheck scan as of {d['as_of']}: {len(d['narratives'])} live narratives among "
        f"{d['universe']['pairs_scanned']} pairs of the {d['universe']['name']} universe"
    )
    assert f"fitted on {d['model']['n_fit']:,} past narratives" in text
    assert f"(base rate {d['model']['base_rate']:.0%})" in text
    rows = text.split("\n\n")[1].splitlines()[1:]  # the table, after its header
    assert len(rows) == len(d["narratives"])
    for row, n in zip(rows, d["narratives"], strict=True):
        cells = row.split()
        assert cells[:3] == [n["leader"], n["laggard"], n["born"]]
        assert _shows(row, n["sharpness"], 1) and _shows(row, n["move"], 1, 100)
        pct = [int(m) for m in re.findall(r"\b(\d+)%", row)]
        assert n["p"] is None or any(abs(v - 100 * n["p"]) <= 0.5 + 1e-4 for v in pct)
    assert res._repr_html_() == s.html()


SCAN_TEXT = (  # the former ScanResult.summary() renderer's text for hostile_scan("<X>", skipped=[...])
    "hypecheck scan as of 2024-01-05: 1 live narratives among 1 pairs of the <X> universe (born in the "
    "last 12 months, some of the move still kept; 0 more born then have given their move back and are "
    "not listed as leads); ranked by |sharpness|\n"
    "  The panel model has no out-of-sample record yet (too few past narratives with known outcomes).\n"
    "  probabilities: 6-month persistence, panel model of the m panel fitted on 100 past narratives with "
    "outcomes known by then (base rate 50%)\n"
    "\n"
    "  leader   laggard  born        age    sd    move  fade test                    p    80% range "
    "p persist  label           \n"
    "  <X>      B&B      2024-01-02    3  +2.5   +5.0%  insufficient data                                 "
    "60%  mixed           \n"
    "\n"
    "  - <X>'s lead over B&B; over the last 15 trading days <X> led B&B by 5.0% (+2.5 sd), 1.0% ahead "
    "since the birth, 3 trading days ago; panel model: 60% probability the lead persists 6 months (95% "
    "interval 50%-70%, base rate 50%): mixed.\n"
    "  1 pairs or member files skipped or repaired: <X>.csv: 2 rows rejected"
)


def test_scan_text_is_the_former_renderers_byte_for_byte() -> None:
    """ScanResult.summary() was its own renderer beside summary.of_scan; it now is of_scan's text. On a
    hand-built scan the text is the one the old renderer wrote (captured before it was removed)."""
    res = hostile_scan("<X>", skipped=["<X>.csv: 2 rows rejected"])
    assert res.summary() == SCAN_TEXT


def test_scan_html_escapes_the_universe_and_names() -> None:
    res = hostile_scan(NASTY, skipped=[f"{NASTY}.csv: 2 rows rejected"])
    s = res.to_summary()
    assert s.notes == (f"1 pairs or member files skipped or repaired: {NASTY}.csv: 2 rows rejected",)
    _html_ok(s.html(), NASTY)
    assert "B&amp;B" in s.html() and res._repr_html_() == s.html()


# --- the lab -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_lab_summary_is_the_printed_text_with_the_json_numbers() -> None:
    from hypecheck.lab.run import run_lab

    res = run_lab(None)
    d, s = res.to_dict(), res.to_summary()
    text = s.text()
    assert text == res.summary() == str(res)  # what `hypecheck lab` prints
    assert text.splitlines()[0] == f"hypecheck lab: {d['horizon'][:-1]}-month persistence of past narratives"
    for h in d["histories"]:
        head = f"{h['name']}: {h['episodes']:,} episodes ({h['description']}); {h['base_rate']:.1%} persisted"
        assert head in text
        sec = text.split(head, 1)[1].split("\n\n", 1)[0].splitlines()
        for sk in [*h["skill"], h["holdout"]]:
            name = "holdout verdict" if sk is h["holdout"] else sk["name"]
            row = next(x for x in sec if re.match(rf"  {re.escape(name)}\s+{sk['kind']}\s", x))
            assert (
                _shows(row, sk["auc"], 3) and _shows(row, sk["brier"], 4) and _shows(row, sk["bss_base"], 4)
            )
        assert h["skill_sentence"] in text
    html = s.html()
    assert res._repr_html_() == html and html.count("<table>") == len(d["histories"])
