"""GDELT DOC 2.0 timelines: pure parsing (no I/O) into a daily news-volume series.

The documented answer of ``https://api.gdeltproject.org/api/v2/doc/doc?mode=timelinevolraw&format=json``
(see https://blog.gdeltproject.org/gdelt-doc-2-0-api-debuts/, and the ``gdeltdoc`` client, which reads
the same fields) is::

    {"query_details": {"title": "...", "date_resolution": "day"},
     "timeline": [{"series": "Article Count",
                   "data": [{"date": "20250106T000000Z", "value": 412, "norm": 98123}, ...]}]}

``value`` is the number of articles matching the query in the interval, ``norm`` the number of all
articles GDELT monitored in it. ``mode=timelinevol`` has one series ``"Volume Intensity"`` whose
``value`` is already the percentage of monitored articles (no ``norm``). No match is ``{}`` or an
empty ``timeline``. Intervals shorter than a day (GDELT uses 15 minutes for short spans) are summed
into UTC days.

:func:`news_series` turns such a document into a :class:`~hypecheck.schema.SeriesData` of kind
``news``: by default the **share** of monitored articles that match (``100 * value / norm``, percent;
GDELT's own coverage grows and dips on weekends, the share does not move with it), or the raw
**count** of matching articles. A day on or after ``today`` (UTC) is still being counted: it is
flagged ``partial``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from ...errors import BadResponseError, NoDataError
from ...schema import SeriesData, SeriesMeta

__all__ = ["MEASURES", "UNITS", "news_series", "parse_timeline"]

Measure = Literal["share", "count"]
MEASURES: tuple[Measure, ...] = ("share", "count")
UNITS = {
    "share": "percent of all articles GDELT monitored that day",
    "count": "articles per day matching the query",
}
_HINT = "GDELT may have changed the DOC API or served an error page; retry later"


def _malformed(what: str, why: str) -> BadResponseError:
    return BadResponseError(f"{what}: malformed response: {why}", hint=_HINT, status=200)


def _day(stamp: Any, what: str, k: int) -> pd.Timestamp:
    text = str(stamp)
    try:
        when = dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ")
    except ValueError:
        raise _malformed(what, f"timeline date {k} is {text[:30]!r}, not YYYYMMDDTHHMMSSZ") from None
    return pd.Timestamp(when.date())


def _number(x: Any, what: str, k: int, field: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not np.isfinite(x) or x < 0:
        raise _malformed(what, f"timeline {field} {k} is {x!r}, not a count or share >= 0")
    return float(x)


def parse_timeline(body: bytes | str | Mapping[str, Any], *, what: str = "GDELT timeline") -> pd.DataFrame:
    """The timeline as a daily frame (UTC dates, sorted): columns ``value`` (the sum over the day) and
    ``norm`` (the day's monitored total; NaN when the answer has none, as in ``timelinevol``).

    An empty timeline is an empty frame; a body that is not the documented JSON is
    :class:`BadResponseError`."""
    if isinstance(body, Mapping):
        doc: Any = body
    else:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        if not text.strip():
            raise BadResponseError(f"{what}: empty response", hint="retry later", status=200)
        try:
            doc = json.loads(text)
        except ValueError:
            start = text.strip()[:60]
            raise _malformed(what, f"not JSON (it starts {start!r})") from None
    if not isinstance(doc, Mapping):
        raise _malformed(what, f"a JSON {type(doc).__name__}, not an object")
    timeline = doc.get("timeline", [])
    if not isinstance(timeline, list):
        raise _malformed(what, "'timeline' is not a list")
    empty = pd.DataFrame({"value": pd.Series(dtype="float64"), "norm": pd.Series(dtype="float64")})
    empty.index = pd.DatetimeIndex([], name="date")
    if not timeline:
        return empty
    series = timeline[0]
    data = series.get("data") if isinstance(series, Mapping) else None
    if not isinstance(data, list):
        raise _malformed(what, "timeline[0] has no 'data' list")
    if not data:
        return empty
    days, values, norms = [], [], []
    for k, row in enumerate(data):
        if not isinstance(row, Mapping) or "date" not in row or "value" not in row:
            raise _malformed(what, f"timeline point {k} lacks 'date' or 'value'")
        days.append(_day(row["date"], what, k))
        values.append(_number(row["value"], what, k, "value"))
        norms.append(_number(row["norm"], what, k, "norm") if "norm" in row else np.nan)
    index = pd.DatetimeIndex(days, name="date")
    frame = pd.DataFrame({"value": values, "norm": norms}, index=index)
    daily = frame.groupby(level=0).sum(min_count=1)
    return daily.sort_index()


def news_series(
    body: bytes | str | Mapping[str, Any],
    query: str,
    *,
    measure: Measure = "share",
    mode: str = "timelinevolraw",
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
    origin: str = "GDELT DOC 2.0 API",
) -> SeriesData:
    """A GDELT timeline answer for ``query`` as a daily news-volume series (kind ``news``, id = the
    query). ``measure``: ``share`` (percent of monitored articles; needs ``norm`` unless ``mode`` is
    ``timelinevol``, whose values are that share already) or ``count``. Days outside ``start``..``end``
    are dropped; no day left is :class:`NoDataError`."""
    what = f"GDELT news volume for {query!r}"
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    daily = parse_timeline(body, what=what)
    if start is not None:
        daily = daily.loc[daily.index >= pd.Timestamp(start)]
    if end is not None:
        daily = daily.loc[daily.index <= pd.Timestamp(end)]
    span = f"{start or 'the start'} to {end or 'today'}"
    if daily.empty:
        raise NoDataError(
            f"GDELT has no news articles matching {query!r} from {span}",
            hint="broaden the query (fewer words, no quotes) or widen the dates (the DOC API covers "
            "2017 on, the last 3 months most reliably)",
        )
    notes: list[str] = []
    if mode == "timelinevol":
        if measure == "count":
            raise ValueError("mode='timelinevol' gives shares only; use mode='timelinevolraw' for counts")
        values = daily["value"]
        notes.append("value: GDELT's volume intensity (percent of monitored articles)")
    elif measure == "share":
        norm = daily["norm"]
        if norm.isna().all():
            raise _malformed(what, "no 'norm' (monitored total) to compute a share; use measure='count'")
        zero = norm.fillna(0) <= 0
        values = (100.0 * daily["value"] / norm.where(~zero)).astype("float64")
        if zero.any():
            notes.append(f"{int(zero.sum())} day(s) without a monitored total: share unknown (NaN)")
        notes.append("value: matching articles as a percent of all articles GDELT monitored that day")
    else:
        values = daily["value"]
        notes.append("value: number of matching articles per day (GDELT's coverage itself varies)")
    partial = np.zeros(len(values), dtype=bool)
    if today is not None:
        partial = np.asarray(values.index >= pd.Timestamp(today))
        if partial.any():
            notes.append(f"{int(partial.sum())} day(s) still being counted (today, UTC): flagged partial")
    if bool((daily["value"] == 0).all()):
        notes.append(f"warning: no article matched {query!r} on any day; kept as data (zero volume)")
    index = pd.DatetimeIndex(values.index)
    flags = pd.DataFrame({"partial": partial}, index=index)
    meta = SeriesMeta(
        id=query,
        kind="news",  # type: ignore[arg-type]  # "news" joins schema.Kind with the attention fallback
        source="gdelt",
        origin=origin,
        description=f"GDELT news volume ({UNITS[measure]})",
        frequency="D",
        units=UNITS[measure],
        notes=tuple(notes),
    )
    return SeriesData(meta, pd.Series(values.to_numpy(dtype="float64"), index=index), flags)
