"""One HTTP transport for every live connector: typed failures and the project's one retry loop.

:meth:`Transport.request` sends a GET through a *sender* and retries what may pass (HTTP 429, 5xx,
timeouts, network errors) with exponential back-off (``backoff * 2**i`` seconds before retry ``i + 1``;
a numeric ``Retry-After`` is honoured up to ``max_wait``). Any other status comes back as a
:class:`Response` for the connector to read (:meth:`Transport.check` turns 404 and other statuses into
typed errors when the connector has nothing more precise to say). When the retries are spent the
failure is one of the :class:`~hypecheck.errors.ProviderError` subclasses, so callers branch on the
type, not on words:

* :class:`~hypecheck.errors.RateLimitedError` (429 on every attempt; ``retry_after`` kept),
* :class:`~hypecheck.errors.ProviderTimeoutError` (timed out) and its parent
  :class:`~hypecheck.errors.OfflineError` (DNS, refused or dropped connections),
* :class:`~hypecheck.errors.BadResponseError` (5xx on every attempt, unexpected statuses, bodies not
  in the documented format), :class:`~hypecheck.errors.NotFoundError` (404).

The sender is ``(url, params, headers, timeout) -> Response`` raising ``TimeoutError`` for a timeout and
``ConnectionError`` (any ``OSError``) for a network failure. The default sender uses an ``httpx.Client``
(``client=``, injected in tests and replayed with respx); a connector whose library owns the session
(Yahoo through yfinance) passes its own ``send=``. ``sleep`` and ``clock`` are injectable so tests never
wait; ``min_interval`` spaces requests (SEC EDGAR allows 10 per second).

Secrets: a connector registers its API key with :func:`register_secret`; every message built here goes
through :func:`scrub` (the key and any ``api_key=...`` value become ``***``) and
:func:`install_log_filter` scrubs httpx's INFO request lines, which carry the full URL.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import (
    BadResponseError,
    HypecheckError,
    MissingDependencyError,
    NotFoundError,
    OfflineError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitedError,
)

__all__ = [
    "SECRET_PARAMS",
    "Response",
    "SecretFilter",
    "Sender",
    "Transport",
    "install_log_filter",
    "register_secret",
    "scrub",
    "scrub_error",
]

# ================================================================================= secrets

SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token"})
# a secret's value in a query string or form (``api_key=...``, also percent-encoded ``api_key%3D...``,
# where the name follows an encoded ``?`` or ``&`` (``%3Fapi_key%3D``: no word boundary there)
_SECRET_QUERY = re.compile(
    r"(?i)(?:\b|(?<=%3F)|(?<=%26))(api_key|apikey|api-key|access_token|token|key)(=|%3D)([^&\s\"'<>#,;)]+)"
)
# ... and in JSON (``"api_key": "..."``)
_SECRET_JSON = re.compile(r'(?i)"(api_key|apikey|api-key|access_token|token|key)"(\s*:\s*)"[^"]*"')
_SECRETS: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a secret (an API key) so that :func:`scrub` replaces it wherever it appears."""
    if value and len(value.strip()) >= 6:
        _SECRETS.add(value.strip())


def scrub(text: str) -> str:
    """``text`` with every registered secret and every ``api_key=...``-style value replaced by ``***``.
    Scrub before truncating: a cut key would no longer match."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "***")
    text = _SECRET_JSON.sub(lambda m: f'"{m.group(1)}"{m.group(2)}"***"', text)
    return _SECRET_QUERY.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def scrub_error(exc: HypecheckError) -> HypecheckError:
    """The same error with its message and hint scrubbed (see :func:`scrub`); returns it for ``raise``."""
    exc.message = scrub(exc.message)
    exc.hint = None if exc.hint is None else scrub(exc.hint)
    exc.args = (exc.message,)
    return exc


class SecretFilter(logging.Filter):
    """Scrubs secrets from log records: httpx logs every request at INFO as ``HTTP Request: GET <full
    URL> ...``, which for FRED includes ``api_key=...``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format: leave it to logging's own handling
            return True
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


def install_log_filter(*names: str) -> None:
    """Put a :class:`SecretFilter` on each named logger (default ``httpx``), once."""
    for name in names or ("httpx",):
        logger = logging.getLogger(name)
        if not any(isinstance(f, SecretFilter) for f in logger.filters):
            logger.addFilter(SecretFilter())


# ================================================================================= transport


@dataclass(frozen=True)
class Response:
    """What came back: status, body and headers (names lower-cased)."""

    status: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


Sender = Callable[[str, Mapping[str, str], Mapping[str, str], float], Response]
"""``(url, params, headers, timeout) -> Response``; raises ``TimeoutError`` or ``ConnectionError``."""


def httpx_module() -> Any:
    """``httpx``, or :class:`MissingDependencyError` with the install command."""
    try:
        import httpx
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            "live connectors need httpx", hint="pip install 'hypecheck[live]'"
        ) from exc
    return httpx


class _RequestNotBuilt(Exception):
    """The request could not even be built (e.g. a key with characters a URL cannot carry)."""


DEFAULT_HINTS = {
    "rate_limited": "{provider} is limiting requests: wait (minutes; an hour or more for Google Trends) "
    "and rerun; data already stored are kept",
    "timeout": "check the network connection and rerun; data already stored are kept",
    "offline": "check the network connection (and any proxy) and rerun; data already stored are kept",
    "server": "{provider} is having trouble: rerun later; data already stored are kept",
}


class Transport:
    """GET with typed failures and retries (see the module docstring).

    ``client``: an ``httpx.Client`` for the default sender (built on first use); ``send``: another
    sender; ``headers``: sent with every request; ``hints``: per-failure advice replacing
    :data:`DEFAULT_HINTS` (keys ``rate_limited``, ``timeout``, ``offline``, ``server``; ``{provider}``
    is filled in). ``waits`` lists the back-off delays actually slept.
    """

    def __init__(
        self,
        provider: str,
        client: Any = None,
        *,
        send: Sender | None = None,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        timeout: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
        headers: Mapping[str, str] | None = None,
        min_interval: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        hints: Mapping[str, str] | None = None,
    ) -> None:
        if retries < 0:
            raise ValueError("retries must be >= 0")
        self.provider = provider
        self._client = client
        self._send = send
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.timeout = timeout
        self.sleep = sleep
        self.headers = dict(headers or {})
        self.min_interval = min_interval
        self.clock = clock
        self.hints = {**DEFAULT_HINTS, **(hints or {})}
        self.waits: list[float] = []  # back-off delays actually slept (for tests and reports)
        self._last_request: float | None = None

    @property
    def client(self) -> Any:
        """The ``httpx.Client`` of the default sender (built on first use)."""
        if self._client is None:
            httpx = httpx_module()
            self._client = httpx.Client(
                timeout=self.timeout,
                follow_redirects=True,
                headers={"User-Agent": "hypecheck (https://github.com/hypecheck)", **self.headers},
            )
        return self._client

    def _httpx_send(
        self, url: str, params: Mapping[str, str], headers: Mapping[str, str], timeout: float
    ) -> Response:
        httpx = httpx_module()
        try:
            r = self.client.get(url, params=dict(params) or None, headers=dict(headers) or None)
        except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
            raise _RequestNotBuilt(type(exc).__name__) from None
        except httpx.TimeoutException as exc:
            raise TimeoutError(type(exc).__name__) from None
        except httpx.HTTPError as exc:  # connect/read/protocol errors
            raise ConnectionError(str(exc) or type(exc).__name__) from None
        return Response(int(r.status_code), bytes(r.content), {k.lower(): v for k, v in r.headers.items()})

    def _throttle(self) -> None:
        if self.min_interval > 0 and self._last_request is not None:
            wait = self.min_interval - (self.clock() - self._last_request)
            if wait > 0:
                self.sleep(wait)
        self._last_request = self.clock()

    def _hint(self, key: str) -> str:
        return self.hints[key].format(provider=self.provider)

    def request(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        what: str | None = None,
        shown: str | None = None,
    ) -> Response:
        """GET ``url``; retries 429, 5xx, timeouts and network errors; returns any other answer.

        ``what`` names the request in messages (default ``provider url``); ``shown`` is the request
        as a user may see it (secrets hidden; default the URL)."""
        label = what or f"{self.provider} {url}"
        shown = shown or url
        send = self._send or self._httpx_send
        merged = {**self.headers, **(headers or {})}
        problem, kind, status, retry_after = "", "server", 0, None
        for attempt in range(self.retries + 1):  # the one retry loop of the project
            if attempt:
                wait = (
                    min(retry_after, self.max_wait)
                    if retry_after is not None
                    else min(self.backoff * 2 ** (attempt - 1), self.max_wait)
                )
                self.waits.append(wait)
                self.sleep(wait)
            self._throttle()
            retry_after = None
            try:
                r = send(url, params or {}, merged, self.timeout)
            except _RequestNotBuilt as exc:  # retrying will not help; the text may quote the key
                raise ProviderError(
                    scrub(f"{label}: the request could not be built ({exc}) ({shown})"),
                    hint="check the id and the API key (a key is plain letters and digits)",
                ) from None
            except TimeoutError:
                problem, kind = "timed out", "timeout"
                continue
            except OSError as exc:  # ConnectionError, URLError, socket errors
                reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
                problem, kind = f"network error ({reason})", "offline"
                continue
            status = r.status
            if status == 429:
                problem, kind = "rate limited (HTTP 429)", "rate_limited"
                value = str(r.headers.get("retry-after", "")).strip()
                retry_after = float(value) if value.isdigit() else None
                continue
            if 500 <= status < 600:
                problem, kind = f"server error (HTTP {status})", "server"
                continue
            return r
        message = scrub(f"{label}: {problem} after {self.retries + 1} attempts ({shown})")
        hint = self._hint(kind)
        if kind == "rate_limited":
            raise RateLimitedError(message, hint=hint, retry_after=retry_after)
        if kind == "timeout":
            raise ProviderTimeoutError(message, hint=hint)
        if kind == "offline":
            raise OfflineError(message, hint=hint)
        raise BadResponseError(message, hint=hint, status=status)

    def check(self, r: Response, *, what: str, shown: str = "", not_found_hint: str = "") -> Response:
        """``r`` if it is a 200 with a body; else :class:`NotFoundError` (404) or
        :class:`BadResponseError` (other status, empty body), scrubbed."""
        where = f" ({shown})" if shown else ""
        if r.status == 404:
            raise NotFoundError(
                scrub(f"{what}: not found (HTTP 404){where}"), hint=not_found_hint or "check the id and retry"
            )
        if r.status != 200:
            raise BadResponseError(
                scrub(f"{what}: unexpected HTTP {r.status}{where}"), hint="retry later", status=r.status
            )
        if not r.content.strip():
            raise BadResponseError(
                scrub(f"{what}: empty response{where}"),
                hint="retry later; an empty answer is usually transient",
            )
        return r


def malformed(what: str, why: str, *, hint: str, status: int = 200) -> BadResponseError:
    """A :class:`BadResponseError` for a body not in the documented format (scrubbed)."""
    return BadResponseError(scrub(f"{what}: malformed response: {why}"), hint=scrub(hint), status=status)
