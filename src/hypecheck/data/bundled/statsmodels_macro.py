"""Bundled dataset ``statsmodels``: US macro data quarterly 1959Q1 .. 2009Q3, as shipped in
``statsmodels/datasets/macrodata/macrodata.csv``: ``sm:tbilrate`` ``sm:unemp`` ``sm:infl``
``sm:realgdp`` ``sm:cpi``. Each quarter is stamped on its first day (the panel uses it once the quarter
has ended)."""

from __future__ import annotations

import pandas as pd

from ...schema import SeriesData
from ._common import Dataset, meta, package_file


def load() -> list[SeriesData]:
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
                meta(f"sm:{col}", "macro", "statsmodels/datasets/macrodata/macrodata.csv", desc, idx, units),
                pd.Series(df[col].to_numpy("float64"), index=idx),
            )
        )
    return out


DATASET = Dataset("statsmodels", "statsmodels", "US macro quarterly 1959-2009", load, prefixes=("sm:",))
