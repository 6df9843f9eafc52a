"""A tidy long table, ``date,series,value[,kind]`` (case-insensitive names): one series per name in
the ``series`` column, of the ``kind`` given (``price`` when the column is absent, said in the
series' notes). The first column must hold dates."""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from ...schema import KINDS, Kind, SeriesData
from .base import MAX_NAME_CHARS, Format, _cell, _Ctx, _Problem
from .text import Probe
from .values import _build, _Dates, _Numbers, _parse_dates, _parse_numbers

NAME = "tidy-long"
DESCRIPTION = "tidy long table (date,series,value[,kind])"


def detect(probe: Probe) -> bool:
    return {"date", "series", "value"} <= set(probe.lc)


def read(probe: Probe) -> list[SeriesData]:
    df = probe.frame.copy()
    df.columns = probe.lc
    return _tidy(df, probe.ctx, NAME, DESCRIPTION)


def _tidy(df: pd.DataFrame, ctx: _Ctx, fmt: str, description: str) -> list[SeriesData]:
    for c in ("date", "series", "value"):
        if c not in df.columns:
            raise _Problem(
                f"tidy table without a {c!r} column", "columns must be date, series, value[, kind]"
            )
    if df.empty:
        raise _Problem("header only, no data rows", "export the data again")
    extra = [c for c in df.columns if c not in ("date", "series", "value", "kind")]
    date_col = df["date"]
    if pd.api.types.is_datetime64_any_dtype(date_col.dtype):
        dates = _datetime_column(date_col, ctx)
    else:
        dates = _parse_dates(date_col.astype("string"), ctx)
    nums = _parse_numbers(df["value"])
    names = df["series"].astype("string").str.strip()
    names = names.mask(names == "")
    no_name = (names.isna() | (names == "")).to_numpy(dtype=bool) & ~dates.rejected
    ctx.tally.reject(int(no_name.sum()), "no series name")
    long_name = (names.str.len() > MAX_NAME_CHARS).fillna(False).to_numpy(dtype=bool) & ~dates.rejected
    ctx.tally.reject(int(long_name.sum()), f"series name longer than {MAX_NAME_CHARS} characters")
    names = names.mask(long_name)
    no_name |= long_name
    kinds = df["kind"].astype("string").str.strip().str.lower() if "kind" in df.columns else None
    codes, uniques = pd.factorize(names, use_na_sentinel=True)
    codes = np.asarray(codes)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    multi = len(uniques) > 1
    out = []
    base_rejected = dates.rejected | no_name
    for i, name in enumerate(uniques):
        rows = np.sort(order[bounds[i] : bounds[i + 1]])
        name = str(name)
        kind: Kind = "price"
        notes = []
        if kinds is not None:
            found = set(kinds.iloc[rows].dropna().unique()) - {""}
            if len(found) != 1 or next(iter(found)) not in KINDS:
                raise _Problem(
                    f"series {_cell(name)} has kind "
                    + (", ".join(_cell(k, 20) for k in sorted(found)[:5]) if found else "empty"),
                    f"give each series one kind: {', '.join(KINDS)}",
                )
            kind = cast(Kind, next(iter(found)))
        else:
            notes.append("no kind column: read as a price series")
        if extra:
            notes.append(f"columns ignored: {', '.join(map(str, extra))}")
        sub_dates = _Dates(dates.values[rows], base_rejected[rows], dates.fmt)
        sub_nums = _Numbers(
            nums.values[rows], nums.missing[rows], nums.bad[rows], nums.below_one[rows], nums.example
        )
        out.append(
            _build(
                ctx,
                sub_dates,
                sub_nums,
                id=name,
                kind=kind,
                fmt=fmt,
                description=description,
                notes=notes,
                label=f"{name}: " if multi else "",
                column=name,
            )
        )
    if not out:
        raise _Problem("the tidy table has no named series", "fill the 'series' column")
    return out


def _datetime_column(col: pd.Series, ctx: _Ctx) -> _Dates:
    """A datetime column (Parquet): naive dates; intraday times are rejected, not truncated."""
    s = pd.Series(pd.to_datetime(col))
    if s.dt.tz is not None:
        s = s.dt.tz_localize(None)
    if (s.dropna() != s.dropna().dt.normalize()).any():
        raise _Problem("intraday timestamps: daily or coarser data is expected", "store one row per date")
    values = np.asarray(s.to_numpy())
    empty = np.isnat(values)
    future = ~empty & (values > np.datetime64(ctx.today.date(), "D"))
    ctx.tally.reject(int(empty.sum()), "no date")
    ctx.tally.reject(int(future.sum()), f"dated after today ({ctx.today.date()})")
    return _Dates(values, empty | future, "datetime")


FORMAT = Format(NAME, DESCRIPTION, detect, read)
