"""Earnings dates with EPS estimate, actual and surprise, through yfinance's public API.

``yfinance.Ticker(symbol).get_earnings_dates(limit=N)`` returns, as its docstring documents, a
DataFrame indexed by ``Earnings Date`` (time-zone aware, America/New_York, the time of the report)
with the columns ``EPS Estimate``, ``Reported EPS`` and ``Surprise(%)`` (NaN for a report not made
yet; yfinance reads Yahoo's earnings calendar page ``finance.yahoo.com/calendar/earnings?symbol=``).
The three steps:

1. ``query(ticker)``: the symbol and the calendar page it stands for (no I/O);
2. ``fetch(query)``: one ``get_earnings_dates`` call (through ``ticker_factory``, injectable: tests
   replay a hand-built DataFrame in the documented format), the frame kept as CSV bytes
   ``date,eps_estimate,eps_actual,surprise_pct`` (the report's New York date);
3. ``standardize(raw)``: two series of kind ``earnings``, ``<TICKER>:eps_estimate`` and
   ``<TICKER>:eps_actual``, exactly as the earnings calendar file format reads them
   (:mod:`hypecheck.data.formats.earnings`). The surprise is recomputed from the two by the panel.

In the store they are series like any other: each value stored with the day it was fetched as its
vintage, so a later revision of an estimate never reaches a check as of an earlier date.

Failures are the transport's: a connection or timeout error is :class:`OfflineError`, a symbol
Yahoo has no earnings calendar for (yfinance returns None) :class:`NotFoundError`, a frame not in the
documented format :class:`BadResponseError`, yfinance not installed exit 4 with the install command.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from ...errors import BadResponseError, InputError, MissingDependencyError, NotFoundError, OfflineError
from ...schema import SeriesData, SeriesMeta
from ..formats.earnings import FIELDS, series_id
from .base import Query, Raw, register_provider

CALENDAR_URL = "https://finance.yahoo.com/calendar/earnings"
SYMBOL = re.compile(r"^[A-Z0-9^.=\-_]{1,32}$")
TZ = "America/New_York"
COLUMNS = {"EPS Estimate": "eps_estimate", "Reported EPS": "eps_actual", "Surprise(%)": "surprise_pct"}
DEFAULT_LIMIT = 40  # ten years of quarterly reports (Yahoo caps the page at 100)


def _yf_ticker(symbol: str) -> Any:
    try:
        import yfinance
    except ImportError:
        raise MissingDependencyError(
            "the earnings connector needs yfinance", hint="pip install 'hypecheck[live]'"
        ) from None
    return yfinance.Ticker(symbol)


def frame_to_csv(df: Any, symbol: str) -> bytes:
    """The documented ``get_earnings_dates`` frame as ``date,eps_estimate,eps_actual,surprise_pct``
    CSV bytes (New York report dates); BadResponseError when it is not in that format."""
    if not isinstance(df, pd.DataFrame):
        raise BadResponseError(
            f"Yahoo Finance earnings for {symbol}: yfinance returned {type(df).__name__}, not a table",
            hint="update yfinance (pip install -U yfinance) and retry",
        )
    gone = [c for c in ("EPS Estimate", "Reported EPS") if c not in df.columns]
    if gone or not isinstance(df.index, pd.DatetimeIndex):
        raise BadResponseError(
            f"Yahoo Finance earnings for {symbol}: not the documented format "
            + (f"(no {', '.join(gone)} column)" if gone else "(the index is not the earnings dates)"),
            hint="update yfinance (pip install -U yfinance) and retry",
        )
    idx = df.index
    if idx.tz is not None:  # the report's date in New York (an evening report stays on its day)
        idx = idx.tz_convert(TZ).tz_localize(None)
    out = pd.DataFrame(
        {
            "date": idx.normalize().strftime("%Y-%m-%d"),
            **{
                new: pd.to_numeric(df[old], errors="coerce").to_numpy() if old in df.columns else float("nan")
                for old, new in COLUMNS.items()
            },
        }
    )
    return out.to_csv(index=False).encode("utf-8")


class EarningsProvider:
    """Earnings dates, EPS estimate and actual from Yahoo Finance through yfinance (see the module).

    ``ticker_factory(symbol)`` returns an object with ``get_earnings_dates(limit=...)`` (default:
    ``yfinance.Ticker``); ``limit`` is how many reports to ask for (the most recent ones, upcoming
    included)."""

    name = "yahoo-earnings"
    kinds: tuple[str, ...] = ("earnings",)

    def __init__(
        self,
        *,
        ticker_factory: Callable[[str], Any] | None = None,
        limit: int = DEFAULT_LIMIT,
        **_transport: Any,  # sleep, retries ... (the registry passes them to every connector): unused
    ) -> None:
        self.ticker_factory = ticker_factory or _yf_ticker
        self.limit = max(1, min(int(limit), 100))

    def query(
        self, id: str, start: dt.date | None = None, end: dt.date | None = None, **options: Any
    ) -> Query:
        symbol = id.strip().upper()
        if not SYMBOL.match(symbol):
            raise InputError(
                f"not a Yahoo Finance symbol: {id!r}",
                hint="check the ticker as Yahoo spells it (BRK-B) on https://finance.yahoo.com",
            )
        limit = str(int(options.get("limit", self.limit)))
        return Query(
            self.name, "earnings", symbol, CALENDAR_URL, {"symbol": symbol, "size": limit}, start, end
        )

    def fetch(self, query: Query) -> Raw:
        limit = int(query.params.get("size", self.limit))
        try:
            df = self.ticker_factory(query.id).get_earnings_dates(limit=limit)
        except (ConnectionError, TimeoutError, OSError) as exc:
            raise OfflineError(
                f"Yahoo Finance earnings for {query.id}: network error ({type(exc).__name__})",
                hint="connect to the network and retry; or add an earnings calendar file "
                "(date,ticker,eps_estimate,eps_actual) to your data",
            ) from None
        except MissingDependencyError:
            raise
        except Exception as exc:
            names = {c.__name__ for c in type(exc).__mro__}
            if names & {"ConnectionError", "Timeout", "ReadTimeout", "ConnectTimeout", "RequestException"}:
                raise OfflineError(
                    f"Yahoo Finance earnings for {query.id}: network error ({type(exc).__name__})",
                    hint="connect to the network and retry",
                ) from None
            raise BadResponseError(
                f"Yahoo Finance earnings for {query.id}: yfinance failed ({type(exc).__name__}: {str(exc)[:120]})",
                hint="update yfinance (pip install -U yfinance) and retry; or add an earnings calendar file",
            ) from None
        if df is None or (isinstance(df, pd.DataFrame) and df.empty):
            raise NotFoundError(
                f"Yahoo Finance has no earnings dates for {query.id}",
                hint="check the ticker (a fund or an index has no earnings); or add an earnings calendar file",
            )
        return Raw(query, 200, frame_to_csv(df, query.id), dt.datetime.now(dt.UTC))

    def standardize(self, raw: Raw) -> list[SeriesData]:
        sym = raw.query.id
        df = pd.read_csv(io.BytesIO(raw.content), dtype={"date": str})
        df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
        df = df.dropna(subset=["date"]).sort_values("date").drop_duplicates("date", keep="last")
        out = []
        for f in FIELDS:
            s = pd.Series(
                pd.to_numeric(df[f], errors="coerce").to_numpy(), index=pd.DatetimeIndex(df["date"])
            )
            s = s.dropna().astype("float64")
            if s.empty:
                continue
            meta = SeriesMeta(
                id=series_id(sym, f),
                kind="earnings",
                source=self.name,
                origin=f"{CALENDAR_URL}?symbol={sym} (yfinance get_earnings_dates)",
                description=f"{sym} {f.replace('_', ' ')} (EPS) per report date",
                frequency="irregular",
                units="USD per share",
            )
            out.append(SeriesData(meta, s))
        return out

    def get(
        self, id: str, start: dt.date | None = None, end: dt.date | None = None, **opts: Any
    ) -> list[SeriesData]:
        """``standardize(fetch(query(...)))``."""
        return self.standardize(self.fetch(self.query(id, start, end, **opts)))


register_provider("yahoo-earnings", EarningsProvider, default=True)
