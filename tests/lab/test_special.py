"""hypecheck.lab.special against scipy.special (the reference it replaces on the check path).

Two regions are held to different bounds, each the accuracy measured on these grids (2026-12-06,
scipy 1.17.1) with a little room: the lab's domain (probabilities from 1e-30 up, the t's df between
2.5 and 200 or the normal; every df of the grid is held to it there) and the far tails (down to 1e-300),
where ``exp(a log x)`` with ``|a log x|`` in the hundreds carries ~|log F| ulps of rounding in any
evaluation. The printed p-values and ranges use six digits at most."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

from hypecheck.lab import special as sp

sc = pytest.importorskip("scipy.special")

TINY = 1e-300  # below this (denormals) scipy often returns 0 where the value is still representable
DFS = [0.5, 1.0, 2.0, 2.5, 3.7, 10.0, 30.0, 200.0, 1e6, np.inf]
X = np.concatenate([-np.logspace(-3, 3, 2001), np.logspace(-3, 3, 2001), [0.0, 40.0, -40.0, 700.0, -700.0]])
T = np.concatenate([-np.logspace(-3, 3, 1201), np.logspace(-3, 3, 1201), [0.0, -1e10, 1e10]])
P = np.concatenate(
    [
        np.logspace(-300, -1, 3000),
        1 - np.logspace(-16, -1, 3000),
        np.linspace(0, 1, 1001)[1:-1],
        [1e-12, 1 - 1e-12, 0.5, 0.975, 0.025],
    ]
)


def rel_err(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.abs(a - b) / np.abs(b)
    return np.where(a == b, 0.0, r)


def test_expit_logit_ndtr_ndtri() -> None:
    assert rel_err(sp.expit(X), sc.expit(X)).max() < 5e-16  # measured 2.9e-16
    assert rel_err(sp.logit(P), sc.logit(P)).max() < 5e-16  # measured 1.9e-16
    ref = sc.ndtr(X)
    err = rel_err(sp.ndtr(X), ref)
    assert err[ref >= 1e-30].max() < 1e-14  # measured 6.2e-15
    assert err[ref >= TINY].max() < 1e-13  # measured 5.5e-14
    assert np.all(sp.ndtr(X)[ref < TINY] < TINY)
    assert rel_err(sp.ndtri(P), sc.ndtri(P)).max() < 1e-15  # measured 7.7e-16


@pytest.mark.parametrize("df", DFS)
def test_stdtr(df: float) -> None:
    ref = sc.stdtr(df, T)
    err = rel_err(sp.stdtr(df, T), ref)
    assert err[ref >= 1e-30].max() < 5e-14, df  # measured at most 3.8e-14 (df = 1)
    assert err[ref >= TINY].max() < 5e-13, df  # measured at most 2.5e-13 (df = 1e6)
    assert np.all(sp.stdtr(df, T)[ref < TINY] < TINY)


@pytest.mark.parametrize("df", DFS)
def test_stdtrit(df: float) -> None:
    ours = sp.stdtrit(df, P)
    ref = sc.stdtrit(df, P)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_rt = rel_err(sc.stdtr(df, ref), P)
        fwd = sc.stdtr(df, ours)
    # scipy 1.17's stdtrit is itself off (up to a factor 2, or inf) for p < ~1e-200 at small df:
    # compare where its own round trip holds, and check ours by round trip everywhere
    trusted = (ref_rt < 1e-13) & np.isfinite(ref)
    assert rel_err(ours, ref)[trusted].max() < 3e-13  # measured at most 2.0e-13 (df = 2.5)
    fin = np.isfinite(ours) & (fwd >= TINY)
    rt = rel_err(fwd, P)
    assert rt[fin & (P >= 1e-30)].max() < 1e-13  # measured at most 6.6e-14
    assert rt[fin].max() < 2e-12  # measured at most 1.6e-12 (df = 1e6, where F moves df times t's error)
    # a quantile beyond 1e308 is infinite: at df = 0.5 from p ~ 2e-155 down, nowhere else on the grid
    assert np.all(np.isfinite(ours) | (P < 1e-150))


def test_special_values() -> None:
    nan, inf = np.nan, np.inf
    assert np.isnan(sp.expit(nan)) and sp.expit(inf) == 1.0 and sp.expit(-inf) == 0.0
    assert np.isnan(sp.logit(nan)) and np.isnan(sp.logit(1.5)) and np.isnan(sp.logit(-0.1))
    assert sp.logit(0.0) == -inf and sp.logit(1.0) == inf
    assert np.isnan(sp.ndtr(nan)) and sp.ndtr(inf) == 1.0 and sp.ndtr(-inf) == 0.0
    assert np.isnan(sp.ndtri(nan)) and np.isnan(sp.ndtri(1.5)) and np.isnan(sp.ndtri(-0.5))
    assert sp.ndtri(0.0) == -inf and sp.ndtri(1.0) == inf
    for df in DFS:
        assert np.isnan(sp.stdtr(df, nan)) and sp.stdtr(df, inf) == 1.0 and sp.stdtr(df, -inf) == 0.0
        assert sp.stdtr(df, 0.0) == 0.5 and sp.stdtrit(df, 0.5) == 0.0
        assert np.isnan(sp.stdtrit(df, nan)) and np.isnan(sp.stdtrit(df, 1.5))
        assert sp.stdtrit(df, 1.0) == inf
        assert sp.stdtrit(df, 0.0) == -inf  # scipy 1.17 returns +inf here (its bug)
    for bad in (0.0, -1.0, nan):
        assert np.isnan(sp.stdtr(bad, 1.0)) and np.isnan(sp.stdtrit(bad, 0.3))
    # Cauchy (df = 1) in closed form, far beyond where scipy's stdtr underflows
    assert rel_err(sp.stdtr(1.0, -1e200), 1 / (np.pi * 1e200)) < 1e-13  # measured 3.7e-14
    assert rel_err(sp.stdtrit(1.0, 1e-300), -1 / (np.pi * 1e-300)) < 3e-13  # measured 1.5e-13


def test_shapes_and_scalars() -> None:
    assert isinstance(sp.stdtr(4.0, 1.0), np.float64) and isinstance(sp.ndtri(0.3), np.float64)
    assert isinstance(sp.expit(0.3), np.float64) and isinstance(sp.stdtrit(4.0, 0.9), np.float64)
    m = np.linspace(-3, 3, 12).reshape(3, 4)
    assert sp.expit(m).shape == (3, 4) and sp.stdtr(5.0, m).shape == (3, 4)
    assert sp.stdtr(np.array([[3.0], [7.0]]), np.array([1.0, 2.0, 3.0])).shape == (2, 3)
    np.testing.assert_allclose(
        sp.stdtrit(np.array([[3.0], [7.0]]), np.array([0.1, 0.9])),
        sc.stdtrit([[3.0], [7.0]], [0.1, 0.9]),
        rtol=1e-13,
    )


def test_verdict_does_not_import_scipy_special() -> None:
    code = "import hypecheck.lab.verdict, sys; print('scipy.special' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_tails_quantile_is_kept_per_process_and_unchanged() -> None:
    """A scan asks the same quantile of the null's tails for every live narrative: it is computed once
    per (df, q) and equals the direct computation (scale times the unit quantile)."""
    from hypecheck.lab import null as N

    t = N.Tails(df=5.3, scale=1.7, n=200)
    first = t.ppf(0.9)
    hits = N._standard_quantile.cache_info().hits
    assert t.ppf(0.9) == first == float(1.7 * sp.stdtrit(5.3, 0.9))
    assert N._standard_quantile.cache_info().hits == hits + 1
    assert N.Tails().ppf(0.975) == float(sp.ndtri(0.975))
