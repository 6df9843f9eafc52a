"""Attention analytics on series with known answers (built here), and ASVI on the real Trends files
against an independent computation."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hypecheck import asvi
from hypecheck.analytics.attention import (
    detect_spikes,
    event_study,
    lead_lag,
    noise_from_pulls,
    persistence,
    stitch,
)

IDX = pd.date_range("2015-01-04", periods=120, freq="W-SUN")


def series(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype="float64"), index=IDX[: len(values)])


def quiet(n: int, rng: np.random.Generator, level: float = 20.0) -> np.ndarray:
    return np.round(level + rng.normal(0, 1.5, n))


def test_step_that_holds() -> None:
    rng = np.random.default_rng(1)
    x = series(np.concatenate([quiet(60, rng), np.round(60 + rng.normal(0, 1.5, 40))]))
    spikes = detect_spikes(x)
    assert (spikes and spikes[0].date == IDX[60]) or spikes[0].date in IDX[60:64]
    p = persistence(x, spikes[0].date, noise=spikes[0].noise)
    assert not p.returned and p.periods_above == p.periods_since
    assert p.status == "settled above baseline" and p.half_life is None
    assert p.retained[12] == pytest.approx(1.0, abs=0.15)


@pytest.mark.parametrize("true_hl", [3.0, 6.0])
def test_exponential_decay_half_life(true_hl: float) -> None:
    """baseline 20, excess 70 * 2^(-t/h) plus N(0, 1) noise: half-life within 20% of h."""
    rng = np.random.default_rng(7)
    t = np.arange(40)
    decay = 20 + 70 * 2 ** (-t / true_hl) + rng.normal(0, 1.0, 40)
    x = series(np.concatenate([quiet(50, rng), decay]))
    p = persistence(x, IDX[50], noise=1.5)
    assert p.status == "decaying"
    assert p.half_life == pytest.approx(true_hl, rel=0.20)
    assert p.half_life_se is not None and p.half_life_se < 0.5 * true_hl
    assert p.returned  # it gets back within max(noise, 10% of the excess)
    # share retained after 3 periods ~ 2^(-3/h) (noise allowed)
    assert p.retained[3] == pytest.approx(2 ** (-3 / true_hl), abs=0.08)


def test_single_period_spike() -> None:
    rng = np.random.default_rng(3)
    vals = quiet(60, rng)
    vals[55] = 95
    x = series(vals)
    spikes = detect_spikes(x)
    assert [s.date for s in spikes] == [IDX[55]]
    p = persistence(x, IDX[55], noise=spikes[0].noise)
    assert p.returned and p.periods_above == 0 and p.returned_date == IDX[56]
    assert p.status == "returned quickly" and p.half_life is None
    assert p.retained[1] == pytest.approx(0.0, abs=0.1)


def test_series_that_never_returns() -> None:
    """Spike to 90, settles at a plateau of 55 (baseline 20): never back, not decaying to baseline."""
    rng = np.random.default_rng(5)
    plateau = np.round(55 + rng.normal(0, 1.5, 30))
    x = series(np.concatenate([quiet(50, rng), [90, 75, 62], plateau]))
    p = persistence(x, IDX[50], noise=1.5)
    assert not p.returned and p.returned_date is None and p.periods_above == p.periods_since
    assert p.status == "settled above baseline" and p.half_life is None
    assert p.retained[12] == pytest.approx((55 - 20) / (90 - 20), abs=0.1)


def test_too_early() -> None:
    rng = np.random.default_rng(2)
    x = series(np.concatenate([quiet(50, rng), [90]]))
    assert persistence(x, IDX[50]).status == "too early"


def test_noise_gate_rejects_small_wiggles() -> None:
    """ASVI above ln(1.5) on a tiny series is not a spike when it is inside the noise."""
    rng = np.random.default_rng(11)
    x = series(np.round(3 + rng.normal(0, 1.2, 80)).clip(0, None))
    assert any(asvi(x).dropna() > math.log(1.5))  # the relative bar alone would fire
    assert detect_spikes(x, z=3.0) == []


def test_noise_from_pulls_band_blocks_spike() -> None:
    rng = np.random.default_rng(4)
    base = quiet(60, rng)
    base[50] = 32  # +12 over a baseline of ~20
    pulls = pd.DataFrame({k: base + rng.normal(0, 1, 60) for k in range(3)}, index=IDX[:60])
    mean, sd = noise_from_pulls(pulls)
    assert detect_spikes(mean, noise=sd * 0 + 2.0)  # a tight band: a spike
    assert not detect_spikes(mean, noise=sd * 0 + 10.0)  # a wide band (noisy pulls): not a spike


def test_stitch_recovers_one_scale() -> None:
    truth = pd.Series(np.linspace(10, 200, 100), index=IDX[:100])
    w1 = (truth.iloc[:60] / truth.iloc[:60].max() * 100).round(6)
    w2 = (truth.iloc[40:] / truth.iloc[40:].max() * 100).round(6)
    out = stitch([w2, w1])
    np.testing.assert_allclose(out.to_numpy(), (truth / truth.max() * 100).to_numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="overlap"):
        stitch([truth.iloc[:30], truth.iloc[60:]])


def test_lead_lag_and_event_study() -> None:
    rng = np.random.default_rng(9)
    a = pd.Series(rng.normal(0, 1, 100), index=IDX[:100])
    s = a.shift(2).fillna(0) + rng.normal(0, 0.1, 100)  # price follows attention by 2 periods
    ll = lead_lag(a, s, 4)
    assert int(ll.loc[ll["corr"].idxmax(), "lag"]) == 2
    lead = pd.Series(np.arange(1.0, 101.0), index=IDX[:100])
    lag = pd.Series(np.full(100, 10.0), index=IDX[:100])
    ev = event_study([IDX[10], IDX[97]], lead, lag, (2, 4))
    # from 11 to 13: +2/11; to 15: +4/11; the spike at 97 has no 4-period horizon left
    assert ev.loc[(ev.spike == IDX[10]) & (ev.horizon == 2), "spread"].item() == pytest.approx(2 / 11)
    assert ev.loc[(ev.spike == IDX[10]) & (ev.horizon == 4), "spread"].item() == pytest.approx(4 / 11)
    assert len(ev.loc[ev.spike == IDX[97]]) == 1


def test_detect_spikes_is_causal() -> None:
    rng = np.random.default_rng(12)
    vals = quiet(80, rng)
    vals[40] = 90
    short = series(vals[:60])
    longer = series(np.concatenate([vals[:60], [95, 99, 97, 98]]))
    assert detect_spikes(short) == [s for s in detect_spikes(longer) if s.date <= short.index[-1]]


TERMS = ["value stocks", "growth stocks", "stock market", "bull market", "market crash", "recession"]


def _asvi_reference(values: list[float], k: int = 8) -> list[float]:
    out = []
    for t, x in enumerate(values):
        if t < k:
            out.append(math.nan)
            continue
        med = statistics.median(values[t - k : t])
        out.append(
            0.0 if x == med == 0 else math.inf if med == 0 else -math.inf if x == 0 else math.log(x / med)
        )
    return out


def test_asvi_on_shared_trends_files(shared_data: Path) -> None:
    folder = shared_data / "trends" / "monthly_us_2004_2025" / "Investing_and_markets"
    files = {t: folder / f"{t.replace(' ', '_')}.csv" for t in TERMS}
    weekly = shared_data / "trends" / "stitched_2004_2020" / "weekly" / "debt.csv"
    daily = shared_data / "trends" / "stitched_2004_2020" / "daily" / "debt.csv"
    checked = 0
    for name, f in [*files.items(), ("debt weekly", weekly), ("debt daily", daily)]:
        if not f.exists():
            f = next(shared_data.rglob(f.name))  # recession.csv lives in another category folder
        raw = pd.read_csv(f)
        vals = [float(v) for v in raw.iloc[:, 1]]
        got = asvi(pd.Series(vals, index=pd.to_datetime(raw.iloc[:, 0]))).to_numpy()
        ref = np.array(_asvi_reference(vals))
        assert np.array_equal(np.isnan(got), np.isnan(ref)), name
        finite = np.isfinite(ref)
        np.testing.assert_allclose(got[finite], ref[finite], rtol=1e-12, atol=1e-12, err_msg=name)
        assert np.array_equal(got[~finite & ~np.isnan(ref)], ref[~finite & ~np.isnan(ref)]), name
        checked += 1
    assert checked == 8


RECESSION = {
    "id": "recession-test",
    "title": "t",
    "question": "q?",
    "attention": {"terms": [*TERMS, "debt", "crisis"]},
    "price": {"pairs": [{"leader": "XLP", "laggard": "XLY"}], "windows": ["3M", "12M"]},
}


@pytest.mark.parametrize(
    ("freq", "as_of", "terms"),
    [
        ("M", "2025-12-31", TERMS),
        ("W", "2020-05-31", ["stock market", "debt", "crisis"]),
        ("D", "2020-05-31", ["stock market", "debt", "crisis"]),
    ],
)
def test_shared_trends_run_through_the_pillar(
    shared_data: Path, freq: str, as_of: str, terms: list[str]
) -> None:
    """Monthly 2004-2025 and stitched weekly/daily 2004-2020 series: spikes and persistence for each."""
    import hypecheck
    from hypecheck.theme import parse_theme

    theme = parse_theme({**RECESSION, "attention": {"terms": terms, "frequency": freq}})
    r = hypecheck.check(theme, data=shared_data, as_of=as_of)
    att = r.pillars["attention"]
    rows = {row["term"]: row for row in att.tables["terms"]}
    assert set(rows) == set(terms), att.missing
    for t in terms:
        assert rows[t]["frequency"] == freq and rows[t]["spikes"] >= 1, (t, rows[t])
    spikes = att.tables["spikes"]
    assert {s["term"] for s in spikes} == set(terms)
    # every spike clears both bars: ASVI >= ln 1.5 and 3 noise deviations
    assert all(s["asvi"] >= math.log(1.5) - 1e-12 and s["z"] >= 3.0 for s in spikes)
    assert all(s["date"] <= as_of for s in spikes)
    if freq == "M":  # the 2008 crash: 'market crash' must show a spike in autumn 2008
        assert any(s["term"] == "market crash" and s["date"].startswith("2008-") for s in spikes)


def test_trends_export_partial_row_left_out_by_the_pillar(tmp_path: Path) -> None:
    """A hand-built export in Google's own format (header lines, '<1' cells, isPartial): the last,
    partial week is flagged by the loader and never read as a drop by the pillar."""
    import hypecheck
    from hypecheck.theme import parse_theme

    rng = np.random.default_rng(0)
    weeks = pd.date_range("2024-01-07", periods=70, freq="W-SUN")
    vals = [str(int(v)) for v in np.round(30 + rng.normal(0, 2, 70))]
    vals[5] = "<1"
    vals[65] = "100"
    vals[-1] = "3"  # the partial week: a collapse that is not real
    lines = ["Category: All categories", "", "Week,small cap: (United States),isPartial"]
    lines += [
        f"{d.date()},{v},{'True' if i == 69 else 'False'}"
        for i, (d, v) in enumerate(zip(weeks, vals, strict=True))
    ]
    (tmp_path / "multiTimeline.csv").write_text("\r\n".join(lines) + "\r\n", "utf-8")
    theme = parse_theme({"id": "t", "title": "t", "question": "q?", "attention": {"terms": ["small cap"]}})
    r = hypecheck.check(theme, data=tmp_path, as_of=str(weeks[-1].date() + pd.Timedelta(days=6)))
    att = r.pillars["attention"]
    assert any("is partial and was left out" in n for n in att.notes)
    row = att.tables["terms"][0]
    assert row["last_date"] == str(weeks[-2].date()) and row["current_spike"] == str(weeks[65].date())
    series = hypecheck.load_catalog(tmp_path).get("search", "small cap")
    assert (
        series.flags is not None
        and bool(series.flags["partial"].iloc[-1])
        and bool(series.flags["below_one"].iloc[5])
    )
    assert series.values.iloc[5] == 0.5


def test_report_shows_spikes_and_persistence(shared_data: Path, tmp_path: Path) -> None:
    import hypecheck
    from hypecheck.report import write_report

    r = hypecheck.check("recession-scare", data=shared_data, as_of="2025-12-31")
    write_report(r, tmp_path)
    html = (tmp_path / "report.html").read_text("utf-8")
    assert "<h3>spikes</h3>" in html and "<h3>after spikes</h3>" in html
    assert "persist_status" in html and (tmp_path / "charts" / "attention.png").exists()
    for t in TERMS:
        assert f"<td>{t}</td>" in html


def _search(values, start: int = 0, origin: str = "x.csv", flags=None):
    from hypecheck.schema import SeriesData, SeriesMeta

    idx = IDX[start : start + len(values)]
    meta = SeriesMeta(id="t", kind="search", source="files", origin=origin, frequency="W")
    return SeriesData(meta, pd.Series(np.asarray(values, dtype="float64"), index=idx), flags)


def test_catalog_averages_repeated_pulls_and_keeps_their_band() -> None:
    from hypecheck.schema import Catalog

    c = Catalog()
    rng = np.random.default_rng(8)
    base = np.round(30 + rng.normal(0, 2, 40))
    pulls = [base + d for d in (-2.0, 0.0, 2.0)]
    for i, p in enumerate(pulls):
        c.add(_search(p, origin=f"pull{i}.csv"))
    s = c.get("search", "t")
    assert s.pulls is not None and s.pulls.shape == (40, 3)
    np.testing.assert_allclose(s.values.to_numpy(), base)  # mean of base-2, base, base+2
    _, sd = noise_from_pulls(s.pulls)
    np.testing.assert_allclose(sd.to_numpy(), 2.0)
    assert any("averaged 3 pulls" in n for n in s.meta.notes)


def test_catalog_never_treats_a_duplicate_file_as_a_pull() -> None:
    from hypecheck.schema import Catalog

    c = Catalog()
    c.add(_search([1, 2, 3, 4, 5], origin="a.csv"))
    c.add(_search([1, 2, 3, 4, 5], origin="b.csv"))
    s = c.get("search", "t")
    assert s.pulls is None and any("duplicate file" in n for n in s.meta.notes)


def test_catalog_stitches_overlapping_windows_and_refuses_disjoint_ones() -> None:
    from hypecheck.schema import Catalog

    truth = np.linspace(10, 200, 60)
    w1, w2 = truth[:40] / truth[:40].max() * 100, truth[30:] / truth[30:].max() * 100
    c = Catalog()
    c.add(_search(w1, 0, "early.csv"))
    c.add(_search(w2, 30, "late.csv"))
    s = c.get("search", "t")
    np.testing.assert_allclose(s.values.to_numpy(), truth / truth.max() * 100, rtol=1e-9)
    assert any("stitched two windows" in n for n in s.meta.notes)
    d = Catalog()
    d.add(_search(w1[:20], 0, "a.csv"))
    d.add(_search(w2[-20:], 40, "b.csv"))
    s2 = d.get("search", "t")
    assert len(s2.values) == 20 and s2.meta.origin == "a.csv"  # not spliced; earlier start kept
    assert any("not combined" in n for n in s2.meta.notes)
