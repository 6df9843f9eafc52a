"""``<date>,<term>``: one Google Trends term per file; values are integers 0..100 (``<1`` cells
stored as 0.5 with the ``below_one`` flag; periods that had not ended when the file was written are
flagged ``partial``). Kind ``search``, id = the column name (``value stocks``)."""

from __future__ import annotations

import numpy as np

from ...schema import SeriesData
from .base import TRENDS_UNITS, Format
from .fred import one_value_column
from .text import Probe
from .values import _build, _parse_numbers, _trends_like, _trends_notes

NAME = "trends-series"
DESCRIPTION = "one Google Trends term per file (date,<term>), 0-100 per request"


def detect(probe: Probe) -> bool:
    return one_value_column(probe) and _trends_like(_parse_numbers(probe.frame[1], below_one=True))


def read(probe: Probe) -> list[SeriesData]:
    name = probe.header[1]
    nums = _parse_numbers(probe.frame[1], below_one=True)
    flags = {"below_one": nums.below_one, "partial": np.zeros(len(probe.frame), dtype=bool)}
    s = _build(
        probe.ctx,
        probe.dates,
        nums,
        id=name,
        kind="search",
        fmt=NAME,
        units=TRENDS_UNITS,
        description=DESCRIPTION,
        notes=_trends_notes(name, nums),
        flags=flags,
        partial_by_date=True,
    )
    return [s]


FORMAT = Format(NAME, DESCRIPTION, detect, read)
