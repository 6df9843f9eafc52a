"""The ``edgar`` source, offline.

* Parsing (quarters, Q4 derivation, vintages, trailing sums, the unprofitable share) against the
  fixtures in ``tests/fixtures/edgar/``: hand-built to the documented SEC companyfacts shape, not
  recorded; the expected numbers are worked out by hand in that folder's README.
* The client on the shared transport (:mod:`hypecheck.data.transport`) through a replayed HTTP client:
  scripted ``(status, body)`` answers or raised httpx network errors, with ``sleep`` recorded instead
  of waited. Nothing here touches the network.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from hypecheck.data.connectors.edgar import FACTS_URL, TICKERS_URL, USER_AGENT_ENV, EdgarClient, EdgarSource
from hypecheck.data.parsers.edgar import parse_cik, quarterly_values, trailing_net_income, unprofitable_share
from hypecheck.errors import (
    BadResponseError,
    FormatError,
    InputError,
    OfflineError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitedError,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edgar"
UA = "hypecheck-tests tests@example.com"
MEMBERS = ("ALFA", "BRVO", "CHRL", "DLTA", "ECHO")


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def load(name: str) -> dict[str, Any]:
    return json.loads(raw(f"{name.lower()}.json"))


def T(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


Answer = tuple[int, bytes] | BaseException


class Replay:
    """An ``httpx.Client`` stand-in answering from a script (the last answer repeats); records every
    call (URL and headers)."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict[str, str]]] = []

    def answer(self, url: str) -> Answer:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def get(self, url: str, params: Any = None, headers: Any = None) -> httpx.Response:
        self.calls.append((url, dict(headers or {})))
        answer = self.answer(url)
        if isinstance(answer, BaseException):
            raise answer
        return httpx.Response(answer[0], content=answer[1])


def client_with(http: Replay, **kw: Any) -> tuple[EdgarClient, list[float]]:
    sleeps: list[float] = []
    client = EdgarClient(client=http, user_agent=UA, sleep=sleeps.append, min_interval=0, **kw)
    return client, sleeps


def facts_doc(tags: dict[str, list[tuple[str, str, float, str]]], unit: str = "USD") -> dict[str, Any]:
    """A small inline companyfacts document: tag -> [(start, end, val, filed)], form 10-Q."""
    return {
        "cik": 9,
        "entityName": "Inline Co.",
        "facts": {
            "us-gaap": {
                tag: {
                    "label": tag,
                    "units": {
                        unit: [
                            {"start": s, "end": e, "val": v, "filed": f, "form": "10-Q", "accn": f"a-{f}"}
                            for s, e, v, f in rows
                        ]
                    },
                }
                for tag, rows in tags.items()
            }
        },
    }


def year(y: int, values: tuple[float, float, float, float], filed: str) -> list[tuple[str, str, float, str]]:
    bounds = [("01-01", "03-31"), ("04-01", "06-30"), ("07-01", "09-30"), ("10-01", "12-31")]
    return [(f"{y}-{a}", f"{y}-{b}", v, filed) for (a, b), v in zip(bounds, values, strict=True)]


# ============================================================================ fixtures


def test_fixtures_are_declared_hand_built() -> None:
    note = "hand-built to the documented SEC companyfacts shape, not recorded"
    assert note in (FIXTURES / "README.md").read_text()
    for name in MEMBERS:
        assert load(name)["_fixture"] == note


# ============================================================================ quarters and Q4


def test_quarterly_values_one_row_per_quarter() -> None:
    q = quarterly_values(load("ALFA"))
    assert list(q.columns) == ["start", "value", "derived", "method", "filed", "form", "accn"]
    assert q.index.name == "end" and q.index.is_monotonic_increasing and q.index.is_unique
    expected = {
        "2021-03-31": 90, "2021-06-30": 95,
        "2022-03-31": 100, "2022-06-30": 120, "2022-09-30": 130, "2022-12-31": 150,
        "2023-03-31": 110, "2023-06-30": 140, "2023-09-30": 135, "2023-12-31": 200,
        "2024-03-31": 170, "2024-06-30": 180,
    }  # fmt: skip
    assert q["value"].to_dict() == {T(k): float(v) for k, v in expected.items()}
    # YTD facts (6M 250, 9M 385) and the unrelated Revenues tag never leak in as quarters
    assert q.attrs["tag"] == "NetIncomeLoss" and q.attrs["reason"] == ""


def test_q4_derived_from_annual_minus_three_quarters() -> None:
    q = quarterly_values(load("ALFA"))
    q4 = q.loc[T("2022-12-31")]
    assert q4["value"] == 500 - 100 - 120 - 130
    assert q4["derived"] and q4["method"] == "FY-Q1-Q2-Q3" and q4["form"] == "10-K"
    assert q4["start"] == T("2022-10-01")
    assert q.loc[T("2023-12-31"), "value"] == 585 - 110 - 140 - 135
    # filed: the latest vintage among the parts (the 10-K; later, Q2 2023 repeated as a comparative)
    assert quarterly_values(load("ALFA"), as_of="2024-03-01").loc[T("2023-12-31"), "filed"] == T("2024-02-23")
    assert q.loc[T("2023-12-31"), "filed"] == T("2024-08-02")
    assert list(q.index[q["derived"]]) == [T("2022-12-31"), T("2023-12-31")]
    # 2021: FY and Q1, Q2 only (no Q3, no 9-month YTD): Q4 2021 is not invented
    assert T("2021-12-31") not in q.index and T("2021-09-30") not in q.index


def test_q4_derived_on_a_52_week_fiscal_year() -> None:
    q = quarterly_values(load("BRVO"))
    assert q.loc[T("2024-09-28"), "value"] == -150 - (-50) - (-40) - (-30)
    assert q.loc[T("2024-09-28"), "start"] == T("2024-06-30")
    assert bool(q.loc[T("2024-09-28"), "derived"])


def test_q4_reported_directly_is_not_derived() -> None:
    q = quarterly_values(load("CHRL"), tag="ProfitLoss")
    assert q.loc[T("2023-12-31"), "value"] == 25
    assert not q["derived"].any() and set(q["method"]) == {"reported"}


def test_q4_from_nine_month_ytd_when_quarters_are_missing() -> None:
    doc = facts_doc(
        {
            "NetIncomeLoss": [
                ("2023-01-01", "2023-03-31", 10, "2023-05-01"),
                ("2023-01-01", "2023-09-30", 45, "2023-11-01"),
                ("2023-01-01", "2023-12-31", 70, "2024-02-15"),
            ]
        }
    )
    q = quarterly_values(doc)
    assert q.loc[T("2023-12-31"), "value"] == 70 - 45
    assert q.loc[T("2023-12-31"), "method"] == "FY-9M"
    assert q.loc[T("2023-12-31"), "filed"] == T("2024-02-15")


# ============================================================================ vintages, no look-ahead


def test_restatement_uses_the_latest_filing_on_or_before_as_of() -> None:
    a = load("ALFA")
    before = quarterly_values(a, as_of="2024-01-11").loc[T("2023-09-30")]
    assert (before["value"], before["form"], before["filed"]) == (160, "10-Q", T("2023-11-03"))
    on = quarterly_values(a, as_of="2024-01-12").loc[T("2023-09-30")]
    assert (on["value"], on["form"], on["filed"]) == (135, "10-Q/A", T("2024-01-12"))
    # the same period repeated later as an unchanged comparative is just a later vintage
    assert quarterly_values(a).loc[T("2023-03-31"), "filed"] == T("2024-05-03")


@pytest.mark.parametrize(
    ("as_of", "value", "period_end", "derived_q4"),
    [
        ("2023-11-01", 130 + 150 + 110 + 140, "2023-06-30", True),  # Q3 2023 not filed yet
        ("2023-11-03", 150 + 110 + 140 + 160, "2023-09-30", True),  # filed that day: counts
        ("2024-01-31", 150 + 110 + 140 + 135, "2023-09-30", True),  # after the 10-Q/A restatement
        ("2024-03-01", 110 + 140 + 135 + 200, "2023-12-31", True),  # after the 10-K: Q4 derived
        ("2024-05-03", 140 + 135 + 200 + 170, "2024-03-31", True),
        (None, 135 + 200 + 170 + 180, "2024-06-30", True),
    ],
)
def test_trailing_sums_alfa(as_of: str | None, value: float, period_end: str, derived_q4: bool) -> None:
    r = trailing_net_income(load("ALFA"), as_of)
    assert r.status == "ok" and r.reason == ""
    assert r.value == value
    assert r.period_end == T(period_end)
    assert r.derived_q4 is derived_q4 and r.tag == "NetIncomeLoss"
    assert len(r.quarters) == 4 and sum(r.quarter_values) == value
    assert r.latest_filed is not None and (as_of is None or r.latest_filed <= T(as_of))


def test_as_of_equals_truncating_the_document() -> None:
    """No look-ahead: the answer on a date is the answer of a document holding only what was filed by then."""
    a = load("ALFA")
    for as_of in ["2023-02-24", "2023-08-04", "2023-11-02", "2024-01-12", "2024-02-22", "2024-08-01"]:
        cut = copy.deepcopy(a)
        usd = cut["facts"]["us-gaap"]["NetIncomeLoss"]["units"]["USD"]
        usd[:] = [f for f in usd if f["filed"] <= as_of]
        assert trailing_net_income(a, as_of) == trailing_net_income(cut)
        pd.testing.assert_frame_equal(quarterly_values(a, as_of=as_of), quarterly_values(cut))


def test_as_of_accepts_dates_and_rejects_garbage() -> None:
    a = load("ALFA")
    assert trailing_net_income(a, dt.date(2024, 3, 1)) == trailing_net_income(a, "2024-03-01")
    assert trailing_net_income(a, T("2024-03-01 15:30")) == trailing_net_income(a, "2024-03-01")
    with pytest.raises(InputError, match="not a date"):
        trailing_net_income(a, "last tuesday")


# ============================================================================ trailing: the other companies


def test_loss_maker() -> None:
    b = load("BRVO")
    r = trailing_net_income(b, "2024-11-15")
    assert (r.value, r.period_end, r.derived_q4, r.unprofitable) == (-150, T("2024-09-28"), True, True)
    latest = trailing_net_income(b)
    assert latest.value == -40 - 30 - 30 - 20 and latest.period_end == T("2024-12-28")


def test_only_profit_loss_tag() -> None:
    r = trailing_net_income(load("CHRL"))
    assert (r.status, r.tag, r.value, r.derived_q4) == ("ok", "ProfitLoss", 80, False)


def test_missing_all_tags_is_explicit() -> None:
    d = load("DLTA")
    r = trailing_net_income(d)
    assert r.status == "missing" and r.value is None and r.unprofitable is None and not r.ok
    for tag in ("NetIncomeLoss", "ProfitLoss", "NetIncomeLossAvailableToCommonStockholdersBasic"):
        assert tag in r.reason
    q = quarterly_values(d)
    assert q.empty and "no us-gaap:NetIncomeLoss facts" in q.attrs["reason"]


def test_gap_in_the_latest_quarters_is_named() -> None:
    r = trailing_net_income(load("ECHO"))
    assert r.status == "missing" and r.value is None
    assert "not consecutive" in r.reason and "2023-07-01..2023-12-31" in r.reason


def test_fewer_than_four_quarters() -> None:
    a = load("ALFA")
    r = trailing_net_income(a, "2022-06-01")
    assert r.status == "missing" and "only 2 quarter(s)" in r.reason and "4 needed" in r.reason
    r = trailing_net_income(a, "2022-01-01")
    assert r.status == "missing" and "filed on or before 2022-01-01" in r.reason


def test_tags_latest_quarter_wins_then_tag_order() -> None:
    old = year(2020, (1, 2, 3, 4), "2021-03-01")
    new = year(2023, (-5, -5, -5, -5), "2024-03-01")
    switched = trailing_net_income(facts_doc({"NetIncomeLoss": old, "ProfitLoss": new}))
    assert (switched.tag, switched.value) == ("ProfitLoss", -20)
    tie = trailing_net_income(
        facts_doc({"ProfitLoss": new, "NetIncomeLoss": year(2023, (1, 1, 1, 1), "2024-03-01")})
    )
    assert (tie.tag, tie.value) == ("NetIncomeLoss", 4)
    # before the newer tag's filings, the older one is what was known
    assert (
        trailing_net_income(facts_doc({"NetIncomeLoss": old, "ProfitLoss": new}), "2022-01-01").tag
        == "NetIncomeLoss"
    )


def test_other_unit_and_several_reasons() -> None:
    eur = trailing_net_income(
        facts_doc({"NetIncomeLoss": year(2023, (1, 2, 3, 4), "2024-03-01")}, unit="EUR")
    )
    assert eur.status == "missing" and "no USD values (units: EUR)" in eur.reason
    two = facts_doc({"NetIncomeLoss": year(2023, (1, 2, 3, 4), "2024-03-01")[:2], "ProfitLoss": []})
    r = trailing_net_income(two)
    assert r.status == "missing" and "NetIncomeLoss: only 2" in r.reason and "ProfitLoss" in r.reason


def test_stale_results_are_missing_when_asked() -> None:
    a = load("ALFA")
    stale = trailing_net_income(a, "2025-06-01", max_age_days=120)
    assert stale.status == "missing" and "stale" in stale.reason and "2024-06-30" in stale.reason
    assert trailing_net_income(a, "2024-08-10", max_age_days=120).value == 685


def test_malformed_documents_raise_format_error() -> None:
    with pytest.raises(FormatError, match="'facts' must be an object"):
        trailing_net_income(json.loads(raw("wrong_shape.json")))
    with pytest.raises(FormatError, match="not an object"):
        quarterly_values([1, 2])  # type: ignore[arg-type]
    bad = facts_doc({"NetIncomeLoss": year(2023, (1, 2, 3, 4), "2024-03-01")})
    bad["facts"]["us-gaap"]["NetIncomeLoss"]["units"]["USD"][1]["val"] = "12"
    with pytest.raises(FormatError, match="fact #1"):
        trailing_net_income(bad)
    del bad["facts"]["us-gaap"]["NetIncomeLoss"]["units"]["USD"][1]["filed"]
    with pytest.raises(FormatError, match="'filed'"):
        quarterly_values(bad)


# ============================================================================ unprofitable share


def test_unprofitable_share_latest() -> None:
    s = unprofitable_share({m: load(m) for m in MEMBERS})
    assert (s.n, s.n_known, s.n_unprofitable) == (5, 3, 1)
    assert s.share == pytest.approx(1 / 3)
    assert s.unprofitable == ("BRVO",)
    assert set(s.missing) == {"DLTA", "ECHO"}
    assert "none of NetIncomeLoss" in s.missing["DLTA"] and "not consecutive" in s.missing["ECHO"]
    frame = s.to_frame()
    assert list(frame.index) == list(MEMBERS)
    assert frame.loc["ALFA", "value"] == 685 and frame.loc["DLTA", "status"] == "missing"


def test_unprofitable_share_as_of() -> None:
    docs = {m: load(m) for m in MEMBERS}
    s = unprofitable_share(docs, "2024-03-01")  # BRVO has one quarter filed, ECHO two
    assert (s.n, s.n_known, s.n_unprofitable, s.share) == (5, 2, 0, 0.0)
    assert set(s.missing) == {"BRVO", "DLTA", "ECHO"}
    nothing = unprofitable_share(docs, "2020-01-01")
    assert (nothing.n_known, nothing.share) == (0, None)


def test_unprofitable_share_lists_a_malformed_member() -> None:
    s = unprofitable_share({"BRVO": load("BRVO"), "BAD": json.loads(raw("wrong_shape.json"))})
    assert (s.n, s.n_known, s.share) == (2, 1, 1.0)
    assert s.missing["BAD"].startswith("malformed company facts")


# ============================================================================ client: transport replay


def test_user_agent_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(USER_AGENT_ENV, raising=False)
    with pytest.raises(InputError, match=USER_AGENT_ENV) as err:
        EdgarClient(client=Replay((200, b"{}")))
    assert err.value.hint is not None and "export HYPECHECK_SEC_USER_AGENT=" in err.value.hint
    with pytest.raises(InputError):
        EdgarClient(client=Replay((200, b"{}")), user_agent="   ")
    monkeypatch.setenv(USER_AGENT_ENV, "From Env env@example.com")
    assert EdgarClient(client=Replay((200, b"{}"))).user_agent == "From Env env@example.com"


def test_company_facts_200_sends_user_agent() -> None:
    replay = Replay((200, raw("alfa.json")))
    client, sleeps = client_with(replay)
    facts = client.company_facts(1001)
    assert facts["entityName"] == "Alpha Widgets Inc."
    url, headers = replay.calls[0]
    assert (
        url == "https://data.sec.gov/api/xbrl/companyfacts/CIK0000001001.json" == FACTS_URL.format(cik=1001)
    )
    assert headers["User-Agent"] == UA
    assert sleeps == []


def test_parse_cik() -> None:
    assert parse_cik(320193) == parse_cik("0000320193") == parse_cik("CIK0000320193") == parse_cik(" 320193 ")
    for bad in ("AAPL", "", "0", "-5", "12345678901"):
        with pytest.raises(InputError, match="not a CIK"):
            parse_cik(bad)


def test_404_is_an_input_error_without_retries() -> None:
    replay = Replay((404, b'{"message": "Not Found"}'))
    client, sleeps = client_with(replay)
    with pytest.raises(InputError, match=r"no company facts for CIK 0000001099: check the CIK/ticker"):
        client.company_facts("1099")
    assert len(replay.calls) == 1 and sleeps == []


def test_429_then_200_retries_with_growing_delays() -> None:
    replay = Replay((429, b""), (429, b""), (200, raw("brvo.json")))
    client, sleeps = client_with(replay)
    assert client.company_facts(1002)["cik"] == 1002
    assert len(replay.calls) == 3 and sleeps == [1.0, 2.0]


def test_429_forever_gives_provider_error_after_max_retries() -> None:
    replay = Replay((429, b"Request Rate Threshold Exceeded"))
    client, sleeps = client_with(replay, max_retries=3)
    with pytest.raises(RateLimitedError, match="429") as err:
        client.company_facts(1002)
    assert len(replay.calls) == 4 and sleeps == [1.0, 2.0, 4.0]
    assert err.value.retry_after is None and err.value.exit_code == 5
    assert "4 attempts" in str(err.value) and "10 requests/second" in str(err.value)
    assert UA not in str(err.value)
    zero = Replay((429, b""))
    client, sleeps = client_with(zero, max_retries=0)
    with pytest.raises(ProviderError):
        client.company_facts(1002)
    assert len(zero.calls) == 1 and sleeps == []


def test_server_errors_are_retried() -> None:
    replay = Replay((500, b"oops"), (200, raw("chrl.json")))
    client, sleeps = client_with(replay)
    assert client.company_facts(1003)["cik"] == 1003 and sleeps == [1.0]
    client, _ = client_with(Replay((503, b"")), max_retries=2)
    with pytest.raises(BadResponseError, match="server error \\(HTTP 503\\) after 3 attempts") as err:
        client.company_facts(1003)
    assert err.value.status == 503


def test_timeouts_and_network_errors() -> None:
    replay = Replay(httpx.ReadTimeout("timed out"), (200, raw("dlta.json")))
    client, sleeps = client_with(replay)
    assert client.company_facts(1004)["cik"] == 1004 and sleeps == [1.0]
    client, sleeps = client_with(Replay(httpx.ConnectError("Name or service not known")))
    with pytest.raises(OfflineError, match="network error \\(Name or service not known\\)") as err:
        client.company_facts(1004)
    assert not isinstance(err.value, ProviderTimeoutError)
    assert sleeps == [1.0, 2.0, 4.0] and err.value.hint is not None and "network" in err.value.hint
    client, _ = client_with(Replay(httpx.ConnectTimeout("")))
    with pytest.raises(ProviderTimeoutError, match="timed out after 4 attempts"):
        client.company_facts(1004)


def test_malformed_and_wrong_shape_bodies() -> None:
    replay = Replay((200, raw("malformed.json")))
    client, sleeps = client_with(replay)
    with pytest.raises(BadResponseError, match="not valid JSON"):
        client.company_facts(1001)
    assert len(replay.calls) == 1 and sleeps == []
    client, _ = client_with(Replay((200, b"<html>Your request has been blocked</html>")))
    with pytest.raises(ProviderError, match="starts '<html>"):
        client.company_facts(1001)
    client, _ = client_with(Replay((200, raw("wrong_shape.json"))))
    with pytest.raises(ProviderError, match="not a SEC companyfacts document"):
        client.company_facts(1001)


def test_403_and_other_statuses() -> None:
    client, _ = client_with(Replay((403, b"Forbidden")))
    with pytest.raises(ProviderError, match="403") as err:
        client.company_facts(1001)
    assert err.value.hint is not None and USER_AGENT_ENV in err.value.hint
    assert UA not in str(err.value)
    client, _ = client_with(Replay((400, b"")))
    with pytest.raises(ProviderError, match="unexpected HTTP 400"):
        client.company_facts(1001)


def test_ticker_map_and_cik_for() -> None:
    replay = Replay((200, raw("company_tickers.json")))
    client, _ = client_with(replay)
    assert client.cik_for("ALFA") == 1001
    assert client.cik_for(" brvo ") == 1002
    assert client.cik_for("BRK.B") == client.cik_for("brk/b") == 1006
    assert client.ticker_map()["ECHO"] == 1005
    assert [u for u, _ in replay.calls] == [TICKERS_URL]  # fetched once
    with pytest.raises(InputError, match="unknown ticker 'NOPE'"):
        client.cik_for("NOPE")


def test_ticker_map_wrong_shape() -> None:
    client, _ = client_with(Replay((200, b'[{"ticker": "A"}]')))
    with pytest.raises(ProviderError, match="ticker map"):
        client.ticker_map()
    client, _ = client_with(Replay((200, b'{"0": {"ticker": "A", "cik_str": "x"}}')))
    with pytest.raises(ProviderError, match="ticker map"):
        client.cik_for("A")


def test_requests_are_spaced_for_the_rate_limit() -> None:
    sleeps: list[float] = []
    client = EdgarClient(
        client=Replay((200, raw("alfa.json"))),
        user_agent=UA,
        sleep=sleeps.append,
        min_interval=0.1,
        clock=lambda: 5.0,
    )
    client.company_facts(1001)
    client.company_facts(1001)
    assert sleeps == [pytest.approx(0.1)]


# ============================================================================ source


class Routed(Replay):
    """Answers by URL (404 for anything else); every request must carry the User-Agent."""

    def __init__(self, routes: dict[str, Answer]) -> None:
        super().__init__()
        self.routes = routes

    def answer(self, url: str) -> Answer:
        assert self.calls[-1][1]["User-Agent"] == UA
        return self.routes.get(url, (404, b""))


def routed(routes: dict[str, Answer]) -> Routed:
    return Routed(routes)


SEC_ROUTES: dict[str, Answer] = {
    TICKERS_URL: (200, raw("company_tickers.json")),
    **{FACTS_URL.format(cik=1001 + i): (200, raw(f"{m.lower()}.json")) for i, m in enumerate(MEMBERS)},
}


def test_edgar_source_fetch() -> None:
    client, _ = client_with(routed(SEC_ROUTES))
    got = EdgarSource([*MEMBERS, "gone", "NOPE", "1002", "ALFA"], client).fetch()
    assert list(got.results) == [*MEMBERS, "GONE", "NOPE", "1002"]
    s = got.share
    assert (s.n, s.n_known, s.n_unprofitable) == (8, 4, 2) and s.share == 0.5
    assert s.unprofitable == ("BRVO", "1002")
    assert "no company facts for CIK 0000001099" in s.missing["GONE"]
    assert "unknown ticker 'NOPE'" in s.missing["NOPE"]
    assert got.ciks["ALFA"] == 1001 and got.facts["CHRL"]["entityName"] == "Charlie Holdings LP"
    assert got.results["ALFA"].value == 685
    assert EdgarSource(MEMBERS, client).fetch("2024-03-01").share.n_known == 2


def test_edgar_source_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(USER_AGENT_ENV, raising=False)
    with pytest.raises(InputError, match=USER_AGENT_ENV):
        EdgarSource(["ALFA"]).fetch()
    client, _ = client_with(routed({**SEC_ROUTES, FACTS_URL.format(cik=1002): (429, b"")}))
    with pytest.raises(ProviderError, match="429"):
        EdgarSource(MEMBERS, client).fetch()
