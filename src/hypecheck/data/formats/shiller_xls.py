"""Robert Shiller's ``ie_data.xls`` workbook (sheet ``Data``): monthly ``macro`` series ``shiller:P``,
``shiller:E``, ``shiller:CAPE``, ... (the parsing lives in :mod:`hypecheck.data.shiller`). Any other
Excel workbook is rejected by the suffix check after it."""

from __future__ import annotations

import dataclasses

from ...schema import SeriesData
from ..shiller import is_shiller_workbook, read_shiller
from .base import EXCEL_SUFFIXES, Format
from .text import Probe

NAME = "shiller-xls"
DESCRIPTION = "Shiller monthly data (sheet Data)"


def detect(probe: Probe) -> bool:
    if probe.suffix not in EXCEL_SUFFIXES:
        return False
    return is_shiller_workbook(probe.path)  # MissingDependencyError when no Excel reader is installed


def read(probe: Probe) -> list[SeriesData]:
    origin = probe.ctx.origin
    out = []
    for x in read_shiller(probe.path):
        meta = dataclasses.replace(x.meta, origin=origin)
        out.append(SeriesData(meta, x.values, x.flags, x.pulls, x.vintages))
    probe.ctx.tally.notes.append(DESCRIPTION)
    return out


FORMAT = Format(NAME, DESCRIPTION, detect, read)
