"""Reading a text file safely (size, binary, encoding, HTML checks) and its CSV rows, and the
:class:`Probe` the format detectors look at (the file's text, head lines and header, read once)."""

from __future__ import annotations

import csv
import io
import re
import warnings
from functools import cached_property
from pathlib import Path

import pandas as pd

from ...schema import Kind, SeriesData
from .base import _Ctx, _Problem
from .values import _build, _Dates, _parse_dates, _parse_numbers

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


class Probe:
    """One file as the detectors and readers see it. Every part is read at most once, when first
    asked for: ``text`` (after the safety checks of :func:`_read_text`), ``head`` (the first non-blank
    lines), ``header`` (the first line's cells) and ``lc`` (lower-cased), ``frame`` (every row, the
    first column as text), ``dates`` (the first column parsed; its rejected rows are counted once)."""

    def __init__(self, path: Path, ctx: _Ctx, max_bytes: int) -> None:
        self.path = path
        self.ctx = ctx
        self.max_bytes = max_bytes
        self.suffix = path.suffix.lower()

    @cached_property
    def text(self) -> str:
        return _read_text(self.path, self.max_bytes)

    @cached_property
    def head(self) -> list[str]:
        return _head_lines(self.text)

    @property
    def first(self) -> str:
        return self.head[0]

    @cached_property
    def header(self) -> list[str]:
        return _cells(self.first)

    @cached_property
    def lc(self) -> list[str]:
        return [c.lower() for c in self.header]

    @cached_property
    def frame(self) -> pd.DataFrame:
        df = _read_frame(self.text, len(self.header))
        if df.empty:
            raise _Problem("header only, no data rows", "export the data again")
        return df

    @cached_property
    def dates(self) -> _Dates:
        return _parse_dates(self.frame[0], self.ctx)

    @property
    def stem(self) -> str:
        return self.path.stem


def one_column(probe: Probe, *, id: str, kind: Kind, fmt: str, description: str) -> list[SeriesData]:
    """The one series of a ``<date>,<value>`` file: its second column as ``id`` of ``kind``."""
    return [
        _build(
            probe.ctx,
            probe.dates,
            _parse_numbers(probe.frame[1]),
            id=id,
            kind=kind,
            fmt=fmt,
            description=description,
            column=probe.header[1],
        )
    ]
