"""File formats, one module each, tried in one ordered list: detect -> name -> read.

Adding a format is one new module in this package (``NAME``, ``DESCRIPTION``, ``detect(probe)``,
``read(probe)`` and ``FORMAT = Format(NAME, DESCRIPTION, detect, read)``) and one line in
:data:`PIPELINE` at the place its detection belongs. Each file is given to the entries of
:data:`PIPELINE` in order: a :class:`~.base.Format` whose ``detect`` says yes reads the file; a
:class:`~.base.Check` rejects files no later format may read (with what is wrong and what to do).
The :class:`~.text.Probe` each step looks at reads the file's text, header and rows at most once.

The order, and what each step takes
-----------------------------------
=====================  ====================================================================
``parquet``            ``.parquet``/``.pq``: a tidy long table (needs pyarrow)
``shiller-xls``        Shiller's ``ie_data.xls`` (any other workbook: rejected by the next step)
check ``suffix``       Excel, archives, ``.json``/``.md``/...: rejected; ``.csv``/``.txt``/``.tsv``/
                       ``.dat`` go on, after the byte checks of reading text (gzip/zip/Parquet/
                       OLE bytes, binary, non-UTF-8, HTML, empty or blank files are rejected)
check ``first line``   a first line of more than a million characters is not a header
``trends-export``      Google Trends ``multiTimeline.csv``: ``Category: ...`` first, or a header
                       ``Day|Week|Month|Time,<term>: (<Region>)``
check ``separators``   a translated Trends export (``Kategorie:``, ``Woche``), ``;``-, tab- or
                       whitespace-separated files, more than 10,000 columns, interest by region
``yfinance``           the three-line header ``Price,...`` / ``Ticker,SPY,...`` / ``Date,,,``
check ``table``        one column only, duplicate column names, no header row
``tidy-long``          ``date,series,value[,kind]`` (case-insensitive)
``earnings``           ``date,ticker,eps_estimate,eps_actual``: kind ``earnings``, ids
                       ``<TICKER>:eps_estimate`` and ``<TICKER>:eps_actual``
check ``time series``  header only; the first column must hold dates (``Mes`` with ``2004-01``
                       qualifies, ``series_id`` does not)
``alfred``             ``observation_date,<SERIES>_<YYYYMMDD>,...``: ALFRED's all vintages
``price-close``        ``Date,Close`` (or ``Date,Price``): price, id = file stem (``^TNX``)
``yahoo``              ``Close``/``Adj Close`` among OHLCV columns (``Adj Close`` if present)
``fred-value``         ``<date>,value``: macro, id = file stem
``trends-stitched``    ``<date>,Adjusted`` under a folder with ``trends`` in its path (search, id =
                       stem with ``_`` as a space); elsewhere ``Adjusted`` is ambiguous: rejected
``fred``               ``<date>,<SERIES_ID>`` (``^[A-Z0-9_]{1,40}$``): macro; under a ``trends``
                       folder, Trends-like values (integers 0..100, ``<1``) make it a search term
``trends-series``      ``<date>,<term>`` with Trends-like values: search, id = the column name
``wide``               anything else with a date column: macro ``<stem>:<column>`` per numeric
                       column (``cape.csv`` -> ``cape:cape``); a non-numeric column rejects it
=====================  ====================================================================


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
tidy tables take their ``kind`` column, ``price`` when absent (said in the series' notes); earnings
calendars -> ``earnings``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...schema import LoadEntry, SeriesData
from . import (
    alfred,
    checks,
    earnings,
    fred,
    fred_value,
    parquet,
    price_close,
    shiller_xls,
    tidy_long,
    trends_export,
    trends_series,
    trends_stitched,
    wide,
    yahoo,
    yfinance,
)
from .base import DEFAULT_MAX_BYTES, Check, Format, _cell, _make_ctx, _Problem
from .text import Probe

PIPELINE: tuple[Format | Check, ...] = (
    parquet.FORMAT,
    shiller_xls.FORMAT,
    checks.SUFFIX,
    checks.FIRST_LINE,
    trends_export.FORMAT,
    checks.SEPARATORS,
    yfinance.FORMAT,
    checks.TABLE,
    tidy_long.FORMAT,
    earnings.FORMAT,
    checks.SERIES,
    alfred.FORMAT,
    price_close.FORMAT,
    yahoo.FORMAT,
    fred_value.FORMAT,
    trends_stitched.FORMAT,
    fred.FORMAT,
    trends_series.FORMAT,
    wide.FORMAT,
)

FORMATS: dict[str, str] = {f.name: f.description for f in PIPELINE if isinstance(f, Format)}


def detect(probe: Probe) -> Format:
    """The first format of :data:`PIPELINE` that takes the file; _Problem when a check rejects it."""
    for step in PIPELINE:
        if isinstance(step, Check):
            step.run(probe)
        elif step.detect(probe):
            return step
    raise _Problem("no format matched", "please report this file")  # unreachable: ``wide`` takes all


def read_one(
    path: Path, origin: str, max_bytes: int, today: pd.Timestamp | None, in_trends: bool | None = None
) -> tuple[list[SeriesData], LoadEntry]:
    """One file: every series it holds and its LoadEntry; _Problem (what, what to do) when it cannot
    be read. ``in_trends``: whether a folder on its path has 'trends' in its name (None: computed)."""
    ctx = _make_ctx(path, origin, today, in_trends)
    probe = Probe(path, ctx, max_bytes)
    fmt = detect(probe)
    is_text = "text" in probe.__dict__  # the detectors read it as text (not Parquet, not a workbook)
    if is_text:
        last = probe.text.rsplit("\n", 1)[-1].strip()
        if last:
            ctx.cut_short = (
                "warning: the file does not end with a line break, so it may have been cut short: "
                f"check its last line {_cell(last)}"
            )
    series = fmt.read(probe)
    if ctx.cut_short:
        ctx.tally.notes.append(ctx.cut_short)
    entry = LoadEntry(
        origin=origin,
        status="loaded",
        reason=ctx.tally.summary(),
        format=fmt.name,
        series=tuple(s.meta.id for s in series),
        rows=sum(len(s.values) for s in series),
        rejected_rows=ctx.tally.n_rejected,
    )
    return series, entry


__all__ = ["DEFAULT_MAX_BYTES", "FORMATS", "PIPELINE", "Check", "Format", "Probe", "detect", "read_one"]
