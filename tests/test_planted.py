"""Tests that notice the one-line bugs of issue 15, point 10, without ``../shared/data``.

Each test is hand-worked or generated and sits exactly on the boundary a planted bug moves:

* the breadth kernel's 200-day comparison (``>`` -> ``>=``): constant closes equal their average;
* the tally's cut-offs (``>=`` -> ``>``): a score exactly at ``catalyst_above`` / ``viral_below``;
* the stale-series rule: a daily series 44 days old must be missing, not used;
* the structure thresholds: required returns placed between, below, above and on the percentiles;
* the as-of cuts (``<=`` -> ``<``) of ``window_return``, ``cut_known``, ``SeriesData.cut`` and the
  lab's ``evaluate_at``: closes and episodes dated exactly on the as-of / window-start date;

and the README's quick-start figures are regenerated from the bundled data (the demo's first lines).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hypecheck.analytics.breadth import breadth, breadth_pandas
from hypecheck.analytics.returns import window_return
from hypecheck.evidence import Evidence, PillarResult
from hypecheck.known import cut_known
from hypecheck.panel import build_panel
from hypecheck.rules import load_rules
from hypecheck.schema import Catalog, SeriesData, SeriesMeta
from hypecheck.theme import load_theme
from hypecheck.verdict import decide, label_for

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules()


# ------------------------------------------------------------------------------------------ helpers
def series(id: str, values: pd.Series, frequency: str = "D", kind: str = "price") -> SeriesData:
    meta = SeriesMeta(id=id, kind=kind, source="test", origin=f"hand-built {id}", frequency=frequency)  # type: ignore[arg-type]
    return SeriesData(meta, values.astype("float64"))


def catalog(*items: SeriesData) -> Catalog:
    cat = Catalog("test")
    for s in items:
        cat.add(s)
    return cat


def write_theme(tmp_path: Path, body: str, name: str = "planted") -> Path:
    p = tmp_path / f"{name}.toml"
    p.write_text(f'id = "{name}"\ntitle = "t"\nquestion = "q?"\n' + body, "utf-8")
    return p


def daily(start: str, end: str, value: float = 100.0) -> pd.Series:
    idx = pd.bdate_range(start, end)
    return pd.Series(value + 0.1 * np.arange(len(idx)), index=idx)


# ------------------------------------------------------------------ (a) breadth: the 200-day column
@pytest.mark.parametrize("engine", ["numba", "pandas"])
def test_breadth_close_equal_to_its_average_is_not_above(engine: str) -> None:
    """Constant closes equal their own 50- and 200-day averages exactly: nobody is *above* them.

    With ``>`` -> ``>=`` in the kernel, ``pct_above_200d`` flips from 0 to 100."""
    idx = pd.bdate_range("2015-01-02", periods=260)
    flat = pd.DataFrame({"A": 100.0, "B": 50.0, "C": 8.0}, index=idx)  # exactly representable
    b = breadth(flat, engine=engine)
    assert b["pct_above_200d"].iloc[:199].isna().all()  # fewer than 200 closes: nobody eligible
    assert (b["pct_above_200d"].iloc[199:] == 0.0).all()
    assert (b["pct_above_50d"].iloc[49:] == 0.0).all()
    assert (b["advances"] == 0).all() and (b["declines"] == 0).all()


def test_breadth_200d_hand_worked_mixed_panel_and_engines_agree() -> None:
    """Three members on day 200: one flat (equal to its average: not above), one rising (above),
    one falling (below): 1 of 3 above = 33.3%; the pandas reference says the same."""
    idx = pd.bdate_range("2015-01-02", periods=200)
    n = np.arange(200, dtype=float)
    closes = pd.DataFrame({"flat": 64.0, "up": 10.0 + n, "down": 300.0 - n}, index=idx)
    b = breadth(closes)
    assert b["pct_above_200d"].iloc[-1] == pytest.approx(100.0 / 3.0)
    ref = breadth_pandas(closes)
    pd.testing.assert_series_equal(b["pct_above_200d"], ref["pct_above_200d"], check_dtype=False)
    # a flat panel in the middle of moving ones: still never counted above
    only_flat = breadth(closes[["flat"]])
    assert only_flat["pct_above_200d"].iloc[-1] == 0.0


# ----------------------------------------------------------------------- (c) the tally's cut-offs
def test_label_at_exactly_the_cut_offs() -> None:
    up = float(RULES.get("verdict", "catalyst_above"))
    down = float(RULES.get("verdict", "viral_below"))
    need = int(RULES.get("verdict", "min_measured_pillars"))
    assert label_for(up, need, RULES) == "real catalyst"
    assert label_for(down, need, RULES) == "viral sentiment"
    assert label_for(math.nextafter(up, 0.0), need, RULES) == "mixed"
    assert label_for(math.nextafter(down, 0.0), need, RULES) == "mixed"
    assert label_for(up, need - 1, RULES) == "insufficient data"


def _ev(pillar: str, i: int, leaning: str) -> Evidence:
    return Evidence(
        pillar=pillar,
        id=f"{pillar}{i}",
        claim="c",
        value=1.0,
        threshold=0.0,
        leaning=leaning,  # type: ignore[arg-type]
        flip=f"flip {pillar}{i}",
        source="test",
    )


def test_decide_at_exactly_the_catalyst_cut_off() -> None:
    """Hand-worked: breadth +0.5 (catalyst + neutral), catalysts 0 (neutral), equal weights:
    score (0.5 + 0) / 2 = 0.25 = catalyst_above, so 'real catalyst'."""
    assert float(RULES.get("weights", "breadth")) == float(RULES.get("weights", "catalysts"))
    assert float(RULES.get("verdict", "catalyst_above")) == 0.25
    pillars = {
        "breadth": PillarResult("breadth", [_ev("breadth", 1, "catalyst"), _ev("breadth", 2, "neutral")]),
        "catalysts": PillarResult("catalysts", [_ev("catalysts", 1, "neutral")]),
    }
    v = decide(pillars, RULES)
    assert v.score == 0.25
    assert v.label == "real catalyst"
    mirrored = {
        "breadth": PillarResult("breadth", [_ev("breadth", 1, "viral"), _ev("breadth", 2, "neutral")]),
        "catalysts": PillarResult("catalysts", [_ev("catalysts", 1, "neutral")]),
    }
    v = decide(mirrored, RULES)
    assert v.score == -0.25 and v.label == "viral sentiment"


# --------------------------------------------------------------------------- (d) the stale rule
PAIR_THEME = """
[[price.pairs]]
leader = "AAA"
laggard = "BBB"

[[macro]]
id = "RATE"
needs = "down"
label = "a rate"
"""


def test_daily_series_44_days_old_is_stale_and_missing(tmp_path: Path) -> None:
    as_of = pd.Timestamp("2016-12-30")
    old_end = as_of - pd.Timedelta(days=44)  # 2016-11-16
    cat = catalog(
        series("AAA", daily("2015-01-01", str(old_end.date()))),
        series("BBB", daily("2015-01-01", str(as_of.date()))),
    )
    theme = load_theme(write_theme(tmp_path, PAIR_THEME))
    panel = build_panel(theme, cat, as_of, "test")
    assert panel.price("AAA") is None
    why = panel.why_missing("price", "AAA")
    assert "stale" in why and "44 days" in why and str(old_end.date()) in why
    assert [p.id for p in panel.provenance] == ["BBB"]
    bbb = panel.price("BBB")
    assert bbb is not None and bbb.index[-1] == as_of


def test_stale_rule_per_frequency_hand_worked(tmp_path: Path) -> None:
    """A daily series a few days old is current; daily 11+ days, weekly 44 days old are stale."""
    as_of = pd.Timestamp("2016-12-30")
    theme = load_theme(write_theme(tmp_path, PAIR_THEME))
    fresh = series("AAA", daily("2015-01-01", "2016-12-27"))  # 3 days old (a long weekend)
    weekly_idx = pd.date_range("2015-01-02", as_of - pd.Timedelta(days=44), freq="W-FRI")
    weekly = series("BBB", pd.Series(100.0, index=weekly_idx), frequency="W")
    panel = build_panel(theme, catalog(fresh, weekly), as_of, "test")
    assert panel.price("AAA") is not None
    assert panel.price("BBB") is None and "stale" in panel.why_missing("price", "BBB")
    for age in (11, 20, 44, 100):
        old = series("AAA", daily("2015-01-01", str((as_of - pd.Timedelta(days=age)).date())))
        p = build_panel(theme, catalog(old, series("BBB", daily("2015-01-01", "2016-12-30"))), as_of, "test")
        last = old.values.index[-1]
        assert p.price("AAA") is None, f"daily series {age} days old (last {last.date()}) was used"
        assert "stale" in p.why_missing("price", "AAA")


def test_stale_series_is_missing_from_the_check(tmp_path: Path) -> None:
    """End to end (no model): the stale leader is reported missing, never used as evidence."""
    from hypecheck.api import check

    as_of = pd.Timestamp("2016-12-30")
    cat = catalog(
        series("AAA", daily("2014-01-01", str((as_of - pd.Timedelta(days=44)).date()))),
        series("BBB", daily("2014-01-01", str(as_of.date()))),
    )
    res = check(write_theme(tmp_path, PAIR_THEME), catalog=cat, as_of=as_of, calibrate=False)
    assert "AAA" not in [p.id for p in res.provenance]
    price = res.pillars["price"]
    assert not any("AAA" in e.id for e in price.evidence)
    assert any("stale" in m.reason and "AAA" in m.reason for m in price.missing)


# --------------------------------------------------------------------- (e) structure thresholds
# ten calendar years of the index (2007-2016), sorted returns:
YEAR_RETURNS = [0.12, -0.20, 0.25, 0.00, 0.30, -0.10, 0.05, 0.20, 0.08, 0.15]
STRUCTURE_THEME = """
[[price.pairs]]
leader = "AAA"
laggard = "IDX"

[structure]
index = "IDX"
target = {target!r}

[[structure.groups]]
name = "Mega"
weight = 0.4
"""


def _index_closes() -> pd.Series:
    closes = [100.0]
    for r in YEAR_RETURNS:
        closes.append(closes[-1] * (1 + r))
    idx = pd.DatetimeIndex([pd.Timestamp(year=y, month=12, day=31) for y in range(2006, 2017)])
    return pd.Series(closes, index=idx)


@pytest.mark.parametrize(
    ("required", "percentile", "leaning"),
    [
        (0.03, 30.0, "catalyst"),  # 3 of 10 years below: under the feasible (median) percentile
        (0.10, 50.0, "neutral"),  # exactly at feasible_percentile: no longer below the median
        (0.135, 60.0, "neutral"),  # between feasible (50) and strained (80)
        (0.22, 80.0, "viral"),  # exactly at strained_percentile: a top-quintile year
        (0.27, 90.0, "viral"),
    ],
)
def test_structure_leaning_by_hand(tmp_path: Path, required: float, percentile: float, leaning: str) -> None:
    """The rest (60% of the index) must return ``required`` for the index to gain ``0.6 * required``
    with the group flat; its percentile among the index's ten calendar years is counted by hand."""
    from hypecheck.pillars.structure import measure

    assert float(RULES.get("structure", "feasible_percentile")) == 50
    assert float(RULES.get("structure", "strained_percentile")) == 80
    target = round(0.6 * required, 6)
    theme = load_theme(write_theme(tmp_path, STRUCTURE_THEME.format(target=target)))
    idx = _index_closes()
    cat = catalog(series("IDX", idx, frequency="A"), series("AAA", idx * 2, frequency="A"))
    panel = build_panel(theme, cat, pd.Timestamp("2016-12-31"), "test")
    res = measure(panel, RULES)
    (e,) = [x for x in res.evidence if x.id == "required-rest-return"]
    by_hand = 100.0 * sum(r < target / 0.6 for r in YEAR_RETURNS) / len(YEAR_RETURNS)
    assert by_hand == percentile
    assert e.value == pytest.approx(percentile)
    assert e.leaning == leaning


# ------------------------------------------------------------------ (f) the as-of and window cuts
def test_window_return_uses_closes_on_the_as_of_and_anchor_dates() -> None:
    s = pd.Series(
        [90.0, 100.0, 105.0, 110.0, 120.0],
        index=pd.to_datetime(["2015-12-30", "2015-12-31", "2016-06-29", "2016-06-30", "2016-07-01"]),
    )
    r = window_return(s, pd.Timestamp("2016-06-30"), "YTD")  # anchor: 2015-12-31
    assert r.start == pd.Timestamp("2015-12-31") and r.end == pd.Timestamp("2016-06-30")
    assert r.value == pytest.approx(0.10)
    r = window_return(s, pd.Timestamp("2016-06-30"), "1D")  # anchor 2016-06-29, a close that day
    assert r.start == pd.Timestamp("2016-06-29") and r.value == pytest.approx(110 / 105 - 1)
    r = window_return(s, pd.Timestamp("2015-12-31"), "1D")  # the as-of is the series' 2nd close
    assert r.end == pd.Timestamp("2015-12-31") and r.value == pytest.approx(100 / 90 - 1)


def test_cut_known_keeps_the_close_dated_on_the_as_of() -> None:
    s = series("AAA", daily("2016-01-01", "2016-12-30"))
    cut, note = cut_known(s, pd.Timestamp("2016-12-30"))
    assert note is None
    assert cut.values.index[-1] == pd.Timestamp("2016-12-30")
    assert cut.values.iloc[-1] == s.values.iloc[-1]
    cut, _ = cut_known(s, pd.Timestamp("2016-12-29"))
    assert cut.values.index[-1] == pd.Timestamp("2016-12-29")


def test_cut_known_period_start_stamp_is_known_on_its_periods_last_day() -> None:
    """A monthly average stamped 1 November is known on 30 November (its period's last day)."""
    idx = pd.date_range("2015-01-01", "2016-12-01", freq="MS")
    m = series("RATE", pd.Series(np.arange(len(idx), dtype=float), index=idx), frequency="M", kind="macro")
    # lag=0 (a theme's [release] override): the period rule alone; unlisted series also wait an
    # assumed lag (tests/test_date_rules.py)
    cut, note = cut_known(m, pd.Timestamp("2016-11-30"), lag=0)
    assert note is not None
    assert cut.values.index[-1] == pd.Timestamp("2016-11-01")
    cut, _ = cut_known(m, pd.Timestamp("2016-11-29"), lag=0)
    assert cut.values.index[-1] == pd.Timestamp("2016-10-01")


def test_panel_uses_observations_dated_on_the_as_of(tmp_path: Path) -> None:
    as_of = pd.Timestamp("2016-11-30")
    idx = pd.date_range("2015-01-01", "2016-12-01", freq="MS")
    cat = catalog(
        series("AAA", daily("2015-01-01", "2016-12-30")),
        series("BBB", daily("2015-01-01", "2016-12-30", 50.0)),
        series("RATE", pd.Series(np.arange(len(idx), dtype=float), index=idx), frequency="M", kind="macro"),
    )
    theme = load_theme(
        write_theme(
            tmp_path,
            PAIR_THEME
            + "\n[release]\nRATE = 0\n"  # the period rule alone (no assumed publication lag)
            + '\n[[events]]\ndate = "2016-11-30"\nlabel = "on the day"\n'
            + '\n[[events]]\ndate = "2016-12-01"\nlabel = "the day after"\n',
        )
    )
    panel = build_panel(theme, cat, as_of, "test")
    aaa, rate = panel.price("AAA"), panel.macro_series("RATE")
    assert aaa is not None and aaa.index[-1] == as_of
    assert rate is not None and rate.index[-1] == pd.Timestamp("2016-11-01")
    assert [e.label for e in panel.events] == ["on the day"]
    assert [e.label for e in panel.upcoming] == ["the day after"]


def test_lab_evaluate_at_keeps_episodes_and_outcomes_dated_on_the_as_of(bundled_catalog: Catalog) -> None:
    """The lab as of a month end: the episodes born that day are in, and outcomes whose horizon ended
    that day are known (their values kept), checked against the bundled history's own columns."""
    from hypecheck.lab import model as M
    from hypecheck.lab.run import evaluate_at, history_for

    h = history_for(bundled_catalog, "bundled")
    as_of = pd.Timestamp("2016-11-30")
    eps = h.episodes
    dates = pd.DatetimeIndex(eps["date"])
    assert (dates == as_of).sum() > 0
    res = evaluate_at(h, 6, as_of)
    assert len(res.episodes) == int((dates <= as_of).sum())
    assert (pd.DatetimeIndex(res.episodes["date"]) == as_of).sum() == (dates == as_of).sum()
    inside = eps.loc[dates <= as_of].reset_index(drop=True)
    known = M.known_dates(inside, 6)
    on_the_day = np.asarray(known == as_of) & inside["outcome_6m"].notna().to_numpy()
    assert on_the_day.sum() > 0
    np.testing.assert_array_equal(
        res.episodes["outcome_6m"].to_numpy()[on_the_day], inside["outcome_6m"].to_numpy()[on_the_day]
    )
    later = np.asarray(known > as_of)
    assert later.sum() > 0 and np.isnan(res.episodes["outcome_6m"].to_numpy()[later]).all()


# ------------------------------------------------------------- the README's quick-start figures
NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?")


def _readme_demo_block() -> tuple[str, list[str]]:
    """The as-of date the README states for the demo and the lines of its quoted output."""
    text = (ROOT / "README.md").read_text("utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", quick, flags=re.S)
    (block,) = [b for b in blocks if b.lstrip().startswith("VERDICT:")]
    before = quick.split(block, 1)[0]
    dates = re.findall(r"as of (\d{4}-\d{2}-\d{2})", before)
    assert dates, "the README no longer says which date the demo is as of"
    return dates[-1], [ln for ln in block.splitlines() if ln.strip()]


def _is_subsequence(needles: list[str], haystack: list[str]) -> tuple[bool, str]:
    it = iter(haystack)
    for n in needles:
        if not any(n == h for h in it):
            return False, n
    return True, ""


@pytest.mark.slow
def test_readme_quick_start_figures_are_what_the_demo_prints() -> None:
    """Regenerate the flagship demo (bundled data) and find every number the README quotes from its
    first lines in those lines, in the same order; the verdict line itself must match."""
    import hypecheck

    as_of, block = _readme_demo_block()
    res = hypecheck.check("small-cap-rotation")
    assert str(res.as_of.date()) == as_of
    lines = res.summary().splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("VERDICT:"))
    head = lines[start : start + 6]
    assert head[0].strip() == block[0].strip()
    quoted = NUMBER.findall(" ".join(block))
    printed = NUMBER.findall(" ".join(head))
    assert len(quoted) >= 10, f"too few figures parsed from the README's demo block: {quoted}"
    ok, first_bad = _is_subsequence(quoted, printed)
    assert ok, (
        f"README quick start quotes {first_bad!r} (figures {quoted}) but the demo prints {printed}:\n"
        + "\n".join(head)
    )
    # the probability sentence is also the verdict's headline (what the dashboard and JSON open with)
    prob = re.search(r"(\d+%) probability that (.+?) keeps beating (.+?) over", " ".join(block))
    assert prob is not None
    assert f"{prob[1]} probability that {prob[2]} keeps beating {prob[3]}" in res.verdict.headline
    interval = re.search(r"95% interval (\d+%-\d+%)", " ".join(block))
    base = re.search(r"against a base rate of (\d+%)", " ".join(block))
    assert interval is not None and base is not None
    assert f"95% interval {interval[1]}" in res.verdict.headline
    assert f"against a base rate of {base[1]}" in res.verdict.headline


# ------------------------------------------------ (f) issue 23: planted bugs no test used to catch
def test_scrub_removes_a_percent_encoded_key_value() -> None:
    """A key in a URL that was itself URL-encoded (``api_key%3D...``: a redirect target, a logged
    query) is a secret like ``api_key=...``; dropping the ``%3D`` form from the scrubber leaks it."""
    from hypecheck.data.transport import scrub

    for text in (
        "GET https://x.invalid/next?url=%2Fseries%3Fapi_key%3Dabc123SECRET%26id%3DGDP",
        "redirected to /obs?series_id=GDP&api_key%3dabc123SECRET",
        "key%3Dabc123SECRET token%3Dabc123SECRET",
        "api_key=abc123SECRET",
    ):
        out = scrub(text)
        assert "abc123SECRET" not in out, out
        assert "***" in out


def test_a_store_one_schema_version_newer_is_refused(tmp_path: Path) -> None:
    """Exactly one version ahead is already a newer store: refused (exit 5), left unchanged."""
    import duckdb

    from hypecheck.store import SCHEMA_VERSION, Store, StoreError

    path = tmp_path / "s.duckdb"
    Store(path).write(series("AAA", daily("2024-01-01", "2024-02-01")))
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    before = path.read_bytes()
    for write in (False, True):
        with pytest.raises(StoreError, match="newer hypecheck") as err:
            Store(path).verify(write=write)
        assert f"version {SCHEMA_VERSION + 1}" in err.value.message
    assert path.read_bytes() == before
    with duckdb.connect(str(path)) as con:  # the version the store was written with is still read
        con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
    Store(path).verify(write=True)


BREADTH_THEME = """
[[price.pairs]]
leader = "RSP"
laggard = "SPY"

[[breadth.pairs]]
equal = "RSP"
cap = "SPY"
"""


def test_breadth_spread_trend_counts_exactly_the_last_60_days(tmp_path: Path) -> None:
    """The equal- minus cap-weight 20-day spread, positive on exactly 36 of the last 60 trading days
    (60%: the broad share, catalyst) and on the 60th day back: a window of 59 days (``iloc[-look +
    1:]``, or ``trend_days`` cut to 59) sees 35 of 59 (59%: neutral)."""
    from hypecheck.pillars import breadth as breadth_pillar

    days = pd.bdate_range("2016-01-04", periods=120)
    # the spread on day t is s[t] exactly: SPY flat, RSP_t = RSP_{t-20} * (1 + s[t])
    s = np.full(len(days), -0.01)
    s[60:96] = 0.01  # the last 60 days are 60..119: positive on 60..95 (36 days), negative after
    rsp = np.full(len(days), 100.0)
    for t in range(20, len(days)):
        rsp[t] = rsp[t - 20] * (1 + s[t])
    cat = catalog(series("RSP", pd.Series(rsp, index=days)), series("SPY", pd.Series(100.0, index=days)))
    theme = load_theme(write_theme(tmp_path, BREADTH_THEME))
    panel = build_panel(theme, cat, days[-1], "test")
    res = breadth_pillar.measure(panel, RULES)
    (ev,) = [e for e in res.evidence if e.id == "ewcw-trend:RSP-SPY"]
    assert "the last 60 trading days" in ev.claim
    assert ev.value == pytest.approx(36 / 60) and ev.leaning == "catalyst"
    assert "positive on 36 of 60 days" in ev.detail
