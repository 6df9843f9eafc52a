"""Bundled dataset ``skfolio`` (optional extra ``hypecheck[samples]``): daily prices shipped in
``skfolio/datasets/data``, 1990-01-02 .. 2022-12-28: the S&P 500 index ``skf:SP500``, 20 large US
stocks ``skf:<TICKER>`` (AAPL, MSFT, JPM, ...) and factor ETFs 2014-01 .. 2022-12 ``skf:MTUM``
``skf:QUAL`` ``skf:SIZE`` ``skf:USMV`` ``skf:VLUE``. Without the package the dataset is skipped with
the reason, never an error."""

from __future__ import annotations

import pandas as pd

from ...schema import SeriesData
from ._common import Dataset, meta, package_file


def load() -> list[SeriesData]:
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
                    meta(
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


DATASET = Dataset(
    "skfolio",
    "skfolio",
    "S&P 500 index, 20 stocks, factor ETFs daily 1990-2022",
    load,
    optional=True,
    prefixes=("skf:",),
)
