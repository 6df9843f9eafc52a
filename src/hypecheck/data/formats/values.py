"""Dates, numbers and the one function that turns a validated column into a :class:`SeriesData`
(every row dropped is counted; see the package docstring for the rules)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...schema import Kind, SeriesData, SeriesMeta, infer_frequency
from .base import (
    _ISO_HINT,
    MAX_NAME_CHARS,
    MISSING_TOKENS,
    YIELD_INDICES,
    _cell,
    _Ctx,
    _plural,
    _Problem,
)

# ------------------------------------------------------------------------------------------ dates


_DATE_SHAPES: tuple[tuple[str, str], ...] = (
    (r"\d{4}-\d{1,2}-\d{1,2}", "%Y-%m-%d"),
    (r"\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?", "midnight"),
    (r"\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}(?::\d{2})*(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})", "tz"),
    (r"\d{4}-\d{1,2}-\d{1,2}T\d{1,2}", "hourly"),
    (r"\d{4}/\d{1,2}/\d{1,2}", "%Y/%m/%d"),
    (r"\d{4}-\d{1,2}", "%Y-%m"),
    (r"\d{8}", "%Y%m%d"),
    (r"\d{6}", "%Y%m"),
    (r"\d{1,2}/\d{1,2}/\d{4}", "slash"),
    (r"\d{1,2}\.\d{1,2}\.\d{2,4}", "dotted"),
    (r"\d{1,2}/\d{1,2}/\d{2}", "slash2"),
)
_DATE_RES = tuple((re.compile(rx), fmt) for rx, fmt in _DATE_SHAPES)


def _date_shape(cell: str) -> str | None:
    cell = cell.strip()
    for rx, fmt in _DATE_RES:
        if rx.fullmatch(cell):
            return fmt
    return None


@dataclass
class _Dates:
    values: np.ndarray  # datetime64, NaT where not a usable date
    rejected: np.ndarray  # bool: the row is rejected for its date (counted once in the tally)
    fmt: str
    why: tuple[tuple[str, int], ...] = ()  # rows rejected for their date, by reason


def _parse_dates(raw: pd.Series, ctx: _Ctx, *, what: str = "date column") -> _Dates:
    """Parse a column of date strings with ONE explicit format chosen from its first value.

    Rejected rows are counted in ``ctx.tally``: empty dates, cells that do not follow the file's
    format, and dates after today. Raises _Problem when no supported format fits."""
    obj = raw.to_numpy(dtype=object, na_value="")
    empty = np.asarray(obj == "", dtype=bool)
    present_at = np.flatnonzero(~empty)
    if not len(present_at):
        raise _Problem(f"no data rows (the {what} is empty)", "check the file has rows under its header")
    first = str(obj[present_at[0]]).strip()
    shape = _date_shape(first)
    if shape is None:
        raise _Problem(f"{_cell(first)} in the {what} is not a date", _ISO_HINT)
    if shape == "dotted":
        raise _Problem(
            f"dates like {_cell(first)} (day.month.year, a non-English export): unsupported locale",
            "re-export with ISO dates (YYYY-MM-DD); for Google Trends, switch the site to English first",
        )
    if shape == "slash2":
        raise _Problem(f"two-digit years such as {_cell(first)}", _ISO_HINT)
    if shape == "tz":
        raise _Problem(
            f"timestamps with time-zone offsets such as {_cell(first)}: daily data is expected", _ISO_HINT
        )
    if shape == "hourly":
        raise _Problem(
            f"hourly timestamps such as {_cell(first)}: daily or coarser data is expected", _ISO_HINT
        )
    fmt = shape
    if shape in ("midnight", "slash"):
        s = pd.Series(obj, dtype="string").str.strip()
        empty = np.asarray((s == "").to_numpy(dtype=bool))
        present = s[~empty]
        if shape == "midnight":
            times = present.str.extract(r"[ T](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$")[0].dropna()
            off = times[~times.str.fullmatch(r"0?0:00(?::00(?:\.0+)?)?")]
            if len(off):
                raise _Problem(
                    f"intraday timestamps such as {_cell(present.loc[off.index[0]])}: "
                    "daily or coarser data is expected",
                    "export daily data (one row per date)",
                )
            s = s.str.replace(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", "", regex=True)
            fmt = "%Y-%m-%d"
        else:
            fmt = _us_format(present)
        obj = s.to_numpy(dtype=object, na_value="")
    values = np.array(pd.to_datetime(obj, format=fmt, errors="coerce").to_numpy(), copy=True)
    bad = ~empty & np.isnat(values)
    if bad.any():  # surrounding spaces: strip those cells and try again
        stripped = np.array([str(x).strip() for x in obj[bad]], dtype=object)
        obj = obj.copy()
        obj[bad] = stripped
        empty = empty | np.asarray(obj == "", dtype=bool)
        values[bad] = np.asarray(pd.to_datetime(stripped, format=fmt, errors="coerce").to_numpy())
        bad = ~empty & np.isnat(values)
    n_present = int((~empty).sum())
    if bad.sum() > n_present / 2:
        example = str(obj[bad][0])
        raise _Problem(
            f"the {what} mixes date formats: {_cell(first)} and {_cell(example)}",
            "use one date format throughout, preferably ISO (YYYY-MM-DD)",
        )
    future = ~np.isnat(values) & (values > np.datetime64(ctx.today.date(), "D"))
    counted = (
        ("no date", int(empty.sum())),
        (
            f"date not in the file's format {fmt} (e.g. {_cell(obj[bad][0])})" if bad.any() else "",
            int(bad.sum()),
        ),
        (f"dated after today ({ctx.today.date()})", int(future.sum())),
    )
    why = tuple((w, n) for w, n in counted if n)
    for w, n in why:
        ctx.tally.reject(n, w)
    return _Dates(values=values, rejected=empty | bad | future, fmt=fmt, why=why)


def _us_format(present: pd.Series) -> str:
    """``%m/%d/%Y`` when the column proves month-first; otherwise the dates are ambiguous."""
    parts = present.str.extract(r"^(\d{1,2})/(\d{1,2})/\d{4}$").dropna().astype(int)
    first_big = parts[0] > 12
    second_big = parts[1] > 12
    if second_big.any() and not first_big.any():
        return "%m/%d/%Y"
    amb = ~first_big & ~second_big
    example = str(present.loc[amb[amb].index[0]]) if amb.any() else str(present.iloc[0])
    detail = ""
    if first_big.any():
        day_first = str(present.loc[parts.index[first_big]].iloc[0])
        detail = f" ({_cell(day_first)} reads only day-first; only ISO and US month/day/year dates are read)"
    raise _Problem(f"ambiguous day/month dates such as {_cell(example)}{detail}", _ISO_HINT)


# ---------------------------------------------------------------------------------------- numbers


@dataclass
class _Numbers:
    values: np.ndarray  # float64; NaN where missing or bad
    missing: np.ndarray  # bool: '.', blank, NaN, null ... (not an error)
    bad: np.ndarray  # bool: not a number
    below_one: np.ndarray  # bool: a Google Trends '<1' cell (value 0.5) when allowed, else bad
    example: str = ""  # a bad cell, for messages


def _parse_numbers(col: pd.Series, *, below_one: bool = False) -> _Numbers:
    """Numbers from a column read by pandas (already float/int when every cell was numeric).

    Fast path: a numeric column. Otherwise cells are classified vectorised: missing tokens, ``<1``
    (when ``below_one``), numbers (converted exactly with pandas' parser), and the rest bad."""
    n = len(col)
    none = np.zeros(n, dtype=bool)
    if col.dtype.kind in "fiu":
        vals = col.to_numpy(dtype="float64", na_value=np.nan)
        return _Numbers(vals, np.isnan(vals), none, none.copy())
    s = col.astype("string").str.strip()
    low = s.str.lower()
    missing = (s.isna() | low.isin(list(MISSING_TOKENS))).to_numpy(dtype=bool)
    below = (s == "<1").fillna(False).to_numpy(dtype=bool) if below_one else none.copy()
    candidates = s.where(~(missing | below), None)
    vals = np.array(pd.to_numeric(candidates, errors="coerce").to_numpy(dtype="float64", na_value=np.nan))
    bad = ~missing & ~below & np.isnan(vals)
    vals[below] = 0.5
    example = str(s[bad].iloc[0]) if bad.any() else ""  # for messages (quoted with _cell: cut short)
    return _Numbers(vals, missing, bad, below, example)


def _trends_like(nums: _Numbers) -> bool:
    """Google Trends values: integers 0..100 (``<1`` allowed), at least one, nothing else."""
    ok = ~nums.missing & ~nums.bad & ~nums.below_one
    if nums.bad.any() or not (ok.any() or nums.below_one.any()):
        return False
    v = nums.values[ok]
    return bool(np.all((v >= 0) & (v <= 100) & (v == np.round(v))))


# ------------------------------------------------------------------------------- building a series


_FREQ_OFFSET: dict[str, Any] = {
    "D": pd.Timedelta(days=1),
    "W": pd.Timedelta(days=7),
    "M": pd.DateOffset(months=1),
}


def _usable(
    ctx: _Ctx,
    dates: _Dates,
    nums: _Numbers,
    *,
    id: str,
    kind: Kind,
    label: str,
    quarantine: tuple[np.ndarray, str] | None,
    column: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Which rows are kept, and which were missing; each rejected row counted in ``ctx.tally``."""
    tally = ctx.tally
    n_rows = len(nums.values)
    keep = ~dates.rejected
    v = nums.values
    bad = keep & nums.bad
    tally.reject(int(bad.sum()), f"{label}non-numeric value (e.g. {_cell(nums.example)})")
    keep &= ~nums.bad
    missing = keep & nums.missing
    keep &= ~nums.missing
    if not keep.any() and not bad.any() and missing.any():
        raise _Problem(
            f"no values: all {n_rows} rows of {_cell(column or id)} are blank or missing ('.')",
            "export the series again; a column with no numbers is not data",
        )
    inf = keep & np.isinf(v)
    tally.reject(int(inf.sum()), f"{label}infinite value")
    keep &= ~inf
    if quarantine is not None:
        q = keep & quarantine[0]
        tally.reject(int(q.sum()), f"{label}{quarantine[1]}")
        keep &= ~q
    if kind == "price" and id not in YIELD_INDICES:
        nonpos = keep & (v <= 0)
        tally.reject(int(nonpos.sum()), f"{label}zero or negative price (quarantined)")
        keep &= ~nonpos
    elif kind == "search":
        neg = keep & (v < 0)
        tally.reject(int(neg.sum()), f"{label}negative search value")
        keep &= ~neg
    if not keep.any():
        raise _Problem(
            f"no usable values for {_cell(id)}: {n_rows} rows, every one missing or rejected",
            ("rejected: " + "; ".join(f"{why}: {n}" for why, n in tally.rejected.items()))
            if tally.rejected
            else "check the file",
        )
    return keep, missing


def _ordered_unique(
    d: np.ndarray, x: np.ndarray, fl: dict[str, np.ndarray], label: str, notes: list[str]
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Rows sorted by date and one per date (the last kept), each change appended to ``notes``."""
    if len(d) > 1 and not bool(np.all(d[1:] >= d[:-1])):
        order = np.argsort(d, kind="stable")
        d, x = d[order], x[order]
        fl = {k: a[order] for k, a in fl.items()}
        notes.append(f"{label}rows were out of date order: sorted")
    if len(d) > 1:
        is_last = np.r_[d[1:] != d[:-1], True]
        if not is_last.all():
            group_last = pd.Series(x).groupby(np.cumsum(np.r_[True, is_last[:-1]])).transform("last")
            differs = (~is_last) & (group_last.to_numpy() != x)
            n_conflict = len(np.unique(d[differs]))
            n_dup = int((~is_last).sum())
            if n_conflict:
                msg = (
                    f"{label}warning: {n_dup} duplicate-date rows removed; {n_conflict} dates had "
                    "different values (kept the last row)"
                )
            else:
                msg = f"{label}{n_dup} duplicate-date rows with identical values removed"
            notes.append(msg)
            d, x = d[is_last], x[is_last]
            fl = {k: a[is_last] for k, a in fl.items()}
    return d, x, fl


def _flag_frame(
    ctx: _Ctx,
    index: pd.DatetimeIndex,
    frequency: str,
    fl: dict[str, np.ndarray],
    partial_by_date: bool,
    notes: list[str],
) -> pd.DataFrame:
    """The flags as a frame; with ``partial_by_date``, periods not ended at the export date flagged partial."""
    if partial_by_date and frequency in _FREQ_OFFSET:
        ends = index + _FREQ_OFFSET[frequency]
        late = np.asarray(ends > ctx.export_date)
        if late.any():
            fl["partial"] = fl["partial"] | late
            notes.append(
                f"{int(late.sum())} period(s) had not ended when the file was written "
                f"({ctx.export_date.date()}): flagged partial"
            )
    return pd.DataFrame({k: a.astype(bool) for k, a in fl.items()}, index=index)


def _build(
    ctx: _Ctx,
    dates: _Dates,
    nums: _Numbers,
    *,
    id: str,
    kind: Kind,
    fmt: str,
    units: str = "",
    description: str = "",
    notes: Sequence[str] = (),
    label: str = "",
    flags: dict[str, np.ndarray] | None = None,
    quarantine: tuple[np.ndarray, str] | None = None,
    column: str = "",
    partial_by_date: bool = False,
) -> SeriesData:
    """Validate one value column against the file's dates and build its SeriesData.

    Every row dropped is counted: rejected rows in ``ctx.tally.rejected`` (``label`` prefixes the
    reason in multi-series files), missing values and duplicate dates in ``ctx.tally.notes``."""
    if len(id) > MAX_NAME_CHARS:
        raise _Problem(
            f"series name {_cell(id)} is too long (at most {MAX_NAME_CHARS} characters)",
            "shorten the column header (or the file name it comes from)",
        )
    tally = ctx.tally
    before = Counter(tally.rejected)
    notes = list(notes)
    keep, missing = _usable(
        ctx, dates, nums, id=id, kind=kind, label=label, quarantine=quarantine, column=column
    )
    said: list[str] = []  # notes for the file's tally as well as for the series
    n_missing = int(missing.sum())
    if n_missing:
        said.append(f"{label}{_plural(n_missing, 'missing value')} (blank, '.' or null) skipped")
    fl = {k: a[keep] for k, a in (flags or {}).items()}
    d, x, fl = _ordered_unique(dates.values[keep], nums.values[keep], fl, label, said)
    notes += said
    tally.notes.extend(said)
    index = pd.DatetimeIndex(d)
    frequency = infer_frequency(index)
    notes += _rejection_notes(dates, tally.rejected - before, label)
    notes += _gap_notes(index, frequency)
    if ctx.cut_short:
        notes.append(ctx.cut_short)
    flag_frame = None if flags is None else _flag_frame(ctx, index, frequency, fl, partial_by_date, notes)
    meta = SeriesMeta(
        id=id,
        kind=kind,
        source="files",
        origin=ctx.origin,
        description=description,
        frequency=frequency,
        units=units,
        sample_data=False,
        notes=tuple(notes),
    )
    return SeriesData(meta, pd.Series(x, index=index, dtype="float64"), flag_frame)


GAP_DAYS = 92  # daily/weekly data: a longer stretch without observations (a quarter) gets a warning


def _rejection_notes(dates: _Dates, own: Counter[str], label: str) -> list[str]:
    """One note on the rows of this series that were rejected (the tally has them per file)."""
    n_date = int(dates.rejected.sum())
    parts = []
    if n_date:
        why = dict(dates.why)
        if sum(why.values()) == n_date:
            parts += [f"{w}: {n}" for w, n in why.items()]
        else:
            parts.append(f"no usable date (missing, not in the file's format, or after today): {n_date}")
    parts += [f"{w.removeprefix(label)}: {n}" for w, n in own.items() if n]
    n = n_date + sum(own.values())
    return [f"warning: {_plural(n, 'row')} rejected ({'; '.join(parts)})"] if n else []


def _gap_notes(index: pd.DatetimeIndex, frequency: str) -> list[str]:
    """Long stretches without observations in daily or weekly data (more than ``GAP_DAYS``) and missing
    months in monthly data: reported in the series' notes, not filled. Short holes in daily data
    (holidays, halts, a missing week) are common and not worth a warning."""
    if len(index) < 2 or frequency not in ("D", "W", "M"):
        return []
    if frequency == "M":
        months = np.asarray(index.year * 12 + index.month)
        steps = np.diff(months)
        big = np.flatnonzero(steps > 1)
        what = "missing month"
    else:
        steps = np.diff(index.values) // np.timedelta64(1, "D")
        big = np.flatnonzero(steps > GAP_DAYS)
        what = f"gap of more than {GAP_DAYS} days"
    if not len(big):
        return []
    k = int(big[np.argmax(steps[big])])
    days = int((index[k + 1] - index[k]).days)
    n = len(big) if frequency != "M" else int((steps[big] - 1).sum())
    return [
        f"warning: {_plural(n, what)} in {dict(D='daily', W='weekly', M='monthly')[frequency]} data, "
        f"the longest {days:,} days ({index[k].date()} to {index[k + 1].date()}): reported, not filled"
    ]


def _trends_notes(term: str, nums: _Numbers) -> list[str]:
    from ..parsers.trends import Cells, trends_notes  # the one implementation of Trends' conventions

    return trends_notes(term, Cells(nums.values, nums.below_one, nums.missing, nums.bad), quote=_cell)


def _ohlc_broken(df: pd.DataFrame, pos: dict[str, int]) -> tuple[np.ndarray, str] | None:
    if not {"high", "low", "close"} <= set(pos):
        return None
    hi = _parse_numbers(df[pos["high"]]).values
    lo = _parse_numbers(df[pos["low"]]).values
    cl = _parse_numbers(df[pos["close"]]).values
    tol = 1e-6 * np.abs(hi)
    with np.errstate(invalid="ignore"):
        broken = (hi < lo - tol) | (cl > hi + tol) | (cl < lo - tol)
    return np.nan_to_num(broken, nan=0).astype(bool), "High < Low or Close outside [Low, High] (quarantined)"
