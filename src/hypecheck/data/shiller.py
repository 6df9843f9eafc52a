"""Robert Shiller's ``ie_data.xls`` ("Irrational Exuberance" monthly data) in the standard schema.

Public API
----------
``is_shiller_workbook(path) -> bool``
    Cheap check (reads only the top rows): an ``.xls``/``.xlsx``/``.xlsm`` workbook with a sheet named
    ``Data`` whose header mentions "Shiller" or has the columns P, D, E and CAPE. False for other
    files and for workbooks that cannot be opened; raises
    :class:`~hypecheck.errors.MissingDependencyError` for an Excel file when python-calamine is not
    installed (a folder walk then skips the file *with* the install command, instead of silently).
``read_shiller(path) -> list[SeriesData]``
    The ``Data`` sheet as monthly ``macro`` series (frequency ``M``, dated at the first of the month):
    ``shiller:P``, ``shiller:D``, ``shiller:E``, ``shiller:CPI``, ``shiller:GS10``, ``shiller:real_P``,
    ``shiller:real_E``, ``shiller:CAPE``, ``shiller:TR_CAPE`` (whichever the sheet has; Date, P and E
    are required). FormatError for a corrupt or unrecognised workbook, MissingDependencyError
    (hint ``pip install python-calamine``) when the Excel reader is missing.
``parse_shiller_sheet(raw, origin) -> list[SeriesData]``
    The parsing core: ``raw`` is the sheet as read with ``header=None`` (one row per sheet row).
``decode_shiller_date(x) -> pd.Timestamp | None``
    Shiller's date float ``YYYY.MM`` -> the month start. ``1871.01`` is January, and because the
    cell is a number, October is ``1871.1`` (not ``1871.10``), November ``1871.11``, December
    ``1871.12``: the month is ``round((x - floor(x)) * 100)``.

Layout read
-----------
A few title rows, then a header spread over several rows (``S&P`` / ``Comp.`` / ``P``), then one row
per month from 1871-01. Columns are found by their header text (the non-empty header cells of each
column, joined; the last one is the column's short code: ``Date``, ``P``, ``D``, ``E``, ``CPI``,
``Rate GS10``, ``Real Price``, ``Real Earnings``, ``CAPE``, ``TR CAPE``), never by position, so a
reordered or extended sheet still parses. Blank cells are dropped per series, not per row: the
latest months have a price but no earnings or dividends yet. Rows whose Date cell is not a month
(the footnote row at the bottom, blank rows) are ignored; the text of footnote rows (e.g. "May
price is May 5th close", "CPI estimated") is kept in every series' ``SeriesMeta.notes``.

When each value is known (point-in-time use)
--------------------------------------------
The date of a row is the month the value *describes*, not the day it became public:

``P``       monthly average of daily closes of the S&P Composite: known at the end of the month.
            The latest month may be a single day's close instead (see the footnote note).
``GS10``    monthly average of the 10-year Treasury yield: known at the end of the month.
``CPI``     CPI-U, published around the middle of the following month, and the latest months are
            Shiller's estimates (footnote): known roughly half a month to a month after month end.
``E``, ``D`` trailing-twelve-month reported earnings / dividends, interpolated monthly from quarterly
            figures. Companies report a quarter weeks to months after it ends, so a month's E is
            known roughly **one quarter** later, and the most recent months are S&P *estimates*
            that get revised (the very latest months are blank). **Consumers must apply a reporting
            lag to E, D and real_E before using them at a date; this project applies 3 months**
            (see :data:`REPORTING_LAG_MONTHS`). Using E at its row date is look-ahead bias.
``CAPE``    real price of the month over the 10-year average of real earnings up to the previous
            month: the price part is known at month end, the earnings part carries E's lag (its
            weight is small, one month in 120, but the latest months lean on estimates).
``real_*``  deflated to the CPI of the sheet's *latest* month: the whole history is restated every
            time the sheet is updated, so real levels from two versions of the file differ (ratios
            such as CAPE do not).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import FormatError, MissingDependencyError
from ..schema import SeriesData, SeriesMeta

__all__ = [
    "INSTALL_HINT",
    "REPORTING_LAG_MONTHS",
    "SERIES_IDS",
    "SHEET",
    "decode_shiller_date",
    "is_shiller_workbook",
    "parse_shiller_sheet",
    "read_shiller",
]

SHEET = "Data"
INSTALL_HINT = "pip install python-calamine"
EXCEL_SUFFIXES = frozenset({".xls", ".xlsx", ".xlsm"})
MAX_HEADER_ROWS = 40  # the data must start within the first rows of the sheet
MIN_YEAR, MAX_YEAR = 1700, 2300
_PLAIN_NUMBER = re.compile(r"\s*[-+]?\d+(\.\d*)?\s*")

REPORTING_LAG_MONTHS: dict[str, int] = {"shiller:E": 3, "shiller:D": 3, "shiller:real_E": 3}
"""Months after its row date before a value is treated as known (see the module docstring)."""

_TIMING_E = (
    "known with a lag: trailing-twelve-month reported figures, interpolated from quarterly reports and "
    "public roughly one quarter after the month; the latest months are S&P estimates (revised). "
    "Apply a reporting lag of 3 months before using a value at a date"
)
_TIMING_REAL = (
    "deflated to the CPI of the sheet's latest month: the whole history is restated at every update "
    "of the sheet"
)


@dataclass(frozen=True)
class _Column:
    key: str  # series id suffix
    match: Callable[[str, str], bool]  # (code, label), both normalised -> is this the column?
    description: str
    units: str
    timing: tuple[str, ...] = ()


def _is_tr(label: str) -> bool:
    return "total return" in label or "tr" in label.split()


def _real_earnings(code: str, label: str) -> bool:
    return label.endswith("real earnings") and "scaled" not in label and not _is_tr(label)


_DATE = _Column("Date", lambda c, _lab: c == "date", "", "")

_COLUMNS: tuple[_Column, ...] = (
    _Column(
        "P",
        lambda c, _lab: c == "p",
        "S&P composite stock price index, monthly average of daily closes (Shiller)",
        "index points",
        ("known at month end (a monthly average of daily closes)",),
    ),
    _Column(
        "D",
        lambda c, _lab: c == "d",
        "S&P composite dividends, trailing 12 months, USD per index unit (Shiller)",
        "USD per index unit, annual rate",
        (_TIMING_E,),
    ),
    _Column(
        "E",
        lambda c, _lab: c == "e",
        "S&P composite earnings, trailing 12 months, USD per index unit (Shiller)",
        "USD per index unit, annual rate",
        (_TIMING_E,),
    ),
    _Column(
        "CPI",
        lambda c, lab: c == "cpi" or "consumer price index" in lab,
        "US consumer price index for all urban consumers, CPI-U (Shiller)",
        "index, 1982-84=100",
        ("published around mid-month for the previous month; the latest months are estimates",),
    ),
    _Column(
        "GS10",
        lambda c, lab: "gs10" in lab.split(),
        "long-term interest rate: 10-year US Treasury yield (GS10) from 1953, government bond yields "
        "before, monthly average (Shiller)",
        "percent per year",
        ("known at month end (a monthly average)",),
    ),
    _Column(
        "real_P",
        lambda c, lab: lab.endswith("real price") and not _is_tr(lab),
        "S&P composite price in dollars of the sheet's latest month (Shiller)",
        "index points, latest-month dollars",
        (_TIMING_REAL,),
    ),
    _Column(
        "real_E",
        _real_earnings,
        "S&P composite earnings, trailing 12 months, in dollars of the sheet's latest month (Shiller)",
        "USD per index unit, latest-month dollars",
        (_TIMING_E, _TIMING_REAL),
    ),
    _Column(
        "CAPE",
        lambda c, lab: c == "cape" or ("p/e10" in lab.split() and not _is_tr(lab)),
        "cyclically adjusted P/E (CAPE, P/E10): real price over the 10-year average of real earnings "
        "(Shiller)",
        "ratio",
        (
            "price part known at month end; the 10-year earnings average runs to the previous month "
            "and carries E's reporting lag (latest months lean on estimates)",
        ),
    ),
    _Column(
        "TR_CAPE",
        lambda c, lab: c == "tr cape" or ("p/e10" in lab.split() and _is_tr(lab)),
        "total-return CAPE: real total-return price over the 10-year average of real TR-scaled "
        "earnings (Shiller)",
        "ratio",
        (
            "price part known at month end; the 10-year earnings average carries E's reporting lag "
            "(latest months lean on estimates)",
        ),
    ),
)
_REQUIRED = ("Date", "P", "E")

SERIES_IDS: tuple[str, ...] = tuple(f"shiller:{c.key}" for c in _COLUMNS)
"""Every series id :func:`read_shiller` can produce, in order."""


# -- cells -------------------------------------------------------------------------------------------


def _number(v: Any) -> float | None:
    """A finite number from a cell (numbers, or text that is a plain number), else None."""
    if isinstance(v, bool) or v is None:
        return None
    numeric = isinstance(v, int | float | np.integer | np.floating)
    if not (numeric or (isinstance(v, str) and _PLAIN_NUMBER.fullmatch(v))):
        return None
    x = float(v)
    return x if math.isfinite(x) else None


def _text(v: Any) -> str:
    """A cell as header/footnote text ('' for blanks)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _norm(s: str) -> str:
    return " ".join(s.lower().split())


def decode_shiller_date(x: Any) -> pd.Timestamp | None:
    """``1871.01`` -> 1871-01-01, ``1871.1`` -> 1871-10-01, ``1871.12`` -> 1871-12-01; None otherwise.

    Fractional dates that are not a whole month (Shiller's ``Date Fraction`` column, 1871.041667),
    month 0 or above 12, and years outside 1700-2300 are not dates."""
    v = _number(x)
    if v is None:
        return None
    year = math.floor(v)
    hundredths = (v - year) * 100
    month = round(hundredths)
    if abs(hundredths - month) > 1e-4 or not 1 <= month <= 12 or not MIN_YEAR <= year <= MAX_YEAR:
        return None
    return pd.Timestamp(year=year, month=month, day=1)


# -- the parsing core ----------------------------------------------------------------------------------


def _first_data_row(raw: pd.DataFrame) -> int | None:
    """The first row with three or more numbers, one of them a Shiller month (else just the first row
    with three or more numbers, so that a sheet without its Date column reports the missing column)."""
    numeric: int | None = None
    for i in range(min(len(raw), MAX_HEADER_ROWS + 1)):
        cells = [c for c in raw.iloc[i].tolist() if _number(c) is not None]
        if len(cells) >= 3:
            if any(decode_shiller_date(c) is not None for c in cells):
                return i
            numeric = i if numeric is None else numeric
    return numeric


@dataclass(frozen=True)
class _Head:
    code: str  # the last non-empty header cell, normalised (lower case, single spaces)
    label: str  # all non-empty header cells joined, normalised
    shown: str  # the code as written in the sheet, for messages


def _header(raw: pd.DataFrame, first: int) -> list[_Head]:
    """One entry per column, from the header rows above ``first``."""
    out = []
    for j in range(raw.shape[1]):
        cells = [t for t in (_text(v) for v in raw.iloc[:first, j].tolist()) if t]
        shown = " ".join(cells[-1].split()) if cells else ""
        out.append(_Head(_norm(shown), _norm(" ".join(cells)), shown))
    return out


def _find(spec: _Column, header: Sequence[_Head]) -> int | None:
    for j, h in enumerate(header):
        if h.label and spec.match(h.code, h.label):
            return j
    return None


def _format_hint() -> str:
    return (
        "expected Shiller's ie_data.xls layout (sheet 'Data': header rows naming Date, P, D, E, CPI, ..., "
        "CAPE, then one row per month dated like 1871.01); download it again from "
        "shillerdata.com, or export the series you need as a CSV (date,value)"
    )


def _columns(raw: pd.DataFrame, origin: str) -> tuple[int, list[_Head], dict[str, int]]:
    """The first monthly row, the header above it, and where each known column is; FormatError when a
    required one (Date, P, E) is missing."""
    first = _first_data_row(raw)
    if first is None:
        raise FormatError(
            f"{origin}: no rows of numbers (a Date cell like 1871.01 beside values) in the first "
            f"{MAX_HEADER_ROWS + 1} rows of sheet {SHEET!r}",
            hint=_format_hint(),
        )
    header = _header(raw, first)
    where: dict[str, int] = {}
    for spec in (_DATE, *_COLUMNS):
        j = _find(spec, header)
        if j is not None and j not in where.values():
            where[spec.key] = j
    missing = [k for k in _REQUIRED if k not in where]
    if missing:
        raise FormatError(
            f"{origin}: sheet {SHEET!r} has no {', '.join(missing)} column"
            f"{'s' if len(missing) > 1 else ''} in its header (rows 1-{first})",
            hint=_format_hint(),
        )
    return first, list(header), where


def _undated(body: pd.DataFrame, dated: np.ndarray, header: Sequence[_Head]) -> list[str]:
    """Notes on the rows without a month: footnotes (text) kept, other undated rows counted."""
    footnotes: list[str] = []
    undated_numeric = 0
    for (_, row), ok in zip(body.iterrows(), dated, strict=True):
        if ok:
            continue
        texts = [(j, _text(v)) for j, v in enumerate(row.tolist()) if _number(v) is None and _text(v)]
        for j, t in texts:
            code = header[j].shown or f"column {j + 1}"
            footnotes.append(f"sheet footnote under {code}: {t}")
        if not texts and any(_number(v) is not None for v in row.tolist()):
            undated_numeric += 1
    if undated_numeric:
        footnotes.append(
            f"{undated_numeric} row(s) with numbers but no valid month in the Date column ignored"
        )
    return footnotes


def _months(origin: str, dates: list[pd.Timestamp | None], dated: np.ndarray) -> pd.DatetimeIndex:
    """The months of the dated rows; FormatError when there are none or one comes twice."""
    if not dated.any():
        raise FormatError(
            f"{origin}: the Date column of sheet {SHEET!r} holds no months written like 1871.01",
            hint=_format_hint(),
        )
    index = pd.DatetimeIndex([d for d in dates if d is not None])
    if index.has_duplicates:
        dup = sorted({f"{d:%Y-%m}" for d in index[index.duplicated()]})
        raise FormatError(
            f"{origin}: sheet {SHEET!r} has more than one row for {', '.join(dup[:5])}",
            hint="the sheet looks edited or damaged; download ie_data.xls again",
        )
    return index


def _column_series(
    spec: _Column, cells: np.ndarray, index: pd.DatetimeIndex, origin: str, common: list[str]
) -> SeriesData | None:
    """One column as a ``shiller:*`` series with its notes (None when empty and optional)."""
    nums = [_number(v) for v in cells]
    bad = sum(1 for v, n in zip(cells, nums, strict=True) if n is None and _text(v))
    values = pd.Series([np.nan if n is None else n for n in nums], index=index, dtype="float64")
    values = values.sort_index().dropna()
    if values.empty:
        if spec.key in _REQUIRED:
            raise FormatError(
                f"{origin}: column {spec.key} of sheet {SHEET!r} holds no numbers", hint=_format_hint()
            )
        return None
    notes = list(spec.timing)
    last_month = index.max()
    if values.index[-1] < last_month:
        blank = len(pd.period_range(values.index[-1], last_month, freq="M")) - 1
        notes.append(
            f"the latest {blank} month(s) of the sheet are blank (not yet published): last value "
            f"{values.index[-1]:%Y-%m}, sheet runs to {last_month:%Y-%m}"
        )
    gaps = len(pd.date_range(values.index[0], values.index[-1], freq="MS")) - len(values)
    if gaps:
        notes.append(f"{gaps} month(s) missing inside the series (blank cells, dropped)")
    if bad:
        notes.append(f"{bad} non-numeric cell(s) dropped")
    notes.extend(common)
    meta = SeriesMeta(
        id=f"shiller:{spec.key}",
        kind="macro",
        source="files",
        origin=origin,
        description=spec.description,
        frequency="M",
        units=spec.units,
        notes=tuple(notes),
    )
    return SeriesData(meta, values)


def parse_shiller_sheet(raw: pd.DataFrame, origin: str) -> list[SeriesData]:
    """The ``Data`` sheet (read with ``header=None``) -> the ``shiller:*`` series. FormatError when the
    header or the monthly rows cannot be found, or a required column (Date, P, E) is missing."""
    first, header, where = _columns(raw, origin)
    body = raw.iloc[first:]
    dates = [decode_shiller_date(v) for v in body.iloc[:, where["Date"]].tolist()]
    dated = np.array([d is not None for d in dates], dtype=bool)
    common = _undated(body, dated, header)
    index = _months(origin, dates, dated)
    out: list[SeriesData] = []
    for spec in _COLUMNS:
        if spec.key in where:
            cells = body.iloc[:, where[spec.key]].to_numpy()[dated]
            if (series := _column_series(spec, cells, index, origin, common)) is not None:
                out.append(series)
    return out


# -- files -----------------------------------------------------------------------------------------------


def _require_calamine(path: Path) -> None:
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            f"{path}: reading Excel workbooks (Shiller's ie_data.xls) needs python-calamine",
            hint=INSTALL_HINT,
        ) from None


def _data_sheet(path: Path) -> tuple[pd.ExcelFile, str | None]:
    """The open workbook and the name of its Data sheet (exact name first, then case-insensitive)."""
    book = pd.ExcelFile(path, engine="calamine")
    names = [str(n) for n in book.sheet_names]
    if SHEET in names:
        return book, SHEET
    for n in names:
        if n.strip().lower() == SHEET.lower():
            return book, n
    return book, None


def is_shiller_workbook(path: str | Path) -> bool:
    """True for an Excel workbook with a ``Data`` sheet whose header mentions Shiller or has the
    columns P, D, E and CAPE. Reads only the top rows. MissingDependencyError for an Excel file when
    python-calamine is missing; False for anything else that cannot be opened."""
    p = Path(path)
    if p.suffix.lower() not in EXCEL_SUFFIXES or not p.is_file():
        return False
    _require_calamine(p)
    try:
        book, sheet = _data_sheet(p)
        with book:
            if sheet is None:
                return False
            top = pd.read_excel(book, sheet_name=sheet, header=None, nrows=MAX_HEADER_ROWS + 1)
    except Exception:  # a predicate: any unreadable workbook is simply not a Shiller workbook
        return False
    texts = [_text(v) for v in top.to_numpy().ravel().tolist()]
    if any("shiller" in t.lower() for t in texts):
        return True
    first = _first_data_row(top)
    header = _header(top, first if first is not None else len(top))
    codes = {h.code for h in header}
    return {"p", "d", "e", "cape"} <= codes


def read_shiller(path: str | Path) -> list[SeriesData]:
    """Shiller's ``ie_data.xls`` -> the ``shiller:*`` monthly macro series (see the module docstring).

    FormatError (with what to do) for a missing, corrupt or unrecognised workbook;
    MissingDependencyError (hint ``pip install python-calamine``) without the Excel reader."""
    p = Path(path)
    origin = str(p)
    if not p.is_file():
        raise FormatError(f"{origin}: no such file", hint="check the path to ie_data.xls")
    if p.suffix.lower() not in EXCEL_SUFFIXES:
        raise FormatError(
            f"{origin}: not an Excel workbook ({p.suffix or 'no suffix'})",
            hint="pass Shiller's ie_data.xls as downloaded (.xls or .xlsx)",
        )
    _require_calamine(p)
    try:
        book, sheet = _data_sheet(p)
    except Exception as exc:  # calamine raises several types for corrupt or foreign files
        raise FormatError(
            f"{origin}: not a readable Excel workbook ({type(exc).__name__}: {str(exc)[:200]})",
            hint="download ie_data.xls again (a cut-short or renamed file cannot be read), or open "
            "and re-save it in Excel/LibreOffice",
        ) from None
    with book:
        if sheet is None:
            raise FormatError(
                f"{origin}: no sheet named {SHEET!r} (sheets: {', '.join(map(str, book.sheet_names))})",
                hint=_format_hint(),
            )
        try:
            raw = pd.read_excel(book, sheet_name=sheet, header=None)
        except Exception as exc:
            raise FormatError(
                f"{origin}: sheet {sheet!r} cannot be read ({type(exc).__name__}: {str(exc)[:200]})",
                hint="download ie_data.xls again, or open and re-save it in Excel/LibreOffice",
            ) from None
    return parse_shiller_sheet(raw, origin)
