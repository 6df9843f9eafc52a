"""The few special functions a check needs (logistic, normal and Student-t), without ``scipy.special``.

Why: importing ``scipy.special`` cost a calibrated ``hypecheck check`` about 0.14 s of its ~1.1 s
(measured with ``python -X importtime`` on scipy 1.17.1): its ``__init__`` imports
``_support_alternative_backends`` -> ``array_api_compat``, which clones numpy's namespace and so
imports ``numpy.testing`` and ``numpy.f2py``. The lab's fits (``scipy.optimize``, ``scipy.stats``,
``gammaln``) still use scipy, imported inside the functions that fit, which a check with a warm lab
cache never reaches.

The functions follow ``scipy.special``'s signatures and semantics for float64 scalars and arrays
(broadcasting; NaN in, NaN out; +-inf and out-of-domain arguments as scipy treats them; a 0-d input
gives a numpy float64):

* :func:`expit` ``1 / (1 + exp(-x))`` (scipy's own formula) and :func:`logit` ``log(p / (1 - p))``;
* :func:`ndtr` the standard normal cdf from ``math.erf``/``math.erfc`` (cephes' ``ndtr`` split);
* :func:`ndtri` its inverse, ``statistics.NormalDist().inv_cdf`` (Wichura's AS241, full double
  precision);
* :func:`stdtr` the Student-t cdf (``df > 0`` real, ``df = inf`` the normal) from the regularised
  incomplete beta ``I_x(df/2, 1/2)``, ``x = df / (df + t^2)``, by its continued fraction (modified
  Lentz, vectorised with a convergence mask), evaluated on whichever side converges and keeping both
  the tail and the distance from 1/2 to relative precision; ``log B(df/2, 1/2)`` by a recurrence and
  Stirling's series, so a large ``df`` loses nothing to cancellation;
* :func:`stdtrit` its inverse in ``t``: safeguarded Newton (bracketing, bisection on failure) on the
  log of the tail (or of the distance from 1/2 near the centre) against ``log|t|``, started from the
  larger of the normal quantile and the t's power-law tail asymptote.

Checked against ``scipy.special`` in ``tests/lab/test_special.py`` on dense grids (t in +-1e-3..1e3
and beyond, df from 0.5 to 1e6 and inf, p from 1e-300 to 1 - 1e-16): max relative error
expit/logit/ndtr/ndtri below 1e-15; stdtr below 1e-13 (typically 1e-15; the largest errors sit in the
far tails, where any evaluation of ``exp(a log x)`` with ``|a log x|`` in the hundreds carries that
much rounding); stdtrit below 1e-13 relative in ``t``.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np

__all__ = ["expit", "logit", "ndtr", "ndtri", "stdtr", "stdtrit"]

ArrayLike = Any  # float, numpy scalar or array (what scipy's ufuncs accept)

_SQRT1_2 = math.sqrt(0.5)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_LGAMMA_HALF = math.lgamma(0.5)  # log(sqrt(pi))
_EPS = 2.0**-53
_TINY = 1e-300  # Lentz's guard against a zero denominator
_CF_MAXIT = 5000  # the continued fraction needs ~O(sqrt(df)) terms at worst near its switch point
_STIRLING_FROM = 15.0


def _out(a: np.ndarray) -> Any:
    """A 0-d result as a numpy float64 (like a ufunc), else the array."""
    return a[()] if a.ndim == 0 else a


def expit(x: ArrayLike) -> Any:
    """The logistic function ``1 / (1 + exp(-x))`` (``scipy.special.expit``)."""
    x = np.asarray(x, dtype="float64")
    with np.errstate(over="ignore"):
        return _out(np.asarray(1.0 / (1.0 + np.exp(-x))))


def logit(p: ArrayLike) -> Any:
    """The log-odds ``log(p / (1 - p))`` (``scipy.special.logit``, with its log1p form near 1/2): -inf at 0, inf at 1, NaN outside."""
    p = np.asarray(p, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        s = 2.0 * (p - 0.5)  # near 1/2 scipy (xsf) uses log1p(s) - log1p(-s): no cancellation
        mid = (p >= 0.3) & (p <= 0.65)
        return _out(np.asarray(np.where(mid, np.log1p(s) - np.log1p(-s), np.log(p / (1.0 - p)))))


_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)
_inv_cdf = NormalDist().inv_cdf


def _ndtri1(p: float) -> float:
    if 0.0 < p < 1.0:
        return _inv_cdf(p)
    if p == 0.0:
        return -math.inf
    if p == 1.0:
        return math.inf
    return math.nan


_ndtri = np.frompyfunc(_ndtri1, 1, 1)


def ndtr(x: ArrayLike) -> Any:
    """The standard normal cdf (``scipy.special.ndtr``): ``(1 + erf(x/sqrt 2)) / 2`` near 0, from
    ``erfc`` beyond (so the lower tail keeps its relative precision)."""
    x = np.asarray(x, dtype="float64")
    z = x * _SQRT1_2
    out = np.empty_like(z)
    body = np.abs(z) < _SQRT1_2  # False for NaN
    out[body] = 0.5 + 0.5 * _erf(z[body]).astype("float64")
    tail = ~body
    y = 0.5 * _erfc(np.abs(z[tail])).astype("float64")
    out[tail] = np.where(z[tail] > 0, 1.0 - y, y)
    return _out(out)


def ndtri(p: ArrayLike) -> Any:
    """The standard normal quantile (``scipy.special.ndtri``): -inf at 0, inf at 1, NaN outside."""
    p = np.asarray(p, dtype="float64")
    with np.errstate(invalid="ignore"):  # NaN in gives NaN out, as scipy's (which does not warn)
        return _out(np.asarray(_ndtri(p), dtype="float64"))


# -- Student-t -------------------------------------------------------------------------------------


def _lgamma_ratio_half(a: np.ndarray) -> np.ndarray:
    """``lgamma(a + 1/2) - lgamma(a)`` for ``a > 0`` without cancellation: shift ``a`` up to
    :data:`_STIRLING_FROM` by the recurrence, then Stirling's series for the difference."""
    a = np.asarray(a, dtype="float64")
    prod = np.ones_like(a)
    z = a.copy()
    for _ in range(int(_STIRLING_FROM) + 1):
        low = z < _STIRLING_FROM
        if not low.any():
            break
        prod = np.where(low, prod * (z / (z + 0.5)), prod)  # Gamma(z+1/2)/Gamma(z) = ... * z/(z+1/2)
        z = np.where(low, z + 1.0, z)
    shift = np.log(prod)

    def delta(v: np.ndarray) -> np.ndarray:  # lgamma(v) - Stirling's leading terms
        w = 1.0 / (v * v)
        s = 1.0 / 12 - w * (
            1.0 / 360
            - w * (1.0 / 1260 - w * (1.0 / 1680 - w * (1.0 / 1188 - w * (691.0 / 360360 - w / 156))))
        )
        return np.asarray(s / v)

    with np.errstate(invalid="ignore"):
        core = 0.5 * np.log(z) + (z * np.log1p(0.5 / z) - 0.5) + delta(z + 0.5) - delta(z)
    return np.asarray(core + shift)


def _betacf(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The continued fraction of ``I_x(a, b)`` (Numerical Recipes' ``betacf``, modified Lentz),
    vectorised: only the entries that have not converged are iterated."""
    n = a.shape[0]
    h = np.empty(n)
    if n == 0:
        return h
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones(n)
    d = 1.0 - qab * x / qap
    d = np.where(np.abs(d) < _TINY, _TINY, d)
    d = 1.0 / d
    hh = d.copy()
    idx = np.arange(n)
    for m in range(1, _CF_MAXIT + 1):
        m2 = 2.0 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        hh = hh * (d * c)
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        dl = d * c
        hh = hh * dl
        done = np.abs(dl - 1.0) <= _EPS
        if done.any():
            h[idx[done]] = hh[done]
            keep = ~done
            if not keep.any():
                return h
            idx = idx[keep]
            a, b, x, qab, qap, qam, c, d, hh = (v[keep] for v in (a, b, x, qab, qap, qam, c, d, hh))
    h[idx] = hh  # not converged within the cap (not reached on the tested grid)
    return h


def _bgrat_coefficients(n: int = 30) -> list[float]:
    """The ``d_n`` of TOMS 708's ``bgrat`` for ``b = 1/2`` (they depend on ``b`` only)."""
    b, bm1 = 0.5, -0.5
    c: list[float] = []
    d: list[float] = []
    cn, n2 = 1.0, 0.0
    for k in range(1, n + 1):
        n2 += 2.0
        cn /= n2 * (n2 + 1.0)
        c.append(cn)
        s, coef = 0.0, b - k
        for i in range(1, k):
            s += coef * c[i - 1] * d[k - 1 - i]
            coef += b
        d.append(bm1 * cn + s / k)
    return d


_BGRAT_D = _bgrat_coefficients()


def _erfcx_cf(z: np.ndarray) -> np.ndarray:
    """``Q(1/2, z) e^z sqrt(pi / z) = Gamma(1/2, z) e^z / z^(1/2)`` for ``z >= 2`` by Legendre's
    continued fraction (modified Lentz; converges in well under 100 terms there)."""
    b = 0.5
    bb = z + 1.0 - b
    c = np.full_like(z, 1.0 / _TINY)
    d = 1.0 / bb
    h = d.copy()
    live = np.ones(z.shape, dtype=bool)
    for i in range(1, 200):
        an = -i * (i - b)
        bb = bb + 2.0
        d = an * d + bb
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = bb + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        dl = d * c
        h = np.where(live, h * dl, h)
        live &= np.abs(dl - 1.0) > _EPS
        if not live.any():
            break
    return h


def _bgrat_half(a: np.ndarray, log_x: np.ndarray, lgr: np.ndarray) -> np.ndarray:
    """``log I_x(a, 1/2)`` for ``a >= 15`` and ``x > 0.7`` by DiDonato and Morris' asymptotic
    expansion (TOMS 708 ``bgrat``): the continued fraction loses digits to cancellation when ``a``
    is large and ``x`` near 1 (1e-11 at df = 1e6)."""
    nu = a - 0.25  # a + (b - 1)/2
    z = -nu * log_x
    with np.errstate(divide="ignore", over="ignore"):
        low = z < 2.0
        zl = np.where(low, z, 1.0)
        sz = np.sqrt(zl)
        j_low = np.array([math.erfc(v) for v in sz]) * np.exp(zl) * (math.sqrt(math.pi) / sz)
    j = np.where(low, j_low, _erfcx_cf(np.where(low, 2.0, z)))  # Q(1/2, z) / r
    # log(r * Gamma(a + 1/2) / (Gamma(a) nu^(1/2))), r = e^-z z^(1/2) / Gamma(1/2)
    log_u = -z + 0.5 * np.log(z) - _LGAMMA_HALF + lgr - 0.5 * np.log(nu)
    v = 0.25 / (nu * nu)
    t2 = 0.25 * log_x * log_x
    total = j.copy()
    t = np.ones_like(z)
    live = np.ones(z.shape, dtype=bool)
    n2 = 0.0
    for dn in _BGRAT_D:
        bp2n = 0.5 + n2
        j = (bp2n * (bp2n + 1.0) * j + (z + bp2n + 1.0) * t) * v
        n2 += 2.0
        t = t * t2
        dj = dn * j
        total = np.where(live, total + dj, total)
        live &= np.abs(dj) > _EPS * total
        if not live.any():
            break
    return np.asarray(log_u + np.log(total))


def _t_parts(df: np.ndarray, t: np.ndarray, lgr: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For finite ``t`` and finite ``df > 0`` (1-d, same shape): ``(tail, centre)`` with
    ``tail = P(T < -|t|)`` and ``centre = 1/2 - tail``, each to relative precision. ``lgr``:
    ``_lgamma_ratio_half(df / 2)`` if already known."""
    a = 0.5 * df
    if lgr is None:
        lgr = _lgamma_ratio_half(a)
    at = np.abs(t)
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        small = at * at <= df  # r = t^2/df <= 1
        r = np.where(small, (at / np.sqrt(df)) ** 2, 1.0)
        log_ir = np.where(small, 0.0, np.log(df) - 2.0 * np.log(at))  # log(1/r), no underflow
        ir = np.exp(log_ir)  # may underflow to 0
        x = np.where(small, 1.0 / (1.0 + r), ir / (1.0 + ir))  # df / (df + t^2)
        y = np.where(small, r / (1.0 + r), 1.0 / (1.0 + ir))  # t^2 / (df + t^2) = 1 - x
        log_x = np.where(small, -np.log1p(r), log_ir - np.log1p(ir))
        log_y = np.where(small, np.log(r) - np.log1p(r), -np.log1p(ir))
        # log(x^a y^(1/2) / B(a, 1/2)), B(a, 1/2) = Gamma(a) Gamma(1/2) / Gamma(a + 1/2)
        log_front = a * log_x + 0.5 * log_y + lgr - _LGAMMA_HALF
        direct = x < (a + 1.0) / (a + 2.5)  # I_x(a, 1/2) by its fraction, else I_y(1/2, a)
        asym = direct & (a >= _STIRLING_FROM) & (x > 0.7)
        tail = np.empty_like(t)
        centre = np.empty_like(t)
        i = np.flatnonzero(direct & ~asym & (at > 0))
        ix = np.exp(log_front[i]) / a[i] * _betacf(a[i], np.full(len(i), 0.5), x[i])  # I_x(a, 1/2)
        tail[i] = 0.5 * ix
        centre[i] = 0.5 * (1.0 - ix)
        i = np.flatnonzero(asym)
        ix = np.exp(_bgrat_half(a[i], log_x[i], lgr[i]))
        tail[i] = 0.5 * ix
        centre[i] = 0.5 * (1.0 - ix)
        j = np.flatnonzero(~direct & (at > 0))
        iy = np.exp(log_front[j]) / 0.5 * _betacf(np.full(len(j), 0.5), a[j], y[j])  # I_y(1/2, a)
        tail[j] = 0.5 * (1.0 - iy)
        centre[j] = 0.5 * iy
    zero = at == 0
    tail[zero] = 0.5
    centre[zero] = 0.0
    return tail, centre


def stdtr(df: ArrayLike, t: ArrayLike) -> Any:
    """The Student-t cdf with ``df`` degrees of freedom at ``t`` (``scipy.special.stdtr``): ``df``
    real > 0 (NaN otherwise), ``df = inf`` the standard normal."""
    df_b, t_b = np.broadcast_arrays(np.asarray(df, dtype="float64"), np.asarray(t, dtype="float64"))
    df1, t1 = df_b.ravel(), t_b.ravel()
    out = np.full(t1.shape, np.nan)
    ok = (df1 > 0) & ~np.isnan(t1)
    normal = ok & np.isinf(df1)
    out[normal] = np.asarray(ndtr(t1[normal]), dtype="float64")
    ok &= ~normal
    inf = ok & np.isinf(t1)
    out[inf] = np.where(t1[inf] > 0, 1.0, 0.0)
    fin = np.flatnonzero(ok & ~inf)
    tail, centre = _t_parts(df1[fin], t1[fin])
    out[fin] = np.where(t1[fin] > 0, 0.5 + centre, tail)
    return _out(out.reshape(t_b.shape))


def _log_pdf(df: np.ndarray, t: np.ndarray, lgr: np.ndarray) -> np.ndarray:
    """Log density of the Student-t (only the Newton slope uses it)."""
    with np.errstate(divide="ignore", over="ignore"):
        at = np.abs(t)
        small = at * at <= df
        ir = (np.sqrt(df) / at) ** 2
        l1p = np.where(small, np.log1p((at / np.sqrt(df)) ** 2), -np.log(ir) + np.log1p(ir))
        return np.asarray(lgr - 0.5 * np.log(df * math.pi) - 0.5 * (df + 1.0) * l1p)


def stdtrit(df: ArrayLike, p: ArrayLike) -> Any:
    """The Student-t quantile: ``t`` with ``stdtr(df, t) == p`` (``scipy.special.stdtrit``): -inf at
    0, inf at 1, NaN outside [0, 1] or for ``df <= 0``; ``df = inf`` the normal quantile."""
    df_b, p_b = np.broadcast_arrays(np.asarray(df, dtype="float64"), np.asarray(p, dtype="float64"))
    df1, p1 = df_b.ravel(), p_b.ravel()
    out = np.full(p1.shape, np.nan)
    ok = (df1 > 0) & (p1 >= 0) & (p1 <= 1)  # False for NaN
    normal = ok & np.isinf(df1)
    out[normal] = np.asarray(ndtri(p1[normal]), dtype="float64")
    ok &= ~normal
    edge = ok & ((p1 == 0) | (p1 == 1))
    out[edge] = np.where(p1[edge] == 1, math.inf, -math.inf)
    ok &= ~edge
    half = ok & (p1 == 0.5)
    out[half] = 0.0
    ok &= ~half
    k = np.flatnonzero(ok)
    if len(k):
        pk = p1[k]
        q = np.where(pk < 0.5, pk, 1.0 - pk)  # exact for p >= 1/2
        mag = _t_magnitude(df1[k], q)
        out[k] = np.where(pk < 0.5, -mag, mag)
    return _out(out.reshape(p_b.shape))


_LOG_MAX = math.log(np.finfo("float64").max)


def _t_magnitude(df: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``s > 0`` with ``P(T < -s) = q`` for ``0 < q < 1/2``: Newton on ``u = log s`` against the log
    of the tail (``q < 1/4``) or of ``1/2 - q`` (exact in floating point for ``q >= 1/4``), with a
    bracket and bisection whenever a step leaves it. The tail is below its power-law asymptote
    ``K s^-df``, so the asymptote's root bounds ``s`` above; the start is Abramowitz and Stegun's
    26.7.5 expansion in ``1/df`` around the normal quantile, capped by that bound."""
    use_tail = q < 0.25
    target = np.log(np.where(use_tail, q, 0.5 - q))
    z = -np.asarray(ndtri(q), dtype="float64")
    lgr = _lgamma_ratio_half(0.5 * df)
    log_k = lgr - 0.5 * np.log(df * math.pi) + 0.5 * (df - 1) * np.log(df)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        hi = (log_k - np.log(q)) / df  # log of the asymptote's root
        z2 = z * z
        g1 = (z2 + 1) * z / 4
        g2 = ((5 * z2 + 16) * z2 + 3) * z / 96
        g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384
        g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160
        s0 = z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df
        u = np.minimum(np.log(s0), hi)
    u = np.where(np.isfinite(u), u, np.minimum(hi, 0.0))
    res = np.empty_like(u)
    # quantiles beyond the largest double: -inf (the tail at DBL_MAX is still above q)
    over = hi > _LOG_MAX
    if over.any():
        tail_max, _ = _t_parts(df[over], np.full(int(over.sum()), -np.finfo("float64").max), lgr[over])
        over[over] = tail_max > q[over]
    res[over] = math.inf
    hi = np.minimum(hi, _LOG_MAX)
    u = np.minimum(u, hi)
    lo = np.full_like(u, -np.inf)  # log s below the root (h > 0 for the tail, h < 0 for the centre)
    idx = np.flatnonzero(~over)
    df, lgr, q, use_tail, target, u, lo, hi = (v[idx] for v in (df, lgr, q, use_tail, target, u, lo, hi))
    for _ in range(200):
        if len(idx) == 0:
            break
        s = np.exp(u)
        tail, centre = _t_parts(df, -s, lgr)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            h = np.where(use_tail, np.log(tail), np.log(centre)) - target
            # d/du log(tail) = -pdf s / tail; d/du log(centre) = pdf s / centre
            lp = _log_pdf(df, s, lgr) + u
            slope = np.where(use_tail, -np.exp(lp - np.log(tail)), np.exp(lp - np.log(centre)))
            exact = h == 0
            below = np.where(use_tail, h > 0, h < 0)  # s too small
            lo = np.where(below, u, lo)
            hi = np.where(below | exact, hi, u)
            new = u - h / slope
            bad = ~np.isfinite(new) | (new <= lo) | (new >= hi)
            both = np.isfinite(lo) & np.isfinite(hi)
            fallback = np.where(both, 0.5 * (lo + hi), np.where(below, u + 2.0, u - 2.0))
            new = np.where(bad, fallback, new)
        scale = np.maximum(1.0, np.abs(u))
        # |du| is the relative change of s; Newton's next error is ~du^2
        done = exact | (~bad & (np.abs(new - u) <= 1e-11)) | (hi - lo <= 4 * _EPS * scale)
        if done.any():
            res[idx[done]] = np.exp(np.where(exact, u, new)[done])
        keep = ~done
        idx, df, lgr, q, use_tail, target, u, lo, hi = (
            v[keep] for v in (idx, df, lgr, q, use_tail, target, new, lo, hi)
        )
    res[idx] = np.exp(u)
    return res
