"""The lab (``hypecheck.lab``): causal features, outcomes, walk-forward honesty, bootstrap and skill.

Every test checks values against something independent of the code under test: the same features on
truncated inputs (causality), a pandas computation from the raw CSVs (outcomes), perturbed future
outcomes (walk-forward), a hand-enumerated bootstrap, scikit-learn (AUC, Brier, logistic
regression), the local engine (Dask), and the mirrored pair (orientation).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hypecheck.lab import features as F
from hypecheck.lab import history as H
from hypecheck.lab import model as M
from hypecheck.schema import Catalog

HORIZONS = (1, 3, 6, 12)
OUTCOMES = [f"outcome_{h}m" for h in HORIZONS]
RELS = tuple(f"rel_{h}m" for h in HORIZONS)  # log relative returns (the null's scale)


# ------------------------------------------------------------------------------------------ helpers
def read_close(shared: Path, ticker: str) -> pd.Series:
    """A ``Date,Close`` CSV of the shared ETF folder as a float Series (read independently)."""
    df = pd.read_csv(shared / "prices" / "etf_daily" / f"{ticker}.csv")
    return pd.Series(df["Close"].to_numpy(float), index=pd.to_datetime(df["Date"]), name=ticker)


def month_ends(start: str, n: int) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="ME")


def random_walk(
    rng: np.random.Generator, index: pd.DatetimeIndex, vol: float, drift: float = 0.0
) -> pd.Series:
    return pd.Series(100.0 * np.exp(np.cumsum(rng.normal(drift, vol, len(index)))), index=index)


def synthetic_monthly(seed: int = 7, n: int = 240) -> dict[str, pd.Series]:
    rng = np.random.default_rng(seed)
    idx = month_ends("1970-01-31", n)
    out = {k: random_walk(rng, idx, 0.05) for k in ("a", "b", "twin_a", "twin_b")}
    # search interest stamped on the 1st, known the day after its month ends (as history does)
    svi = pd.Series(rng.uniform(5, 100, n), index=pd.date_range("1970-01-01", periods=n, freq="MS"))
    known = pd.DatetimeIndex(svi.index + pd.offsets.MonthEnd(0) + pd.Timedelta(days=1))
    out["term_a"] = F.known_asvi(svi, known)
    out["term_b"] = F.known_asvi(svi.iloc[::-1].set_axis(svi.index), known)
    return out


def cut_catalog(cat: Catalog, d: pd.Timestamp) -> Catalog:
    """The catalog with nothing dated after ``d`` (each series cut, metadata unchanged)."""
    out = Catalog()
    for sd in cat:
        out.add(sd.cut(d))
    return out


def sub_universe(u: H.Universe, pairs: list[tuple[str, str, str]]) -> H.Universe:
    return dataclasses.replace(u, pairs=tuple(pairs))


@pytest.fixture(scope="module")
def files_catalog(shared_data: Path) -> Catalog:
    from hypecheck.api import load_catalog

    cat = load_catalog(shared_data)
    source = cat.source
    assert source == "files"
    return cat


@pytest.fixture(scope="module")
def etf_universe() -> H.Universe:
    return H.load_universe("etf")


@pytest.fixture(scope="module")
def etf_history(files_catalog: Catalog, etf_universe: H.Universe) -> H.History:
    return H.build_history(files_catalog, etf_universe, name="files", source="files")


@pytest.fixture(scope="module")
def kf_history(bundled_catalog: Catalog) -> H.History:
    return H.build_history(
        bundled_catalog, H.load_universe("ken-french"), name="ken-french", source="bundled"
    )


# ================================================================ 1. truncation invariance (causality)
def assert_prefix_equal(full: pd.DataFrame, cut: pd.DataFrame, d: pd.Timestamp) -> None:
    head = full.loc[full.index <= d]
    assert len(head) > 0
    pd.testing.assert_frame_equal(cut.loc[cut.index <= d], head, check_exact=True)


@pytest.mark.shared
@pytest.mark.parametrize(("a", "b"), [("IWM", "SPY"), ("XLK", "XLP")])
@pytest.mark.parametrize("d", ["2003-03-11", "2008-10-10", "2016-06-25", "2021-12-31"])
def test_pair_features_unchanged_by_truncation_daily(shared_data: Path, a: str, b: str, d: str) -> None:
    sa, sb = read_close(shared_data, a), read_close(shared_data, b)
    twin_b = read_close(shared_data, "RSP")  # any extra close series exercises the ew_confirm path
    D = pd.Timestamp(d)
    full = F.pair_features(sa, sb, F.DAILY, twin_b=twin_b)
    cut = F.pair_features(sa.loc[:D], sb.loc[:D], F.DAILY, twin_b=twin_b.loc[:D])
    assert cut.index.max() <= D
    assert_prefix_equal(full, cut, D)
    # not vacuous: by 2008 every window (the longest is the RRG's 574 days) is full somewhere
    if D.year >= 2008:
        assert cut[["sharpness", "rs_ratio", "rs_momentum", "mom_12m", "ew_confirm_b"]].notna().any().all()


@pytest.mark.parametrize("cut_at", [70, 100, 101, 150, 239])
def test_pair_features_unchanged_by_truncation_monthly(cut_at: int) -> None:
    s = synthetic_monthly()
    D = s["a"].index[cut_at - 1]
    full = F.pair_features(
        s["a"],
        s["b"],
        F.MONTHLY,
        twin_a=s["twin_a"],
        twin_b=s["twin_b"],
        term_a=s["term_a"],
        term_b=s["term_b"],
    )
    cut = F.pair_features(
        s["a"].loc[:D],
        s["b"].loc[:D],
        F.MONTHLY,
        twin_a=s["twin_a"].loc[:D],
        twin_b=s["twin_b"].loc[:D],
        term_a=s["term_a"].loc[:D],
        term_b=s["term_b"].loc[:D],
    )
    assert len(cut) == cut_at
    assert_prefix_equal(full, cut, D)
    if cut_at >= 100:
        assert cut.iloc[-1].notna().all()  # every column defined by then: not a NaN-only comparison


def test_context_primitives_unchanged_by_truncation() -> None:
    rng = np.random.default_rng(3)
    days = pd.bdate_range("2000-01-03", periods=900)
    sectors = pd.DataFrame({f"S{i}": random_walk(rng, days, 0.01).to_numpy() for i in range(5)}, index=days)
    sectors.iloc[:300, 0] = np.nan  # a sector that starts later
    sectors.iloc[600:, 1] = np.nan  # and one that stops
    macro = pd.Series(rng.normal(0, 1, len(days)).cumsum(), index=days + pd.Timedelta(days=1))
    svi = pd.Series(rng.uniform(1, 100, 120), index=pd.date_range("2000-01-02", periods=120, freq="W-SUN"))
    svi_known = pd.DatetimeIndex(svi.index + pd.Timedelta(days=7))
    for d in (days[250], days[420], days[777]):
        full, cut = F.participation(sectors, F.DAILY), F.participation(sectors.loc[:d], F.DAILY)
        pd.testing.assert_series_equal(cut, full.loc[:d], check_exact=True)
        full, cut = F.change_over(macro, 3), F.change_over(macro.loc[:d], 3)
        pd.testing.assert_series_equal(cut, full.loc[:d], check_exact=True)
        full, cut = F.known_asvi(svi, svi_known), F.known_asvi(svi.loc[:d], svi_known[svi.index <= d])
        pd.testing.assert_series_equal(cut, full.loc[: cut.index.max()], check_exact=True)
        np.testing.assert_array_equal(F.asof(macro.loc[:d], days[days <= d]), F.asof(macro, days[days <= d]))
    # and by hand: participation on day 400 counts the sectors above their own 200-day mean
    d = days[400]
    ma = sectors.loc[:d].iloc[-200:].mean()
    valid = sectors.loc[:d].iloc[-200:].notna().all()
    above = (sectors.loc[d] > ma)[valid]
    assert F.participation(sectors, F.DAILY).loc[d] == pytest.approx(above.mean(), abs=1e-15)
    # change_over: s_t minus the last value on or before t - 3 months
    t = macro.index[500]
    prev = macro.loc[: t - pd.DateOffset(months=3)].iloc[-1]
    assert F.change_over(macro, 3).loc[t] == pytest.approx(macro.loc[t] - prev, abs=1e-12)


@pytest.mark.shared
@pytest.mark.parametrize("d", ["2006-05-17", "2019-03-08"])
def test_market_context_unchanged_by_truncation(
    files_catalog: Catalog, etf_universe: H.Universe, d: str
) -> None:
    D = pd.Timestamp(d)
    cut = cut_catalog(files_catalog, D)
    ctx_full, ctx_cut = H.build_context(files_catalog, etf_universe), H.build_context(cut, etf_universe)
    assert set(ctx_full.series) == set(ctx_cut.series)
    if D.year >= 2019:
        assert set(ctx_full.series) == set(F.CONTEXT) - {"rel_vol"}
    idx = pd.DatetimeIndex(files_catalog.get("price", "SPY").values.index)
    on_full, on_cut = ctx_full.on(idx), ctx_cut.on(idx)
    assert_prefix_equal(on_full, on_cut, D)
    assert on_cut.loc[:D].iloc[-1].notna().sum() >= 6
    for k, s in ctx_cut.series.items():
        pd.testing.assert_series_equal(s.loc[:D], ctx_full.series[k].loc[:D], check_exact=True)


@pytest.mark.shared
@pytest.mark.parametrize(("a", "b", "group"), [("IWM", "SPY", "vs_spy"), ("XLP", "XLK", "cross")])
def test_episodes_unchanged_by_truncation_and_pending_outcomes_are_nan(
    files_catalog: Catalog, etf_universe: H.Universe, a: str, b: str, group: str
) -> None:
    u = sub_universe(etf_universe, [(a, b, group)])
    (p_full,), _ = H.pair_inputs(files_catalog, u)
    ctx_full = H.build_context(files_catalog, u)
    full = H.episodes_of(p_full, u.freq, ctx_full)
    assert len(full) >= 10
    feat_full = H.features_for(p_full, u.freq, ctx_full)
    for k in (len(full) // 3, 2 * len(full) // 3):
        # cut 45 days after a birth: that birth's 1-month outcome is known, its 3-12-month ones pending
        D = full["date"].iloc[k] + pd.Timedelta(days=45)
        cat = cut_catalog(files_catalog, D)
        (p_cut,), _ = H.pair_inputs(cat, u)
        ctx_cut = H.build_context(cat, u)
        assert_prefix_equal(feat_full, H.features_for(p_cut, u.freq, ctx_cut), D)
        cut = H.episodes_of(p_cut, u.freq, ctx_cut)
        head = full.loc[full["date"] <= D].reset_index(drop=True)
        assert len(cut) == len(head) >= k + 1
        same = [c for c in cut.columns if c not in (*OUTCOMES, *RELS, "data_end")]
        pd.testing.assert_frame_equal(cut[same], head[same], check_exact=True)
        last = cut["data_end"].iloc[0]
        assert last == feat_full.index[feat_full.index <= D][-1]
        for h, col in [*zip(HORIZONS, OUTCOMES, strict=True), *zip(HORIZONS, RELS, strict=True)]:
            pending = (cut["date"] + pd.DateOffset(months=h) > last).to_numpy()
            assert cut.loc[pending, col].isna().all()  # pending: NaN, never a partial return
            np.testing.assert_array_equal(
                cut.loc[~pending, col].to_numpy(), head.loc[~pending, col].to_numpy()
            )
            assert head.loc[~pending, col].notna().all()
        assert np.isfinite(cut["outcome_1m"].iloc[k]) and np.isnan(cut["outcome_3m"].iloc[k])


# ============================================================= 2. outcomes from the raw files, by pandas
def independent_outcomes(la: pd.Series, lg: pd.Series, dates: pd.Series, h: int) -> np.ndarray:
    """Leader minus laggard return from the last common close on or before each date to the last
    common close on or before date + h months; NaN when that is after the last common close."""
    both = pd.concat({"l": la, "g": lg}, axis=1, join="inner").dropna()
    both = both[(both["l"] > 0) & (both["g"] > 0)].sort_index().rename_axis("t").reset_index()
    both["t"] = both["t"].astype("datetime64[ns]")  # one resolution for the as-of join
    d = pd.DatetimeIndex(dates).astype("datetime64[ns]")
    start = pd.DataFrame({"t": d}).reset_index()
    end = pd.DataFrame({"t": d + pd.DateOffset(months=h)}).reset_index()
    s = pd.merge_asof(start.sort_values("t"), both, on="t").sort_values("index")
    e = pd.merge_asof(end.sort_values("t"), both, on="t").sort_values("index")
    r = (e["l"].to_numpy() / s["l"].to_numpy() - 1) - (e["g"].to_numpy() / s["g"].to_numpy() - 1)
    return np.where(end.sort_values("index")["t"].to_numpy() > both["t"].iloc[-1], np.nan, r)


@pytest.mark.shared
def test_etf_outcomes_equal_an_independent_pandas_computation(
    shared_data: Path, etf_history: H.History
) -> None:
    eps = etf_history.episodes
    assert len(eps) > 1000 and etf_history.skipped == []
    assert (eps["direction"] == 1).all()
    closes: dict[str, pd.Series] = {}
    checked = 0
    for (leader, laggard), g in eps.groupby(["leader", "laggard"], sort=False):
        for t in (leader, laggard):
            if t not in closes:
                closes[t] = read_close(shared_data, t)
        for h, col in zip(HORIZONS, OUTCOMES, strict=True):
            want = independent_outcomes(closes[leader], closes[laggard], g["date"], h)
            np.testing.assert_allclose(
                g[col].to_numpy(), want, rtol=0, atol=1e-9, err_msg=f"{leader}/{laggard} {col}"
            )
        checked += len(g)
    assert checked == len(eps)
    # both known and pending outcomes occur, and pending ones are the latest births
    assert eps["outcome_12m"].isna().any() and eps["outcome_12m"].notna().mean() > 0.9
    # the birth's sharpness is at least the threshold in the leader's view
    assert (eps["sharpness"] >= H.EPISODE_K).all()


def test_monthly_outcomes_span_h_month_ends(bundled_catalog: Catalog, kf_history: H.History) -> None:
    eps = kf_history.episodes
    # (on month-end data "plus h months" is the h-th following month-end: 28 February + 1 month is
    # 31 March; calendar months would end on 28 March, whose last close is February's own)
    g = eps[(eps["leader"] == "ff:ind:Enrgy") | (eps["laggard"] == "ff:ind:Enrgy")]
    assert len(g) > 50
    for (leader, laggard), gg in g.groupby(["leader", "laggard"]):
        la = bundled_catalog.get("price", leader).values
        lg = bundled_catalog.get("price", laggard).values
        d = pd.DatetimeIndex(gg["date"])
        assert (d == d + pd.offsets.MonthEnd(0)).all()  # births on month-ends
        for h, col in zip(HORIZONS, OUTCOMES, strict=True):
            end = d + pd.offsets.MonthEnd(h)  # the h-th month-end after the birth
            ok = end <= min(la.index[-1], lg.index[-1])
            want = (
                la.reindex(end).to_numpy() / la.reindex(d).to_numpy()
                - lg.reindex(end).to_numpy() / lg.reindex(d).to_numpy()
            )
            np.testing.assert_allclose(gg[col].to_numpy(), np.where(ok, want, np.nan), rtol=0, atol=1e-9)


@pytest.mark.shared
def test_market_attention_is_informative(files_catalog: Catalog, etf_universe: H.Universe) -> None:
    am = H.build_context(files_catalog, etf_universe).series["attention_market"]
    assert (am == 0).mean() < 0.5
    assert am.index[-1] >= pd.Timestamp("2025-06-01")  # the monthly series runs to 2025-12


# ===================================================================== 3. walk-forward honesty
def synthetic_episodes(seed: int, n: int, years: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("1990-01-01")
    days = np.sort(rng.integers(0, years * 365, n))
    dates = start + pd.to_timedelta(days, unit="D")
    pairs = [("A", "B"), ("B", "A"), ("C", "D"), ("D", "C"), ("A", "C")]
    which = rng.integers(0, len(pairs), n)
    mom = rng.normal(0, 0.1, n)
    sharp = 2 + rng.exponential(0.5, n)
    logit = -0.2 + 4.0 * mom + 0.3 * (sharp - 2.5)
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), 1, -1) * rng.uniform(0.001, 0.2, n)
    eps = pd.DataFrame(
        {
            "date": dates,
            "leader": [pairs[w][0] for w in which],
            "laggard": [pairs[w][1] for w in which],
            "mom_12m": np.where(rng.random(n) < 0.05, np.nan, mom),
            "sharpness": sharp,
            "outcome_6m": y,
        }
    )
    # births within 6 months of the data's end are pending
    end = eps["date"].max() + pd.Timedelta(days=10)
    eps.loc[eps["date"] + pd.DateOffset(months=6) > end, "outcome_6m"] = np.nan
    eps.attrs["data_end"] = end
    return eps


def perturb(
    eps: pd.DataFrame, mask: np.ndarray, rng: np.random.Generator, keep: int | np.ndarray = -1
) -> pd.DataFrame:
    """Flip or redraw the outcomes (keeping NaN pending) and redraw the features of rows ``mask``
    (except rows ``keep``, which are scored and keep their features)."""
    out = eps.copy()
    y = out["outcome_6m"].to_numpy(copy=True)
    m = np.asarray(mask) & ~np.isnan(y)
    flip = rng.random(len(y)) < 0.5
    y[m & flip] = -y[m & flip]
    y[m & ~flip] = rng.normal(0, 0.1, int((m & ~flip).sum()))
    out["outcome_6m"] = y
    fm = np.asarray(mask).copy()
    fm[np.atleast_1d(keep)[np.atleast_1d(keep) >= 0]] = False
    for c in ("mom_12m", "sharpness"):
        v = out[c].to_numpy(copy=True)
        v[fm] = rng.normal(0, 3, int(fm.sum()))
        out[c] = v
    return out


def score(eps: pd.DataFrame, feats: tuple[str, ...]) -> tuple[M.Scored, M.Schedule]:
    eps = eps.copy()
    eps["pair_base_rate"] = M.pair_base_rate(eps, 6)
    sch = M.schedule(eps, 6, eps.attrs["data_end"])
    return M.walk_forward(eps, feats, 6, sch), sch


FEATS = ("mom_12m", "sharpness", "pair_base_rate")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(450, 700),
    picks=st.lists(st.floats(0, 1, exclude_max=True), min_size=3, max_size=6),
)
def test_walk_forward_uses_only_outcomes_known_at_the_date(seed: int, n: int, picks: list[float]) -> None:
    eps = synthetic_episodes(seed, n, 20)
    rng = np.random.default_rng(seed + 1)
    base, sch = score(eps, FEATS)
    assert len(sch.refits) >= 2  # the schedule has walk-forward windows before the holdout
    dates = pd.DatetimeIndex(eps["date"])
    known = M.known_dates(eps, 6)
    scored = np.flatnonzero(~np.isnan(base.p) & ~base.holdout)
    held = np.flatnonzero(base.holdout)
    assert len(scored) > 0 and len(held) > 0
    assert (dates[held] >= sch.holdout_start).all() and (dates[scored] < sch.holdout_start).all()
    # every first-scored episode of a refit window (the largest set of unknown outcomes in its window)
    # plus episodes chosen by hypothesis
    firsts = [int(scored[np.argmax(dates[scored] >= r)]) for r in sch.refits if (dates[scored] >= r).any()]
    chosen = sorted({*firsts, *(int(scored[int(f * len(scored))]) for f in picks)})
    for i in chosen:
        future = np.asarray(known > dates[i])
        alt = perturb(eps, future, rng, keep=i)
        got, sch2 = score(alt, FEATS)
        assert sch2.refits == sch.refits
        assert got.p[i] == base.p[i], f"episode {i} ({dates[i]:%Y-%m-%d}) saw an outcome not yet known"
        assert got.base[i] == base.base[i]
    # a holdout episode sees the outcomes known at its own date through pair_base_rate, nothing later
    for f in picks[:2]:
        i = int(held[int(f * len(held))])
        got, _ = score(perturb(eps, np.asarray(known > dates[i]), rng, keep=i), FEATS)
        assert got.p[i] == base.p[i]
    # the model that scores the holdout is frozen at its first day: with features that carry no
    # outcomes, every holdout probability depends only on the outcomes known by the holdout start
    plain = ("mom_12m", "sharpness")
    base, _ = score(eps, plain)
    future = np.asarray(known > sch.holdout_start)
    got, _ = score(perturb(eps, future, rng, keep=held), plain)
    np.testing.assert_array_equal(got.p[held], base.p[held])
    # not vacuous: changing outcomes that *were* known moves the probabilities
    past = np.asarray(known <= sch.holdout_start)
    got, _ = score(perturb(eps, past, rng, keep=np.arange(len(eps))), plain)
    assert not np.array_equal(got.p[held], base.p[held])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(20, 150))
def test_pair_base_rate_uses_only_outcomes_known_at_the_date(seed: int, n: int) -> None:
    eps = synthetic_episodes(seed, n, 8)
    eps.loc[eps.index[::7], "outcome_6m"] = np.nan  # some outcomes never known (a pair stops trading)
    got = M.pair_base_rate(eps, 6)
    dates = pd.DatetimeIndex(eps["date"])
    known = M.known_dates(eps, 6)
    y = eps["outcome_6m"].to_numpy()
    # by hand: Laplace-smoothed share over the same (leader, laggard)'s outcomes known by the date
    for i in range(n):
        same = (
            (eps["leader"] == eps["leader"].iloc[i]) & (eps["laggard"] == eps["laggard"].iloc[i])
        ).to_numpy()
        m = same & np.asarray(known <= dates[i]) & ~np.isnan(y)
        assert got[i] == pytest.approx((int((y[m] > 0).sum()) + 1) / (int(m.sum()) + 2), abs=1e-15)
    rng = np.random.default_rng(seed)
    for i in rng.choice(n, size=min(n, 10), replace=False):
        alt = perturb(eps, np.asarray(known > dates[i]), rng)
        assert M.pair_base_rate(alt, 6)[i] == got[i]
    assert M.pair_base_rate(eps.iloc[:0], 6).shape == (0,)


# ======================================================================== 4. year-block bootstrap
def test_year_bootstrap_two_years_by_hand() -> None:
    sums, ref = np.array([1.0, 3.0]), np.array([2.0, 4.0])
    # resamples {1,1}, {1,2}, {2,2} with probabilities 1/4, 1/2, 1/4
    exact = {1 - 1 / 2: 0.25, 1 - 4 / 6: 0.5, 1 - 3 / 4: 0.25}
    draws = M.year_bootstrap(sums, ref, boot=20000, seed=0)
    assert draws.shape == (20000,)
    vals = np.array(list(exact))
    nearest = vals[np.argmin(np.abs(draws[:, None] - vals[None, :]), axis=1)]
    np.testing.assert_allclose(draws, nearest, rtol=0, atol=1e-12)  # only the three values occur
    for v, prob in exact.items():
        assert abs(np.mean(nearest == v) - prob) < 0.01
    expect = sum(v * prob for v, prob in exact.items())
    assert draws.mean() == pytest.approx(expect, abs=0.003)
    # the same seed gives the same draws; another seed other draws
    np.testing.assert_array_equal(draws, M.year_bootstrap(sums, ref, boot=20000, seed=0))
    assert not np.array_equal(draws, M.year_bootstrap(sums, ref, boot=20000, seed=1))
    # a resample whose reference total is 0 has no statistic
    d0 = M.year_bootstrap(np.array([0.0, 1.0]), np.array([0.0, 2.0]), boot=4000, seed=0)
    assert abs(np.isnan(d0).mean() - 0.25) < 0.03
    np.testing.assert_allclose(np.unique(d0[~np.isnan(d0)]), [0.5], atol=1e-12)


def test_year_bootstrap_three_years_against_full_enumeration() -> None:
    sums, ref = np.array([1.0, 2.0, 7.0]), np.array([3.0, 2.0, 8.0])
    stat: dict[tuple[int, ...], float] = {}
    prob: dict[tuple[int, ...], float] = {}
    for draw in itertools.product(range(3), repeat=3):  # the 27 equally likely ordered draws
        counts = tuple(int(np.sum(np.array(draw) == j)) for j in range(3))
        stat[counts] = 1 - sum(sums[list(draw)]) / sum(ref[list(draw)])
        prob[counts] = prob.get(counts, 0.0) + 1 / 27
    assert len(prob) == 10 and math.isclose(sum(prob.values()), 1.0)
    expect = sum(stat[c] * prob[c] for c in prob)
    boot = 20000
    draws = M.year_bootstrap(sums, ref, boot=boot, seed=0)
    sd = math.sqrt(sum(prob[c] * (stat[c] - expect) ** 2 for c in prob))
    assert abs(draws.mean() - expect) < 4 * sd / math.sqrt(boot)
    # each count vector's value occurs with its multinomial probability
    for c, pr in prob.items():
        freq = np.mean(np.isclose(draws, stat[c], rtol=0, atol=1e-12))
        same_value = sum(prob[o] for o in prob if math.isclose(stat[o], stat[c], abs_tol=1e-12))
        assert abs(freq - same_value) < 4 * math.sqrt(pr * (1 - pr) / boot) + 1e-3


# ========================================================================= 5. AUC, Brier, skill
@pytest.mark.parametrize("seed", range(5))
def test_auc_and_brier_match_sklearn(seed: int) -> None:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 400))
    y = (rng.random(n) < 0.4).astype(float)
    y[:2] = [0.0, 1.0]
    p = np.round(np.clip(0.4 + 0.2 * (y - 0.5) + rng.normal(0, 0.2, n), 0, 1), 1)  # many ties
    assert len(np.unique(p)) < n / 2 or n < 25
    assert M.auc(p, y) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert M.brier(p, y) == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert math.isnan(M.auc(p, np.ones(n))) and math.isnan(M.auc(p, np.zeros(n)))
    assert math.isnan(M.brier(np.array([]), np.array([])))


def test_skill_against_hand_computation() -> None:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    rng = np.random.default_rng(11)
    n = 600
    years = rng.integers(2000, 2015, n)
    out = rng.normal(0.01, 0.1, n)
    p = np.clip(0.5 + 2 * out + rng.normal(0, 0.15, n), 0.01, 0.99)
    base = np.full(n, 0.52)
    mom = np.clip(0.5 + rng.normal(0, 0.1, n), 0.01, 0.99)
    p[::13] = np.nan
    base[::17] = np.nan
    out[::19] = np.nan
    s = M.skill("verdict", "verdict", p, base, mom, out, years, boot=500)
    m = ~np.isnan(p) & ~np.isnan(base) & ~np.isnan(out)
    yy = (out[m] > 0).astype(float)
    b, bb, bm = (brier_score_loss(yy, q[m]) for q in (p, base, mom))
    assert s.n == int(m.sum())
    assert s.brier == pytest.approx(b, abs=1e-12)
    assert s.bss_base == pytest.approx(1 - b / bb, abs=1e-12)
    assert s.bss_momentum == pytest.approx(1 - b / bm, abs=1e-12)
    assert s.auc == pytest.approx(roc_auc_score(yy, p[m]), abs=1e-12)
    assert s.hit_rate == pytest.approx(np.mean((p[m] > 0.5) == (yy == 1)), abs=1e-12)
    assert s.ci_bss_base[0] < s.bss_base < s.ci_bss_base[1]
    # the interval is the 2.5-97.5% percentiles of the year bootstrap of the per-year squared errors
    yrs = np.unique(years[m])
    e = np.array([np.sum((p[m][years[m] == t] - yy[years[m] == t]) ** 2) for t in yrs])
    eb = np.array([np.sum((base[m][years[m] == t] - yy[years[m] == t]) ** 2) for t in yrs])
    lo, hi = np.percentile(M.year_bootstrap(e, eb, 500), [2.5, 97.5])
    assert s.ci_bss_base == pytest.approx((lo, hi), abs=1e-12)
    empty = M.skill("x", "feature", np.full(3, np.nan), np.ones(3), np.ones(3), np.ones(3), np.arange(3))
    assert empty.n == 0 and math.isnan(empty.bss_base)


# ====================================================================== 6. ridge logistic vs sklearn
def logistic_problem(seed: int, n: int = 2000, d: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Z = rng.normal(0, 1, (n, d))
    w = np.array([0.3, 0.8, -0.5, 0.2, -0.1][: d + 1])
    y = (rng.random(n) < 1 / (1 + np.exp(-(w[0] + Z @ w[1:])))).astype(float)
    return Z, y, w


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ridge_logistic_matches_sklearn(seed: int) -> None:
    from sklearn.linear_model import LogisticRegression

    Z, y, _ = logistic_problem(seed)
    # a huge prior is the unpenalised maximum likelihood
    w = M.ridge_logistic(Z, y, prior_sd=1e6)
    sk = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(Z, y)
    np.testing.assert_allclose(w, np.r_[sk.intercept_, sk.coef_[0]], rtol=0, atol=1e-4)
    # a N(0, s^2) prior on the slopes (none on the intercept) is sklearn's L2 penalty with C = s^2
    for s in (0.05, 0.2, 1.0):
        w = M.ridge_logistic(Z, y, prior_sd=s)
        sk = LogisticRegression(C=s**2, tol=1e-12, max_iter=10_000).fit(Z, y)
        np.testing.assert_allclose(w, np.r_[sk.intercept_, sk.coef_[0]], rtol=0, atol=1e-4)


def test_ridge_logistic_shrinks_slopes_toward_zero() -> None:
    Z, y, _ = logistic_problem(5, n=400)
    norms = [
        np.linalg.norm(M.ridge_logistic(Z, y, prior_sd=s)[1:]) for s in (1e3, 1.0, 0.2, 0.05, 0.01, 0.001)
    ]
    assert all(a > b for a, b in itertools.pairwise(norms))
    tiny = M.ridge_logistic(Z, y, prior_sd=1e-4)
    assert np.max(np.abs(tiny[1:])) < 1e-4
    assert tiny[0] == pytest.approx(math.log(y.mean() / (1 - y.mean())), abs=1e-3)  # the base rate
    # separable data: the prior keeps the fit finite
    Zs = np.linspace(-2, 2, 50)[:, None]
    ws = M.ridge_logistic(Zs, (Zs[:, 0] > 0).astype(float))
    assert np.isfinite(ws).all() and ws[1] > 0


# ============================================================================ 7. Dask = local engine
MINI_TOML = """
version = "t1"
name = "mini"
description = "four ETF pairs for the engine test"

[pairs]
vs_spy = [["IWM", "SPY"], ["GLD", "SPY"]]
cross = [["XLP", "XLK"], ["RSPT", "XLK"]]

[twins]
SPY = "RSP"
XLK = "RSPT"
XLP = "RSPS"

[market]
benchmark = "SPY"
equal_weight = "RSP"
sectors = ["XLB", "XLE", "XLF", "XLK", "XLP", "XLU", "XLV"]

[macro]
rate_2y = "DGS2"
curve = "T10Y2Y"
credit = "BAMLH0A0HYM2"
vix = "VIXCLS"

[terms]
market = "stock market"
IWM = "penny stocks"
GLD = "gold price"
"""


@pytest.mark.shared
def test_dask_engine_gives_the_local_episodes(
    files_catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("dask.distributed")
    path = tmp_path / "mini.toml"
    path.write_text(MINI_TOML, encoding="utf-8")
    u = H.load_universe(path)
    assert len(u.pairs) == 4 and u.freq is F.DAILY
    monkeypatch.setattr(H, "PARTITION", 2)  # two partitions, so two tasks on two workers
    local = H.build_history(files_catalog, u, name="mini", source="files", engine="local")
    dask = H.build_history(files_catalog, u, name="mini", source="files", engine="dask")
    assert len(local.episodes) > 20
    assert set(local.episodes["pair"]) == {"IWM-SPY", "GLD-SPY", "XLP-XLK", "RSPT-XLK"}
    pd.testing.assert_frame_equal(dask.episodes, local.episodes, check_exact=True)
    assert dask.data_end == local.data_end and dask.skipped == local.skipped
    # the attention and breadth pillars are fed on this universe
    assert (
        local.episodes[["attention", "attention_market", "ew_confirm", "participation"]].notna().any().all()
    )


# ============================================================================== 8. orientation
def assert_mirrored(ab: pd.DataFrame, ba: pd.DataFrame) -> None:
    pd.testing.assert_index_equal(ab.index, ba.index)
    for c in ("mom_1m", "mom_3m", "mom_6m", "mom_12m", "consistency"):
        # a/a' - b/b' = -(b/b' - a/a') exactly in floating point
        np.testing.assert_array_equal(ba[c].to_numpy(), -ab[c].to_numpy(), err_msg=c)
    for c in ("sharpness", "rs_ratio", "rs_momentum"):
        x, y = ab[c].to_numpy(), ba[c].to_numpy()
        np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=c)
        np.testing.assert_allclose(y, -x, rtol=0, atol=1e-9, err_msg=c)
    for name in ("dist_high", "ew_confirm", "attention"):
        pd.testing.assert_series_equal(ba[f"{name}_a"], ab[f"{name}_b"], check_names=False, atol=1e-12)
        pd.testing.assert_series_equal(ba[f"{name}_b"], ab[f"{name}_a"], check_names=False, atol=1e-12)
    pd.testing.assert_series_equal(ba["rel_vol"], ab["rel_vol"], atol=1e-15)
    pd.testing.assert_series_equal(ba["a"], ab["b"], check_names=False)


def test_orientation_mirrors_the_features_synthetic() -> None:
    s = synthetic_monthly(seed=21, n=300)
    kw = {"twin_a": s["twin_a"], "twin_b": s["twin_b"], "term_a": s["term_a"], "term_b": s["term_b"]}
    ab = F.pair_features(s["a"], s["b"], F.MONTHLY, **kw)
    ba = F.pair_features(
        s["b"],
        s["a"],
        F.MONTHLY,
        twin_a=s["twin_b"],
        twin_b=s["twin_a"],
        term_a=s["term_b"],
        term_b=s["term_a"],
    )
    assert ab[list(F.SIGNED)].notna().all(axis=1).sum() > 100
    assert_mirrored(ab, ba)
    # the leader's view does not depend on the order in which the pair is listed
    rows = np.arange(120, 300, 7)
    d = np.where(np.arange(len(rows)) % 2 == 0, 1, -1)
    x, y = F.orient(ab, rows, d), F.orient(ba, rows, -d)
    pd.testing.assert_frame_equal(x, y, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(F.outcomes(ab, rows, d, 6), F.outcomes(ba, rows, -d, 6))
    # dist_high by hand: log relative strength below its 12-month high, above its 12-month low
    rs = np.log(s["a"]) - np.log(s["b"])
    t = ab.index[200]
    win = rs.loc[:t].iloc[-12:]
    assert ab.loc[t, "dist_high_a"] == pytest.approx(rs.loc[t] - win.max(), abs=1e-12)
    assert ab.loc[t, "dist_high_b"] == pytest.approx(win.min() - rs.loc[t], abs=1e-12)


@pytest.mark.shared
def test_orientation_mirrors_features_and_episodes_on_etfs(
    files_catalog: Catalog, etf_universe: H.Universe
) -> None:
    u = sub_universe(etf_universe, [("IWM", "SPY", "vs_spy"), ("SPY", "IWM", "vs_spy")])  # both orders
    inputs, skipped = H.pair_inputs(files_catalog, u)
    assert skipped == [] and len(inputs) == 2
    ctx = H.build_context(files_catalog, u)
    ab, ba = (
        F.pair_features(
            p.pa, p.pb, F.DAILY, twin_a=p.twin_a, twin_b=p.twin_b, term_a=p.term_a, term_b=p.term_b
        )
        for p in inputs
    )
    assert_mirrored(ab, ba)
    e_ab, e_ba = (H.episodes_of(p, u.freq, ctx) for p in inputs)
    assert len(e_ab) >= 10
    keys = ["date", "leader", "laggard", "direction"]
    pd.testing.assert_frame_equal(e_ab[keys], e_ba[keys])
    cols = [c for c in e_ab.columns if c not in (*keys, "pair")]
    pd.testing.assert_frame_equal(e_ab[cols], e_ba[cols], rtol=0, atol=1e-9)


# ===================================================================== disk cache of a history
def test_history_disk_cache_round_trips_and_keys_on_the_data(
    bundled_catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hypecheck.schema import Catalog as Cat
    from hypecheck.schema import SeriesData

    monkeypatch.setenv("HYPECHECK_CACHE", str(tmp_path))
    u = H.load_universe("ken-french")
    fresh = H.build_history(bundled_catalog, u, name="ken-french", source="bundled")
    files = list(tmp_path.glob("*.parquet"))
    assert len(files) == 1 and files[0].stem == H.fingerprint(bundled_catalog, u)
    again = H.build_history(bundled_catalog, u, name="ken-french", source="bundled")
    pd.testing.assert_frame_equal(fresh.episodes, again.episodes, check_exact=True)
    assert again.context is None  # read back, not rebuilt
    # one changed value in one input series is another key (a rebuilt panel, not a stale one)
    changed = Cat()
    for sd in bundled_catalog:
        v = sd.values
        if sd.meta.id == "ff:ind:Enrgy":
            v = v.copy()
            v.iloc[-1] *= 1.01
        changed.add(SeriesData(sd.meta, v, sd.flags, sd.pulls))
    assert H.fingerprint(changed, u) != H.fingerprint(bundled_catalog, u)
    # a damaged cache file is a miss: rebuilt, equal to the fresh panel
    files[0].write_bytes(b"not parquet")
    healed = H.build_history(bundled_catalog, u, name="ken-french", source="bundled")
    pd.testing.assert_frame_equal(fresh.episodes, healed.episodes, check_exact=True)


def test_a_deeply_nested_universe_file_read_by_the_library_is_an_input_error(tmp_path: Path) -> None:
    """load_universe itself (not only the scan's guard) bounds TOML nesting: 500 levels deep is an
    InputError naming the file, never a RecursionError."""
    from hypecheck.errors import InputError

    p = tmp_path / "deep.toml"
    p.write_text("x = " + "[" * 500 + "]" * 500 + "\n", "utf-8")
    with pytest.raises(InputError, match=r"deep.toml nests arrays or tables \d+ deep; at most"):
        H.load_universe(p)
