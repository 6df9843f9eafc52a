"""The panel model and its honest record: walk-forward fits, baselines, skill with year-block intervals.

Target. An episode *persisted* over the horizon when the leader's return minus the laggard's from the
birth to ``h`` months later was positive; its outcome is *known* on its horizon's end (both defined
once, in :mod:`hypecheck.lab.target`). Episodes with a pending outcome are never used to fit or to score.

Model. A logistic regression of persistence on standardised features, with a Gaussian (ridge)
prior of scale :data:`PRIOR_SD` on every slope and none on the intercept, fitted by Newton's method.
Why this one: the question is which evidence moved the odds of persistence, in which direction and by
how much, so the model must be read as well as scored (one weight per feature, on the log-odds
scale); the prior shrinks every weight towards "no information" (the base rate), which is where an
honest prior for return prediction sits, and keeps the fit finite on small or separable samples. The
signs are *not* constrained: each pillar's direction (does attention that fades mean reversal? does
breadth confirm?) is what the lab tests, so it must be free to come out either way. Standardisation
(mean and deviation) is fitted with the weights, on the same training episodes; a missing feature
value is set to the training mean (0 after standardising), and a feature present in fewer than
:data:`MIN_COVERAGE` of the training episodes is left out of that fit.

Walk-forward. The model is refitted on the first day of every year on the episodes whose outcomes
were known by that day, and scores the episodes born during that year (so anything used to score an
episode - standardisation, weights, the base rate - was fitted only on outcomes known by its date).
The first fit waits for :data:`MIN_TRAIN` known episodes over at least :data:`MIN_YEARS` calendar
years. The last :data:`HOLDOUT_YEARS` years of each history are a *holdout*: no walk-forward fit
scores them; they are scored once by the model frozen at the holdout's first day, and reported
separately. Nothing in this module (features, prior, thresholds) was chosen by looking at them.

Baselines, on the same episodes and schedule: *base rate* (the share of known episodes that
persisted) and *momentum* (the same logistic model on the trailing 12-month relative return alone).

Skill. Hit rate (``p > 0.5`` agrees with the outcome), AUC (Mann-Whitney, ties counted half), Brier
score, and Brier skill scores ``1 - Brier / Brier_ref`` against both baselines. Intervals: a block
bootstrap over calendar years (:func:`year_bootstrap`): episodes of one year share a market and are
not independent, so whole years are resampled with replacement (``B`` = :data:`BOOT`, seed 0) and
the 2.5% and 97.5% percentiles of the statistic are reported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .features import FEATURES
from .special import expit
from .target import known_dates as known_dates  # re-exported: M.known_dates
from .target import pair_base_rate as pair_base_rate  # re-exported: M.pair_base_rate
from .target import persisted

PRIOR_SD = 0.2  # slope prior on the log-odds per standard deviation of a feature (see the module)
MIN_COVERAGE = 0.5
MIN_TRAIN = 100
MIN_YEARS = 3
HOLDOUT_YEARS = 5
BOOT = 1000
BOOT_FIT = 100  # bootstrap refits behind each probability's interval
MOMENTUM = "mom_12m"

PILLAR_FEATURES: dict[str, tuple[str, ...]] = {}  # from the feature table (features.FEATURES), in its order
for _f in FEATURES:
    PILLAR_FEATURES[_f.pillar] = (*PILLAR_FEATURES.get(_f.pillar, ()), _f.name)
ALL_FEATURES: tuple[str, ...] = tuple(f for fs in PILLAR_FEATURES.values() for f in fs)
PILLAR_OF = {f: p for p, fs in PILLAR_FEATURES.items() for f in fs}


# --------------------------------------------------------------------------------------------- fit
@dataclass
class Fit:
    """A fitted model: features kept, their training mean and deviation, intercept and weights."""

    features: tuple[str, ...]
    mean: np.ndarray
    sd: np.ndarray
    intercept: float
    weights: np.ndarray
    n: int
    base_rate: float
    boot: np.ndarray | None = None  # (BOOT_FIT, 1 + d) bootstrap coefficients, for intervals

    def z(self, X: pd.DataFrame | Columns) -> np.ndarray:
        if not self.features:
            return np.zeros((len(X), 0))
        v = np.column_stack([np.asarray(X[f], dtype="float64") for f in self.features])
        z = (v - self.mean) / self.sd
        return np.clip(np.where(np.isnan(z), 0.0, z), -5.0, 5.0)

    def predict(self, X: pd.DataFrame | Columns) -> np.ndarray:
        return np.asarray(expit(self.intercept + self.z(X) @ self.weights))

    def interval(self, X: pd.DataFrame | Columns, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Percentile interval of the probability over the bootstrap refits (NaN without them)."""
        if self.boot is None or not len(self.boot):
            nan = np.full(len(X), np.nan)
            return nan, nan
        z = self.z(X)
        ps = expit(self.boot[:, :1] + self.boot[:, 1:] @ z.T)  # (B, n)
        lo, hi = np.percentile(ps, [50 * (1 - level), 50 * (1 + level)], axis=0)
        return lo, hi

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        """Each feature's term in the log-odds (weight x standardised value), rows x features."""
        return self.z(X) * self.weights


class Columns:
    """Feature columns as numpy arrays: the walk-forward's stand-in for a DataFrame in its loops (a
    boolean row selection of a wide frame costs more than the fit itself). Supports what :func:`fit`
    and :class:`Fit` use: ``X[name]``, ``name in X``, ``len(X)``."""

    def __init__(self, cols: dict[str, np.ndarray], n: int) -> None:
        self.cols, self.n = cols, n

    @classmethod
    def of(cls, frame: pd.DataFrame, names: Sequence[str]) -> Columns:
        return cls({f: frame[f].to_numpy(dtype="float64") for f in names if f in frame}, len(frame))

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]

    def __contains__(self, name: object) -> bool:
        return name in self.cols

    def __len__(self) -> int:
        return self.n

    def take(self, mask: np.ndarray) -> Columns:
        return Columns({k: v[mask] for k, v in self.cols.items()}, int(np.count_nonzero(mask)))


def _coverage(col: Any) -> float:
    a = np.asarray(col, dtype="float64")
    return float(np.count_nonzero(~np.isnan(a)) / len(a)) if len(a) else 0.0


def ridge_logistic(
    Z: np.ndarray,
    y: np.ndarray,
    prior_sd: float = PRIOR_SD,
    offset: np.ndarray | None = None,
    init: np.ndarray | None = None,
) -> np.ndarray:
    """MAP logistic regression with N(0, prior_sd^2) on the slopes, flat on the intercept (Newton).
    ``offset``: a known term added to every row's log-odds (e.g. a null model's), not fitted;
    ``init``: a starting point (the objective is strictly convex: the optimum does not depend on it).

    Returns ``[intercept, w_1, ..., w_d]``."""
    n, d = Z.shape
    w = np.zeros(d + 1)
    m = min(max(float(y.mean()), 1e-6), 1 - 1e-6) if n else 0.5
    w[0] = math.log(m / (1 - m)) if offset is None else 0.0
    if init is not None:
        w = np.array(init, dtype="float64")
    return _newton(_with_intercept(Z), y, prior_sd, offset, w)


def _with_intercept(Z: np.ndarray) -> np.ndarray:
    n, d = Z.shape
    X = np.empty((n, d + 1))
    X[:, 0] = 1.0
    X[:, 1:] = Z
    return X


def _newton(
    X: np.ndarray, y: np.ndarray, prior_sd: float, offset: np.ndarray | None, w: np.ndarray
) -> np.ndarray:
    """Newton's method for :func:`ridge_logistic` on ``X`` with its intercept column, from ``w``
    (updated in place and returned)."""
    d = X.shape[1] - 1
    lam = np.full(d + 1, 1.0 / prior_sd**2)
    lam[0] = 0.0
    ridge = lam + 1e-9
    diag = np.diag_indices(d + 1)
    off = None if offset is None else np.asarray(offset, dtype="float64")
    for _ in range(50):
        eta = X @ w
        if off is not None:
            eta += off
        p = expit(eta)
        g = X.T @ (p - y) + lam * w
        H = (X * (p * (1 - p))[:, None]).T @ X
        H[diag] += ridge
        step = np.linalg.solve(H, g)
        w -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return w


def fit(
    X: pd.DataFrame | Columns,
    y: np.ndarray,
    features: Sequence[str],
    years: np.ndarray | None = None,
    boot: int = 0,
) -> Fit:
    """Fit on training rows ``X`` (features as columns), ``y`` in {0, 1}. With ``boot`` > 0 and the
    rows' calendar ``years``, also ``boot`` refits on year-block resamples (for intervals)."""
    keep = [f for f in features if f in X and _coverage(X[f]) >= MIN_COVERAGE]
    if keep:
        v = np.column_stack([np.asarray(X[f], dtype="float64") for f in keep])
        mean = np.nanmean(v, axis=0)
        sd = np.nanstd(v, axis=0)
        ok = sd > 0
        keep = [f for f, k in zip(keep, ok, strict=True) if k]
        mean, sd = mean[ok], sd[ok]
    else:
        mean = sd = np.zeros(0)
    f = Fit(
        tuple(keep), mean, sd, 0.0, np.zeros(len(keep)), len(y), float(np.mean(y)) if len(y) else math.nan
    )
    Z = f.z(X)
    w = ridge_logistic(Z, y)
    f.intercept, f.weights = float(w[0]), w[1:]
    if boot and years is not None and len(y):
        uy, inv = np.unique(years, return_inverse=True)
        rng = np.random.default_rng(0)
        rows_by_year = [np.flatnonzero(inv == i) for i in range(len(uy))]
        out = np.empty((boot, len(keep) + 1))
        X1 = _with_intercept(Z)  # once: each refit takes its rows of it
        for b in range(boot):
            pick = rng.integers(0, len(uy), len(uy))
            idx = np.concatenate([rows_by_year[i] for i in pick])
            out[b] = _newton(X1[idx], y[idx], PRIOR_SD, None, np.array(w, dtype="float64"))
        f.boot = out
    return f


# ---------------------------------------------------------------------------------- walk-forward
@dataclass
class Schedule:
    """When the walk-forward refits, and where the holdout begins."""

    refits: list[pd.Timestamp]
    holdout_start: pd.Timestamp
    data_end: pd.Timestamp


def schedule(eps: pd.DataFrame, months: int, data_end: pd.Timestamp) -> Schedule:
    holdout = pd.Timestamp(data_end) - pd.DateOffset(years=HOLDOUT_YEARS)
    known = known_dates(eps, months)
    y = eps[f"outcome_{months}m"].to_numpy(dtype="float64")
    years = pd.DatetimeIndex(eps["date"]).year
    refits = []
    first, last = int(years.min()) + 1, int(holdout.year)
    for yr in range(first, last + 1):
        r = pd.Timestamp(year=yr, month=1, day=1)
        m = (known <= r) & ~np.isnan(y)
        if m.sum() >= MIN_TRAIN and len(np.unique(years[m])) >= MIN_YEARS:
            refits.append(r)
    return Schedule(refits, holdout, pd.Timestamp(data_end))


@dataclass
class Scored:
    """Out-of-sample probabilities of one feature set (NaN where unscored)."""

    p: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    base: np.ndarray  # the base rate the same fit saw
    holdout: np.ndarray  # bool: scored by the frozen model
    fits: list[tuple[pd.Timestamp, Fit]] = field(default_factory=list)


def walk_forward(
    eps: pd.DataFrame, features: Sequence[str], months: int, sch: Schedule, boot: int = 0
) -> Scored:
    """Score every episode out of sample (see the module): yearly refits before the holdout, the frozen
    model on the holdout."""
    n = len(eps)
    y = eps[f"outcome_{months}m"].to_numpy(dtype="float64")
    dates = pd.DatetimeIndex(eps["date"])
    known = known_dates(eps, months)
    years = dates.year.to_numpy()
    p, lo, hi, base = (np.full(n, np.nan) for _ in range(4))
    hold = np.zeros(n, dtype=bool)
    fits = []
    windows = []
    for i, r in enumerate(sch.refits):
        nxt = sch.refits[i + 1] if i + 1 < len(sch.refits) else sch.holdout_start
        windows.append((r, (dates >= r) & (dates < min(nxt, sch.holdout_start)), False))
    windows.append((sch.holdout_start, dates >= sch.holdout_start, True))
    cols = Columns.of(eps, features)  # numpy columns: row selections in the loop cost next to nothing
    for r, score_mask, is_hold in windows:
        if not score_mask.any():
            continue
        train = np.asarray((known <= r) & ~np.isnan(y))
        if train.sum() < MIN_TRAIN:
            continue
        yt = persisted(y[train])
        m = fit(cols.take(train), yt, features, years[train], boot)
        fits.append((r, m))
        X = cols.take(np.asarray(score_mask))
        p[score_mask] = m.predict(X)
        base[score_mask] = m.base_rate
        if boot:
            lo[score_mask], hi[score_mask] = m.interval(X)
        hold[score_mask] = is_hold
    return Scored(p, lo, hi, base, hold, fits)


# ------------------------------------------------------------------------------------------ skill
def auc(p: np.ndarray, y: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties counted half); NaN if one class is absent."""
    y = np.asarray(y, dtype=bool)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return math.nan
    r = pd.Series(np.asarray(p, dtype="float64")).rank(method="average").to_numpy()  # = scipy's rankdata
    return float((r[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, float) - np.asarray(y, float)) ** 2)) if len(p) else math.nan


def year_bootstrap(sums: np.ndarray, ref: np.ndarray, boot: int = BOOT, seed: int = 0) -> np.ndarray:
    """Bootstrap draws of ``1 - sum(sums[years]) / sum(ref[years])`` resampling whole years.

    ``sums`` and ``ref`` hold one total per calendar year (e.g. the squared errors of the model and of
    the reference in that year). Each draw picks as many years as there are, with replacement."""
    k = len(sums)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(k, np.full(k, 1.0 / k), size=boot).astype("float64")
    den = counts @ ref
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, 1.0 - (counts @ sums) / den, np.nan)


@dataclass
class Skill:
    name: str
    kind: str  # feature | pillar | verdict | baseline
    n: int
    hit_rate: float
    auc: float
    brier: float
    bss_base: float
    bss_momentum: float
    ci_bss_base: tuple[float, float]
    ci_bss_momentum: tuple[float, float]
    weight: float | None = None  # the feature's weight in the verdict model (latest fit)
    n_effective: int | None = None  # clusters of near-duplicate births among the n (when known)

    def to_dict(self) -> dict[str, object]:
        def c(x: float | None) -> float | None:
            return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 6)

        d: dict[str, object] = {
            "name": self.name,
            "kind": self.kind,
            "n": self.n,
            "n_effective": self.n_effective,
            "hit_rate": c(self.hit_rate),
            "auc": c(self.auc),
            "brier": c(self.brier),
            "bss_base": c(self.bss_base),
            "bss_momentum": c(self.bss_momentum),
            "ci_bss_base": [c(self.ci_bss_base[0]), c(self.ci_bss_base[1])],
            "ci_bss_momentum": [c(self.ci_bss_momentum[0]), c(self.ci_bss_momentum[1])],
        }
        if self.weight is not None:
            d["weight"] = c(self.weight)
        return d

    @property
    def shows_skill(self) -> bool:
        """Both intervals above zero: better than the base rate and than momentum alone."""
        return bool(self.ci_bss_base[0] > 0 and self.ci_bss_momentum[0] > 0)


def skill(
    name: str,
    kind: str,
    p: np.ndarray,
    base: np.ndarray,
    mom: np.ndarray,
    y: np.ndarray,
    years: np.ndarray,
    boot: int = BOOT,
    clusters: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> Skill:
    """Skill of probabilities ``p`` on the rows where ``p``, both baselines and ``y`` are known.
    With ``clusters`` (each row's cluster of near-duplicates) the intervals resample clusters within
    calendar-year blocks (:func:`hypecheck.lab.bootstrap.block_weights`; ``weights``: those draws
    for all rows, computed once by the caller), else whole years."""
    m = ~np.isnan(p) & ~np.isnan(base) & ~np.isnan(mom) & ~np.isnan(y)
    p, base, mom, yy, yr = p[m], base[m], mom[m], persisted(y[m]), years[m]
    if not len(p):
        nan = math.nan
        return Skill(name, kind, 0, nan, nan, nan, nan, nan, (nan, nan), (nan, nan), n_effective=0)
    b, bb, bm = brier(p, yy), brier(base, yy), brier(mom, yy)
    n_eff = None
    if clusters is not None:
        from .bootstrap import block_weights

        cl = np.asarray(clusters)[m]
        n_eff = len(set(cl.tolist()))
        W = weights[:, m] if weights is not None else block_weights(cl, yr, boot)
        with np.errstate(divide="ignore", invalid="ignore"):
            e = W @ (p - yy) ** 2
            d_base = 1 - e / (W @ (base - yy) ** 2)
            d_mom = 1 - e / (W @ (mom - yy) ** 2)
    else:
        uy, inv = np.unique(yr, return_inverse=True)

        def per_year(q: np.ndarray) -> np.ndarray:
            return np.bincount(inv, weights=(q - yy) ** 2, minlength=len(uy))

        e, eb, em = per_year(p), per_year(base), per_year(mom)
        d_base = year_bootstrap(e, eb, boot)
        d_mom = year_bootstrap(e, em, boot)
    ci_b = tuple(float(x) for x in np.nanpercentile(d_base, [2.5, 97.5]))
    ci_m = tuple(float(x) for x in np.nanpercentile(d_mom, [2.5, 97.5]))
    return Skill(
        name,
        kind,
        len(p),
        float(np.mean((p > 0.5) == (yy > 0.5))),
        auc(p, yy),
        b,
        1 - b / bb if bb > 0 else math.nan,
        1 - b / bm if bm > 0 else math.nan,
        (ci_b[0], ci_b[1]),
        (ci_m[0], ci_m[1]),
        n_effective=n_eff,
    )


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> list[dict[str, float | int]]:
    """Persistence rate by decile of the probability (equal-count bins of the scored episodes)."""
    m = ~np.isnan(p) & ~np.isnan(y)
    p, yy = p[m], persisted(y[m])
    if len(p) < bins:
        return []
    order = np.argsort(p, kind="mergesort")
    out = []
    for i, chunk in enumerate(np.array_split(order, bins)):
        out.append(
            {
                "decile": i + 1,
                "n": len(chunk),
                "mean_p": float(p[chunk].mean()),
                "observed": float(yy[chunk].mean()),
            }
        )
    return out


def label(p: float, lo: float, hi: float, base: float) -> str:
    """``real catalyst`` when the probability's interval lies wholly above the base rate, ``viral
    sentiment`` when wholly below, ``mixed`` otherwise (``insufficient data`` without a probability)."""
    if any(math.isnan(x) for x in (p, base)):
        return "insufficient data"
    if not math.isnan(lo) and lo > base:
        return "real catalyst"
    if not math.isnan(hi) and hi < base:
        return "viral sentiment"
    return "mixed"
