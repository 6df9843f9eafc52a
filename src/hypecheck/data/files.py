"""The ``files`` source: a folder or files the user already has, the format detected, not configured.

Public API
----------
``FilesSource(path, max_bytes=..., today=None).load(catalog=None)``
    ``path`` is a file, a folder (walked recursively, in sorted order) or a list of both. Every file
    found in a folder ends up in ``catalog.report``: loaded (with the rows rejected and the repairs
    made) or skipped with the reason and what to do. A bad file inside a folder is skipped, never
    aborts the folder, and never half-loads: a file contributes all its series or none. A bad file
    named explicitly raises :class:`~hypecheck.errors.FormatError`. Nothing is added to the catalog
    unless every explicitly named file reads. Symbolic links to folders are followed, each real folder
    read once (a link that loops back, or leads to a folder read anyway, is reported, not walked);
    pipes, sockets and devices are never opened (skipped in a folder, an InputError when named).
``read_file(path) -> list[SeriesData]``
    One file; FormatError (naming the file and what to do) when it cannot be read.
``load_file(path, root=None) -> (list[SeriesData], LoadEntry)``
    The same, with the file's :class:`~hypecheck.schema.LoadEntry` (what was rejected or repaired).
``detect_format(path) -> str``
    The format name ``read_file`` uses; FormatError for files that are not a supported format.

Detection rules, per file, in this order
----------------------------------------
1. By suffix: ``.parquet``/``.pq`` -> ``parquet`` (a tidy long table, needs pyarrow); Excel
   workbooks, archives and ``.json``/``.md``/... are skipped with the reason. Everything else that
   is text (``.csv``, ``.txt``, ``.tsv``, ``.dat``) is sniffed: gzip/zip/Parquet/OLE bytes, other
   binary content, non-UTF-8 text, an HTML page, an empty or blank file, a whitespace-, tab- or
   ``;``-separated file are rejected with a clear reason.
2. ``trends-export`` (Google Trends ``multiTimeline.csv``): a first line ``Category: ...`` or a
   header ``Day|Week|Month|Time,<term>: (<Region>)``. The header is searched for, not fixed at line
   3. A ``Kategorie:``-style first line, a translated first column (``Woche``) or dotted dates are an
   "unsupported locale" error; ``TOP``/``RISING`` sections, ``Breakout`` or ``+1,650%`` cells are
   the "wrong export type" (related queries), a ``Region`` first column too (interest by region).
3. Otherwise the first non-blank line is a CSV header (case-insensitive names):
   ``date,series,value[,kind]`` -> ``tidy-long``. The first column must hold dates (checked on its
   first value, so ``Mes,debt`` with ``2004-01`` qualifies and ``series_id,...`` does not).
   ``Date,Close`` (or ``Date,Price``) -> ``price-close``, id = file stem (``^TNX.csv`` -> ``^TNX``).
   ``Close``/``Adj Close`` among other OHLCV columns -> ``yahoo``: ``Adj Close`` if present, else
   ``Close``; the yfinance three-line header (``Price,...`` / ``Ticker,SPY,...`` / ``Date,,,``) ->
   ``yfinance``, one price series per ticker named in the header.
   ``<date>,value`` -> ``fred-value``: macro, id = file stem.
   ``<date>,Adjusted`` under a folder whose path contains ``trends`` -> ``trends-stitched``: search,
   id = file stem with ``_`` read as a space (``stock_market`` -> ``stock market``); elsewhere the
   ``Adjusted`` column is ambiguous and the file is skipped.
   ``<date>,<NAME>`` (one value column, any other name): *Trends-like* values are integers 0..100,
   optionally with ``<1`` cells. A name matching FRED's ``^[A-Z0-9_]{1,40}$`` is a FRED id ->
   ``fred`` (macro ``NAME``), except under a ``trends`` folder with Trends-like values (Trends terms
   like ``ETF`` or ``CPI``) -> ``trends-series``. Any other name with Trends-like values ->
   ``trends-series``: search, id = the column name (``value stocks``). Otherwise -> ``wide``.
   Two or more numeric value columns -> ``wide``: macro series ``<stem>:<column>`` (Shiller's
   ``cape.csv`` -> ``cape:cape``, ``cape:tr_cape``, ``cape:ecy``); a value column that is not
   numeric (``nber_recessions.csv``: ``peak,trough``, both dates) skips the file as not a series.

Validation at the boundary (each repair counted in the file's LoadEntry, never silent)
------------------------------------------------------------------------------------
Dates are parsed with one explicit format per file, chosen from the first value: ISO ``YYYY-MM-DD``
(also ``YYYY/MM/DD``, ``YYYYMMDD`` and midnight timestamps), ``YYYY-MM``, ``YYYYMM``, or US
``M/D/YYYY`` only when the column proves it is month-first (some day above 12, no first field above
12). Any other slashed column is ambiguous and the file is rejected (day-first columns included:
``'5/01/2020'`` is not guessed from a later ``'19/01/2020'``); dotted ``20.09.2026`` dates are an
unsupported locale. Intraday and time-zoned timestamps are rejected. Cells that do not parse with
the file's format, and rows dated after today, are rejected rows. Values: FRED's ``.`` and blank
cells (also ``NaN``, ``null``, ``#N/A``) are missing: dropped and counted in a note, not errors;
other non-numeric or infinite cells are rejected rows; an all-missing column is an error naming the
row count. Prices <= 0 are quarantined (rejected rows; Yahoo yield indices ``^IRX ^FVX ^TNX ^TYX``
excepted, negative yields are real), as are Yahoo rows with ``High < Low`` or ``Close`` outside
``[Low, High]``. Rows are sorted; duplicate dates with identical values are de-duplicated, with
different values the last row is kept and the count is a warning. ``LoadEntry.rows`` counts the
observations loaded, ``rejected_rows`` the rows (for multi-column files: cells) rejected, ``reason``
lists every repair. Google Trends values must be integers 0..100 (else FormatError); ``<1`` is
stored as 0.5 with the ``below_one`` flag; the ``partial`` flag comes from ``isPartial`` or from a
last period that had not ended when the file was written (its modification date).

A cell, header or name quoted in a message or note is cut to ``MAX_CELL_CHARS`` (60) characters with
its full length said, so a 10 MB cell never reaches a message, the JSON, the reports or the store; a
series name longer than ``MAX_NAME_CHARS`` (200) is refused (a tidy table's rows with one are rejected).

Rows with more cells than the header (``2024-01-02,1,234.5``: an unquoted thousands separator) are an
error, never cut to the header's width. Line ends may be ``\n``, ``\r\n`` or the lone ``\r`` of old
Mac exports. Warnings that reach the user (the series' notes, hence ``check --json`` provenance and
the report) besides the duplicate-date one: rows rejected for this series, by reason; stretches of
more than ``GAP_DAYS`` (92) days without observations in daily or weekly data, and missing months in
monthly data (reported, not filled); a file that does not end with a line break (cut short?).

Kinds: prices -> ``price``; FRED, ``fred-value`` and ``wide`` -> ``macro``; Trends -> ``search``;
tidy tables take their ``kind`` column, ``price`` when absent (said in the series' notes).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from ..errors import FormatError, InputError, MissingDependencyError, NoDataError
from ..schema import KINDS, Catalog, Kind, LoadEntry, SeriesData, SeriesMeta, infer_frequency
from .sources import register_source

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "FilesSource",
    "detect_format",
    "load_file",
    "read_file",
]

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
MAX_HEADER_CHARS = 1_000_000
MAX_COLUMNS = 10_000
MAX_TRENDS_TERMS = 5

FRED_ID = re.compile(r"^[A-Z0-9_]{1,40}$")
TRENDS_UNITS = "0-100 relative (sampled, per request)"
STITCHED_UNITS = "relative search interest, stitched and rescaled (not 0-100 per request)"
YIELD_INDICES = frozenset({"^IRX", "^FVX", "^TNX", "^TYX"})

FORMATS: dict[str, str] = {
    "price-close": "daily close (Date,Close)",
    "yahoo": "Yahoo Finance export (Date,Open,High,Low,Close,Adj Close,Volume)",
    "yfinance": "yfinance download with its three-line header (Price / Ticker / Date)",
    "fred": "FRED download (date,<SERIES_ID>)",
    "fred-value": "FRED series saved as date,value (id from the file name)",
    "trends-export": "Google Trends export (multiTimeline.csv)",
    "trends-series": "one Google Trends term per file (date,<term>), 0-100 per request",
    "trends-stitched": "stitched Google Trends series (Date,Adjusted), rescaled across requests",
    "tidy-long": "tidy long table (date,series,value[,kind])",
    "wide": "wide table: a date column and numeric columns, one macro series per column",
    "parquet": "tidy long Parquet table (date,series,value[,kind])",
}

DATE_NAMES = frozenset({"date", "observation_date", "datetime", "timestamp", "period"})
TRENDS_FIRST = frozenset({"day", "week", "month", "time"})
REGION_FIRST = frozenset({"region", "country", "subregion", "metro", "city", "dma"})
PRICE_COLUMNS = frozenset(
    {
        "open",
        "high",
        "low",
        "close",
        "adj close",
        "adj_close",
        "adjclose",
        "volume",
        "dividends",
        "stock splits",
        "capital gains",
    }
)
CLOSE_NAMES = frozenset({"close", "price"})
ADJ_CLOSE_NAMES = frozenset({"adj close", "adj_close", "adjclose"})
MISSING_TOKENS = frozenset({"", ".", "nan", "na", "n/a", "#n/a", "null", "none"})

PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".dat"})
EXCEL_SUFFIXES = frozenset({".xls", ".xlsx", ".xlsm", ".xlsb", ".ods"})
ARCHIVE_SUFFIXES = frozenset({".gz", ".zip", ".bz2", ".xz", ".7z", ".tar", ".tgz", ".zst"})

_ISO_HINT = "re-export with ISO dates (YYYY-MM-DD)"


MAX_CELL_CHARS = 60  # a cell, header or name quoted in a message is cut to this
MAX_MESSAGE_CHARS = 2_000  # a last guard: no message about one file is longer
MAX_NAME_CHARS = 200  # a series name (column header, tidy ``series`` cell) longer than this is refused


def _cell(value: object, n: int = MAX_CELL_CHARS) -> str:
    """A cell (or header, or name) quoted for a message: ``repr`` (so control characters show as
    escapes), cut to ``n`` characters with the full length said (a 10 MB cell must not be copied into
    every message, note, report and store row)."""
    text = str(value)
    if len(text) <= n:
        return repr(text)
    return f"{text[:n]!r}... ({len(text):,} characters)"


def _clip(message: str, n: int = MAX_MESSAGE_CHARS) -> str:
    if len(message) <= n:
        return message
    return f"{message[: n - 60]}... ({len(message) - n + 60:,} more characters cut)"


class _Problem(Exception):
    """Why one file cannot be read (``what``) and what to do about it (``hint``)."""

    def __init__(self, what: str, hint: str = "") -> None:
        what, hint = _clip(what), _clip(hint, 500)
        super().__init__(what)
        self.what = what
        self.hint = hint

    @property
    def reason(self) -> str:
        return f"{self.what}: {self.hint}" if self.hint else self.what


# ------------------------------------------------------------------------------------ bookkeeping


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass
class _Tally:
    """Rows rejected (by reason) and repairs made while reading one file."""

    rejected: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def reject(self, n: int, why: str) -> None:
        if n:
            self.rejected[_clip(why, 300)] += int(n)

    @property
    def n_rejected(self) -> int:
        return sum(self.rejected.values())

    def summary(self) -> str:
        parts = []
        if self.rejected:
            detail = "; ".join(f"{why}: {n}" for why, n in self.rejected.items())
            parts.append(f"{_plural(self.n_rejected, 'row')} rejected ({detail})")
        parts.extend(self.notes)
        return "; ".join(parts)


@dataclass
class _Ctx:
    path: Path
    origin: str
    today: pd.Timestamp
    export_date: pd.Timestamp  # the file's modification date, or today if earlier
    in_trends: bool
    tally: _Tally = field(default_factory=_Tally)
    cut_short: str = ""  # a warning when the file does not end with a line break (cut short?)


def _in_trends(parts: Sequence[str]) -> bool:
    return any("trends" in part.lower() for part in parts)


def _make_ctx(path: Path, origin: str, today: pd.Timestamp | None, in_trends: bool | None = None) -> _Ctx:
    """``in_trends``: whether a folder on the file's path has 'trends' in its name (computed if None)."""
    today = (today if today is not None else pd.Timestamp.today()).normalize()
    try:
        mtime = pd.Timestamp(path.stat().st_mtime, unit="s").normalize()
    except OSError:
        mtime = today
    if in_trends is None:
        in_trends = _in_trends(path.resolve().parent.parts)
    return _Ctx(path=path, origin=origin, today=today, export_date=min(today, mtime), in_trends=in_trends)


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
    n_missing = int(missing.sum())
    if n_missing:
        msg = f"{label}{_plural(n_missing, 'missing value')} (blank, '.' or null) skipped"
        notes.append(msg)
        tally.notes.append(msg)
    d = dates.values[keep]
    x = v[keep]
    fl = {k: a[keep] for k, a in (flags or {}).items()}
    if len(d) > 1 and not bool(np.all(d[1:] >= d[:-1])):
        order = np.argsort(d, kind="stable")
        d, x = d[order], x[order]
        fl = {k: a[order] for k, a in fl.items()}
        msg = f"{label}rows were out of date order: sorted"
        notes.append(msg)
        tally.notes.append(msg)
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
            tally.notes.append(msg)
            d, x = d[is_last], x[is_last]
            fl = {k: a[is_last] for k, a in fl.items()}
    index = pd.DatetimeIndex(d)
    frequency = infer_frequency(index)
    notes += _rejection_notes(dates, tally.rejected - before, label)
    notes += _gap_notes(index, frequency)
    if ctx.cut_short:
        notes.append(ctx.cut_short)
    flag_frame = None
    if flags is not None:
        if partial_by_date and frequency in _FREQ_OFFSET:
            ends = index + _FREQ_OFFSET[frequency]
            late = np.asarray(ends > ctx.export_date)
            if late.any():
                fl["partial"] = fl["partial"] | late
                notes.append(
                    f"{int(late.sum())} period(s) had not ended when the file was written "
                    f"({ctx.export_date.date()}): flagged partial"
                )
        flag_frame = pd.DataFrame({k: a.astype(bool) for k, a in fl.items()}, index=index)
    meta = SeriesMeta(
        id=id,
        kind=kind,
        source="files",
        origin=ctx.origin,
        description=description or FORMATS[fmt],
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


# ------------------------------------------------------------------------------------ reading text


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def _read_text(path: Path, max_bytes: int) -> str:
    """The file as text, after checks that need no parsing (size, binary, encoding, HTML)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise _Problem(
            f"file too large ({_mb(size)}; the limit is {_mb(max_bytes)})",
            "split it or convert it to Parquet, or raise the limit with FilesSource(path, max_bytes=...)",
        )
    if size == 0:
        raise _Problem("empty file (0 bytes)", "export the data again")
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        raise _Problem("gzip-compressed data, not a CSV", "decompress it first (gunzip)")
    if data[:4] == b"PK\x03\x04":
        raise _Problem(
            "a ZIP archive (or an .xlsx workbook), not a CSV", "unzip it, or export the sheet as CSV"
        )
    if data[:4] == b"PAR1":
        raise _Problem("a Parquet file with a text suffix", "rename it to .parquet")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _Problem("an Excel .xls workbook with a text suffix", "export the sheet as CSV")
    if b"\x00" in data[:65536]:
        raise _Problem("binary content (or UTF-16 text), not a UTF-8 CSV", "save the data as a UTF-8 CSV")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Problem(
            f"not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})",
            "save the file as UTF-8 CSV",
        ) from None
    if "\r" in text and text.count("\r") != text.count("\r\n"):  # the lone CR of old Mac exports
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # (CRLF alone every reader handles)
    head = text.lstrip()[:1024].lower()
    if not head:
        raise _Problem("no data: the file holds only blank lines", "export the data again")
    if head.startswith(("<!doctype", "<html", "<?xml", "<head", "<body", "<!--")) or "<html" in head:
        raise _Problem(
            "an HTML page saved as a data file (a login, consent or 'unusual traffic' page?)",
            "download the data again, and open the file to see what the site returned",
        )
    return text


def _head_lines(text: str, n: int = 12) -> list[str]:
    """The first ``n`` non-blank lines (CSV line semantics: \\n or \\r\\n)."""
    out = []
    for line in text[: 1 << 20].split("\n"):
        line = line.rstrip("\r")
        if line.strip():
            out.append(line)
            if len(out) >= n:
                break
    return out


def _cells(line: str) -> list[str]:
    return [c.strip() for c in next(csv.reader([line], skipinitialspace=True), [])]


# --------------------------------------------------------------------------------------- detection


@dataclass
class _Plan:
    format: str
    header: list[str] = field(default_factory=list)
    head: list[str] = field(default_factory=list)


def _sniff(text: str, ctx: _Ctx) -> _Plan:
    """Decide the format from the header lines (and, for trends exports, its preamble)."""
    head = _head_lines(text)
    first = head[0]
    if len(first) > MAX_HEADER_CHARS:
        raise _Problem(
            f"the first line is {len(first):,} characters long (limit {MAX_HEADER_CHARS:,})",
            "this is not a CSV header; check the file",
        )
    if first.strip().lower().startswith("category:"):
        return _Plan("trends-export", head=head)
    if "," not in first and re.match(r"^[^\W\d_][^,;\t:]{1,40}:\s", first.strip()):
        label = first.split(":", 1)[0].strip()
        raise _Problem(
            f"a Google Trends export in another language ({_cell(label + ':')} instead of 'Category:'): "
            "unsupported locale",
            "re-export with the English UI (Category:, Week/Day/Month, YYYY-MM-DD dates)",
        )
    if ";" in first and "," not in first:
        raise _Problem(
            f"semicolon-separated file ({_cell(first)}; a non-English export?): unsupported locale",
            "re-export as comma-separated CSV with ISO dates (for Google Trends: with the English UI)",
        )
    if "," not in first and "\t" in first:
        raise _Problem("tab-separated file: unsupported format", "save it as comma-separated CSV")
    if "," not in first and len(first.split()) > 1:
        kind = f"{ctx.path.suffix.lower()} file" if ctx.path.suffix else "file"
        raise _Problem(
            f"whitespace-separated {kind}: unsupported format",
            "convert it to CSV (comma-separated) with a date first column",
        )
    header = _cells(first)
    if len(header) > MAX_COLUMNS:
        raise _Problem(
            f"{len(header):,} columns (limit {MAX_COLUMNS:,})", "split the table into smaller files"
        )
    lc = [c.lower() for c in header]
    if len(header) >= 2:
        term_like = [": (" in c and c.endswith(")") for c in header[1:]]
        if lc[0] in TRENDS_FIRST and any(term_like):
            return _Plan("trends-export", header=header, head=head)
        if lc[0] in REGION_FIRST and any(term_like):
            raise _Problem(
                "wrong export type: Google Trends interest by region (geoMap.csv), not interest over time",
                "export 'Interest over time' (multiTimeline.csv)",
            )
        if any(term_like) and _date_shape(header[0]) is None:
            raise _Problem(
                f"a Google Trends export with first column {_cell(header[0])} (English exports say Day, Week "
                "or Month): unsupported locale",
                "re-export with the English UI",
            )
    if (
        lc[0] == "price"
        and len(head) >= 3
        and (_cells(head[1]) or [""])[0].lower() == "ticker"
        and (_cells(head[2]) or [""])[0].lower() in DATE_NAMES
    ):
        return _Plan("yfinance", header=header, head=head)
    if len(header) < 2:
        raise _Problem(
            f"one column only ({_cell(first, 40)}): not a time series",
            "a data file needs a date column and at least one value column",
        )
    dup = [c for c, k in Counter(lc).items() if k > 1]
    if dup:
        raise _Problem(
            f"duplicate column names {', '.join(_cell(c) for c in dup[:5])}", "give every column its own name"
        )
    if _date_shape(header[0]) is not None:
        raise _Problem(
            f"no header row: the first line ({_cell(first, 40)}) is data",
            "add a header line such as 'Date,Close' (or export the file again, unedited)",
        )
    if {"date", "series", "value"} <= set(lc):
        return _Plan("tidy-long", header=header, head=head)
    if len(head) < 2:
        raise _Problem("header only, no data rows", "export the data again")
    first_value = (_cells(head[1]) or [""])[0]
    if lc[0] not in DATE_NAMES and _date_shape(first_value) is None:
        raise _Problem(
            f"not a time series: first column {_cell(header[0])} is not a date (first value {_cell(first_value, 30)})",
            "a series file needs dates in its first column",
        )
    rest = lc[1:]
    if len(rest) == 1 and rest[0] in CLOSE_NAMES:
        return _Plan("price-close", header=header, head=head)
    if set(rest) & (CLOSE_NAMES | ADJ_CLOSE_NAMES) and set(rest) <= PRICE_COLUMNS:
        return _Plan("yahoo", header=header, head=head)
    if len(rest) == 1:
        if rest[0] == "value":
            return _Plan("fred-value", header=header, head=head)
        if rest[0] == "adjusted":
            if ctx.in_trends:
                return _Plan("trends-stitched", header=header, head=head)
            raise _Problem(
                "one 'Adjusted' column outside a trends folder: a stitched Trends series or an "
                "adjusted price? not guessed",
                "put stitched Google Trends files in a folder named 'trends', or name a price column 'Close'",
            )
        return _Plan("named", header=header, head=head)
    return _Plan("wide", header=header, head=head)


def _resolve_named(name: str, nums: _Numbers, ctx: _Ctx) -> str:
    """``<date>,<name>``: FRED id, one Google Trends term, or a one-column wide table."""
    trends = _trends_like(nums)
    if FRED_ID.fullmatch(name):
        return "trends-series" if (ctx.in_trends and trends) else "fred"
    return "trends-series" if trends else "wide"


# ---------------------------------------------------------------------------------------- readers


def _read_frame(text: str, ncols: int, *, skiprows: int = 0) -> pd.DataFrame:
    """All cells, the first column as text, numeric columns as numbers (pandas' C parser, exact).

    Rows with more cells than the header are an error, never cut to the header's width (pandas only
    warns, and ``2024-01-02,1,234.5`` would read as a close of 1). The first rows are checked here,
    without relying on that warning: warning filters are process-wide, and another thread restoring
    its own filters could silence it (seen once in the test suite). A wide row further down, after
    narrow ones, makes the C parser raise, which is handled below."""
    head = "\n".join(text.splitlines()[: max(skiprows, 1) + 5])
    early = _first_wide_row(head, ncols, skiprows)
    if early is not None:
        raise _Problem(
            f"line {early[0]} has {early[1]} cells but the header has {ncols} (an unquoted thousands "
            "separator, or a second decimal comma?)",
            "quote numbers that contain commas, or save the file without thousands separators",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                io.StringIO(text),
                header=None if skiprows else 0,
                skiprows=skiprows,
                names=list(range(ncols)),
                index_col=False,
                dtype={0: object},
                keep_default_na=False,
                na_values=["", "."],
                skipinitialspace=True,
                skip_blank_lines=True,
            )
    except pd.errors.EmptyDataError:
        raise _Problem("header only, no data rows", "export the data again") from None
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        wide = _first_wide_row(text, ncols, skiprows) if m is None else None
        what = (
            f"line {m.group(2)} has {m.group(3)} cells but the header has {m.group(1)}"
            if m
            else f"line {wide[0]} has {wide[1]} cells but the header has {ncols}"
            if wide
            else "the rows do not parse as CSV"
        )
        raise _Problem(
            what + " (an unquoted thousands separator, or a second table pasted below?)",
            "export the table again: one header line, one row per date",
        ) from None


def _first_wide_row(text: str, ncols: int, skiprows: int) -> tuple[int, int] | None:
    """(line number, cells) of the first row with more cells than the header, if any."""
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    try:
        for k, row in enumerate(reader):
            if k >= max(skiprows, 1) and len(row) > ncols:
                return reader.line_num, len(row)
    except csv.Error:
        return None
    return None


def _stem_term(stem: str) -> str:
    return stem.replace("_", " ").strip()


def _read_csv_plan(plan: _Plan, text: str, ctx: _Ctx) -> tuple[str, list[SeriesData]]:
    if plan.format == "trends-export":
        return "trends-export", _read_trends_export(text, ctx)
    if plan.format == "yfinance":
        return "yfinance", _read_yfinance(plan, text, ctx)
    header = plan.header
    df = _read_frame(text, len(header))
    if df.empty:
        raise _Problem("header only, no data rows", "export the data again")
    if plan.format == "tidy-long":
        df.columns = [c.lower() for c in header]
        return "tidy-long", _tidy(df, ctx, "tidy-long")
    dates = _parse_dates(df[0], ctx)
    stem = ctx.path.stem
    fmt = plan.format
    if fmt == "price-close":
        nums = _parse_numbers(df[1])
        return fmt, [_build(ctx, dates, nums, id=stem, kind="price", fmt=fmt, column=header[1])]
    if fmt == "yahoo":
        return fmt, [_yahoo(df, header, dates, ctx, stem)]
    if fmt == "fred-value":
        nums = _parse_numbers(df[1])
        return fmt, [_build(ctx, dates, nums, id=stem, kind="macro", fmt=fmt, column=header[1])]
    if fmt == "trends-stitched":
        nums = _parse_numbers(df[1])
        term = _stem_term(stem)
        notes = [f"id from the file name {_cell(stem)}"] if term != stem else []
        return fmt, [
            _build(ctx, dates, nums, id=term, kind="search", fmt=fmt, units=STITCHED_UNITS, notes=notes)
        ]
    if fmt == "named":
        name = header[1]
        nums = _parse_numbers(df[1], below_one=True)
        fmt = _resolve_named(name, nums, ctx)
        if fmt == "fred":
            nums = _parse_numbers(df[1])
            return fmt, [_build(ctx, dates, nums, id=name, kind="macro", fmt=fmt, column=name)]
        if fmt == "trends-series":
            flags = {"below_one": nums.below_one, "partial": np.zeros(len(df), dtype=bool)}
            notes = _trends_notes(name, nums)
            s = _build(
                ctx,
                dates,
                nums,
                id=name,
                kind="search",
                fmt=fmt,
                units=TRENDS_UNITS,
                notes=notes,
                flags=flags,
                partial_by_date=True,
            )
            return fmt, [s]
    return "wide", _wide(df, header, dates, ctx)


def _trends_notes(term: str, nums: _Numbers) -> list[str]:
    notes = []
    ok = ~nums.missing & ~nums.bad
    if ok.any() and bool(np.all(nums.values[ok] == 0)):
        notes.append(f"warning: every value of {_cell(term)} is 0 (very low search volume); kept as data")
    if nums.below_one.any():
        notes.append(f"{int(nums.below_one.sum())} '<1' cells stored as 0.5 (flag below_one)")
    return notes


def _yahoo(df: pd.DataFrame, header: list[str], dates: _Dates, ctx: _Ctx, id: str) -> SeriesData:
    pos = {c.lower(): i for i, c in enumerate(header)}
    adj = next((pos[k] for k in sorted(ADJ_CLOSE_NAMES) if k in pos), None)
    col = adj if adj is not None else pos.get("close", pos.get("price"))
    assert col is not None  # detection guarantees a close column
    notes = (
        ["price is Adj Close: adjusted for splits and dividends"]
        if adj is not None
        else ["no Adj Close column: price is Close (yfinance adjusts Close by default since 0.2.51)"]
    )
    quarantine = _ohlc_broken(df, pos)
    nums = _parse_numbers(df[col])
    return _build(
        ctx,
        dates,
        nums,
        id=id,
        kind="price",
        fmt="yahoo",
        notes=notes,
        quarantine=quarantine,
        column=header[col],
        description=FORMATS["yahoo"] + (": Adj Close" if adj is not None else ": Close"),
    )


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


def _read_yfinance(plan: _Plan, text: str, ctx: _Ctx) -> list[SeriesData]:
    fields = [c.lower() for c in plan.header]
    tickers = _cells(plan.head[1])
    if len(tickers) != len(fields):
        raise _Problem("the Price and Ticker header lines have different lengths", "export the data again")
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.strip())
    if any(not lines[i].strip() for i in range(start, start + 3)):
        raise _Problem("blank lines inside the three-line yfinance header", "export the data again")
    df = _read_frame(text, len(fields), skiprows=start + 3)
    if df.empty:
        raise _Problem("header only, no data rows", "export the data again")
    dates = _parse_dates(df[0], ctx)
    by_ticker: dict[str, dict[str, int]] = {}
    for i in range(1, len(fields)):
        if not tickers[i]:
            raise _Problem(f"column {i + 1} has no ticker in the Ticker line", "export the data again")
        by_ticker.setdefault(tickers[i], {})[fields[i]] = i
    out = []
    multi = len(by_ticker) > 1
    for ticker, pos in by_ticker.items():
        if "adj close" not in pos and "close" not in pos:
            raise _Problem(f"no Close column for {_cell(ticker)}", "download with Close prices")
        col = pos.get("adj close", pos.get("close"))
        assert col is not None
        notes = (
            ["price is Adj Close: adjusted for splits and dividends"]
            if "adj close" in pos
            else [
                "yfinance download without Adj Close: Close is adjusted when auto_adjust=True (the default)"
            ]
        )
        out.append(
            _build(
                ctx,
                dates,
                _parse_numbers(df[col]),
                id=ticker,
                kind="price",
                fmt="yfinance",
                notes=notes,
                label=f"{ticker}: " if multi else "",
                quarantine=_ohlc_broken(df, pos),
                column=f"{plan.header[col]} {ticker}",
            )
        )
    return out


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


def _tidy(df: pd.DataFrame, ctx: _Ctx, fmt: str) -> list[SeriesData]:
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


def _read_parquet(ctx: _Ctx) -> list[SeriesData]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError(
            f"{ctx.path}: reading Parquet files needs pyarrow", hint="pip install 'hypecheck[parquet]'"
        ) from None
    try:
        table = pq.read_table(ctx.path)
    except Exception as exc:  # pyarrow raises several types for truncated or corrupt files
        raise _Problem(
            f"not a readable Parquet file ({type(exc).__name__})",
            "export it again; a Parquet file without its footer was cut short",
        ) from None
    df = table.to_pandas()
    df.columns = [str(c).strip().lower() for c in df.columns]
    if not {"date", "series", "value"} <= set(df.columns):
        raise _Problem(
            f"Parquet columns {list(df.columns)[:8]}: a tidy long table is expected",
            "store the columns date, series, value[, kind]",
        )
    return _tidy(df, ctx, "parquet")


# ----------------------------------------------------------------------------- Google Trends export


_RELATED = re.compile(r"^(TOP|RISING)\s*,?\s*$", re.M)
_PERCENT = re.compile(r"(^|,)\"?\+[\d,]+%\"?(,|$)", re.M)


def _read_trends_export(text: str, ctx: _Ctx) -> list[SeriesData]:
    if _RELATED.search(text) or re.search(r"(^|,)Breakout(,|$)", text, re.M) or _PERCENT.search(text):
        raise _Problem(
            "wrong export type: a related queries/topics table (TOP, RISING, Breakout, +N%), "
            "not interest over time",
            "export 'Interest over time' (multiTimeline.csv) instead",
        )
    lines = [ln.rstrip("\r") for ln in text.split("\n")]
    start = 0
    first = next(i for i, ln in enumerate(lines) if ln.strip())
    if lines[first].strip().lower().startswith("category:"):
        start = first + 1
    h = next((i for i in range(start, len(lines)) if lines[i].strip()), None)
    header = _cells(lines[h]) if h is not None else []
    if h is None or len(header) < 2 or header[0].lower() not in TRENDS_FIRST:
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
    unit = header[0].lower()
    if unit == "time":
        raise _Problem(
            "hourly Google Trends export (Time column): daily or coarser data is expected",
            "export a range of a month or more to get daily data",
        )
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
    width = len(header)
    for k, r in enumerate(rows):
        if len(r) != width:
            raise _Problem(
                f"row {k + 1} has {len(r)} cells but the header has {width}",
                "export the file again, unedited",
            )
    partial_col = next((i for i, c in enumerate(header) if c.lower() == "ispartial"), None)
    term_cols = [i for i in range(1, width) if i != partial_col]
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
    frame = pd.DataFrame(rows, dtype="string")
    dates = _parse_dates(frame[0], ctx, what=f"{header[0]} column")
    _check_spacing(dates, unit)
    if partial_col is not None:
        pv = frame[partial_col].str.strip().str.lower()
        if not pv.isin(["true", "false"]).all():
            raise _Problem("isPartial column with values other than True/False", "export the file again")
        partial = (pv == "true").to_numpy(dtype=bool)
    else:
        partial = np.zeros(len(rows), dtype=bool)
    out = []
    multi = len(terms) > 1
    for i, col, term, region in terms:
        raw = frame[i].str.strip()
        below = (raw == "<1").to_numpy(dtype=bool)
        ints = raw.str.fullmatch(r"\d{1,3}").fillna(False).to_numpy(dtype=bool)
        vals = np.array(
            pd.to_numeric(raw.where(ints, None), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        )
        off = ~below & (~ints | (vals > 100))
        if off.any():
            cell = str(raw[off].iloc[0])
            example = _cell(cell) if cell else "an empty cell"
            raise _Problem(
                f"{_cell(term)} has a value outside Google Trends' 0-100 integer scale: {example} "
                f"(row {int(np.argmax(off)) + 1})",
                "Trends values are integers 0..100 or '<1'; the file was edited or is not a Trends export",
            )
        vals[below] = 0.5
        nums = _Numbers(vals, np.zeros(len(vals), dtype=bool), np.zeros(len(vals), dtype=bool), below)
        notes = [f"region: {region}"] if region else []
        notes += _trends_notes(term, nums)
        if partial.any():
            notes.append(f"{int(partial.sum())} period(s) marked isPartial: flagged partial")
        out.append(
            _build(
                ctx,
                dates,
                nums,
                id=term,
                kind="search",
                fmt="trends-export",
                units=TRENDS_UNITS,
                description=f"Google Trends export, {unit}ly interest over time ({col})",
                notes=notes,
                label=f"{term}: " if multi else "",
                flags={"below_one": below, "partial": partial.copy()},
                partial_by_date=True,
            )
        )
    return out


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


# ------------------------------------------------------------------------------------ one file


def _origin(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def _check_suffix(path: Path) -> str:
    """``parquet`` or ``text``; raises _Problem for files that are not data this source reads."""
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in EXCEL_SUFFIXES:
        from .shiller import is_shiller_workbook

        if is_shiller_workbook(path):  # raises MissingDependencyError when no Excel reader is installed
            return "shiller"
        raise _Problem(
            f"Excel workbook ({suffix}) not supported (only Shiller's ie_data.xls is read)",
            "export the sheet as CSV",
        )
    if suffix in ARCHIVE_SUFFIXES:
        raise _Problem(f"compressed archive ({suffix})", "decompress it first")
    raise _Problem(
        f"not a data file ({suffix or 'no suffix'})",
        "hypecheck reads .csv (also .txt/.tsv/.dat) and .parquet",
    )


def _load(
    path: Path, origin: str, max_bytes: int, today: pd.Timestamp | None, in_trends: bool | None = None
) -> tuple[list[SeriesData], LoadEntry]:
    ctx = _make_ctx(path, origin, today, in_trends)
    kind = _check_suffix(path)
    if kind == "shiller":
        from .shiller import read_shiller

        shiller = read_shiller(path)
        shiller = [
            SeriesData(dataclasses.replace(x.meta, origin=origin), x.values, x.flags, x.pulls)
            for x in shiller
        ]
        return shiller, LoadEntry(
            origin=origin,
            status="loaded",
            reason="Shiller monthly data (sheet Data)",
            format="shiller-xls",
            series=tuple(x.meta.id for x in shiller),
            rows=sum(len(x.values) for x in shiller),
        )
    if kind == "parquet":
        size = path.stat().st_size
        if size > max_bytes:
            raise _Problem(
                f"file too large ({_mb(size)}; the limit is {_mb(max_bytes)})",
                "raise the limit with FilesSource(path, max_bytes=...)",
            )
        fmt, series = "parquet", _read_parquet(ctx)
    else:
        text = _read_text(path, max_bytes)
        last = text.rsplit("\n", 1)[-1].strip()
        if last:
            ctx.cut_short = (
                "warning: the file does not end with a line break, so it may have been cut short: "
                f"check its last line {_cell(last)}"
            )
        fmt, series = _read_csv_plan(_sniff(text, ctx), text, ctx)
        if ctx.cut_short:
            ctx.tally.notes.append(ctx.cut_short)
    entry = LoadEntry(
        origin=origin,
        status="loaded",
        reason=ctx.tally.summary(),
        format=fmt,
        series=tuple(s.meta.id for s in series),
        rows=sum(len(s.values) for s in series),
        rejected_rows=ctx.tally.n_rejected,
    )
    return series, entry


def load_file(
    path: str | Path,
    *,
    root: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    today: pd.Timestamp | str | None = None,
) -> tuple[list[SeriesData], LoadEntry]:
    """Read one file: its series (all of them, or FormatError) and its LoadEntry.

    ``root`` makes the origin relative (as when loading a folder); ``today`` (default: the real
    date) is the cut-off for future-dated rows."""
    path = Path(path)
    if not path.is_file():
        if path.exists():
            raise InputError(
                f"{path}: not a regular file (a folder, device, pipe or socket)",
                hint="pass the path of a CSV or Parquet file",
            )
        raise InputError(f"{path}: no such file", hint="check the path")
    origin = _origin(path, Path(root) if root is not None else None)
    try:
        return _load(path, origin, max_bytes, pd.Timestamp(today) if today is not None else None)
    except _Problem as p:
        raise FormatError(f"{path}: {p.what}", hint=p.hint or None) from None


def read_file(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, today: pd.Timestamp | str | None = None
) -> list[SeriesData]:
    """Read one file into standardised series; FormatError naming the file and what to do."""
    return load_file(path, max_bytes=max_bytes, today=today)[0]


def detect_format(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The format name :func:`read_file` uses for ``path`` (see :data:`FORMATS`).

    Raises FormatError for files of no supported format. Values are validated only as far as the
    decision needs (``date,<NAME>`` files look at their values: FRED id or Trends term)."""
    path = Path(path)
    ctx = _make_ctx(path, str(path), None)
    try:
        if _check_suffix(path) == "parquet":
            return "parquet"
        text = _read_text(path, max_bytes)
        plan = _sniff(text, ctx)
        if plan.format != "named":
            return plan.format
        df = _read_frame(text, len(plan.header))
        return _resolve_named(plan.header[1], _parse_numbers(df[1], below_one=True), ctx)
    except _Problem as p:
        raise FormatError(f"{path}: {p.what}", hint=p.hint or None) from None


# ------------------------------------------------------------------------------------ the source


def _walk(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files under ``folder`` (recursively, sorted by relative path) and the folders not entered, each
    with the reason (hidden; a symbolic link that loops back or leads to a folder searched anyway).

    Symbolic links to folders are followed (a data folder assembled from links is common), each real
    folder searched once: a link to a folder already on the way down (a loop), or inside ``folder``
    (searched there), or reached twice through links is not entered again, and said so."""
    files: list[Path] = []
    passed: list[tuple[Path, str]] = []
    root = os.path.realpath(folder)
    seen: set[str] = {root}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        here = Path(dirpath)
        dirnames.sort()  # top-down in sorted order: of two links to one folder, the first is followed
        for d in list(dirnames):
            full = here / d
            if d.startswith("."):
                passed.append((full, "hidden folder: not searched"))
                dirnames.remove(d)
                continue
            real = os.path.realpath(full)
            link = full.is_symlink()
            why = ""
            if real in seen:
                why = "a folder already searched (a loop, or a second way to it)"
            elif link and (real == root or real.startswith(root.rstrip(os.sep) + os.sep)):
                why = "a folder inside the data folder (read there, once)"
            if why:
                what = "symbolic link to " if link else "the same folder as "
                passed.append((full, f"{what}{why}: not searched again"))
                dirnames.remove(d)
            else:
                seen.add(real)
        files.extend(here / f for f in filenames)
    files.sort(key=lambda p: p.relative_to(folder).parts)
    passed.sort()
    return files, passed


@register_source("files")
class FilesSource:
    """Series from files the user already has; the format of each file is detected.

    ``path``: a file, a folder (walked recursively, in sorted order) or a list of files and folders.
    ``max_bytes``: files above this size are refused before being read (default 512 MB).
    ``today``: rows dated after it are rejected (default: the real date; tests pin it)."""

    name = "files"

    def __init__(
        self,
        path: str | Path | Sequence[str | Path],
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        today: pd.Timestamp | str | None = None,
    ) -> None:
        self.paths = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
        if not self.paths:
            raise InputError("no path given to the files source", hint="pass a file or a folder")
        self.max_bytes = max_bytes
        self.today = pd.Timestamp(today) if today is not None else None

    def load(self, catalog: Catalog | None = None, **options: Any) -> Catalog:
        """Add every series found to ``catalog`` (a new one by default) and a LoadEntry per file.

        Explicitly named files that fail raise (FormatError, MissingDependencyError) before
        anything is added; files found in folders are skipped with the reason instead."""
        unknown = set(options) - {"max_bytes", "today"}
        if unknown:
            raise InputError(f"unknown option(s) for the files source: {sorted(unknown)}")
        max_bytes = int(options.get("max_bytes", self.max_bytes))
        today_opt = options.get("today", self.today)
        today = pd.Timestamp(today_opt) if today_opt is not None else None
        catalog = catalog if catalog is not None else Catalog()
        results: list[tuple[list[SeriesData], LoadEntry]] = []
        for p in self.paths:
            if p.is_file():
                results.append(load_file(p, max_bytes=max_bytes, today=today))
            elif p.is_dir():
                results.extend(self._load_folder(p, max_bytes, today))
            elif p.exists():
                raise InputError(
                    f"{p}: not a regular file or folder (a device, pipe or socket)",
                    hint="pass --data a folder or a CSV/Parquet file",
                )
            else:
                raise InputError(f"{p}: no such file or folder", hint="check the path given with --data")
        n_series = 0
        for series, entry in results:
            merged = []
            for s in series:
                if any(o.meta.frequency == s.meta.frequency for o in catalog.all(s.meta.kind, s.meta.id)):
                    merged.append(s.meta.id)
                catalog.add(s)
                n_series += 1
            if merged:
                note = f"merged with series already loaded: {', '.join(merged)}"
                entry.reason = f"{entry.reason}; {note}" if entry.reason else note
            catalog.report.add(entry)
        if n_series == 0:
            skipped = [e for _, e in results if e.status == "skipped"]
            shown = "; ".join(f"{e.origin}: {e.reason}" for e in skipped[:5])
            raise NoDataError(
                f"no series found in {', '.join(map(str, self.paths))} ({len(skipped)} files skipped)"
                + (f": {shown}" if shown else ""),
                hint="point --data at CSV/Parquet files: Date,Close prices, FRED downloads, Google "
                "Trends exports or tidy date,series,value tables",
            )
        return catalog

    def _load_folder(
        self, folder: Path, max_bytes: int, today: pd.Timestamp | None
    ) -> list[tuple[list[SeriesData], LoadEntry]]:
        files, passed = _walk(folder)
        root_trends = _in_trends(folder.resolve().parts)
        out: list[tuple[list[SeriesData], LoadEntry]] = []
        for d, why in passed:
            rel = d.relative_to(folder).as_posix() + "/"
            out.append(([], LoadEntry(origin=rel, status="skipped", reason=why)))
        for f in files:
            rel = f.relative_to(folder).as_posix()
            if f.name.startswith("."):
                out.append(([], LoadEntry(origin=rel, status="skipped", reason="hidden file")))
                continue
            if not f.is_file():  # never open a pipe (it would block), a socket or a device
                why = (
                    "broken symbolic link"
                    if f.is_symlink() and not f.exists()
                    else "not a regular file (a pipe, socket or device): not read"
                )
                out.append(([], LoadEntry(origin=rel, status="skipped", reason=why)))
                continue
            try:
                in_trends = root_trends or _in_trends(f.relative_to(folder).parts[:-1])
                out.append(_load(f, rel, max_bytes, today, in_trends))
            except _Problem as p:
                out.append(([], LoadEntry(origin=rel, status="skipped", reason=p.reason)))
            except MissingDependencyError as exc:
                out.append(([], LoadEntry(origin=rel, status="skipped", reason=f"{exc.message}: {exc.hint}")))
            except OSError as exc:
                out.append(
                    ([], LoadEntry(origin=rel, status="skipped", reason=f"cannot read: {exc.strerror}"))
                )
            except Exception as exc:  # a bug must not abort the folder: the file is skipped, and said so
                reason = (
                    f"could not be read ({type(exc).__name__}: {str(exc)[:200]}); please report this file"
                )
                out.append(([], LoadEntry(origin=rel, status="skipped", reason=reason)))
        return out
