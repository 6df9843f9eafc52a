"""Member universes: every stock of an index against its benchmark, for ``hypecheck scan`` at market scale.

A member universe is a TOML file with a ``[members]`` table::

    name = "my-index-members"
    version = "1"
    description = "S&P 500 members against SPY"

    [members]
    benchmark = "SPY"              # each member is scanned as the pair [member, benchmark]
    prices = "members.parquet"     # relative to this file; see below
    # tickers = ["AAPL", "MSFT"]   # optional: only these members

    [market]                       # optional, as in etf.toml (context features)
    benchmark = "SPY"

``prices`` is either one *long* file (Parquet or CSV) with columns ``date, ticker, close`` (one row
per member and day; any letter case), or a folder of ``<TICKER>.csv`` files with ``Date,Close``
columns (the layout of the ETF folder). Both are read as ``--data`` reads files (one date format per
file, ambiguous day-first dates refused, ``YYYYMMDD`` integers as dates, closes <= 0 quarantined,
conflicting duplicate dates warned about); every member skipped and every row rejected or repaired is
listed in the load report of the catalog returned, and so in the scan's ``skipped``. The benchmark's closes come from the scan's catalog (``--data``)
when it has them, else from the members' prices. ``--universe`` may also name such a long file or
folder directly; the benchmark is then ``SPY``.

Every member pair's features and births are computed at once with the others
(:mod:`hypecheck.scan.panel`: blocks of pairs as arrays, local or Dask, disk-cached), the same values
the lab's per-pair engine gives the ETF universe.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._toml import read_bounded
from ..errors import InputError
from ..lab import features as F
from ..lab.history import Universe
from ..schema import Catalog, LoadEntry, SeriesData, SeriesMeta

LONG_SUFFIXES = (".parquet", ".pq", ".csv")


def is_member_file(path: str | Path) -> bool:
    p = Path(path)
    if p.is_dir() or (p.is_file() and p.suffix.lower() in LONG_SUFFIXES):
        return True
    if p.is_file() and p.suffix.lower() == ".toml":
        try:
            return "members" in read_universe_toml(p)
        except InputError:
            return False
    return False


def read_universe_toml(path: Path) -> dict[str, Any]:
    """A universe TOML file, parsed within the bounds of every TOML a user hands us (size, nesting):
    an InputError naming the file otherwise, never a RecursionError."""
    return read_bounded(
        path,
        f"universe file {path}",
        InputError,
        hint="fix the TOML: a universe file is laid out like src/hypecheck/lab/etf.toml",
    )


HINT_LONG = "give a Parquet or CSV file with columns date, ticker, close"


def read_long(path: Path) -> tuple[dict[str, pd.Series], list[str]]:
    """A long ``date, ticker, close`` file (Parquet or CSV) as one close series per ticker, and what
    reading it rejected or repaired (one line per member, and the file's own).

    Read as ``--data`` reads a file (:mod:`hypecheck.data.formats`): one date format for the whole
    file, chosen from its first value (ISO, ``YYYYMMDD`` also as integers; day-first slashed dates
    are ambiguous and refused); each member's closes validated as a price column (blank cells
    dropped and counted, closes <= 0 quarantined, duplicate dates de-duplicated with a warning when
    their closes differ). A member with no usable close is skipped and said so; the others load."""
    from ..data.formats.base import _make_ctx, _Problem
    from ..data.formats.tidy_long import _datetime_column
    from ..data.formats.values import _parse_dates, _parse_numbers

    ctx = _make_ctx(path, path.name, None, in_trends=False)
    df = _read_frame(path, ctx)
    missing = [c for c in ("date", "ticker", "close") if c not in df.columns]
    if missing:
        raise InputError(
            f"the member prices {path} have no column {', '.join(missing)} "
            f"(columns: {', '.join(map(str, list(df.columns)[:12]))})",
            hint="give one row per member and day with columns date, ticker, close",
        )
    try:
        col = df["date"]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            dates = _datetime_column(col, ctx)
        else:
            dates = _parse_dates(_as_text(col), ctx)
    except _Problem as p:
        raise InputError(f"the member prices {path}: {p.what}", hint=p.hint or HINT_LONG) from None
    nums = _parse_numbers(df["close"])
    codes, uniques = _tickers(df["ticker"], dates.rejected, ctx)
    del df
    problems: list[str] = []
    if ctx.tally.summary():
        problems.append(f"{path.name}: {ctx.tally.summary()}")
    out = _members(ctx, dates, nums, codes, uniques, problems)
    return out, problems


def _read_frame(path: Path, ctx: Any) -> pd.DataFrame:
    """The file's rows with lower-case column names (a Parquet file's tickers as a categorical)."""
    from ..data.formats import checks
    from ..data.formats.base import DEFAULT_MAX_BYTES, PARQUET_SUFFIXES, _Problem
    from ..data.formats.text import Probe

    try:
        if path.suffix.lower() in PARQUET_SUFFIXES:
            return _read_parquet(path)
        probe = Probe(path, ctx, DEFAULT_MAX_BYTES)
        for check in (checks.SUFFIX, checks.FIRST_LINE, checks.SEPARATORS, checks.TABLE):
            check.run(probe)
        df = probe.frame.copy()
        df.columns = [c.strip() for c in probe.lc]
        return df
    except _Problem as p:
        raise InputError(
            f"cannot read the member prices {path}: {p.what}", hint=p.hint or HINT_LONG
        ) from None
    except InputError:
        raise
    except Exception as exc:  # duckdb's own errors for a damaged Parquet file
        raise InputError(
            f"cannot read the member prices {path}: {type(exc).__name__}: {str(exc)[:200]}", hint=HINT_LONG
        ) from None


def _read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file's rows. With a text ``ticker`` column the rows stream in chunks into numpy
    arrays, the tickers as codes of a categorical (a text cell per row for millions of rows is the
    memory of the whole scan); the values are those a whole-file read gives, in the file's order."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        src = f"read_parquet('{_sql_text(str(path))}')"
        types = {
            str(r[0]).strip().lower(): (str(r[0]), str(r[1]))
            for r in con.sql(f"DESCRIBE SELECT * FROM {src}").fetchall()
        }
        if types.get("ticker", ("", ""))[1] != "VARCHAR" or not {"date", "close"} <= set(types):
            df = con.sql(f"SELECT * FROM {src}").df()
            df.columns = [str(c).strip().lower() for c in df.columns]
            return df
        q = {k: '"' + types[k][0].replace('"', '""') + '"' for k in ("date", "ticker", "close")}
        con.execute(
            f"CREATE TYPE members_ticker AS ENUM (SELECT DISTINCT {q['ticker']} FROM {src} WHERE {q['ticker']} IS NOT NULL)"
        )
        n = int(con.sql(f"SELECT count(*) FROM {src}").fetchall()[0][0])
        cur = con.execute(
            f"SELECT {q['date']} AS date, {q['ticker']}::members_ticker AS ticker, {q['close']} AS close FROM {src}"
        )
        return _stream(cur, n)
    finally:
        con.close()


def _sql_text(s: str) -> str:
    return s.replace("'", "''")


def _stream(cur: Any, n: int) -> pd.DataFrame:
    """The query's rows (date, ticker as a categorical, close), a chunk at a time into arrays."""
    parts: dict[str, np.ndarray] = {}
    cats: Any = None
    i = 0
    while True:
        ch = cur.fetch_df_chunk(64)
        if not len(ch):
            break
        k = len(ch)
        if not parts:
            parts = {
                "date": np.empty(n, dtype=ch["date"].to_numpy().dtype),
                "code": np.empty(n, dtype="int32"),
                "close": np.empty(n, dtype=ch["close"].to_numpy().dtype),
            }
            cats = ch["ticker"].cat.categories
        parts["date"][i : i + k] = ch["date"].to_numpy()
        parts["code"][i : i + k] = ch["ticker"].cat.codes.to_numpy()
        parts["close"][i : i + k] = ch["close"].to_numpy()
        i += k
    if not parts:
        return pd.DataFrame({"date": pd.Series([], dtype="datetime64[us]"), "ticker": [], "close": []})
    ticker = pd.Categorical.from_codes(parts["code"][:i], categories=cats)
    return pd.DataFrame({"date": parts["date"][:i], "ticker": ticker, "close": parts["close"][:i]})


def _tickers(col: pd.Series, date_rejected: np.ndarray, ctx: Any) -> tuple[np.ndarray, list[str]]:
    """Each row's member (a code; -1 for none) and the members' names in order of first appearance:
    the ticker as text, stripped, upper case. A row with a date but no ticker is rejected."""
    if not isinstance(col.dtype, pd.CategoricalDtype):
        names = _as_text(col).str.strip().str.upper()
        blank = names.isna().to_numpy(dtype=bool) | (names == "").to_numpy(dtype=bool, na_value=False)
        unnamed = blank & ~date_rejected
        ctx.tally.reject(int(unnamed.sum()), "no ticker")
        codes, uniques = pd.factorize(names.mask(unnamed), use_na_sentinel=True)
        return np.asarray(codes), [str(u) for u in uniques]
    # a categorical (a streamed Parquet file): the same, computed on its distinct tickers
    raw = np.asarray(col.cat.codes.to_numpy(), dtype="int64")
    norm = _as_text(pd.Series(col.cat.categories)).str.strip().str.upper()
    ncode, nuniq = pd.factorize(norm, use_na_sentinel=True)
    ncode = np.r_[np.asarray(ncode), -1]  # raw -1 (no ticker) reads the last entry
    empty = np.r_[(norm == "").to_numpy(dtype=bool, na_value=False), False]
    code = ncode[raw]
    unnamed = ((code < 0) | empty[raw]) & ~date_rejected
    ctx.tally.reject(int(unnamed.sum()), "no ticker")
    code[unnamed] = -1
    seen, first = np.unique(code, return_index=True)  # renumber by first appearance (as factorize does)
    first, seen = first[seen >= 0], seen[seen >= 0]
    by_row = seen[np.argsort(first, kind="stable")]
    relabel = np.full(len(nuniq) + 1, -1, dtype="int64")
    relabel[by_row] = np.arange(len(by_row))
    return relabel[code], [str(nuniq[k]) for k in by_row]


def _members(
    ctx: Any, dates: Any, nums: Any, codes: np.ndarray, uniques: list[str], problems: list[str]
) -> dict[str, pd.Series]:
    """Each member's closes, validated as ``--data`` validates a price column. A member whose rows are
    all clean (a date, a positive finite close, dates increasing) is taken as it is; the others go
    through the column validator (:func:`hypecheck.data.formats.values._build`), their repairs and
    rejections said under their name."""
    from dataclasses import replace

    from ..data.formats.base import MAX_NAME_CHARS, YIELD_INDICES, _Problem, _Tally
    from ..data.formats.values import _build, _Dates, _Numbers

    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    v = nums.values
    with np.errstate(invalid="ignore"):
        flag = dates.rejected | nums.bad | nums.missing | np.isinf(v) | ~(v > 0)
    d = dates.values[order]
    c = codes[order]
    step = np.r_[False, (c[1:] == c[:-1]) & ~(d[1:] > d[:-1])]  # not after the member's previous row
    flag_sorted = flag[order] | step
    dirty = np.zeros(len(uniques), dtype=bool)
    ok = c >= 0
    dirty[np.unique(c[ok & flag_sorted])] = True
    out: dict[str, pd.Series] = {}
    for i, name in enumerate(uniques):
        rows = order[bounds[i] : bounds[i + 1]]  # the member's rows in the file's order
        if not dirty[i] and name not in YIELD_INDICES and len(name) <= MAX_NAME_CHARS:
            out[name] = pd.Series(
                v[rows], index=pd.DatetimeIndex(dates.values[rows]), dtype="float64", name=name
            )
            continue
        own = replace(ctx, tally=_Tally())  # this member's rejections, said under its name
        try:
            sd = _build(
                own,
                _Dates(dates.values[rows], dates.rejected[rows], dates.fmt),
                _Numbers(v[rows], nums.missing[rows], nums.bad[rows], nums.below_one[rows], nums.example),
                id=name,
                kind="price",
                fmt="members-long",
                column=name,
            )
        except _Problem as p:
            problems.append(f"{name}: skipped: {p.what}")
            continue
        if own.tally.summary():
            problems.append(f"{name}: {own.tally.summary()}")
        out[name] = sd.values
    return out


def _as_text(col: pd.Series) -> pd.Series:
    """A column as text; integers (a ``YYYYMMDD`` date column, a numeric ticker) without ``.0``."""
    if col.dtype.kind in "iu":
        return col.astype("string")
    if col.dtype.kind == "f":
        present = col.dropna()
        if len(present) and bool((present == present.round()).all()):
            return col.astype("Int64").astype("string")
    return col.astype("string")


def read_folder(path: Path) -> tuple[dict[str, pd.Series], list[str]]:
    """A folder of ``<TICKER>.csv`` files, each read as ``--data`` reads a price file (its format
    detected, its dates and closes validated): the close series per ticker, and what reading them
    rejected or repaired (one line per file; a file that cannot be read is skipped and said so)."""
    from ..data.formats import read_one
    from ..data.formats.base import DEFAULT_MAX_BYTES, _Problem
    from ..errors import MissingDependencyError

    out: dict[str, pd.Series] = {}
    problems: list[str] = []
    files = sorted(path.glob("*.csv"))
    if not files:
        raise InputError(f"the member folder {path} holds no .csv files", hint="one <TICKER>.csv per member")
    for f in files:
        ticker = f.stem.strip().upper()
        try:
            series, entry = read_one(f, f.name, DEFAULT_MAX_BYTES, None, False)
        except _Problem as p:
            problems.append(f"{ticker}: skipped: {p.what}")
            continue
        except (MissingDependencyError, OSError) as exc:
            problems.append(f"{ticker}: skipped: {getattr(exc, 'message', None) or exc}")
            continue
        prices = [s for s in series if s.meta.kind == "price"]
        if len(series) != 1 or not prices:
            what = ", ".join(f"{s.meta.kind} {s.meta.id}" for s in series[:3])
            problems.append(
                f"{ticker}: skipped: not one Date,Close price column (read as {entry.format}: {what})"
            )
            continue
        if entry.reason:
            problems.append(f"{ticker}: {entry.reason}")
        out[ticker] = prices[0].values
    return out, problems


def read_prices(path: Path) -> tuple[dict[str, pd.Series], list[str]]:
    """The member closes at ``path`` (a folder of ``<TICKER>.csv`` or a long file) and what reading
    them rejected, repaired or skipped (see :func:`read_folder` and :func:`read_long`)."""
    if path.is_dir():
        return read_folder(path)
    if not path.is_file():
        raise InputError(f"member prices {str(path)!r} not found", hint="check the path in [members] prices")
    return read_long(path)


def load_member_universe(path: str | Path, catalog: Catalog) -> tuple[Universe, Catalog]:
    """The member universe at ``path`` and a catalog with its closes (plus the benchmark and any macro
    series of its ``[macro]`` table from ``catalog``)."""
    p = Path(path)
    raw: dict[str, Any]
    if p.suffix.lower() == ".toml":
        raw = read_universe_toml(p)
        mem = raw.get("members", {})
        if not isinstance(mem, dict) or not isinstance(mem.get("prices"), str):
            raise InputError(
                f"universe file {p}: [members] needs prices = <file or folder>",
                hint='write prices = "members.parquet" (date,ticker,close) or a folder of <TICKER>.csv',
            )
        prices_path = (p.parent / mem["prices"]).resolve()
    else:
        raw, mem, prices_path = {"name": p.stem}, {}, p
    bench = str(mem.get("benchmark", "SPY")).upper()
    series, problems = read_prices(prices_path)
    wanted = mem.get("tickers")
    if wanted is not None:
        if not isinstance(wanted, list) or not all(isinstance(t, str) for t in wanted):
            raise InputError(f"universe file {p}: [members] tickers must be a list of strings", hint="")
        keep = {t.upper() for t in wanted}
        series = {t: s for t, s in series.items() if t in keep or t == bench}
    cat = Catalog(getattr(catalog, "source", "") or "files")
    if catalog.has("price", bench):
        for sd in catalog.all("price", bench):
            cat.add(sd)
    elif bench in series:
        cat.add(_sd(bench, series[bench], prices_path))
    else:
        raise InputError(
            f"no closes for the benchmark {bench} in the data nor in {prices_path}",
            hint="pass --data with the benchmark's closes, or include it in the member prices",
        )
    macro = dict(raw.get("macro", {}))
    for sid in macro.values():
        for sd in catalog.all("macro", sid):
            cat.add(sd)
    members = sorted(t for t in series if t != bench)
    for t in members:
        cat.add(_sd(t, series[t], prices_path))
    for line in problems:  # every rejection and repair, for the scan's ``skipped``
        who, _, what = line.partition(": ")
        skipped = what.startswith("skipped: ")
        cat.report.add(
            LoadEntry(who, "skipped" if skipped else "loaded", what.removeprefix("skipped: "), "members")
        )
    market = dict(raw.get("market", {})) or {"benchmark": bench}
    u = Universe(
        name=str(raw.get("name", p.stem)),
        version=str(raw.get("version", "0")),
        description=str(raw.get("description", f"{len(members)} members against {bench}")),
        freq=F.DAILY,
        pairs=tuple((t, bench, "members") for t in members),
        twins=dict(raw.get("twins", {})),
        terms=dict(raw.get("terms", {})),
        market=market,
        macro=macro,
        origin=str(p),
    )
    return u, cat


def _sd(ticker: str, s: pd.Series, origin: Path) -> SeriesData:
    meta = SeriesMeta(
        id=ticker, kind="price", source="files", origin=str(origin), frequency="D", units="close"
    )
    return SeriesData(meta, s if s.index.is_monotonic_increasing else s.sort_index())
