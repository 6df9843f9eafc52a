"""The random-walk null with conditional volatility: what noise alone would do to a narrative's move.

A narrative is born with a move ``m > 0`` (the leader's 15-day log relative return, 1 month on
monthly data). Over the next ``h`` months the pair's log relative return is ``R_h``; the narrative
*kept half* of its move when ``R_h > -m/2``. Under the null the pair is a **driftless random walk**
whose volatility is the pair's conditional volatility at the birth:

* ``sigma_t``: the one-step-ahead EWMA (RiskMetrics) deviation of the pair's daily (monthly) log
  relative returns, using returns up to and including ``t`` (:func:`conditional_sigma`: pandas'
  exponentially weighted mean of the squared returns; decay :data:`LAMBDA`; ``arch``'s
  ``EWMAVariance`` gives the same values once its 75-day backcast has decayed, but importing ``arch``
  costs a check 0.95 s). A trailing equal-weight
  deviation understates the volatility after a sharp move and would bias the null;
* ``n_h``: the nominal number of periods in ``h`` months (21 trading days a month, 1 on monthly data),
  known at the birth (the realised count would look ahead);
* tails: the standardised outcome ``z_h = R_h / (sigma_t * sqrt(n_h))`` is Student-t with location 0
  and a scale and degrees of freedom fitted (maximum likelihood) on the standardised outcomes of past
  narratives whose outcomes were known by then (:func:`fit_tails`); with too few, a standard normal.

So ``P_null(kept half) = F((m / 2) / (sigma_t sqrt(n_h)))`` with ``F`` that fitted distribution, and
the null's central ``level`` range of ``R_h`` is ``+- sigma_t sqrt(n_h) F^{-1}((1 + level) / 2)``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .special import ndtr, ndtri, stdtr, stdtrit  # scipy.special's, without importing it

LAMBDA = {"daily": 0.94, "monthly": 0.97}  # RiskMetrics (1996) decay for daily and monthly data
MIN_TAIL_FIT = 100  # standardised outcomes needed before the tails are fitted (else normal)
DF_BOUNDS = (2.5, 200.0)  # a variance must exist; beyond 200 the t is the normal


def conditional_sigma(d: np.ndarray, lam: float) -> np.ndarray:
    """One-step-ahead EWMA deviation after each observation of the returns ``d`` (NaN-free, 1-d):
    ``out[t]**2 = lam * out[t-1]**2 + (1 - lam) * d[t]**2``, started at ``d[0]**2`` (pandas'
    exponentially weighted mean with ``adjust=False``). Each value uses ``d[..t]`` only, so
    truncating ``d`` never changes an earlier output; the start's weight has decayed below 1e-7 by
    the 267th observation, the first a birth can have (252 days of noise and a 15-day move)."""
    import pandas as pd

    d = np.ascontiguousarray(d, dtype="float64")
    if len(d) == 0:
        return np.zeros(0)
    s2 = pd.Series(d * d).ewm(alpha=1.0 - lam, adjust=False).mean().to_numpy()
    return np.sqrt(s2)


@functools.lru_cache(maxsize=1024)
def _standard_quantile(df: float, q: float) -> float:
    """The unit-scale quantile ``q`` of the t with ``df`` (the normal at ``inf``), kept per process:
    a scan asks the same one for every live narrative of a class (2,696 times in a 3,000-member scan,
    about 0.5 ms each)."""
    return float(ndtri(q) if math.isinf(df) else stdtrit(df, q))


@dataclass(frozen=True)
class Tails:
    """The standardised outcome's distribution: Student-t (``df``, ``scale``), location 0."""

    df: float = math.inf
    scale: float = 1.0
    n: int = 0  # outcomes it was fitted on (0: the standard normal default)

    def cdf(self, x: np.ndarray | float) -> np.ndarray:
        x = np.asarray(x, dtype="float64") / self.scale
        return np.asarray(ndtr(x) if math.isinf(self.df) else stdtr(self.df, x))

    def ppf(self, q: float) -> float:
        return float(self.scale * _standard_quantile(self.df, q))

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "df": None if math.isinf(self.df) else round(self.df, 4),
            "scale": round(self.scale, 6),
            "n": self.n,
        }


def _t_nll(params: np.ndarray, z: np.ndarray) -> float:
    """Negative log-likelihood of location-0 Student-t (``params = [ln df, ln scale]``) at ``z``."""
    from scipy.special import gammaln

    df, sc = math.exp(params[0]), math.exp(params[1])
    u = z / sc
    ll = (
        gammaln((df + 1) / 2)
        - gammaln(df / 2)
        - 0.5 * math.log(df * math.pi)
        - math.log(sc)
        - (df + 1) / 2 * np.log1p(u * u / df)
    )
    return float(-ll.sum())


def fit_tails(z: np.ndarray, start: Tails | None = None) -> Tails:
    """Student-t with location 0 fitted by maximum likelihood (L-BFGS-B over log df and log scale,
    df within :data:`DF_BOUNDS`) on standardised outcomes ``z`` (NaN ignored); the standard normal
    when fewer than :data:`MIN_TAIL_FIT` are given. ``start``: a previous fit to start from."""
    from scipy.optimize import minimize

    z = np.asarray(z, dtype="float64")
    z = z[np.isfinite(z)]
    if len(z) < MIN_TAIL_FIT:
        return Tails()
    s0 = float(np.sqrt(np.mean(z**2)))
    df0 = 8.0 if start is None or math.isinf(start.df) else start.df
    sc0 = s0 if start is None or start.n == 0 else start.scale
    res = minimize(
        _t_nll,
        np.array([math.log(df0), math.log(sc0)]),
        args=(z,),
        method="L-BFGS-B",
        bounds=[(math.log(DF_BOUNDS[0]), math.log(DF_BOUNDS[1])), (math.log(s0) - 5, math.log(s0) + 5)],
    )
    df, scale = math.exp(res.x[0]), math.exp(res.x[1])
    if df >= DF_BOUNDS[1] * 0.999:
        return Tails(math.inf, s0, len(z))
    return Tails(df, scale, len(z))


def steps(months: int, ppm: int) -> int:
    """Nominal periods in ``months`` months (``ppm`` periods per month)."""
    return int(months * ppm)


def p_kept(move: np.ndarray, sigma: np.ndarray, n: int, tails: Tails) -> np.ndarray:
    """The null probability that the move's leader keeps more than half of it after ``n`` periods."""
    sd = np.asarray(sigma, dtype="float64") * math.sqrt(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(sd > 0, 0.5 * np.asarray(move, dtype="float64") / sd, np.nan)
    return np.where(np.isnan(x), np.nan, tails.cdf(np.nan_to_num(x)))


def standardise(r: np.ndarray, sigma: np.ndarray, n: int) -> np.ndarray:
    """``z = R / (sigma sqrt(n))``: the post-birth relative log return in conditional deviations."""
    sd = np.asarray(sigma, dtype="float64") * math.sqrt(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, np.asarray(r, dtype="float64") / sd, np.nan)


def null_range(sigma: np.ndarray, n: int, tails: Tails, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The null's central ``level`` interval of ``R`` after ``n`` periods (driftless: symmetric)."""
    half = np.asarray(sigma, dtype="float64") * math.sqrt(n) * tails.ppf(0.5 + level / 2)
    return -half, half


__all__ = [
    "LAMBDA",
    "Tails",
    "conditional_sigma",
    "fit_tails",
    "null_range",
    "p_kept",
    "standardise",
    "steps",
]
