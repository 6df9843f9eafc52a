"""The lab's targets, written once: what counts as a narrative that *persisted*, that *kept half* of
its move, and when either outcome became *known*.

* **keeps beating** (the panel model's target): the leader's return minus the laggard's from the birth
  (or the as-of close) to ``h`` months later is positive, ``outcome_<h>m > 0`` (:func:`keeps_beating`);
* **kept half** (the random-walk null's target, :mod:`hypecheck.lab.null`): the leader's log relative
  return since the birth is above minus half of the move the narrative was born of,
  ``R_h > -m / 2`` (:func:`kept_half`);
* **known**: an outcome over ``h`` months is known on its horizon's end (the ``known_<h>m`` column the
  panel writes, :func:`hypecheck.lab.features.horizon_end`), never before (:func:`known_dates`). A fit or
  a score as of ``D`` uses only the outcomes known by ``D`` (:func:`known_by`);
* **the pair's own base rate**: Laplace-smoothed share of a pair's earlier narratives (same leader)
  whose outcome was known and positive (:func:`pair_rate`), a feature of the model. It is *not*
  :func:`hypecheck.analytics.baserate.base_rate`, which counts periods matching a configuration of
  returns a theme names (a different question, on purpose).

The lab (:mod:`~hypecheck.lab.model`, :mod:`~hypecheck.lab.run`, :mod:`~hypecheck.lab.retention`,
:mod:`~hypecheck.lab.fade`), the check (:mod:`~hypecheck.lab.verdict`), the scan and the forward
record (:mod:`hypecheck.record`) read these definitions; none writes them again.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import pandas as pd


@overload
def keeps_beating(outcome: float) -> bool: ...
@overload
def keeps_beating(outcome: np.ndarray) -> np.ndarray: ...
def keeps_beating(outcome: Any) -> Any:
    """The leader kept beating the laggard: its relative return over the horizon is positive (NaN,
    a pending outcome, reads False: select known outcomes first)."""
    if isinstance(outcome, float | int):
        return bool(outcome > 0)
    return np.asarray(outcome, dtype="float64") > 0


def persisted(outcome: np.ndarray) -> np.ndarray:
    """:func:`keeps_beating` as the model's 0/1 target (float64)."""
    return keeps_beating(np.asarray(outcome, dtype="float64")).astype("float64")


@overload
def kept_half(rel: float, move: float) -> bool: ...
@overload
def kept_half(rel: np.ndarray, move: np.ndarray) -> np.ndarray: ...
def kept_half(rel: Any, move: Any) -> Any:
    """The narrative still holds more than half of its move: the log relative return since the birth
    ``rel`` is above ``-move / 2``. Arrays: 1.0 / 0.0, NaN where ``rel`` is (pending)."""
    if isinstance(rel, float | int) and isinstance(move, float | int):
        return bool(rel > -move / 2)
    r = np.asarray(rel, dtype="float64")
    mv = np.asarray(move, dtype="float64")
    return np.where(np.isnan(r), np.nan, (r > -mv / 2).astype("float64"))


def known_dates(eps: pd.DataFrame, months: int) -> pd.DatetimeIndex:
    """When each episode's ``months`` outcome is known: its ``known_<h>m`` column (the outcome's end
    date, see :func:`hypecheck.lab.features.horizon_end`), else the date plus ``months`` months."""
    col = f"known_{months}m"
    if col in eps:
        return pd.DatetimeIndex(eps[col])
    return pd.DatetimeIndex(eps["date"]) + pd.DateOffset(months=months)


def known_by(eps: pd.DataFrame, months: int, as_of: pd.Timestamp) -> np.ndarray:
    """The episodes whose ``months`` outcome was known on ``as_of`` (and is not NaN)."""
    y = eps[f"outcome_{months}m"].to_numpy(dtype="float64")
    return np.asarray((known_dates(eps, months) <= as_of) & ~np.isnan(y))


def pair_rate(known: np.ndarray, outcome: np.ndarray, at: Any) -> float:
    """One pair's base rate on date ``at``: ``(k + 1) / (n + 2)`` over its ``n`` narratives whose
    outcome was known by ``at`` (``known``: those dates), ``k`` of which kept beating."""
    m = (known <= at) & ~np.isnan(outcome)
    return (int(keeps_beating(outcome[m]).sum()) + 1) / (int(m.sum()) + 2)


def pair_base_rate(eps: pd.DataFrame, months: int) -> np.ndarray:
    """The pair's own base rate at each birth (:func:`pair_rate` on the birth's date, over the earlier
    births of the same pair with the same leader): outcomes known by the birth only."""
    out = np.full(len(eps), 0.5)
    if eps.empty:
        return out
    dates = pd.DatetimeIndex(eps["date"]).to_numpy()
    known = known_dates(eps, months).to_numpy()
    y = eps[f"outcome_{months}m"].to_numpy(dtype="float64")
    key = eps["leader"].astype(str) + "|" + eps["laggard"].astype(str)
    for _, rows in key.groupby(key, sort=False).indices.items():
        rows = np.asarray(rows)
        kn, yy = known[rows], y[rows]
        # pair_rate at every birth of the pair at once: counts of known (and positive) outcomes by then
        ok = ~np.isnan(yy)
        n = np.searchsorted(np.sort(kn[ok]), dates[rows], side="right")
        k = np.searchsorted(np.sort(kn[ok & keeps_beating(yy)]), dates[rows], side="right")
        out[rows] = (k + 1) / (n + 2)
    return out


__all__ = [
    "keeps_beating",
    "kept_half",
    "known_by",
    "known_dates",
    "pair_base_rate",
    "pair_rate",
    "persisted",
]
