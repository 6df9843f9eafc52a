"""The ``gdelt`` connector (GDELT DOC 2.0 news volume), replayed: every answer comes from respx (the
hand-built fixture ``tests/fixtures/providers/gdelt_timelinevolraw.json`` in GDELT's documented shape,
see that folder's README, or hand-built bodies inline); ``sleep`` is recorded, never waited.

Covers the documented response (share and count, checked against numbers worked out by hand), a 429
(then 200; and on every attempt), an empty timeline, a malformed body, GDELT's HTML answer to an
invalid query, sub-daily intervals, the partial last day, request spacing and the registry route for
kind ``news``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
import respx

from hypecheck.data import registry
from hypecheck.data.connectors.gdelt import DOC_URL, GdeltProvider, gdelt_query
from hypecheck.data.parsers.gdelt import news_series, parse_timeline
from hypecheck.errors import BadResponseError, InputError, NoDataError, RateLimitedError

FIX = Path(__file__).parents[1] / "fixtures" / "providers"
BODY = (FIX / "gdelt_timelinevolraw.json").read_bytes()
CLIENT = httpx.Client()
DAYS = pd.to_datetime(["2025-01-06", "2025-01-07", "2025-01-08", "2025-01-09", "2025-01-10"])
TODAY = dt.date(2025, 3, 1)


@pytest.fixture
def router() -> Any:
    with respx.mock(assert_all_called=False) as r:
        yield r


def provider(sleeps: list[float] | None = None, **kw: Any) -> GdeltProvider:
    nap = sleeps.append if sleeps is not None else (lambda _: None)
    return GdeltProvider(client=CLIENT, sleep=nap, min_interval=0, today=lambda: TODAY, **kw)


def get(p: GdeltProvider, **opts: Any) -> Any:
    [s] = p.get("small caps", dt.date(2025, 1, 6), dt.date(2025, 1, 10), **opts)
    return s


def test_documented_response_gives_the_daily_share(router: respx.MockRouter) -> None:
    route = router.get(DOC_URL).respond(200, content=BODY, headers={"content-type": "application/json"})
    s = get(provider())
    # 100 * count / monitored, worked out by hand in the fixtures README
    assert s.values.tolist() == pytest.approx([0.12, 0.125, 0.0, 0.2, 0.1], rel=1e-12)
    assert list(s.values.index) == list(DAYS)
    assert s.meta.kind == "news" and s.meta.id == "small caps" and s.meta.source == "gdelt"
    assert s.meta.frequency == "D" and s.meta.units == "percent of all articles GDELT monitored that day"
    assert s.flags is not None and not s.flags["partial"].any()
    params = route.calls.last.request.url.params
    assert params["query"] == '"small caps"' and params["mode"] == "timelinevolraw"
    assert params["format"] == "json"
    assert params["startdatetime"] == "20250106000000" and params["enddatetime"] == "20250110235959"


def test_count_measure_is_the_article_count(router: respx.MockRouter) -> None:
    router.get(DOC_URL).respond(200, content=BODY)
    s = get(provider(), measure="count")
    assert s.values.tolist() == [120.0, 150.0, 0.0, 300.0, 90.0]
    assert s.meta.units == "articles per day matching the query"


def test_429_then_200_backs_off_once(router: respx.MockRouter) -> None:
    route = router.get(DOC_URL)
    route.side_effect = [httpx.Response(429), httpx.Response(200, content=BODY)]
    sleeps: list[float] = []
    s = get(provider(sleeps))
    assert len(s.values) == 5 and sleeps == [5.0] and route.call_count == 2  # backoff 5 s (GDELT's pace)


def test_429_forever_is_rate_limited_with_retry_after(router: respx.MockRouter) -> None:
    route = router.get(DOC_URL).respond(429, headers={"Retry-After": "30"}, text="Please limit requests")
    sleeps: list[float] = []
    with pytest.raises(RateLimitedError) as err:
        get(provider(sleeps))
    assert route.call_count == 4 and sleeps == [30.0, 30.0, 30.0]
    assert err.value.retry_after == 30.0 and err.value.exit_code == 5
    assert "'small caps'" in err.value.message and "429" in err.value.message
    assert err.value.hint is not None and "5 seconds" in err.value.hint


@pytest.mark.parametrize(
    "body",
    [b"{}", b'{"timeline": []}', b'{"timeline": [{"series": "Article Count", "data": []}]}'],
    ids=["empty-object", "empty-timeline", "empty-data"],
)
def test_empty_timeline_is_no_data(router: respx.MockRouter, body: bytes) -> None:
    router.get(DOC_URL).respond(200, content=body)
    with pytest.raises(NoDataError, match="no news articles matching 'small caps'") as err:
        get(provider())
    assert err.value.hint and err.value.exit_code == 3


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"timeline": [{"series": "Article Count", "data": [{"date": ', "not JSON"),
        (b'[{"date": "20250106T000000Z"}]', "a JSON list, not an object"),
        (b'{"timeline": {"data": []}}', "'timeline' is not a list"),
        (b'{"timeline": [{"data": [{"date": "2025-01-06", "value": 1}]}]}', "not YYYYMMDDTHHMMSSZ"),
        (b'{"timeline": [{"data": [{"date": "20250106T000000Z", "value": "many"}]}]}', "not a count"),
        (b'{"timeline": [{"data": [{"value": 3}]}]}', "lacks 'date' or 'value'"),
    ],
)
def test_malformed_body_is_a_bad_response(router: respx.MockRouter, body: bytes, why: str) -> None:
    router.get(DOC_URL).respond(200, content=body)
    with pytest.raises(BadResponseError, match="malformed response") as err:
        get(provider())
    assert why in err.value.message and "'small caps'" in err.value.message and err.value.hint


def test_empty_body_and_server_errors(router: respx.MockRouter) -> None:
    router.get(DOC_URL).respond(200, content=b"")
    with pytest.raises(BadResponseError, match="empty response"):
        get(provider())
    router.get(DOC_URL).respond(503)
    with pytest.raises(BadResponseError, match=r"server error \(HTTP 503\) after 4 attempts") as err:
        get(provider())
    assert err.value.status == 503


def test_invalid_query_html_message_is_an_input_error(router: respx.MockRouter) -> None:
    router.get(DOC_URL).respond(
        200, text="The specified phrase is too short.\n", headers={"content-type": "text/html"}
    )
    with pytest.raises(InputError, match="GDELT rejected the query 'ab': The specified phrase is too short"):
        provider().get("ab", dt.date(2025, 1, 6), dt.date(2025, 1, 10))


def test_sub_daily_points_are_summed_per_utc_day_and_today_is_partial(router: respx.MockRouter) -> None:
    doc = {
        "timeline": [
            {
                "series": "Article Count",
                "data": [
                    {"date": "20250228T000000Z", "value": 2, "norm": 100},
                    {"date": "20250228T231500Z", "value": 3, "norm": 400},
                    {"date": "20250301T000000Z", "value": 1, "norm": 50},
                ],
            }
        ]
    }
    router.get(DOC_URL).respond(200, json=doc)
    [s] = provider().get("small caps", dt.date(2025, 2, 28), dt.date(2025, 3, 1))
    assert s.values.tolist() == [pytest.approx(100 * 5 / 500), pytest.approx(100 * 1 / 50)]
    assert s.flags is not None and s.flags["partial"].tolist() == [False, True]  # 2025-03-01 is today
    assert any("still being counted" in n for n in s.meta.notes)


def test_news_series_is_a_pure_function_of_the_answer() -> None:
    doc = json.loads(BODY)
    s = news_series(doc, "small caps", measure="count", start=dt.date(2025, 1, 7), end=dt.date(2025, 1, 9))
    assert s.values.tolist() == [150.0, 0.0, 300.0] and s.meta.kind == "news"
    frame = parse_timeline(BODY)
    assert frame["norm"].sum() == 540_000 and list(frame.index) == list(DAYS)
    vol = {
        "timeline": [{"series": "Volume Intensity", "data": [{"date": "20250106T000000Z", "value": 0.31}]}]
    }
    assert news_series(vol, "x", mode="timelinevol").values.tolist() == [0.31]
    with pytest.raises(BadResponseError, match="no 'norm'"):
        news_series(vol, "x")  # a share needs the monitored total


def test_requests_are_spaced_five_seconds() -> None:
    sleeps: list[float] = []
    with respx.mock() as r:
        r.get(DOC_URL).respond(200, content=BODY)
        p = GdeltProvider(client=CLIENT, sleep=sleeps.append, today=lambda: TODAY)
        p.http.clock = lambda: 100.0  # no time passes between the two requests
        get(p)
        get(p)
    assert sleeps == [5.0]


def test_query_rules() -> None:
    p = provider()
    assert gdelt_query("small  caps") == '"small caps"' and gdelt_query("IWM") == "IWM"
    assert gdelt_query('"a b" OR c') == '"a b" OR c'
    q = p.query("small caps")  # default: the last 90 days to today
    assert q.params["startdatetime"] == "20241201000000" and q.params["enddatetime"] == "20250301235959"
    assert p.query("x", dt.date(2010, 1, 1), dt.date(2018, 1, 1)).params["startdatetime"] == "20170101000000"
    with pytest.raises(InputError, match="from 2017-01-01 on"):
        p.query("x", dt.date(2010, 1, 1), dt.date(2012, 1, 1))
    with pytest.raises(InputError, match="measure"):
        p.query("x", measure="loud")
    with pytest.raises(InputError, match="empty GDELT query"):
        p.query("  ")


def test_registry_routes_news_to_gdelt() -> None:
    assert registry.connector_for("news") == "gdelt"
    assert isinstance(registry.provider_for_kind("news", sleep=lambda _: None), GdeltProvider)
    assert "gdelt" in registry.available_providers()
