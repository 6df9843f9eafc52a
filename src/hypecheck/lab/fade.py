"""What a check can say about *this* narrative: the fade test, what narratives like it did, its range.

For a pair (the theme's leader ``L`` over its laggard ``G``) as of ``D``:

* **birth**: the pair's latest birth on or before ``D`` with ``L`` ahead (the lab's rule:
  :func:`hypecheck.lab.features.detect`, 2 deviations over 15 trading days), within
  :data:`LOOKBACK_MONTHS`; none is "no narrative born";
* **the fade test**: ``R_a``, the leader's log relative return from the birth to ``D`` over ``a``
  periods, against a driftless random walk with the pair's conditional volatility at the birth
  (:mod:`hypecheck.lab.null`): ``z = R_a / (sigma sqrt(a))``, ``p = F(z)`` with ``F`` the Student-t
  fitted on the one-month standardised outcomes of past narratives known by ``D`` (one-sided: a
  move given back fast has a small ``p``). ``p < 0.05``: **fading faster than noise** (the viral
  signature); otherwise **holding**; younger than :data:`MIN_AGE` periods: **too young to tell**.
  Under the null 5% of narratives are flagged (tested on 10,000 simulated random walks);
* **what history says**: past narratives of the same class (the universe's classes; all of them
  when the pair is not in the universe) with outcomes known by ``D``: how often they kept more than
  half of the move and kept beating over the horizon, with cluster x year-block intervals, the random
  walk's reference, and quantiles of their spreads;
* **the range**: the random walk's 80% interval of the spread over the next ``h`` months from ``D``
  (the conditional volatility at ``D``, tails fitted on ``h``-month outcomes known by ``D``) with its
  out-of-sample coverage on the narratives known by ``D``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from ..known import cut_closes
from . import features as F
from . import null as N
from . import target as T
from .bootstrap import block_weights, interval, weighted_auc, wmean
from .retention import ATTENTION_SPIKE, _with_without, null_at
from .retention import _clean as _clean  # one JSON cleaner for the lab's results

LOOKBACK_MONTHS = 12
MIN_AGE = {"daily": 5, "monthly": 1}  # periods: under a week (a month) the test has next to no power
LEVEL = 0.05
RANGE_LEVEL = 0.80
QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
LABELS = ("fading faster than noise", "holding", "too young to tell", "no narrative born")


@dataclass
class Fade:
    leader: str
    laggard: str
    label: str
    birth: pd.Timestamp | None = None
    sharpness: float = math.nan  # at the birth, in deviations of the pair's trailing noise
    move: float = math.nan  # log, at the birth
    age: int = 0  # periods since the birth
    period: str = "trading day"
    retained: float = math.nan  # (move + R_a) / move
    expected_rw: float = math.nan  # the random walk's probability of keeping more than half by now
    z: float = math.nan
    p_value: float = math.nan
    sigma: float = math.nan
    reversed_on: pd.Timestamp | None = None  # a later birth the other way
    last_other: pd.Timestamp | None = None  # with no birth: the last birth with the laggard ahead

    def sentence(self) -> str:
        """The finding, in one sentence that starts with the pair."""
        head = f"{self.leader}'s lead over {self.laggard}"
        if self.birth is None:
            other = (
                f"; the last sharp move was {self.laggard} over {self.leader}, on {self.last_other:%Y-%m-%d}"
                if self.last_other is not None
                else ""
            )
            return (
                f"{head}: no narrative born - {self.leader} has not moved 2 deviations ahead of "
                f"{self.laggard} over 15 {self.period}s in the last {LOOKBACK_MONTHS} months{other}"
            )
        born = f"{head} (born {self.birth:%Y-%m-%d}, {self.sharpness:+.1f} sd, a {100 * self.move:.1f}% move)"
        if self.label == "too young to tell":
            return (
                f"{born}: too young to tell - {self.age} {self.period}{'s' if self.age != 1 else ''} old, "
                f"the fade test needs {MIN_AGE['daily' if self.period == 'trading day' else 'monthly']}"
            )
        kept = (
            f"all of its move ({self.retained:.0%})"
            if self.retained >= 1
            else f"{max(self.retained, -9.99):.0%} of its move"
        )
        rev = (
            f"; it reversed ({self.laggard} ahead) on {self.reversed_on:%Y-%m-%d}" if self.reversed_on else ""
        )
        return (
            f"{born}: {self.label} - it kept {kept} in {self.age} {self.period}{'s' if self.age != 1 else ''}, where a random "
            f"walk keeps more than half {self.expected_rw:.0%} of the time (fade test p = {self.p_value:.2f}){rev}"
        )

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "pair": {"leader": self.leader, "laggard": self.laggard},
                "birth": None if self.birth is None else f"{self.birth:%Y-%m-%d}",
                "sharpness": self.sharpness,
                "move": self.move,
                "age": self.age,
                "age_unit": self.period,
                "min_age": MIN_AGE["daily" if self.period == "trading day" else "monthly"],
                "retained": self.retained,
                "expected_rw": self.expected_rw,
                "sigma": self.sigma,
                "z": self.z,
                "p_value": self.p_value,
                "level": LEVEL,
                "label": self.label,
                "reversed_on": None if self.reversed_on is None else f"{self.reversed_on:%Y-%m-%d}",
                "sentence": self.sentence(),
            }
        )


def fade_test(
    a: pd.Series, b: pd.Series, leader: str, laggard: str, freq: F.Freq, tails: N.Tails, as_of: pd.Timestamp
) -> Fade:
    """The fade test of ``a`` (the leader) over ``b`` as of ``as_of`` (see the module)."""
    from .history import EPISODE_K, GAP_MONTHS, pair_sigma

    period = "trading day" if freq.ppm > 1 else "month"
    a, b = cut_closes(a, as_of), cut_closes(b, as_of)
    feat = F.pair_features(a, b, freq)
    out = Fade(leader, laggard, "no narrative born", period=period)
    if len(feat) < freq.noise + freq.move + 2:
        return out
    ev = F.detect(feat, k=EPISODE_K, gap_months=GAP_MONTHS)
    since = pd.Timestamp(feat.index[-1]) - pd.DateOffset(months=LOOKBACK_MONTHS)
    ev = ev[ev["date"] >= since]
    ups, downs = ev[ev["direction"] > 0], ev[ev["direction"] < 0]
    if ups.empty:
        out.last_other = pd.Timestamp(downs["date"].iloc[-1]) if len(downs) else None
        return out
    row = int(ups["row"].iloc[-1])
    rs = np.log(feat["a"].to_numpy()) - np.log(feat["b"].to_numpy())
    sig = pair_sigma(feat, freq)
    later = downs[downs["row"] > row]
    out.birth = pd.Timestamp(feat.index[row])
    out.reversed_on = pd.Timestamp(later["date"].iloc[0]) if len(later) else None
    out.sharpness = float(feat["sharpness"].iloc[row])
    out.move = float(rs[row] - rs[row - freq.move])
    out.sigma = float(sig[row])
    out.age = int(len(rs) - 1 - row)
    r_a = float(rs[-1] - rs[row])
    out.retained = (out.move + r_a) / out.move
    if out.age < MIN_AGE[freq.name]:
        out.label = "too young to tell"
        return out
    z, p, e = fade_statistic(out.move, r_a, out.sigma, out.age, tails)
    out.z, out.p_value, out.expected_rw = float(z), float(p), float(e)
    out.label = LABELS[0] if out.p_value < LEVEL else LABELS[1]
    return out


def fade_statistic(move: Any, r_a: Any, sigma: Any, age: Any, tails: N.Tails) -> tuple[Any, Any, Any]:
    """``(z, p, expected_rw)`` of the fade test: ``z = R_a / (sigma sqrt(age))``, its one-sided ``p``
    under the random walk (``F(z)``), and the walk's probability of keeping more than half of the move
    by this age. Works on arrays too (the false-alarm test runs it on 10,000 simulated walks)."""
    sd = sigma * np.sqrt(age)
    z = r_a / sd
    return z, tails.cdf(z), tails.cdf(0.5 * move / sd)


@dataclass
class Known:
    """What the panel of past narratives says as of a date, for a class of narrative."""

    klass: str
    months: int
    n: int = 0
    n_effective: int = 0
    kept_half: float = math.nan
    kept_half_ci: tuple[float, float] = (math.nan, math.nan)
    keeps_beating: float = math.nan
    keeps_beating_ci: tuple[float, float] = (math.nan, math.nan)
    rw_reference: float = math.nan
    quantiles: dict[str, float] = field(default_factory=dict)
    detectable_auc: float = math.nan
    coverage_oos: float = math.nan
    coverage_ci: tuple[float, float] = (math.nan, math.nan)
    coverage_n: int = 0
    tails: N.Tails = field(default_factory=N.Tails)  # of h-month outcomes known by the date
    tails_1m: N.Tails = field(default_factory=N.Tails)
    history: str = ""
    with_without: dict[str, Any] = field(default_factory=dict)  # retention with and without a signature
    fan: dict[str, dict[str, float]] = field(default_factory=dict)  # quantiles of past spreads by horizon

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "history": self.history,
                "class": self.klass,
                "horizon": f"{self.months}M",
                "n": self.n,
                "n_effective": self.n_effective,
                "kept_half": self.kept_half,
                "keeps_beating": self.keeps_beating,
                "ci": {"kept_half": list(self.kept_half_ci), "keeps_beating": list(self.keeps_beating_ci)},
                "rw_reference": self.rw_reference,
                "quantiles": self.quantiles,
                "with_without": self.with_without,
                "fan": self.fan,
            }
        )


def known_at(
    eps: pd.DataFrame, months: int, ppm: int, as_of: pd.Timestamp, klass: str | None, classes: np.ndarray
) -> Known:
    """The panel as known on ``as_of`` (births by then, outcomes known by then; ``eps`` as
    :func:`hypecheck.lab.run.evaluate_at` cuts it) for narratives of ``klass`` (all when None).

    Its fits and bootstraps are most of a calibrated check's own time and a pure function of these
    inputs, so the result is kept on disk beside the panel (:mod:`hypecheck.lab.memo`) and read back
    by the next check on the same panel and date."""
    import contextlib
    import hashlib

    from . import memo

    cols = ["date", "cluster", "sigma", "move", "attention", "ew_confirm", f"outcome_{months}m"]
    cols += [f"{k}_{h}m" for h in (1, 3, 6, 12) for k in ("rel", "known")]
    inputs = eps[[c for c in cols if c in eps]]
    cls = hashlib.sha256("|".join(map(str, np.asarray(classes).tolist())).encode()).hexdigest()
    key = memo.digest("known", inputs, inputs.columns, months, ppm, str(pd.Timestamp(as_of)), klass, cls)
    got = memo.load("known", key)
    if got is not None:
        try:
            return _known_from_json(str(got["json"]))
        except (KeyError, TypeError, ValueError):  # a foreign file: compute again
            pass
    out = _known_at(eps, months, ppm, as_of, klass, classes)
    with contextlib.suppress(TypeError):  # a value JSON cannot hold: not kept
        memo.save("known", key, json=np.array(_known_to_json(out)))
    return out


def _known_to_json(k: Known) -> str:
    import json

    d = {f.name: getattr(k, f.name) for f in fields(k)}
    d["tails"], d["tails_1m"] = (
        [k.tails.df, k.tails.scale, k.tails.n],
        [k.tails_1m.df, k.tails_1m.scale, k.tails_1m.n],
    )
    return json.dumps(d)


def _known_from_json(text: str) -> Known:
    import json

    d = json.loads(text)
    for name in ("tails", "tails_1m"):
        df, scale, n = d[name]
        d[name] = N.Tails(float(df), float(scale), int(n))
    for name in ("kept_half_ci", "keeps_beating_ci", "coverage_ci"):
        d[name] = (float(d[name][0]), float(d[name][1]))
    return Known(**d)


def _known_at(
    eps: pd.DataFrame, months: int, ppm: int, as_of: pd.Timestamp, klass: str | None, classes: np.ndarray
) -> Known:
    out = Known(klass or "all", months)
    if eps.empty:
        return out
    nl = null_at(eps, months, ppm, level=RANGE_LEVEL)
    n1 = null_at(eps, 1, ppm)
    known = np.asarray(T.known_dates(eps, months) <= as_of) & ~np.isnan(nl.kept)
    z_known = nl.z[known]
    out.tails = N.fit_tails(z_known)
    k1 = np.asarray(T.known_dates(eps, 1) <= as_of) & np.isfinite(n1.z)
    out.tails_1m = N.fit_tails(n1.z[k1])
    years = pd.DatetimeIndex(eps["date"]).year.to_numpy()
    clusters = eps["cluster"].astype(str).to_numpy() if "cluster" in eps else np.arange(len(eps)).astype(str)
    W = block_weights(clusters[known], years[known], 1000)
    ok = ~np.isnan(nl.p[known])
    if ok.sum() > 20:
        auc = weighted_auc(W[:, ok], nl.p[known][ok], nl.kept[known][ok])
        d = auc[np.isfinite(auc)]
        out.detectable_auc = 0.5 + 2.8 * float(np.std(d, ddof=1)) if len(d) > 2 else math.nan
    inside = (nl.r[known] >= nl.lo[known]) & (nl.r[known] <= nl.hi[known])
    good = ~np.isnan(nl.lo[known])
    if good.sum() > 20:
        out.coverage_n = int(good.sum())
        out.coverage_oos = float(inside[good].mean())
        out.coverage_ci = interval(wmean(W[:, good], inside[good].astype(float)))
    sel = classes[known] == klass if klass else np.ones(int(known.sum()), dtype=bool)
    if sel.sum() < 10:  # too few of this class: all narratives
        out.klass, sel = "all", np.ones(int(known.sum()), dtype=bool)
    kept = nl.kept[known][sel]
    beat = T.persisted(eps[f"outcome_{months}m"].to_numpy(dtype="float64")[known][sel])
    Ws = W[:, sel]
    out.n = int(sel.sum())
    out.n_effective = len(set(clusters[known][sel].tolist()))
    out.kept_half, out.kept_half_ci = float(kept.mean()), interval(wmean(Ws, kept))
    out.keeps_beating, out.keeps_beating_ci = float(beat.mean()), interval(wmean(Ws, beat))
    out.rw_reference = float(np.nanmean(nl.p[known][sel]))
    r = nl.r[known][sel]
    out.quantiles = {f"q{int(q * 100)}": float(np.quantile(r, q)) for q in QUANTILES}
    in_class = (classes == out.klass) if out.klass != "all" else np.ones(len(eps), dtype=bool)
    for h in (1, 3, 6, 12):  # the fan: the same class's outcomes known by the date, at each horizon
        col = f"rel_{h}m"
        if col not in eps:
            continue
        rh = eps[col].to_numpy(dtype="float64")
        m = np.asarray(T.known_dates(eps, h) <= as_of) & ~np.isnan(rh) & in_class
        if m.sum() >= 10:
            out.fan[f"{h}M"] = {f"q{int(q * 100)}": float(np.quantile(rh[m], q)) for q in QUANTILES} | {
                "n": int(m.sum())
            }
    ek = eps.loc[known]
    for name, col, cut in (("attention", "attention", ATTENTION_SPIKE), ("breadth", "ew_confirm", 0.0)):
        out.with_without[name] = _with_without(ek, col, cut, nl.kept[known], nl.p[known], W)
    return out


@dataclass
class Range:
    months: int
    level: float
    lo: float
    hi: float
    sigma: float
    coverage_oos: float
    coverage_ci: tuple[float, float]
    coverage_n: int

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "horizon": f"{self.months}M",
                "level": self.level,
                "lo": self.lo,
                "hi": self.hi,
                "sigma": self.sigma,
                "coverage_oos": self.coverage_oos,
                "coverage_ci": list(self.coverage_ci),
                "coverage_n": self.coverage_n,
            }
        )


def range_now(a: pd.Series, b: pd.Series, freq: F.Freq, k: Known, as_of: pd.Timestamp) -> Range | None:
    """The random walk's :data:`RANGE_LEVEL` interval of the spread over ``k.months`` from ``as_of``."""
    from .history import pair_sigma

    feat = F.align(cut_closes(a, as_of), cut_closes(b, as_of))
    if len(feat) < 80:
        return None
    sig = float(pair_sigma(feat, freq)[-1])
    lo, hi = N.null_range(np.array([sig]), N.steps(k.months, freq.ppm), k.tails, RANGE_LEVEL)
    return Range(
        k.months, RANGE_LEVEL, float(lo[0]), float(hi[0]), sig, k.coverage_oos, k.coverage_ci, k.coverage_n
    )


__all__ = ["LABELS", "Fade", "Known", "Range", "fade_test", "known_at", "range_now"]
