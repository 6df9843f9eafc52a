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
columns (the layout of the ETF folder). The benchmark's closes come from the scan's catalog (``--data``)
when it has them, else from the members' prices. ``--universe`` may also name such a long file or
folder directly; the benchmark is then ``SPY``.

Every member pair runs through the lab's engine (:func:`~hypecheck.lab.history.build_history`:
partitions of pairs, local or Dask, disk-cached), exactly as the ETF universe does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._toml import read_bounded
from ..errors import InputError
from ..schema import Catalog, SeriesData, SeriesMeta
from . import features as F
from .history import Universe

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


def read_long(path: Path) -> dict[str, pd.Series]:
    """A long ``date, ticker, close`` file (Parquet or CSV) as one close series per ticker."""
    try:
        if path.suffix.lower() == ".csv":
            df = pd.read_csv(path)
        else:
            import duckdb

            df = duckdb.read_parquet(str(path)).df()
    except Exception as exc:
        raise InputError(
            f"cannot read the member prices {path}: {exc}",
            hint="give a Parquet or CSV file with columns date, ticker, close",
        ) from None
    cols = {c.lower().strip(): c for c in df.columns}
    missing = [c for c in ("date", "ticker", "close") if c not in cols]
    if missing:
        raise InputError(
            f"the member prices {path} have no column {', '.join(missing)} (columns: {', '.join(map(str, df.columns))})",
            hint="give one row per member and day with columns date, ticker, close",
        )
    df = pd.DataFrame(
        {
            "date": pd.to_datetime(df[cols["date"]], errors="coerce"),
            "ticker": df[cols["ticker"]].astype(str).str.strip().str.upper(),
            "close": pd.to_numeric(df[cols["close"]], errors="coerce"),
        }
    ).dropna()
    df = df[df["close"] > 0]
    if df.empty:
        raise InputError(f"the member prices {path} hold no positive closes", hint="check the file")
    df["date"] = df["date"].dt.tz_localize(None) if df["date"].dt.tz is not None else df["date"]
    df = df.sort_values(["ticker", "date"], kind="mergesort").drop_duplicates(["ticker", "date"], keep="last")
    return {
        str(t): pd.Series(g["close"].to_numpy(dtype="float64"), index=pd.DatetimeIndex(g["date"]))
        for t, g in df.groupby("ticker", sort=True)
    }


def read_folder(path: Path) -> dict[str, pd.Series]:
    """A folder of ``<TICKER>.csv`` files with ``Date,Close`` columns."""
    out: dict[str, pd.Series] = {}
    files = sorted(path.glob("*.csv"))
    if not files:
        raise InputError(f"the member folder {path} holds no .csv files", hint="one <TICKER>.csv per member")
    for f in files:
        try:
            df = pd.read_csv(f)
        except Exception as exc:
            raise InputError(f"cannot read {f}: {exc}", hint="a CSV with Date,Close columns") from None
        cols = {c.lower().strip(): c for c in df.columns}
        if "date" not in cols or "close" not in cols:
            raise InputError(f"{f} has no Date and Close columns", hint="a CSV with Date,Close columns")
        s = pd.Series(
            pd.to_numeric(df[cols["close"]], errors="coerce").to_numpy(dtype="float64"),
            index=pd.to_datetime(df[cols["date"]], errors="coerce"),
        )
        s = s[np.asarray(s.index.notna()) & np.asarray(s > 0)].dropna()
        s = s[~s.index.duplicated(keep="last")].sort_index()
        if len(s):
            out[f.stem.upper()] = s
    return out


def read_prices(path: Path) -> dict[str, pd.Series]:
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
    series = read_prices(prices_path)
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
    return SeriesData(meta, s.sort_index())
