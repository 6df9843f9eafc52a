"""The ``files`` source: a folder or files the user already has, formats detected, not configured.

Detection rules, in order, per file:

1. ``.parquet`` -> tidy long table (``date, series, value`` [, ``kind``]); needs pyarrow.
2. Text is checked first: gzip/binary bytes, non-UTF-8 text and HTML pages are rejected.
3. A Google Trends export (``multiTimeline.csv``): a ``Category:`` line and/or a header whose first
   cell is ``Day``/``Week``/``Month``/``Time`` and whose columns read ``<term>: (<region>)``. The term
   is everything before the *last* ``: (``. ``<1`` cells become 0.5 with the ``below_one`` flag; an
   ``isPartial`` column becomes the ``partial`` flag; values must be integers 0..100.
4. Other CSVs by header (case-insensitive):
   ``Date,Close`` -> price, id = file stem; Yahoo (``Adj Close`` or ``Open/High/Low/Close``) -> price
   from ``Adj Close`` (else ``Close``); ``<date>,<ID>`` with ``<ID>`` matching FRED's
   ``^[A-Z0-9_]{1,40}$`` -> macro ``<ID>``; ``<date>,value`` -> macro, id = file stem;
   ``Date,Adjusted`` inside a folder whose path contains ``trends`` -> search, id = file stem with
   ``_`` read as a space (``stock_market.csv`` -> ``stock market``);
   inside such a folder an upper-case header (``date,ETF``) is a search term, not a FRED id, when its
   values all lie in 0..100;
   ``<date>,<name>`` where ``<name>`` is not a FRED id and every value lies in 0..100 -> search
   ``<name>`` (a one-term Trends series); ``date,series,value`` -> tidy long; a date column followed by
   several numeric columns -> macro ``<stem>:<column>`` each. ``<date>`` is ``date``, ``Date``,
   ``DATE`` or ``observation_date``.
5. Anything else is skipped with the reason (a folder never aborts on one bad file; a file either
   contributes all its series or none).

Validation at the boundary, every repair counted in the file's :class:`LoadEntry`: dates parsed with
one explicit format per column (ISO ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYYMM``, or ``M/D/YYYY`` /
``D/M/YYYY`` only when the column itself settles which: otherwise the file is rejected as ambiguous);
FRED's ``.`` and blank cells are missing values (counted, not rows in error); non-numeric cells,
unparsable dates, future dates and non-positive prices are rejected rows; rows are sorted; duplicate
dates with equal values are merged, with different values the last is kept and the count reported;
an all-missing value column is an error.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import FormatError, MissingDependencyError
from ..schema import Catalog, Kind, LoadEntry, SeriesData, SeriesMeta, infer_frequency
from .base import register_source

FRED_ID = re.compile(r"^[A-Z0-9_]{1,40}$")
DATE_COLS = {"date", "observation_date"}
TRENDS_FIRST = {"day", "week", "month", "time"}
FOREIGN_TRENDS = ("kategorie:", "catégorie:", "categoría:", "categoria:", "カテゴリ")
DATA_SUFFIXES = {".csv", ".txt", ".tsv", ".parquet", ".xls", ".xlsx", ".dat", ".gz"}
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


class _Counts:
    def __init__(self) -> None:
        self.rejected = 0
        self.reasons: list[str] = []

    def add(self, n: int, why: str) -> None:
        if n:
            self.rejected += n
            self.reasons.append(f"{n} {why}")


# ----------------------------------------------------------------------------------------- dates


def parse_dates(raw: pd.Series, where: str) -> pd.Series:
    """Parse a text column of dates with one explicit format chosen from the column itself.

    Returns datetimes (NaT where a cell does not parse). Raises FormatError when no format fits most
    cells, or when day/month order cannot be settled (``01/02/2024`` alone is ambiguous)."""
    s = raw.astype(object).map(lambda x: x.strip() if isinstance(x, str) else None)
    sample = s.dropna()
    sample = sample.loc[sample != ""]
    if sample.empty:
        raise FormatError(f"{where}: no data rows (the date column is empty)")
    first = str(sample.iloc[0])
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", first):
        fmt = "%Y-%m-%d"
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?", first):
        fmt = "ISO8601"
    elif re.fullmatch(r"\d{4}-\d{2}", first):
        fmt = "%Y-%m"
    elif re.fullmatch(r"\d{6}", first):
        fmt = "%Y%m"
    elif re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", first):
        parts = sample.astype(str).str.extract(r"^(\d{1,2})/(\d{1,2})/\d{4}$").dropna().astype(int)
        a_big, b_big = bool((parts[0] > 12).any()), bool((parts[1] > 12).any())
        if b_big and not a_big:
            fmt = "%m/%d/%Y"
        elif a_big and not b_big:
            fmt = "%d/%m/%Y"
        else:
            raise FormatError(
                f"{where}: ambiguous day/month dates such as {first!r}",
                hint="re-export the file with ISO dates (YYYY-MM-DD)",
            )
    elif re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", first):
        raise FormatError(
            f"{where}: dates like {first!r} (day.month.year) look like a non-English export",
            hint="re-export with ISO dates (YYYY-MM-DD), or with the English UI for Google Trends",
        )
    else:
        raise FormatError(
            f"{where}: first column value {first!r} is not a date", hint="the first column must hold dates"
        )
    out = pd.to_datetime(s, format=fmt, errors="coerce")
    if out.notna().sum() < 0.5 * len(sample):
        raise FormatError(f"{where}: most dates do not parse as {fmt}")
    return out.dt.tz_localize(None).dt.normalize() if getattr(out.dt, "tz", None) else out.dt.normalize()


MISSING_TOKENS = {"", ".", "NaN", "nan", "null", "NA", "#N/A"}


def parse_numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(values, missing mask, bad mask): ``.``/blank are missing; anything else non-numeric is bad.

    Fast path: a vectorised numeric conversion; only cells that fail it are stripped and inspected."""
    obj = raw.astype(object)
    vals = pd.to_numeric(obj, errors="coerce").astype("float64")
    failed = vals.isna().to_numpy()
    missing = np.zeros(len(obj), dtype=bool)
    bad = np.zeros(len(obj), dtype=bool)
    if failed.any():
        rest = obj[failed]
        stripped = rest.map(lambda x: x.strip() if isinstance(x, str) else x)
        is_missing = stripped.map(
            lambda x: (
                x is None
                or (isinstance(x, float) and x != x)
                or x is pd.NA
                or (isinstance(x, str) and x in MISSING_TOKENS)
            )
        ).to_numpy(dtype=bool)
        retry = pd.to_numeric(stripped.where(~is_missing), errors="coerce").astype("float64")
        idx = np.flatnonzero(failed)
        arr = vals.to_numpy(copy=True)
        arr[idx] = retry.to_numpy()
        vals = pd.Series(arr, index=vals.index)
        missing[idx] = is_missing
        bad[idx] = ~is_missing & np.isnan(retry.to_numpy())
    return vals, pd.Series(missing, index=raw.index), pd.Series(bad, index=raw.index)


# ------------------------------------------------------------------------------------- building


def _finish(
    dates: pd.Series,
    values: pd.Series,
    *,
    id: str,
    kind: Kind,
    origin: str,
    description: str,
    units: str,
    counts: _Counts,
    notes: list[str],
    where: str,
    flags: pd.DataFrame | None = None,
    today: pd.Timestamp | None = None,
) -> SeriesData:
    """Validate one series (counted repairs) and build the SeriesData."""
    df = pd.DataFrame({"date": dates.to_numpy(), "value": values.to_numpy()})
    if flags is not None:
        for c in flags.columns:
            df[c] = flags[c].to_numpy()
    n_in = len(df)
    bad_date = df["date"].isna()
    counts.add(int(bad_date.sum()), "rows with an unparsable date")
    df = df.loc[~bad_date]
    today = today or pd.Timestamp.today().normalize()
    future = df["date"] > today
    counts.add(int(future.sum()), f"rows dated after today ({today.date()})")
    df = df.loc[~future]
    blanks = int(df["value"].isna().sum())
    df = df.loc[df["value"].notna()]
    if df.empty:
        raise FormatError(
            f"{where}: no usable values in {n_in} rows for {id!r} (all missing or rejected)",
            hint="check the file has numbers in its value column",
        )
    if blanks:
        notes.append(f"{id}: {blanks} missing values ('.' or blank) skipped")
    if kind == "price":
        nonpos = df["value"] <= 0
        counts.add(int(nonpos.sum()), f"{id} rows with a zero or negative price (quarantined)")
        df = df.loc[~nonpos]
    if not df["date"].is_monotonic_increasing:
        notes.append(f"{id}: rows were out of date order and have been sorted")
        df = df.sort_values("date", kind="stable")
    dup = df["date"].duplicated(keep="last")
    if dup.any():
        same = df.groupby("date")["value"].transform(lambda x: x.nunique() == 1)
        n_conflict = int(df.loc[dup & ~same, "date"].nunique())
        notes.append(
            f"{id}: {int(dup.sum())} duplicate dates removed"
            + (
                f"; {n_conflict} had different values (kept the last)"
                if n_conflict
                else " (identical values)"
            )
        )
        df = df.loc[~dup]
    if df.empty:
        raise FormatError(f"{where}: every row of {id!r} was rejected", hint="; ".join(counts.reasons))
    idx = pd.DatetimeIndex(df["date"])
    meta = SeriesMeta(
        id=id,
        kind=kind,
        source="files",
        origin=origin,
        description=description,
        frequency=infer_frequency(idx),
        units=units,
        notes=tuple(notes),
    )
    fl = None
    if flags is not None:
        fl = pd.DataFrame({c: df[c].astype(bool).to_numpy() for c in flags.columns}, index=idx)
    return SeriesData(meta, pd.Series(df["value"].to_numpy("float64"), index=idx), fl)


# ----------------------------------------------------------------------------------- detection


def _read_text(path: Path, max_bytes: int) -> str:
    size = path.stat().st_size
    if size > max_bytes:
        raise FormatError(
            f"{path.name}: {size / 1e6:.0f} MB is above the {max_bytes / 1e6:.0f} MB limit",
            hint="split the file, or load it as Parquet",
        )
    if size == 0:
        raise FormatError(f"{path.name}: the file is empty")
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        raise FormatError(f"{path.name}: this is a gzip archive, not a CSV", hint="decompress it first")
    if b"\x00" in data[:4096]:
        raise FormatError(f"{path.name}: binary content, not a text CSV")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError(f"{path.name}: not UTF-8 text", hint="save the file as UTF-8 CSV") from None
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype", "<html", "<?xml", "<head", "<body")):
        raise FormatError(
            f"{path.name}: an HTML/XML page saved as a data file (a login, consent or error page?)",
            hint="download the data again; open the file to see what the site returned",
        )
    if not text.strip():
        raise FormatError(f"{path.name}: the file holds no data (only whitespace)")
    return text


def detect_format(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The format name :func:`read_file` would use (raises FormatError like it)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return "parquet"
    if suffix in (".xls", ".xlsx"):
        raise FormatError(f"{path.name}: Excel workbooks are not supported", hint="export the sheet as CSV")
    if suffix == ".dat":
        raise FormatError(
            f"{path.name}: whitespace-separated .dat files are not supported",
            hint="convert it to CSV with a date column first",
        )
    text = _read_text(path, max_bytes)
    return _detect_text(text, path)[0]


def _detect_text(text: str, path: Path) -> tuple[str, list[str]]:
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    low = first.strip().lower()
    if low.startswith(FOREIGN_TRENDS) or (";" in first and "," not in first):
        raise FormatError(
            f"{path.name}: a non-English or ';'-separated export ({first[:40]!r}): unsupported locale",
            hint="re-export Google Trends with the English UI (dates YYYY-MM-DD), comma-separated",
        )
    if low.startswith("category:") or _trends_header_index(lines) is not None:
        return "trends-export", lines
    header = next(csv.reader([first]))
    cols = [c.strip() for c in header]
    lc = [c.lower() for c in cols]
    if len(cols) < 2:
        raise FormatError(
            f"{path.name}: one column only ({first[:40]!r}): not a time series",
            hint="a data file needs a date column and at least one value column",
        )
    if {"date", "series", "value"} <= set(lc):
        return "tidy-long", lines
    if lc[0] not in DATE_COLS:
        raise FormatError(
            f"{path.name}: not a time series: first column {cols[0]!r} is not a date column",
            hint="name the first column 'Date' (or 'date', 'observation_date')",
        )
    if lc[1:] == ["close"]:
        return "price-close", lines
    if "adj close" in lc or {"open", "high", "low", "close"} <= set(lc):
        return "yahoo", lines
    if len(cols) == 2:
        name = cols[1]
        if name.lower() == "value":
            return "fred-value", lines
        in_trends = any("trend" in part.lower() for part in path.parts)
        if FRED_ID.match(name) and not in_trends:
            return "fred", lines
        if name.lower() == "adjusted" and in_trends:
            return "trends-series", lines
        return "named-series", lines
    return "wide", lines


def _trends_header_index(lines: list[str]) -> int | None:
    for i, ln in enumerate(lines[:6]):
        cells = next(csv.reader([ln])) if ln.strip() else []
        if len(cells) >= 2 and cells[0].strip().lower() in TRENDS_FIRST and ": (" in cells[1]:
            return i
    return None


def read_file(
    path: str | Path,
    *,
    root: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    today: pd.Timestamp | None = None,
) -> tuple[list[SeriesData], LoadEntry]:
    """Read one file into standardised series (all or nothing) and its LoadEntry; FormatError if bad."""
    path = Path(path)
    origin = str(path.relative_to(root)) if root is not None and path.is_relative_to(root) else str(path)
    fmt = detect_format(path, max_bytes=max_bytes) if path.suffix.lower() != ".parquet" else "parquet"
    counts = _Counts()
    if fmt == "parquet":
        out = _read_parquet(path, origin, counts, today)
    else:
        text = _read_text(path, max_bytes)
        lines = text.splitlines()
        if fmt == "trends-export":
            out = _read_trends_export(lines, path, origin, counts, today)
        else:
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
            out = _read_table(fmt, df, path, origin, counts, today)
    entry = LoadEntry(
        origin=origin,
        status="loaded",
        format=fmt,
        series=tuple(s.meta.id for s in out),
        rows=sum(len(s.values) for s in out),
        rejected_rows=counts.rejected,
        reason="; ".join(counts.reasons),
    )
    return out, entry


def _read_table(
    fmt: str, df: pd.DataFrame, path: Path, origin: str, counts: _Counts, today: pd.Timestamp | None
) -> list[SeriesData]:
    where = path.name
    cols = {c.strip().lower(): c for c in df.columns}
    if fmt == "tidy-long":
        return _tidy(df.rename(columns={v: k for k, v in cols.items()}), where, origin, counts, today)
    dates = parse_dates(df[df.columns[0]], where)
    stem = path.stem

    def one(col: str, id: str, kind: Kind, desc: str, units: str = "") -> SeriesData:
        vals, _missing, bad = parse_numbers(df[col])
        counts.add(int(bad.sum()), f"{id} rows with a non-numeric value")
        return _finish(
            dates,
            vals,
            id=id,
            kind=kind,
            origin=origin,
            description=desc,
            units=units,
            counts=counts,
            notes=[],
            where=where,
            today=today,
        )

    if fmt == "price-close":
        return [one(cols["close"], stem, "price", "daily close (Date,Close file)")]
    if fmt == "yahoo":
        col = cols.get("adj close") or cols["close"]
        desc = (
            "Yahoo export: adjusted close"
            if "adj close" in cols
            else "Yahoo export: close (no Adj Close column)"
        )
        s = one(col, stem, "price", desc)
        if "high" in cols and "low" in cols:
            hi, _, _ = parse_numbers(df[cols["high"]])
            lo, _, _ = parse_numbers(df[cols["low"]])
            cl, _, _ = parse_numbers(df[cols["close"]])
            broken = int(((hi < lo) | (cl > hi) | (cl < lo)).sum())
            if broken:
                s.meta = SeriesMeta(
                    **{
                        **s.meta.__dict__,
                        "notes": (
                            *s.meta.notes,
                            f"{broken} rows with high < low or close outside [low, high]",
                        ),
                    }
                )
        return [s]
    name = df.columns[1].strip()
    if fmt == "fred":
        return [one(df.columns[1], name, "macro", "FRED download")]
    if fmt == "fred-value":
        return [one(df.columns[1], stem, "macro", "FRED series (date,value)")]
    if fmt == "trends-series":
        return [
            one(
                df.columns[1],
                stem.replace("_", " "),
                "search",
                "Google Trends series (stitched, rescaled)",
                "relative 0-100 (sampled)",
            )
        ]
    if fmt == "named-series":
        vals, _, bad = parse_numbers(df[df.columns[1]])
        v = vals.dropna()
        if not bad.any() and len(v) and v.between(0, 100).all():
            return [
                one(
                    df.columns[1],
                    name,
                    "search",
                    "Google Trends series (one term per request)",
                    "relative 0-100 (sampled, per request)",
                )
            ]
        return [one(df.columns[1], name, "macro", f"series {name!r} (date,value file)")]
    # wide: date + several numeric columns -> macro <stem>:<col>
    out = []
    for c in df.columns[1:]:
        vals, _, bad = parse_numbers(df[c])
        if bad.sum() > 0.5 * len(df):
            raise FormatError(
                f"{where}: column {c!r} is not numeric", hint="keep only date and number columns"
            )
        out.append(one(c, f"{stem}:{c.strip()}", "macro", f"column {c.strip()!r} of {path.name}"))
    return out


def _tidy(
    df: pd.DataFrame, where: str, origin: str, counts: _Counts, today: pd.Timestamp | None
) -> list[SeriesData]:
    for c in ("date", "series", "value"):
        if c not in df.columns:
            raise FormatError(f"{where}: tidy table without a {c!r} column")
    dates = (
        parse_dates(df["date"].astype("string"), where)
        if df["date"].dtype == "string" or df["date"].dtype == object
        else pd.to_datetime(df["date"]).dt.normalize()
    )
    vals, _, bad = (
        parse_numbers(df["value"].astype("string"))
        if df["value"].dtype != "float64"
        else (df["value"], df["value"].isna(), pd.Series(False, index=df.index))
    )
    counts.add(int(bad.sum()), "rows with a non-numeric value")
    kinds = df["kind"].astype("string").str.strip().str.lower() if "kind" in df.columns else None
    out = []
    for name, idx in df.groupby(df["series"].astype("string").str.strip()).groups.items():
        kind = "price"
        if kinds is not None:
            k = set(kinds.loc[idx].dropna())
            if len(k) != 1 or next(iter(k)) not in ("price", "macro", "search"):
                raise FormatError(
                    f"{where}: series {name!r} has kind {sorted(k)}; use one of price, macro, search"
                )
            kind = next(iter(k))
        out.append(
            _finish(
                dates.loc[idx],
                vals.loc[idx],
                id=str(name),
                kind=kind,  # type: ignore[arg-type]
                origin=origin,
                description="tidy long table",
                units="",
                counts=counts,
                notes=[],
                where=where,
                today=today,
            )
        )
    if not out:
        raise FormatError(f"{where}: the tidy table has no rows")
    return out


def _read_parquet(path: Path, origin: str, counts: _Counts, today: pd.Timestamp | None) -> list[SeriesData]:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            "reading Parquet needs pyarrow", hint="pip install 'hypecheck[parquet]'"
        ) from None
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a truncated/corrupt file
        raise FormatError(
            f"{path.name}: not a readable Parquet file ({type(exc).__name__})",
            hint="re-export it; a file without its footer was cut short",
        ) from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    return _tidy(df, path.name, origin, counts, today)


def _read_trends_export(
    lines: list[str], path: Path, origin: str, counts: _Counts, today: pd.Timestamp | None
) -> list[SeriesData]:
    where = path.name
    joined = "\n".join(lines)
    if (
        re.search(r"^(TOP|RISING)\s*$", joined, re.M)
        or "Breakout" in joined
        or re.search(r"\+[\d,]+%", joined)
    ):
        raise FormatError(
            f"{where}: a related-queries/topics export, not interest over time",
            hint="export 'Interest over time' (multiTimeline.csv) instead",
        )
    h = _trends_header_index(lines)
    if h is None:
        raise FormatError(
            f"{where}: Google Trends export without its header line (e.g. 'Week,term: (Worldwide)')",
            hint="export the file again from Google Trends without editing it",
        )
    rows = list(csv.reader([ln for ln in lines[h:] if ln.strip()]))
    header, body = rows[0], rows[1:]
    if not body:
        raise FormatError(f"{where}: the Trends export has a header but no rows")
    unit = header[0].strip().lower()
    if unit == "time":
        raise FormatError(
            f"{where}: hourly Trends exports are not supported (daylight-saving gaps and repeats)",
            hint="export a range of 9 months or more to get daily or weekly data",
        )
    width = len(header)
    if any(len(r) != width for r in body):
        raise FormatError(f"{where}: rows with a different number of cells than the header (a second table?)")
    partial_col = next((i for i, c in enumerate(header) if c.strip().lower() == "ispartial"), None)
    term_cols = [i for i in range(1, width) if i != partial_col]
    if len(term_cols) > 5:
        raise FormatError(f"{where}: {len(term_cols)} terms in one export; Google Trends allows at most 5")
    dates = parse_dates(pd.Series([r[0] for r in body], dtype="string"), where)
    d = dates.dropna()
    if len(d) >= 3:
        gaps = set(d.diff().dropna().dt.days.astype(int))
        expected = {"day": {1}, "week": {7}, "month": {28, 29, 30, 31}}[unit]
        if not gaps <= expected:
            raise FormatError(
                f"{where}: mixed granularity: a {unit}ly export with gaps of {sorted(gaps)} days",
                hint="export one time range; do not paste exports together",
            )
    partial = (
        pd.Series([r[partial_col].strip().lower() == "true" for r in body])
        if partial_col is not None
        else pd.Series([False] * len(body))
    )
    out = []
    for i in term_cols:
        col = header[i].strip()
        term = col.rsplit(": (", 1)[0].strip() if ": (" in col else col
        raw = pd.Series([r[i].strip() for r in body], dtype="string")
        below = raw == "<1"
        vals, _missing, bad = parse_numbers(raw.where(~below, "0.5"))
        if bad.any():
            raise FormatError(f"{where}: {term!r} has non-numeric cells such as {raw[bad].iloc[0]!r}")
        v = vals.dropna()
        off = v[((v < 0) | (v > 100)) | ((v != v.round()) & ~below.loc[v.index])]
        if len(off):
            raise FormatError(
                f"{where}: {term!r} has values outside Google's 0-100 integer scale, e.g. {off.iloc[0]:g}",
                hint="Trends values are integers 0..100 per request; the file was edited or is not a Trends export",
            )
        notes = []
        if (v == 0).all():
            notes.append(f"{term}: every value is 0 (very low search volume), kept as data")
        if below.any():
            notes.append(f"{term}: {int(below.sum())} '<1' cells stored as 0.5")
        if partial.iloc[-1]:
            notes.append(f"{term}: last period is partial (isPartial)")
        flags = pd.DataFrame({"below_one": below.to_numpy(), "partial": partial.to_numpy()})
        out.append(
            _finish(
                dates,
                vals,
                id=term,
                kind="search",
                origin=origin,
                description=f"Google Trends export ({col})",
                units="relative 0-100 (sampled, per request)",
                counts=counts,
                notes=notes,
                where=where,
                flags=flags,
                today=today,
            )
        )
    return out


# ---------------------------------------------------------------------------------------- source


@register_source("files")
class FilesSource:
    """Load every data file under ``path`` (a folder, walked recursively in sorted order, or files)."""

    name = "files"

    def __init__(self, path: str | Path | Sequence[str | Path], max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.paths = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
        self.max_bytes = max_bytes

    def load(self, catalog: Catalog | None = None, **options: Any) -> Catalog:
        catalog = catalog if catalog is not None else Catalog()
        for p in self.paths:
            if p.is_file():
                series, entry = read_file(p, max_bytes=self.max_bytes)  # an explicit bad file raises
                catalog.extend(series)
                catalog.report.add(entry)
                continue
            if not p.is_dir():
                raise FormatError(f"{p}: no such file or folder", hint="check the path given to --data")
            for f in sorted(x for x in p.rglob("*") if x.is_file()):
                rel = str(f.relative_to(p))
                if any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue
                if f.suffix.lower() not in DATA_SUFFIXES:
                    catalog.report.add(
                        LoadEntry(
                            origin=rel,
                            status="skipped",
                            reason=f"not a data file ({f.suffix or 'no suffix'})",
                        )
                    )
                    continue
                try:
                    series, entry = read_file(f, root=p, max_bytes=self.max_bytes)
                except (FormatError, MissingDependencyError) as exc:
                    catalog.report.add(
                        LoadEntry(
                            origin=rel,
                            status="skipped",
                            reason=_strip_name(exc.message, f.name) + (f" ({exc.hint})" if exc.hint else ""),
                        )
                    )
                    continue
                catalog.extend(series)
                catalog.report.add(entry)
        return catalog


def _strip_name(msg: str, name: str) -> str:
    return msg[len(name) + 2 :] if msg.startswith(name + ": ") else msg


_ = np  # numpy is used through pandas' dtypes
