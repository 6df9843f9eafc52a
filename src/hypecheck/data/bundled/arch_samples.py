"""Bundled dataset ``arch``: the sample data shipped in ``arch/data``.

S&P 500 index ``arch:SP500`` and NASDAQ Composite ``arch:NASDAQ``, daily adjusted close 1999-01-04 ..
2018-12-31 (Yahoo); CBOE VIX ``arch:VIX`` daily 2014-01 .. 2019-01; Moody's seasoned AAA and BAA
yields ``arch:AAA`` ``arch:BAA`` and their spread ``arch:BAA-AAA`` monthly 1919 .. 2018 (FRED); core
CPI ``arch:CPILFESL`` 1957 .. 2018; WTI crude ``arch:WTI`` daily 1986 .. 2019; the Fama-French 3
factors monthly 1926-07 .. 2018-11 as ``ff3:Mkt`` ``ff3:SMB`` ``ff3:HML`` (level indices, 100 at a
base month) and ``ff3:RF`` (annualised percent). FRED's ``.`` (missing) cells are dropped; dates are
read with explicit formats (M/D/Y, and YYYYMM moved to the month's end)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...schema import SeriesData
from ._common import Dataset, level_from_returns, meta, month_end, package_file


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


def _mdy(df: pd.DataFrame) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(df["Date"], format="%m/%d/%Y"))


def _indices() -> list[SeriesData]:
    """S&P 500 and NASDAQ Composite, daily adjusted close (Yahoo)."""
    out = []
    for name, sid, desc in (
        ("sp500", "arch:SP500", "S&P 500 index"),
        ("nasdaq", "arch:NASDAQ", "NASDAQ Composite"),
    ):
        df = _arch_csv(name, f"{name}.csv.gz")
        idx = _mdy(df)
        s = pd.Series(df["Adj Close"].to_numpy("float64"), index=idx)
        origin = f"arch/data/{name}/{name}.csv.gz (Yahoo)"
        desc = f"{desc}, daily adjusted close (price index, no dividends)"
        out.append(SeriesData(meta(sid, "price", origin, desc, idx, "index points"), s))
    return out


def _fred_style(
    sid: str, folder: str, file: str, col: str, desc: str, units: str, source: str = ""
) -> SeriesData:
    """A FRED-style daily column (``.`` = missing, dropped)."""
    s = _numeric(_arch_csv(folder, file), col)
    origin = f"arch/data/{folder}/{file}{source}"
    return SeriesData(meta(sid, "macro", origin, desc, pd.DatetimeIndex(s.index), units), s)


def _macro() -> list[SeriesData]:
    """VIX, Moody's AAA/BAA and their spread, core CPI, WTI."""
    out = [
        _fred_style(
            "arch:VIX",
            "vix",
            "vix.csv.gz",
            "vix",
            "CBOE VIX, daily close (FRED '.' holidays dropped)",
            "index",
        )
    ]
    d = _arch_csv("default", "default.csv.gz")
    idx = _mdy(d)
    origin = "arch/data/default/default.csv.gz (FRED)"
    for col in ("AAA", "BAA"):
        desc = f"Moody's seasoned {col} corporate bond yield, monthly"
        out.append(
            SeriesData(
                meta(f"arch:{col}", "macro", origin, desc, idx, "percent"),
                pd.Series(d[col].to_numpy("float64"), index=idx),
            )
        )
    spread = (d["BAA"] - d["AAA"]).to_numpy("float64")
    desc = "Moody's BAA minus AAA yield: a credit spread"
    out.append(
        SeriesData(
            meta("arch:BAA-AAA", "macro", origin, desc, idx, "percent points"), pd.Series(spread, index=idx)
        )
    )
    c = _arch_csv("core_cpi", "core-cpi.csv.gz")
    idx = _mdy(c)
    origin = "arch/data/core_cpi/core-cpi.csv.gz (FRED)"
    out.append(
        SeriesData(
            meta("arch:CPILFESL", "macro", origin, "US core CPI (CPILFESL), monthly", idx, "index"),
            pd.Series(c["CPILFESL"].to_numpy("float64"), index=idx),
        )
    )
    out.append(
        _fred_style(
            "arch:WTI",
            "wti",
            "wti.csv.gz",
            "DCOILWTICO",
            "WTI crude oil spot price",
            "USD per barrel",
            " (FRED)",
        )
    )
    return out


def _ff3() -> list[SeriesData]:
    """Fama-French 3 factors as level indices (100 at a base month) and the annualised risk-free rate."""
    out = []
    f = _arch_csv("frenchdata", "frenchdata.csv.gz")
    idx = month_end(pd.DatetimeIndex(pd.to_datetime(f["Date"].astype(str), format="%Y%m")))
    base = (idx[0] - pd.offsets.MonthEnd(1)).normalize()
    origin = "arch/data/frenchdata/frenchdata.csv.gz (Ken French data library)"
    f.index = idx
    for col, sid, desc in (
        ("Mkt-RF", "ff3:Mkt", "US market total return (Mkt-RF + RF)"),
        ("SMB", "ff3:SMB", "Fama-French SMB (small minus big), compounded"),
        ("HML", "ff3:HML", "Fama-French HML (value minus growth), compounded"),
    ):
        r = f[col] / 100.0 + (f["RF"] / 100.0 if col == "Mkt-RF" else 0.0)
        lv = level_from_returns(r, base)
        out.append(
            SeriesData(
                meta(sid, "price", origin, desc, pd.DatetimeIndex(lv.index), "index, 100 at start"), lv
            )
        )
    rf = f["RF"] * 12
    out.append(
        SeriesData(meta("ff3:RF", "macro", origin, "1-month T-bill rate, annualised", idx, "percent"), rf)
    )
    return out


def load() -> list[SeriesData]:
    return [*_indices(), *_macro(), *_ff3()]


DATASET = Dataset(
    "arch",
    "arch",
    "S&P 500/NASDAQ daily 1999-2018, VIX, Moody's AAA/BAA, core CPI, WTI, FF3 1926-2018",
    load,
    prefixes=("arch:", "ff3:"),
)
