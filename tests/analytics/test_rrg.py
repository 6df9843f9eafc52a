"""Relative Rotation Graph: published JdK properties on synthetic cycles, causality, errors, and an
independent re-computation."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hypecheck.analytics.rrg import (
    RRGResult,
    compass,
    heading_degrees,
    min_history,
    quadrant,
    rrg,
)

CLOCKWISE_NEXT = {
    "improving": "leading",
    "leading": "weakening",
    "weakening": "lagging",
    "lagging": "improving",
}


def _cycle_prices(
    n_days: int, period_days: float, amp: float = 0.1, noise: float = 0.0, seed: int = 0
) -> tuple[pd.Series, pd.Series]:
    """Benchmark = random walk; ticker = benchmark * exp(amp * sin(2 pi t / period)) (+ optional noise),
    so log RS is a known sine wave."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2005-01-03", periods=n_days)
    bench = 100.0 * np.exp(np.cumsum(rng.normal(0.0003, 0.01, n_days)))
    t = np.arange(n_days)
    log_rs = amp * np.sin(2 * np.pi * t / period_days) + noise * rng.normal(size=n_days)
    return (
        pd.Series(bench * np.exp(log_rs), index=dates, name="CYC"),
        pd.Series(bench, index=dates, name="BM"),
    )


def _peak_lag(a: pd.Series, b: pd.Series, max_lag: int) -> int:
    """Lag k maximising corr(a_t, b_{t+k}): k > 0 means b follows a."""
    lags = list(range(-max_lag, max_lag + 1))
    corrs = [a.corr(b.shift(-k)) for k in lags]
    return lags[int(np.nanargmax(corrs))]


# (freq, trading days per period, period in points); weekly = 52-week cycle, daily = 260-day cycle.
CASES = [("W", 5 * 52, 52), ("D", 260, 260)]


@pytest.fixture(scope="module", params=CASES, ids=["weekly", "daily"])
def cycle(request: pytest.FixtureRequest) -> tuple[pd.DataFrame, int]:
    freq, period_days, period = request.param
    p, b = _cycle_prices(12 * 260, period_days)
    f = rrg(p, b, freq=freq).frame
    return f, period


# 1 ------------------------------------------------------------------------------------------------
def test_rs_ratio_lags_rs(cycle: tuple[pd.DataFrame, int]) -> None:
    f, period = cycle
    k = _peak_lag(np.log(f["rs"]), f["rs_ratio"], period // 2)
    assert 0 < k < period // 4  # a smoothing lag (EMA ~ (span-1)/2), well short of a quarter cycle


def test_rs_ratio_lags_rs_with_noise() -> None:
    p, b = _cycle_prices(12 * 260, 5 * 40, amp=0.1, noise=0.01, seed=7)
    f = rrg(p, b).frame
    assert 0 < _peak_lag(np.log(f["rs"]), f["rs_ratio"], 20) < 10


# 2 ------------------------------------------------------------------------------------------------
def test_rs_momentum_leads_rs_ratio(cycle: tuple[pd.DataFrame, int]) -> None:
    f, period = cycle
    k = _peak_lag(f["rs_momentum"], f["rs_ratio"], period // 2)  # ratio follows momentum by k
    assert period / 8 < k < 3 * period / 8  # about a quarter cycle, as a derivative should


def test_momentum_peaks_before_ratio_peaks() -> None:
    p, b = _cycle_prices(12 * 260, 5 * 52)
    f = rrg(p, b).frame
    x, y = f["rs_ratio"].to_numpy(), f["rs_momentum"].to_numpy()

    def peaks(v: np.ndarray) -> np.ndarray:
        return np.flatnonzero((v[1:-1] > v[:-2]) & (v[1:-1] >= v[2:])) + 1

    px, py = peaks(x), peaks(y)
    assert len(px) >= 5
    for i in px[1:]:
        before = py[py < i]
        assert len(before) and 0 < i - before[-1] < 26  # the last momentum peak came first


# 3 ------------------------------------------------------------------------------------------------
def test_both_oscillate_around_100(cycle: tuple[pd.DataFrame, int]) -> None:
    f, period = cycle
    n_cycles = len(f) // period
    assert n_cycles >= 7
    f = f.iloc[-n_cycles * period :]  # whole cycles
    for col in ("rs_ratio", "rs_momentum"):
        v = f[col].to_numpy()
        assert abs(v.mean() - 100) < 0.1
        crossings = int(np.sum(np.diff(np.sign(v - 100)) != 0))
        assert 2 * n_cycles - 1 <= crossings <= 2 * n_cycles + 1


# 4 ------------------------------------------------------------------------------------------------
def test_rotation_is_clockwise(cycle: tuple[pd.DataFrame, int]) -> None:
    f, period = cycle
    x = f["rs_ratio"].to_numpy() - 100
    y = f["rs_momentum"].to_numpy() - 100
    for start in range(0, len(x) - period, period):  # each full cycle on its own
        xs, ys = x[start : start + period + 1], y[start : start + period + 1]
        assert 0.5 * np.sum(xs[:-1] * ys[1:] - xs[1:] * ys[:-1]) < 0  # shoelace: negative = clockwise
    angle = np.unwrap(np.arctan2(y, x))
    assert np.all(np.diff(angle) < 0)  # the angle around (100, 100) only decreases
    turns = (angle[0] - angle[-1]) / (2 * np.pi)
    assert abs(turns - len(x) / period) < 0.3


def test_quadrant_sequence_runs_clockwise(cycle: tuple[pd.DataFrame, int]) -> None:
    f, _ = cycle
    q = f["quadrant"].to_numpy()
    runs = q[np.r_[True, q[1:] != q[:-1]]]
    assert len(runs) >= 20
    for a, b in itertools.pairwise(runs):
        assert CLOCKWISE_NEXT[a] == b


def test_noisy_rotation_still_clockwise_on_balance() -> None:
    p, b = _cycle_prices(12 * 260, 5 * 40, amp=0.1, noise=0.01, seed=3)
    f = rrg(p, b).frame
    x, y = f["rs_ratio"].to_numpy() - 100, f["rs_momentum"].to_numpy() - 100
    assert 0.5 * np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]) < 0
    q = f["quadrant"].to_numpy()
    runs = q[np.r_[True, q[1:] != q[:-1]]]
    steps = [CLOCKWISE_NEXT[a] == b for a, b in itertools.pairwise(runs)]
    assert np.mean(steps) > 0.8


# 5 ------------------------------------------------------------------------------------------------
def _random_panel(seed: int = 1, n_days: int = 1600) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-01", periods=n_days)
    bench = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, n_days))), index=dates, name="BM")
    cols = {}
    for i, t in enumerate(["AAA", "BBB", "CCC"]):
        c = bench * np.exp(
            np.cumsum(rng.normal(0, 0.008, n_days)) + 0.05 * np.sin(np.arange(n_days) / (30 + 9 * i))
        )
        c[rng.random(n_days) < 0.03] = np.nan  # scattered missing prices
        cols[t] = c
    closes = pd.DataFrame(cols)
    closes.iloc[:200, 2] = np.nan  # CCC starts later
    bench[rng.random(n_days) < 0.01] = np.nan  # and the benchmark misses a few days too
    return closes, bench


def _assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.index) == list(b.index)
    assert list(a["ticker"]) == list(b["ticker"])
    assert list(a["quadrant"]) == list(b["quadrant"])
    np.testing.assert_array_equal(
        a[["rs", "rs_ratio", "rs_momentum"]].to_numpy(), b[["rs", "rs_ratio", "rs_momentum"]].to_numpy()
    )


def test_causal_daily() -> None:
    closes, bench = _random_panel()
    full = rrg(closes, bench, freq="D", smooth=10, window=60, roc=3, mom_window=60)
    for d in closes.index[[900, 1200, 1599]]:
        cut = rrg(closes.loc[:d], bench.loc[:d], freq="D", smooth=10, window=60, roc=3, mom_window=60)
        _assert_same(cut.frame, full.frame.loc[full.frame.index <= d])
        _assert_same(cut.frame, full.as_of(d).frame)


def test_causal_weekly_only_the_partial_week_changes() -> None:
    """A weekly point is labelled by the last date present in its week. Truncating mid-week gives a
    partial-week point labelled by the truncation date, which does not exist in the full result (there
    that week is labelled by its Friday); every point sharing a date label must be identical."""
    closes, bench = _random_panel()
    full = rrg(closes, bench)
    ff = full.frame.set_index("ticker", append=True)
    weekdays = pd.DatetimeIndex(closes.index).day_of_week
    checked_partial = 0
    for d in [closes.index[weekdays == 2][-60], closes.index[weekdays == 4][-30], closes.index[-1]]:
        cut = rrg(closes.loc[:d], bench.loc[:d])
        cf = cut.frame.set_index("ticker", append=True)
        shared = cf.index.intersection(ff.index)
        np.testing.assert_array_equal(
            cf.loc[shared, ["rs", "rs_ratio", "rs_momentum"]].to_numpy(),
            ff.loc[shared, ["rs", "rs_ratio", "rs_momentum"]].to_numpy(),
        )
        only_cut = cf.index.difference(ff.index)
        # the only new points are each ticker's partial last week, labelled with dates <= d ...
        assert all(date.to_period("W-FRI") == d.to_period("W-FRI") for date, _ in only_cut)
        assert len({t for _, t in only_cut}) == len(only_cut)
        checked_partial += len(only_cut)
        # ... and every full-result point of a completed week before d is reproduced exactly
        week_start = d.to_period("W-FRI").start_time
        done = ff.loc[ff.index.get_level_values("date") < week_start]
        assert done.index.isin(cf.index).all()
    assert checked_partial > 0  # the mid-week cut really produced partial-week points


def test_weekly_labels_are_actual_dates() -> None:
    closes, bench = _random_panel()
    closes = closes.drop(
        index=closes.index[pd.DatetimeIndex(closes.index).day_of_week == 4][-5]
    )  # a Friday holiday
    r = rrg(closes.loc[: closes.index[-3]], bench)  # ends on a Wednesday/Thursday...
    dates = r.frame.index.unique()
    assert set(dates) <= set(closes.index)  # never an invented date
    assert r.frame.index.max() == closes.index[-3]  # partial week labelled by its as-of date
    assert r.frame.index[-1].day_of_week != 4
    holiday_week = closes.index[closes.index.day_of_week == 3][-5]
    assert holiday_week in dates  # the week without a Friday is labelled by its Thursday


# 6 ------------------------------------------------------------------------------------------------
def test_quadrant_classification() -> None:
    x = np.array([101, 101, 99, 99, 100, 100, 99.99, 100, np.nan])
    y = np.array([101, 99, 99, 101, 100, 99.99, 100, 101, 100])
    assert list(quadrant(x, y)) == [
        "leading",
        "weakening",
        "lagging",
        "improving",
        "leading",
        "weakening",
        "improving",
        "leading",
        "",
    ]


def test_heading_and_compass() -> None:
    dx = np.array([1, 1, 0, -1, -1, -1, 0, 1, 0, 1])
    dy = np.array([0, 1, 1, 1, 0, -1, -1, -1, 0, 0.2])
    deg = heading_degrees(dx, dy)
    np.testing.assert_allclose(deg[:8], [0, 45, 90, 135, 180, 225, 270, 315])
    assert np.isnan(deg[8])
    words = [compass(float(v)) for v in deg]
    assert words == [
        "east",
        "north-east",
        "north",
        "north-west",
        "west",
        "south-west",
        "south",
        "south-east",
        "",
        "east",
    ]
    assert compass(350.0) == "east" and compass(22.0) == "east" and compass(23.0) == "north-east"


def _hand_result(points: dict[str, list[tuple[float, float]]], tail: int = 3) -> RRGResult:
    dates = pd.date_range("2024-01-05", periods=10, freq="W-FRI")
    rows = []
    for t, pts in points.items():
        for d, (x, y) in zip(dates[-len(pts) :], pts, strict=False):
            rows.append({"date": d, "ticker": t, "rs": 1.0, "rs_ratio": x, "rs_momentum": y})
    f = pd.DataFrame(rows).set_index("date").sort_index(kind="stable")
    f["quadrant"] = quadrant(f["rs_ratio"], f["rs_momentum"])
    return RRGResult(f, "BM", "W", 10, 52, 1, 52, tail, tickers=tuple(points))


def test_latest_on_hand_made_sequences() -> None:
    res = _hand_result(
        {
            # lagging, lagging, improving x3, leading x2 (a brief dip back to lagging first)
            "AAA": [
                (98, 98),
                (98.5, 99),
                (99, 98),
                (98, 100.5),
                (99, 101),
                (99.5, 101.5),
                (100.5, 101.8),
                (103, 104.3),
            ],
            "BBB": [(97, 99)],  # a single point: no heading
            "CCC": [(102, 101), (102, 100.5), (101.5, 99.5)],  # leading x2 then weakening, heading south-west
        }
    )
    lat = res.latest().set_index("ticker")
    assert list(lat.index) == ["AAA", "BBB", "CCC"]
    assert lat.loc["AAA", "quadrant"] == "leading" and lat.loc["AAA", "periods_in_quadrant"] == 2
    assert lat.loc["AAA", "heading_deg"] == pytest.approx(np.degrees(np.arctan2(2.5, 2.5)))
    assert lat.loc["AAA", "heading"] == "north-east"
    assert lat.loc["AAA", "distance"] == pytest.approx(np.hypot(3, 4.3))
    assert lat.loc["BBB", "periods_in_quadrant"] == 1 and lat.loc["BBB", "quadrant"] == "lagging"
    assert lat["heading_deg"].isna()["BBB"] and lat.loc["BBB", "heading"] == ""
    assert lat.loc["CCC", "quadrant"] == "weakening" and lat.loc["CCC", "periods_in_quadrant"] == 1
    assert lat.loc["CCC", "heading"] == "south-west"
    assert lat.loc["CCC", "date"] == res.frame.index.max()
    tails = res.tails()
    assert len(tails["AAA"]) == 3 and len(tails["BBB"]) == 1
    assert list(tails["AAA"].columns) == ["date", "rs_ratio", "rs_momentum"]
    assert tails["AAA"]["rs_ratio"].tolist() == [99.5, 100.5, 103]
    # as_of: AAA's run of "leading" shrinks to 1 one period earlier; CCC is back in leading
    early = res.as_of(res.frame.index.unique()[-2]).latest().set_index("ticker")
    assert early.loc["AAA", "periods_in_quadrant"] == 1 and early.loc["CCC", "periods_in_quadrant"] == 2
    assert "BBB" not in early.index
    assert res.as_of("2000-01-01").latest().empty and res.as_of("2000-01-01").tails() == {}


def test_periods_in_quadrant_counts_the_whole_run() -> None:
    res = _hand_result({"X": [(99, 99), (101, 101), (101, 102), (102, 103), (101, 101.5)]})
    assert res.latest()["periods_in_quadrant"].tolist() == [4]


# 7 ------------------------------------------------------------------------------------------------
def test_too_short_history_raises_naming_the_ticker() -> None:
    p, b = _cycle_prices(40 * 5, 100)
    with pytest.raises(ValueError, match=r"IWM: 40 weekly closes, RRG needs at least 114"):
        rrg(p.rename("IWM"), b)
    with pytest.raises(ValueError, match=r"IWM: 200 daily closes, RRG needs at least 574"):
        rrg(p.rename("IWM"), b, freq="D")
    assert min_history(10, 52, 1, 52) == 114


def test_short_ticker_among_others_is_skipped() -> None:
    closes, bench = _random_panel()
    closes["NEW"] = np.nan
    closes.loc[closes.index[-300:], "NEW"] = 50.0 * np.exp(np.linspace(0, 0.1, 300))
    closes["SELF"] = bench  # RS constant -> no dispersion
    r = rrg(closes, bench)
    assert set(r.skipped) == {"NEW", "SELF"}
    assert r.skipped["NEW"].startswith("NEW: 61 weekly closes") and "at least 114" in r.skipped["NEW"]
    assert "dispersion" in r.skipped["SELF"]
    assert r.tickers == ("AAA", "BBB", "CCC")
    assert set(r.frame["ticker"]) == {"AAA", "BBB", "CCC"}
    assert r.as_of(r.frame.index[-1]).skipped == r.skipped


@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf])
def test_non_positive_prices_raise(bad: float) -> None:
    closes, bench = _random_panel()
    closes.iloc[500, 1] = bad
    with pytest.raises(ValueError, match=r"BBB: non-positive or infinite price"):
        rrg(closes, bench)
    closes, bench = _random_panel()
    bench.iloc[10] = bad
    with pytest.raises(ValueError, match=r"BM: non-positive"):
        rrg(closes, bench)


def test_bad_inputs_raise() -> None:
    closes, bench = _random_panel()
    with pytest.raises(ValueError, match=r"freq must be 'W'.*or 'D'"):
        rrg(closes, bench, freq="M")
    with pytest.raises(ValueError, match="empty"):
        rrg(closes.iloc[:0], bench)
    with pytest.raises(ValueError, match="empty"):
        rrg(pd.DataFrame(index=closes.index), bench)
    with pytest.raises(ValueError, match="no dates in common"):
        rrg(closes, bench.set_axis(pd.DatetimeIndex(bench.index) - pd.Timedelta(days=20 * 365)))
    with pytest.raises(ValueError, match="window must be an integer >= 2"):
        rrg(closes, bench, window=1)
    with pytest.raises(ValueError, match="duplicate dates"):
        rrg(pd.concat([closes, closes.iloc[-1:]]), bench)


# 8 ------------------------------------------------------------------------------------------------
def _reference(p: np.ndarray, b: np.ndarray, smooth: int, window: int, roc: int, mw: int) -> np.ndarray:
    """Plain loops: RS on joint dates, EMA with burn-in, two rolling z-scores. Rows: rs, ratio, mom."""
    ok = ~np.isnan(p) & ~np.isnan(b)
    rs = 100.0 * p[ok] / b[ok]
    n = len(rs)
    alpha = 2.0 / (smooth + 1.0)
    ema = np.empty(n)
    for i in range(n):
        ema[i] = rs[0] if i == 0 else alpha * rs[i] + (1 - alpha) * ema[i - 1]
    ema[:smooth] = np.nan

    def z(v: np.ndarray, w: int) -> np.ndarray:
        out = np.full(len(v), np.nan)
        for i in range(w - 1, len(v)):
            win = v[i - w + 1 : i + 1]
            if not np.isnan(win).any():
                out[i] = (v[i] - win.mean()) / win.std(ddof=1)
        return out

    ratio = z(ema, window)
    chg = np.full(n, np.nan)
    chg[roc:] = ratio[roc:] - ratio[:-roc]
    mom = z(chg, mw)
    return np.vstack([rs, 100 + ratio, 100 + mom])


def test_matches_independent_loop_implementation_daily() -> None:
    closes, bench = _random_panel(seed=11, n_days=300)
    params = {"smooth": 4, "window": 20, "roc": 2, "mom_window": 12}
    r = rrg(closes, bench, freq="D", **params)
    for t in closes.columns:
        ref = _reference(closes[t].to_numpy(), bench.to_numpy(), 4, 20, 2, 12)
        keep = ~np.isnan(ref[2])
        got = r.frame.loc[r.frame["ticker"] == t]
        assert len(got) == keep.sum() > 40
        np.testing.assert_allclose(
            got[["rs", "rs_ratio", "rs_momentum"]].to_numpy().T, ref[:, keep], rtol=0, atol=1e-9
        )
        joint = closes[t].notna() & bench.notna()
        assert list(got.index) == list(closes.index[joint.to_numpy()][keep])


def test_matches_independent_loop_implementation_weekly() -> None:
    closes, bench = _random_panel(seed=12, n_days=900)
    r = rrg(closes, bench, freq="W", smooth=3, window=15, roc=1, mom_window=10)
    for t in closes.columns:
        joint = pd.concat([closes[t], bench], axis=1).dropna()
        # independent week key: a W-FRI week runs Saturday..Friday, i.e. the ISO week of date + 2 days
        last: dict[tuple[int, int], pd.Timestamp] = {}
        for d in joint.index:
            iso = (d + pd.Timedelta(days=2)).isocalendar()
            last[(iso[0], iso[1])] = d
        wk = joint.loc[sorted(last.values())]
        ref = _reference(wk.iloc[:, 0].to_numpy(), wk.iloc[:, 1].to_numpy(), 3, 15, 1, 10)
        keep = ~np.isnan(ref[2])
        got = r.frame.loc[r.frame["ticker"] == t]
        assert list(got.index) == list(wk.index[keep])
        np.testing.assert_allclose(
            got[["rs", "rs_ratio", "rs_momentum"]].to_numpy().T, ref[:, keep], rtol=0, atol=1e-9
        )


# shared data ----------------------------------------------------------------------------------------
@pytest.mark.shared
def test_weekly_rrg_of_size_and_style_etfs_vs_spy(shared_data: Path) -> None:
    folder = shared_data / "prices" / "etf_daily"
    tickers = ["IWM", "IWN", "IWO", "RSP", "XLK"]
    if not all((folder / f"{t}.csv").exists() for t in [*tickers, "SPY"]):
        pytest.skip("ETF price files not present")

    def read(t: str) -> pd.Series:
        s = pd.read_csv(folder / f"{t}.csv", parse_dates=["Date"], index_col="Date")["Close"]
        return s.loc[: pd.Timestamp("2026-01-16")].rename(t)

    closes = pd.concat([read(t) for t in tickers], axis=1, sort=True)
    r = rrg(closes, read("SPY"))
    assert r.skipped == {} and r.benchmark == "SPY" and r.freq == "W"
    lat = r.latest()
    assert list(lat["ticker"]) == tickers
    assert (lat["date"] <= pd.Timestamp("2026-01-16")).all()
    assert r.frame.index.max() <= pd.Timestamp("2026-01-16")
    vals = lat[["rs_ratio", "rs_momentum", "heading_deg", "distance"]].to_numpy(dtype=float)
    assert np.isfinite(vals).all()
    assert list(lat["quadrant"]) == list(quadrant(lat["rs_ratio"], lat["rs_momentum"]))
    assert (lat["periods_in_quadrant"] >= 1).all()
    assert all(len(v) == r.tail for v in r.tails().values())
    f = r.frame
    assert np.isfinite(f[["rs", "rs_ratio", "rs_momentum"]].to_numpy()).all()
    assert (f["quadrant"] == quadrant(f["rs_ratio"], f["rs_momentum"])).all()
    assert abs(f["rs_ratio"].mean() - 100) < 1.0 and abs(f["rs_momentum"].mean() - 100) < 1.0


def _per_ticker_reference(closes: pd.DataFrame, bench: pd.Series, freq: str) -> dict[str, pd.DataFrame]:
    """Each ticker computed alone with ``_one_ticker`` (the definition), as rrg() did before batching."""
    from hypecheck.analytics import rrg as R

    smooth, window, roc, mom, _ = R.DEFAULTS[freq]
    common = closes.index.intersection(bench.index)
    out = {}
    for t in closes.columns:
        rs = (100.0 * closes.loc[common, t].div(bench.loc[common])).dropna()
        if freq == "W":
            rs = R._last_per_week(rs)
        if len(rs) >= R.min_history(smooth, window, roc, mom):
            out[t] = R._one_ticker(rs, smooth, window, roc, mom).dropna()
    return out


@pytest.mark.parametrize("freq", ["W", "D"])
def test_batched_rrg_equals_each_ticker_alone_bit_for_bit(freq: str) -> None:
    """rrg() computes tickers whose dates are a suffix of the others' as one frame: the result must be
    the per-ticker computation exactly (different starts, a ticker missing some Fridays, interior gaps)."""
    from hypecheck.analytics.rrg import rrg

    rng = np.random.default_rng(11)
    idx = pd.bdate_range("2012-01-02", "2025-12-31")
    data = {}
    for k in range(8):
        v = 100 * np.exp(np.cumsum(rng.normal(0.0002 * k, 0.012, len(idx))))
        s = pd.Series(v, index=idx)
        s.iloc[: int(rng.integers(0, 1500))] = np.nan  # a later start
        if k == 5:  # misses every fourth Friday: its weekly points fall on Thursdays (not a suffix)
            fridays = np.flatnonzero(idx.day_of_week == 4)[::4]
            s.iloc[fridays] = np.nan
        if k == 6:  # an interior gap of 40 days
            s.iloc[2000:2040] = np.nan
        data[f"T{k}"] = s
    closes = pd.DataFrame(data)
    bench = pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0003, 0.01, len(idx)))), index=idx, name="B")
    g = rrg(closes, bench, freq=freq)
    ref = _per_ticker_reference(closes, bench, freq)
    assert set(g.tickers) == set(ref) and len(ref) == 8
    for t, want in ref.items():
        got = g.frame[g.frame["ticker"] == t]
        assert got.index.equals(want.index)
        assert np.array_equal(got[["rs", "rs_ratio", "rs_momentum"]].to_numpy(), want.to_numpy())


@pytest.mark.shared
def test_batched_rrg_on_the_shared_etfs(shared_data: Path) -> None:
    from hypecheck.analytics.rrg import rrg
    from hypecheck.data.catalog import load_catalog

    cat = load_catalog(shared_data)
    ids = ["IWM", "IWN", "IWO", "XLK", "XLE", "RSP", "QQQ", "GLD", "TLT", "SMH", "XLU", "VBK"]
    closes = pd.concat({i: cat.get("price", i).values for i in ids if cat.has("price", i)}, axis=1, sort=True)
    spy = cat.get("price", "SPY").values.rename("SPY")
    for freq in ("W", "D"):
        g = rrg(closes, spy, freq=freq)
        ref = _per_ticker_reference(closes, spy, freq)
        assert len(ref) >= 10
        for t, want in ref.items():
            got = g.frame[g.frame["ticker"] == t]
            assert np.array_equal(got[["rs", "rs_ratio", "rs_momentum"]].to_numpy(), want.to_numpy()), t


def _latest_reference(g) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """RRGResult.latest() as first written with pandas groupby (the definition the numpy one must match)."""
    from hypecheck.analytics.rrg import _LATEST_COLUMNS, compass, heading_degrees

    f = g._by_ticker()
    tk = f["ticker"]
    new_run = (f["quadrant"] != f["quadrant"].shift()) | (tk != tk.shift())
    run = new_run.cumsum()
    f["periods_in_quadrant"] = run.map(run.value_counts()).astype("int64")
    same = tk == tk.shift()
    dx = (f["rs_ratio"] - f["rs_ratio"].shift()).where(same)
    dy = (f["rs_momentum"] - f["rs_momentum"].shift()).where(same)
    last = f.groupby("_order", sort=True).tail(1).copy()
    ldx, ldy = dx.loc[last.index].to_numpy(), dy.loc[last.index].to_numpy()
    last["heading_deg"] = heading_degrees(ldx, ldy)
    last["heading"] = [compass(h) for h in last["heading_deg"]]
    last["distance"] = np.hypot(last["rs_ratio"] - 100.0, last["rs_momentum"] - 100.0)
    return last[_LATEST_COLUMNS].reset_index(drop=True)


def _tails_reference(g) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    f = g._by_ticker()
    return {
        str(t): d[["date", "rs_ratio", "rs_momentum"]].tail(g.tail).reset_index(drop=True)
        for t, d in f.groupby("ticker", sort=False)
    }


@pytest.mark.parametrize("freq", ["W", "D"])
def test_latest_and_tails_equal_the_groupby_definition(freq: str) -> None:
    from hypecheck.analytics.rrg import rrg

    rng = np.random.default_rng(5)
    idx = pd.bdate_range("2015-01-01", "2025-06-30")
    closes = pd.DataFrame(
        {f"T{k}": 100 * np.exp(np.cumsum(rng.normal(0, 0.01 + 0.002 * k, len(idx)))) for k in range(9)},
        index=idx,
    )
    closes.iloc[:700, 3] = np.nan
    bench = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx)))), index=idx, name="B")
    for g in (rrg(closes, bench, freq=freq), rrg(closes, bench, freq=freq).as_of("2019-03-01")):
        pd.testing.assert_frame_equal(g.latest(), _latest_reference(g), check_dtype=False, check_exact=True)
        got, want = g.tails(), _tails_reference(g)
        assert list(got) == list(want)
        for t in want:
            pd.testing.assert_frame_equal(got[t], want[t], check_exact=True)


def test_last_per_week_equals_the_period_definition() -> None:
    """The weekly sampling (last observation of each Saturday-Friday week) against pandas' W-FRI periods."""
    from hypecheck.analytics.rrg import _last_per_week

    rng = np.random.default_rng(2)
    days = pd.date_range("1969-12-20", "2026-02-01", freq="D")
    for k in range(30):
        idx = days[np.sort(rng.choice(len(days), size=int(rng.integers(5, 3000)), replace=False))]
        s = pd.Series(rng.normal(size=len(idx)), index=idx)
        want = s.loc[~pd.DatetimeIndex(s.index).to_period("W-FRI").duplicated(keep="last")]
        got = _last_per_week(s)
        assert got.index.equals(want.index) and np.array_equal(got.to_numpy(), want.to_numpy()), k
