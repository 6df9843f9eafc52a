"""A Yahoo Finance export: ``Close`` and/or ``Adj Close`` among other OHLCV columns (``Date,Open,High,
Low,Close,Adj Close,Volume``). The price is ``Adj Close`` when present, else ``Close``; kind ``price``,
id = the file's stem. Rows with ``High < Low`` or ``Close`` outside ``[Low, High]`` are quarantined."""

from __future__ import annotations

import pandas as pd

from ...schema import SeriesData
from .base import ADJ_CLOSE_NAMES, CLOSE_NAMES, PRICE_COLUMNS, Format, _Ctx
from .text import Probe
from .values import _build, _Dates, _ohlc_broken, _parse_numbers

NAME = "yahoo"
DESCRIPTION = "Yahoo Finance export (Date,Open,High,Low,Close,Adj Close,Volume)"


def detect(probe: Probe) -> bool:
    rest = set(probe.lc[1:])
    return bool(rest & (CLOSE_NAMES | ADJ_CLOSE_NAMES)) and rest <= PRICE_COLUMNS


def read(probe: Probe) -> list[SeriesData]:
    return [_yahoo(probe.frame, probe.header, probe.dates, probe.ctx, probe.stem)]


def _yahoo(df: pd.DataFrame, header: list[str], dates: _Dates, ctx: _Ctx, id: str) -> SeriesData:
    pos = {c.lower(): i for i, c in enumerate(header)}
    adj = next((pos[k] for k in sorted(ADJ_CLOSE_NAMES) if k in pos), None)
    col = adj if adj is not None else pos.get("close", pos.get("price"))
    assert col is not None  # detection guarantees a close column
    notes = (
        ["price is Adj Close: adjusted for splits and dividends"]
        if adj is not None
        else ["no Adj Close column: price is Close (yfinance adjusts Close by default since 0.2.51)"]
    )
    quarantine = _ohlc_broken(df, pos)
    nums = _parse_numbers(df[col])
    return _build(
        ctx,
        dates,
        nums,
        id=id,
        kind="price",
        fmt="yahoo",
        notes=notes,
        quarantine=quarantine,
        column=header[col],
        description=DESCRIPTION + (": Adj Close" if adj is not None else ": Close"),
    )


FORMAT = Format(NAME, DESCRIPTION, detect, read)
