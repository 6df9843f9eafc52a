"""Earnings calendars: the ``date,ticker,eps_estimate,eps_actual`` file format, the yfinance connector
(replayed on hand-built frames in the format ``Ticker.get_earnings_dates`` documents), a theme's
``[events] earnings`` filling dated ``earnings`` events with the surprise, and the flagship's mega-cap
earnings-miss trigger firing on a miss.

Every earnings number here is HAND-BUILT for the tests (not recorded from Yahoo): NVDA "missing" its
estimate on 2026-01-14 and on 2016-12-29 are invented to exercise the trigger.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hypecheck.errors import BadResponseError, NotFoundError, OfflineError, ThemeError
from hypecheck.theme import load_theme, parse_theme

# hand-built: NVDA misses on 2026-01-14 (1.41 against 1.52: -7.2%), MSFT beats on 2026-01-13
CALENDAR = """date,ticker,eps_estimate,eps_actual
2025-11-19,NVDA,1.25,1.30
2026-01-13,MSFT,3.90,4.14
2026-01-14,NVDA,1.52,1.41
2026-02-25,NVDA,1.60,
"""


def _calendar_catalog(tmp_path: Path, text: str = CALENDAR) -> Any:
    from hypecheck.data.folder import FilesSource

    (tmp_path / "cal").mkdir(exist_ok=True)
    (tmp_path / "cal" / "earnings.csv").write_text(text)
    return FilesSource(tmp_path / "cal").load()


def test_the_file_format_is_detected_and_read(tmp_path: Path) -> None:
    cat = _calendar_catalog(tmp_path)
    (entry,) = cat.report.loaded
    assert entry.format == "earnings"
    assert sorted(cat.ids("earnings")) == [
        "MSFT:eps_actual",
        "MSFT:eps_estimate",
        "NVDA:eps_actual",
        "NVDA:eps_estimate",
    ]
    act = cat.get("earnings", "NVDA:eps_actual").values
    assert act.to_dict() == {pd.Timestamp("2025-11-19"): 1.30, pd.Timestamp("2026-01-14"): 1.41}
    assert cat.get("earnings", "NVDA:eps_estimate").values[pd.Timestamp("2026-02-25")] == 1.60
    assert "1 missing value" in entry.reason  # the report not made yet: counted, not silent


def test_events_carry_the_surprise_and_never_an_actual_after_the_as_of_date(tmp_path: Path) -> None:
    from hypecheck.panel import earnings_events

    cat = _calendar_catalog(tmp_path)
    events, gone = earnings_events(cat, ("NVDA", "MSFT", "AAPL"), pd.Timestamp("2026-01-13"))
    assert set(gone) == {"AAPL"} and "earnings calendar" in gone["AAPL"]
    by = {(e.tickers[0], str(e.date)): e for e in events}
    msft = by[("MSFT", "2026-01-13")]
    assert msft.surprise == pytest.approx((4.14 - 3.90) / 3.90)
    assert msft.label == "MSFT earnings: EPS 4.14 beat the 3.90 estimate, surprise +6.2%"
    nvda = by[("NVDA", "2026-01-14")]  # the day after the as-of date: upcoming, its actual unseen
    assert nvda.eps_actual is None and nvda.surprise is None and nvda.eps_estimate == 1.52
    assert nvda.label == "NVDA earnings (EPS estimate 1.52)"


def _flagship_trigger(res: Any) -> Any:
    (t,) = [t for t in res.triggers if t.id == "megacap-earnings-miss"]
    return t


def test_an_nvda_miss_fires_the_flagship_trigger_on_the_bundled_data(tmp_path: Path) -> None:
    """Runs without ../shared: the bundled catalog plus a hand-built NVDA miss two days before the
    demo's as-of date (2016-12-31)."""
    from hypecheck.api import check, load_catalog
    from hypecheck.data.folder import FilesSource
    from hypecheck.schema import Catalog

    cal = tmp_path / "cal"
    cal.mkdir()
    (cal / "earnings.csv").write_text(
        "date,ticker,eps_estimate,eps_actual\n2016-11-10,NVDA,0.69,0.94\n2016-12-29,NVDA,0.90,0.80\n"
    )
    cat = Catalog("bundled")
    cat.extend(list(load_catalog(None)))
    cat.extend(list(FilesSource(cal).load()))
    res = check("small-cap-rotation", catalog=cat, source="bundled", calibrate=False)
    t = _flagship_trigger(res)
    assert t.state == "fired" and t.value == 1.0
    assert t.detail == "2016-12-29 NVDA earnings: EPS 0.80 missed the 0.90 estimate, surprise -11.1% (NVDA)"


@pytest.mark.shared
def test_an_nvda_miss_fires_the_flagship_trigger_on_the_shared_data(
    tmp_path: Path, shared_data: Path
) -> None:
    """The acceptance test: the shared data (linked, not copied) plus a hand-built earnings calendar
    with an NVDA miss on 2026-01-14: the flagship's trigger fires as of 2026-01-16 with the surprise in
    its finding, and is quiet a week later (the miss left the 7-day window) and before the report."""
    from hypecheck.api import check

    data = tmp_path / "data"
    data.mkdir()
    for p in shared_data.iterdir():
        os.symlink(p, data / p.name)
    (data / "earnings.csv").write_text(CALENDAR)
    res = check("small-cap-rotation", as_of="2026-01-16", data=data, calibrate=False)
    t = _flagship_trigger(res)
    assert t.state == "fired", t.detail
    assert t.detail == "2026-01-14 NVDA earnings: EPS 1.41 missed the 1.52 estimate, surprise -7.2% (NVDA)"
    d = {x["id"]: x for x in res.to_dict()["triggers"]}["megacap-earnings-miss"]
    assert "surprise -7.2%" in d["detail"] and d["state"] == "fired"
    later = _flagship_trigger(check("small-cap-rotation", as_of="2026-01-23", data=data, calibrate=False))
    assert later.state == "quiet" and "last: 2026-01-14 NVDA earnings: EPS 1.41 missed" in later.detail
    before = _flagship_trigger(check("small-cap-rotation", as_of="2026-01-13", data=data, calibrate=False))
    # the MSFT beat of that day is in the window but is no miss; NVDA's report is upcoming, unseen
    assert before.state == "quiet" and "MSFT earnings: EPS 4.14 beat" in before.detail
    assert "next: 2026-01-14 NVDA earnings (EPS estimate 1.52)" in before.detail


# ---------------------------------------------------------------------------- the connector


def _documented_frame(rows: list[tuple[str, float | None, float | None]]) -> pd.DataFrame:
    """HAND-BUILT in the format yfinance's ``get_earnings_dates`` documents: indexed by 'Earnings
    Date' (time-zone aware, America/New_York, the report's time), columns 'EPS Estimate', 'Reported
    EPS', 'Surprise(%)' (NaN for a report not made yet)."""
    idx = pd.DatetimeIndex([pd.Timestamp(d) for d, _, _ in rows]).tz_localize("America/New_York")
    est = [e for _, e, _ in rows]
    act = [a for _, _, a in rows]
    sur = [None if a is None or e is None else round(100 * (a - e) / abs(e), 2) for _, e, a in rows]
    df = pd.DataFrame(
        {"EPS Estimate": est, "Reported EPS": act, "Surprise(%)": sur}, index=idx, dtype="float64"
    )
    df.index.name = "Earnings Date"
    return df


class _Ticker:
    def __init__(self, frame: Any = None, exc: Exception | None = None) -> None:
        self.frame, self.exc = frame, exc
        self.asked: list[int] = []

    def get_earnings_dates(self, limit: int = 12) -> Any:
        self.asked.append(limit)
        if self.exc is not None:
            raise self.exc
        return self.frame


def test_the_connector_replays_a_documented_frame_into_the_store_and_the_trigger(tmp_path: Path) -> None:
    from hypecheck.data.connectors.earnings import EarningsProvider
    from hypecheck.fetch import fetch_theme
    from hypecheck.panel import build_panel, requested
    from hypecheck.rules import load_rules
    from hypecheck.store import Store
    from hypecheck.triggers import evaluate

    frame = _documented_frame(
        [
            ("2026-02-25 16:00", 1.60, None),  # upcoming
            ("2026-01-14 16:00", 1.52, 1.41),  # an evening report: still the 14th in New York
            ("2025-11-19 16:00", 1.25, 1.30),
        ]
    )
    ticker = _Ticker(frame)
    prov = EarningsProvider(ticker_factory=lambda sym: ticker, limit=8)
    q = prov.query("nvda")
    assert q.id == "NVDA" and q.kind == "earnings" and "finance.yahoo.com/calendar/earnings" in q.url
    series = {s.meta.id: s.values for s in prov.standardize(prov.fetch(q))}
    assert ticker.asked == [8]
    assert series["NVDA:eps_actual"].to_dict() == {
        pd.Timestamp("2025-11-19"): 1.30,
        pd.Timestamp("2026-01-14"): 1.41,
    }
    assert series["NVDA:eps_estimate"].index[-1] == pd.Timestamp("2026-02-25")

    theme = parse_theme(
        {
            "id": "t",
            "title": "t",
            "question": "q",
            "price": {"pairs": [{"leader": "AAA", "laggard": "BBB"}]},
            "events": {"earnings": ["NVDA"]},
            "triggers": [
                {
                    "id": "miss",
                    "kind": "event",
                    "description": "an NVDA miss",
                    "params": {"tickers": ["NVDA"], "event_kind": "earnings", "surprise_below": 0.0},
                }
            ],
        }
    )

    class _NoPrices:
        name, kinds = "yahoo", ("price",)

        def query(self, id: str, start: Any = None, end: Any = None, **o: Any) -> Any:
            from hypecheck.data.connectors.base import Query

            return Query("yahoo", "price", id, "https://example.invalid")

        def fetch(self, q: Any) -> Any:
            from hypecheck.data.connectors.base import Raw

            return Raw(q, 200, b"", dt.datetime(2026, 1, 1))

        def standardize(self, raw: Any) -> list[Any]:
            return []

    store = Store(tmp_path / "s.duckdb")
    items = fetch_theme(theme, store, providers={"yahoo": _NoPrices(), "yahoo-earnings": prov})
    assert {i.id: i.status for i in items if i.kind == "earnings"} == {"NVDA": "fetched"}
    assert ("earnings", "NVDA:eps_actual") in requested(theme, "store")
    cat = store.catalog(ids=requested(theme, "store"))
    panel = build_panel(theme, cat, pd.Timestamp("2026-01-16"), "store")
    (st,) = evaluate(panel, load_rules(None))
    assert st.state == "fired" and "surprise -7.2%" in st.detail


def test_connector_failures_are_the_transport_s(tmp_path: Path) -> None:
    from hypecheck.data.connectors.earnings import EarningsProvider

    def prov(t: _Ticker) -> EarningsProvider:
        return EarningsProvider(ticker_factory=lambda sym: t)

    q = prov(_Ticker()).query("NVDA")
    with pytest.raises(NotFoundError, match="no earnings dates for NVDA"):
        prov(_Ticker(None)).fetch(q)
    with pytest.raises(OfflineError, match="network error"):
        prov(_Ticker(exc=ConnectionError("down"))).fetch(q)
    bad = pd.DataFrame({"Estimate": [1.0]}, index=pd.DatetimeIndex(["2026-01-14"]))
    with pytest.raises(BadResponseError, match="not the documented format"):
        prov(_Ticker(bad)).fetch(q)


def test_the_theme_key_is_validated() -> None:
    base: dict[str, Any] = {
        "id": "t",
        "title": "t",
        "question": "q",
        "price": {"pairs": [{"leader": "AAA", "laggard": "BBB"}]},
    }
    th = parse_theme(base | {"events": {"earnings": ["nvda", "NVDA", "msft"]}})
    assert th.earnings == ("NVDA", "MSFT")
    with pytest.raises(ThemeError) as exc:
        parse_theme(base | {"events": {"earning": ["NVDA"], "dated": [{"date": "x", "label": "y"}]}})
    assert "unknown key 'earning' (did you mean 'earnings'?)" in str(exc.value)
    assert "events.dated[0].date" in str(exc.value)
    flag = load_theme("small-cap-rotation")
    assert flag.earnings == ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META") and len(flag.events) == 5
    (t,) = [t for t in flag.triggers if t.id == "megacap-earnings-miss"]
    assert t.params["surprise_below"] == 0.0
