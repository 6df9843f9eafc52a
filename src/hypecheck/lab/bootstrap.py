"""Intervals for statistics of past narratives that are not independent draws.

Births of one calendar year share a market, and near-duplicate births (:mod:`hypecheck.lab.clusters`)
share an outcome. :func:`block_weights` draws bootstrap weights that respect both: years resampled
with replacement, then within each drawn year its clusters resampled with replacement. Every
statistic is then a weighted statistic under each draw (weighted means, Brier sums, the AUC as a
weighted Mann-Whitney statistic, a weighted correlation of ranks), computed for all draws at once.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

BOOT = 1000


def block_weights(clusters: np.ndarray, years: np.ndarray, boot: int = BOOT, seed: int = 0) -> np.ndarray:
    """Bootstrap weights ``(boot, n)`` for ``n`` rows: calendar years resampled with replacement, then
    within each drawn year its clusters resampled with replacement (a cluster belongs to the year of
    its first row). A row's weight is the number of times its cluster was drawn."""
    codes, uniq = pd.factorize(pd.Series(clusters, dtype=object))
    k = len(uniq)
    if k == 0:
        return np.zeros((boot, 0))
    cyear = np.zeros(k, dtype="int64")
    first = pd.Series(np.asarray(years)).groupby(codes).min()
    cyear[first.index.to_numpy()] = first.to_numpy()
    yrs = np.unique(cyear)
    rng = np.random.default_rng(seed)
    ycount = rng.multinomial(len(yrs), np.full(len(yrs), 1.0 / len(yrs)), size=boot)
    W = np.zeros((boot, k))
    for j, y in enumerate(yrs):
        members = np.flatnonzero(cyear == y)
        m = len(members)
        W[:, members] = rng.multinomial(ycount[:, j] * m, np.full(m, 1.0 / m))
    return W[:, codes]


def interval(draws: np.ndarray) -> tuple[float, float]:
    d = draws[np.isfinite(draws)]
    if not len(d):
        return (math.nan, math.nan)
    lo, hi = np.percentile(d, [2.5, 97.5])
    return (float(lo), float(hi))


def wmean(W: np.ndarray, x: np.ndarray) -> np.ndarray:
    den = W.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, (W @ x) / den, np.nan)


def weighted_auc(W: np.ndarray, score: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The AUC of ``score`` for binary ``y`` under each row of weights ``W`` (ties in score counted
    half): the weighted Mann-Whitney statistic."""
    order = np.argsort(score, kind="mergesort")
    s, yy, Wo = score[order], y[order].astype(bool), W[:, order]
    pos, neg = Wo * yy, Wo * ~yy
    # negatives strictly below each position, plus half of those tied with it
    _, first, counts = np.unique(s, return_index=True, return_counts=True)
    cneg = np.cumsum(neg, axis=1)
    below = np.concatenate([np.zeros((len(W), 1)), cneg], axis=1)
    start = np.repeat(first, counts)
    end = start + np.repeat(counts, counts)
    tied = below[:, end] - below[:, start]
    strictly = below[:, start]
    num = (pos * (strictly + 0.5 * tied)).sum(axis=1)
    den = pos.sum(axis=1) * neg.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def weighted_corr(W: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson correlation of ``x`` and ``y`` under each row of weights ``W``."""
    mx, my = wmean(W, x), wmean(W, y)
    den = W.sum(axis=1)
    cxy = (W @ (x * y)) / den - mx * my
    vx = (W @ (x * x)) / den - mx**2
    vy = (W @ (y * y)) / den - my**2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((vx > 0) & (vy > 0), cxy / np.sqrt(vx * vy), np.nan)


def ones(n: int) -> np.ndarray:
    return np.ones((1, n))


__all__ = ["BOOT", "block_weights", "interval", "ones", "weighted_auc", "weighted_corr", "wmean"]
