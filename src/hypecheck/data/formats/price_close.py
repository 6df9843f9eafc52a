"""``Date,Close`` (or ``Date,Price``): a daily close; kind ``price``, id = the file's stem
(``^TNX.csv`` -> ``^TNX``)."""

from __future__ import annotations

from ...schema import SeriesData
from .base import CLOSE_NAMES, Format
from .text import Probe, one_column

NAME = "price-close"
DESCRIPTION = "daily close (Date,Close)"


def detect(probe: Probe) -> bool:
    rest = probe.lc[1:]
    return len(rest) == 1 and rest[0] in CLOSE_NAMES


def read(probe: Probe) -> list[SeriesData]:
    return one_column(probe, id=probe.stem, kind="price", fmt=NAME, description=DESCRIPTION)


FORMAT = Format(NAME, DESCRIPTION, detect, read)
