"""The shared HTTP transport (:mod:`hypecheck.data.transport`): the project's one retry loop and its
typed failures, replayed through respx (hand-built answers inline) or an injected sender; ``sleep``
is recorded, never waited. Nothing here touches the network."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest
import respx

from hypecheck.data.transport import Response, Transport, register_secret
from hypecheck.errors import (
    BadResponseError,
    NotFoundError,
    OfflineError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitedError,
)

URL = "https://api.example.invalid/series"
CLIENT = httpx.Client()


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as r:
        yield r


def transport(sleeps: list[float], **kw: object) -> Transport:
    return Transport("example", CLIENT, sleep=sleeps.append, **kw)  # type: ignore[arg-type]


def test_other_statuses_are_returned_without_retry(router: respx.MockRouter) -> None:
    route = router.get(URL).respond(404, content=b"nope")
    sleeps: list[float] = []
    r = transport(sleeps).request(URL, {"id": "X"})
    assert (r.status, r.content, route.call_count, sleeps) == (404, b"nope", 1, [])
    with pytest.raises(NotFoundError, match="example X: not found"):
        transport(sleeps).check(r, what="example X")
    with pytest.raises(BadResponseError, match="unexpected HTTP 400") as err:
        transport(sleeps).check(Response(400, b"x"), what="example X")
    assert err.value.status == 400
    with pytest.raises(BadResponseError, match="empty response"):
        transport(sleeps).check(Response(200, b"  "), what="example X")


@pytest.mark.parametrize(
    ("answer", "error", "words"),
    [
        (httpx.Response(429), RateLimitedError, "rate limited (HTTP 429) after 4 attempts"),
        (httpx.Response(502), BadResponseError, "server error (HTTP 502) after 4 attempts"),
        (httpx.ReadTimeout("slow"), ProviderTimeoutError, "timed out after 4 attempts"),
        (httpx.ConnectError("Name or service not known"), OfflineError, "network error (Name or service"),
    ],
    ids=["429", "5xx", "timeout", "offline"],
)
def test_failures_are_typed_after_the_back_off(
    router: respx.MockRouter, answer: object, error: type[ProviderError], words: str
) -> None:
    route = router.get(URL)
    if isinstance(answer, httpx.Response):
        route.return_value = answer
    else:
        route.side_effect = answer
    sleeps: list[float] = []
    with pytest.raises(error) as err:
        transport(sleeps).request(URL, what="example 'X'")
    assert words in err.value.message and "example 'X'" in err.value.message and err.value.hint
    assert route.call_count == 4 and sleeps == [1.0, 2.0, 4.0] and err.value.exit_code == 5
    assert isinstance(err.value, ProviderError)


def test_timeout_is_a_kind_of_offline_and_not_the_reverse() -> None:
    assert issubclass(ProviderTimeoutError, OfflineError)
    assert not issubclass(RateLimitedError, OfflineError) and not issubclass(BadResponseError, OfflineError)


def test_retry_after_is_honoured_capped_and_kept(router: respx.MockRouter) -> None:
    route = router.get(URL)
    route.side_effect = [
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(200, content=b"ok"),
    ]
    sleeps: list[float] = []
    t = transport(sleeps)
    assert t.request(URL).content == b"ok" and sleeps == [7.0] and t.waits == [7.0]
    router.get(URL).respond(429, headers={"Retry-After": "3600"})
    sleeps.clear()
    with pytest.raises(RateLimitedError) as err:
        transport(sleeps, max_wait=60.0, retries=2).request(URL)
    assert sleeps == [60.0, 60.0] and err.value.retry_after == 3600.0


def test_a_5xx_then_200_is_retried_once(router: respx.MockRouter) -> None:
    route = router.get(URL)
    route.side_effect = [httpx.Response(503), httpx.Response(200, content=b"fine")]
    sleeps: list[float] = []
    assert transport(sleeps).request(URL).content == b"fine" and sleeps == [1.0] and route.call_count == 2


def test_requests_are_spaced_by_min_interval(router: respx.MockRouter) -> None:
    router.get(URL).respond(200, content=b"ok")
    sleeps: list[float] = []
    clock = iter([10.0, 10.25, 10.25, 20.0, 20.0])  # read once for the first request, twice after
    t = transport(sleeps, min_interval=1.0, clock=lambda: next(clock))
    t.request(URL)
    t.request(URL)  # 0.25 s after the first: waits the remaining 0.75 s
    t.request(URL)  # long after: no wait
    assert sleeps == [pytest.approx(0.75)]


def test_secrets_are_scrubbed_from_every_message(router: respx.MockRouter) -> None:
    key = "k3y-0123456789-secret"
    register_secret(key)
    router.get(URL).respond(500)
    with pytest.raises(BadResponseError) as err:
        transport([]).request(URL, {"api_key": key}, shown=f"{URL}?api_key={key}")
    assert key not in str(err.value) and "api_key=***" in err.value.message


def test_a_request_that_cannot_be_built_is_not_retried() -> None:
    sleeps: list[float] = []
    with pytest.raises(ProviderError, match="could not be built") as err:
        transport(sleeps).request("https://exa mple.invalid/\x00", what="example 'X'")
    assert sleeps == [] and not isinstance(err.value, OfflineError)


def test_an_injected_sender_gets_the_same_loop() -> None:
    answers: list[Response | BaseException] = [
        TimeoutError(),
        ConnectionError("reset"),
        Response(200, b"yes"),
    ]
    seen: list[tuple[str, dict[str, str]]] = []

    def send(url: str, params: Mapping[str, str], headers: Mapping[str, str], timeout: float) -> Response:
        seen.append((url, dict(headers)))
        a = answers.pop(0)
        if isinstance(a, BaseException):
            raise a
        return a

    sleeps: list[float] = []
    t = Transport("example", send=send, sleep=sleeps.append, headers={"User-Agent": "me"})
    assert t.request(URL, headers={"Accept": "x"}).content == b"yes" and sleeps == [1.0, 2.0]
    assert seen[0] == (URL, {"User-Agent": "me", "Accept": "x"})


def test_one_retry_loop_in_the_package() -> None:
    src = Path(__file__).resolve().parents[2] / "src" / "hypecheck"
    loops = [
        f"{p.relative_to(src)}:{n}"
        for p in src.rglob("*.py")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if "for attempt" in line
    ]
    assert loops == ["data/transport.py:" + loops[0].split(":")[1]] and len(loops) == 1
