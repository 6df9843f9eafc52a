"""Evidence as causal features of a pair, computed for every date at once, and the narratives' births.

Everything here is a pure function of closes (and, for the market-wide context, of series indexed by
the date they became *known*). Every rolling window ends at the row's own date, so a value dated
``t`` uses observations dated ``<= t`` only: truncating the inputs at ``t`` leaves every row up to
``t`` unchanged (tested). The single-theme check calls the same functions
(:func:`hypecheck.lab.verdict.theme_features`), so the lab and a report cannot disagree.

Orientation. :func:`pair_features` works in the orientation ``a`` over ``b``. Columns are of three
sorts, and :func:`orient` turns a row into the *leader's* view for an episode of direction ``d``
(+1: ``a`` moved ahead, -1: ``b`` did):

* *antisymmetric* (:data:`SIGNED`): swapping ``a`` and ``b`` negates them exactly (log relative
  strength and its functions), so they are multiplied by ``d``;
* *per side* (:data:`SIDED`, columns ``<name>_a`` / ``<name>_b``): a measurement of one side (its
  equal-weight twin, its search term), the leader's side is kept;
* *market-wide* (:data:`CONTEXT`): the same for every pair (breadth, macro), kept as they are.

Frequencies. ``daily`` (ETF closes) and ``monthly`` (Ken French month-end levels) differ only in the
number of periods per calendar span (:class:`Freq`). Constants and why:

* move window ``move`` 15 trading days / 1 month: the "2- to 4-week" move a narrative is born of;
* noise window ``noise`` 252 days / 60 months: a year of daily relative returns (a month-based noise
  estimate needs five years to be stable); it ends *before* the move window starts, so the move does
  not inflate its own yardstick;
* high window ``high`` 252 days / 12 months: "distance from the 52-week high" as traders use it;
* RRG constants: daily as :mod:`hypecheck.analytics.rrg` (50, 260, 5, 260), monthly 2, 12, 1, 12
  (the weekly 10-week smoothing and one-year windows in months); applied to ``100 * ln(a / b)``
  rather than ``100 * a / b`` so that the two orientations are exact mirror images (a z-score is
  unchanged by the affine map between them to first order; the log makes it exact).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analytics.rrg import _one_ticker

ORIENTATIONS = ("signed", "sided", "context", "episode")


@dataclass(frozen=True)
class Feature:
    """One row of the feature table: a feature's name, the pillar it belongs to, its orientation (how
    :func:`orient` turns it into the leader's view: ``signed`` x direction, ``sided`` the leader's
    side's ``<name>_a``/``_b``, ``context`` as is, ``episode`` computed per episode from earlier ones,
    already in the leader's view), its unit and plain text (the ledger's), and the function computing
    it (``module:qualname``; its module's source is hashed into the panel cache key,
    :func:`code_digest`)."""

    name: str
    pillar: str
    orientation: str
    unit: str
    text: str
    function: str


_F = "hypecheck.lab.features"
# The one feature table. Row order is the model's column order (it fixes the fit's arithmetic, so the
# lab's numbers); the pillars, orientations, ledger text and the cache key all come from here.
FEATURES: tuple[Feature, ...] = (
    Feature(
        "sharpness",
        "price",
        "signed",
        "deviations of the pair's noise",
        "move over 3 weeks",
        f"{_F}:sharpness",
    ),
    Feature("mom_1m", "price", "signed", "pp", "relative return over 1 month", f"{_F}:_rel_return"),
    Feature("mom_3m", "price", "signed", "pp", "relative return over 3 months", f"{_F}:_rel_return"),
    Feature("mom_6m", "price", "signed", "pp", "relative return over 6 months", f"{_F}:_rel_return"),
    Feature(
        "mom_12m",
        "price",
        "signed",
        "pp",
        "relative return over 12 months (trailing momentum)",
        f"{_F}:_rel_return",
    ),
    Feature(
        "consistency",
        "price",
        "signed",
        "share",
        "windows ahead minus behind (1, 3, 6, 12 months)",
        f"{_F}:pair_features",
    ),
    Feature(
        "rs_ratio",
        "price",
        "signed",
        "z",
        "RS-Ratio (trend of relative strength)",
        "hypecheck.analytics.rrg:_one_ticker",
    ),
    Feature(
        "rs_momentum",
        "price",
        "signed",
        "z",
        "RS-Momentum (change of the trend)",
        "hypecheck.analytics.rrg:_one_ticker",
    ),
    Feature(
        "dist_high",
        "price",
        "sided",
        "log",
        "distance of relative strength from its 1-year high",
        f"{_F}:pair_features",
    ),
    Feature(
        "rel_vol", "price", "context", "annualised", "relative volatility of the pair", f"{_F}:pair_features"
    ),
    Feature(
        "ew_confirm",
        "breadth",
        "sided",
        "pp",
        "leader's equal-weight twin minus the leader over 3 months",
        f"{_F}:pair_features",
    ),
    Feature(
        "participation",
        "breadth",
        "context",
        "share",
        "sectors above their 200-day average",
        f"{_F}:participation",
    ),
    Feature(
        "ew_market",
        "breadth",
        "context",
        "pp",
        "equal weight (RSP) minus cap weight (SPY) over 3 months",
        "hypecheck.lab.history:build_context",
    ),
    Feature(
        "rate_change", "catalysts", "context", "pp", "short rate change over 3 months", f"{_F}:change_over"
    ),
    Feature("curve", "catalysts", "context", "pp", "10y-2y curve", "hypecheck.lab.history:build_context"),
    Feature(
        "credit_change",
        "catalysts",
        "context",
        "pp",
        "credit spread change over 3 months",
        f"{_F}:change_over",
    ),
    Feature("vix", "catalysts", "context", "level", "VIX", "hypecheck.lab.history:build_context"),
    Feature(
        "market_12m",
        "catalysts",
        "context",
        "pp",
        "market return over 12 months",
        "hypecheck.lab.history:build_context",
    ),
    Feature(
        "attention",
        "attention",
        "sided",
        "log",
        "search interest in the leader's term (ASVI)",
        f"{_F}:known_asvi",
    ),
    Feature(
        "attention_market",
        "attention",
        "context",
        "log",
        "search interest in 'stock market' (ASVI)",
        f"{_F}:known_asvi",
    ),
    Feature(
        "pair_base_rate",
        "history",
        "episode",
        "share",
        "the pair's own past persistence rate",
        "hypecheck.lab.target:pair_base_rate",
    ),
)
FEATURE_OF: dict[str, Feature] = {f.name: f for f in FEATURES}
SIGNED = tuple(f.name for f in FEATURES if f.orientation == "signed")
SIDED = tuple(f.name for f in FEATURES if f.orientation == "sided")
CONTEXT = tuple(f.name for f in FEATURES if f.orientation == "context")

# the engine of the panel beside the table's functions: their sources are hashed too (code_digest)
ENGINE = (
    "hypecheck.lab.features",
    "hypecheck.lab.history",
    "hypecheck.lab.null",
    "hypecheck.lab.clusters",
    "hypecheck.lab.target",
    "hypecheck.analytics.attention",  # known_asvi calls its asvi
)


def code_digest(table: tuple[Feature, ...] | None = None) -> str:
    """A digest of the feature table (every field of every row) and of the source of every module
    that computes the panel's episodes and features (:data:`ENGINE` and each row's function's
    module): the panel cache key's code part. Editing a row or any of that code changes it, so a
    cached panel is never served for other code; equal in every process (no hash randomisation)."""
    import hashlib
    import importlib.util

    rows = FEATURES if table is None else table
    h = hashlib.sha256()
    for f in rows:
        h.update(repr((f.name, f.pillar, f.orientation, f.unit, f.text, f.function)).encode())
    mods = dict.fromkeys([*ENGINE, *(f.function.split(":")[0] for f in rows)])
    for mod in mods:
        spec = importlib.util.find_spec(mod)
        if spec is None or spec.origin is None:
            raise ImportError(f"feature table: no module {mod}")
        with open(spec.origin, "rb") as fh:
            h.update(mod.encode() + b"\0" + fh.read())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Freq:
    name: str
    ppm: int  # periods per calendar month
    move: int
    noise: int
    high: int
    rrg: tuple[int, int, int, int]  # smooth, window, roc, mom_window

    @property
    def ppy(self) -> int:
        return 12 * self.ppm


DAILY = Freq("daily", 21, 15, 252, 252, (50, 260, 5, 260))
MONTHLY = Freq("monthly", 1, 1, 60, 12, (2, 12, 1, 12))
FREQS = {"daily": DAILY, "monthly": MONTHLY}


def align(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    """The two close series on the dates where both have a positive close (inner join)."""
    df = pd.concat({"a": a.astype("float64"), "b": b.astype("float64")}, axis=1, join="inner", sort=True)
    return df[(df["a"] > 0) & (df["b"] > 0)].dropna()


def _rel_return(df: pd.DataFrame, lag: int) -> pd.Series:
    """a_t / a_{t-lag} - b_t / b_{t-lag} (periods of the pair's own calendar)."""
    return df["a"] / df["a"].shift(lag) - df["b"] / df["b"].shift(lag)


def sharpness(rs: pd.Series, freq: Freq) -> pd.Series:
    """The move over ``freq.move`` periods of ``rs = ln(a/b)`` in deviations of the trailing noise.

    ``(rs_t - rs_{t-m}) / (sd(d rs over the noise window ending at t-m) * sqrt(m))``: the yardstick is
    the pair's own relative volatility *before* the move began. NaN until the window is full."""
    d = rs.diff()
    m = freq.move
    sd = d.rolling(freq.noise, min_periods=freq.noise).std(ddof=1).shift(m)
    return (rs - rs.shift(m)) / (sd * math.sqrt(m)).where(sd > 0)


def pair_features(
    a: pd.Series,
    b: pd.Series,
    freq: Freq,
    *,
    twin_a: pd.Series | None = None,
    twin_b: pd.Series | None = None,
    term_a: pd.Series | None = None,
    term_b: pd.Series | None = None,
) -> pd.DataFrame:
    """Every pair-level feature for every date the pair has (orientation ``a`` over ``b``).

    ``twin_*``: the side's equal-weight twin's closes (breadth confirmation); ``term_*``: the side's
    search-interest ASVI indexed by the date it became known (see :func:`known_asvi`). Columns: the
    :data:`SIGNED` ones, ``dist_high_a/_b``, ``ew_confirm_a/_b``, ``attention_a/_b``, ``rel_vol``,
    plus ``a`` and ``b`` (the closes). NaN where a window is not yet full or a side has no data.
    """
    df = align(a, b)
    out = pd.DataFrame(index=df.index)
    out["a"], out["b"] = df["a"], df["b"]
    rs = np.log(df["a"]) - np.log(df["b"])
    out["sharpness"] = sharpness(rs, freq)
    for months in (1, 3, 6, 12):
        out[f"mom_{months}m"] = _rel_return(df, months * freq.ppm)
    signs = np.sign(out[["mom_1m", "mom_3m", "mom_6m", "mom_12m"]].to_numpy())
    out["consistency"] = signs.mean(axis=1)  # NaN until the 12-month window is full
    smooth, window, roc, mom_window = freq.rrg
    r = _one_ticker(100.0 * rs, smooth, window, roc, mom_window)
    out["rs_ratio"] = r["rs_ratio"] - 100.0
    out["rs_momentum"] = r["rs_momentum"] - 100.0
    hi = rs.rolling(freq.high, min_periods=freq.high)
    out["dist_high_a"] = rs - hi.max()
    out["dist_high_b"] = hi.min() - rs
    d = rs.diff()
    out["rel_vol"] = d.rolling(freq.noise, min_periods=freq.noise).std(ddof=1) * math.sqrt(freq.ppy)
    lag = 3 * freq.ppm
    for side, twin in (("a", twin_a), ("b", twin_b)):
        if twin is None:
            out[f"ew_confirm_{side}"] = np.nan
            continue
        t = twin.astype("float64").reindex(df.index)
        out[f"ew_confirm_{side}"] = t / t.shift(lag) - df[side] / df[side].shift(lag)
    for side, term in (("a", term_a), ("b", term_b)):
        out[f"attention_{side}"] = (
            asof(term, pd.DatetimeIndex(df.index), max_age_days=62) if term is not None else np.nan
        )
    return out


def asof(s: pd.Series, index: pd.DatetimeIndex, max_age_days: int | None = None) -> np.ndarray:
    """The last value of ``s`` (indexed by the date it became known) on or before each date; NaN when
    there is none, or when it is older than ``max_age_days``."""
    s = s.dropna()
    if s.empty:
        return np.full(len(index), np.nan)
    pos = s.index.searchsorted(index, side="right") - 1
    vals = s.to_numpy(dtype="float64")
    out = np.where(pos >= 0, vals[np.clip(pos, 0, None)], np.nan)
    if max_age_days is not None:
        when = pd.DatetimeIndex(s.index)[np.clip(pos, 0, None)]
        age = (pd.DatetimeIndex(index) - when).days.to_numpy()
        out = np.where(age > max_age_days, np.nan, out)
    return out


def known_asvi(values: pd.Series, known: pd.DatetimeIndex, window: int = 8) -> pd.Series:
    """ASVI (Da, Engelberg & Gao 2011, :func:`hypecheck.analytics.attention.asvi`) with the lab's
    policy: values floored at 0.5 (Google's "<1"), so no value is infinite, and the baseline the median
    of the logs; re-indexed by the date each observation became known (``known``: e.g. a month's end
    for a monthly value)."""
    from ..analytics.attention import asvi

    out = pd.Series(asvi(values, window, floor=0.5).to_numpy(), index=known)
    return out[~out.index.duplicated(keep="last")].sort_index()


def participation(sectors: pd.DataFrame, freq: Freq) -> pd.Series:
    """Share of sector closes strictly above their own trailing 200-day (monthly: 10-month)
    average, among the sectors with a full window that day. NaN before any sector has one."""
    n = 200 if freq.ppm > 1 else 10
    ma = sectors.rolling(n, min_periods=n).mean()
    valid = ma.notna() & sectors.notna()
    above = (sectors > ma) & valid
    count = valid.sum(axis=1)
    return (above.sum(axis=1) / count).where(count > 0)


def change_over(s: pd.Series, months: int) -> pd.Series:
    """``s_t - s_{t - months}`` (the last value on or before the earlier date), on ``s``'s own index."""
    s = s.dropna()
    prev = asof(s, pd.DatetimeIndex(s.index) - pd.DateOffset(months=months))
    return pd.Series(s.to_numpy() - prev, index=s.index)


def orient(feat: pd.DataFrame, rows: np.ndarray, directions: np.ndarray) -> pd.DataFrame:
    """Rows ``rows`` of a :func:`pair_features` (+ context) frame in the leader's view."""
    sub = feat.iloc[rows]
    d = np.asarray(directions, dtype="float64")
    out = pd.DataFrame(index=sub.index)
    for c in SIGNED:
        out[c] = sub[c].to_numpy() * d
    for c in SIDED:
        out[c] = np.where(d > 0, sub[f"{c}_a"].to_numpy(), sub[f"{c}_b"].to_numpy())
    for c in CONTEXT:
        out[c] = sub[c].to_numpy() if c in sub else np.nan
    return out


def detect(feat: pd.DataFrame, *, k: float, gap_months: int) -> pd.DataFrame:
    """Births of narratives in one pair: the first date of each run of ``|sharpness| >= k`` with one
    sign, at least ``gap_months`` after the previous birth *in the same direction*. A run in the
    opposite direction is a new narrative (a reversal, the very signature of a fad) and is kept
    whatever its distance from the last birth. Columns ``row, date, direction``."""
    z = feat["sharpness"].to_numpy()
    sig = np.where(np.isnan(z), 0, np.where(z >= k, 1, np.where(z <= -k, -1, 0)))
    prev = np.concatenate([[0], sig[:-1]])
    starts = np.flatnonzero((sig != 0) & (sig != prev))
    rows, dates, dirs = [], [], []
    last: dict[int, pd.Timestamp] = {}
    idx = pd.DatetimeIndex(feat.index)
    for i in starts.tolist():  # run starts only (sparse): the gap needs the previous kept birth
        d, s = pd.Timestamp(idx[i]), int(sig[i])
        if s in last and d < last[s] + pd.DateOffset(months=gap_months):
            continue
        rows.append(int(i))
        dates.append(d)
        dirs.append(s)
        last[s] = d
    return pd.DataFrame({"row": rows, "date": pd.DatetimeIndex(dates), "direction": dirs})


def move(feat: pd.DataFrame, rows: np.ndarray, directions: np.ndarray, freq: Freq) -> np.ndarray:
    """The move a narrative is born of, in the leader's view: ``ln(L_t/L_{t-m}) - ln(G_t/G_{t-m})``
    over ``m = freq.move`` periods of the pair's common calendar (positive for every birth)."""
    rs = np.log(feat["a"].to_numpy()) - np.log(feat["b"].to_numpy())
    rows = np.asarray(rows, dtype="int64")
    prev = rows - freq.move
    out = np.where(prev >= 0, rs[rows] - rs[np.clip(prev, 0, None)], np.nan)
    return out * np.asarray(directions, dtype="float64")


def horizon_end(dates: pd.DatetimeIndex, months: int, monthly: bool) -> pd.DatetimeIndex:
    """The date ``months`` after each date: calendar months for daily data; on month-end data the
    ``months``-th following month-end (28 February + 1 month is 31 March, not 28 March, whose last
    close would be February's own and make a 1-month outcome span no time at all)."""
    d = pd.DatetimeIndex(dates)
    if monthly:
        return (d + pd.offsets.MonthEnd(0)) + pd.offsets.MonthEnd(months)
    return d + pd.DateOffset(months=months)


def outcomes(
    feat: pd.DataFrame, rows: np.ndarray, directions: np.ndarray, months: int, monthly: bool = False
) -> np.ndarray:
    """Leader minus laggard return from the close at each row to the last close on or before
    :func:`horizon_end` of the row's date; NaN (pending, never partial) when that date is after the
    pair's last close."""
    idx = pd.DatetimeIndex(feat.index)
    a, b = feat["a"].to_numpy(), feat["b"].to_numpy()
    start = idx[rows]
    end = horizon_end(start, months, monthly)
    j = idx.searchsorted(end, side="right") - 1
    ok = end <= idx[-1]
    j = np.where(ok, j, rows)
    r = (a[j] / a[rows] - b[j] / b[rows]) * np.asarray(directions, dtype="float64")
    return np.where(ok, r, np.nan)


def log_outcomes(
    feat: pd.DataFrame, rows: np.ndarray, directions: np.ndarray, months: int, monthly: bool = False
) -> np.ndarray:
    """The leader's log relative return ``ln(L_{t+h}/L_t) - ln(G_{t+h}/G_t)`` from each row to the
    last close on or before :func:`horizon_end` (the same end as :func:`outcomes`); NaN when pending."""
    idx = pd.DatetimeIndex(feat.index)
    rs = np.log(feat["a"].to_numpy()) - np.log(feat["b"].to_numpy())
    end = horizon_end(idx[rows], months, monthly)
    j = idx.searchsorted(end, side="right") - 1
    ok = end <= idx[-1]
    j = np.where(ok, j, rows)
    r = (rs[j] - rs[rows]) * np.asarray(directions, dtype="float64")
    return np.where(ok, r, np.nan)


__all__ = [
    "CONTEXT",
    "DAILY",
    "FEATURES",
    "FEATURE_OF",
    "FREQS",
    "MONTHLY",
    "SIDED",
    "SIGNED",
    "Feature",
    "Freq",
    "align",
    "asof",
    "change_over",
    "code_digest",
    "detect",
    "horizon_end",
    "known_asvi",
    "log_outcomes",
    "move",
    "orient",
    "outcomes",
    "pair_features",
    "participation",
    "sharpness",
]
