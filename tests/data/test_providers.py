"""Live providers, replayed: every HTTP answer comes from respx (hand-built fixtures in
``tests/fixtures/providers``, see its README), ``sleep`` is injected so back-off never waits.

* each provider's happy path, checked against numbers worked out by hand;
* the shared failure modes for every provider (parametrised): 429 then 200 (one back-off recorded),
  429 forever, 500, timeout, malformed body, empty body -- always a HypecheckError naming the input;
* per provider: unknown ticker/series, and what is specific (FRED keys and vintages, Trends pulls and
  flags, Yahoo adjusted closes and local dates, iShares preamble and header);
* the registry.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
import respx

from hypecheck.data.connectors import Provider, available_providers, get_provider
from hypecheck.data.connectors.earnings import EarningsProvider
from hypecheck.data.connectors.edgar import FACTS_URL, TICKERS_URL, EdgarProvider
from hypecheck.data.connectors.fred import API_URL, CSV_URL, FredProvider, FredSeries, find_api_key
from hypecheck.data.connectors.gdelt import GdeltProvider
from hypecheck.data.connectors.ishares import ISharesProvider, parse_holdings
from hypecheck.data.connectors.trends import (
    EXPLORE_URL,
    HOME_URL,
    MULTILINE_URL,
    TrendsProvider,
    pull_dispersion,
)
from hypecheck.data.connectors.yahoo import YahooProvider
from hypecheck.errors import (
    FormatError,
    HypecheckError,
    InputError,
    NoDataError,
    OfflineError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitedError,
    UnknownSeriesError,
)

FIX = Path(__file__).parents[1] / "fixtures" / "providers"
ACME_URL = "https://query1.finance.yahoo.com/v8/finance/chart/ACME"
IWM_URL = "https://www.ishares.com/us/products/239710/ishares-russell-2000-etf/1467271812596.ajax"
ACME_FACTS = FACTS_URL.format(cik=1234)
KEY = "abcdef0123456789abcdef0123456789"  # a fake FRED key (32 lower-case alphanumerics)
UA = "hypecheck tests tests@example.com"
# one client for the whole file: building one (its TLS context) costs ~40 ms; respx patches them all
CLIENT = httpx.Client()
NO_CONFIG = {"HYPECHECK_CONFIG": "/nonexistent/hypecheck-config.toml"}


def fx(name: str) -> bytes:
    return (FIX / name).read_bytes()


YAHOO_CRUMB = "test-crumb"


@pytest.fixture(scope="module", autouse=True)
def yfinance_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """yfinance keeps a cookie cache on disk: here, in a temporary folder."""
    import yfinance

    yfinance.cache.set_cache_location(str(tmp_path_factory.mktemp("yfinance")))


def yahoo_session_routes(r: respx.MockRouter) -> None:
    """The exchange yfinance has with Yahoo before the chart request (hand-built: a cookie page, the
    crumb endpoint, the consent page it tries after a 4xx), and a fresh yfinance state (no cookie or
    crumb kept from an earlier test)."""
    from yfinance.data import YfData

    r.get("https://fc.yahoo.com").respond(404, text="")  # Yahoo answers 404 and sets the cookie
    r.get(url__regex=r"https://query[12]\.finance\.yahoo\.com/v1/test/getcrumb").respond(
        200, text=YAHOO_CRUMB
    )
    r.get(url__startswith="https://guce.yahoo.com/").respond(404, text="")
    data = YfData()
    data._crumb, data._cookie, data._cookie_strategy = None, None, "basic"


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as r:
        yahoo_session_routes(r)
        yield r


def ts(year: int, month: int, day: int, hour: int, minute: int) -> int:
    return int(dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC).timestamp())


def test_fixtures_are_declared_hand_built() -> None:
    readme = (FIX / "README.md").read_text()
    assert "HAND-BUILT in the service's documented/observed format, not recorded" in readme
    for path in FIX.iterdir():
        if path.name != "README.md":
            assert f"`{path.name}`" in readme or path.name.startswith("trends_multiline_pull"), path.name
        if path.suffix == ".json" and path.name != "edgar_company_tickers.json":
            assert "HAND-BUILT" in json.loads(path.read_text())["_fixture"]


# ============================================================================ shared failure modes


class Case:
    """One provider under test: how to build it, call it, and what its main request is."""

    def __init__(
        self,
        make: Callable[[Callable[[float], None]], Any],
        call: Callable[[Any], Any],
        url: str,
        ok: bytes,
        label: str,
        extra: dict[str, bytes] | None = None,
        malformed_error: type[HypecheckError] = ProviderError,
        sends: int = 1,
    ) -> None:
        self.make, self.call, self.url, self.ok, self.label = make, call, url, ok, label
        self.extra = extra or {}
        self.malformed_error = malformed_error
        # requests per attempt when the answer is 4xx/5xx: yfinance asks once more with a fresh cookie
        self.sends = sends


CASES = {
    "yahoo": Case(
        lambda s: YahooProvider(client=CLIENT, sleep=s),
        lambda p: p.get("ACME", dt.date(2020, 8, 26), dt.date(2020, 9, 2)),
        ACME_URL,
        fx("yahoo_chart_acme.json"),
        "'ACME'",
        sends=2,
    ),
    "fred": Case(
        lambda s: FredProvider(client=CLIENT, sleep=s, api_key=KEY),
        lambda p: p.get("UNRATE"),
        API_URL,
        fx("fred_unrate.json"),
        "'UNRATE'",
    ),
    "fred-csv": Case(
        lambda s: FredProvider(client=CLIENT, sleep=s, environ=NO_CONFIG),
        lambda p: p.get("UNRATE"),
        CSV_URL,
        fx("fredgraph_unrate.csv"),
        "'UNRATE'",
    ),
    "trends": Case(
        lambda s: TrendsProvider(client=CLIENT, sleep=s, warm_up=False),
        lambda p: p.get("value stocks", dt.date(2024, 1, 1), dt.date(2024, 6, 30), geo="US"),
        EXPLORE_URL,
        fx("trends_explore.txt"),
        "'value stocks'",
        extra={MULTILINE_URL: fx("trends_multiline_pull1.txt")},
    ),
    "ishares": Case(
        lambda s: ISharesProvider(client=CLIENT, sleep=s),
        lambda p: p.holdings("IWM"),
        IWM_URL,
        fx("ishares_iwm_holdings.csv"),
        "'IWM'",
        malformed_error=FormatError,
    ),
    "edgar": Case(
        lambda s: EdgarProvider(client=CLIENT, sleep=s, user_agent=UA, min_interval=0),
        lambda p: p.trailing("1234"),
        ACME_FACTS,
        fx("edgar_acme_facts.json"),
        "0000001234",
    ),
}


def setup(router: respx.MockRouter, case: Case, main: Any) -> respx.Route:
    for url, body in case.extra.items():
        router.get(url).respond(200, content=body)
    route = router.get(case.url)
    if isinstance(main, list):
        route.side_effect = main
    elif isinstance(main, httpx.Response):
        route.return_value = main
    else:
        route.side_effect = main
    return route


@pytest.mark.parametrize("name", list(CASES))
def test_429_then_200_backs_off_once(router: respx.MockRouter, name: str) -> None:
    case = CASES[name]
    route = setup(router, case, [httpx.Response(429), httpx.Response(200, content=case.ok)])
    sleeps: list[float] = []
    result = case.call(case.make(sleeps.append))
    assert result
    # yfinance answers a 4xx by asking again with a fresh cookie and crumb: no back-off needed then
    assert sleeps == ([1.0] if case.sends == 1 else [])
    assert route.call_count == 2


@pytest.mark.parametrize("name", list(CASES))
def test_429_forever_is_a_provider_error(router: respx.MockRouter, name: str) -> None:
    case = CASES[name]
    route = setup(router, case, httpx.Response(429))
    sleeps: list[float] = []
    with pytest.raises(ProviderError) as err:
        case.call(case.make(sleeps.append))
    assert case.label in err.value.message and "429" in err.value.message
    assert err.value.hint and err.value.exit_code == 5
    assert sleeps == [1.0, 2.0, 4.0] and route.call_count == 4 * case.sends
    assert isinstance(err.value, RateLimitedError)
    if name == "trends":
        assert "rate limiting" in err.value.message and "retry later" in str(err.value)


def test_retry_after_is_honoured(router: respx.MockRouter) -> None:
    router.get(API_URL).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(200, content=fx("fred_unrate.json")),
        ]
    )
    sleeps: list[float] = []
    FredProvider(client=CLIENT, api_key=KEY, sleep=sleeps.append).get("UNRATE")
    assert sleeps == [7.0]


@pytest.mark.parametrize("name", list(CASES))
def test_500_forever_is_a_provider_error(router: respx.MockRouter, name: str) -> None:
    case = CASES[name]
    setup(router, case, httpx.Response(500))
    with pytest.raises(ProviderError) as err:
        case.call(case.make(lambda s: None))
    assert case.label in err.value.message and "500" in err.value.message


@pytest.mark.parametrize("name", list(CASES))
def test_timeout_is_a_provider_error(router: respx.MockRouter, name: str) -> None:
    case = CASES[name]
    setup(router, case, httpx.ConnectTimeout("connect timed out"))
    sleeps: list[float] = []
    with pytest.raises(ProviderTimeoutError) as err:
        case.call(case.make(sleeps.append))
    assert case.label in err.value.message and "timed out" in err.value.message
    assert len(sleeps) == 3 and isinstance(err.value, OfflineError)


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_body_is_a_clear_error(router: respx.MockRouter, name: str) -> None:
    case = CASES[name]
    setup(router, case, httpx.Response(200, content=b'{"chart": {"result": [{"timestamp": '))
    with pytest.raises(case.malformed_error) as err:
        case.call(case.make(lambda s: None))
    assert case.label in err.value.message
    assert err.value.hint


@pytest.mark.parametrize("name", list(CASES))
def test_empty_body_is_a_clear_error(router: respx.MockRouter, name: str) -> None:
    case = CASES[name]
    setup(router, case, httpx.Response(200, content=b""))
    with pytest.raises(ProviderError) as err:
        case.call(case.make(lambda s: None))
    assert case.label in err.value.message
    assert "empty" in err.value.message or "not valid JSON" in err.value.message  # edgar: the client's words


# ============================================================================ yahoo


def test_yahoo_adjusted_close_nulls_splits_and_request(router: respx.MockRouter) -> None:
    route = router.get(ACME_URL).respond(200, content=fx("yahoo_chart_acme.json"))
    [s] = YahooProvider(client=CLIENT, sleep=lambda _: None).get(
        "acme", dt.date(2020, 8, 26), dt.date(2020, 9, 2)
    )
    expected = pd.Series(
        [124.0, 125.0, 128.0, 129.5, 131.0],
        index=pd.to_datetime(["2020-08-26", "2020-08-27", "2020-08-31", "2020-09-01", "2020-09-02"]),
    )
    pd.testing.assert_series_equal(s.values, expected, check_names=False, check_freq=False)
    assert s.values.name == "ACME" and s.meta.kind == "price" and s.meta.units == "USD"
    assert s.meta.frequency == "D" and s.meta.source == "yahoo"
    notes = " | ".join(s.meta.notes)
    assert "1 bar(s) with a null close dropped" in notes
    assert "split 2020-08-31 4:1" in notes and "1 dividend(s)" in notes and "adjusted close" in notes
    params = route.calls.last.request.url.params
    # one day of margin each side: 2020-08-25 00:00 UTC and 2020-09-04 00:00 UTC
    assert params["period1"] == "1598313600" and params["period2"] == "1599177600"
    assert params["interval"] == "1d" and params["events"] == "div,splits"
    assert params["includeAdjustedClose"] == "true"
    assert params["crumb"] == YAHOO_CRUMB  # the request went through yfinance (its cookie and crumb)


def test_yahoo_falls_back_to_close_and_says_so(router: respx.MockRouter) -> None:
    doc = json.loads(fx("yahoo_chart_acme.json"))
    del doc["chart"]["result"][0]["indicators"]["adjclose"]
    router.get(ACME_URL).respond(200, json=doc)
    [s] = YahooProvider(client=CLIENT, sleep=lambda _: None).get(
        "ACME", dt.date(2020, 8, 26), dt.date(2020, 9, 2)
    )
    assert list(s.values) == [125.0, 126.0, 129.0, 130.0, 131.0]
    assert any("no adjclose" in n for n in s.meta.notes)


def test_yahoo_dates_are_exchange_local(router: respx.MockRouter) -> None:
    # Sydney in January is UTC+11: a bar stamped 23:00 UTC is the next local day, 10:00 AEDT
    stamps = [ts(2024, 1, 1, 23, 0), ts(2024, 1, 2, 23, 0), ts(2024, 1, 3, 23, 0)]
    doc: dict[str, Any] = {
        "chart": {
            "result": [
                {
                    "meta": {
                        "symbol": "BHP.AX",
                        "currency": "AUD",
                        "exchangeTimezoneName": "Australia/Sydney",
                    },
                    "timestamp": stamps,
                    "indicators": {
                        "quote": [{"close": [45.0, 46.0, 47.0]}],
                        "adjclose": [{"adjclose": [44.0, 45.0, 46.0]}],
                    },
                }
            ],
            "error": None,
        }
    }
    router.get("https://query1.finance.yahoo.com/v8/finance/chart/BHP.AX").respond(200, json=doc)
    [s] = YahooProvider(client=CLIENT, sleep=lambda _: None).get(
        "BHP.AX", dt.date(2024, 1, 2), dt.date(2024, 1, 4)
    )
    assert list(s.values.index) == list(pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"]))
    assert list(s.values) == [44.0, 45.0, 46.0] and s.meta.units == "AUD"
    # missing time zone: New York
    del doc["chart"]["result"][0]["meta"]["exchangeTimezoneName"]
    router.get("https://query1.finance.yahoo.com/v8/finance/chart/BHP.AX").respond(200, json=doc)
    [s] = YahooProvider(client=CLIENT, sleep=lambda _: None).get(
        "BHP.AX", dt.date(2024, 1, 1), dt.date(2024, 1, 3)
    )
    assert list(s.values.index) == list(pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]))


def test_yahoo_unknown_symbol(router: respx.MockRouter) -> None:
    router.get("https://query1.finance.yahoo.com/v8/finance/chart/NOPE").respond(
        404, content=fx("yahoo_not_found.json")
    )
    with pytest.raises(UnknownSeriesError) as err:
        YahooProvider(client=CLIENT, sleep=lambda _: None).get("NOPE")
    assert "'NOPE'" in err.value.message and "delisted" in err.value.message
    assert err.value.hint and err.value.exit_code == 3


def test_yahoo_no_bars_in_range_and_bad_symbol(router: respx.MockRouter) -> None:
    doc = {"chart": {"result": [{"meta": {"symbol": "ACME"}, "indicators": {"quote": [{}]}}], "error": None}}
    router.get(ACME_URL).respond(200, json=doc)
    with pytest.raises(NoDataError, match="no daily prices for 'ACME'"):
        YahooProvider(client=CLIENT, sleep=lambda _: None).get(
            "ACME", dt.date(1990, 1, 1), dt.date(1990, 1, 5)
        )
    with pytest.raises(InputError, match="not a Yahoo Finance symbol"):
        YahooProvider(client=CLIENT).query("AC ME!")


def test_yahoo_other_errors_carry_yahoo_words(router: respx.MockRouter) -> None:
    error = {"code": "Bad Request", "description": "Invalid input - start date cannot be after end date"}
    router.get(ACME_URL).respond(400, json={"chart": {"result": None, "error": error}})
    with pytest.raises(ProviderError, match="HTTP 400, Yahoo error 'Bad Request': Invalid input"):
        YahooProvider(client=CLIENT, sleep=lambda _: None).get("ACME")


def test_yahoo_changed_shape_is_malformed(router: respx.MockRouter) -> None:
    doc = json.loads(fx("yahoo_chart_acme.json"))
    doc["chart"]["result"][0]["indicators"]["adjclose"][0]["adjclose"].pop()  # one value short
    router.get(ACME_URL).respond(200, json=doc)
    with pytest.raises(ProviderError, match="malformed response: adjclose is not a list of 6"):
        YahooProvider(client=CLIENT, sleep=lambda _: None).get("ACME")


# ============================================================================ fred


def test_fred_api_values_missing_dot_and_request(router: respx.MockRouter) -> None:
    route = router.get(API_URL).respond(200, content=fx("fred_unrate.json"))
    p = FredProvider(client=CLIENT, api_key=KEY, sleep=lambda _: None)
    [s] = p.get("unrate", dt.date(2023, 1, 1), dt.date(2023, 5, 31))
    assert isinstance(s, FredSeries)
    assert list(s.values) == [3.4, 3.6, 3.5, 3.7]
    assert list(s.values.index) == list(
        pd.to_datetime(["2023-01-01", "2023-02-01", "2023-04-01", "2023-05-01"])
    )
    assert s.meta.kind == "macro" and s.meta.frequency == "M" and s.meta.id == "UNRATE"
    assert "1 missing value(s) ('.' or blank) skipped" in s.meta.notes
    assert any("latest vintage" in n for n in s.meta.notes)
    assert s.realtime is not None and set(s.realtime["realtime_start"]) == {dt.date(2024, 1, 10)}
    params = route.calls.last.request.url.params
    assert params["series_id"] == "UNRATE" and params["api_key"] == KEY and params["file_type"] == "json"
    assert params["observation_start"] == "2023-01-01" and params["observation_end"] == "2023-05-31"
    assert KEY not in s.meta.origin and "api_key=***" in s.meta.origin


def test_fred_vintage_is_values_as_known_on_a_date(router: respx.MockRouter) -> None:
    route = router.get(API_URL).respond(200, content=fx("fred_unrate_vintage.json"))
    [s] = FredProvider(client=CLIENT, api_key=KEY).get("UNRATE", vintage="2023-06-02")
    params = route.calls.last.request.url.params
    assert params["realtime_start"] == params["realtime_end"] == "2023-06-02"
    assert list(s.values) == [3.4, 3.6, 3.5, 3.4, 3.7]  # April before its revision to 3.5
    assert isinstance(s, FredSeries) and s.realtime is not None
    assert set(s.realtime["realtime_start"]) == {dt.date(2023, 6, 2)}
    assert any("values as known on 2023-06-02" in n for n in s.meta.notes)


def test_fred_all_vintages(router: respx.MockRouter) -> None:
    route = router.get(API_URL).respond(200, content=fx("fred_unrate_all_vintages.json"))
    p = FredProvider(client=CLIENT, api_key=KEY)
    frame = p.observations_with_vintages("UNRATE")
    params = route.calls.last.request.url.params
    assert (params["realtime_start"], params["realtime_end"]) == ("1776-07-04", "9999-12-31")
    assert list(frame.columns) == ["date", "value", "realtime_start", "realtime_end"]
    april = frame[frame["date"] == pd.Timestamp("2023-04-01")]
    assert list(april["value"]) == [3.4, 3.5]
    assert list(april["realtime_start"]) == [dt.date(2023, 5, 5), dt.date(2024, 1, 5)]
    assert list(april["realtime_end"]) == [dt.date(2024, 1, 4), dt.date(9999, 12, 31)]
    [s] = p.get("UNRATE", realtime_start="1776-07-04", realtime_end="9999-12-31")
    assert list(s.values) == [3.5, 3.5, 3.7]  # the latest vintage of each date
    assert isinstance(s, FredSeries) and s.realtime is not None
    assert s.realtime.loc[pd.Timestamp("2023-04-01"), "realtime_start"] == dt.date(2024, 1, 5)
    assert any("1 date(s) had several vintages" in n for n in s.meta.notes)


@pytest.mark.parametrize(
    ("fixture", "missing"), [("fredgraph_unrate.csv", "'.'"), ("fredgraph_unrate_old.csv", "blank")]
)
def test_fred_without_key_falls_back_to_csv(router: respx.MockRouter, fixture: str, missing: str) -> None:
    api = router.get(API_URL).respond(500)
    route = router.get(CSV_URL).respond(200, content=fx(fixture))
    [s] = FredProvider(client=CLIENT, environ=NO_CONFIG).get("UNRATE")
    assert api.call_count == 0 and route.calls.last.request.url.params["id"] == "UNRATE"
    assert list(s.values) == [3.4, 3.6, 3.5, 3.7] and s.meta.frequency == "M"
    assert any("latest vintage only" in n for n in s.meta.notes)
    assert "1 missing value(s) ('.' or blank) skipped" in s.meta.notes
    assert isinstance(s, FredSeries) and s.realtime is None


def test_fred_csv_date_filter_and_changed_header(router: respx.MockRouter) -> None:
    router.get(CSV_URL).respond(200, content=fx("fredgraph_unrate.csv"))
    [s] = FredProvider(client=CLIENT, environ=NO_CONFIG).get(
        "UNRATE", dt.date(2023, 2, 1), dt.date(2023, 4, 30)
    )
    assert list(s.values) == [3.6, 3.5]
    router.get(CSV_URL).respond(200, content=b"period,UNRATE_PCT\n2023-01-01,3.4\n")
    with pytest.raises(ProviderError, match="expected the header 'observation_date,UNRATE'"):
        FredProvider(client=CLIENT, environ=NO_CONFIG).get("UNRATE")


def test_fred_unknown_series(router: respx.MockRouter) -> None:
    router.get(API_URL).respond(400, content=fx("fred_error_unknown.json"))
    with pytest.raises(UnknownSeriesError) as err:
        FredProvider(client=CLIENT, api_key=KEY).get("NOSUCHSERIES")
    assert "'NOSUCHSERIES'" in err.value.message and "does not exist" in err.value.message
    assert KEY not in str(err.value)
    router.get(CSV_URL).respond(404, content=b"Not Found")
    with pytest.raises(UnknownSeriesError, match="'NOSUCHSERIES'"):
        FredProvider(client=CLIENT, environ=NO_CONFIG).get("NOSUCHSERIES")
    with pytest.raises(InputError, match="not a FRED series id"):
        FredProvider(client=CLIENT, environ=NO_CONFIG).query("un rate!")


def test_fred_vintage_without_key_is_an_input_error() -> None:
    with pytest.raises(InputError, match="need a FRED API key") as err:
        FredProvider(client=CLIENT, environ=NO_CONFIG).query("UNRATE", vintage="2023-06-02")
    assert "FRED_API_KEY" in str(err.value)


def test_fred_key_from_env_and_config(tmp_path: Path) -> None:
    assert find_api_key({"FRED_API_KEY": KEY}) == KEY
    config = tmp_path / "config.toml"
    config.write_text(f'[fred]\napi_key = "{KEY}"\n')
    assert find_api_key({"HYPECHECK_CONFIG": str(config)}) == KEY
    assert find_api_key({}, config_path=config) == KEY
    assert find_api_key(NO_CONFIG) is None
    q = FredProvider(client=CLIENT, environ={"HYPECHECK_CONFIG": str(config)}).query("UNRATE")
    assert q.url == API_URL and q.params["api_key"] == KEY and KEY not in q.describe()
    config.write_text("[fred\napi_key = ")
    with pytest.raises(InputError, match="cannot read the hypecheck config file"):
        find_api_key({"HYPECHECK_CONFIG": str(config)})


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500),
        httpx.Response(429),
        httpx.ConnectTimeout("timed out"),
        httpx.Response(
            400, json={"error_code": 400, "error_message": "Bad Request.  The series does not exist."}
        ),
        httpx.Response(
            400,
            json={
                "error_code": 400,
                "error_message": f"Bad Request.  The value for variable api_key ({KEY}) is not registered.",
            },
        ),
        httpx.Response(200, content=f'{{"api_key": "{KEY}", '.encode()),
        httpx.Response(200, content=b""),
        httpx.Response(
            200, json={"observations": [{"date": "2023-01-01", "value": "abc", "realtime_start": "x"}]}
        ),
    ],
    ids=["500", "429", "timeout", "unknown", "bad-key-echoed", "malformed-echoing-key", "empty", "bad-rows"],
)
def test_fred_key_never_in_messages(router: respx.MockRouter, answer: Any) -> None:
    route = router.get(API_URL)
    if isinstance(answer, httpx.Response):
        route.return_value = answer
    else:
        route.side_effect = answer
    p = FredProvider(client=CLIENT, api_key=KEY, sleep=lambda _: None)
    with pytest.raises(HypecheckError) as err:
        p.get("UNRATE")
    assert KEY not in str(err.value) and KEY not in repr(err.value) and KEY not in repr(p)
    assert "'UNRATE'" in err.value.message


def test_fred_rejected_key_is_an_input_error(router: respx.MockRouter) -> None:
    router.get(API_URL).respond(
        400,
        json={
            "error_code": 400,
            "error_message": "Bad Request.  The value for variable api_key is not registered.",
        },
    )
    with pytest.raises(InputError, match="FRED rejected the API key") as err:
        FredProvider(client=CLIENT, api_key=KEY).get("UNRATE")
    assert "FRED_API_KEY" in str(err.value)


# ============================================================================ trends


def trends_routes(router: respx.MockRouter, *pulls: int) -> tuple[respx.Route, respx.Route]:
    explore = router.get(EXPLORE_URL).respond(200, content=fx("trends_explore.txt"))
    multi = router.get(MULTILINE_URL)
    multi.side_effect = [httpx.Response(200, content=fx(f"trends_multiline_pull{k}.txt")) for k in pulls]
    return explore, multi


def test_trends_single_pull_flags_and_protocol(router: respx.MockRouter) -> None:
    explore, multi = trends_routes(router, 1)
    p = TrendsProvider(client=CLIENT, sleep=lambda _: None, warm_up=False)
    [s] = p.get("value  stocks", dt.date(2024, 1, 1), dt.date(2024, 6, 30), geo="us")
    assert list(s.values) == [50.0, 60.0, 100.0, 80.0, 0.5, 40.0]
    assert list(s.values.index) == list(pd.date_range("2024-01-01", periods=6, freq="MS"))
    assert s.meta.id == "value stocks" and s.meta.kind == "search" and s.meta.frequency == "M"
    assert s.meta.units == "0-100 relative (sampled, per request)"
    assert s.flags is not None
    assert list(s.flags["below_one"]) == [False, False, False, False, True, False]
    assert list(s.flags["partial"]) == [False, False, False, False, False, True]
    assert s.pulls is None
    assert "1 '<1' cells stored as 0.5 (flag below_one)" in s.meta.notes
    assert "1 period(s) marked isPartial: flagged partial" in s.meta.notes
    assert "region: US" in s.meta.notes
    req = json.loads(explore.calls.last.request.url.params["req"])
    assert req["comparisonItem"] == [
        {"keyword": "value stocks", "geo": "US", "time": "2024-01-01 2024-06-30"}
    ]
    assert explore.calls.last.request.url.params["tz"] == "0"
    widget = json.loads(fx("trends_explore.txt")[4:])["widgets"][0]
    mp = multi.calls.last.request.url.params
    assert mp["token"] == widget["token"] and json.loads(mp["req"]) == widget["request"] and mp["tz"] == "0"


def test_trends_pulls_averaged_with_dispersion(router: respx.MockRouter) -> None:
    explore, multi = trends_routes(router, 1, 2, 3)
    sleeps: list[float] = []
    p = TrendsProvider(client=CLIENT, sleep=sleeps.append, warm_up=False)
    [s] = p.get("value stocks", dt.date(2024, 1, 1), dt.date(2024, 6, 30), pulls=3)
    assert explore.call_count == 3 and multi.call_count == 3
    assert sleeps == [1.0, 1.0] and p.pauses == [1.0, 1.0] and p.http.waits == []  # pauses, no back-off
    assert s.values.tolist() == pytest.approx([50.0, 60.0, 100.0, 80.0, 2 / 3, 40.0])
    assert s.pulls is not None and list(s.pulls.columns) == ["pull_1", "pull_2", "pull_3"]
    assert s.pulls["pull_2"].tolist() == [52.0, 58.0, 100.0, 78.0, 1.0, 42.0]
    spread = pull_dispersion(s)
    assert spread is not None
    assert spread.tolist() == pytest.approx([2.0, 2.0, 0.0, 2.0, math.sqrt(1 / 12), 2.0])
    assert any("averaged 3 pulls" in n and "mean 1.38, max 2.00" in n for n in s.meta.notes)
    assert s.flags is not None
    assert list(s.flags["below_one"]) == [False, False, False, False, True, False]  # any pull '<1'
    assert list(s.flags["partial"]) == [False, False, False, False, False, True]


def test_trends_identical_pulls_are_said_to_be(router: respx.MockRouter) -> None:
    trends_routes(router, 1, 1)
    [s] = TrendsProvider(client=CLIENT, sleep=lambda _: None, warm_up=False).get("value stocks", pulls=2)
    assert any("pulls identical" in n for n in s.meta.notes)


def test_trends_block_page(router: respx.MockRouter) -> None:
    router.get(EXPLORE_URL).respond(
        200, content=fx("trends_block.html"), headers={"content-type": "text/html"}
    )
    with pytest.raises(ProviderError, match="Google Trends returned a block page") as err:
        TrendsProvider(client=CLIENT, sleep=lambda _: None, warm_up=False).get("value stocks")
    assert "'value stocks'" in err.value.message and err.value.hint


def test_trends_no_data_and_changed_explore(router: respx.MockRouter) -> None:
    router.get(EXPLORE_URL).respond(200, content=fx("trends_explore.txt"))
    router.get(MULTILINE_URL).respond(
        200, content=b')]}\',\n{"default": {"timelineData": [], "averages": []}}'
    )
    with pytest.raises(NoDataError, match="no data for 'zzqx'"):
        TrendsProvider(client=CLIENT, warm_up=False).get("zzqx")
    rows = [
        {"time": str(ts(2024, m, 1, 0, 0)), "value": [0], "hasData": [False], "formattedValue": ["0"]}
        for m in (1, 2, 3)
    ]
    router.get(MULTILINE_URL).respond(
        200, content=b")]}',\n" + json.dumps({"default": {"timelineData": rows}}).encode()
    )
    with pytest.raises(NoDataError, match="not enough data for 'zzqx'"):
        TrendsProvider(client=CLIENT, warm_up=False).get("zzqx")
    router.get(EXPLORE_URL).respond(
        200, content=b')]}\'\n{"widgets": [{"id": "GEO_MAP", "token": "t", "request": {}}]}'
    )
    with pytest.raises(ProviderError, match="no TIMESERIES widget"):
        TrendsProvider(client=CLIENT, warm_up=False).get("value stocks")


def test_trends_value_off_scale_is_malformed(router: respx.MockRouter) -> None:
    router.get(EXPLORE_URL).respond(200, content=fx("trends_explore.txt"))
    body = fx("trends_multiline_pull1.txt").replace(b'"value": [100]', b'"value": [150]')
    router.get(MULTILINE_URL).respond(200, content=body)
    with pytest.raises(ProviderError, match=r"value 150 is not an integer 0\.\.100"):
        TrendsProvider(client=CLIENT, warm_up=False).get("value stocks")


def test_trends_warm_up_once(router: respx.MockRouter) -> None:
    home = router.get(HOME_URL).respond(200, content=b"<html></html>")
    trends_routes(router, 1, 1)
    p = TrendsProvider(client=CLIENT, sleep=lambda _: None)
    p.get("value stocks")
    p.get("value stocks")
    assert home.call_count == 1


def test_trends_query_validation() -> None:
    p = TrendsProvider(client=CLIENT, today=lambda: dt.date(2025, 12, 31))
    assert json.loads(p.query("etf").params["req"])["comparisonItem"][0]["time"] == "all"
    assert json.loads(p.query("etf", dt.date(2020, 1, 1)).params["req"])["comparisonItem"][0]["time"] == (
        "2020-01-01 2025-12-31"
    )
    with pytest.raises(InputError, match="pulls must be an integer"):
        p.query("etf", pulls=0)
    with pytest.raises(InputError, match="empty Google Trends search term"):
        p.query("  ")


# one Trends cell rule for the live reader and the files reader: the same cells, the same missing ones
AGREE_CELLS = ["40", "", "<1", "0", "null", "100", "."]
AGREE_DATES = pd.date_range("2024-01-01", periods=len(AGREE_CELLS), freq="MS")


def test_trends_live_and_files_readers_agree_on_the_same_cells(
    router: respx.MockRouter, tmp_path: Path
) -> None:
    from hypecheck.data.folder import read_file
    from hypecheck.data.parsers.trends import parse_cells

    ref = parse_cells(AGREE_CELLS)
    assert ref.missing.tolist() == [False, True, False, False, True, False, True]
    assert not ref.bad.any() and ref.below_one.tolist() == [False, False, True, False, False, False, False]
    # the live API: a cell without a value is value [null], formattedValue [""]
    rows = [
        {
            "time": str(int(d.timestamp())),
            "value": [None] if ref.missing[k] else [0 if c == "<1" else int(c)],
            "formattedValue": ["" if ref.missing[k] else c],
            "hasData": [True],
        }
        for k, (d, c) in enumerate(zip(AGREE_DATES, AGREE_CELLS, strict=True))
    ]
    router.get(EXPLORE_URL).respond(200, content=fx("trends_explore.txt"))
    router.get(MULTILINE_URL).respond(
        200, content=b")]}',\n" + json.dumps({"default": {"timelineData": rows}}).encode()
    )
    [live] = TrendsProvider(client=CLIENT, warm_up=False).get("value stocks")
    # the files reader: a one-term series file (in a trends folder) and a Trends export, same cells
    body = "".join(f"{d.date()},{c}\n" for d, c in zip(AGREE_DATES, AGREE_CELLS, strict=True))
    series_file = tmp_path / "trends" / "value stocks.csv"
    series_file.parent.mkdir()
    series_file.write_text("date,value stocks\n" + body)
    export_file = tmp_path / "multiTimeline.csv"
    export_file.write_text("Category: All categories\n\nMonth,value stocks: (United States)\n" + body)
    today = pd.Timestamp("2026-01-01")
    [from_series] = read_file(series_file, today=today)
    [from_export] = read_file(export_file, today=today)
    expected = pd.Series(ref.values[~ref.missing], index=AGREE_DATES[~ref.missing])
    for s in (live, from_series, from_export):
        kept = s.values.dropna()
        assert list(kept.index) == list(expected.index), s.meta.origin  # the same cells are missing
        assert kept.tolist() == expected.tolist()  # and the others read alike (<1 as 0.5)
        assert s.meta.units == "0-100 relative (sampled, per request)"
        assert s.flags is not None and s.flags["below_one"].reindex(kept.index).tolist() == [
            False, True, False, False,
        ]  # fmt: skip


# ============================================================================ ishares


def test_ishares_holdings(router: respx.MockRouter) -> None:
    route = router.get(IWM_URL).respond(200, content=fx("ishares_iwm_holdings.csv"))
    p = ISharesProvider(client=CLIENT, sleep=lambda _: None)
    h = p.holdings("iwm")
    params = route.calls.last.request.url.params
    assert (
        params["fileType"] == "csv" and params["fileName"] == "IWM_holdings" and params["dataType"] == "fund"
    )
    assert h.fund == "IWM" and h.fund_name == "iShares Russell 2000 ETF"
    assert h.as_of == dt.date(2025, 11, 21)
    assert h.preamble["Shares Outstanding"] == "42,000,000.00"
    c = h.constituents
    assert list(c.columns[:8]) == [
        "ticker", "name", "sector", "asset_class", "weight", "market_value", "quantity", "price",
    ]  # fmt: skip
    assert list(c["ticker"]) == ["ALFA", "BRVO", "CHRL", "DLTA", "ECHO"]
    assert c["weight"].tolist() == pytest.approx([0.30, 0.25, 0.20, 0.15, 0.0955])
    assert c["weight"].sum() == pytest.approx(0.9955)
    assert h.all_rows["weight"].sum() == pytest.approx(1.0, abs=1e-9)
    assert (c["quantity"] * c["price"]).tolist() == pytest.approx(c["market_value"].tolist())
    assert c.loc[0, "market_value"] == 3_000_000_000.0
    assert len(h.all_rows) == 8 and set(h.all_rows["asset_class"]) >= {"Cash", "Money Market", "Futures"}
    assert h.all_rows.loc[7, "price"] == 2400.0
    assert any("5 equity constituents, 3 other rows" in n for n in h.notes)
    assert p.standardize(p.fetch(p.query("IWM"))) == []
    assert p.get("IWM").as_of == dt.date(2025, 11, 21)


def test_ishares_older_shares_column() -> None:
    text = fx("ishares_iwm_holdings.csv").decode("utf-8-sig").replace(",Quantity,", ",Shares,")
    h = parse_holdings(text, fund="IWM")
    assert h.constituents.loc[0, "quantity"] == 20_000_000.0
    assert any("'Shares' read as quantity" in n for n in h.notes)


def test_ishares_changed_header_names_missing_columns(router: respx.MockRouter) -> None:
    text = fx("ishares_iwm_holdings.csv").decode("utf-8-sig")
    changed = text.replace("Ticker,Name", "Symbol,Name").replace("Weight (%)", "Weight")
    router.get(IWM_URL).respond(200, content=changed.encode())
    with pytest.raises(FormatError) as err:
        ISharesProvider(client=CLIENT).holdings("IWM")
    assert "missing column(s) Ticker, Weight (%)" in err.value.message and "'IWM'" in err.value.message
    with pytest.raises(FormatError, match="Quantity"):
        parse_holdings(text.replace(",Quantity,", ",Units,"), fund="IWM")


def test_ishares_fund_ids_and_urls(router: respx.MockRouter) -> None:
    p = ISharesProvider(client=CLIENT)
    q = p.query("https://www.ishares.com/us/products/239710/ishares-russell-2000-etf")
    assert q.url == IWM_URL and q.params["fileType"] == "csv"
    q = p.query(f"{IWM_URL}?fileType=csv&fileName=IWM_holdings&dataType=fund")
    assert q.id == "IWM" and q.url == IWM_URL and q.params["fileName"] == "IWM_holdings"
    with pytest.raises(InputError, match="'SPY' is not a built-in iShares fund") as err:
        p.query("SPY")
    assert err.value.hint and "IWM" in err.value.hint and "URL" in err.value.hint
    with pytest.raises(InputError, match=r"not an ishares\.com URL"):
        p.query("https://example.com/holdings.csv")
    router.get(IWM_URL).respond(404, content=b"<html>not found</html>")
    with pytest.raises(UnknownSeriesError, match="'IWM'"):
        p.holdings("IWM")
    router.get(IWM_URL).respond(200, content=b"<!DOCTYPE html><html>product page</html>")
    with pytest.raises(ProviderError, match="an HTML page instead of the CSV"):
        p.holdings("IWM")


# ============================================================================ edgar


def test_edgar_trailing_net_income(router: respx.MockRouter) -> None:
    tickers = router.get(TICKERS_URL).respond(200, content=fx("edgar_company_tickers.json"))
    facts = router.get(ACME_FACTS).respond(200, content=fx("edgar_acme_facts.json"))
    p = EdgarProvider(client=CLIENT, user_agent=UA, sleep=lambda _: None, min_interval=0)
    r = p.trailing("acme", as_of=dt.date(2024, 6, 1))
    assert r.ok and r.value == 85.0 and r.derived_q4  # 20 + 30 + (100-10-20-30) - 5
    assert r.quarter_values == (20.0, 30.0, 40.0, -5.0)
    assert p.get("ACME", end=dt.date(2024, 3, 1)).value == 100.0  # 10 + 20 + 30 + 40
    assert tickers.call_count == 1  # the ticker map is fetched once per client
    assert facts.calls.last.request.headers["user-agent"] == UA
    raw = p.fetch(p.query("1234"))
    assert p.standardize(raw) == [] and raw.query.url == ACME_FACTS


def test_edgar_unknown_ticker_and_cik(router: respx.MockRouter) -> None:
    router.get(TICKERS_URL).respond(200, content=fx("edgar_company_tickers.json"))
    router.get(FACTS_URL.format(cik=999)).respond(404, content=b"")
    p = EdgarProvider(client=CLIENT, user_agent=UA, sleep=lambda _: None, min_interval=0)
    with pytest.raises(InputError, match="unknown ticker 'ZZZZ'"):
        p.trailing("ZZZZ")
    with pytest.raises(InputError, match="no company facts for CIK 0000000999"):
        p.trailing("999")


def test_edgar_needs_a_user_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HYPECHECK_SEC_USER_AGENT", raising=False)
    p = get_provider("edgar")  # constructing works; the first request needs the User-Agent
    with pytest.raises(InputError, match="User-Agent"):
        p.fetch(p.query("1234"))


# ============================================================================ registry


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("yahoo", YahooProvider),
        ("fred", FredProvider),
        ("trends", TrendsProvider),
        ("ishares", ISharesProvider),
        ("edgar", EdgarProvider),
        ("gdelt", GdeltProvider),
        ("yahoo-earnings", EarningsProvider),
    ],
)
def test_registry_builds_each_provider(name: str, cls: type) -> None:
    p = get_provider(name, sleep=lambda _: None)
    assert isinstance(p, cls) and isinstance(p, Provider) and p.name == name
    assert name in available_providers()


def test_providers_satisfy_the_protocol() -> None:
    # checked statically by mypy too (the list is typed list[Provider])
    providers: list[Provider] = [
        YahooProvider(client=CLIENT),
        FredProvider(client=CLIENT, environ=NO_CONFIG),
        TrendsProvider(client=CLIENT),
        ISharesProvider(client=CLIENT),
        EdgarProvider(client=CLIENT),
        GdeltProvider(client=CLIENT),
        EarningsProvider(ticker_factory=lambda sym: None),
    ]
    assert [p.kinds for p in providers] == [
        ("price",), ("macro",), ("search",), ("holdings",), ("facts",), ("news",), ("earnings",),
    ]  # fmt: skip
    from hypecheck.data import registry

    assert registry.kinds_routed() == {
        "facts": "edgar", "holdings": "ishares", "macro": "fred", "news": "gdelt", "price": "yahoo",
        "search": "trends", "earnings": "yahoo-earnings",
    }  # fmt: skip


def test_registry_unknown_name_lists_known_ones() -> None:
    with pytest.raises(InputError, match="unknown provider 'bloomberg'") as err:
        get_provider("bloomberg")
    assert err.value.hint is not None
    for name in ("edgar", "fred", "gdelt", "ishares", "trends", "yahoo"):
        assert name in err.value.hint


class _StubPrices:
    """A test connector declaring kind ``price``: every ticker gets 1, 2, 3 on three business days."""

    name, kinds = "stub-prices", ("price",)

    def __init__(self, **kw: Any) -> None:
        self.asked: list[str] = []

    def query(self, id, start=None, end=None, **opts):  # type: ignore[no-untyped-def]
        from hypecheck.data.connectors.base import Query

        self.asked.append(id)
        return Query("stub-prices", "price", id, "https://example.invalid/prices")

    def fetch(self, q):  # type: ignore[no-untyped-def]
        from hypecheck.data.connectors.base import Raw

        return Raw(q, 200, b"", dt.datetime(2026, 1, 1))

    def standardize(self, raw):  # type: ignore[no-untyped-def]
        from hypecheck.schema import SeriesData, SeriesMeta

        idx = pd.bdate_range("2026-01-05", periods=3)
        meta = SeriesMeta(id=raw.query.id, kind="price", source="stub", origin="stub", frequency="D")
        return [SeriesData(meta, pd.Series([1.0, 2.0, 3.0], index=idx))]


def test_a_connector_registered_for_a_kind_is_the_one_fetch_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hypecheck
    from hypecheck.data import registry
    from hypecheck.fetch import fetch_theme, plan
    from hypecheck.store import Store

    registry.available_providers()  # the built-ins loaded into the real table before it is copied
    monkeypatch.setattr(registry, "_FACTORIES", dict(registry._FACTORIES))  # undone after the test
    monkeypatch.setattr(registry, "_ROUTES", dict(registry._ROUTES))
    built: list[_StubPrices] = []
    assert registry.connector_for("price") == "yahoo"  # the built-in default
    registry.register_provider(
        "stub-prices", lambda **kw: built.append(_StubPrices(**kw)) or built[-1], kinds=["price"]
    )
    assert registry.connector_for("price") == "stub-prices" and registry.kinds_routed()["macro"] == "fred"
    theme_file = tmp_path / "t.toml"
    theme_file.write_text(
        'id = "t"\ntitle = "t"\nquestion = "q"\n[price]\nbenchmarks = ["BBB"]\n'
        '[[price.pairs]]\nleader = "AAA"\nlaggard = "BBB"\n'
    )
    theme = hypecheck.load_theme(theme_file)
    assert {i.id: i.provider for i in plan(theme) if i.kind == "price"} == {
        "AAA": "stub-prices",
        "BBB": "stub-prices",
    }
    store = Store(tmp_path / "s.duckdb")
    items = fetch_theme(theme, store)  # no providers= mapping: the registry decides
    assert {i.id: i.status for i in items if i.kind == "price"} == {"AAA": "fetched", "BBB": "fetched"}
    assert len(built) == 1 and sorted(built[0].asked) == ["AAA", "BBB"]
    assert store.read("price", "AAA").tolist() == [1.0, 2.0, 3.0]
    # a default (built-in or entry-point plugin) never takes a kind away from it
    registry.register_provider("yahoo", YahooProvider, default=True)
    assert registry.connector_for("price") == "stub-prices"
    registry.route("price", "yahoo")
    assert registry.connector_for("price") == "yahoo"
    with pytest.raises(InputError, match="no live connector brings series of kind 'options'"):
        registry.connector_for("options")


class _NoTrends:
    """Trends is not the subject here: every query answers 'no data' without a request."""

    name, kinds = "trends", ("search",)

    def query(self, id, start=None, end=None, **opts):  # type: ignore[no-untyped-def]
        from hypecheck.data.connectors.base import Query

        return Query("trends", "search", id, "https://example.invalid/trends")

    def fetch(self, q):  # type: ignore[no-untyped-def]
        from hypecheck.data.connectors.base import Raw

        return Raw(q, 200, b"", dt.datetime(2026, 1, 1))

    def standardize(self, raw):  # type: ignore[no-untyped-def]
        return []


def _fetch_unrate(tmp_path: Path) -> tuple[Any, list[Any]]:
    """``fetch`` of a theme naming UNRATE with a keyed FRED connector (the router replays FRED);
    Trends and GDELT, its news-volume fallback, are not the subject: both answer "no data" unasked."""
    import hypecheck
    from hypecheck.fetch import fetch_theme
    from hypecheck.store import Store

    theme = tmp_path / "t.toml"
    theme.write_text(
        'id = "t"\ntitle = "t"\nquestion = "q"\n[attention]\nterms = ["x"]\n'
        '[[macro]]\nid = "UNRATE"\nneeds = "flat_or_down"\n'
    )
    store = Store(tmp_path / "s.duckdb")
    fred = FredProvider(client=CLIENT, api_key=KEY, sleep=lambda _: None)
    quiet = {"fred": fred, "trends": _NoTrends(), "gdelt": _NoTrends()}
    return store, fetch_theme(hypecheck.load_theme(theme), store, providers=quiet)


def test_fred_realtime_start_reaches_the_store_through_fetch(
    router: respx.MockRouter, tmp_path: Path
) -> None:
    """A replayed FRED answer (hand-built fixture, see fixtures/providers/README.md): each stored value
    carries FRED's realtime_start as its vintage, not the fetch date, so `known_at` reads it back."""
    router.get(API_URL).respond(200, content=fx("fred_unrate_vintage.json"))
    store, items = _fetch_unrate(tmp_path)
    assert {i.id: i.status for i in items}["UNRATE"] == "fetched"
    # what was known on 2023-06-01 (before the 2023-06-02 vintage): nothing; on 2023-06-02: the values
    assert store.read("macro", "UNRATE", known_at=dt.date(2023, 6, 1)).empty
    known = store.read("macro", "UNRATE", known_at=dt.date(2023, 6, 2))
    assert list(known) == [3.4, 3.6, 3.5, 3.4, 3.7]


def test_fetch_stores_every_fred_vintage_so_past_checks_see_first_releases(
    router: respx.MockRouter, tmp_path: Path
) -> None:
    """With an API key, fetch asks FRED for every vintage (ALFRED's full real-time window; hand-built
    fixtures, see fixtures/providers/README.md) and stores each: the store then answers what was known
    on any date, first releases and revisions alike, instead of only the current vintage."""
    every = router.get(API_URL, params={"realtime_start": "1776-07-04"}).respond(
        200, content=fx("fred_unrate_revised_vintages.json")
    )
    router.get(API_URL).respond(200, content=fx("fred_unrate_revised_current.json"))
    store, items = _fetch_unrate(tmp_path)
    assert {i.id: i.status for i in items}["UNRATE"] == "fetched" and every.called

    def known(day: str) -> list[float]:
        return store.read("macro", "UNRATE", known_at=dt.date.fromisoformat(day)).tolist()

    assert known("2023-02-02") == []  # nothing published yet
    assert known("2023-03-01") == [3.4]  # January, first release
    assert known("2023-04-20") == [3.4, 3.6, 3.5]  # March first published on 2023-04-07
    assert known("2023-05-10") == [3.4, 3.6, 3.4]  # March revised on 2023-05-05
    assert known("2024-02-01") == [3.5, 3.6, 3.4]  # January revised on 2024-01-05
    assert store.read("macro", "UNRATE").tolist() == [3.5, 3.6, 3.4]  # the latest vintage
    # and a check's panel as of a past date reads the store as known then
    cat = store.catalog(known_at=dt.date(2023, 5, 10))
    from hypecheck.known import cut_known

    cut, _ = cut_known(cat.get("macro", "UNRATE"), pd.Timestamp("2023-05-10"))
    assert cut.values.tolist() == [3.4, 3.6, 3.4]


def test_fred_without_a_key_has_no_vintages_frame(tmp_path: Path) -> None:
    fred = FredProvider(api_key=None, environ={}, config_path=tmp_path / "none.toml", sleep=lambda _: None)
    assert fred.vintages_frame("UNRATE") is None
