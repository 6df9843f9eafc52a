"""Bundled dataset ``linearmodels``: the Ken French data library as shipped in
``linearmodels/datasets/french/french.csv.bz2``, monthly 1949-01 .. 2017-03.

Monthly returns are turned into total-return level indices starting at 100 (a base month before the
first return): the market ``ff:Mkt`` (Mkt-RF + RF), the factors ``ff:SMB`` ``ff:HML`` ``ff:Mom``
(long-short, compounded), 12 value-weighted industries ``ff:ind:<NoDur|Durbl|Manuf|Enrgy|Chems|BusEq|
Telcm|Utils|Shops|Hlth|Money|Other>``, the 3x3 corners of the 5x5 size x book-to-market sort
``ff:S{1,3,5}V{1,3,5}`` (S1 smallest, V5 highest book-to-market = value) and size x momentum
``ff:S{1,3,5}M{1,3,5}``. The risk-free rate is a macro series ``ff:RF`` (annualised percent). Dates
are month ends (the file's dates moved to the end of their month)."""

from __future__ import annotations

import pandas as pd

from ...schema import SeriesData
from ._common import Dataset, level_from_returns, meta, month_end, package_file

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


def load() -> list[SeriesData]:
    path = package_file("linearmodels", "datasets", "french", "french.csv.bz2")
    df = pd.read_csv(path)
    idx = month_end(pd.DatetimeIndex(pd.to_datetime(df["dates"], format="%Y-%m-%d")))
    df.index = idx
    base = (idx[0] - pd.offsets.MonthEnd(1)).normalize()
    origin = "linearmodels/datasets/french/french.csv.bz2 (Ken French data library)"
    out: list[SeriesData] = []

    def add(id: str, r: pd.Series, desc: str) -> None:
        lv = level_from_returns(r.astype("float64"), base)
        out.append(
            SeriesData(meta(id, "price", origin, desc, pd.DatetimeIndex(lv.index), "index, 100 at start"), lv)
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
            meta(
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


DATASET = Dataset(
    "linearmodels",
    "linearmodels",
    "Ken French monthly factors, industries, size x value 1949-2017",
    load,
    prefixes=("ff:",),
)
