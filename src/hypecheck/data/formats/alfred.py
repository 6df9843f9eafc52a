"""ALFRED's "all vintages" download (https://alfred.stlouisfed.org, Download Data -> all vintages):
``observation_date`` then one column per vintage named ``<SERIES>_<YYYYMMDD>`` (``ICSA_20250417``,
``ICSA_20250424``), the vintage date being the day that release became public; a cell is empty or
``.`` when the observation is not in that vintage (not yet published, or not in that release).

Read as one ``macro`` series, id ``<SERIES>``, with :attr:`~hypecheck.schema.SeriesData.vintages`:
index = the observation dates (``values.index``), columns = the vintage dates (``pd.Timestamp``,
ascending), cell = the observation's value in that vintage (NaN when absent). ``values`` is each
observation's value in its latest vintage. Detected by the first column ``observation_date`` and a
value column ending in ``_<digits>``; then every value column must be ``<SERIES>_<YYYYMMDD>`` with a
real date and one series for the whole file, else the file is rejected, naming the column (a vintage
twice is a duplicate column, rejected as such). Vintages dated after today are dropped and counted as rejected cells (no look-ahead)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ...schema import SeriesData
from .base import FRED_ID, Format, _cell, _Problem
from .text import Probe
from .values import _build, _Numbers, _parse_numbers

NAME = "alfred"
DESCRIPTION = "ALFRED all-vintages download (observation_date,<SERIES>_<YYYYMMDD>,...)"

_VINTAGE_LIKE = re.compile(r"_\d+$")
_VINTAGE = re.compile(r"^(?P<id>.+)_(?P<date>\d{8})$")
_HINT = "download the series again from ALFRED (all vintages), unedited: columns observation_date,<SERIES>_<YYYYMMDD>"


def detect(probe: Probe) -> bool:
    return probe.lc[0] == "observation_date" and any(_VINTAGE_LIKE.search(c) for c in probe.header[1:])


def _vintage_columns(header: list[str]) -> tuple[str, list[pd.Timestamp]]:
    ids: set[str] = set()
    dates: list[pd.Timestamp] = []
    for col in header[1:]:
        m = _VINTAGE.fullmatch(col)
        if m is None or not FRED_ID.fullmatch(m["id"]):
            raise _Problem(
                f"ALFRED column {_cell(col)} is not <SERIES>_<YYYYMMDD> (a FRED id, '_', an 8-digit vintage date)",
                _HINT,
            )
        try:
            dates.append(pd.Timestamp(pd.to_datetime(m["date"], format="%Y%m%d")))
        except ValueError:
            raise _Problem(
                f"ALFRED column {_cell(col)}: {m['date']!r} is not a date (YYYYMMDD)", _HINT
            ) from None
        ids.add(m["id"])
    if len(ids) > 1:
        raise _Problem(
            f"ALFRED columns of several series ({', '.join(sorted(ids)[:5])}): one series per file", _HINT
        )
    return ids.pop(), dates


def read(probe: Probe) -> list[SeriesData]:
    ctx, header = probe.ctx, probe.header
    sid, vintage_dates = _vintage_columns(header)
    df, dates = probe.frame, probe.dates
    today = ctx.today
    cols = [(d, i) for i, d in enumerate(vintage_dates, start=1)]
    late = [(d, i) for d, i in cols if d > today]
    cols = [(d, i) for d, i in cols if d <= today]
    n_late = sum(int((~_parse_numbers(df[i]).missing).sum()) for _, i in late)
    ctx.tally.reject(n_late, f"vintage dated after today ({today.date()})")
    if not cols:
        raise _Problem(f"every ALFRED vintage of {sid} is dated after today ({today.date()})", _HINT)
    cols.sort()
    parsed = [_parse_numbers(df[i]) for _, i in cols]
    matrix = np.column_stack([p.values for p in parsed])
    bad = np.column_stack([p.bad for p in parsed])
    bad |= np.isinf(matrix)
    n_bad = int((bad & ~dates.rejected[:, None]).sum())
    example = next((p.example for p in parsed if p.bad.any()), "")
    ctx.tally.reject(n_bad, f"non-numeric or infinite value (e.g. {_cell(example)})")
    matrix = np.where(bad, np.nan, matrix)
    present = ~np.isnan(matrix)
    has_any = present.any(axis=1)
    # each observation's value in the latest vintage that holds it
    last = np.where(has_any, matrix.shape[1] - 1 - np.argmax(present[:, ::-1], axis=1), 0)
    latest = np.where(has_any, matrix[np.arange(len(matrix)), last], np.nan)
    n = len(latest)
    nums = _Numbers(latest, ~has_any, np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    notes = [
        f"{len(cols)} vintages, {cols[0][0].date()} to {cols[-1][0].date()}; values from each observation's latest vintage"
    ]
    s = _build(
        ctx,
        dates,
        nums,
        id=sid,
        kind="macro",
        fmt=NAME,
        description=DESCRIPTION,
        notes=notes,
        column=sid,
    )
    frame = pd.DataFrame(
        matrix, index=pd.DatetimeIndex(dates.values), columns=pd.DatetimeIndex([d for d, _ in cols])
    )
    frame = frame[~dates.rejected & has_any]
    frame = frame[~frame.index.duplicated(keep="last")].sort_index().reindex(s.values.index)
    return [SeriesData(s.meta, s.values, s.flags, s.pulls, frame)]


FORMAT = Format(NAME, DESCRIPTION, detect, read)
