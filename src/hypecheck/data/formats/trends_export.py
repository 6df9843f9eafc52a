"""A Google Trends export (``multiTimeline.csv``, interest over time): a first line ``Category: ...``
or a header ``Day|Week|Month|Time,<term>: (<Region>)``; the header is searched for, not fixed at line
3. Up to five terms, each a ``search`` series; values must be integers 0..100 (``<1`` stored as 0.5,
flag ``below_one``); ``isPartial`` and periods not ended when the file was written are flagged
``partial``. Related queries/topics tables (``TOP``/``RISING``, ``Breakout``, ``+1,650%``), interest
by region and translated exports are rejected with the reason."""

from __future__ import annotations

import csv
import re
from collections import Counter

import numpy as np
import pandas as pd

from ...schema import SeriesData
from ..parsers.trends import parse_cells
from .base import MAX_TRENDS_TERMS, REGION_FIRST, TRENDS_FIRST, TRENDS_UNITS, Format, _cell, _Ctx, _Problem
from .text import Probe, _cells
from .values import _build, _date_shape, _Dates, _Numbers, _parse_dates, _trends_notes

NAME = "trends-export"
DESCRIPTION = "Google Trends export (multiTimeline.csv)"


def detect(probe: Probe) -> bool:
    if probe.first.strip().lower().startswith("category:"):
        return True
    header, lc = probe.header, probe.lc
    return (
        len(header) >= 2 and lc[0] in TRENDS_FIRST and any(": (" in c and c.endswith(")") for c in header[1:])
    )


def read(probe: Probe) -> list[SeriesData]:
    return _read_trends_export(probe.text, probe.ctx)


_RELATED = re.compile(r"^(TOP|RISING)\s*,?\s*$", re.M)
_PERCENT = re.compile(r"(^|,)\"?\+[\d,]+%\"?(,|$)", re.M)


def _header(lines: list[str]) -> tuple[int, list[str]]:
    """The header line's index and cells (after an optional ``Category:`` line), or a clear error
    naming the export type or locale it is instead."""
    start = 0
    first = next(i for i, ln in enumerate(lines) if ln.strip())
    if lines[first].strip().lower().startswith("category:"):
        start = first + 1
    h = next((i for i in range(start, len(lines)) if lines[i].strip()), None)
    header = _cells(lines[h]) if h is not None else []
    if h is not None and len(header) >= 2 and header[0].lower() in TRENDS_FIRST:
        return h, header
    shown = lines[h][:40] if h is not None else ""
    if header and header[0].lower() in REGION_FIRST:
        raise _Problem(
            "wrong export type: interest by region (geoMap.csv), not interest over time",
            "export 'Interest over time' (multiTimeline.csv)",
        )
    if header and _date_shape(header[0]) is None and any(": (" in c for c in header[1:]):
        raise _Problem(
            f"a Google Trends export with first column {_cell(header[0])} (English exports say Day, Week "
            "or Month): unsupported locale",
            "re-export with the English UI",
        )
    raise _Problem(
        f"Google Trends export without its header line (found {_cell(shown, 40)}; expected e.g. "
        "'Week,term: (Worldwide)')",
        "export the file again from Google Trends, unedited",
    )


def _rows(lines: list[str], h: int, width: int) -> list[list[str]]:
    """The table's rows after the header line ``h`` (up to the first blank line), each ``width`` cells."""
    body: list[str] = []
    for j in range(h + 1, len(lines)):
        if not lines[j].strip():
            rest = [ln for ln in lines[j:] if ln.strip()]
            if rest:
                raise _Problem(
                    f"wrong export type: a second table after line {j + 1} ({_cell(rest[0], 30)})",
                    "export 'Interest over time' (multiTimeline.csv) on its own",
                )
            break
        body.append(lines[j])
    if not body:
        raise _Problem("Google Trends export with a header but no rows", "export the file again")
    rows = list(csv.reader(body, skipinitialspace=True))
    for k, r in enumerate(rows):
        if len(r) != width:
            raise _Problem(
                f"row {k + 1} has {len(r)} cells but the header has {width}",
                "export the file again, unedited",
            )
    return rows


def _terms(header: list[str], term_cols: list[int]) -> list[tuple[int, str, str, str]]:
    """``(column, header cell, term, region)`` of each term column; at most five, none twice."""
    if len(term_cols) > MAX_TRENDS_TERMS:
        raise _Problem(
            f"{len(term_cols)} terms in one export; Google Trends compares at most {MAX_TRENDS_TERMS}",
            "this file was edited or assembled by hand; export at most 5 terms per file",
        )
    terms = []
    for i in term_cols:
        col = header[i]
        term, _, region = col.rpartition(": (") if ": (" in col else (col, "", "")
        term, region = term.strip(), region.removesuffix(")").strip()
        if not term:
            raise _Problem(f"column {i + 1} has no search term", "export the file again, unedited")
        terms.append((i, col, term, region))
    seen = Counter(t for _, _, t, _ in terms)
    if any(k > 1 for k in seen.values()):
        raise _Problem(
            f"a term appears twice: {', '.join(_cell(t) for t, k in seen.items() if k > 1)}", "export again"
        )
    return terms


def _partial(frame: pd.DataFrame, partial_col: int | None) -> np.ndarray:
    """The ``isPartial`` column as booleans (all False without one)."""
    if partial_col is None:
        return np.zeros(len(frame), dtype=bool)
    pv = frame[partial_col].str.strip().str.lower()
    if not pv.isin(["true", "false"]).all():
        raise _Problem("isPartial column with values other than True/False", "export the file again")
    return (pv == "true").to_numpy(dtype=bool)


def _term_series(
    ctx: _Ctx,
    dates: _Dates,
    cells_in: pd.Series,
    term: str,
    region: str,
    partial: np.ndarray,
    description: str,
    label: str,
) -> SeriesData:
    """One term's column: Trends cells checked (0..100 or '<1'), then built."""
    cells = parse_cells(cells_in)  # the one Trends cell rule (data/parsers/trends.py): blank = missing
    below, off = cells.below_one, cells.bad
    if off.any():
        cell = cells.example
        example = _cell(cell) if cell else "an empty cell"
        raise _Problem(
            f"{_cell(term)} has a value outside Google Trends' 0-100 integer scale: {example} "
            f"(row {int(np.argmax(off)) + 1})",
            "Trends values are integers 0..100 or '<1'; the file was edited or is not a Trends export",
        )
    nums = _Numbers(cells.values, cells.missing, cells.bad, below)
    notes = [f"region: {region}"] if region else []
    notes += _trends_notes(term, nums)
    if partial.any():
        notes.append(f"{int(partial.sum())} period(s) marked isPartial: flagged partial")
    return _build(
        ctx,
        dates,
        nums,
        id=term,
        kind="search",
        fmt=NAME,
        units=TRENDS_UNITS,
        description=description,
        notes=notes,
        label=label,
        flags={"below_one": below, "partial": partial.copy()},
        partial_by_date=True,
    )


def _read_trends_export(text: str, ctx: _Ctx) -> list[SeriesData]:
    if _RELATED.search(text) or re.search(r"(^|,)Breakout(,|$)", text, re.M) or _PERCENT.search(text):
        raise _Problem(
            "wrong export type: a related queries/topics table (TOP, RISING, Breakout, +N%), "
            "not interest over time",
            "export 'Interest over time' (multiTimeline.csv) instead",
        )
    lines = [ln.rstrip("\r") for ln in text.split("\n")]
    h, header = _header(lines)
    unit = header[0].lower()
    if unit == "time":
        raise _Problem(
            "hourly Google Trends export (Time column): daily or coarser data is expected",
            "export a range of a month or more to get daily data",
        )
    width = len(header)
    rows = _rows(lines, h, width)
    partial_col = next((i for i, c in enumerate(header) if c.lower() == "ispartial"), None)
    terms = _terms(header, [i for i in range(1, width) if i != partial_col])
    frame = pd.DataFrame(rows, dtype="string")
    dates = _parse_dates(frame[0], ctx, what=f"{header[0]} column")
    _check_spacing(dates, unit)
    partial = _partial(frame, partial_col)
    multi = len(terms) > 1
    return [
        _term_series(
            ctx,
            dates,
            frame[i],
            term,
            region,
            partial,
            f"Google Trends export, {unit}ly interest over time ({col})",
            f"{term}: " if multi else "",
        )
        for i, col, term, region in terms
    ]


def _check_spacing(dates: _Dates, unit: str) -> None:
    """A Day/Week/Month export has one period between consecutive rows; anything else is mixed."""
    d = pd.DatetimeIndex(np.unique(dates.values[~np.isnat(dates.values)]))
    if len(d) < 2:
        return
    if unit == "month":
        months = np.asarray(d.year * 12 + d.month)
        bad = (np.diff(months) != 1) | (np.asarray(d.day[1:]) != 1)
        step = "one month"
    else:
        want = 1 if unit == "day" else 7
        gaps = np.diff(d.values).astype("timedelta64[D]").astype(np.int64)
        bad = gaps != want
        step = "one day" if want == 1 else "7 days"
    if bad.any():
        k = int(np.argmax(bad))
        raise _Problem(
            f"mixed granularity: a {unit}ly export whose rows are not {step} apart "
            f"({d[k].date()} then {d[k + 1].date()})",
            "export one time range per file; do not paste exports together",
        )


FORMAT = Format(NAME, DESCRIPTION, detect, read)
