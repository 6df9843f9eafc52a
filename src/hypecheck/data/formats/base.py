"""What every file format shares: the per-file context (where the file is, today's date, the tally of
rows rejected and repairs made), the reason a file cannot be read (:class:`Problem`), and limits.

Names starting with ``_`` are kept from the single-module reader this package was split from; the
format modules import them from here."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..parsers.trends import TRENDS_UNITS as TRENDS_UNITS  # one units string for every Trends reader

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
MAX_HEADER_CHARS = 1_000_000
MAX_COLUMNS = 10_000
MAX_TRENDS_TERMS = 5

FRED_ID = re.compile(r"^[A-Z0-9_]{1,40}$")
STITCHED_UNITS = "relative search interest, stitched and rescaled (not 0-100 per request)"
YIELD_INDICES = frozenset({"^IRX", "^FVX", "^TNX", "^TYX"})

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


@dataclass(frozen=True)
class Format:
    """One file format: ``detect(probe)`` says whether a file is in it (or raises :class:`_Problem`
    when the file is recognisably this format but broken), ``read(probe)`` returns every series of the
    file (or raises). ``name`` is what :func:`~hypecheck.data.folder.detect_format` returns and what a
    file's LoadEntry says; ``description`` is the default description of its series."""

    name: str
    description: str
    detect: Callable[[Any], bool]
    read: Callable[[Any], list[Any]]


@dataclass(frozen=True)
class Check:
    """A step of the detection list that only rejects: ``run(probe)`` raises :class:`_Problem` (with
    what is wrong and what to do) for files no later format may read, else returns None."""

    name: str
    run: Callable[[Any], None]
