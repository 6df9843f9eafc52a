"""A date column and numeric value columns (the catch-all, last in the list): one ``macro`` series
per column, id ``<stem>:<column>`` (Shiller's ``cape.csv`` -> ``cape:cape``, ``cape:tr_cape``,
``cape:ecy``). A value column that is not numeric (``nber_recessions.csv``: ``peak,trough``, both
dates) rejects the file as not a series."""

from __future__ import annotations

import pandas as pd

from ...schema import SeriesData
from .base import Format, _cell, _Ctx, _Problem
from .text import Probe
from .values import _build, _date_shape, _Dates, _parse_numbers

NAME = "wide"
DESCRIPTION = "wide table: a date column and numeric columns, one macro series per column"


def detect(probe: Probe) -> bool:
    return True


def read(probe: Probe) -> list[SeriesData]:
    return _wide(probe.frame, probe.header, probe.dates, probe.ctx)


def _wide(df: pd.DataFrame, header: list[str], dates: _Dates, ctx: _Ctx) -> list[SeriesData]:
    stem = ctx.path.stem
    parsed = []
    for i, name in enumerate(header[1:], start=1):
        nums = _parse_numbers(df[i])
        present = ~nums.missing & ~dates.rejected
        if present.any() and nums.bad[present].sum() > present.sum() / 2:
            example = nums.example
            looks_date = _date_shape(example) is not None
            raise _Problem(
                f"not a time series: column {_cell(name)} is not numeric (values like {_cell(example, 30)}"
                + (", dates: an event table?)" if looks_date else ")"),
                "a series file needs numbers in every column after the date",
            )
        parsed.append((name, nums))
    multi = len(parsed) > 1
    out = []
    for name, nums in parsed:
        sid = f"{stem}:{name}"
        out.append(
            _build(
                ctx,
                dates,
                nums,
                id=sid,
                kind="macro",
                fmt="wide",
                label=f"{name}: " if multi else "",
                column=name,
                description=f"column {_cell(name)} of a wide table (date + numeric columns)",
            )
        )
    return out


FORMAT = Format(NAME, DESCRIPTION, detect, read)
