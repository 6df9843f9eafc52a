"""Member-level market breadth from a wide panel of closes, with compiled (Numba) kernels.

``breadth(closes, market_caps=None)`` takes a frame indexed by date with one column per member
(NaN where the member has no price: before listing, after delisting, on a halt) and returns one row
per date with

==================  =====================================================================================
``members``         members with a close on the date
``pct_above_50d``   percent of members whose close is above the simple average of their own last 50
                    closes (today's included), among members that have a close today and at least 50
                    closes so far; NaN when no member qualifies
``pct_above_200d``  the same with 200 closes
``advances``        members whose close is above their previous close (their own previous close, which
                    may be several rows back after a gap); a member's first close is neither
``declines``        members whose close is below their previous close; unchanged counts as neither
``ad_line``         cumulative sum of advances - declines
``mcclellan``       EMA19 - EMA39 of advances - declines (EMA: alpha = 2/(N+1), seeded with the first
                    value, ``adjust=False``); the classic oscillator on net advances
``new_highs``       members whose close is at the maximum of their own last 252 closes (today's
                    included), among members with a close today and at least 252 closes so far
``new_lows``        the same at the minimum
``hilo_members``    the members eligible for new highs/lows on the date
``ew_return``       mean of member daily returns (close / previous own close - 1) over members with a
                    return today; NaN when none has
``cw_return``       (with ``market_caps``) sum(cap_prev * r) / sum(cap_prev) where ``cap_prev`` is the
                    member's cap on its previous close; members whose previous cap is missing or not
                    positive are left out of that day's cap-weighted return
==================  =====================================================================================

Missing-data rules, in one place: every window counts a member's own closes, not calendar rows, so a
gap neither breaks a member's average nor fills it; a member with no close on a date is absent from
every count that date (numerator and denominator); a late listing enters each statistic once it has
the closes that statistic needs; a delisted member simply stops appearing. Nothing is forward-filled.
Everything is causal: the row for a date uses closes up to that date only, so appending later dates
never changes an earlier row (tested).

Engines: ``"numba"`` (default; one pass per member in compiled code, members split in fixed blocks of
``BLOCK`` columns processed in parallel and reduced in block order, so the result is deterministic),
``"pandas"`` (the common long-format ``groupby().rolling()`` approach: the reference the tests and
``make bench`` compare against), ``"packed"`` (the same pandas kernels on each member's closes packed
into one column, no long frame: bit for bit the pandas result, for small panels; with caps it is the
pandas engine), and ``"dask"`` (the same per-block partial counts computed on a Dask
cluster and reduced once; see :mod:`hypecheck.analytics.breadth_dask`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError, NoDataError
from .breadth_partials import (  # noqa: F401  (re-exported: the engines' shared pieces)
    BLOCK,
    EMA_FAST,
    EMA_SLOW,
    HILO,
    MA_LONG,
    MA_SHORT,
    NSTAT,
    finalize,
    reduce_partials,
)

COLUMNS = [
    "members",
    "pct_above_50d",
    "pct_above_200d",
    "advances",
    "declines",
    "ad_line",
    "mcclellan",
    "new_highs",
    "new_lows",
    "hilo_members",
    "ew_return",
    "cw_return",
]


def block_partials(
    values: np.ndarray, caps: np.ndarray | None, windows: tuple[int, int], hilo: int, block: int = BLOCK
) -> np.ndarray:
    """Partial counts (n_blocks x NSTAT x T) of a (T x M) array: see
    :func:`hypecheck.analytics.breadth_numba.block_partials` (Numba is imported here, on first use)."""
    from .breadth_numba import block_partials as compiled

    return compiled(values, caps, windows, hilo, block)


SMALL_PANEL = 32  # fewer members than this: engine="auto" uses "packed" (faster than importing Numba)


def _scan(values: np.ndarray) -> tuple[int, int, int]:
    """(number of closes, row and column of the first non-positive or infinite close, scanning member
    by member, or -1, -1): in NumPy for a small panel, in compiled code (no temporaries) otherwise."""
    if values.shape[1] >= SMALL_PANEL:
        from .breadth_numba import scan_closes

        return scan_closes(np.asfortranarray(values))  # type: ignore[no-any-return]
    with np.errstate(invalid="ignore"):
        bad = (values <= 0.0) | (values == np.inf)
    hits = np.argwhere(bad.T)  # (member, row) pairs in the kernel's scan order
    if len(hits):
        j, i = (int(x) for x in hits[0])
        before = int(np.count_nonzero(~np.isnan(values[:, :j]))) + int(
            np.count_nonzero(~np.isnan(values[:i, j]))
        )
        return before, i, j
    return int(np.count_nonzero(~np.isnan(values))), -1, -1


def validate_closes(closes: pd.DataFrame, market_caps: pd.DataFrame | None = None) -> pd.DataFrame:
    """Check the wide panel; returns it as float64 with a sorted DatetimeIndex. Raises InputError."""
    if not isinstance(closes, pd.DataFrame):
        raise InputError(
            f"breadth needs a DataFrame of closes (dates x members), got {type(closes).__name__}",
            hint="pass e.g. pd.read_csv(path, index_col=0, parse_dates=True)",
        )
    if closes.shape[1] == 0 or closes.shape[0] == 0:
        raise NoDataError("breadth: the closes frame is empty", hint="pass at least one member with prices")
    try:
        idx = pd.DatetimeIndex(closes.index)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"breadth: the index is not dates ({exc})", hint="index the frame by date (parse_dates=True)"
        ) from exc
    if idx.has_duplicates:
        dup = idx[idx.duplicated()].unique()[:3]
        raise InputError(
            f"breadth: duplicate dates in the closes frame: {', '.join(str(d.date()) for d in dup)}",
            hint="keep one row per date (e.g. closes[~closes.index.duplicated(keep='last')])",
        )
    if closes.columns.has_duplicates:
        dcols = closes.columns[closes.columns.duplicated()].unique()[:3]
        raise InputError(
            f"breadth: duplicate member columns: {', '.join(map(str, dcols))}",
            hint="give each member one column",
        )
    try:
        values = closes.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"breadth: closes must be numbers ({exc})", hint="clean the file: one numeric close per cell"
        ) from exc
    n_valid, bi, bj = _scan(values)
    if bi >= 0:
        raise InputError(
            f"breadth: {'infinite' if np.isinf(values[bi, bj]) else 'non-positive'} close for "
            f"{closes.columns[bj]} on {idx[bi].date()} ({values[bi, bj]})",
            hint="closes must be positive prices; use NaN for 'no price'",
        )
    if n_valid == 0:
        raise NoDataError("breadth: every close is missing", hint="check the file: all cells are empty/NaN")
    frame = pd.DataFrame(values, index=idx, columns=closes.columns, copy=False)
    if not idx.is_monotonic_increasing:
        frame = frame.sort_index()
    if market_caps is not None:
        if not isinstance(market_caps, pd.DataFrame):
            raise InputError(
                "breadth: market_caps must be a DataFrame shaped like closes",
                hint="pass caps as a dates x members frame",
            )
        missing = [c for c in closes.columns if c not in market_caps.columns]
        if missing:
            raise InputError(
                f"breadth: market_caps has no column for {', '.join(map(str, missing[:5]))}"
                + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""),
                hint="give market_caps the same columns as closes (NaN where unknown)",
            )
    return frame


def _aligned_caps(frame: pd.DataFrame, market_caps: pd.DataFrame | None) -> np.ndarray | None:
    if market_caps is None:
        return None
    caps = market_caps
    if not (caps.index.equals(frame.index) and caps.columns.equals(frame.columns)):
        caps = caps.set_axis(pd.DatetimeIndex(caps.index), axis=0)
        caps = caps[~caps.index.duplicated(keep="last")].reindex(index=frame.index, columns=frame.columns)
    return caps.to_numpy(dtype=np.float64, na_value=np.nan)


def breadth(
    closes: pd.DataFrame,
    market_caps: pd.DataFrame | None = None,
    *,
    windows: tuple[int, int] = (MA_SHORT, MA_LONG),
    hilo: int = HILO,
    engine: str = "numba",
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Member-level breadth of a wide panel of closes; see the module docstring for every definition.

    ``engine`` is ``"numba"`` (default), ``"pandas"`` (reference, slow), ``"packed"`` (pandas' result
    without the long frame) or ``"dask"`` (``scheduler`` is a Dask scheduler address; None starts a
    local cluster); ``"auto"`` is packed for fewer than :data:`SMALL_PANEL` members (a handful of sector series: faster than importing Numba, which a
    check then never loads) and Numba otherwise."""
    if engine == "auto":
        engine = "packed" if closes.shape[1] < SMALL_PANEL else "numba"
    frame = validate_closes(closes, market_caps)
    caps = _aligned_caps(frame, market_caps)
    if engine == "numba":
        parts = block_partials(frame.to_numpy(), caps, windows, hilo)
        tot = reduce_partials(parts, len(frame))
        return finalize(tot, pd.DatetimeIndex(frame.index), caps is not None, windows)
    if engine == "pandas":
        return breadth_pandas(frame, market_caps, windows=windows, hilo=hilo)
    if engine == "packed":
        if market_caps is not None:
            return breadth_pandas(frame, market_caps, windows=windows, hilo=hilo)
        return breadth_packed(frame, windows=windows, hilo=hilo)
    if engine == "dask":
        from .breadth_dask import breadth_dask

        return breadth_dask(frame, caps, windows=windows, hilo=hilo, scheduler=scheduler)
    raise InputError(
        f"breadth: unknown engine {engine!r}", hint="use 'numba', 'pandas', 'packed', 'dask' or 'auto'"
    )


def breadth_pandas(
    closes: pd.DataFrame,
    market_caps: pd.DataFrame | None = None,
    *,
    windows: tuple[int, int] = (MA_SHORT, MA_LONG),
    hilo: int = HILO,
) -> pd.DataFrame:
    """The common pandas approach: long format, ``groupby(member).rolling(N)``, then per-date counts.

    Same definitions as :func:`breadth`; kept as the reference the tests and ``make bench`` compare
    against."""
    frame = closes
    long = frame.rename_axis(index="date", columns="member").stack().dropna().rename("close").reset_index()  # type: ignore[call-overload]
    long = long.sort_values(["member", "date"], kind="stable").reset_index(drop=True)
    g = long.groupby("member", sort=False)["close"]
    n = g.cumcount().to_numpy() + 1
    w1, w2 = windows
    sma1 = g.rolling(w1, min_periods=w1).mean().to_numpy()
    sma2 = g.rolling(w2, min_periods=w2).mean().to_numpy()
    hi = g.rolling(hilo, min_periods=hilo).max().to_numpy()
    lo = g.rolling(hilo, min_periods=hilo).min().to_numpy()
    prev = g.shift(1).to_numpy()
    close = long["close"].to_numpy()
    cols = _row_stats(long["date"].to_numpy(), n, close, prev, sma1, sma2, hi, lo, windows, hilo)
    ret = close / prev - 1.0
    has_caps = market_caps is not None
    if has_caps:
        caps = market_caps.copy()  # type: ignore[union-attr]
        caps.index = pd.DatetimeIndex(caps.index)
        caps = caps.rename_axis(index="date", columns="member").stack().dropna().rename("cap").reset_index()  # type: ignore[call-overload]
        long = long.merge(caps, on=["date", "member"], how="left")
        pcap = long.groupby("member", sort=False)["cap"].shift(1).to_numpy()
        ok = ~np.isnan(ret) & (pcap > 0)
        cols["cwnum"] = np.where(ok, pcap * ret, 0.0)
        cols["cwden"] = np.where(ok, pcap, 0.0)
    return _daily(cols, pd.DatetimeIndex(frame.index), has_caps, windows)


def _row_stats(
    dates: np.ndarray,
    n: np.ndarray,
    close: np.ndarray,
    prev: np.ndarray,
    sma1: np.ndarray,
    sma2: np.ndarray,
    hi: np.ndarray,
    lo: np.ndarray,
    windows: tuple[int, int],
    hilo: int,
) -> dict[str, np.ndarray]:
    """Per (member, date) row of the long format: what each row adds to its date's counts."""
    w1, w2 = windows
    ret = close / prev - 1.0
    return {
        "date": dates,
        "member": np.ones(len(close)),
        "elig1": (n >= w1).astype(float),
        "above1": ((n >= w1) & (close > sma1)).astype(float),
        "elig2": (n >= w2).astype(float),
        "above2": ((n >= w2) & (close > sma2)).astype(float),
        "adv": (ret > 0).astype(float),
        "dec": (ret < 0).astype(float),
        "eligh": (n >= hilo).astype(float),
        "nh": ((n >= hilo) & (close >= hi)).astype(float),
        "nl": ((n >= hilo) & (close <= lo)).astype(float),
        "rsum": np.where(np.isnan(ret), 0.0, ret),
        "rcnt": (~np.isnan(ret)).astype(float),
    }


def _daily(
    cols: dict[str, np.ndarray], index: pd.DatetimeIndex, has_caps: bool, windows: tuple[int, int]
) -> pd.DataFrame:
    """The per-date breadth frame from the long rows (summed per date in row order)."""
    daily = pd.DataFrame(cols).groupby("date").sum().reindex(index, fill_value=0.0)
    return _finish(daily, index, has_caps, windows)


def _date_sums(stats: np.ndarray, pos: np.ndarray, counts: np.ndarray, n_dates: int) -> np.ndarray:
    """``groupby(date).sum()`` of member-major long rows (``stats``: rows x columns; ``pos``: each row's
    date position; ``counts``: each member's number of rows), bit for bit: pandas sums a group's rows
    in row order with Kahan compensation; here each member's rows (one per date at most) are added to
    their dates' running sums at once, member after member, with the same compensation steps."""
    total = np.zeros((n_dates, stats.shape[1]))
    comp = np.zeros_like(total)
    start = 0
    for c in counts:
        at, val = pos[start : start + c], stats[start : start + c]
        start += c
        with np.errstate(invalid="ignore"):  # inf - inf
            y = val - comp[at]
            t = total[at] + y
            fix = (t - total[at]) - y
        comp[at] = np.where(np.isnan(fix), 0.0, fix)  # an infinite value leaves NaN: reset, as pandas does
        total[at] = t
    return total


def _finish(
    daily: pd.DataFrame, index: pd.DatetimeIndex, has_caps: bool, windows: tuple[int, int]
) -> pd.DataFrame:
    """The breadth frame from the per-date sums (``daily``, on ``index``)."""
    w1, w2 = windows
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(index=index)
        out["members"] = daily["member"].astype(np.int64)
        out[f"pct_above_{w1}d"] = (100 * daily["above1"] / daily["elig1"]).where(daily["elig1"] > 0)
        out[f"pct_above_{w2}d"] = (100 * daily["above2"] / daily["elig2"]).where(daily["elig2"] > 0)
        out["advances"] = daily["adv"].astype(np.int64)
        out["declines"] = daily["dec"].astype(np.int64)
        net = daily["adv"] - daily["dec"]
        out["ad_line"] = net.cumsum()
        out["mcclellan"] = (
            net.ewm(span=EMA_FAST, adjust=False).mean() - net.ewm(span=EMA_SLOW, adjust=False).mean()
        )
        out["new_highs"] = daily["nh"].astype(np.int64)
        out["new_lows"] = daily["nl"].astype(np.int64)
        out["hilo_members"] = daily["eligh"].astype(np.int64)
        out["ew_return"] = (daily["rsum"] / daily["rcnt"]).where(daily["rcnt"] > 0)
        out["cw_return"] = (daily["cwnum"] / daily["cwden"]).where(daily["cwden"] > 0) if has_caps else np.nan
    out.index.name = "date"
    return out


def breadth_packed(
    frame: pd.DataFrame, *, windows: tuple[int, int] = (MA_SHORT, MA_LONG), hilo: int = HILO
) -> pd.DataFrame:
    """:func:`breadth_pandas` without caps, bit for bit, for a small validated panel: each member's own
    closes packed at the top of one column (its rows in date order, NaN below), so one column-wise
    ``rolling`` runs pandas' kernel on each member's closes alone, as ``groupby(member).rolling`` does;
    no long frame is stacked, sorted or grouped. Rows are then laid out as the reference lays them out
    (members in sorted name order, dates ascending) and summed per date the same way
    (:func:`_date_sums`)."""
    values = frame.to_numpy(dtype=np.float64)
    order = np.argsort(np.asarray(list(frame.columns), dtype=object), kind="stable")  # as sort_values
    values = values[:, order]
    ok = ~np.isnan(values)
    counts = ok.sum(axis=0)
    depth = int(counts.max()) if len(counts) else 0
    slot = np.arange(depth)[:, None] < counts[None, :]  # (depth x members): where a member's closes go
    packed = np.full((depth, values.shape[1]), np.nan)
    packed.T[slot.T] = values.T[ok.T]  # member-major: each member's closes in date order
    rows = np.zeros((depth, values.shape[1]), dtype=np.int64)
    rows.T[slot.T] = np.nonzero(ok.T)[1]
    w1, w2 = windows
    roll = pd.DataFrame(packed).rolling
    sma1, sma2 = roll(w1, min_periods=w1).mean(), roll(w2, min_periods=w2).mean()
    hi, lo = roll(hilo, min_periods=hilo).max(), roll(hilo, min_periods=hilo).min()
    prev = np.vstack([np.full((1, packed.shape[1]), np.nan), packed[:-1]])
    n = np.broadcast_to(np.arange(1, depth + 1)[:, None], packed.shape)

    def flat(a: np.ndarray | pd.DataFrame) -> np.ndarray:
        return np.asarray(a).T[slot.T]

    pos = flat(rows)
    cols = _row_stats(
        pos, flat(n), flat(packed), flat(prev), flat(sma1), flat(sma2), flat(hi), flat(lo), windows, hilo
    )
    names = [k for k in cols if k != "date"]
    sums = _date_sums(np.column_stack([cols[k] for k in names]), pos, counts, len(frame))
    index = pd.DatetimeIndex(frame.index)
    return _finish(pd.DataFrame(sums, index=index, columns=names), index, False, windows)


@dataclass(frozen=True)
class Thrust:
    """A Zweig breadth thrust: the 10-day EMA of advances/(advances+declines) rose from below ``low``
    to above ``high`` within ``days`` trading days."""

    date: pd.Timestamp  # the day the EMA crossed above ``high``
    start: pd.Timestamp  # the day of the sub-``low`` reading it rose from (within the window)
    low_value: float
    high_value: float


def zweig_thrust(
    b: pd.DataFrame, *, span: int = 10, low: float = 0.40, high: float = 0.615, days: int = 10
) -> tuple[pd.Series, list[Thrust]]:
    """Zweig's breadth thrust on a breadth frame: returns (the EMA of the advancing share, the thrusts).

    Defaults are Zweig's published ones (10-day EMA, 40% to 61.5% within 10 trading days). Days
    with no advancing or declining member carry the previous EMA (no evidence either way). Causal: a
    thrust on a date uses that date's EMA and the ``days`` before it only."""
    adv, dec = b["advances"].astype(float), b["declines"].astype(float)
    tot = adv + dec
    share = (adv / tot).where(tot > 0)
    ema = share.ewm(span=span, adjust=False, ignore_na=True).mean().ffill()
    above = ema > high
    cross = above & ~above.shift(1, fill_value=False)
    fires = cross & (ema.rolling(days + 1, min_periods=1).min() < low)
    thrusts: list[Thrust] = []
    last = -1
    for i in (int(k) for k in np.flatnonzero(fires.to_numpy())):  # the few firing dates only
        lo = max(0, i - days)
        j = lo + int(np.argmin(ema.to_numpy()[lo : i + 1]))
        if j <= last:  # the same low already produced a thrust: one thrust per washout
            continue
        thrusts.append(Thrust(ema.index[i], ema.index[j], float(ema.iloc[j]), float(ema.iloc[i])))
        last = i
    return ema.rename("adv_share_ema"), thrusts
