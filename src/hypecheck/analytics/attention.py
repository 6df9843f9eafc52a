"""Search-interest analytics: abnormal volume, spikes that clear noise, persistence and decay,
stitching of overlapping windows, and attention vs price. Pure functions; all causal (a value at
``t`` uses data up to ``t`` only, except the persistence of a spike, which by definition looks at
the periods *after* that spike up to the end of the series given).

Conventions: a series is a float ``pd.Series`` on a sorted DatetimeIndex, one value per period,
on Google's 0-100 per-request scale (``<1`` given as 0.5). NaNs are dropped before use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

LN2 = math.log(2.0)
MAD_TO_SD = 1.4826


def asvi(series: pd.Series, window: int = 8, *, floor: float | None = None) -> pd.Series:
    """Abnormal search volume index (Da, Engelberg & Gao 2011).

    ``ASVI_t = ln SVI_t - ln median(SVI_{t-1}, ..., SVI_{t-window})``: the log of this period's
    search volume over the median of the previous ``window`` periods (the current period excluded,
    so nothing after ``t`` is used). Rules: the first ``window`` periods are NaN (no full baseline);
    NaN inputs inside the baseline window make that baseline NaN; zeros are explicit: if SVI_t and
    the baseline median are both 0 the value is 0 (no change from nothing), if only SVI_t is 0 it is
    -inf, if only the baseline is 0 it is +inf. ``<1`` cells should be given as 0.5 by the reader.

    ``floor`` (the lab's policy, :func:`hypecheck.lab.features.known_asvi`): values below it are
    raised to it first, so no value is infinite, and the baseline is the median of the *logs*
    (``ln SVI_t - median(ln SVI_{t-1..t-window})``). For an odd ``window`` the two baselines are the
    same; for an even one the median of the logs takes the geometric rather than the arithmetic mean
    of the two middle values (the lab's panel was built with it; kept so its numbers do not move).
    """
    if window < 1:
        raise ValueError("window must be at least 1")
    name = f"asvi_{series.name}" if series.name else "asvi"
    if floor is not None:
        lx = pd.Series(np.log(series.clip(lower=floor).to_numpy(dtype="float64")), index=series.index)
        return pd.Series((lx - baseline(lx, window)).to_numpy(), index=series.index, name=name)
    x = series.astype("float64")
    base = baseline(x, window)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(x.to_numpy()) - np.log(base.to_numpy())
    both_zero = (x.to_numpy() == 0) & (base.to_numpy() == 0)
    out[both_zero] = 0.0
    return pd.Series(out, index=series.index, name=name)


def baseline(series: pd.Series, window: int = 8) -> pd.Series:
    """Median of the previous ``window`` periods (current excluded); NaN until ``window`` exist."""
    return series.astype("float64").shift(1).rolling(window, min_periods=window).median()


def noise_sd(series: pd.Series, lookback: int = 52, floor_share: float = 0.005) -> pd.Series:
    """Causal estimate of the series' own sampling noise at each period, in SVI units.

    Robust: 1.4826 x median absolute deviation of period-to-period changes over the previous
    ``lookback`` periods, divided by sqrt(2) (a difference of two noisy values has twice the
    variance). Floored at ``floor_share`` of the running maximum so far: 0.5 on Google's 0-100
    integer scale (anything smaller is rounding), scaled alike for re-based series (stitched series
    on 0-1). NaN until ``lookback // 2`` changes exist.
    """
    x = series.astype("float64")
    mad = rolling_mad(x.diff().shift(1).to_numpy(), lookback, max(4, lookback // 2))
    floor = floor_share * x.shift(1).expanding().max()
    est = pd.Series(np.maximum(MAD_TO_SD * mad / math.sqrt(2.0), floor.to_numpy()), index=x.index)
    return est.where(~np.isnan(mad))


def rolling_mad(d: np.ndarray, window: int, min_periods: int) -> np.ndarray:
    """Median absolute deviation from the median over each trailing ``window`` of ``d`` (the current
    value included): what ``pd.Series(d).rolling(window, min_periods).apply(mad, raw=True)`` gives,
    all windows at once. As there, a window is measured when it holds ``min_periods`` values, and a
    NaN inside it gives NaN (numpy's median of an array holding NaN)."""
    d = np.asarray(d, dtype="float64")
    out = np.full(len(d), np.nan)
    if len(d) == 0:
        return out
    if len(d) >= window:
        win = np.lib.stride_tricks.sliding_window_view(d, window)
        ok = (~np.isnan(win)).sum(axis=1) >= min_periods
        if ok.any():
            w = win[ok]
            med = np.median(w, axis=1)
            out[window - 1 :][ok] = np.median(np.abs(w - med[:, None]), axis=1)
    # the first windows are shorter (d[: i + 1]); one holding a NaN gives NaN, so only those before
    # the first NaN are measured one by one (none when d starts with NaN, as a shifted change does)
    nan_at = np.flatnonzero(np.isnan(d))
    for i in range(min(window - 1, len(d), nan_at[0] if len(nan_at) else len(d))):
        if i + 1 >= min_periods:
            w = d[: i + 1]
            out[i] = np.median(np.abs(w - np.median(w)))
    return out


def noise_from_pulls(pulls: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Several pulls of one term (columns), same periods: (mean, standard deviation per period).

    Google samples searches anew for each request; the spread of repeated pulls is the noise band.
    Periods present in fewer than two pulls get a NaN deviation."""
    mean = pulls.mean(axis=1)
    sd = pulls.std(axis=1, ddof=1)
    sd[pulls.notna().sum(axis=1) < 2] = np.nan
    return mean, sd


@dataclass(frozen=True)
class Spike:
    date: pd.Timestamp
    value: float
    baseline: float
    asvi: float
    noise: float  # noise sd at the spike, in SVI units
    z: float  # (value - baseline) / noise


def detect_spikes(
    series: pd.Series,
    window: int = 8,
    min_asvi: float = math.log(1.5),
    z: float = 3.0,
    lookback: int = 52,
    noise: pd.Series | None = None,
) -> list[Spike]:
    """Spikes that clear both a relative bar and the series' own noise.

    A period is *abnormal* when ASVI >= ``min_asvi`` and ``value - baseline >= z * noise`` (noise
    from :func:`noise_sd`, or a given per-period band such as the pull dispersion from
    :func:`noise_from_pulls`). Consecutive abnormal periods form one episode; its spike is the
    episode's highest value. Causal: whether ``t`` is abnormal depends on data up to ``t``.
    """
    x = series.dropna().astype("float64")
    base = baseline(x, window)
    a = asvi(x, window)
    nz = noise if noise is not None else noise_sd(x, lookback)
    nz = nz.reindex(x.index)
    excess = x - base
    flag = (a >= min_asvi) & (excess >= z * nz) & nz.notna()
    spikes: list[Spike] = []
    run: list[pd.Timestamp] = []
    for t, f in zip(x.index, flag.to_numpy(), strict=True):  # one pass over the flags, not the data
        if f:
            run.append(t)
            continue
        if run:
            spikes.append(_spike_of(run, x, base, a, nz))
            run = []
    if run:
        spikes.append(_spike_of(run, x, base, a, nz))
    return spikes


def _spike_of(run: list[pd.Timestamp], x: pd.Series, base: pd.Series, a: pd.Series, nz: pd.Series) -> Spike:
    t = max(run, key=lambda d: x[d])
    n = float(nz[t])
    return Spike(
        t, float(x[t]), float(base[t]), float(a[t]), n, float((x[t] - base[t]) / n) if n else math.inf
    )


Status = Literal["decaying", "settled above baseline", "not decaying", "returned quickly", "too early"]


@dataclass(frozen=True)
class Persistence:
    """How a spike has held up. Periods are the series' own periods (weeks for weekly data)."""

    spike_date: pd.Timestamp
    peak: float
    baseline: float  # the median of the ``window`` periods before the spike, frozen
    margin: float  # within this of the baseline counts as "back at baseline"
    periods_since: int
    periods_above: int  # consecutive periods after the spike still above baseline + margin
    returned: bool
    returned_date: pd.Timestamp | None
    retained: dict[int, float] = field(default_factory=dict)  # n -> excess share left after n periods
    half_life: float | None = None  # periods, from the fit
    half_life_se: float | None = None
    status: Status = "too early"
    fit_points: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "spike_date": self.spike_date.strftime("%Y-%m-%d"),
            "peak": self.peak,
            "baseline": self.baseline,
            "margin": self.margin,
            "periods_since": self.periods_since,
            "periods_above": self.periods_above,
            "returned": self.returned,
            "returned_date": None if self.returned_date is None else self.returned_date.strftime("%Y-%m-%d"),
            "retained": {str(k): v for k, v in self.retained.items()},
            "half_life": self.half_life,
            "half_life_se": self.half_life_se,
            "status": self.status,
        }


def persistence(
    series: pd.Series,
    spike_date: pd.Timestamp,
    window: int = 8,
    noise: float = 0.0,
    horizons: tuple[int, ...] = (1, 3, 6, 12),
    min_fit: int = 3,
) -> Persistence:
    """Persistence of the spike at ``spike_date`` in the data after it (to the end of ``series``).

    * baseline: median of the ``window`` periods before the spike (frozen: a rolling baseline would
      climb with the new level and hide a shift that holds);
    * back at baseline: value <= baseline + margin, margin = max(noise, 10% of the spike's excess);
    * retained after n periods: (x[t+n] - baseline) / (peak - baseline), NaN until n periods exist;
    * half-life: OLS of ln(excess) on periods since the spike, over the periods before the series
      first returns (excess > 0 only): half-life = ln 2 / decay rate, its standard error by the delta
      method. Status ``decaying`` when the rate is positive and at least twice its standard error;
      ``settled above baseline`` when the series has not returned and the later half of the
      post-spike periods shows no such decay (a shift that holds: interest stays at a new level);
      ``returned quickly`` when it is back within one period (no fit possible); ``too early`` with
      fewer than ``min_fit`` points after the spike; else ``not decaying``.
    """
    x = series.dropna().astype("float64")
    if spike_date not in x.index:
        raise ValueError(f"spike date {spike_date} is not in the series")
    i = int(x.index.get_indexer(pd.DatetimeIndex([spike_date]))[0])
    if i < window:
        raise ValueError(f"the spike needs {window} periods before it for a baseline; it has {i}")
    base = float(np.median(x.iloc[i - window : i].to_numpy()))
    peak = float(x.iloc[i])
    excess0 = peak - base
    margin = max(noise, 0.1 * excess0)
    after = x.iloc[i + 1 :]
    back = after <= base + margin
    returned = bool(back.any())
    ret_date = after.index[int(np.argmax(back.to_numpy()))] if returned else None
    above = 0
    for b in back.to_numpy():
        if b:
            break
        above += 1
    retained = {
        n: (float((after.iloc[n - 1] - base) / excess0) if len(after) >= n and excess0 > 0 else math.nan)
        for n in horizons
    }
    seg = x.iloc[i : i + 1 + above] - base
    status, hl, se = _decay_status(seg, returned, min_fit)
    return Persistence(
        spike_date=spike_date,
        peak=peak,
        baseline=base,
        margin=margin,
        periods_since=len(after),
        periods_above=above,
        returned=returned,
        returned_date=ret_date,
        retained=retained,
        half_life=hl,
        half_life_se=se,
        status=status,
        fit_points=int((seg > 0).sum()),
    )


def _decay_status(
    seg_all: pd.Series, returned: bool, min_fit: int
) -> tuple[Status, float | None, float | None]:
    """(status, half-life, its standard error) of a spike from ``seg_all``: the excess over the
    baseline of the spike and the periods before the first return (the fit uses those with a
    positive excess)."""
    above = len(seg_all) - 1
    seg = seg_all[seg_all > 0]
    hl = se = None
    status: Status
    if returned and above == 0:
        status = "returned quickly"
    elif len(seg) < min_fit:
        status = "too early"
    else:
        t = np.arange(len(seg_all))[(seg_all > 0).to_numpy()]
        rate, rate_se = _decay_rate(t, np.log(seg.to_numpy()))
        tail_n = len(t) // 2
        tail_rate, tail_se = (
            _decay_rate(t[-tail_n:], np.log(seg.to_numpy()[-tail_n:]))
            if tail_n >= min_fit
            else (math.nan, math.nan)
        )
        decays = rate > 0 and (math.isnan(rate_se) or rate >= 2 * rate_se)
        tail_flat = not math.isnan(tail_rate) and not (tail_rate > 0 and tail_rate >= 2 * tail_se)
        if not returned and tail_flat:
            status = "settled above baseline"
        elif decays:
            status = "decaying"
            hl = LN2 / rate
            se = LN2 * rate_se / rate**2 if not math.isnan(rate_se) else None
        else:
            status = "not decaying"
    return status, hl, se


def _decay_rate(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """OLS of ``y`` (log excess) on ``t``: (decay rate = -slope, its standard error)."""
    tm = t - t.mean()
    sxx = float((tm**2).sum())
    if len(t) < 2 or sxx == 0:
        return math.nan, math.nan
    slope = float((tm * (y - y.mean())).sum() / sxx)
    dof = len(t) - 2
    if dof <= 0:
        return -slope, math.nan
    resid = y - (y.mean() + slope * tm)
    return -slope, math.sqrt(float((resid**2).sum()) / dof / sxx)


def stitch(windows: list[pd.Series], min_overlap: int = 4) -> pd.Series:
    """Stitch overlapping Trends pulls (each 0-100 on its own scale) into one series, rescaled to a
    maximum of 100.

    Windows are chained in date order; each is rescaled onto the previous chain by the median ratio
    of their overlapping periods where both are positive (at least ``min_overlap`` such periods; the
    overlap *is* the shared anchor). On overlapping dates the later window's rescaled value is used.
    Raises ValueError when two consecutive windows do not overlap enough.
    """
    if not windows:
        raise ValueError("no windows to stitch")
    ws = sorted((w.dropna().astype("float64") for w in windows), key=lambda w: w.index[0])
    chain = ws[0]
    for w in ws[1:]:
        common = chain.index.intersection(w.index)
        both = common[(chain[common] > 0).to_numpy() & (w[common] > 0).to_numpy()]
        if len(both) < min_overlap:
            raise ValueError(
                f"windows starting {w.index[0].date()} overlap the previous ones in {len(both)} positive periods; "
                f"at least {min_overlap} are needed to rescale"
            )
        ratio = float(np.median((chain[both] / w[both]).to_numpy()))
        chain = pd.concat([chain.loc[chain.index < w.index[0]], w * ratio])
    return (100.0 * chain / chain.max()).rename("stitched")


def lead_lag(attention: pd.Series, spread: pd.Series, max_lag: int = 8) -> pd.DataFrame:
    """Correlation of attention at ``t`` with the spread's return at ``t + lag`` for lag in
    [-max_lag, max_lag], on the dates both have. Positive lag: attention leads price.
    Columns ``lag, corr, n``."""
    df = pd.concat([attention.rename("a"), spread.rename("s")], axis=1, join="inner").dropna()
    rows = []
    for lag in range(-max_lag, max_lag + 1):
        s = df["s"].shift(-lag)
        ok = s.notna()
        n = int(ok.sum())
        c = float(np.corrcoef(df["a"][ok], s[ok])[0, 1]) if n > 2 else math.nan
        rows.append({"lag": lag, "corr": c, "n": n})
    return pd.DataFrame(rows)


def event_study(
    spikes: list[pd.Timestamp], leader: pd.Series, laggard: pd.Series, horizons: tuple[int, ...]
) -> pd.DataFrame:
    """Leader - laggard return over ``horizons`` periods (of the price series' own periods) after each
    spike date (from the last close on or before it). Rows: ``spike, horizon, spread``; a horizon
    that runs past the data is left out (no partial windows)."""
    df = pd.concat([leader.rename("a"), laggard.rename("b")], axis=1, join="inner").dropna()
    rows = []
    for d in spikes:
        pos = int(df.index.searchsorted(d, side="right")) - 1
        if pos < 0:
            continue
        for h in horizons:
            if pos + h >= len(df):
                continue
            r = df.iloc[pos + h] / df.iloc[pos] - 1
            rows.append({"spike": d, "horizon": h, "spread": float(r["a"] - r["b"])})
    return pd.DataFrame(rows, columns=["spike", "horizon", "spread"])
