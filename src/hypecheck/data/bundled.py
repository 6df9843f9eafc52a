"""The ``bundled`` source: real market data shipped inside well-kept PyPI packages, loaded offline.

This is **sample data**: real, public, but old (it ends between 2009 and 2022) and only as long as
the packages that ship it. It lets hypecheck run end to end on a machine with no network. Every
series says which package and file it comes from; that provenance travels into reports.

Datasets (ids in brackets):

* ``linearmodels`` - Ken French data library, monthly 1949-01 .. 2017-03 (returns turned into
  total-return level indices starting at 100): the market ``ff:Mkt`` (Mkt-RF + RF), factors
  ``ff:SMB`` ``ff:HML`` ``ff:Mom`` (long-short, compounded), 12 value-weighted industries
  ``ff:ind:<NoDur|Durbl|Manuf|Enrgy|Chems|BusEq|Telcm|Utils|Shops|Hlth|Money|Other>``, the
  3x3 corners of the 5x5 size x book-to-market sort ``ff:S{1,3,5}V{1,3,5}`` (S1 smallest, V5
  highest book-to-market = value) and size x momentum ``ff:S{1,3,5}M{1,3,5}``; the risk-free rate
  as a macro series ``ff:RF`` (annualised percent).
* ``arch`` - S&P 500 index ``arch:SP500`` and NASDAQ Composite ``arch:NASDAQ`` daily adjusted close
  1999-01-04 .. 2018-12-31 (Yahoo), CBOE VIX ``arch:VIX`` daily 2014-01 .. 2019-01, Moody's seasoned
  AAA and BAA yields ``arch:AAA`` ``arch:BAA`` and their spread ``arch:BAA-AAA`` monthly 1919 .. 2018
  (FRED), core CPI ``arch:CPILFESL`` 1957 .. 2018, WTI crude ``arch:WTI`` daily 1986 .. 2019, and
  the Fama-French 3 factors monthly 1926-07 .. 2018-11 as ``ff3:Mkt`` ``ff3:SMB`` ``ff3:HML`` (level
  indices) and ``ff3:RF``.
* ``statsmodels`` - US macro quarterly 1959Q1 .. 2009Q3: ``sm:tbilrate`` ``sm:unemp`` ``sm:infl``
  ``sm:realgdp`` ``sm:cpi``.
* ``skfolio`` (optional extra ``hypecheck[samples]``) - daily 1990-01-02 .. 2022-12-28: S&P 500
  index ``skf:SP500``, 20 large US stocks ``skf:<TICKER>`` (AAPL, MSFT, JPM, ...), and factor ETFs
  2014-01 .. 2022-12 ``skf:MTUM`` ``skf:QUAL`` ``skf:SIZE`` ``skf:USMV`` ``skf:VLUE``.

Files are located with ``importlib.util.find_spec`` (no import of the heavy packages) and read with
pandas, with explicit date formats.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import MissingDependencyError
from ..schema import Catalog, Kind, LoadEntry, SeriesData, SeriesMeta, infer_frequency
from .sources import register_source

INDUSTRIES = (
    "NoDur",
    "Durbl",
    "Manuf",
    "Enrgy",
    "Chems",
    "BusEq",
    "Telcm",
    "Utils",
    "Shops",
    "Hlth",
    "Money",
    "Other",
)
SIZE_SORTS = tuple(f"S{s}{x}{q}" for x in ("V", "M") for s in (1, 3, 5) for q in (1, 3, 5))


def package_file(package: str, *parts: str) -> Path:
    """Path of a data file inside an installed package, without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        extra = "samples" if package == "skfolio" else ""
        cmd = f"pip install 'hypecheck[{extra}]'" if extra else f"pip install {package}"
        raise MissingDependencyError(
            f"bundled data needs the package {package!r}, which is not installed", hint=cmd
        )
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    if not path.is_file():
        raise MissingDependencyError(
            f"{package} is installed but its data file {'/'.join(parts)} is missing",
            hint=f"reinstall it: pip install --force-reinstall {package}",
        )
    return path


@dataclass(frozen=True)
class Dataset:
    name: str
    package: str
    describe: str
    loader: Callable[[], list[SeriesData]]
    optional: bool = False


def _meta(
    id: str, kind: Kind, origin: str, description: str, idx: pd.DatetimeIndex, units: str
) -> SeriesMeta:
    return SeriesMeta(
        id=id,
        kind=kind,
        source="bundled",
        origin=origin,
        description=description,
        frequency=infer_frequency(idx),
        units=units,
        sample_data=True,
    )


def _level_from_returns(r: pd.Series, start: pd.Timestamp) -> pd.Series:
    """Total-return level index = 100 x cumulative product of (1 + r); a base of 100 at ``start``."""
    level = 100.0 * np.cumprod(1.0 + r.to_numpy(dtype="float64"))
    out = pd.Series(np.concatenate([[100.0], level]), index=pd.DatetimeIndex([start, *r.index]))
    return out


def _month_end(idx: pd.DatetimeIndex) -> pd.DatetimeIndex:
    return (idx + pd.offsets.MonthEnd(0)).normalize()


def _load_linearmodels() -> list[SeriesData]:
    path = package_file("linearmodels", "datasets", "french", "french.csv.bz2")
    df = pd.read_csv(path)
    idx = _month_end(pd.DatetimeIndex(pd.to_datetime(df["dates"], format="%Y-%m-%d")))
    df.index = idx
    base = (idx[0] - pd.offsets.MonthEnd(1)).normalize()
    origin = "linearmodels/datasets/french/french.csv.bz2 (Ken French data library)"
    out: list[SeriesData] = []

    def add(id: str, r: pd.Series, desc: str) -> None:
        lv = _level_from_returns(r.astype("float64"), base)
        out.append(
            SeriesData(
                _meta(id, "price", origin, desc, pd.DatetimeIndex(lv.index), "index, 100 at start"), lv
            )
        )

    add(
        "ff:Mkt",
        df["MktRF"] + df["RF"],
        "US stock market total return (Fama-French Mkt-RF + RF), value-weighted",
    )
    for f, d in (("SMB", "small minus big"), ("HML", "high minus low book-to-market"), ("Mom", "momentum")):
        add(f"ff:{f}", df[f], f"Fama-French {f} factor ({d}), long-short, compounded")
    for ind in INDUSTRIES:
        add(f"ff:ind:{ind}", df[ind], f"Ken French 12-industry portfolio {ind}, value-weighted total return")
    for s in SIZE_SORTS:
        size = {"1": "smallest quintile", "3": "middle quintile", "5": "largest quintile"}[s[1]]
        if s[2] == "V":
            other = {"1": "lowest B/M (growth)", "3": "middle B/M (blend)", "5": "highest B/M (value)"}[s[3]]
        else:
            other = {"1": "losers", "3": "middle momentum", "5": "winners"}[s[3]]
        add(
            f"ff:{s}",
            df[s],
            f"Ken French size x {'B/M' if s[2] == 'V' else 'momentum'} portfolio: {size}, {other}",
        )
    rf = (df["RF"] * 12 * 100).rename("ff:RF")
    out.append(
        SeriesData(
            _meta(
                "ff:RF",
                "macro",
                origin,
                "1-month T-bill rate (Ken French RF), annualised",
                pd.DatetimeIndex(rf.index),
                "percent",
            ),
            rf,
        )
    )
    return out


def _arch_csv(name: str, file: str) -> pd.DataFrame:
    return pd.read_csv(package_file("arch", "data", name, file), encoding="utf-8-sig")


def _numeric(df: pd.DataFrame, col: str) -> pd.Series:
    """A FRED-style column (``.`` = missing) as floats on its M/D/Y dates, missing values dropped."""
    idx = pd.DatetimeIndex(pd.to_datetime(df["Date"], format="%m/%d/%Y"))
    vals = pd.to_numeric(df[col].astype(str).str.strip().replace(".", ""), errors="coerce").to_numpy(
        "float64"
    )
    keep = ~np.isnan(vals)
    return pd.Series(vals[keep], index=idx[keep])


def _load_arch() -> list[SeriesData]:
    out: list[SeriesData] = []
    for name, sid, desc in (
        ("sp500", "arch:SP500", "S&P 500 index"),
        ("nasdaq", "arch:NASDAQ", "NASDAQ Composite"),
    ):
        df = _arch_csv(name, f"{name}.csv.gz")
        idx = pd.DatetimeIndex(pd.to_datetime(df["Date"], format="%m/%d/%Y"))
        s = pd.Series(df["Adj Close"].to_numpy("float64"), index=idx)
        out.append(
            SeriesData(
                _meta(
                    sid,
                    "price",
                    f"arch/data/{name}/{name}.csv.gz (Yahoo)",
                    f"{desc}, daily adjusted close (price index, no dividends)",
                    idx,
                    "index points",
                ),
                s,
            )
        )
    vix = _arch_csv("vix", "vix.csv.gz")
    s = _numeric(vix, "vix")
    out.append(
        SeriesData(
            _meta(
                "arch:VIX",
                "macro",
                "arch/data/vix/vix.csv.gz",
                "CBOE VIX, daily close (FRED '.' holidays dropped)",
                pd.DatetimeIndex(s.index),
                "index",
            ),
            s,
        )
    )
    d = _arch_csv("default", "default.csv.gz")
    idx = pd.DatetimeIndex(pd.to_datetime(d["Date"], format="%m/%d/%Y"))
    for col in ("AAA", "BAA"):
        out.append(
            SeriesData(
                _meta(
                    f"arch:{col}",
                    "macro",
                    "arch/data/default/default.csv.gz (FRED)",
                    f"Moody's seasoned {col} corporate bond yield, monthly",
                    idx,
                    "percent",
                ),
                pd.Series(d[col].to_numpy("float64"), index=idx),
            )
        )
    spread = (d["BAA"] - d["AAA"]).to_numpy("float64")
    out.append(
        SeriesData(
            _meta(
                "arch:BAA-AAA",
                "macro",
                "arch/data/default/default.csv.gz (FRED)",
                "Moody's BAA minus AAA yield: a credit spread",
                idx,
                "percent points",
            ),
            pd.Series(spread, index=idx),
        )
    )
    c = _arch_csv("core_cpi", "core-cpi.csv.gz")
    idx = pd.DatetimeIndex(pd.to_datetime(c["Date"], format="%m/%d/%Y"))
    out.append(
        SeriesData(
            _meta(
                "arch:CPILFESL",
                "macro",
                "arch/data/core_cpi/core-cpi.csv.gz (FRED)",
                "US core CPI (CPILFESL), monthly",
                idx,
                "index",
            ),
            pd.Series(c["CPILFESL"].to_numpy("float64"), index=idx),
        )
    )
    s = _numeric(_arch_csv("wti", "wti.csv.gz"), "DCOILWTICO")
    out.append(
        SeriesData(
            _meta(
                "arch:WTI",
                "macro",
                "arch/data/wti/wti.csv.gz (FRED)",
                "WTI crude oil spot price",
                pd.DatetimeIndex(s.index),
                "USD per barrel",
            ),
            s,
        )
    )
    f = _arch_csv("frenchdata", "frenchdata.csv.gz")
    idx = _month_end(pd.DatetimeIndex(pd.to_datetime(f["Date"].astype(str), format="%Y%m")))
    base = (idx[0] - pd.offsets.MonthEnd(1)).normalize()
    origin = "arch/data/frenchdata/frenchdata.csv.gz (Ken French data library)"
    f.index = idx
    for col, sid, desc in (
        ("Mkt-RF", "ff3:Mkt", "US market total return (Mkt-RF + RF)"),
        ("SMB", "ff3:SMB", "Fama-French SMB (small minus big), compounded"),
        ("HML", "ff3:HML", "Fama-French HML (value minus growth), compounded"),
    ):
        r = f[col] / 100.0 + (f["RF"] / 100.0 if col == "Mkt-RF" else 0.0)
        lv = _level_from_returns(r, base)
        out.append(
            SeriesData(
                _meta(sid, "price", origin, desc, pd.DatetimeIndex(lv.index), "index, 100 at start"), lv
            )
        )
    rf = f["RF"] * 12
    out.append(
        SeriesData(_meta("ff3:RF", "macro", origin, "1-month T-bill rate, annualised", idx, "percent"), rf)
    )
    return out


def _load_statsmodels() -> list[SeriesData]:
    path = package_file("statsmodels", "datasets", "macrodata", "macrodata.csv")
    df = pd.read_csv(path)
    idx = pd.DatetimeIndex(
        pd.PeriodIndex.from_fields(  # type: ignore[attr-defined]
            year=df["year"].astype(int), quarter=df["quarter"].astype(int), freq="Q"
        ).to_timestamp(how="start")
    )
    out = []
    for col, desc, units in (
        ("tbilrate", "3-month T-bill rate, quarterly", "percent"),
        ("unemp", "US unemployment rate, quarterly", "percent"),
        ("infl", "US inflation, quarterly annualised", "percent"),
        ("realgdp", "US real GDP, quarterly", "billions of chained 2005 USD"),
        ("cpi", "US CPI, quarterly", "index"),
    ):
        out.append(
            SeriesData(
                _meta(f"sm:{col}", "macro", "statsmodels/datasets/macrodata/macrodata.csv", desc, idx, units),
                pd.Series(df[col].to_numpy("float64"), index=idx),
            )
        )
    return out


def _load_skfolio() -> list[SeriesData]:
    out = []
    for file, desc in (
        ("sp500_index.csv.gz", "S&P 500 index, daily close"),
        ("sp500_dataset.csv.gz", "large US stock, daily adjusted close"),
        ("factors_dataset.csv.gz", "US factor ETF, daily adjusted close"),
    ):
        df = pd.read_csv(package_file("skfolio", "datasets", "data", file))
        idx = pd.DatetimeIndex(pd.to_datetime(df["Date"], format="%Y-%m-%d"))
        for col in df.columns[1:]:
            s = pd.Series(df[col].to_numpy("float64"), index=idx).dropna()
            out.append(
                SeriesData(
                    _meta(
                        f"skf:{col}",
                        "price",
                        f"skfolio/datasets/data/{file}",
                        f"{col}: {desc}",
                        pd.DatetimeIndex(s.index),
                        "USD",
                    ),
                    s,
                )
            )
    return out


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "linearmodels",
        "linearmodels",
        "Ken French monthly factors, industries, size x value 1949-2017",
        _load_linearmodels,
    ),
    Dataset(
        "arch",
        "arch",
        "S&P 500/NASDAQ daily 1999-2018, VIX, Moody's AAA/BAA, core CPI, WTI, FF3 1926-2018",
        _load_arch,
    ),
    Dataset("statsmodels", "statsmodels", "US macro quarterly 1959-2009", _load_statsmodels),
    Dataset(
        "skfolio",
        "skfolio",
        "S&P 500 index, 20 stocks, factor ETFs daily 1990-2022",
        _load_skfolio,
        optional=True,
    ),
)

_CACHE: dict[str, list[SeriesData]] = {}


@register_source("bundled")
class BundledSource:
    """Loads every bundled dataset whose package is installed; optional ones are skipped with a reason."""

    name = "bundled"

    def __init__(self, datasets: tuple[str, ...] | None = None) -> None:
        self.datasets = datasets

    def load(self, catalog: Catalog | None = None, **options: Any) -> Catalog:
        catalog = catalog if catalog is not None else Catalog()
        for ds in DATASETS:
            if self.datasets is not None and ds.name not in self.datasets:
                continue
            try:
                if ds.name not in _CACHE:
                    _CACHE[ds.name] = ds.loader()
                series = _CACHE[ds.name]
            except MissingDependencyError as exc:
                if not ds.optional:
                    raise
                catalog.report.add(
                    LoadEntry(
                        origin=f"bundled:{ds.name}", status="skipped", reason=f"{exc.message} ({exc.hint})"
                    )
                )
                continue
            catalog.extend(series)
            catalog.report.add(
                LoadEntry(
                    origin=f"bundled:{ds.name}",
                    status="loaded",
                    format=ds.describe,
                    series=tuple(s.meta.id for s in series),
                    rows=sum(len(s.values) for s in series),
                )
            )
        return catalog
