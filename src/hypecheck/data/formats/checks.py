"""The rejection steps of the detection list (see :mod:`hypecheck.data.formats`): each raises
:class:`~hypecheck.data.formats.base._Problem` with what is wrong and what to do, for files no format
after it in the list may read. They sit between the formats in the order the rules need."""

from __future__ import annotations

import re
from collections import Counter

from .base import (
    ARCHIVE_SUFFIXES,
    DATE_NAMES,
    EXCEL_SUFFIXES,
    MAX_COLUMNS,
    MAX_HEADER_CHARS,
    PARQUET_SUFFIXES,
    REGION_FIRST,
    TEXT_SUFFIXES,
    Check,
    _cell,
    _Problem,
)
from .text import Probe, _cells
from .values import _date_shape


def _suffix(probe: Probe) -> None:
    """After Parquet and Shiller's workbook: only text files go on (``.csv``, ``.txt``, ...)."""
    suffix = probe.suffix
    if suffix in TEXT_SUFFIXES or suffix in PARQUET_SUFFIXES:
        return
    if suffix in EXCEL_SUFFIXES:
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


def _first_line(probe: Probe) -> None:
    first = probe.first
    if len(first) > MAX_HEADER_CHARS:
        raise _Problem(
            f"the first line is {len(first):,} characters long (limit {MAX_HEADER_CHARS:,})",
            "this is not a CSV header; check the file",
        )


def _separators(probe: Probe) -> None:
    """Translated Trends exports, ``;``/tab/whitespace-separated files, too many columns, Trends
    exports of the wrong type or locale."""
    first = probe.first
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
        kind = f"{probe.suffix} file" if probe.suffix else "file"
        raise _Problem(
            f"whitespace-separated {kind}: unsupported format",
            "convert it to CSV (comma-separated) with a date first column",
        )
    header, lc = probe.header, probe.lc
    if len(header) > MAX_COLUMNS:
        raise _Problem(
            f"{len(header):,} columns (limit {MAX_COLUMNS:,})", "split the table into smaller files"
        )
    if len(header) >= 2:
        term_like = [": (" in c and c.endswith(")") for c in header[1:]]
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


def _table(probe: Probe) -> None:
    """A table: two columns or more, each named once, a header line that is not data."""
    header, lc, first = probe.header, probe.lc, probe.first
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


def _series(probe: Probe) -> None:
    """A time series: data rows under the header, dates in the first column."""
    head, header, lc = probe.head, probe.header, probe.lc
    if len(head) < 2:
        raise _Problem("header only, no data rows", "export the data again")
    first_value = (_cells(head[1]) or [""])[0]
    if lc[0] not in DATE_NAMES and _date_shape(first_value) is None:
        raise _Problem(
            f"not a time series: first column {_cell(header[0])} is not a date (first value {_cell(first_value, 30)})",
            "a series file needs dates in its first column",
        )


SUFFIX = Check("suffix", _suffix)
FIRST_LINE = Check("first line", _first_line)
SEPARATORS = Check("separators", _separators)
TABLE = Check("table", _table)
SERIES = Check("time series", _series)
