"""The verdict's track record: a walk-forward through history, and a probability calibrated on it.

Walk-forward: on the same calendar date of every past year (the anniversaries of the as-of date), the
full check is run with only the data up to that date (``check(as_of=D)`` cuts everything at ``D``),
and its score is recorded with what happened next: the first pair's leader - laggard spread over the
following ``horizon_months``. Anniversaries a year apart keep the 12-month outcomes from overlapping.

Calibration: the probability that the leadership persists (the spread is positive over the horizon)
given the verdict score is a logistic curve ``p = 1 / (1 + exp(-(a + b * score)))`` fitted by
penalised maximum likelihood (a Gaussian prior of scale ``prior_sd`` on ``a`` and ``b`` keeps small or
separable samples finite) on the records whose outcome was known on the date it is used. Every
probability in the track record is therefore out of sample: record ``i`` is scored by a curve fitted
only on records whose outcomes had ended by record ``i``'s date.

Baselines, scored on the same records: *base rate* (the share of earlier records that persisted) and
*momentum* (the share of earlier records with the same sign of the trailing 12-month spread that
persisted, Laplace-smoothed). The Brier score is the mean squared error of a probability; lower is
better; 0.25 is what a constant 0.5 scores.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

MIN_FIT = 6  # records with known outcomes needed before a walk-forward probability is given
PRIOR_SD = 2.0  # prior scale on the logistic intercept and slope (score is in [-1, 1])


@dataclass
class Record:
    date: pd.Timestamp
    score: float
    label: str
    momentum: float  # trailing 12-month leader - laggard spread at the date
    outcome: float  # leader - laggard spread over the horizon after the date (NaN: pending)
    known: pd.Timestamp  # when the outcome is known (date + horizon)
    p_verdict: float = math.nan  # walk-forward probabilities (NaN until enough history)
    p_base: float = math.nan
    p_momentum: float = math.nan

    @property
    def persisted(self) -> bool | None:
        return None if math.isnan(self.outcome) else bool(self.outcome > 0)

    def to_dict(self) -> dict[str, Any]:
        def f(x: float) -> float | None:
            return None if isinstance(x, float) and math.isnan(x) else x

        return {
            "date": self.date.strftime("%Y-%m-%d"),
            "score": self.score,
            "label": self.label,
            "momentum": f(self.momentum),
            "outcome": f(self.outcome),
            "persisted": self.persisted,
            "p_verdict": f(self.p_verdict),
            "p_base": f(self.p_base),
            "p_momentum": f(self.p_momentum),
        }


def fit_logistic(scores: np.ndarray, y: np.ndarray, prior_sd: float = PRIOR_SD) -> tuple[float, float]:
    """Penalised maximum-likelihood logistic fit of ``y`` (0/1) on ``scores``: (intercept, slope)."""
    x = np.asarray(scores, float)
    t = np.asarray(y, float)

    def nll(w: np.ndarray) -> float:
        z = w[0] + w[1] * x
        return float(np.sum(np.logaddexp(0.0, z) - t * z) + (w @ w) / (2 * prior_sd**2))

    def grad(w: np.ndarray) -> np.ndarray:
        p = 1 / (1 + np.exp(-(w[0] + w[1] * x)))
        return np.array([np.sum(p - t), np.sum((p - t) * x)]) + w / prior_sd**2

    r = minimize(nll, np.zeros(2), jac=grad, method="L-BFGS-B")
    return float(r.x[0]), float(r.x[1])


def logistic(a: float, b: float, score: float) -> float:
    return float(1 / (1 + math.exp(-(a + b * score))))


def _momentum_p(known: list[Record], sign: bool) -> float:
    same = [r for r in known if (r.momentum > 0) == sign and not math.isnan(r.momentum)]
    k = sum(1 for r in same if r.persisted)
    return (k + 1) / (len(same) + 2)


def score_walk_forward(records: list[Record]) -> None:
    """Fill each record's out-of-sample probabilities from the records known by its date."""
    for r in records:
        known = [q for q in records if q.known <= r.date and q.persisted is not None]
        if len(known) < MIN_FIT:
            continue
        y = np.array([1.0 if q.persisted else 0.0 for q in known])
        a, b = fit_logistic(np.array([q.score for q in known]), y)
        r.p_verdict = logistic(a, b, r.score)
        r.p_base = float(y.mean())
        r.p_momentum = _momentum_p(known, r.momentum > 0) if not math.isnan(r.momentum) else r.p_base


@dataclass
class Calibration:
    """The track record and the probability for the current check."""

    history: str  # which data the record comes from
    horizon_months: int
    records: list[Record]
    probability: float  # for the current score, fitted on every record known at the as-of date
    n_fit: int  # records behind that probability
    intercept: float
    slope: float
    scored: int  # records with walk-forward probabilities
    brier: dict[str, float] = field(default_factory=dict)  # verdict / base rate / momentum
    hit_rate: dict[str, float] = field(default_factory=dict)
    reliability: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def f(x: float) -> float | None:
            return None if isinstance(x, float) and math.isnan(x) else x

        return {
            "history": self.history,
            "horizon_months": self.horizon_months,
            "probability": f(self.probability),
            "n": self.n_fit,
            "intercept": f(self.intercept),
            "slope": f(self.slope),
            "scored": self.scored,
            "brier": {k: f(v) for k, v in self.brier.items()},
            "hit_rate": {k: f(v) for k, v in self.hit_rate.items()},
            "reliability": self.reliability,
            "records": [r.to_dict() for r in self.records],
        }

    def summary(self) -> str:
        lines = [
            f"walk-forward on {self.history}: {len(self.records)} dates, {self.scored} scored out of sample, "
            f"{self.horizon_months}-month outcomes",
        ]
        if self.scored:
            lines.append(f"  {'':<12} {'Brier':>7} {'hit rate':>9}")
            for k in ("verdict", "base rate", "momentum"):
                lines.append(f"  {k:<12} {self.brier[k]:7.3f} {self.hit_rate[k]:9.0%}")
        if not math.isnan(self.probability):
            lines.append(
                f"  probability the leadership persists: {self.probability:.0%} (fitted on n = {self.n_fit})"
            )
        return "\n".join(lines)


def _brier(p: list[float], y: list[float]) -> float:
    return float(np.mean((np.asarray(p) - np.asarray(y)) ** 2)) if p else math.nan


def _hits(p: list[float], y: list[float]) -> float:
    return float(np.mean([(pi > 0.5) == (yi > 0.5) for pi, yi in zip(p, y, strict=True)])) if p else math.nan


def summarise(
    records: list[Record], score: float, as_of: pd.Timestamp, history: str, horizon: int
) -> Calibration:
    score_walk_forward(records)
    known = [r for r in records if r.known <= as_of and r.persisted is not None]
    if len(known) >= MIN_FIT:
        a, b = fit_logistic(
            np.array([r.score for r in known]), np.array([1.0 if r.persisted else 0.0 for r in known])
        )
        prob = logistic(a, b, score)
    else:
        a = b = prob = math.nan
    scored = [
        r for r in records if not math.isnan(r.p_verdict) and r.persisted is not None and r.known <= as_of
    ]
    y = [1.0 if r.persisted else 0.0 for r in scored]
    cols = {"verdict": "p_verdict", "base rate": "p_base", "momentum": "p_momentum"}
    brier = {k: _brier([getattr(r, c) for r in scored], y) for k, c in cols.items()}
    hits = {k: _hits([getattr(r, c) for r in scored], y) for k, c in cols.items()}
    rel = []
    for lo, hi in ((0.0, 0.4), (0.4, 0.6), (0.6, 1.0001)):
        sub = [r for r in scored if lo <= r.p_verdict < hi]
        rel.append(
            {
                "bin": f"{lo:.0%}-{min(hi, 1.0):.0%}",
                "n": len(sub),
                "mean_predicted": float(np.mean([r.p_verdict for r in sub])) if sub else None,
                "observed": float(np.mean([1.0 if r.persisted else 0.0 for r in sub])) if sub else None,
            }
        )
    return Calibration(history, horizon, records, prob, len(known), a, b, len(scored), brier, hits, rel)


# per catalog (weakly held: a catalog that is gone takes its records with it, and a new catalog that
# happens to reuse the old one's id() can never be served stale records)
_CACHE: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], list[Record]]] = weakref.WeakKeyDictionary()


def anniversaries(as_of: pd.Timestamp, first: pd.Timestamp) -> list[pd.Timestamp]:
    """The as-of date's month/day in every year from ``first``'s year to the as-of year (exclusive)."""
    out = []
    for y in range(first.year, as_of.year):
        try:
            d = pd.Timestamp(year=y, month=as_of.month, day=as_of.day)
        except ValueError:  # 29 February
            d = pd.Timestamp(year=y, month=as_of.month, day=28)
        if d >= first:
            out.append(d)
    return out


def walk_forward(
    theme: Any,
    as_of: pd.Timestamp,
    *,
    catalog: Any,
    source: str,
    rules: Any,
    horizon_months: int = 12,
    min_history_years: int = 2,
) -> list[Record]:
    """Run the check on every anniversary with data up to then; record score and next-horizon outcome."""
    from .api import check
    from .panel import build_panel

    key = (theme.id, theme.path, source, str(getattr(rules, "origin", "")), as_of, horizon_months)
    cached = _CACHE.setdefault(catalog, {})
    if key in cached:
        return [Record(**r.__dict__) for r in cached[key]]
    panel = build_panel(theme, catalog, as_of, source)
    if not theme.pairs:
        return []
    p = theme.pairs[0]
    a, b = panel.price(p.leader), panel.price(p.laggard)
    if a is None or b is None:
        return []
    both = pd.concat({"a": a, "b": b}, axis=1, join="inner", sort=True).dropna()
    if both.empty:
        return []
    first = both.index[0] + pd.DateOffset(years=min_history_years)
    records = []
    for d in anniversaries(as_of, first):
        res = check(theme, as_of=d, catalog=catalog, source=source, rules=rules)
        i = int(both.index.searchsorted(d, side="right")) - 1
        j0 = int(both.index.searchsorted(d - pd.DateOffset(months=12), side="right")) - 1
        end = d + pd.DateOffset(months=horizon_months)
        j1 = int(both.index.searchsorted(end, side="right")) - 1
        mom = (
            float(both["a"].iloc[i] / both["a"].iloc[j0] - both["b"].iloc[i] / both["b"].iloc[j0])
            if j0 >= 0 and i > j0
            else math.nan
        )
        out = (
            float(both["a"].iloc[j1] / both["a"].iloc[i] - both["b"].iloc[j1] / both["b"].iloc[i])
            if end <= as_of and j1 > i
            else math.nan
        )
        records.append(Record(d, float(res.verdict.score or 0.0), res.verdict.label, mom, out, end))
    cached[key] = [Record(**r.__dict__) for r in records]
    return records


def calibrate(
    theme: Any, as_of: pd.Timestamp, score: float, *, catalog: Any, source: str, rules: Any, history: str
) -> Calibration:
    records = walk_forward(theme, as_of, catalog=catalog, source=source, rules=rules)
    return summarise(records, score, as_of, history, 12)


__all__ = ["Calibration", "Record", "calibrate", "fit_logistic", "summarise", "walk_forward"]
