"""``<date>,Adjusted`` under a folder whose path contains ``trends``: a stitched Google Trends series
(rescaled across requests); kind ``search``, id = the file's stem with ``_`` read as a space
(``stock_market`` -> ``stock market``). Outside a trends folder the ``Adjusted`` column is ambiguous
(an adjusted price?) and the file is rejected, not guessed."""

from __future__ import annotations

from ...schema import SeriesData
from .base import STITCHED_UNITS, Format, _cell, _Problem
from .text import Probe
from .values import _build, _parse_numbers

NAME = "trends-stitched"
DESCRIPTION = "stitched Google Trends series (Date,Adjusted), rescaled across requests"


def _stem_term(stem: str) -> str:
    return stem.replace("_", " ").strip()


def detect(probe: Probe) -> bool:
    if probe.lc[1:] != ["adjusted"]:
        return False
    if probe.ctx.in_trends:
        return True
    raise _Problem(
        "one 'Adjusted' column outside a trends folder: a stitched Trends series or an "
        "adjusted price? not guessed",
        "put stitched Google Trends files in a folder named 'trends', or name a price column 'Close'",
    )


def read(probe: Probe) -> list[SeriesData]:
    nums = _parse_numbers(probe.frame[1])
    stem = probe.stem
    term = _stem_term(stem)
    notes = [f"id from the file name {_cell(stem)}"] if term != stem else []
    return [
        _build(
            probe.ctx,
            probe.dates,
            nums,
            id=term,
            kind="search",
            fmt=NAME,
            units=STITCHED_UNITS,
            description=DESCRIPTION,
            notes=notes,
        )
    ]


FORMAT = Format(NAME, DESCRIPTION, detect, read)
