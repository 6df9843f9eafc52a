"""``<date>,<SERIES_ID>`` (FRED's own download): one value column whose name is a FRED id
(``^[A-Z0-9_]{1,40}$``); kind ``macro``, id = the column name. Under a ``trends`` folder a column
whose values look like Google Trends (integers 0..100, ``<1`` allowed) is a search term (``ETF``,
``CPI``) instead: see :mod:`.trends_series`."""

from __future__ import annotations

from ...schema import SeriesData
from .base import FRED_ID, Format
from .text import Probe, one_column
from .values import _parse_numbers, _trends_like

NAME = "fred"
DESCRIPTION = "FRED download (date,<SERIES_ID>)"


def one_value_column(probe: Probe) -> bool:
    return len(probe.header) == 2


def detect(probe: Probe) -> bool:
    if not one_value_column(probe) or not FRED_ID.fullmatch(probe.header[1]):
        return False
    return not (probe.ctx.in_trends and _trends_like(_parse_numbers(probe.frame[1], below_one=True)))


def read(probe: Probe) -> list[SeriesData]:
    return one_column(probe, id=probe.header[1], kind="macro", fmt=NAME, description=DESCRIPTION)


FORMAT = Format(NAME, DESCRIPTION, detect, read)
