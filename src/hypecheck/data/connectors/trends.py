"""The ``trends`` provider: Google Trends interest over time through its unofficial web API.

``pytrends`` is unmaintained (no release since 2023), so the two-step protocol it uses is implemented
here with httpx, through :class:`~hypecheck.data.connectors.base.Http` (retries, back-off):

1. ``GET https://trends.google.com/trends/api/explore`` with ``hl``, ``tz`` and ``req`` (JSON:
   ``{"comparisonItem": [{"keyword": term, "geo": geo, "time": "2004-01-01 2025-12-31"}],
   "category": 0, "property": ""}``). The body is the XSSI prefix ``)]}'`` then JSON whose
   ``widgets`` include one with ``"id": "TIMESERIES"`` carrying a ``token`` and a ``request``.
2. ``GET https://trends.google.com/trends/api/widgetdata/multiline`` with ``req`` (that widget's
   ``request`` as JSON), ``token`` and ``tz``. The body is ``)]}',`` then ``{"default":
   {"timelineData": [{"time": "1577836800", "value": [52], "formattedValue": ["52"], "hasData":
   [true], "isPartial": true}, ...]}}``.

Before the first request the provider visits ``https://trends.google.com/trends/`` once (``warm_up``)
to receive Google's cookies, as pytrends does; without them the API answers 429 more often.

Trends *samples*: two pulls of the same request can differ. ``pulls=N`` repeats the two steps N times
(``pause`` seconds apart), averages them and keeps every pull in :attr:`SeriesData.pulls`
(``pull_1``...); the spread across pulls (standard deviation per period; :func:`pull_dispersion`) is
summarised in the notes. Google may serve a cached sample to repeated requests, in which case the
pulls are identical and the notes say so.

Conventions are the ``files`` source's, from one implementation (:mod:`hypecheck.data.parsers.trends`):
``<1`` cells (``formattedValue`` ``"<1"``) become 0.5 with the ``below_one`` flag, a cell without a
value is missing (never 0); ``isPartial`` marks the ``partial`` flag (the incomplete last period); the
notes use the same wording. Dates are the period starts in UTC (``tz=0``).

Failures: HTTP 429 after the back-off is a :class:`ProviderError` saying Google is rate limiting;
a 200 carrying an HTML "unusual traffic"/captcha page is a ProviderError ("block page"); no data for a
term (too little search volume) is :class:`NoDataError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from ...errors import InputError, NoDataError, ProviderError, RateLimitedError
from ...schema import SeriesData, SeriesMeta, infer_frequency
from ..parsers.trends import TRENDS_UNITS, combine_pulls, parse_multiline, xssi_json
from .base import Http, Query, Raw, _httpx, as_date, register_provider

__all__ = ["EXPLORE_URL", "MULTILINE_URL", "TrendsProvider", "pull_dispersion"]

HOME_URL = "https://trends.google.com/trends/"
EXPLORE_URL = "https://trends.google.com/trends/api/explore"
MULTILINE_URL = "https://trends.google.com/trends/api/widgetdata/multiline"
FIRST_DAY = dt.date(2004, 1, 1)
MAX_PULLS = 50
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) hypecheck"
_BLOCK_MARKERS = ("unusual traffic", "captcha", "/sorry/", "not a robot")
_RATE_HINT = (
    "Google throttles automated Trends requests: wait (often an hour) and retry later; fewer pulls make "
    "fewer requests; or export the CSV from trends.google.com and load it with the files source"
)


def pull_dispersion(series: SeriesData) -> pd.Series | None:
    """Standard deviation across pulls per period (None with fewer than two pulls)."""
    if series.pulls is None or series.pulls.shape[1] < 2:
        return None
    return series.pulls.std(axis=1, ddof=1).rename(f"{series.meta.id} dispersion")


class TrendsProvider:
    """Google Trends interest over time (see the module docstring)."""

    name = "trends"
    kinds: tuple[str, ...] = ("search",)

    def __init__(
        self,
        http: Http | None = None,
        *,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 3,
        backoff: float = 1.0,
        pause: float = 1.0,
        warm_up: bool = True,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.http = http or Http(
            self.name,
            client,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
            headers={"User-Agent": USER_AGENT},
        )
        self.sleep = sleep
        self.pause = pause
        self.pauses: list[float] = []  # pauses slept between pulls (separate from back-off waits)
        self._warm = not warm_up
        self._today = today

    # ------------------------------------------------------------------ the three steps
    def query(
        self,
        id: str,
        start: dt.date | None = None,
        end: dt.date | None = None,
        *,
        geo: str = "",
        pulls: int = 1,
        hl: str = "en-US",
        category: int = 0,
        gprop: str = "",
        **options: Any,
    ) -> Query:
        """``geo``: ``""`` (worldwide) or a region code (``US``, ``US-CA``); ``pulls``: how many times
        to repeat the request (averaged); ``gprop``: ``""`` web, ``news``, ``youtube``..."""
        term = " ".join(id.split())
        if not term:
            raise InputError(
                "empty Google Trends search term", hint="give a search term, e.g. 'value stocks'"
            )
        if isinstance(pulls, bool) or not isinstance(pulls, int) or not 1 <= pulls <= MAX_PULLS:
            raise InputError(
                f"{term!r}: pulls must be an integer 1..{MAX_PULLS}, not {pulls!r}", hint="e.g. pulls=3"
            )
        first, last = as_date(start, term), as_date(end, term)
        if first is None and last is None:
            window = "all"
        else:
            first = max(first or FIRST_DAY, FIRST_DAY)
            last = last or self._today()
            if first > last:
                raise InputError(f"{term!r}: start {first} is after end {last}", hint="swap the dates")
            window = f"{first.isoformat()} {last.isoformat()}"
        geo = geo.strip().upper()
        req = {
            "comparisonItem": [{"keyword": term, "geo": geo, "time": window}],
            "category": int(category),
            "property": gprop,
        }
        params = {"hl": hl, "tz": "0", "req": json.dumps(req, separators=(",", ":"))}
        opts = {**options, "geo": geo, "pulls": pulls, "time": window}
        return Query(self.name, "search", term, EXPLORE_URL, params, first, last, opts)

    def fetch(self, query: Query) -> Raw:
        """Both steps, ``pulls`` times; ``Raw.parts`` holds each pull's multiline body."""
        self._warm_up()
        parts: list[bytes] = []
        status, headers = 200, dict[str, str]()
        for i in range(int(query.options.get("pulls", 1))):
            if i and self.pause > 0:
                self.pauses.append(self.pause)
                self.sleep(self.pause)
            widget = self._explore(query)
            status, body, headers = self._multiline(query, widget)
            parts.append(body)
        return Raw(query, status, parts[0], dt.datetime.now(dt.UTC), headers, parts)

    def standardize(self, raw: Raw) -> list[SeriesData]:
        parts = raw.parts or [raw.content]
        frames = [_parse_multiline(raw.query, body, i + 1) for i, body in enumerate(parts)]
        return [_combine(raw.query, frames)]

    def get(
        self, id: str, start: dt.date | None = None, end: dt.date | None = None, **opts: Any
    ) -> list[SeriesData]:
        """``standardize(fetch(query(...)))``."""
        return self.standardize(self.fetch(self.query(id, start, end, **opts)))

    # ------------------------------------------------------------------ HTTP steps
    def _warm_up(self) -> None:
        """One plain visit for Google's cookies; its failure is not an error (the API call decides)."""
        if self._warm:
            return
        self._warm = True
        httpx = _httpx()
        with contextlib.suppress(httpx.HTTPError):
            self.http.client.get(HOME_URL, params={"geo": "US"}, headers=self.http.headers or None)

    def _get(self, query: Query, what: str) -> tuple[int, bytes, dict[str, str]]:
        try:
            status, body, headers = self.http.get(query, what=what)
        except RateLimitedError as exc:
            raise RateLimitedError(
                f"Google Trends is rate limiting (blocking) automated requests: {what} got HTTP 429 on all "
                f"{self.http.retries + 1} attempts",
                hint=_RATE_HINT,
                retry_after=exc.retry_after,
            ) from None
        _check_page(query, status, body, what)
        return status, body, headers

    def _explore(self, query: Query) -> Mapping[str, Any]:
        what = f"Google Trends explore for {query.id!r}"
        _, body, _ = self._get(query, what)
        doc = _xssi_json(query, body, what)
        widgets = doc.get("widgets") if isinstance(doc, Mapping) else None
        if not isinstance(widgets, list):
            raise _malformed(query, what, "no 'widgets' list")
        for w in widgets:
            if isinstance(w, Mapping) and w.get("id") == "TIMESERIES":
                if not isinstance(w.get("token"), str) or not isinstance(w.get("request"), Mapping):
                    raise _malformed(query, what, "the TIMESERIES widget has no token or request")
                return w
        raise _malformed(query, what, "no TIMESERIES widget (Google changed the explore answer?)")

    def _multiline(self, query: Query, widget: Mapping[str, Any]) -> tuple[int, bytes, dict[str, str]]:
        q = Query(
            self.name,
            "search",
            query.id,
            MULTILINE_URL,
            {
                "req": json.dumps(widget["request"], separators=(",", ":")),
                "token": widget["token"],
                "tz": "0",
            },
            query.start,
            query.end,
            query.options,
        )
        return self._get(q, f"Google Trends interest over time for {query.id!r}")


# ---------------------------------------------------------------------- parsing


def _malformed(query: Query, what: str, why: str) -> ProviderError:
    return ProviderError(
        f"{what}: malformed response: {why}",
        hint="Google changes this unofficial API without notice; retry later, or export the CSV from "
        "trends.google.com and load it with the files source",
    )


def _check_page(query: Query, status: int, body: bytes, what: str) -> None:
    if body.lstrip().startswith(b"<"):  # the API answers JSON behind )]}'; a page starts with a tag
        if any(m in body.decode("utf-8", "replace").lower() for m in _BLOCK_MARKERS):
            raise ProviderError(
                f"Google Trends returned a block page ('unusual traffic' / captcha) instead of data: {what}, "
                f"HTTP {status}",
                hint=_RATE_HINT,
            )
        raise ProviderError(
            f"Google Trends returned an HTML page instead of data: {what}, HTTP {status} (probably a "
            "block or consent page)",
            hint=_RATE_HINT,
        )
    if status == 400:
        raise InputError(
            f"Google Trends rejected the request for {what} (HTTP 400)",
            hint="check geo (e.g. US, US-CA), the dates (from 2004-01-01) and the category",
        )
    if status != 200:
        raise ProviderError(f"{what}: unexpected HTTP {status} ({query.describe()})", hint="retry later")
    if not body.strip():
        raise ProviderError(f"{what}: empty response", hint="retry later; Google may be throttling")


def _xssi_json(query: Query, body: bytes, what: str) -> Any:
    return xssi_json(body, what)


def _parse_multiline(query: Query, body: bytes, pull: int) -> pd.DataFrame:
    return parse_multiline(
        body,
        query.id,
        window=str(query.options.get("time") or ""),
        geo=str(query.options.get("geo") or ""),
        pull=pull,
    )


def _combine(query: Query, frames: list[pd.DataFrame]) -> SeriesData:
    term = query.id
    geo = str(query.options.get("geo") or "")
    if all(not f["has_data"].any() for f in frames):
        raise NoDataError(
            f"Google Trends has not enough data for {term!r} ({query.options.get('time')}, "
            f"geo {geo or 'worldwide'}): every period has hasData=false",
            hint="the term may have too little search volume; try a broader term, a wider region or window",
        )
    values, pulls, flags, pull_notes = combine_pulls(frames, term)
    notes = ([f"region: {geo}"] if geo else []) + [f"window: {query.options.get('time')}", *pull_notes]
    index = pd.DatetimeIndex(values.index)
    meta = SeriesMeta(
        id=term,
        kind="search",
        source="trends",
        origin=query.describe(),
        description="Google Trends interest over time (live, unofficial web API)",
        frequency=infer_frequency(index),
        units=TRENDS_UNITS,
        notes=tuple(notes),
    )
    return SeriesData(meta, values, flags, pulls if len(frames) > 1 else None)


register_provider("trends", TrendsProvider, default=True)
