"""Does a narrative give back its move faster than noise would? Retention against the random-walk null.

For every past narrative (a birth of :mod:`hypecheck.lab.history`) and horizon ``h``:

* ``kept_half_h = R_h > -move / 2`` (``R_h`` the leader's log relative return from the birth to the
  last common close on or before birth + ``h`` months, ``move`` the 15-day log relative move);
* ``p_rw_h``: its probability under a driftless random walk with the pair's conditional volatility
  at the birth and Student-t tails fitted on the standardised outcomes known by then
  (:mod:`hypecheck.lab.null`), refitted every 1 January (the holdout too: the null only ever uses
  outcomes known before a birth);
* the 80% range of ``R_h`` under the same distribution.

What is measured (every interval from :func:`block_weights`: clusters of near-duplicate births
resampled within calendar-year blocks, years resampled, 1,000 draws, seed 0):

1. **retention**: the observed share that kept half vs the mean null probability, per horizon and per
   class of narrative (and era on Ken French). Observed below the null with the interval below zero
   is *excess reversal*, the measured signature of viral narratives;
2. **skill against the null**: a logistic model of ``kept_half`` on features fixed in advance
   (:data:`FEATURES`), with the null's log-odds as an offset (so it can only add to the null), its
   ridge prior chosen by an inner time-series cross-validation inside each yearly refit
   (:data:`PRIORS`); scored by Brier skill against the null and the base rate, AUC, and the rank
   correlation (IC) of the model's shift of the log-odds with the realised standardised return
   ``z_h`` with the tercile spread of ``z_h``;
3. **power first**: the smallest AUC and IC the evaluation could detect (95% confidence, 80% power),
   from the bootstrap's spread of the same statistics;
4. **the range**: out-of-sample coverage of the 80% range, and its interval-score skill against the
   unconditional 10%-90% range of past outcomes known by then (:func:`interval_score`);
5. **the holdout** by year, with leave-one-year-out figures.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import model as M
from . import null as N
from . import target as T
from .bootstrap import BOOT, block_weights, interval, ones, weighted_auc, weighted_corr, wmean
from .features import FEATURE_OF
from .history import HORIZON_MONTHS, History
from .special import expit, logit

# fixed before any result; rows of the feature table (features.FEATURES: a name not in it fails here)
FEATURES = tuple(FEATURE_OF[f].name for f in ("sharpness", "mom_1m", "mom_12m", "attention", "ew_confirm"))
MIN_FEATURE_COVERAGE = 0.2  # a feature present in fewer training narratives is left out of that fit
PRIORS = (0.01, 0.03, 0.1, 0.3, 1.0)  # candidate ridge prior sd (log-odds per deviation)
INNER_YEARS = 3  # inner folds: the last three birth years of each training set
RANGE_LEVEL = 0.80
Z_ALPHA, Z_POWER = 1.959964, 0.841621  # 95% two-sided confidence, 80% power
ERAS = ((1949, 1979), (1980, 1999), (2000, 2099))
FADE_LEVEL = 0.05


# ------------------------------------------------------------------------------- walk-forward null
def fit_dates(dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The date of the null's fit for each birth: 1 January of its year (the tails are refitted every
    year, the holdout included: they only ever use outcomes known before the birth, so an episode's
    null never depends on where the data end)."""
    return pd.DatetimeIndex(pd.to_datetime({"year": dates.year, "month": 1, "day": 1}))


@dataclass
class Null:
    """The null at one horizon for every birth: ``p`` (kept half), ``lo``/``hi`` (the range), the
    realised ``z`` and ``kept`` (NaN where pending), and the tails each fit used."""

    months: int
    n_steps: int
    p: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    z: np.ndarray
    kept: np.ndarray
    r: np.ndarray
    pz: np.ndarray  # the null's probability of an outcome at or below the realised one (fade test p)
    tails: dict[pd.Timestamp, N.Tails]
    uncond: dict[pd.Timestamp, tuple[float, float]]
    fit_at: pd.DatetimeIndex


def null_at(eps: pd.DataFrame, months: int, ppm: int, level: float = RANGE_LEVEL) -> Null:
    """The walk-forward random-walk null of every birth of ``eps`` at ``months`` (see the module)."""
    n = N.steps(months, ppm)
    r = eps[f"rel_{months}m"].to_numpy(dtype="float64")
    sigma = eps["sigma"].to_numpy(dtype="float64")
    mv = eps["move"].to_numpy(dtype="float64")
    z = N.standardise(r, sigma, n)
    known = T.known_dates(eps, months)
    at = fit_dates(pd.DatetimeIndex(eps["date"]))
    p, lo, hi, pz = (np.full(len(eps), np.nan) for _ in range(4))
    tails: dict[pd.Timestamp, N.Tails] = {}
    uncond: dict[pd.Timestamp, tuple[float, float]] = {}
    prev = N.Tails()
    fitted = _tails_memo(eps, months, ppm)
    for i, d in enumerate(sorted(set(at))):
        d = pd.Timestamp(d)
        train = np.asarray(known <= d) & np.isfinite(z)
        if fitted is not None:  # the same fits, read back (see _tails_memo)
            t = N.Tails(float(fitted[i, 0]), float(fitted[i, 1]), int(fitted[i, 2]))
        else:
            t = N.fit_tails(z[train], prev) if train.sum() >= N.MIN_TAIL_FIT else prev
        tails[d], prev = t, t
        past = r[train]
        uncond[d] = (
            (float(np.quantile(past, (1 - level) / 2)), float(np.quantile(past, (1 + level) / 2)))
            if len(past) >= N.MIN_TAIL_FIT
            else (math.nan, math.nan)
        )
        rows = np.asarray(at == d)
        p[rows] = N.p_kept(mv[rows], sigma[rows], n, t)
        lo[rows], hi[rows] = N.null_range(sigma[rows], n, t, level)
        zr = z[rows]
        pz[rows] = np.where(np.isnan(zr), np.nan, t.cdf(np.nan_to_num(zr)))
    kept = T.kept_half(r, mv)
    if fitted is None:
        _tails_memo(eps, months, ppm, tails)
    return Null(months, n, p, lo, hi, z, kept, r, pz, tails, uncond, at)


def _tails_memo(
    eps: pd.DataFrame, months: int, ppm: int, tails: dict[pd.Timestamp, N.Tails] | None = None
) -> np.ndarray | None:
    """The Student-t fits of :func:`null_at` (one per fit date: df, scale, n) kept on disk beside the
    panel (:mod:`hypecheck.lab.memo`): read them (``tails`` None; None on a miss) or store them. They
    are most of a warm lab's time and a pure function of these columns and the code."""
    from . import memo

    cols = (f"rel_{months}m", "sigma", "move", f"known_{months}m", "date")
    key = memo.digest("tails", eps, cols, months, ppm)
    n_dates = len(set(fit_dates(pd.DatetimeIndex(eps["date"])))) if tails is None else len(tails)
    if tails is not None:
        memo.save(
            "tails", key, fits=np.array([[t.df, t.scale, t.n] for t in tails.values()], dtype="float64")
        )
        return None
    got = memo.load("tails", key)
    if got is None or got["fits"].shape != (n_dates, 3):
        return None
    return got["fits"]


# ------------------------------------------------------------------------------ the model vs null
@dataclass
class OffsetFit:
    """A fitted model of ``kept_half``: the null's log-odds plus an intercept and ridge slopes on the
    standardised :data:`FEATURES` kept (``cols``: their columns in the feature matrix)."""

    features: tuple[str, ...]
    cols: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    coef: np.ndarray  # [intercept, w...]
    prior_sd: float
    n: int

    def z(self, X: np.ndarray) -> np.ndarray:
        zz = (X[:, self.cols] - self.mean) / self.sd
        return np.clip(np.where(np.isnan(zz), 0.0, zz), -5.0, 5.0)

    def shift(self, X: np.ndarray) -> np.ndarray:
        """What the features add to the null's log-odds (intercept included)."""
        return np.asarray(self.coef[0] + self.z(X) @ self.coef[1:])

    def predict(self, X: np.ndarray, p_null: np.ndarray) -> np.ndarray:
        return np.asarray(expit(_logit(p_null) + self.shift(X)))


def feature_matrix(eps: pd.DataFrame) -> np.ndarray:
    """The :data:`FEATURES` of every birth as a float matrix (NaN where a feature is missing)."""
    return np.column_stack(
        [eps[f].to_numpy(dtype="float64") if f in eps else np.full(len(eps), np.nan) for f in FEATURES]
    )


def _logit(p: np.ndarray) -> np.ndarray:
    return np.asarray(logit(np.clip(np.asarray(p, dtype="float64"), 1e-4, 1 - 1e-4)))


def _fit_offset(X: np.ndarray, y: np.ndarray, off: np.ndarray, prior_sd: float) -> OffsetFit:
    present = ~np.isnan(X)
    cols = np.flatnonzero(present.mean(axis=0) >= MIN_FEATURE_COVERAGE) if len(X) else np.zeros(0, int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column is dropped just below
        mean = np.nanmean(X[:, cols], axis=0)
        sd = np.nanstd(X[:, cols], axis=0)
    ok = sd > 0
    cols, mean, sd = cols[ok], mean[ok], sd[ok]
    f = OffsetFit(tuple(FEATURES[c] for c in cols), cols, mean, sd, np.zeros(len(cols) + 1), prior_sd, len(y))
    f.coef = M.ridge_logistic(f.z(X), y, prior_sd, offset=off)
    return f


def _logloss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))


def choose_prior(
    X: np.ndarray, y: np.ndarray, off: np.ndarray, years: np.ndarray, known: np.ndarray
) -> float:
    """The ridge prior with the least log-loss over an inner time-series cross-validation on the
    training rows given (the last :data:`INNER_YEARS` birth years, each scored by a fit on the rows
    known by its 1 January); the middle candidate when there are too few rows."""
    uy = np.unique(years)[-INNER_YEARS:]
    loss = np.zeros(len(PRIORS))
    used = 0
    for yr in uy:
        cut = np.datetime64(f"{int(yr):04d}-01-01")
        tr = known <= cut
        te = years == yr
        if tr.sum() < M.MIN_TRAIN or not te.any():
            continue
        used += 1
        for i, s in enumerate(PRIORS):
            f = _fit_offset(X[tr], y[tr], off[tr], s)
            loss[i] += _logloss(f.predict(X[te], expit(off[te])), y[te])
    return PRIORS[int(np.argmin(loss))] if used else PRIORS[len(PRIORS) // 2]


@dataclass
class Scored:
    p: np.ndarray  # the model's probability of kept half (NaN unscored)
    shift: np.ndarray  # the features' shift of the null log-odds
    holdout: np.ndarray
    fits: list[tuple[pd.Timestamp, OffsetFit]] = field(default_factory=list)


def walk_forward(eps: pd.DataFrame, nl: Null, sch: M.Schedule) -> Scored:
    """The model of ``kept_half`` refitted every 1 January on what was known (prior by inner CV), the
    fit at the holdout's first day frozen over the holdout."""
    n = len(eps)
    y, p_null = nl.kept, nl.p
    known = T.known_dates(eps, nl.months).to_numpy().astype("datetime64[ns]")
    dates = pd.DatetimeIndex(eps["date"])
    years = dates.year.to_numpy()
    X = feature_matrix(eps)
    p, shift = np.full(n, np.nan), np.full(n, np.nan)
    hold = np.zeros(n, dtype=bool)
    fits = []
    windows = []
    for i, r in enumerate(sch.refits):
        nxt = sch.refits[i + 1] if i + 1 < len(sch.refits) else sch.holdout_start
        windows.append((r, np.asarray((dates >= r) & (dates < min(nxt, sch.holdout_start))), False))
    windows.append((sch.holdout_start, np.asarray(dates >= sch.holdout_start), True))
    off_all = _logit(p_null)
    from . import memo  # the priors chosen by inner CV (most of the time) kept beside the panel

    inputs = pd.DataFrame(X, columns=list(FEATURES)).assign(y=y, p_null=p_null, known=known, years=years)
    key = memo.digest("priors", inputs, inputs.columns, nl.months, [(str(r), h) for r, _, h in windows])
    got = memo.load("priors", key)
    chosen = list(got["priors"]) if got is not None else None
    priors: list[float] = []
    for r, score, is_hold in windows:
        if not score.any():
            continue
        train = (known <= np.datetime64(r)) & ~np.isnan(y) & ~np.isnan(p_null)
        if train.sum() < M.MIN_TRAIN:
            continue
        if chosen is not None and len(chosen) > len(priors):
            prior = float(chosen[len(priors)])
        else:
            prior = choose_prior(X[train], y[train], off_all[train], years[train], known[train])
        priors.append(prior)
        f = _fit_offset(X[train], y[train], off_all[train], prior)
        fits.append((r, f))
        shift[score] = f.shift(X[score])
        p[score] = f.predict(X[score], p_null[score])
        hold[score] = is_hold
    if chosen is None or len(chosen) != len(priors):
        memo.save("priors", key, priors=np.array(priors, dtype="float64"))
    return Scored(p, shift, hold, fits)


# --------------------------------------------------------------------------------- measurements
def _rate_row(W: np.ndarray, mask: np.ndarray, kept: np.ndarray, p_null: np.ndarray) -> dict[str, Any]:
    w = W[:, mask]
    obs, rw = wmean(w, kept[mask]), wmean(w, p_null[mask])
    o, r = float(kept[mask].mean()), float(p_null[mask].mean())
    return {
        "observed": o,
        "random_walk": r,
        "diff": o - r,
        "ci": list(interval(obs - rw)),
        "ci_observed": list(interval(obs)),
    }


def classes_of(eps: pd.DataFrame, class_map: dict[str, Any]) -> np.ndarray:
    """Each birth's class of narrative from its universe's ``[classes]`` table: the group's class,
    or for the groups listed in ``by_ticker`` the class of the first side named in ``tickers``."""
    groups = class_map.get("groups", {})
    tick = class_map.get("tickers", {})
    by_ticker = set(class_map.get("by_ticker", []))
    out = []
    for g, pair in zip(eps["group"].astype(str), eps["pair"].astype(str), strict=True):
        c = groups.get(g, g)
        if g in by_ticker:
            a, _, b = pair.partition("-")
            c = tick.get(a) or tick.get(b) or c
        out.append(c)
    return np.array(out, dtype=object)


def pair_class(class_map: dict[str, Any], pairs: Any, a: str, b: str) -> str | None:
    """The class of narrative of the pair ``a``-``b`` in a universe (either order), None if absent."""
    for x, y, g in pairs:
        if {x, y} == {a, b}:
            df = pd.DataFrame({"group": [g], "pair": [f"{x}-{y}"]})
            return str(classes_of(df, class_map)[0])
    return None


def detectable(draws: np.ndarray, centre: float) -> float:
    """The smallest value of a statistic the evaluation could tell from ``centre`` at 95% confidence
    with 80% power: ``centre + (1.96 + 0.84) * sd`` of its bootstrap draws."""
    d = draws[np.isfinite(draws)]
    return centre + (Z_ALPHA + Z_POWER) * float(np.std(d, ddof=1)) if len(d) > 2 else math.nan


@dataclass
class RetentionResult:
    """Everything :func:`measure` found on one history (see the module); ``to_dict`` is the v3 JSON."""

    months: int
    n: int
    n_effective: int
    retention: list[dict[str, Any]]
    skill: dict[str, Any]
    detectable: dict[str, float]
    range: dict[str, Any]
    holdout: dict[str, Any]
    fade_share: dict[str, Any]
    nulls: dict[int, Null]
    scored: Scored
    clusters_sensitivity: list[dict[str, Any]] = field(default_factory=list)
    signature: dict[str, Any] = field(default_factory=dict)  # retention with and without each signature

    def findings(self) -> list[str]:
        """Where retention differs from the random walk, as measured: excess reversal (observed below
        the null, interval below zero) and excess persistence (interval above zero), per horizon."""
        rev = [r for r in self.retention if r["ci"][1] < 0]
        per = [r for r in self.retention if r["ci"][0] > 0]

        def name(r: dict[str, Any]) -> str:
            return f"{r['class']} {r['horizon']} ({100 * r['diff']:+.1f} pp, {100 * r['ci'][0]:+.1f} to {100 * r['ci'][1]:+.1f})"

        out = [
            "excess reversal (kept half less often than a random walk): "
            + (", ".join(name(r) for r in rev) if rev else "none measured")
        ]
        out.append(
            "excess persistence (kept half more often): "
            + (", ".join(name(r) for r in per) if per else "none measured")
        )
        return out

    def lines(self) -> list[str]:
        """The terminal summary: power first, then retention, the fade test, skill, range, holdout."""
        sk, rg, d = self.skill, self.range, self.detectable
        out = [
            f"{self.n:,} narratives, {self.n_effective:,} independent (clusters of near-duplicates); "
            f"edges below AUC {d['auc']:.3f} (IC {d['ic']:.3f}) cannot be seen in these data "
            "(95% confidence, 80% power)",
            "kept more than half of the move vs a random walk with conditional volatility "
            "(observed, random walk, difference [95% CI], n (independent)):",
        ]
        for r in self.retention:
            if r["class"] != "all":
                continue
            out.append(
                f"  {r['horizon']:>3}  {r['observed']:6.1%}  {r['random_walk']:6.1%}  "
                f"{100 * r['diff']:+5.1f} pp [{100 * r['ci'][0]:+.1f}, {100 * r['ci'][1]:+.1f}]  "
                f"{r['n']:,} ({r['n_effective']:,})"
            )
        out += ["  " + x for x in self.findings()]
        f = self.fade_share
        if f:
            out.append(
                f"fade test one month after birth flags {f['share']:.1%} of {f['n']:,} narratives at the 5% level "
                f"(95% CI {f['ci'][0]:.1%} to {f['ci'][1]:.1%}; a random walk: 5%)"
            )
        if sk.get("n", 0) >= 10:
            out.append(
                f"model of kept-half over {self.months} months vs the random walk (walk-forward, {sk['n']:,} "
                f"narratives, {sk['n_effective']:,} independent): Brier skill {sk['bss_null']:+.3f} "
                f"[{sk['ci_bss_null'][0]:+.3f}, {sk['ci_bss_null'][1]:+.3f}]; AUC {sk['auc']:.3f} "
                f"[{sk['ci_auc'][0]:.3f}, {sk['ci_auc'][1]:.3f}] (the random walk alone {sk['auc_rw']:.3f}); "
                f"IC {sk['ic']:+.3f} [{sk['ci_ic'][0]:+.3f}, {sk['ci_ic'][1]:+.3f}]; top minus bottom tercile "
                f"{sk['tercile_spread']:+.2f} sd [{sk['ci_tercile_spread'][0]:+.2f}, {sk['ci_tercile_spread'][1]:+.2f}]"
            )
        if rg.get("coverage_oos") is not None:
            ho = rg.get("holdout", {})
            out.append(
                f"80% range of the {self.months}-month spread held {rg['coverage_oos']:.1%} of the time out of "
                f"sample (95% CI {rg['ci'][0]:.1%} to {rg['ci'][1]:.1%}; holdout "
                + (f"{ho['coverage_oos']:.1%}" if ho.get("coverage_oos") is not None else "n/a")
                + f"); interval score {rg['score_skill']:+.1%} better than past outcomes' 10-90% range "
                f"[{100 * rg['ci_score_skill'][0]:+.1f}%, {100 * rg['ci_score_skill'][1]:+.1f}%]"
            )
        for name, what in (
            ("attention", "the leader's search term spiking at birth (ASVI >= 0.2)"),
            ("breadth", "the leader's equal-weight twin confirming"),
        ):
            w = self.signature.get(name) or {}
            a, b = w.get("with", {}), w.get("without", {})
            if "diff" in a and "diff" in b:
                overlap = not (a["ci"][1] < b["ci"][0] or b["ci"][1] < a["ci"][0])
                out.append(
                    f"{what}: kept half {100 * a['diff']:+.1f} pp vs the random walk [{100 * a['ci'][0]:+.1f}, "
                    f"{100 * a['ci'][1]:+.1f}] ({a['n']:,} narratives) with it, {100 * b['diff']:+.1f} pp "
                    f"[{100 * b['ci'][0]:+.1f}, {100 * b['ci'][1]:+.1f}] ({b['n']:,}) without"
                    + ("; no measured difference" if overlap else "")
                )
        ho = self.holdout
        if ho.get("by_year"):
            out.append(
                f"holdout ({ho['n']:,} narratives): Brier skill vs the random walk {ho['bss_null']:+.3f} "
                f"[{ho['ci'][0]:+.3f}, {ho['ci'][1]:+.3f}]; by year (without that year): "
                + ", ".join(
                    f"{r['year']} {r['bss']:+.3f} ({r['bss_without_year']:+.3f})" for r in ho["by_year"]
                )
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "n": self.n,
                "n_effective": self.n_effective,
                "detectable": self.detectable,
                "retention": self.retention,
                "kept_half_skill": self.skill,
                "range": self.range,
                "holdout_by_year": self.holdout,
                "fade_flagged": self.fade_share,
                "signature": self.signature,
            }
        )


def _clean(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, float | np.floating):
        return None if not math.isfinite(float(x)) else round(float(x), 6)
    if isinstance(x, np.integer):
        return int(x)
    return x


ATTENTION_SPIKE = 0.2  # ASVI (log) at the birth that counts as the leader's search term spiking


def _with_without(
    ek: pd.DataFrame, col: str, cut: float, kept: np.ndarray, p: np.ndarray, W: np.ndarray
) -> dict[str, Any]:
    """Retention against the random walk (observed minus null, pp) of past narratives with the
    signature (``col > cut`` at the birth) and without it (``col <= cut``), with intervals."""
    if col not in ek:
        return {}
    v = ek[col].to_numpy(dtype="float64")
    out: dict[str, Any] = {"feature": col, "cut": cut}
    for part, m in (("with", v > cut), ("without", v <= cut)):
        m = m & ~np.isnan(p)
        if m.sum() < 20:
            out[part] = {"n": int(m.sum())}
            continue
        d = wmean(W[:, m], kept[m]) - wmean(W[:, m], p[m])
        out[part] = {"n": int(m.sum()), "diff": float(kept[m].mean() - p[m].mean()), "ci": list(interval(d))}
    return _clean(out)


def _neff(clusters: np.ndarray, mask: np.ndarray) -> int:
    return len(set(clusters[mask].tolist()))


def measure(
    h: History,
    eps: pd.DataFrame,
    months: int,
    sch: M.Schedule,
    boot: int = BOOT,
    class_map: dict[str, Any] | None = None,
    weights: np.ndarray | None = None,
) -> RetentionResult:
    """Retention, skill against the null, power, range and holdout of one history (see the module)."""
    ppm = h.universe.freq.ppm
    clusters = eps["cluster"].astype(str).to_numpy() if "cluster" in eps else np.arange(len(eps)).astype(str)
    dates = pd.DatetimeIndex(eps["date"])
    years = dates.year.to_numpy()
    W = weights if weights is not None else block_weights(clusters, years, boot)
    classes = classes_of(eps, class_map or {})
    nulls = {m: null_at(eps, m, ppm) for m in HORIZON_MONTHS}
    retention: list[dict[str, Any]] = []
    groups: list[tuple[str, np.ndarray]] = [("all", np.ones(len(eps), dtype=bool))]
    groups += [(str(c), classes == c) for c in sorted(set(classes.tolist()))]
    if ppm == 1:
        groups += [
            (f"era {a}-{'' if b > 2090 else b}", (years >= a) & (years <= b))
            for a, b in ERAS
            if (years >= a).any()
        ]
    for m in HORIZON_MONTHS:
        nl = nulls[m]
        ok = ~np.isnan(nl.kept) & ~np.isnan(nl.p)
        for name, g in groups:
            mask = ok & g
            if mask.sum() < 2:
                continue
            row = {
                "horizon": f"{m}M",
                "class": name,
                "n": int(mask.sum()),
                "n_effective": _neff(clusters, mask),
            }
            row.update(_rate_row(W, mask, nl.kept, nl.p))
            retention.append(row)
    nl = nulls[months]
    sc = walk_forward(eps, nl, sch)
    skill = _skill(W, sc, nl, clusters, ~sc.holdout)
    skill["weights"] = _weights(sc)
    det = {"auc": skill.pop("_det_auc"), "ic": skill.pop("_det_ic")}
    in_hold = np.asarray(dates >= sch.holdout_start)
    rng = _range(W, nl, clusters, ~in_hold)
    rng["holdout"] = _range(W, nl, clusters, in_hold)
    hold = _holdout(W, sc, nl, clusters, years)
    fade = _fade_share(nulls[1], W, clusters)
    ok = ~np.isnan(nl.kept) & ~np.isnan(nl.p)
    signature = {
        name: _with_without(eps.loc[ok], col, cut, nl.kept[ok], nl.p[ok], W[:, ok])
        for name, col, cut in (("attention", "attention", ATTENTION_SPIKE), ("breadth", "ew_confirm", 0.0))
    }
    return RetentionResult(
        months=months,
        n=len(eps),
        n_effective=len(set(clusters.tolist())),
        retention=retention,
        skill=skill,
        detectable=det,
        range=rng,
        holdout=hold,
        fade_share=fade,
        signature=signature,
        nulls=nulls,
        scored=sc,
    )


def _skill(W: np.ndarray, sc: Scored, nl: Null, clusters: np.ndarray, part: np.ndarray) -> dict[str, Any]:
    m = part & ~np.isnan(sc.p) & ~np.isnan(nl.kept) & ~np.isnan(nl.p)
    out: dict[str, Any] = {"n": int(m.sum()), "n_effective": _neff(clusters, m)}
    if m.sum() < 10:
        return out | {"_det_auc": math.nan, "_det_ic": math.nan}
    w, y, p, p0 = W[:, m], nl.kept[m], sc.p[m], nl.p[m]
    base = float(y.mean())
    se, se0 = (p - y) ** 2, (p0 - y) ** 2
    seb = (base - y) ** 2  # in-sample base rate: a generous reference for the null
    with np.errstate(divide="ignore", invalid="ignore"):
        d_null = 1 - (w @ se) / (w @ se0)
        d_null_base = 1 - (w @ se0) / (w @ seb)
    auc_m = weighted_auc(w, p, y)
    auc_0 = weighted_auc(w, p0, y)
    z = nl.z[m]
    sh = sc.shift[m]
    from scipy import stats  # the lab only: a check never imports scipy.stats

    rk_s, rk_z = stats.rankdata(sh), stats.rankdata(z)
    ic = weighted_corr(w, rk_s, rk_z)
    terc = np.quantile(sh, [1 / 3, 2 / 3])
    top, bot = sh >= terc[1], sh <= terc[0]
    spread = wmean(w[:, top], z[top]) - wmean(w[:, bot], z[bot])
    one = ones(len(y))
    out |= {
        "kept_half": base,
        "p_rw_mean": float(p0.mean()),
        "brier": float(se.mean()),
        "brier_rw": float(se0.mean()),
        "bss_null": float(1 - se.sum() / se0.sum()),
        "ci_bss_null": list(interval(d_null)),
        "bss_rw_vs_base": float(1 - se0.sum() / seb.sum()),
        "ci_bss_rw_vs_base": list(interval(d_null_base)),
        "auc": float(weighted_auc(one, p, y)[0]),
        "ci_auc": list(interval(auc_m)),
        "auc_rw": float(weighted_auc(one, p0, y)[0]),
        "ci_auc_rw": list(interval(auc_0)),
        "ic": float(stats.spearmanr(sh, z).statistic) if np.ptp(sh) > 0 else math.nan,
        "ci_ic": list(interval(ic)),
        "tercile_spread": float(z[top].mean() - z[bot].mean()),
        "ci_tercile_spread": list(interval(spread)),
        "_det_auc": detectable(auc_m - np.nanmean(auc_m) + 0.5, 0.5),
        "_det_ic": detectable(ic - np.nanmean(ic), 0.0),
    }
    return out


def _weights(sc: Scored) -> dict[str, Any]:
    """The weights of the fit that scored the holdout (the last fit): the model that was scored."""
    if not sc.fits:
        return {}
    at, f = sc.fits[-1]
    return {
        "fitted_on": f"{at:%Y-%m-%d}",
        "n": f.n,
        "prior_sd": f.prior_sd,
        "intercept": float(f.coef[0]),
        "features": {k: float(w) for k, w in zip(f.features, f.coef[1:], strict=True)},
        "priors_chosen": sorted({fit.prior_sd for _, fit in sc.fits}),
    }


def interval_score(obs: np.ndarray, lower: np.ndarray, upper: np.ndarray, alpha: float) -> np.ndarray:
    """The interval (Winkler) score of central ``1 - alpha`` intervals ``[lower, upper]`` (Gneiting &
    Raftery 2007): the width, plus ``2 / alpha`` times the miss when ``obs`` falls outside. The same
    arithmetic, in the same order, as ``scoringrules.interval_score`` (tested equal on random data);
    written here because importing scoringrules compiles numba kernels (seconds) for one line."""
    obs, lower, upper = (np.asarray(x, dtype="float64") for x in (obs, lower, upper))
    k = 2 / alpha
    out = (upper - lower) + (obs < lower) * k * (lower - obs)
    out += (obs > upper) * k * (obs - upper)
    return np.asarray(out, dtype="float64")


def _range(W: np.ndarray, nl: Null, clusters: np.ndarray, part: np.ndarray) -> dict[str, Any]:
    uq = np.array([nl.uncond.get(pd.Timestamp(d), (math.nan, math.nan)) for d in nl.fit_at]).reshape(-1, 2)
    m = part & ~np.isnan(nl.r) & ~np.isnan(nl.lo) & ~np.isnan(uq[:, 0])
    out: dict[str, Any] = {"horizon": f"{nl.months}M", "level": RANGE_LEVEL, "n": int(m.sum())}
    if m.sum() < 10:
        return out
    r, lo, hi = nl.r[m], nl.lo[m], nl.hi[m]
    inside = ((r >= lo) & (r <= hi)).astype("float64")
    alpha = 1 - RANGE_LEVEL
    s_model = interval_score(r, lo, hi, alpha)
    s_unc = interval_score(r, uq[m, 0], uq[m, 1], alpha)
    w = W[:, m]
    with np.errstate(divide="ignore", invalid="ignore"):
        skill = 1 - (w @ s_model) / (w @ s_unc)
    inside_unc = ((r >= uq[m, 0]) & (r <= uq[m, 1])).astype("float64")
    return out | {
        "n_effective": _neff(clusters, m),
        "coverage_oos": float(inside.mean()),
        "ci": list(interval(wmean(w, inside))),
        "coverage_unconditional": float(inside_unc.mean()),
        "interval_score": float(s_model.mean()),
        "interval_score_unconditional": float(s_unc.mean()),
        "score_skill": float(1 - s_model.sum() / s_unc.sum()),
        "ci_score_skill": list(interval(skill)),
        "tails": {f"{d:%Y-%m-%d}": t.to_dict() for d, t in list(nl.tails.items())[-1:]},
    }


def _holdout(W: np.ndarray, sc: Scored, nl: Null, clusters: np.ndarray, years: np.ndarray) -> dict[str, Any]:
    m = sc.holdout & ~np.isnan(sc.p) & ~np.isnan(nl.kept)
    rows = []
    se = (sc.p - nl.kept) ** 2
    se0 = (nl.p - nl.kept) ** 2
    for yr in sorted(set(years[m].tolist())):
        sel = m & (years == yr)
        rest = m & (years != yr)
        rows.append(
            {
                "year": int(yr),
                "n": int(sel.sum()),
                "n_effective": _neff(clusters, sel),
                "kept_half": float(nl.kept[sel].mean()),
                "p_rw_mean": float(nl.p[sel].mean()),
                "bss": float(1 - se[sel].sum() / se0[sel].sum()),
                "bss_without_year": float(1 - se[rest].sum() / se0[rest].sum()) if rest.any() else math.nan,
            }
        )
    total = float(1 - se[m].sum() / se0[m].sum()) if m.any() else math.nan
    w = W[:, m]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = 1 - (w @ se[m]) / (w @ se0[m])
    return {
        "n": int(m.sum()),
        "n_effective": _neff(clusters, m),
        "bss_null": total,
        "ci": list(interval(d)),
        "by_year": rows,
    }


def _fade_share(nl: Null, W: np.ndarray, clusters: np.ndarray) -> dict[str, Any]:
    """Share of past narratives the fade test flags at 5% one month after birth: the null's
    probability of a one-month outcome at or below the realised one is under 0.05. Under the null
    5% are flagged; more is excess reversal."""
    m = ~np.isnan(nl.pz)
    if not m.any():
        return {}
    flag = (nl.pz[m] < FADE_LEVEL).astype("float64")
    return {
        "age": f"{nl.months}M",
        "level": FADE_LEVEL,
        "n": int(m.sum()),
        "n_effective": _neff(clusters, m),
        "share": float(flag.mean()),
        "ci": list(interval(wmean(W[:, m], flag))),
    }


__all__ = [
    "FEATURES",
    "PRIORS",
    "Null",
    "RetentionResult",
    "choose_prior",
    "classes_of",
    "detectable",
    "interval_score",
    "measure",
    "null_at",
    "walk_forward",
]
