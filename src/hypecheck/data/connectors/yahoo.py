"""The ``yahoo`` provider: daily adjusted closes from Yahoo Finance's v8 chart endpoint, through yfinance.

``GET https://query1.finance.yahoo.com/v8/finance/chart/{symbol}`` with ``period1``/``period2`` (unix
seconds), ``interval=1d``, ``events=div,splits`` and ``includeAdjustedClose=true``. The answer is
``{"chart": {"result": [{"meta": {...}, "timestamp": [...], "events": {...}, "indicators": {"quote":
[{"close": [...], ...}], "adjclose": [{"adjclose": [...]}]}}], "error": null}}``; an unknown symbol is
HTTP 404 with ``{"chart": {"result": null, "error": {"code": "Not Found", "description": ...}}}``.

**Through yfinance.** Yahoo rejects plain HTTP clients by their TLS fingerprint and wants a cookie
and a "crumb" token; yfinance (kept up by a large community) impersonates a browser through
``curl_cffi`` and follows each such change within days. The request is sent by yfinance's HTTP layer
(``yfinance.data.YfData.get``: its session, browser impersonation, cookie, crumb, consent page, and
one re-request with a fresh cookie after a 4xx), inside the shared
:class:`~hypecheck.data.transport.Transport` (the project's one retry loop, typed failures). We do not
call ``Ticker.history``: it issues a second request for the time zone, caches answers in memory and
on disk, and reports failures as log lines and empty frames unless a global flag is flipped; the chart
JSON it reads is the documented one above, which :func:`_standardize` reads with clear errors.
``yfinance.data.YfData`` is yfinance's internal layer, so the ``live`` extra pins ``yfinance<2``.

Injection (tests, or your own session): ``session=`` is a ``requests`` or ``curl_cffi`` session handed
to yfinance; ``client=`` is an ``httpx.Client`` wrapped into a ``requests`` session (a transport
adapter), so the same respx replays drive yfinance's whole exchange (cookie, crumb, chart) offline.
Neither given: yfinance's own browser-impersonating session.

Standardisation:

* the value is the **adjusted close** (dividends and splits folded in, like the project's shared
  data); a response without ``adjclose`` falls back to ``close`` and says so in the notes;
* each timestamp (a bar's start, in UTC) becomes the **exchange's local date** using
  ``meta.exchangeTimezoneName`` (``America/New_York`` when absent or unknown): a Sydney bar stamped
  ``2024-01-02 23:00 UTC`` is the trading day 2024-01-03;
* null closes (Yahoo's placeholder for halted or not-yet-filled bars) are dropped and counted, as are
  non-positive prices; duplicate dates keep the last bar (counted); all counts go to ``meta.notes``;
* split events are listed in ``meta.notes`` (``split 2020-08-31 4:1``); dividends are counted there.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from ...errors import InputError, MissingDependencyError, NoDataError, ProviderError, UnknownSeriesError
from ...schema import SeriesData, SeriesMeta, infer_frequency
from ..transport import Response
from .base import Http, Query, Raw, as_date, register_provider

__all__ = ["CHART_URL", "YahooProvider"]

CHART_URL = "https://query1.finance.yahoo.com/v8/finance/chart/{symbol}"
DEFAULT_TZ = "America/New_York"
EARLIEST = dt.date(1900, 1, 1)  # start=None asks for everything (yfinance asks from 1900 too)
SYMBOL = re.compile(r"^[A-Z0-9^.=\-_]{1,32}$")
_HINT_SYMBOL = "check the ticker as Yahoo spells it (BRK-B, ^GSPC, EURUSD=X) on https://finance.yahoo.com"


def _unix(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp())


def _yfinance_data() -> Any:
    try:
        from yfinance.data import YfData
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            "Yahoo Finance prices need yfinance", hint="pip install 'hypecheck[live]'"
        ) from exc
    return YfData


def requests_session_over(client: Any) -> Any:
    """A ``requests.Session`` whose every request is sent by the ``httpx.Client`` ``client`` (a
    ``requests`` transport adapter): hands an httpx client (respx-replayed in tests) to yfinance."""
    import requests
    from requests.adapters import BaseAdapter
    from requests.structures import CaseInsensitiveDict

    from ..transport import httpx_module

    httpx = httpx_module()

    class HttpxAdapter(BaseAdapter):
        def send(
            self,
            request: Any,
            stream: bool = False,
            timeout: Any = None,
            verify: Any = True,
            cert: Any = None,
            proxies: Any = None,
        ) -> Any:
            try:
                r = client.request(
                    request.method or "GET",
                    request.url,
                    headers=dict(request.headers),
                    content=request.body,
                    follow_redirects=True,
                )
            except httpx.TimeoutException as exc:
                raise requests.exceptions.ConnectTimeout(str(exc), request=request) from None
            except httpx.HTTPError as exc:
                raise requests.exceptions.ConnectionError(str(exc), request=request) from None
            out = requests.Response()
            out.status_code = r.status_code
            out._content = r.content
            # httpx has already undone any content encoding
            out.headers = CaseInsensitiveDict(
                {k: v for k, v in r.headers.items() if k.lower() != "content-encoding"}
            )
            out.url = str(r.url)
            out.reason = r.reason_phrase
            out.encoding = r.encoding
            out.request = request
            return out

        def close(self) -> None:
            return None

    session = requests.Session()
    adapter = HttpxAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class YahooProvider:
    """Daily adjusted closes from Yahoo Finance through yfinance (see the module docstring).

    ``session`` (for yfinance) or ``client`` (an ``httpx.Client``), ``http`` (an :class:`Http`) and
    ``sleep`` are injectable; ``now`` gives the current time for ``period2`` when no end date is asked
    for.
    """

    name = "yahoo"
    kinds: tuple[str, ...] = ("price",)

    def __init__(
        self,
        http: Http | None = None,
        *,
        session: Any = None,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 3,
        backoff: float = 1.0,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.session = (
            session if session is not None else (None if client is None else requests_session_over(client))
        )
        self.http = http or Http(self.name, send=self._send, retries=retries, backoff=backoff, sleep=sleep)
        self._now = now

    def _send(
        self, url: str, params: Mapping[str, str], headers: Mapping[str, str], timeout: float
    ) -> Response:
        """One GET through yfinance's HTTP layer; its failures as the transport's (a 429 answer,
        ``TimeoutError``, ``ConnectionError``)."""
        YfData = _yfinance_data()
        from yfinance.exceptions import YFRateLimitError

        data = YfData(session=self.session) if self.session is not None else YfData()
        try:
            r = data.get(url, params=dict(params), timeout=timeout)
        except YFRateLimitError:
            return Response(429, b"", {})
        except Exception as exc:
            names = {c.__name__ for c in type(exc).__mro__}
            if names & {"Timeout", "TimeoutError", "ConnectTimeout", "ReadTimeout"}:
                raise TimeoutError(type(exc).__name__) from None
            if isinstance(exc, OSError) or names & {
                "ConnectionError",
                "RequestException",
                "RemoteDisconnected",
            }:
                raise ConnectionError(str(exc) or type(exc).__name__) from None
            raise ProviderError(
                f"Yahoo Finance: yfinance failed ({type(exc).__name__}: {str(exc)[:120]})",
                hint="update yfinance (pip install -U yfinance) and retry; or load a CSV export with the "
                "files source",
            ) from None
        return Response(int(r.status_code), bytes(r.content), {k.lower(): v for k, v in r.headers.items()})

    # ------------------------------------------------------------------ the three steps
    def query(
        self, id: str, start: dt.date | None = None, end: dt.date | None = None, **options: Any
    ) -> Query:
        symbol = id.strip().upper()
        if not SYMBOL.match(symbol):
            raise InputError(f"not a Yahoo Finance symbol: {id!r}", hint=_HINT_SYMBOL)
        first = as_date(start, symbol)
        last = as_date(end, symbol)
        if first and last and first > last:
            raise InputError(f"{symbol}: start {first} is after end {last}", hint="swap the dates")
        # a day of margin on both sides: bars are stamped in UTC, dates are exchange-local
        period1 = _unix((first or EARLIEST) - dt.timedelta(days=1))
        period2 = _unix(last + dt.timedelta(days=2)) if last else int(self._now())
        params = {
            "period1": str(period1),
            "period2": str(period2),
            "interval": "1d",
            "events": "div,splits",
            "includeAdjustedClose": "true",
        }
        url = CHART_URL.format(symbol=urllib.parse.quote(symbol, safe=""))
        return Query(self.name, "price", symbol, url, params, first, last, dict(options))

    def fetch(self, query: Query) -> Raw:
        status, content, headers = self.http.get(query, what=f"Yahoo Finance prices for {query.id!r}")
        return Raw(query, status, content, dt.datetime.now(dt.UTC), headers)

    def standardize(self, raw: Raw) -> list[SeriesData]:
        return [_standardize(raw)]

    def get(
        self, id: str, start: dt.date | None = None, end: dt.date | None = None, **opts: Any
    ) -> list[SeriesData]:
        """``standardize(fetch(query(...)))``."""
        return self.standardize(self.fetch(self.query(id, start, end, **opts)))


# ---------------------------------------------------------------------- parsing


def _malformed(sym: str, raw: Raw, why: str) -> ProviderError:
    return ProviderError(
        f"Yahoo Finance prices for {sym!r}: malformed response: {why} ({raw.query.describe()})",
        hint="Yahoo may have changed the chart API or served an error page; retry later, or load a CSV "
        "export with the files source",
    )


def _error_of(doc: Any) -> tuple[str, str] | None:
    chart = doc.get("chart") if isinstance(doc, Mapping) else None
    err = chart.get("error") if isinstance(chart, Mapping) else None
    if isinstance(err, Mapping):
        return str(err.get("code") or ""), str(err.get("description") or "")
    return None


def _numbers(values: Any, sym: str, raw: Raw, what: str, n: int) -> np.ndarray:
    if not isinstance(values, list) or len(values) != n:
        raise _malformed(sym, raw, f"{what} is not a list of {n} values (one per timestamp)")
    try:
        return np.array([np.nan if v is None else float(v) for v in values], dtype="float64")
    except (TypeError, ValueError):
        raise _malformed(sym, raw, f"{what} holds a value that is not a number") from None


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _local_dates(stamps: Any, tz: str) -> pd.DatetimeIndex:
    utc = pd.to_datetime(np.asarray(stamps, dtype="int64"), unit="s", utc=True)
    return pd.DatetimeIndex(utc.tz_convert(tz).tz_localize(None).normalize())


def _document(raw: Raw) -> Mapping[str, Any]:
    """The chart JSON of ``raw``, or the typed error its status, Yahoo's error object or its body says."""
    sym = raw.query.id
    text = raw.content.strip()
    doc: Any = None
    if text:
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
    if raw.status == 404 or (_error_of(doc) or ("", ""))[0] == "Not Found":
        desc = (_error_of(doc) or ("", "no data found"))[1]
        raise UnknownSeriesError(f"Yahoo Finance does not know the symbol {sym!r}: {desc}", hint=_HINT_SYMBOL)
    err = _error_of(doc)
    if err is not None:
        raise ProviderError(
            f"Yahoo Finance prices for {sym!r}: HTTP {raw.status}, Yahoo error {err[0]!r}: {err[1]} "
            f"({raw.query.describe()})",
            hint="check the symbol and the date range, then retry",
        )
    if raw.status != 200:
        raise ProviderError(
            f"Yahoo Finance prices for {sym!r}: unexpected HTTP {raw.status} ({raw.query.describe()})",
            hint="Yahoo may be restricting the endpoint (401/403 mean it wants cookies); retry later, or "
            "load a CSV export with the files source",
        )
    if not text:
        raise ProviderError(
            f"Yahoo Finance prices for {sym!r}: empty response ({raw.query.describe()})",
            hint="retry later; an empty answer is usually a transient Yahoo problem",
        )
    if doc is None:
        start = text[:40].decode("utf-8", "replace")
        raise _malformed(sym, raw, f"not JSON (it starts {start!r})")
    return doc  # type: ignore[no-any-return]


def _result(raw: Raw, doc: Mapping[str, Any], span: str) -> tuple[Mapping[str, Any], list[int]]:
    """``chart.result[0]`` and its timestamps, checked."""
    sym = raw.query.id
    chart = doc.get("chart") if isinstance(doc, Mapping) else None
    result = chart.get("result") if isinstance(chart, Mapping) else None
    if not isinstance(result, list):
        raise _malformed(sym, raw, "no chart.result list")
    if not result:
        raise NoDataError(f"Yahoo Finance returned no result for {sym!r}", hint=_HINT_SYMBOL)
    res = result[0]
    if not isinstance(res, Mapping):
        raise _malformed(sym, raw, "chart.result[0] is not an object")
    stamps = res.get("timestamp")
    if not stamps:
        raise NoDataError(
            f"Yahoo Finance has no daily prices for {sym!r} from {span}",
            hint="widen the date range (the symbol may have started trading later or been delisted)",
        )
    if not isinstance(stamps, list) or not all(
        isinstance(t, int) and not isinstance(t, bool) for t in stamps
    ):
        raise _malformed(sym, raw, "timestamp is not a list of integers")
    return res, stamps


def _closes(raw: Raw, res: Mapping[str, Any], n: int, notes: list[str]) -> tuple[np.ndarray, str]:
    """The adjusted closes (else the closes, said in ``notes``) and their label."""
    sym = raw.query.id
    ind = res.get("indicators")
    if not isinstance(ind, Mapping):
        raise _malformed(sym, raw, "no indicators object")
    adj = ind.get("adjclose")
    if isinstance(adj, list) and adj and isinstance(adj[0], Mapping) and "adjclose" in adj[0]:
        notes.append("price is the adjusted close: splits and dividends folded in")
        return _numbers(adj[0]["adjclose"], sym, raw, "adjclose", n), "adjusted close"
    quote = ind.get("quote")
    if not (isinstance(quote, list) and quote and isinstance(quote[0], Mapping) and "close" in quote[0]):
        raise _malformed(sym, raw, "neither indicators.adjclose nor indicators.quote[0].close")
    notes.append("no adjclose in the response: price is the close (split-adjusted only, no dividends)")
    return _numbers(quote[0]["close"], sym, raw, "close", n), "close"


def _exchange_tz(meta: Mapping[str, Any], notes: list[str]) -> str:
    tz = str(meta.get("exchangeTimezoneName") or "")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        if tz:
            notes.append(f"unknown exchange time zone {tz!r}: dates read in {DEFAULT_TZ}")
        tz = DEFAULT_TZ
    return tz


def _clean(raw: Raw, values: np.ndarray, dates: pd.DatetimeIndex, notes: list[str]) -> pd.Series:
    """Bars inside the asked range, without null or non-positive closes, sorted, one per date."""
    keep = np.ones(
        len(values), dtype=bool
    )  # only bars dated inside the asked range (the request has a margin)
    if raw.query.start is not None:
        keep &= np.asarray(dates >= pd.Timestamp(raw.query.start))
    if raw.query.end is not None:
        keep &= np.asarray(dates <= pd.Timestamp(raw.query.end))
    null = keep & np.isnan(values)
    if null.any():
        notes.append(f"{int(null.sum())} bar(s) with a null close dropped")
    keep &= ~null
    nonpos = keep & (np.nan_to_num(values, nan=1.0) <= 0)
    if nonpos.any():
        notes.append(f"{int(nonpos.sum())} bar(s) with a zero or negative price dropped")
    keep &= ~nonpos
    series = pd.Series(values[keep], index=dates[keep], dtype="float64")
    if not series.index.is_monotonic_increasing:
        series = series.sort_index(kind="stable")
        notes.append("bars were out of time order: sorted")
    dup = series.index.duplicated(keep="last")
    if dup.any():
        notes.append(f"{int(dup.sum())} bar(s) on an already-seen local date replaced by the later bar")
        series = series[~dup]
    return series


def _event_notes(res: Mapping[str, Any], tz: str) -> list[str]:
    """Splits (dated, with their ratio) and the dividend count, as notes."""
    events = _obj(res.get("events"))
    splits = _obj(events.get("splits"))
    split_notes = []
    for ev in splits.values():
        if not isinstance(ev, Mapping) or not isinstance(ev.get("date"), int):
            continue
        day = _local_dates([ev["date"]], tz)[0].date()
        ratio = ev.get("splitRatio") or f"{ev.get('numerator')}:{ev.get('denominator')}"
        split_notes.append((day, f"split {day} {ratio} (folded into the adjusted close)"))
    notes = [text for _, text in sorted(split_notes)]
    dividends = _obj(events.get("dividends"))
    if dividends:
        notes.append(f"{len(dividends)} dividend(s) in the range (folded into the adjusted close)")
    return notes


def _standardize(raw: Raw) -> SeriesData:
    sym = raw.query.id
    doc = _document(raw)
    span = f"{raw.query.start or 'the first trade'} to {raw.query.end or 'today'}"
    res, stamps = _result(raw, doc, span)
    meta = _obj(res.get("meta"))
    notes: list[str] = []
    values, label = _closes(raw, res, len(stamps), notes)
    tz = _exchange_tz(meta, notes)
    series = _clean(raw, values, _local_dates(stamps, tz), notes)
    if series.empty:
        raise NoDataError(
            f"Yahoo Finance has no usable prices for {sym!r} from {span}: {len(stamps)} bar(s), every one "
            "null or outside the range",
            hint="widen the date range",
        )
    notes.extend(_event_notes(res, tz))
    notes.append(f"dates are exchange-local ({tz})")
    currency = str(meta.get("currency") or "")
    name = str(meta.get("longName") or meta.get("shortName") or "")
    info = SeriesMeta(
        id=sym,
        kind="price",
        source="yahoo",
        origin=raw.query.describe(),
        description=f"Yahoo Finance daily {label} of {sym}" + (f" ({name})" if name else ""),
        frequency=infer_frequency(pd.DatetimeIndex(series.index)),
        units=currency,
        notes=tuple(notes),
    )
    return SeriesData(info, series)


register_provider("yahoo", YahooProvider, default=True)
