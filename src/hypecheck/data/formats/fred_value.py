"""``<date>,value``: a FRED series saved with a generic value column; kind ``macro``, id = the file's
stem."""

from __future__ import annotations

from ...schema import SeriesData
from .base import Format
from .text import Probe, one_column

NAME = "fred-value"
DESCRIPTION = "FRED series saved as date,value (id from the file name)"


def detect(probe: Probe) -> bool:
    return probe.lc[1:] == ["value"]


def read(probe: Probe) -> list[SeriesData]:
    return one_column(probe, id=probe.stem, kind="macro", fmt=NAME, description=DESCRIPTION)


FORMAT = Format(NAME, DESCRIPTION, detect, read)
