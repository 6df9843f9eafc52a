"""History and calibration (issue 6): January episodes on the shared ETFs against an independent
computation, the Wilson interval against statsmodels, no look-ahead of the panel verdict, and the demo report
carrying the probability, its n and the hindsight panel. (The old calibration module and its tests
are gone: the lab's walk-forward, tests/test_lab.py, replaced it.)"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import hypecheck
from hypecheck.analytics.episodes import first_weeks, outcomes, summarise, wilson
from hypecheck.cli import main

AS_OF = "2026-01-16"


def read(shared: Path, t: str) -> pd.Series:
    df = pd.read_csv(shared / "prices" / "etf_daily" / f"{t}.csv")
    return pd.Series(df["Close"].to_numpy(float), index=pd.to_datetime(df["Date"]), name=t)


def independent_january(iwm: pd.Series, spy: pd.Series, year: int) -> tuple[pd.Timestamp, float] | None:
    """Last common close of year-1 to the last common close on or before 14 January of year."""
    both = pd.concat([iwm, spy], axis=1, sort=True).dropna()
    dec = both.loc[(both.index.year == year - 1) & (both.index.month == 12)]
    jan = both.loc[(both.index.year == year) & (both.index <= pd.Timestamp(year=year, month=1, day=14))]
    if dec.empty or jan.empty:
        return None
    r = jan.iloc[-1] / dec.iloc[-1] - 1
    return jan.index[-1], float(r.iloc[0] - r.iloc[1])


def independent_after(iwm: pd.Series, spy: pd.Series, start: pd.Timestamp, months: int) -> float:
    both = pd.concat([iwm, spy], axis=1, sort=True).dropna()
    end = start + pd.DateOffset(months=months)
    a0, a1 = both.loc[:start].iloc[-1], both.loc[:end].iloc[-1]
    return float(a1.iloc[0] / a0.iloc[0] - a1.iloc[1] / a0.iloc[1])


def test_january_episodes_equal_an_independent_computation(shared_data: Path) -> None:
    iwm, spy = read(shared_data, "IWM"), read(shared_data, "SPY")
    cand = first_weeks(iwm, spy, pd.Timestamp(AS_OF), weeks=2, min_spread=0.025)
    assert list(cand["year"]) == list(range(2001, 2027))  # IWM starts in May 2000
    for r in cand.to_dict("records"):
        d, sp = independent_january(iwm, spy, int(r["year"]))  # type: ignore[misc]
        assert r["date"] == d
        assert r["spread"] == pytest.approx(sp, abs=1e-12)
        assert r["episode"] == (sp > 0.025)
    eps = cand.loc[cand["episode"]]
    out = outcomes(iwm, spy, list(eps["date"]), pd.Timestamp(AS_OF))
    for row in out.to_dict("records"):
        for h, m in (("1M", 1), ("3M", 3), ("6M", 6), ("12M", 12)):
            if row["date"] + pd.DateOffset(months=m) <= pd.Timestamp(AS_OF):
                assert row[h] == pytest.approx(independent_after(iwm, spy, row["date"], m), abs=1e-12)
            else:
                assert math.isnan(row[h])  # pending, never partial
    # the flagship report lists the same episodes
    d = hypecheck.check("small-cap-rotation", data=shared_data, as_of=AS_OF).to_dict()
    listed = [r["year"] for r in d["tables"]["history.episodes"]]
    assert listed == [int(y) for y in eps["year"]]
    ev = next(e for e in d["evidence"] if e["id"] == "episodes:IWM-SPY")
    past = out.loc[out["date"] < pd.Timestamp("2026-01-01"), "12M"].dropna()
    assert ev["value"] == pytest.approx(float((past > 0).mean()))


def test_summary_statistics_and_wilson_against_statsmodels() -> None:
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    for k, n in ((0, 4), (1, 4), (21, 34), (34, 34)):
        lo, hi = wilson(k, n)
        elo, ehi = proportion.proportion_confint(k, n, alpha=0.05, method="wilson")
        assert (lo, hi) == pytest.approx((elo, ehi), abs=1e-9)
    out = pd.DataFrame(
        {"date": pd.date_range("2000", periods=5, freq="YS"), "12M": [0.1, -0.2, 0.05, np.nan, 0.3]}
    )
    s = {x.horizon: x for x in summarise(out, horizons=("12M",))}["12M"]
    assert (s.n, s.hits, s.rate) == (4, 3, 0.75)
    assert s.median == pytest.approx(np.median([0.1, -0.2, 0.05, 0.3]))


def _truncated(catalog, d: str):
    """A copy of the catalog with every series (prices, FRED, Trends, Shiller) cut after ``d``."""
    from hypecheck.schema import Catalog, SeriesData

    cut = Catalog()
    t = pd.Timestamp(d)
    for s in catalog:
        keep = s.values.index <= t
        if not keep.any():
            continue
        cut.add(
            SeriesData(
                s.meta,
                s.values.loc[keep],
                None if s.flags is None else s.flags.loc[keep],
                None if s.pulls is None else s.pulls.loc[s.pulls.index <= t],
            )
        )
    return cut


@pytest.mark.slow
def test_panel_verdict_unchanged_when_history_is_cut_after_it(shared_data: Path) -> None:
    """No look-ahead: the check (panel model, probability, label, record, holdout, ledger) on each
    date equals the check on the data with everything after that date removed."""
    from hypecheck.api import load_catalog

    catalog = load_catalog(shared_data)
    for d in ("2019-01-16", "2023-01-16"):
        alone = hypecheck.check("small-cap-rotation", catalog=_truncated(catalog, d), source="files", as_of=d)
        full = hypecheck.check("small-cap-rotation", data=shared_data, as_of=d)
        a, b = full.to_dict(), alone.to_dict()
        assert a["calibration"] is not None and a["calibration"]["n"] > 500
        for x in (a, b):
            x.pop("data")
            x.pop("hindsight")
            x.pop("upcoming_events")
        assert a == b, d


@pytest.mark.slow
def test_demo_report_carries_probability_n_and_hindsight(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["demo", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "probability that IWM (ff:S1V3) keeps beating SPY (ff:Mkt) over the next 6 months" in res.output
    lines = res.output.splitlines()
    v = next(i for i, x in enumerate(lines) if x.startswith("VERDICT:"))
    # what was found first (the fade test of the pair), the model's skill after it
    assert lines[v + 1].startswith("IWM (ff:S1V3)'s lead over SPY (ff:Mkt)")
    skill = next(
        i for i, x in enumerate(lines) if x.startswith(("NO SKILL SHOWN", "The model has shown skill"))
    )
    assert skill > v + 1
    html = (tmp_path / "report.html").read_text("utf-8")
    assert "probability that IWM (ff:S1V3) keeps beating SPY (ff:Mkt)" in html and "Holdout:" in html
    assert 'id="hindsight"' in html and "not used by the verdict" in html
    assert (tmp_path / "charts" / "calibration.png").is_file() and (
        tmp_path / "charts" / "hindsight.png"
    ).is_file()
    md = (tmp_path / "report.md").read_text("utf-8")
    assert "## What happened next" in md and "## The panel model: what moved the probability" in md
    j = __import__("json").loads((tmp_path / "verdict.json").read_text("utf-8"))
    assert j["calibration"]["n"] >= 1000 and 0 < j["calibration"]["probability"] < 1
    assert j["verdict"]["label"] == j["verdict"]["fade"]["label"] == j["calibration"]["fade"]["label"]
    assert j["hindsight"]["rows"] and j["hindsight"]["as_of"] == "2016-12-31"


def test_hindsight_never_feeds_the_verdict(shared_data: Path) -> None:
    """The verdict (label, headline, panel model, evidence) with data after the as-of date equals the
    verdict on the data cut at it; only the hindsight panel differs, and its rows all lie after."""
    from hypecheck.api import load_catalog

    d = "2025-06-30"
    with_future = hypecheck.check("small-cap-rotation", data=shared_data, as_of=d)
    alone = hypecheck.check("small-cap-rotation", catalog=_truncated(load_catalog(shared_data), d), as_of=d)
    assert with_future.hindsight is not None and with_future.hindsight["data_end"] > d
    assert alone.hindsight is None
    assert all(r["end"] > d for r in with_future.hindsight["rows"])
    a, b = with_future.to_dict(), alone.to_dict()
    assert a["verdict"] == b["verdict"] and a["calibration"] == b["calibration"]
    assert a["evidence"] == b["evidence"]


def test_attention_spike_episodes_split_by_breadth_confirmation(shared_data: Path) -> None:
    d = hypecheck.check("small-cap-rotation", data=shared_data, as_of=AS_OF).to_dict()
    rows = {r["spike"]: r for r in d["tables"]["history.spike_episodes"]}
    r = rows["2021-02-01"]  # the February 2021 'value stocks' spike, known at the end of February
    assert r["known"] == "2021-02-28"
    rsp, spy, iwm = read(shared_data, "RSP"), read(shared_data, "SPY"), read(shared_data, "IWM")
    start = pd.Timestamp("2021-01-28")
    both = pd.concat([rsp, spy], axis=1, sort=True).dropna()
    x0, x1 = both.loc[:start].iloc[-1], both.loc[:"2021-02-28"].iloc[-1]
    assert r["breadth_1m_before"] == pytest.approx(
        float(x1.iloc[0] / x0.iloc[0] - x1.iloc[1] / x0.iloc[1]), abs=1e-12
    )
    assert r["confirmed"] is (r["breadth_1m_before"] > 0)
    assert r["12M"] == pytest.approx(independent_after(iwm, spy, pd.Timestamp("2021-02-28"), 12), abs=1e-12)
    assert rows["2025-08-01"]["12M"] is None  # pending: not partial
    note = next(n for n in d["pillars"]["history"]["notes"] if n.startswith("attention-spike episodes"))
    done = [x for x in rows.values() if x["12M"] is not None and x["confirmed"]]
    assert f"after {sum(x['12M'] > 0 for x in done)} of {len(done)}" in note
