"""Relative Rotation Graph (RRG): a causal, documented stand-in for JdK RS-Ratio / RS-Momentum.

The original RRG indicators (Julius de Kempenaer's JdK RS-Ratio and JdK RS-Momentum) are
proprietary; only their properties are published: RS-Ratio *lags* relative strength (it is a
smoothed, normalised trend of RS), RS-Momentum *leads* RS-Ratio (it is the normalised rate of change
of RS-Ratio), both oscillate around 100, tickers rotate *clockwise* through the quadrants
improving -> leading -> weakening -> lagging, and the weekly chart is the standard view. This module
builds indicators with exactly those properties from transparent, causal steps (a value dated ``t``
uses closes dated ``<= t`` only; nothing is fitted on the full sample):

1. ``RS = 100 * P / B`` on the dates where both the ticker ``P`` and the benchmark ``B`` have a close.
   With ``freq="W"`` each ticker keeps, per week ending Friday (``W-FRI``), the last date on which
   both have a close, and that point is *labelled with that actual date* (so the last, possibly
   partial, week carries the as-of date actually present; no future date is ever invented).
2. ``S = EMA(RS)``: ``ewm(span=smooth, adjust=False)``; the first ``smooth`` values are discarded as
   burn-in (the EMA's seed still weighs ~e^-2 there).
3. ``RS-Ratio = 100 + (S - mean_window(S)) / std_window(S)``: a rolling z-score over the last
   ``window`` periods, full windows only (``min_periods = window``).
4. ``RS-Momentum = 100 + zscore_{mom_window}(z_t - z_{t-roc})`` where ``z = RS-Ratio - 100``.

Periods are *observations of that ticker* (weeks or trading days on which it has an RS value), so a
ticker with gaps is not penalised by NaN-poisoned windows. A window with zero dispersion (e.g. the
benchmark against itself) gives NaN rather than a division by ~0.

Default constants (``freq="W"`` / ``freq="D"``) and why:

* ``smooth`` 10 / 50 -- a 10-week (~50-trading-day) EMA, the classic weekly trend average. Its lag
  of about ``(smooth - 1) / 2`` = 4.5 weeks is what makes RS-Ratio lag RS, as published, while it
  removes week-to-week noise.
* ``window`` 52 / 260 -- one year. RS-Ratio says how strong the smoothed RS is relative to its own
  past year, in standard deviations, so different tickers are comparable and centre on 100. For RS
  cycles of up to a year the rolling mean spans whole cycles and adds little phase distortion;
  for much longer cycles it acts as a high-pass filter (RS-Ratio then lags RS less, or even leads
  the raw RS line, because it tracks detrended RS).
* ``roc`` 1 / 5 -- one week of change of RS-Ratio. RS-Ratio is already smoothed, so the one-period
  change is the most timely; a ``k``-period difference lags by ``(k - 1) / 2`` periods and eats the
  lead of momentum over ratio. Daily uses 5 (one trading week): one-day changes are mostly noise.
* ``mom_window`` 52 / 260 (= ``window``) -- the same normalisation horizon on both axes. On pure
  RS cycles of 26-52 weeks this gives momentum the ideal quarter-cycle lead (a round, clockwise
  orbit); shorter windows push the lead towards half a cycle (for a 52-week cycle: lead 12 weeks
  with 52, 19 with 26, 23 with 13), i.e. towards anti-phase, which flattens the rotation.
* ``tail`` 8 / 10 -- eight weeks (two months), the usual weekly RRG tail: long enough to show
  direction and curvature, short enough to read. Daily uses 10 (two trading weeks); this one is a
  readability choice, not a horizon, so it is not scaled by 5.

Daily constants are the weekly ones times 5 trading days so both views measure the same calendar
horizons. Scale: ``RS-Ratio = 101`` means one standard deviation above the trailing-year mean, so
typical values sit within ~97-103 (JdK's own scale is unpublished).

History needed for the first point: ``smooth + window + roc + mom_window - 1`` observations, i.e.
114 weekly closes (~2.2 years) or 574 daily closes (~2.3 years) with the defaults.

Weekly causality caveat: the point of an unfinished week is labelled with its last date so far; when
the week completes, that point is replaced by one labelled with the week's last date. Points with
the same date label never change. Consequently ``RRGResult.as_of(d)`` (a row filter) equals
``rrg(inputs truncated at d)`` exactly for ``freq="D"``, and for ``freq="W"`` on every point dated
``<= d`` except that a mid-week ``d`` has no partial-week point in the filtered result.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

Freq = Literal["W", "D"]

# freq -> (smooth, window, roc, mom_window, tail); see the module docstring for the reasons.
DEFAULTS: dict[str, tuple[int, int, int, int, int]] = {
    "W": (10, 52, 1, 52, 8),
    "D": (50, 260, 5, 260, 10),
}
_FREQ_WORD = {"W": "weekly", "D": "daily"}
QUADRANTS = ("leading", "weakening", "lagging", "improving")
COMPASS = ("east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east")
_FRAME_COLUMNS = ["ticker", "rs", "rs_ratio", "rs_momentum", "quadrant"]
_LATEST_COLUMNS = [
    "ticker",
    "date",
    "rs_ratio",
    "rs_momentum",
    "quadrant",
    "heading_deg",
    "heading",
    "distance",
    "periods_in_quadrant",
]
_REL_TOL = 1e-9  # a rolling std below this share of the rolling mean |level| counts as zero
_ABS_TOL = 1e-9  # ... and below this for dimensionless z-score changes


@dataclass(frozen=True)
class RRGResult:
    """Output of :func:`rrg`.

    ``frame``: long DataFrame indexed by ``date`` (sorted by date, then ticker in input order) with
    columns ``ticker, rs, rs_ratio, rs_momentum, quadrant``; only complete RRG points (both
    coordinates defined) are kept. ``skipped``: ticker -> reason it was dropped.
    """

    frame: pd.DataFrame
    benchmark: str
    freq: str
    smooth: int
    window: int
    roc: int
    mom_window: int
    tail: int
    tickers: tuple[str, ...] = ()
    skipped: dict[str, str] = field(default_factory=dict)

    def _by_ticker(self) -> pd.DataFrame:
        """``frame`` with ``date`` as a column, sorted by ticker (input order) then date."""
        f = self.frame.reset_index()
        order = {t: i for i, t in enumerate(self.tickers)}
        f["_order"] = f["ticker"].map(order).astype("int64")
        return f.sort_values(["_order", "date"], kind="stable").reset_index(drop=True)

    def _rows(self) -> dict[str, np.ndarray]:
        """Row positions in ``frame`` of each ticker, in date order (``frame`` is sorted by date)."""
        codes, uniques = pd.factorize(self.frame["ticker"].to_numpy())  # integer compares, not objects
        code = {t: k for k, t in enumerate(uniques)}
        out = {t: np.flatnonzero(codes == code[t]) for t in self.tickers if t in code}
        return {t: rows for t, rows in out.items() if len(rows)}

    def latest(self) -> pd.DataFrame:
        """One row per ticker: its last point, quadrant, heading and run length in the quadrant.

        ``heading_deg``: direction of the last tail segment (previous point -> last point) in the
        (x = RS-Ratio, y = RS-Momentum) plane, degrees in [0, 360): 0 = east (RS-Ratio rising),
        90 = north (RS-Momentum rising); NaN with a single point. ``heading``: its 8-point compass
        word ("north-east", ...). ``distance``: Euclidean distance of the last point from (100, 100).
        ``periods_in_quadrant``: consecutive periods, ending at the last point, in that quadrant.
        """
        rows = self._rows()
        if not rows:
            return pd.DataFrame(columns=_LATEST_COLUMNS)
        f = self.frame
        dates = f.index.to_numpy()
        x, y = f["rs_ratio"].to_numpy(dtype="float64"), f["rs_momentum"].to_numpy(dtype="float64")
        quad = f["quadrant"].to_numpy()
        last = np.array([r[-1] for r in rows.values()])
        prev = np.array([r[-2] if len(r) > 1 else -1 for r in rows.values()])
        has_prev = prev >= 0
        ldx = np.where(has_prev, x[last] - x[np.maximum(prev, 0)], np.nan)
        ldy = np.where(has_prev, y[last] - y[np.maximum(prev, 0)], np.nan)
        runs = []
        for r in rows.values():  # consecutive periods, ending at the last one, in the last quadrant
            q = quad[r]
            other = np.flatnonzero(q != q[-1])
            runs.append(len(q) - (other[-1] + 1) if len(other) else len(q))
        deg = heading_degrees(ldx, ldy)
        out = pd.DataFrame(
            {
                "ticker": list(rows),
                "date": dates[last],
                "rs_ratio": x[last],
                "rs_momentum": y[last],
                "quadrant": quad[last],
                "heading_deg": deg,
                "heading": [compass(h) for h in deg],
                "distance": np.hypot(x[last] - 100.0, y[last] - 100.0),
                "periods_in_quadrant": np.array(runs, dtype="int64"),
            }
        )
        return out[_LATEST_COLUMNS]

    def tails(self, n: int | None = None) -> dict[str, pd.DataFrame]:
        """ticker -> DataFrame (``date, rs_ratio, rs_momentum``) of its last ``n`` points (default
        ``tail``)."""
        return {
            t: pd.DataFrame({"date": d, "rs_ratio": x, "rs_momentum": y})
            for t, (d, x, y) in self.tail_points(n).items()
        }

    def tail_points(self, n: int | None = None) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """:meth:`tails` as arrays: ticker -> (dates as datetime64, RS-Ratio, RS-Momentum)."""
        keep = self.tail if n is None else n
        f = self.frame
        dates = f.index.to_numpy()
        x, y = f["rs_ratio"].to_numpy(), f["rs_momentum"].to_numpy()
        return {t: (dates[r[-keep:]], x[r[-keep:]], y[r[-keep:]]) for t, r in self._rows().items()}

    def as_of(self, date: str | pd.Timestamp) -> RRGResult:
        """The same result restricted to points dated on or before ``date`` (a row filter).

        For ``freq="W"`` and a mid-week ``date`` this holds completed weeks only; the partial-week
        point seen on that date comes from calling :func:`rrg` on inputs truncated at ``date``.
        """
        cut = pd.Timestamp(date)
        frame = self.frame.loc[self.frame.index <= cut]
        present = set(frame["ticker"])
        tickers = tuple(t for t in self.tickers if t in present)
        return dataclasses.replace(self, frame=frame, tickers=tickers, skipped=dict(self.skipped))


def quadrant(rs_ratio: np.ndarray | pd.Series, rs_momentum: np.ndarray | pd.Series) -> np.ndarray:
    """Quadrant names, split at 100 (ties go to the stronger side); NaN coordinates -> ``""``."""
    x = np.asarray(rs_ratio, dtype="float64")
    y = np.asarray(rs_momentum, dtype="float64")
    conds = [(x >= 100) & (y >= 100), (x >= 100) & (y < 100), (x < 100) & (y < 100), (x < 100) & (y >= 100)]
    return np.select(conds, list(QUADRANTS), default="").astype(object)


def heading_degrees(dx: np.ndarray | pd.Series, dy: np.ndarray | pd.Series) -> np.ndarray:
    """Direction of a step ``(dx, dy)`` in degrees in [0, 360): 0 east, 90 north. NaN for no step."""
    x = np.asarray(dx, dtype="float64")
    y = np.asarray(dy, dtype="float64")
    deg = np.degrees(np.arctan2(y, x)) % 360.0
    return np.where((x == 0) & (y == 0), np.nan, deg)


def compass(deg: float) -> str:
    """8-point compass word for a heading in degrees (0 east, 90 north); ``""`` when NaN."""
    if not np.isfinite(deg):
        return ""
    return COMPASS[round(deg / 45.0) % 8]


def min_history(smooth: int, window: int, roc: int, mom_window: int) -> int:
    """Observations needed for the first RRG point (see the module docstring)."""
    return smooth + window + roc + mom_window - 1


def _zscore(x: pd.Series | pd.DataFrame, window: int, abs_tol: float | None) -> pd.Series | pd.DataFrame:
    """Rolling z-score over full windows; NaN where the window has (numerically) no dispersion."""
    roll = x.rolling(window, min_periods=window)
    mean = roll.mean()
    sd = roll.std(ddof=1)
    tol = abs_tol if abs_tol is not None else _REL_TOL * mean.abs()
    return (x - mean) / sd.where(sd > tol)  # type: ignore[arg-type]  # Series or DataFrame alike


def _as_datetime_index(obj: pd.DataFrame | pd.Series, what: str) -> pd.DatetimeIndex:
    try:
        idx = pd.DatetimeIndex(obj.index)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be indexed by dates: {exc}") from exc
    if idx.has_duplicates:
        dup = idx[idx.duplicated()][0]
        raise ValueError(f"{what} has duplicate dates (first: {dup.date()})")
    return idx


def _check_positive(frame: pd.DataFrame) -> None:
    vals = frame.to_numpy(dtype="float64")
    bad = ~np.isnan(vals) & ~(np.isfinite(vals) & (vals > 0))
    if bad.any():
        rows, cols = np.nonzero(bad)
        first = int(np.argmin(rows))
        name, date = frame.columns[cols[first]], frame.index[rows[first]]
        value = vals[rows[first], cols[first]]
        raise ValueError(
            f"{name}: non-positive or infinite price {value} on {pd.Timestamp(date).date()}; "
            "RRG needs positive closes (use NaN for missing)"
        )


def _week_ends(dates: pd.DatetimeIndex) -> np.ndarray:
    """Where each W-FRI week's last date is, in sorted ``dates`` (a boolean mask)."""
    # week number of each date, weeks running Saturday to Friday (1970-01-03 was a Saturday); the index
    # is sorted, so the last of each week is where the next date's week differs (numpy: no Periods)
    days = pd.DatetimeIndex(dates).to_numpy(dtype="datetime64[D]").astype("int64")
    week = (days - 2) // 7
    keep = np.ones(len(week), dtype=bool)
    keep[:-1] = week[1:] != week[:-1]
    return keep


def _last_per_week(s: pd.Series) -> pd.Series:
    """Last observation of each W-FRI week, labelled with its own (actual) date."""
    return s.loc[_week_ends(pd.DatetimeIndex(s.index))]


def _one_ticker(rs: pd.Series, smooth: int, window: int, roc: int, mom_window: int) -> pd.DataFrame:
    """RS, RS-Ratio and RS-Momentum of one ticker's RS observations (no NaNs, sorted)."""
    ema = rs.ewm(span=smooth, adjust=False).mean()
    ema = ema.where(np.arange(len(ema)) >= smooth)  # burn-in: the seed still weighs too much
    z = _zscore(ema, window, None)
    zm = _zscore(z - z.shift(roc), mom_window, _ABS_TOL)
    return pd.DataFrame({"rs": rs, "rs_ratio": 100.0 + z, "rs_momentum": 100.0 + zm})


_Points = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # dates, rs, rs_ratio, rs_momentum


def _arrays(one: pd.DataFrame) -> _Points:
    return (
        one.index.to_numpy(),
        one["rs"].to_numpy(),
        one["rs_ratio"].to_numpy(),
        one["rs_momentum"].to_numpy(),
    )


def _batched(
    observed: dict[str, pd.Series], smooth: int, window: int, roc: int, mom_window: int
) -> dict[str, _Points]:
    """:func:`_one_ticker` for many tickers at once, with the same result for each, bit for bit.

    Tickers whose observation dates are a suffix of the union of all their dates (the usual case:
    series that differ only by their start) are computed together as the columns of one frame with
    leading NaNs: pandas' EWM (``adjust=False``) and rolling kernels run column by column, skip
    leading NaNs and carry no state across them, so each column equals its own series' computation
    (``tests/test_rrg.py`` compares both bit for bit). The rest are computed one by one. Each ticker's
    result comes as arrays (dates, RS, RS-Ratio, RS-Momentum), NaN where undefined.
    """
    out: dict[str, _Points] = {}
    if not observed:
        return out
    union = pd.DatetimeIndex(np.unique(np.concatenate([r.index.to_numpy() for r in observed.values()])))
    n = len(union)
    batch = [t for t, r in observed.items() if union[n - len(r) :].equals(r.index)]
    for t in observed:
        if t not in batch:
            out[t] = _arrays(_one_ticker(observed[t], smooth, window, roc, mom_window))
    if not batch:
        return out
    first = np.array([n - len(observed[t]) for t in batch])
    wide_np = np.full((n, len(batch)), np.nan)  # each ticker's values on its suffix of the union
    for k, t in enumerate(batch):
        wide_np[first[k] :, k] = observed[t].to_numpy()
    wide = pd.DataFrame(wide_np, index=union, columns=batch)
    ema = wide.ewm(span=smooth, adjust=False).mean()
    ema = ema.where((np.arange(n)[:, None] - first[None, :]) >= smooth)  # burn-in per ticker
    z = _zscore(ema, window, None)
    zm = _zscore(z - z.shift(roc), mom_window, _ABS_TOL)
    zv, zmv = z.to_numpy(), zm.to_numpy()
    for k, t in enumerate(batch):
        rs = observed[t]  # its dates are union[first[k]:]
        out[t] = (rs.index.to_numpy(), rs.to_numpy(), 100.0 + zv[first[k] :, k], 100.0 + zmv[first[k] :, k])
    return out


def _params(
    freq: str,
    smooth: int | None,
    window: int | None,
    roc: int | None,
    mom_window: int | None,
    tail: int | None,
) -> tuple[int, int, int, int, int]:
    """(smooth, window, roc, mom_window, tail), each ``None`` taken from the per-frequency defaults;
    ``ValueError`` for an unknown ``freq`` or a parameter that is not an integer at or above its floor."""
    if freq not in DEFAULTS:
        raise ValueError(f"freq must be 'W' (weekly, the standard RRG view) or 'D' (daily), got {freq!r}")
    d_smooth, d_window, d_roc, d_mom, d_tail = DEFAULTS[freq]
    smooth = d_smooth if smooth is None else smooth
    window = d_window if window is None else window
    roc = d_roc if roc is None else roc
    mom_window = d_mom if mom_window is None else mom_window
    tail = d_tail if tail is None else tail
    for name, value, low in (
        ("smooth", smooth, 1),
        ("window", window, 2),
        ("roc", roc, 1),
        ("mom_window", mom_window, 2),
        ("tail", tail, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return smooth, window, roc, mom_window, tail


def _relative_strength(closes: pd.DataFrame | pd.Series, benchmark: pd.Series) -> tuple[pd.DataFrame, str]:
    """``RS = 100 * P / B`` on the dates shared with the benchmark (NaN wherever either side has no
    price), and the benchmark's name; ``ValueError`` for empty, duplicate, non-positive or disjoint
    input."""
    if isinstance(closes, pd.Series):
        closes = closes.to_frame(name="ticker" if closes.name is None else str(closes.name))
    if closes.shape[1] == 0 or closes.shape[0] == 0 or closes.isna().all().all():
        raise ValueError("closes is empty: give at least one ticker with prices")
    bench_name = "benchmark" if benchmark.name is None else str(benchmark.name)
    if benchmark.dropna().empty:
        raise ValueError(f"benchmark {bench_name} is empty")
    closes = closes.copy()
    closes.columns = [str(c) for c in closes.columns]
    if pd.Index(closes.columns).has_duplicates:
        raise ValueError(
            f"closes has duplicate tickers: {sorted(set(closes.columns[closes.columns.duplicated()]))}"
        )
    closes.index = _as_datetime_index(closes, "closes")
    bench = benchmark.astype("float64").copy()
    bench.index = _as_datetime_index(benchmark, f"benchmark {bench_name}")
    closes = closes.astype("float64").sort_index()
    bench = bench.sort_index()
    _check_positive(closes)
    _check_positive(bench.to_frame(bench_name))

    common = closes.index.intersection(bench.index)
    if common.empty or bench.loc[common].isna().all():
        raise ValueError(
            f"benchmark {bench_name} has no dates in common with closes "
            f"(closes {closes.index[0].date()}..{closes.index[-1].date()}, "
            f"benchmark {bench.index[0].date()}..{bench.index[-1].date()})"
        )
    return 100.0 * closes.loc[common].div(bench.loc[common], axis=0), bench_name


def _points(
    rs_wide: pd.DataFrame, bench_name: str, freq: str, smooth: int, window: int, roc: int, mom_window: int
) -> tuple[list[tuple[str, _Points]], dict[str, str]]:
    """Each ticker's complete RRG points (as arrays, after its ticker), and why the others were left out."""
    need = min_history(smooth, window, roc, mom_window)
    word = _FREQ_WORD[freq]
    parts: list[tuple[str, _Points]] = []
    skipped: dict[str, str] = {}
    observed: dict[str, pd.Series] = {}
    values, index = rs_wide.to_numpy(dtype="float64"), pd.DatetimeIndex(rs_wide.index)
    for k, ticker in enumerate(rs_wide.columns):
        rows = np.flatnonzero(~np.isnan(values[:, k]))  # its RS observations (dropna) ...
        if freq == "W":
            rows = rows[_week_ends(index[rows])]  # ... the last of each week (_last_per_week)
        observed[ticker] = pd.Series(values[rows, k], index=index[rows], name=ticker)
    computed = _batched(
        {t: r for t, r in observed.items() if len(r) >= need}, smooth, window, roc, mom_window
    )
    for ticker in rs_wide.columns:
        rs = observed[ticker]
        if rs.empty:
            skipped[ticker] = f"{ticker}: no dates with both a price and a {bench_name} price"
            continue
        if len(rs) < need:
            skipped[ticker] = (
                f"{ticker}: {len(rs)} {word} closes, RRG needs at least {need} "
                f"(EMA burn-in {smooth} + RS-Ratio window {window} + roc {roc} + RS-Momentum window "
                f"{mom_window} - 1); give a longer history or smaller smooth/window/mom_window"
            )
            continue
        cols = computed[ticker]
        keep = ~(np.isnan(cols[1]) | np.isnan(cols[2]) | np.isnan(cols[3]))  # complete points only
        if not keep.any():
            skipped[ticker] = (
                f"{ticker}: relative strength to {bench_name} has no dispersion in any window "
                "(constant or a pure exponential trend), so RS-Ratio/RS-Momentum are undefined"
            )
            continue
        parts.append((ticker, (cols[0][keep], cols[1][keep], cols[2][keep], cols[3][keep])))
    return parts, skipped


def _frame(parts: list[tuple[str, _Points]], columns: list[str]) -> pd.DataFrame:
    """The long frame of :class:`RRGResult` from each ticker's points: indexed by ``date``, sorted by
    date, then ticker in input order (``columns``); built once, already in that order."""
    dates = np.concatenate([p[0] for _, p in parts])
    order = {t: i for i, t in enumerate(columns)}
    key = np.repeat([order[t] for t, _ in parts], [len(p[0]) for _, p in parts])  # each ticker's rank
    at = np.lexsort((key, dates))
    ticker = np.concatenate([np.full(len(p[0]), t, dtype=object) for t, p in parts])[at]
    x = np.concatenate([p[2] for _, p in parts])[at]
    y = np.concatenate([p[3] for _, p in parts])[at]
    return pd.DataFrame(
        {
            "ticker": ticker,
            "rs": np.concatenate([p[1] for _, p in parts])[at],
            "rs_ratio": x,
            "rs_momentum": y,
            "quadrant": quadrant(x, y),
        },
        index=pd.DatetimeIndex(dates[at], name="date"),
        columns=_FRAME_COLUMNS,
    )


def rrg(
    closes: pd.DataFrame | pd.Series,
    benchmark: pd.Series,
    *,
    freq: str = "W",
    smooth: int | None = None,
    window: int | None = None,
    roc: int | None = None,
    tail: int | None = None,
    mom_window: int | None = None,
) -> RRGResult:
    """Relative Rotation Graph of ``closes`` against ``benchmark`` (see the module docstring).

    ``closes``: daily closes, dates x tickers (NaN where no price), or one Series named by its
    ticker (an unnamed Series is called ``"ticker"``). ``benchmark``: daily closes. ``freq``: ``"W"``
    (weekly, last close of each week ending Friday, labelled by its actual date) or ``"D"``.
    ``smooth``, ``window``, ``roc``, ``mom_window``, ``tail``: ``None`` takes the per-frequency
    defaults in :data:`DEFAULTS`.

    Raises ``ValueError`` for an unknown ``freq``, bad parameters, empty input, duplicate dates, no
    dates shared with the benchmark, non-positive prices (any ticker or the benchmark), or when no
    ticker has enough history for one point. A ticker that falls short among others is dropped and
    the reason recorded in ``RRGResult.skipped``.
    """
    smooth, window, roc, mom_window, tail = _params(freq, smooth, window, roc, mom_window, tail)
    rs_wide, bench_name = _relative_strength(closes, benchmark)
    parts, skipped = _points(rs_wide, bench_name, freq, smooth, window, roc, mom_window)
    if not parts:
        raise ValueError("no RRG point for any ticker: " + "; ".join(skipped.values()))
    frame = _frame(parts, list(rs_wide.columns))
    kept = tuple(t for t in rs_wide.columns if t not in skipped)
    return RRGResult(
        frame=frame,
        benchmark=bench_name,
        freq=freq,
        smooth=smooth,
        window=window,
        roc=roc,
        mom_window=mom_window,
        tail=tail,
        tickers=kept,
        skipped=skipped,
    )
