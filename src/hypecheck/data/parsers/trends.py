"""Google Trends cells and pulls: the one implementation of Trends' conventions (pure, no I/O).

Used by the live connector (:mod:`hypecheck.data.connectors.trends`) and by the files reader's Trends
formats, so both read the same cell the same way:

* a cell is an integer 0..100 (Trends' relative scale), ``<1`` (some interest, below 1: stored as
  :data:`BELOW_ONE` = 0.5 with the ``below_one`` flag), or **missing** (blank, ``.``, ``nan``,
  ``null``... : :data:`MISSING_CELLS`; no value, never 0); anything else is bad (the reader says so);
* the units string is :data:`TRENDS_UNITS`; the notes use one wording (:func:`trends_notes`);
* several pulls of one request (Trends samples) are averaged per period, every pull kept
  (:func:`combine_pulls`).

:func:`parse_multiline` reads the live API's ``widgetdata/multiline`` answer into one pull.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import BadResponseError, NoDataError

__all__ = [
    "BELOW_ONE",
    "MISSING_CELLS",
    "TRENDS_UNITS",
    "Cells",
    "combine_pulls",
    "parse_cells",
    "parse_multiline",
    "trends_notes",
    "xssi_json",
]

TRENDS_UNITS = "0-100 relative (sampled, per request)"
BELOW_ONE = 0.5
MISSING_CELLS = frozenset({"", ".", "nan", "na", "n/a", "#n/a", "null", "none"})
_INT = re.compile(r"\d{1,3}")
_HINT = (
    "Google changes this unofficial API without notice; retry later, or export the CSV from "
    "trends.google.com and load it with the files source"
)


@dataclass
class Cells:
    """Trends cells read: ``values`` (float64; 0.5 for ``<1``; NaN where missing or bad) and boolean
    masks ``below_one``, ``missing``, ``bad``; ``example`` is the first bad cell (``""`` if none)."""

    values: np.ndarray
    below_one: np.ndarray
    missing: np.ndarray
    bad: np.ndarray
    example: str = ""


def _cell(x: Any) -> tuple[float, bool, bool]:
    """(value, below_one, missing) of one cell; value NaN and both flags False when it is bad."""
    if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
        return np.nan, False, True
    if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool):
        v = float(x)
        return (v, False, False) if v == round(v) and 0 <= v <= 100 else (np.nan, False, False)
    text = str(x).strip()
    if text.lower() in MISSING_CELLS:
        return np.nan, False, True
    if text == "<1":
        return BELOW_ONE, True, False
    if _INT.fullmatch(text) and int(text) <= 100:
        return float(text), False, False
    return np.nan, False, False


def parse_cells(cells: Iterable[Any]) -> Cells:
    """Read Trends cells (strings from a CSV, or numbers/strings from the API; see the module rules)."""
    items = list(cells)
    parsed = [_cell(x) for x in items]
    values = np.array([p[0] for p in parsed], dtype="float64")
    below = np.array([p[1] for p in parsed], dtype=bool)
    missing = np.array([p[2] for p in parsed], dtype=bool)
    bad = ~missing & ~below & np.isnan(values)
    example = str(items[int(np.argmax(bad))]).strip() if bad.any() else ""
    return Cells(values, below, missing, bad, example)


def trends_notes(
    term: str, cells: Cells, partial: np.ndarray | None = None, *, quote: Callable[[str], str] = repr
) -> list[str]:
    """The notes every Trends reader writes: all-zero warning, ``<1`` count, partial periods.
    ``quote`` shows the term (the files reader cuts very long names)."""
    notes = []
    ok = ~cells.missing & ~cells.bad
    if ok.any() and bool(np.all(cells.values[ok] == 0)):
        notes.append(f"warning: every value of {quote(term)} is 0 (very low search volume); kept as data")
    if cells.below_one.any():
        notes.append(f"{int(cells.below_one.sum())} '<1' cells stored as {BELOW_ONE} (flag below_one)")
    if partial is not None and partial.any():
        notes.append(f"{int(partial.sum())} period(s) marked isPartial: flagged partial")
    return notes


# ================================================================================= the live API


def _malformed(what: str, why: str) -> BadResponseError:
    return BadResponseError(f"{what}: malformed response: {why}", hint=_HINT, status=200)


def xssi_json(body: bytes, what: str) -> Any:
    """JSON behind Google's XSSI prefix ``)]}'`` (or ``)]}',``)."""
    text = body.decode("utf-8", "replace").lstrip()
    if text.startswith(")]}'"):
        text = text[4:].lstrip().removeprefix(",")
    try:
        return json.loads(text)
    except ValueError:
        raise _malformed(what, f"not JSON after the )]}}' prefix (it starts {text[:40]!r})") from None


def parse_multiline(
    body: bytes, term: str, *, window: str = "", geo: str = "", pull: int = 1
) -> pd.DataFrame:
    """One pull of ``widgetdata/multiline``: a frame on the period starts (UTC dates) with ``value``
    (:func:`parse_cells` of the value, or of ``<1`` when ``formattedValue`` says so), ``below_one``,
    ``partial`` (``isPartial``), ``has_data`` and ``missing``."""
    what = f"Google Trends interest over time for {term!r}"
    if not body.strip():
        raise BadResponseError(
            f"{what}: empty response", hint="retry later; Google may be throttling", status=200
        )
    doc = xssi_json(body, what)
    default = doc.get("default") if isinstance(doc, Mapping) else None
    rows = default.get("timelineData") if isinstance(default, Mapping) else None
    if not isinstance(rows, list):
        raise _malformed(what, "no default.timelineData list")
    if not rows:
        raise NoDataError(
            f"Google Trends has no data for {term!r} ({window}, geo {geo or 'worldwide'})",
            hint="the term may have too little search volume; try a broader term, a wider region or window",
        )
    times, shown, partial, has = [], [], [], []
    for k, row in enumerate(rows):
        try:
            t = int(row["time"])
            values = row["value"]
            v = values[0] if values else None
            label = str((row.get("formattedValue") or [v])[0]).strip()
            has_data = bool((row.get("hasData") or [True])[0])
        except (KeyError, IndexError, TypeError, ValueError):
            raise _malformed(what, f"timelineData[{k}] lacks time/value") from None
        times.append(t)
        shown.append("<1" if label == "<1" else v)
        partial.append(bool(row.get("isPartial", False)))
        has.append(has_data)
    cells = parse_cells(shown)
    if cells.bad.any():
        k = int(np.argmax(cells.bad))
        raise _malformed(what, f"timelineData[{k}] value {shown[k]!r} is not an integer 0..100")
    index = pd.DatetimeIndex(pd.to_datetime(np.asarray(times, dtype="int64"), unit="s", utc=True))
    index = index.tz_localize(None).normalize()
    frame = pd.DataFrame(
        {
            "value": cells.values,
            "below_one": cells.below_one,
            "partial": partial,
            "has_data": has,
            "missing": cells.missing,
        },
        index=index,
    ).sort_index(kind="stable")
    if frame.index.has_duplicates:
        raise _malformed(what, "two timelineData rows for one period")
    frame.attrs["pull"] = pull
    return frame


def combine_pulls(
    frames: Sequence[pd.DataFrame], term: str
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame, list[str]]:
    """Average pulls (frames of :func:`parse_multiline`) per period: ``(values, pulls, flags, notes)``.
    ``pulls`` has one column per pull (``pull_1``...); ``flags`` ``below_one``/``partial`` are set when
    any pull says so; the notes give the spread across pulls (standard deviation per period)."""
    notes: list[str] = []
    pulls = pd.concat([f["value"].rename(f"pull_{i + 1}") for i, f in enumerate(frames)], axis=1).sort_index()
    if any(not f.index.equals(frames[0].index) for f in frames[1:]):
        notes.append("pulls covered different periods: averaged where present")
    values = pulls.mean(axis=1)

    def anyof(col: str) -> pd.Series:
        return pd.concat([f[col] for f in frames], axis=1).fillna(False).astype(bool).any(axis=1)

    below, partial = anyof("below_one"), anyof("partial")
    no_data = pd.concat([~f["has_data"] for f in frames], axis=1).fillna(False).astype(bool).any(axis=1)
    flags = pd.DataFrame({"below_one": below, "partial": partial}).reindex(values.index).astype(bool)
    summary = Cells(
        values.to_numpy(dtype="float64"),
        flags["below_one"].to_numpy(),
        values.isna().to_numpy(),
        np.zeros(len(values), dtype=bool),
    )
    notes += trends_notes(term, summary, flags["partial"].to_numpy())
    if values.isna().any():
        notes.append(f"{int(values.isna().sum())} period(s) without a value in any pull: missing")
    if no_data.any():
        notes.append(f"{int(no_data.sum())} period(s) with hasData=false (kept as the value shown, 0)")
    if len(frames) > 1:
        sd = pulls.std(axis=1, ddof=1)
        if bool((sd.fillna(0) == 0).all()):
            notes.append(
                f"{len(frames)} pulls identical (Google may have served a cached sample): no sampling spread seen"
            )
        else:
            notes.append(
                f"averaged {len(frames)} pulls (their spread is the noise band): standard deviation per "
                f"period mean {float(sd.mean()):.2f}, max {float(sd.max()):.2f} points"
            )
    return values, pulls, flags, notes
