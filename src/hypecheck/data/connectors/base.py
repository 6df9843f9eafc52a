"""The provider interface, the registry and the shared HTTP layer (retries, back-off, clear errors).

A provider turns a series id into data in three steps a user can inspect:

1. ``query(id, start, end, **options) -> Query``: what will be asked (URL and parameters; no I/O);
2. ``fetch(query) -> Raw``: the raw response bytes, through :class:`Http` (an injected
   ``httpx.Client``: tests replay recorded or hand-built responses with respx);
3. ``standardize(raw) -> list[SeriesData]``: the standard schema, validated at the boundary
   (see :mod:`hypecheck.validation`).

Secrets (API keys) are passed as request parameters and never appear in error messages, logs or
``Query.describe()``: a provider registers its key with :func:`register_secret`, every message built
from upstream text goes through :func:`scrub` (the key, and any ``api_key=...`` query value, become
``***``), and :func:`install_log_filter` scrubs httpx's INFO request lines, which carry the full URL.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ...errors import HypecheckError, InputError, MissingDependencyError, ProviderError
from ...schema import SeriesData

SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token"})
# a secret's value in a query string or form (``api_key=...``, also percent-encoded ``api_key%3D...``)
_SECRET_QUERY = re.compile(r"(?i)\b(api_key|apikey|api-key|access_token|token|key)(=|%3D)([^&\s\"'<>#,;)]+)")
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


@dataclass(frozen=True)
class Query:
    provider: str
    kind: str  # "price", "macro", "search", "holdings", "facts"
    id: str
    url: str
    params: Mapping[str, str] = field(default_factory=dict, repr=False)  # may hold an API key
    start: dt.date | None = None
    end: dt.date | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """The request as a user may see it: secrets replaced by '***'."""
        shown = {k: ("***" if k.lower() in SECRET_PARAMS else v) for k, v in self.params.items()}
        q = "&".join(f"{k}={v}" for k, v in shown.items())
        return f"{self.url}?{q}" if q else self.url


@dataclass
class Raw:
    query: Query
    status: int
    content: bytes
    fetched_at: dt.datetime
    headers: Mapping[str, str] = field(default_factory=dict)
    parts: list[bytes] = field(default_factory=list)  # multi-request providers (e.g. Trends pulls)

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def as_date(value: dt.date | str | None, what: str) -> dt.date | None:
    """A query date from a date, datetime or ISO string (None stays None); InputError otherwise."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{what}: not a date: {value!r}", hint="give dates as YYYY-MM-DD") from None


@runtime_checkable
class Provider(Protocol):
    name: str
    kinds: tuple[str, ...]

    def query(
        self, id: str, start: dt.date | None = None, end: dt.date | None = None, **options: Any
    ) -> Query: ...

    def fetch(self, query: Query) -> Raw: ...

    def standardize(self, raw: Raw) -> list[SeriesData]: ...


def _httpx() -> Any:
    try:
        import httpx
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            "live providers need httpx", hint="pip install 'hypecheck[live]'"
        ) from exc
    return httpx


class Http:
    """GET with retries: exponential back-off on 429, 5xx and timeouts (``Retry-After`` honoured up to
    ``max_wait``), then a :class:`ProviderError` saying what happened and what to do. ``client`` is an
    ``httpx.Client`` (injected in tests); ``sleep`` is injectable so tests never wait."""

    def __init__(
        self,
        provider: str,
        client: Any = None,
        *,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        timeout: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.provider = provider
        self._client = client
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.timeout = timeout
        self.sleep = sleep
        self.headers = dict(headers or {})
        self.waits: list[float] = []  # back-off delays actually slept (for tests and reports)

    @property
    def client(self) -> Any:
        if self._client is None:
            httpx = _httpx()
            self._client = httpx.Client(
                timeout=self.timeout,
                follow_redirects=True,
                headers={"User-Agent": "hypecheck (https://github.com/hypecheck)", **self.headers},
            )
        return self._client

    def get(self, query: Query, *, what: str | None = None) -> tuple[int, bytes, dict[str, str]]:
        httpx = _httpx()
        label = what or f"{self.provider} {query.id}"
        last = ""
        for attempt in range(self.retries + 1):
            try:
                r = self.client.get(query.url, params=dict(query.params), headers=self.headers or None)
            except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
                # a request that cannot even be built (e.g. a key with characters a URL cannot carry):
                # retrying will not help, and the exception's text may quote the URL with the key
                raise ProviderError(
                    f"{label}: the request could not be built ({type(exc).__name__}) ({query.describe()})",
                    hint="check the id and the API key (a key is plain letters and digits)",
                ) from None
            except httpx.TimeoutException:
                last = "timed out"
            except httpx.HTTPError as exc:
                last = f"network error ({type(exc).__name__})"
            else:
                if r.status_code == 429:
                    last = "rate limited (HTTP 429)"
                elif r.status_code >= 500:
                    last = f"server error (HTTP {r.status_code})"
                else:
                    return r.status_code, r.content, {k.lower(): v for k, v in r.headers.items()}
                retry_after = r.headers.get("retry-after")
                if retry_after and retry_after.isdigit():
                    wait = min(float(retry_after), self.max_wait)
                    if attempt < self.retries:
                        self.waits.append(wait)
                        self.sleep(wait)
                    continue
            if attempt < self.retries:
                wait = min(self.backoff * 2**attempt, self.max_wait)
                self.waits.append(wait)
                self.sleep(wait)
        hint = {
            "rate limited (HTTP 429)": f"{self.provider} is limiting requests: wait (an hour or more for Google "
            "Trends, minutes elsewhere) and rerun; data already stored are kept",
            "timed out": "check the network connection and rerun; data already stored are kept",
        }.get(last, "rerun later; data already stored are kept")
        raise ProviderError(
            scrub(f"{label}: {last} after {self.retries + 1} attempts ({query.describe()})"), hint=hint
        )


_FACTORIES: dict[str, Callable[..., Provider]] = {}


def register_provider(name: str, factory: Callable[..., Provider]) -> None:
    _FACTORIES[name] = factory


def _load_builtins() -> None:
    from importlib import import_module

    for mod in ("yahoo", "fred", "trends", "ishares", "edgar"):
        try:
            import_module(f"{__package__}.{mod}")
        except ImportError:  # pragma: no cover - a provider module not built yet
            continue


def _load_entry_points() -> None:
    from importlib.metadata import entry_points

    for ep in entry_points(group="hypecheck.providers"):
        if ep.name not in _FACTORIES:
            try:
                register_provider(ep.name, ep.load())
            except Exception:  # pragma: no cover - a broken third-party plugin must not break us
                continue


def available_providers() -> list[str]:
    _load_builtins()
    _load_entry_points()
    return sorted(_FACTORIES)


def get_provider(name: str, **kwargs: Any) -> Provider:
    """A provider instance by name (``yahoo``, ``fred``, ``trends``, ``edgar``, ``ishares``, or a
    plugin's). Unknown names raise InputError listing the known ones."""
    if name not in _FACTORIES:
        available_providers()
    if name not in _FACTORIES:
        raise InputError(
            f"unknown provider {name!r}",
            hint=f"known providers: {', '.join(available_providers()) or 'none'}",
        )
    return _FACTORIES[name](**kwargs)
