"""The random-walk null (lab/null.py), clusters (lab/clusters.py) and the block bootstrap
(lab/bootstrap.py), on simulated and hand-built data: no ../shared needed."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hypecheck.lab import bootstrap as B
from hypecheck.lab import clusters as C
from hypecheck.lab import null as N

MOVE, H = 15, 126  # the 15-day move and a 6-month horizon in trading days
WARM = 400  # days of history before the birth (EWMA warm-up)


def garch_paths(n_paths: int, n_days: int, seed: int) -> np.ndarray:
    """Daily relative log returns of ``n_paths`` driftless GARCH(1,1) pairs with Student-t(6)
    innovations (omega, alpha, beta = 2e-6, 0.08, 0.90: long-run daily sd 1%)."""
    rng = np.random.default_rng(seed)
    omega, alpha, beta, nu = 2e-6, 0.08, 0.90, 6.0
    eps = rng.standard_t(nu, size=(n_paths, n_days)) / math.sqrt(nu / (nu - 2))
    r = np.empty((n_paths, n_days))
    s2 = np.full(n_paths, omega / (1 - alpha - beta))
    for t in range(n_days):
        r[:, t] = np.sqrt(s2) * eps[:, t]
        s2 = omega + alpha * r[:, t] ** 2 + beta * s2
    return r


def births(r: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each path: the move over the last 15 days before day WARM, oriented so it is positive, the
    conditional sigma at the birth, and the oriented log return over the next H days."""
    sig = np.array([N.conditional_sigma(x[:WARM], N.LAMBDA["daily"])[-1] for x in r])
    mv = r[:, WARM - MOVE : WARM].sum(axis=1)
    d = np.sign(mv)
    after = r[:, WARM : WARM + H].sum(axis=1)
    return mv * d, sig, after * d


@pytest.fixture(scope="module")
def simulated() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """10,000 test paths, and 10,000 earlier paths whose standardised outcomes fit the tails (the
    lab fits them on outcomes known before a birth, never on the births it scores)."""
    return {
        "train": births(garch_paths(10_000, WARM + H, seed=1)),
        "test": births(garch_paths(10_000, WARM + H, seed=2)),
    }


def test_null_probability_is_calibrated_on_simulated_random_walks(simulated) -> None:
    _mv0, s0, r0 = simulated["train"]
    tails = N.fit_tails(N.standardise(r0, s0, H))
    mv, sig, r = simulated["test"]
    p = N.p_kept(mv, sig, H, tails)
    kept = r > -mv / 2
    assert abs(kept.mean() - p.mean()) < 0.02, (kept.mean(), p.mean())
    # and in each third of the null probability, not only on average
    order = np.argsort(p)
    for chunk in np.array_split(order, 3):
        assert abs(kept[chunk].mean() - p[chunk].mean()) < 0.03


def test_normal_null_with_trailing_sd_is_what_the_conditional_one_fixes(simulated) -> None:
    """The reason for the conditional sigma: the equal-weight trailing year understates the
    volatility after a sharp move, so the null's probability of keeping half is too high."""
    mv, sig, r = simulated["test"]
    paths = garch_paths(10_000, WARM + H, seed=2)
    trailing = paths[:, WARM - 252 - MOVE : WARM - MOVE].std(axis=1, ddof=1)
    sharp = mv / (trailing * math.sqrt(MOVE)) >= 2  # the lab's births: 2 trailing deviations
    assert sharp.sum() > 400
    kept = (r > -mv / 2)[sharp]
    p_trailing = N.p_kept(mv, trailing, H, N.Tails())[sharp]
    p_cond = N.p_kept(mv, sig, H, N.Tails())[sharp]
    assert p_trailing.mean() - kept.mean() > 0.03  # measured +4.2 pp: the trailing null is biased
    assert abs(p_cond.mean() - kept.mean()) < 0.02  # measured -1.1 pp


def test_range_coverage_on_simulated_garch_paths(simulated) -> None:
    _mv0, s0, r0 = simulated["train"]
    tails = N.fit_tails(N.standardise(r0, s0, H))
    _, sig, r = simulated["test"]
    for level in (0.5, 0.8, 0.95):
        lo, hi = N.null_range(sig, H, tails, level)
        assert abs(((r >= lo) & (r <= hi)).mean() - level) < 0.02, level


def test_conditional_sigma_is_the_ewma_recursion_and_causal() -> None:
    """One-step-ahead EWMA: an independent recursion started at the first squared return, equal to
    arch's EWMAVariance once its backcast has decayed, and truncation-proof (arch's backcast reads the
    first 75 returns, a look-ahead for the first 75 values: this one has none)."""
    from arch.univariate import EWMAVariance

    d = np.random.default_rng(3).normal(size=600) * 0.01
    lam = 0.94
    s2 = d[0] ** 2
    ref = [math.sqrt(s2)]
    for x in d[1:]:
        s2 = lam * s2 + (1 - lam) * x**2
        ref.append(math.sqrt(s2))
    out = N.conditional_sigma(d, lam)
    np.testing.assert_allclose(out, ref, rtol=1e-12)
    for cut in (10, 75, 300):
        np.testing.assert_array_equal(N.conditional_sigma(d[:cut], lam), out[:cut])
    v = EWMAVariance(lam=lam)
    a2 = np.empty(len(d))
    v.compute_variance(np.empty(0), d, a2, v.backcast(d), np.tile([0.0, np.inf], (len(d), 1)))
    arch_next = np.sqrt(lam * a2 + (1 - lam) * d**2)
    np.testing.assert_allclose(out[300:], arch_next[300:], rtol=1e-6)


def test_tails_fit_equals_scipy_mle() -> None:
    z = stats.t.rvs(5, size=4000, random_state=0) * 1.3
    t = N.fit_tails(z)
    df, _, scale = stats.t.fit(z, floc=0)
    assert t.df == pytest.approx(df, rel=1e-3) and t.scale == pytest.approx(scale, rel=1e-3)
    assert N.fit_tails(z[:50]) == N.Tails()  # too few: the standard normal
    g = np.random.default_rng(0).normal(size=4000) * 0.8
    tg = N.fit_tails(g)
    assert math.isinf(tg.df) or tg.df > 50
    assert tg.scale == pytest.approx(0.8, rel=0.05)


# ------------------------------------------------------------------------------------- clusters
def _closes(r: np.ndarray, idx: pd.DatetimeIndex) -> pd.Series:
    return pd.Series(100 * np.exp(np.cumsum(r)), index=idx)


def test_clusters_join_near_identical_pairs_and_nothing_else() -> None:
    """A and A' (A plus 1 bp of noise) against the same C are one narrative told twice; the pair D-E
    born the same day, and A-C's own reversal a day later, are narratives of their own."""
    rng = np.random.default_rng(7)
    idx = pd.bdate_range("2020-01-01", periods=400)
    ra = rng.normal(0, 0.01, 400)
    px = {
        "A": _closes(ra, idx),
        "A2": _closes(ra + rng.normal(0, 0.0001, 400), idx),
        "C": _closes(rng.normal(0, 0.01, 400), idx),
        "D": _closes(rng.normal(0, 0.01, 400), idx),
        "E": _closes(rng.normal(0, 0.01, 400), idx),
    }
    pairs = {"A-C": ("A", "C"), "A2-C": ("A2", "C"), "D-E": ("D", "E")}
    rets = {k: C.relative_returns(px[a], px[b]) for k, (a, b) in pairs.items()}
    day = idx[300]
    eps = pd.DataFrame(
        {
            "date": [day, day, day + pd.Timedelta(days=3), idx[303], idx[320]],
            "leader": ["A", "D", "A2", "C", "A2"],
            "laggard": ["C", "E", "C", "A", "C"],
            "pair": ["A-C", "D-E", "A2-C", "A-C", "A2-C"],
        }
    )
    got = C.assign(eps, rets, pairs, "daily")
    assert got[2] == got[0] == f"{day:%Y-%m-%d} A-C"  # A2 over C three days later: A over C's cluster
    assert got[1] != got[0]  # an unrelated pair the same day
    assert got[3] not in (got[0], got[1], got[2])  # the reversal C over A: its own narrative
    assert got[4] == f"{idx[320]:%Y-%m-%d} A2-C"  # 20 trading days later: a new narrative
    # a later birth never changes an earlier one's cluster
    np.testing.assert_array_equal(C.assign(eps.iloc[:3], rets, pairs, "daily"), got[:3])


# ------------------------------------------------------------------------------------ bootstrap
def test_block_weights_resample_clusters_within_years() -> None:
    clusters = np.array(["a", "a", "b", "c", "c", "c", "d"])
    years = np.array([2000, 2000, 2000, 2001, 2001, 2001, 2001])
    W = B.block_weights(clusters, years, boot=4000, seed=1)
    # rows of one cluster always share a weight; every draw holds as many clusters as there are
    np.testing.assert_array_equal(W[:, 0], W[:, 1])
    np.testing.assert_array_equal(W[:, 3], W[:, 5])
    per_cluster = W[:, [0, 2, 3, 6]]
    np.testing.assert_array_equal(per_cluster.sum(axis=1), 4)
    # years drawn whole: a year's clusters sum to (times drawn) x (its cluster count)
    y2000 = W[:, [0, 2]].sum(axis=1)
    assert set(np.unique(y2000)) <= {0, 2, 4}
    assert per_cluster.mean(axis=0) == pytest.approx([1, 1, 1, 1], abs=0.06)


def test_weighted_auc_and_corr_equal_the_unweighted_ones_under_unit_weights() -> None:
    rng = np.random.default_rng(0)
    s = np.round(rng.normal(size=300), 1)  # ties
    y = (rng.random(300) < 1 / (1 + np.exp(-s))).astype(float)
    one = np.ones((1, 300))
    n1, n0 = y.sum(), (1 - y).sum()
    ref = (stats.rankdata(s)[y > 0].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
    assert B.weighted_auc(one, s, y)[0] == pytest.approx(ref, abs=1e-12)
    x2 = rng.normal(size=300)
    assert B.weighted_corr(one, s, x2)[0] == pytest.approx(np.corrcoef(s, x2)[0, 1], abs=1e-12)
    # integer weights are duplicated rows
    w = rng.integers(0, 3, 300).astype(float)
    rep = np.repeat(np.arange(300), w.astype(int))
    n1, n0 = y[rep].sum(), (1 - y[rep]).sum()
    ref2 = (stats.rankdata(s[rep])[y[rep] > 0].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
    assert B.weighted_auc(w[None, :], s, y)[0] == pytest.approx(ref2, abs=1e-12)
