"""The ``gdelt`` connector: daily news volume for a query from GDELT's DOC 2.0 API (free, keyless).

``GET https://api.gdeltproject.org/api/v2/doc/doc`` with ``query``, ``mode=timelinevolraw`` (matching
articles per interval, with ``norm``, all articles GDELT monitored), ``format=json``,
``startdatetime``/``enddatetime`` (``YYYYMMDDHHMMSS``, UTC). The answer's shape and the series built
from it are documented in :mod:`hypecheck.data.parsers.gdelt`; :func:`news_series` there is the pure
function that turns an answer into :class:`~hypecheck.schema.SeriesData` (kind ``news``).

Why a direct client and not ``gdeltdoc`` (1.12.0): ``gdeltdoc`` calls ``requests.get`` itself, with
no session or transport to inject, no retries or back-off, and its failures are ``requests``
exceptions or a bare ``ValueError``; its timeline result is a DataFrame that drops ``norm`` for
``timelinevol``. Our request is one GET with five parameters, so it runs on the shared
:class:`~hypecheck.data.transport.Transport` (the project's one retry loop, typed failures, respx
replay in tests) and the parsing stays a small pure function. What ``gdeltdoc`` documents (the modes,
the ``norm`` field, the HTML answer to an invalid query, the date format) is followed here.

Rules of the API, as GDELT states them: at most one request every 5 seconds (``min_interval``; a 429
otherwise); articles from 2017 on (the last 3 months most reliably); a phrase is quoted; keywords
shorter than three letters are rejected with an HTML message instead of JSON (an :class:`InputError`
quoting it).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from ...errors import InputError
from ...schema import SeriesData
from ..parsers.gdelt import MEASURES, news_series
from .base import Http, Query, Raw, as_date, register_provider

__all__ = ["DOC_URL", "GdeltProvider", "news_series"]

DOC_URL = "https://api.gdeltproject.org/api/v2/doc/doc"
FIRST_DAY = dt.date(2017, 1, 1)
DEFAULT_DAYS = 90  # start=None: the last three months (what the API covers most reliably)
MIN_INTERVAL = 5.0  # seconds between requests, as GDELT asks
MODES = ("timelinevolraw", "timelinevol")
_HINTS = {
    "rate_limited": "GDELT allows one request every 5 seconds: wait a minute and rerun; data already "
    "stored are kept",
}


def gdelt_query(term: str) -> str:
    """``term`` as a GDELT query: a phrase of several words in quotes (exact phrase), a single word
    as is; a term already holding quotes or operators (``OR``, ``sourcelang:``) is left alone."""
    term = " ".join(term.split())
    if '"' in term or ":" in term or " OR " in term or "(" in term or " " not in term:
        return term
    return f'"{term}"'


class GdeltProvider:
    """News volume per day for a query (see the module docstring).

    ``http`` (an :class:`Http`) or ``client`` (an ``httpx.Client``), ``sleep`` and ``min_interval`` are
    injectable; ``today`` gives the current UTC date (the default end; the partial last day)."""

    name = "gdelt"
    kinds: tuple[str, ...] = ("news",)

    def __init__(
        self,
        http: Http | None = None,
        *,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 3,
        backoff: float = 5.0,
        min_interval: float = MIN_INTERVAL,
        today: Callable[[], dt.date] = lambda: dt.datetime.now(dt.UTC).date(),
    ) -> None:
        self.http = http or Http(
            "GDELT",
            client,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
            min_interval=min_interval,
            hints=_HINTS,
        )
        self._today = today

    # ------------------------------------------------------------------ the three steps
    def query(
        self,
        id: str,
        start: dt.date | None = None,
        end: dt.date | None = None,
        *,
        measure: str = "share",
        mode: str = "timelinevolraw",
        **options: Any,
    ) -> Query:
        """``id``: the search term (a phrase is quoted); ``measure``: ``share`` (percent of monitored
        articles) or ``count``; ``mode``: ``timelinevolraw`` (default) or ``timelinevol``."""
        term = " ".join(id.split())
        if not term:
            raise InputError("empty GDELT query", hint="give a term, e.g. 'small caps'")
        if measure not in MEASURES:
            raise InputError(f"{term!r}: measure must be one of {', '.join(MEASURES)}, not {measure!r}")
        if mode not in MODES:
            raise InputError(f"{term!r}: mode must be one of {', '.join(MODES)}, not {mode!r}")
        if mode == "timelinevol" and measure == "count":
            raise InputError(
                f"{term!r}: mode timelinevol gives shares only", hint="use mode='timelinevolraw' for counts"
            )
        today = self._today()
        last = as_date(end, term) or today
        first = as_date(start, term) or (last - dt.timedelta(days=DEFAULT_DAYS))
        if first > last:
            raise InputError(f"{term!r}: start {first} is after end {last}", hint="swap the dates")
        if last < FIRST_DAY:
            raise InputError(
                f"{term!r}: GDELT's DOC API has articles from {FIRST_DAY} on, not up to {last}",
                hint="ask for dates from 2017 on",
            )
        first = max(first, FIRST_DAY)
        params = {
            "query": gdelt_query(term),
            "mode": mode,
            "format": "json",
            "startdatetime": f"{first:%Y%m%d}000000",
            "enddatetime": f"{last:%Y%m%d}235959",
        }
        opts = {**options, "measure": measure, "mode": mode}
        return Query(self.name, "news", term, DOC_URL, params, first, last, opts)

    def fetch(self, query: Query) -> Raw:
        what = f"GDELT news volume for {query.id!r}"
        r = self.http.request(query.url, query.params, what=what, shown=query.describe())
        html = "text/html" in r.headers.get("content-type", "") or r.content.lstrip()[:1] == b"<"
        if r.status == 200 and html:
            # GDELT answers an invalid query with 200 and a one-line HTML/text message instead of JSON
            message = " ".join(r.text().split())[:200]
            raise InputError(
                f"GDELT rejected the query {query.params.get('query')!r}: {message}",
                hint="keywords need three letters or more; quote phrases; see "
                "https://blog.gdeltproject.org/gdelt-doc-2-0-api-debuts/",
            )
        self.http.check(r, what=what, shown=query.describe())
        return Raw(query, r.status, r.content, dt.datetime.now(dt.UTC), dict(r.headers))

    def standardize(self, raw: Raw) -> list[SeriesData]:
        q = raw.query
        return [
            news_series(
                raw.content,
                q.id,
                measure=q.options.get("measure", "share"),
                mode=str(q.options.get("mode", "timelinevolraw")),
                start=q.start,
                end=q.end,
                today=self._today(),
                origin=q.describe(),
            )
        ]

    def get(
        self, id: str, start: dt.date | None = None, end: dt.date | None = None, **opts: Any
    ) -> list[SeriesData]:
        """``standardize(fetch(query(...)))``."""
        return self.standardize(self.fetch(self.query(id, start, end, **opts)))


register_provider("gdelt", GdeltProvider, default=True)
