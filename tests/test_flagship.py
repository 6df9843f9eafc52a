"""The flagship case on the real shared data: the JSON contract, independent returns, as-of cuts,
and no look-ahead (appending future rows changes nothing)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import hypecheck
from hypecheck.cli import main

TICKERS = ["IWM", "IWN", "IWO", "SPY", "IVE", "IVW", "RSP", "XLK"]


@pytest.fixture(scope="module")
def flagship_json(shared_data: Path) -> dict:
    res = CliRunner().invoke(
        main, ["check", "small-cap-rotation", "--data", str(shared_data), "--as-of", "2026-01-16", "--json"]
    )
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def independent_ytd(path: Path, as_of: str) -> float:
    """YTD return straight from the CSV: last close on/before as-of over the prior year's last close."""
    df = pd.read_csv(path)
    df["Date"] = pd.to_datetime(df["Date"], format="%Y-%m-%d")
    t = pd.Timestamp(as_of)
    end = df.loc[df["Date"] <= t, "Close"].iloc[-1]
    base = df.loc[df["Date"] <= pd.Timestamp(year=t.year - 1, month=12, day=31), "Close"].iloc[-1]
    return float(end / base - 1)


def test_json_contract_fields(flagship_json: dict) -> None:
    j = flagship_json
    assert j["theme"] == "small-cap-rotation" and j["as_of"] == "2026-01-16"
    from hypecheck.verdict import LABELS

    assert j["schema_version"] == 3
    assert j["verdict"]["label"] in LABELS
    assert j["verdict"]["label"] == j["verdict"]["fade"]["label"]  # the fade test's label since v3
    for k in ("fade", "history", "range", "signature", "detectable"):
        assert j["verdict"][k], k
    assert isinstance(j["verdict"]["flip"], str) and j["verdict"]["flip"]
    assert set(j["pillars"]) == {
        "attention",
        "price",
        "breadth",
        "catalysts",
        "fundamentals",
        "structure",
        "history",
    }
    for name, p in j["pillars"].items():
        assert p["status"] in ("ok", "partial", "missing"), name
        assert p["reason"], name
    for e in j["evidence"]:
        assert {"pillar", "id", "claim", "value", "threshold", "leaning", "flip", "source"} <= set(e)
        assert e["leaning"] in ("catalyst", "viral", "neutral")
    assert not j["data"]["sample_data"]


def test_flagship_label_comes_from_the_panel_model(flagship_json: dict) -> None:
    c = flagship_json["calibration"]
    v = flagship_json["verdict"]
    assert c["history"] == "files" and c["pair"] == {"leader": "IWM", "laggard": "SPY"}
    assert v["label"] == v["fade"]["label"] == c["fade"]["label"]
    # the model's label follows its rule: no skill -> no label; else the interval against the base rate
    lo, hi = c["interval"]
    assert lo <= c["probability"] <= hi
    if not c["shows_skill"]:
        assert c["label"] == "no skill shown"
    elif lo > c["base_rate"]:
        assert c["label"] == "real catalyst"
    elif hi < c["base_rate"]:
        assert c["label"] == "viral sentiment"
    else:
        assert c["label"] == "mixed"
    rec = c["record"]
    assert c["shows_skill"] == (rec["ci_bss_base"][0] > 0 and rec["ci_bss_momentum"][0] > 0)
    # fitted on past narratives known by the as-of date: hundreds of ETF episodes, all 6-month outcomes
    assert c["n"] >= 1000 and c["horizon_months"] == 6
    # the first line says what was found (the fade test of IWM over SPY); the model's skill follows
    assert c["headline"][0].startswith("IWM's lead over SPY (born ")
    skill_line = next(
        i for i, x in enumerate(c["headline"]) if x.startswith(("NO SKILL SHOWN", "The model has"))
    )
    assert skill_line >= 1
    # the ledger's contributions are each feature's effect on this probability
    assert {e["pillar"] for e in c["ledger"]} >= {"price", "breadth", "catalysts"}


def test_verdict_headline_states_label_probability_interval_n_pair_horizon_base_and_skill(
    flagship_json: dict,
) -> None:
    c, h = flagship_json["calibration"], flagship_json["verdict"]["headline"]
    lo, hi = c["interval"]
    f, k, r = (flagship_json["verdict"][x] for x in ("fade", "history", "range"))
    assert h.startswith(f"IWM's lead over SPY (born {f['birth']}, {f['sharpness']:+.1f} sd")
    assert f"{f['label']} - it kept" in h and f"(fade test p = {f['p_value']:.2f})" in h
    assert f"{k['kept_half']:.0%} of the time ({k['n_effective']:,} independent narratives" in h
    assert f"range for the next 6 months: IWM {100 * math.expm1(r['lo']):+.0f}% to" in h
    assert h.index("NO SKILL SHOWN") > h.index("range for the next 6 months")
    for part in (
        f"{c['probability']:.0%} probability that IWM keeps beating SPY over the next 6 months",
        f"interval {lo:.0%}-{hi:.0%}",
        f"fitted on {c['n']:,} past narratives",
        f"base rate of {c['base_rate']:.0%}",
        "this model's probabilities have",
    ):
        assert part in h, part
    # the label and the probability are explained together: no label without skill, and why
    if not c["shows_skill"]:
        assert "No label" in h and "have not beaten" in h


def test_ytd_returns_equal_independent_pandas(flagship_json: dict, shared_data: Path) -> None:
    rows = {(r["series"], r["window"]): r for r in flagship_json["tables"]["returns"]}
    for t in TICKERS:
        r = rows[(t, "YTD")]
        expected = independent_ytd(shared_data / "prices" / "etf_daily" / f"{t}.csv", "2026-01-16")
        assert r["return"] == pytest.approx(expected, abs=1e-9), t
        assert r["start"] == "2025-12-31" and r["end"] == "2026-01-16"


def test_rsp_ahead_of_spy_and_breadth_evidence(flagship_json: dict) -> None:
    rows = {(r["series"], r["window"]): r["return"] for r in flagship_json["tables"]["returns"]}
    assert rows[("RSP", "YTD")] > rows[("SPY", "YTD")]
    ev = {e["id"]: e for e in flagship_json["evidence"]}
    assert ev["ewcw:RSP-SPY:YTD"]["leaning"] == "catalyst"
    assert ev["ewcw:RSP-SPY:YTD"]["value"] == pytest.approx(
        rows[("RSP", "YTD")] - rows[("SPY", "YTD")], abs=1e-12
    )


def test_attention_uses_monthly_trends_and_names_missing_terms(flagship_json: dict) -> None:
    att = flagship_json["pillars"]["attention"]
    assert att["status"] == "partial"
    missing = " ".join(m["reason"] for m in att["missing"])
    for term in ("market rotation", "small cap rally", "small cap"):
        assert repr(term) in missing
    ev = [e for e in flagship_json["evidence"] if e["pillar"] == "attention"]
    assert [e["id"] for e in ev] == ["attention:value stocks", "attention-history:value stocks"]
    notes = " ".join(att["notes"])
    assert "can say: 'value stocks' (M, to 2025-12-01)" in notes and "cannot say: 'market rotation'" in notes


def test_attention_event_study_matches_independent(flagship_json: dict, shared_data: Path) -> None:
    """The 12-month row of the event study after 'value stocks' spikes, recomputed from the CSVs:
    IWM minus SPY return over 252 trading days from the last close on or before each spike."""
    spikes = [r["date"] for r in flagship_json["tables"]["attention.spikes"] if r["term"] == "value stocks"]
    px = {}
    for t in ("IWM", "SPY"):
        df = pd.read_csv(shared_data / "prices" / "etf_daily" / f"{t}.csv", index_col=0)
        df.index = pd.to_datetime(df.index, format="%Y-%m-%d")
        px[t] = df["Close"]
    both = pd.concat(px, axis=1, join="inner").dropna()
    both = both.loc[both.index <= "2026-01-16"]
    spreads = []
    for d in spikes:
        pos = int(both.index.searchsorted(pd.Timestamp(d), side="right")) - 1
        if pos >= 0 and pos + 252 < len(both):
            r = both.iloc[pos + 252] / both.iloc[pos] - 1
            spreads.append(r["IWM"] - r["SPY"])
    row = next(r for r in flagship_json["tables"]["attention.after_spikes"] if r["horizon"] == "12 months")
    assert row["n"] == len(spreads) >= 3
    assert row["mean"] == pytest.approx(sum(spreads) / len(spreads), abs=1e-12)
    assert row["share_positive"] == pytest.approx(sum(x > 0 for x in spreads) / len(spreads))


def test_other_as_of_gives_other_numbers(shared_data: Path, flagship_json: dict) -> None:
    r = hypecheck.check("small-cap-rotation", data=shared_data, as_of="2025-06-30")
    rows = {(x["series"], x["window"]): x for x in r.to_dict()["tables"]["returns"]}
    old = {(x["series"], x["window"]): x for x in flagship_json["tables"]["returns"]}
    assert rows[("IWM", "YTD")]["return"] != old[("IWM", "YTD")]["return"]
    assert rows[("IWM", "YTD")]["return"] == pytest.approx(
        independent_ytd(shared_data / "prices" / "etf_daily" / "IWM.csv", "2025-06-30"), abs=1e-9
    )
    for p in r.provenance:
        assert p.last is not None and p.last <= "2025-06-30"


def _copy(shared: Path, dst: Path) -> None:
    """Copy the files the flagship uses into a temp folder (tests only; never into the project)."""
    shutil.copytree(shared / "prices", dst / "prices")
    shutil.copytree(shared / "macro" / "fred_to_2026", dst / "macro" / "fred_to_2026")
    shutil.copytree(
        shared / "trends" / "monthly_us_2004_2025" / "Investing_and_markets", dst / "trends" / "monthly"
    )


def _truncate(folder: Path, as_of: str) -> None:
    for f in folder.rglob("*.csv"):
        lines = f.read_text("utf-8").splitlines()
        kept = [lines[0]] + [ln for ln in lines[1:] if ln.split(",")[0] <= as_of]
        f.write_text("\n".join(kept) + "\n", "utf-8")


def _append_junk_after_end(folder: Path, as_of: str) -> None:
    """Rows after each file's last date and after the as-of date, with absurd values (before today)."""
    for f in folder.rglob("*.csv"):
        text = f.read_text("utf-8").rstrip("\n")
        last = max(pd.Timestamp(text.splitlines()[-1].split(",")[0]), pd.Timestamp(as_of))
        extra = [(last + pd.Timedelta(days=d)).strftime("%Y-%m-%d") for d in (1, 2, 35)]
        vals = ["1.0", "99999.0", "50.0"] if "trends" not in str(f) else ["0", "100", "1"]
        f.write_text(
            text + "\n" + "\n".join(f"{d},{v}" for d, v in zip(extra, vals, strict=True)) + "\n", "utf-8"
        )


def test_no_look_ahead_appending_future_rows(shared_data: Path, tmp_path: Path) -> None:
    """A check as of 2025-12-31 on files cut at that date equals the check on the full files with
    junk rows appended after their ends: nothing after the as-of date is used anywhere."""
    as_of = "2025-12-31"
    a, b = tmp_path / "a", tmp_path / "b"
    _copy(shared_data, a)
    _copy(shared_data, b)
    _truncate(a, as_of)
    _append_junk_after_end(b, as_of)
    ra = hypecheck.check("small-cap-rotation", data=a, as_of=as_of).to_dict()
    rb = hypecheck.check("small-cap-rotation", data=b, as_of=as_of).to_dict()
    assert ra["tables"]["returns"] and ra["evidence"]
    for d in (ra, rb):
        d.pop("data")
        d.pop("upcoming_events")
    # hindsight describes the rows after the as-of date (here: junk), by design, and never feeds the verdict
    assert ra.pop("hindsight") is None and rb.pop("hindsight") is not None
    assert ra == rb


def test_period_start_stamped_months_wait_for_the_period_to_end(shared_data: Path) -> None:
    """FEDFUNDS for January 2026 is stamped 2026-01-01 but is an average of the whole month: as of
    2026-01-16 the last usable value is December's (independently: the CSV row 2025-12-01)."""
    r = hypecheck.check("small-cap-rotation", data=shared_data, as_of="2026-01-16")
    row = next(x for x in r.to_dict()["tables"]["catalysts.macro"] if x["id"] == "FEDFUNDS")
    raw = pd.read_csv(shared_data / "macro" / "fred_to_2026" / "FEDFUNDS.csv", index_col=0)
    assert row["end"] == "2025-12-01"
    assert row["level"] == raw.loc["2025-12-01", "FEDFUNDS"]
    prov = next(p for p in r.provenance if p.id == "FEDFUNDS")
    assert any("1 unfinished or unpublished period left out" in n for n in prov.notes)
    # January's average is published the first business day after January (H.15): 2026-02-02
    r2 = hypecheck.check("small-cap-rotation", data=shared_data, as_of="2026-01-31")
    row2 = next(x for x in r2.to_dict()["tables"]["catalysts.macro"] if x["id"] == "FEDFUNDS")
    assert row2["end"] == "2025-12-01"
    r3 = hypecheck.check("small-cap-rotation", data=shared_data, as_of="2026-02-02")
    row3 = next(x for x in r3.to_dict()["tables"]["catalysts.macro"] if x["id"] == "FEDFUNDS")
    assert row3["end"] == "2026-01-01"


def test_readme_flagship_figures_are_what_the_check_gives(flagship_json: dict) -> None:
    """The README's paragraph on the flagship quotes the panel model's numbers: regenerate them."""
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    start = readme.index("The check says `VERDICT:")
    para = " ".join(readme[start : readme.index("\n\n", start)].split())
    c = flagship_json["calibration"]
    rec, hold = c["record"], c["holdout"]
    lo, hi = c["interval"]
    assert f"`VERDICT: {flagship_json['verdict']['label'].upper()}`" in para
    f, k, r = (flagship_json["verdict"][x] for x in ("fade", "history", "range"))
    expected = [
        f"born on {f['birth']} (a {100 * f['move']:.1f}% move over 15 trading days, {f['sharpness']:.1f} deviations",
        f"{f['age']} trading days later it had kept all of it ({f['retained']:.0%})",
        f"keeps more than half {f['expected_rw']:.0%} of the time (fade test p = {f['p_value']:.2f})",
        f"{k['kept_half']:.0%} of the time ({k['n_effective']:,} independent narratives, 95% CI "
        f"{k['ci']['kept_half'][0]:.0%}-{k['ci']['kept_half'][1]:.0%}; the random walk: {k['rw_reference']:.0%})",
        f"kept beating their laggard {k['keeps_beating']:.0%} ({k['ci']['keeps_beating'][0]:.0%}-"
        f"{k['ci']['keeps_beating'][1]:.0%})",
        f"an edge of AUC {flagship_json['verdict']['detectable']['auc']:.2f} or more",
        f"IWM {100 * math.expm1(r['lo']):+.0f}% to {100 * math.expm1(r['hi']):+.0f}% against SPY (such ranges "
        f"held {r['coverage_oos']:.0%} of the time out of sample, {r['coverage_n']:,} narratives)",
        f"the {c['n']:,} ETF narratives",
        f"gives IWM a {c['probability']:.0%} probability of beating SPY",
        f"(95% interval {lo:.0%}-{hi:.0%})",
        f"base rate of {c['base_rate']:.0%}",
        f"({rec['n']:,} narratives)",
        f"Brier skill {rec['bss_base']:+.3f}, 95% CI {rec['ci_bss_base'][0]:+.3f} to {rec['ci_bss_base'][1]:+.3f}",
        f"trailing momentum ({rec['bss_momentum']:+.3f}, {rec['ci_bss_momentum'][0]:+.3f} to {rec['ci_bss_momentum'][1]:+.3f})",
        f"({hold['n']:,} narratives",
        f"({hold['bss_base']:+.3f}, {hold['ci_bss_base'][0]:+.3f} to {hold['ci_bss_base'][1]:+.3f})",
    ]
    for part in expected:
        assert part in para, part
    assert re.search(r"\d", para)
