"""``hypecheck serve``: a page per theme (verdict, triggers, charts, evidence), an as-of switch, a
re-run button with progress, and the JSON API behind them (OpenAPI at ``/openapi.json``).

Bound to 127.0.0.1 by default. Pages are server-rendered (Jinja2, autoescaped) with small
same-origin scripts (``/static/app.js``: theme switcher, re-run button, scan-table sorting;
``/static/charts.js``: draws the interactive charts) and vega/vega-lite/vega-embed served from this
origin too (``/static/vega.js``, taken from the vl-convert wheel; run with vega's expression
interpreter, so no ``'unsafe-eval'``). The Content-Security-Policy allows nothing else, so the
dashboard works offline and user text (theme names, terms, tickers) can never run as script.

``/scan`` lists the live narratives of the data's universe (:func:`hypecheck.scan.core.scan`, also
``/api/scan``); a row opens ``/scan/theme``, which writes that narrative's theme
(:func:`hypecheck.scan.themegen.theme_toml`), serves it like the other themes and shows its page.

What a hostile browser page or client can do is bounded (:class:`Guard`, :class:`Engine`):

- only the dashboard's own Host names are answered (loopback names, the ``--host`` value and each
  ``--allow-host``), so a DNS-rebinding page gets 400 and nothing else;
- a state-changing request (POST, PUT, PATCH, DELETE) whose Origin (or, without one, Referer) is
  not one of those names on the same port gets 403;
- no page may be framed (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``);
- request bodies are capped (64 KiB by default): a larger Content-Length gets 413 before any of the
  body is read, a chunked body stops being read at the cap, and no body is ever echoed back;
- at most ``max_runs`` checks compute at once; up to ``max_queued`` more wait, the rest get 429
  with Retry-After; identical re-runs share one run; finished runs expire.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import queue
import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode, urlsplit

from fastapi import HTTPException, Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictStr, field_validator

from ..errors import EXIT_INPUT, EXIT_NO_DATA, DateOutsideDataError, HypecheckError, InputError, cut_words

CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
DEFAULT_MAX_BODY = 64 * 1024
DEFAULT_MAX_QUEUED = 16
KEEP_RUNS = 50  # finished runs kept at most ...
RUN_TTL = 15 * 60.0  # ... and for at most this many seconds
MAX_THEME_FILE = 1024 * 1024  # a --themes file larger than this is listed as invalid, not parsed
KEEP_SCANS = 8  # scan results kept (per as-of date asked)
KEEP_GENERATED = 64  # themes written from scan rows kept (the oldest is dropped first)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Starlette's and schemathesis' in-process test clients: Host "testserver", client "testclient".
# No socket peer can have that client name (serve turns proxy headers off), so a real request
# with Host "testserver" is refused like any other foreign name.
_TEST_HOST, _TEST_CLIENT = "testserver", "testclient"


def _deps() -> Any:
    try:
        import fastapi
    except ImportError as exc:  # pragma: no cover - depends on the environment
        from ..errors import MissingDependencyError

        raise MissingDependencyError(
            "the dashboard needs fastapi and uvicorn", hint="pip install 'hypecheck[serve]'"
        ) from exc
    return fastapi


def _short(text: str, n: int = 80) -> str:
    """``text`` cut to ``n`` characters for a message (user input is never echoed whole)."""
    return text if len(text) <= n else text[:n] + f"... ({len(text)} characters)"


# ------------------------------------------------------------------ hosts and origins
def split_host(value: str) -> tuple[str, str | None] | None:
    """``name``, ``name:port``, ``[v6]``, ``[v6]:port`` (or a bare IPv6 address) as (name in lower
    case without brackets or a trailing dot, port or None); None when it is not a host name."""
    v = value.strip().lower()
    port: str | None = None
    if v.startswith("["):
        end = v.find("]")
        if end < 0:
            return None
        name, rest = v[1:end], v[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                return None
            port = rest[1:]
    elif v.count(":") == 1:
        name, port = v.split(":")
    else:
        name = v  # a bare name, or a bare IPv6 address (as --host takes it)
    name = name.rstrip(".")
    if port is not None and not (port.isdigit() and 0 < len(port) <= 5):
        return None
    allowed = "abcdefghijklmnopqrstuvwxyz0123456789.-_" + (":" if ":" in name else "")
    if not name or len(name) > 253 or any(c not in allowed for c in name):
        return None
    return name, port


class HostNames:
    """The names the dashboard answers to: loopback names (any port) plus extra ``name`` (any port)
    or ``name:port`` entries."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self.entries: set[tuple[str, str | None]] = {(n, None) for n in LOOPBACK_HOSTS}
        for e in extra:
            parsed = split_host(e)
            if parsed is None:
                raise ValueError(f"not a host name: {_short(e)!r}")
            self.entries.add(parsed)

    def allows(self, name: str, port: str | None) -> bool:
        return (name, None) in self.entries or (port is not None and (name, port) in self.entries)

    def __repr__(self) -> str:
        return f"HostNames({sorted(n if p is None else f'{n}:{p}' for n, p in self.entries)})"


def _origin_of(url: str) -> tuple[str, str | None] | None:
    """(host name, explicit port or None) of an Origin or Referer value; None if it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname.rstrip("."), None if port is None else str(port)


class Guard:
    """Pure ASGI middleware in front of the app: Host allow-list, same-origin state changes, body cap,
    and the security headers on every response (its own refusals included)."""

    def __init__(self, app: Any, hosts: HostNames, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.hosts = hosts
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":  # no websocket routes: refuse before anything else
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        headers: dict[bytes, list[str]] = {}
        for k, v in scope.get("headers", []):
            headers.setdefault(k.lower(), []).append(v.decode("latin-1"))
        host = self._host(scope, headers.get(b"host", []))
        if host is None:
            await self._refuse(send_secured, 400, "invalid Host header")
            return
        if scope.get("method", "GET").upper() in UNSAFE_METHODS and not self._same_origin(host, headers):
            await self._refuse(send_secured, 403, "cross-origin request refused")
            return
        lengths = headers.get(b"content-length", [])
        if lengths:
            if len(set(lengths)) != 1 or not lengths[0].strip().isdigit():
                await self._refuse(send_secured, 400, "invalid Content-Length")
                return
            if len(lengths[0].strip()) > 18 or int(lengths[0]) > self.max_body:
                await self._too_large(send_secured)
                return
        if not lengths and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send_secured)
            return
        # a body: read it here, stopping at the cap, then hand it to the app in one piece
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            total += len(body)
            if total > self.max_body:
                await self._too_large(send_secured)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return dict(await receive())

        await self.app(scope, replay, send_secured)

    def _host(self, scope: dict[str, Any], values: list[str]) -> tuple[str, str | None] | None:
        if len(values) != 1:
            return None
        parsed = split_host(values[0])
        if parsed is None:
            return None
        client = scope.get("client") or ("", 0)
        if parsed[0] == _TEST_HOST and client[0] == _TEST_CLIENT:
            return parsed
        return parsed if self.hosts.allows(*parsed) else None

    def _same_origin(self, host: tuple[str, str | None], headers: dict[bytes, list[str]]) -> bool:
        """A state change must come from a page of ours: its Origin (else its Referer) one of our
        names on the port the request came to. Neither header (curl, scripts): allowed."""
        values = headers.get(b"origin") or headers.get(b"referer")
        if not values:
            return True
        if len(values) != 1:
            return False
        origin = _origin_of(values[0])
        if origin is None:  # "null" (sandboxed frames, file: pages) or garbage
            return False
        name, port = origin
        if name == host[0] == _TEST_HOST:
            return port == host[1]
        return self.hosts.allows(name, port) and port == host[1]

    async def _too_large(self, send: Any) -> None:
        await self._refuse(
            send, 413, f"request body too large (the limit is {self.max_body} bytes)", close=True
        )

    @staticmethod
    async def _refuse(send: Any, status: int, detail: str, close: bool = False) -> None:
        import json

        body = json.dumps({"detail": detail}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if close:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


# ------------------------------------------------------------------ checks and runs
class Busy(Exception):
    """Every check slot and queue place is taken: the request gets 429 with ``retry_after``."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("busy")
        self.retry_after = retry_after


class Engine:
    """Runs checks for the app and caches results per (theme, as-of, calibrate).

    At most ``max_runs`` checks compute at once (default: the number of CPUs), whether a page asked
    or a re-run; up to ``max_queued`` more wait for a slot, and beyond that :class:`Busy` is raised
    (429). Re-runs go through ``max_runs`` worker threads; an identical re-run (same theme, as-of,
    calibrate) while one is queued or running gets that run. Finished runs are kept for
    ``run_ttl`` seconds, at most ``keep_runs`` of them."""

    def __init__(
        self,
        data: Path | None = None,
        store: Path | None = None,
        cache_size: int = 32,
        themes_dir: Path | None = None,
        max_runs: int | None = None,
        max_queued: int = DEFAULT_MAX_QUEUED,
        keep_runs: int = KEEP_RUNS,
        run_ttl: float = RUN_TTL,
    ) -> None:
        self.data = None if data is None else Path(data)
        self.store = None if store is None else Path(store)
        self.themes_dir = None if themes_dir is None else Path(themes_dir)
        self.theme_errors: list[str] = []
        self.cache: OrderedDict[tuple[str, str, bool], Any] = OrderedDict()
        self.cache_size = cache_size
        self.lock = threading.Lock()
        self.runs: dict[str, dict[str, Any]] = {}
        self.max_runs = max(1, max_runs if max_runs is not None else (os.cpu_count() or 1))
        self.max_queued = max(0, max_queued)
        self.keep_runs = keep_runs
        self.run_ttl = run_ttl
        self.slots = threading.BoundedSemaphore(self.max_runs)
        self.pending = 0  # checks admitted: waiting for a slot or computing
        self.running = 0  # checks computing (holding a slot)
        self.durations: deque[float] = deque(maxlen=20)
        self.inflight: dict[tuple[str, str, bool], threading.Lock] = {}
        self.active: dict[tuple[str, str | None, bool], str] = {}  # request -> queued/running run
        self.finished: OrderedDict[str, float] = OrderedDict()  # run id -> when it finished
        self.jobs: queue.Queue[Callable[[], None]] = queue.Queue()
        self.workers: list[threading.Thread] = []
        self.scans: OrderedDict[str, Any] = OrderedDict()  # as-of asked ("" = latest) -> ScanResult
        self.labs: dict[str, dict[str, Any]] = {}  # horizon -> the lab job (queued, running, done, failed)
        self.lab_runner: Callable[[Path | None, str, Callable[[str], None]], dict[str, Any]] = run_lab_dict
        self.scan_locks: dict[str, threading.Lock] = {}
        self.generated: OrderedDict[str, tuple[Any, str]] = OrderedDict()  # id -> (Theme, its TOML)

    def source_label(self, public: bool = False) -> str:
        """What the checks read; ``public``: only the data's folder or file name, never its path."""

        def show(p: Path) -> str:
            return (p.resolve().name or str(p)) if public else str(p)

        if self.store is not None:
            return f"store: {show(self.store)}"
        return "bundled sample data" if self.data is None else f"files: {show(self.data)}"

    def data_note(self, public: bool = False) -> str:
        """Which data the checks read when none was given, and how to point the server at yours
        ("" when ``--data`` or ``--store`` was given). Shown by ``serve`` and on every page."""
        if self.store is not None or self.data is not None:
            return ""
        where = self.themes_dir if not public or self.themes_dir is None else self.themes_dir.resolve().name
        whose = (
            f"your themes from {where} are checked on it too, and most of their series are "
            "not in it (they will show as missing)"
            if self.themes_dir is not None
            else "a theme about current markets will find little of its data there"
        )
        return (
            "No --data given: these checks read the bundled sample data (Ken French portfolios, a few "
            f"macro series, to 2017; offline); {whose}. To check on your own data, restart with "
            "`hypecheck serve --data PATH` (a folder of price, FRED and Google Trends CSVs), or "
            "`--store PATH` for data fetched with `hypecheck fetch`."
        )

    def catalog(self, as_of: Any = None) -> Any:
        """The catalog the checks read; its ``source`` names the theme mapping that applies. From a
        store with ``as_of``: what the store knew on that date (later revisions left out)."""
        from ..data.catalog import load_catalog

        if self.store is not None:
            from ..store import Store

            st = Store(self.store)
            cat = st.catalog(known_at=as_of) if as_of is not None else st.catalog()
            cat.source = "store"
            return cat
        return load_catalog(self.data)

    def themes(self) -> list[Any]:
        """The built-in themes, then the user's (``--themes DIR``: every *.toml there). A file that
        does not load, whatever the reason, or whose id a built-in theme or an earlier file already
        has, is not served and is listed in ``theme_errors`` (shown on the index page)."""
        from ..theme import builtin_theme_names, load_theme

        out = [load_theme(n) for n in builtin_theme_names()]
        builtin = {t.id for t in out}
        errors: list[str] = []
        if self.themes_dir is not None:
            owner: dict[str, str] = {}
            for f in sorted(Path(self.themes_dir).glob("*.toml")):
                try:
                    if f.is_file() and f.stat().st_size > MAX_THEME_FILE:
                        raise ValueError(f"is larger than {MAX_THEME_FILE // 1024} KiB")
                    t = load_theme(f)
                except HypecheckError as exc:
                    errors.append(f"{f.name}: {_short(exc.message, 300)}")
                    continue
                except RecursionError:
                    errors.append(f"{f.name}: nested too deeply to read")
                    continue
                except Exception as exc:  # any other failure: this file is invalid, the rest serve
                    errors.append(f"{f.name}: could not be read ({_short(str(exc) or type(exc).__name__)})")
                    continue
                if t.id in builtin:
                    errors.append(
                        f"{f.name}: its id {t.id!r} is a built-in theme's, which is served instead; "
                        "give it another id to serve it"
                    )
                elif t.id in owner:
                    errors.append(
                        f"{f.name}: its id {t.id!r} is already used by {owner[t.id]}, which is served "
                        "instead; give it another id to serve it"
                    )
                else:
                    owner[t.id] = f.name
                    out.append(t)
        self.theme_errors = errors
        with self.lock:
            made = [t for t, _ in self.generated.values()]
        ids = {t.id for t in out}
        out += [t for t in made if t.id not in ids]  # a built-in or user theme with the id wins
        return out

    # -- the scan page: live narratives, and a theme written for one of them
    def scan(self, as_of: str | None) -> Any:
        """The scan of the catalog's universe as of ``as_of`` (None: the last date of its closes),
        from the cache, else computed in a check slot (the same admission limits as checks)."""
        from ..scan.core import scan

        key = as_of or ""
        with self.lock:
            if key in self.scans:
                self.scans.move_to_end(key)
                return self.scans[key]
        with self._admitted():
            with self.lock:
                one = self.scan_locks.setdefault(key, threading.Lock())
            with one:
                with self.lock:
                    if key in self.scans:
                        return self.scans[key]
                try:
                    with self._slot(None, None):
                        res = scan(self.catalog(as_of or None), as_of or None)
                    with self.lock:
                        self.scans[key] = res
                        while len(self.scans) > KEEP_SCANS:
                            self.scans.popitem(last=False)
                finally:
                    with self.lock:
                        if self.scan_locks.get(key) is one:
                            del self.scan_locks[key]
        return res

    def scan_theme(self, leader: str, laggard: str, as_of: str | None) -> tuple[Any, str]:
        """(theme, as-of date) for the live narrative ``leader`` over ``laggard`` of the scan as of
        ``as_of``: the theme ``hypecheck scan --theme`` writes, served like the other themes from then
        on. KeyError when the scan has no such narrative."""
        from .._toml import parse_bounded
        from ..errors import ThemeError
        from ..scan.themegen import theme_toml
        from ..theme import parse_theme

        res = self.scan(as_of)
        if res.find(leader, laggard) is None:
            raise KeyError(f"{leader}-{laggard}")
        text = theme_toml(res, leader, laggard)
        theme = parse_theme(
            parse_bounded(
                text, "the theme written from the scan", ThemeError, hint="a bug: please report it"
            ),
            where=f"scan {leader}-{laggard}",
        )
        with self.lock:
            old = self.generated.pop(theme.id, None)
            if old is not None and old[1] != text:  # rewritten differently: drop its cached checks
                for k in [k for k in self.cache if k[0] == theme.id]:
                    del self.cache[k]
            self.generated[theme.id] = (theme, text)
            while len(self.generated) > KEEP_GENERATED:
                self.generated.popitem(last=False)
        return theme, res.as_of.strftime("%Y-%m-%d")

    # -- the lab: a bounded background job (admitted and run like a re-run), one per horizon
    def lab_data(self) -> Path | None:
        """The folder the lab reads besides the bundled Ken French history (None: only that one; a
        store is not read by the lab)."""
        return self.data if self.store is None else None

    def lab_status(self, horizon: str) -> dict[str, Any]:
        """The lab job for ``horizon`` as the API shows it (status ``idle`` when none was started)."""
        with self.lock:
            job = self.labs.get(horizon)
            return _lab_view(job, horizon)

    def start_lab(self, horizon: str, *, again: bool = False) -> dict[str, Any]:
        """Start the lab for ``horizon`` in the background, or return the queued, running or finished
        job (``again``: a finished or failed one is run again). Admitted like a re-run: it takes a
        queue place, then a check slot, so it never computes inside a request; :class:`Busy` when
        every place is taken."""
        with self.lock:
            job = self.labs.get(horizon)
            if job is not None and (
                job["status"] in ("queued", "running") or (job["status"] == "done" and not again)
            ):
                return _lab_view(job, horizon)
            self._admit_locked()
            job = {
                "horizon": horizon,
                "status": "queued",
                "stage": "waiting for a free slot",
                "progress": 0.0,
                "error": None,
                "started_at": None,
                "finished_at": None,
                "result": None,
            }
            self.labs[horizon] = job
        data = self.lab_data()
        steps = 2 * (1 + (data is not None))  # run_lab reports two stages per history
        done = [0]

        def progress(stage: str) -> None:
            done[0] += 1
            job["stage"], job["progress"] = stage, round(0.1 + 0.8 * (done[0] - 1) / steps, 3)

        def started() -> None:
            job["status"], job["started_at"] = "running", time.time()
            job["stage"], job["progress"] = "starting", 0.05

        def work() -> None:
            try:
                with self._slot(started, None):
                    result = self.lab_runner(data, horizon, progress)
                job["result"] = _json_safe(result)
                job["status"], job["stage"], job["progress"] = "done", "done", 1.0
            except HypecheckError as exc:
                job["status"], job["stage"], job["error"] = "failed", "failed", cut_words(str(exc), 400)
            except Exception as exc:  # a bug: say so in the job, keep serving
                job["status"], job["stage"] = "failed", "failed"
                job["error"] = cut_words(f"internal error: {type(exc).__name__}: {exc}", 400)
            finally:
                job["finished_at"] = time.time()
                with self.lock:
                    self.pending -= 1

        self._submit(work)
        return self.lab_status(horizon)

    def theme(self, theme_id: str) -> Any:
        for t in self.themes():
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)

    # -- admission: how many checks may compute and wait
    def retry_after(self) -> int:
        """Seconds until a place is likely free: the recent mean check time per queue round."""
        mean = sum(self.durations) / len(self.durations) if self.durations else 5.0
        rounds = 1 + max(0, self.pending - self.max_runs) / self.max_runs
        return max(1, min(300, math.ceil(mean * rounds)))

    def _admit_locked(self) -> None:
        if self.pending >= self.max_runs + self.max_queued:
            raise Busy(self.retry_after())
        self.pending += 1

    @contextmanager
    def _admitted(self) -> Iterator[None]:
        with self.lock:
            self._admit_locked()
        try:
            yield
        finally:
            with self.lock:
                self.pending -= 1

    @contextmanager
    def _slot(self, on_start: Callable[[], None] | None, on_end: Callable[[], None] | None) -> Iterator[None]:
        self.slots.acquire()
        t0 = time.monotonic()
        with self.lock:
            self.running += 1
        try:
            if on_start is not None:
                on_start()
            yield
        finally:
            if on_end is not None:
                on_end()
            with self.lock:
                self.running -= 1
                self.durations.append(time.monotonic() - t0)
            self.slots.release()

    def load(self) -> dict[str, int]:
        with self.lock:
            return {
                "running": self.running,
                "queued": self.pending - self.running,
                "max_runs": self.max_runs,
                "max_queued": self.max_queued,
            }

    def check(
        self,
        theme_id: str,
        as_of: str | None,
        calibrate: bool = True,
        progress: Any = None,
        *,
        admitted: bool = False,
        on_start: Callable[[], None] | None = None,
        on_end: Callable[[], None] | None = None,
    ) -> Any:
        """The result for (theme, as-of, calibrate): from the cache, else computed in a slot (one
        computation per key at a time; ``admitted``: the caller already holds a queue place;
        ``on_start``/``on_end`` are called when the computation gets its slot and gives it back)."""
        from ..api import check, resolve_as_of

        th = self.theme(theme_id)
        catalog = self.catalog()
        source = catalog.source
        ts = resolve_as_of(th, catalog, source, as_of or None)
        if self.store is not None:  # the check reads the store as known on its as-of date
            catalog = self.catalog(ts.date())
        key = (theme_id, ts.strftime("%Y-%m-%d"), calibrate)
        with self.lock:
            if key in self.cache:
                self.cache.move_to_end(key)
                return self.cache[key]
        with self._admitted() if not admitted else _nothing():
            with self.lock:
                one = self.inflight.setdefault(key, threading.Lock())
            with one:
                with self.lock:
                    if key in self.cache:  # computed meanwhile by the request we waited for
                        self.cache.move_to_end(key)
                        return self.cache[key]
                try:
                    with self._slot(on_start, on_end):
                        res = check(
                            th,
                            as_of=ts,
                            catalog=catalog,
                            source=source,
                            calibrate=calibrate,
                            progress=progress,
                        )
                    with self.lock:
                        self.cache[key] = res
                        while len(self.cache) > self.cache_size:
                            self.cache.popitem(last=False)
                finally:
                    with self.lock:
                        if self.inflight.get(key) is one:
                            del self.inflight[key]
        return res

    # -- background re-runs
    def _submit(self, job: Callable[[], None]) -> None:
        self.jobs.put(job)
        with self.lock:
            if len(self.workers) < self.max_runs:
                w = threading.Thread(target=self._worker, name="hypecheck-run", daemon=True)
                self.workers.append(w)
                w.start()

    def _worker(self) -> None:
        while True:
            job = self.jobs.get()
            with suppress(Exception):  # job() reports its own errors in its run
                job()

    def _prune_locked(self, now: float) -> None:
        while self.finished:
            rid, when = next(iter(self.finished.items()))
            if len(self.finished) <= self.keep_runs and now - when <= self.run_ttl:
                break
            del self.finished[rid]
            self.runs.pop(rid, None)

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        with self.lock:
            self._prune_locked(time.monotonic())
            run = self.runs.get(run_id)
            return None if run is None else dict(run)

    def start_run(self, theme_id: str, as_of: str | None, calibrate: bool) -> dict[str, Any]:
        """A background re-run (recomputes, replacing the cached results for the theme), or the
        queued or running one for the same request. Raises :class:`Busy` when the queue is full."""
        request = (theme_id, as_of, calibrate)
        with self.lock:
            self._prune_locked(time.monotonic())
            same = self.active.get(request)
            if same is not None and same in self.runs:
                return dict(self.runs[same])
            self._admit_locked()
            run_id = uuid.uuid4().hex[:12]
            run: dict[str, Any] = {
                "run_id": run_id,
                "theme": theme_id,
                "as_of": as_of,
                "status": "queued",
                "progress": 0.0,
                "stage": "queued",
                "error": None,
                "result_url": None,
            }
            self.runs[run_id] = run
            self.active[request] = run_id

        def progress(p: float, stage: str) -> None:
            run["progress"], run["stage"] = p, stage

        def started() -> None:
            run["status"], run["started_at"] = "running", time.time()
            progress(0.1, "loading data")

        def computed() -> None:
            run["computed_at"] = time.time()

        def work() -> None:
            try:
                with self.lock:  # a re-run recomputes: drop the cached results
                    for k in [k for k in self.cache if k[0] == theme_id]:
                        del self.cache[k]
                res = self.check(
                    theme_id, as_of, calibrate, progress, admitted=True, on_start=started, on_end=computed
                )
                progress(0.9, "rendering")
                run["as_of"] = res.as_of.strftime("%Y-%m-%d")
                run["result_url"] = f"/themes/{theme_id}?as_of={run['as_of']}"
                run["verdict"] = {"label": res.verdict.label, "score": res.verdict.score}
                progress(1.0, "done")
                run["status"] = "done"
            except HypecheckError as exc:
                run["status"], run["error"], run["stage"] = "failed", str(exc), "failed"
            except Exception as exc:  # pragma: no cover - a bug: report it in the run, keep serving
                run["status"], run["error"], run["stage"] = "failed", f"internal error: {exc}", "failed"
            finally:
                with self.lock:
                    self.pending -= 1
                    if self.active.get(request) == run_id:
                        del self.active[request]
                    now = time.monotonic()
                    self.finished[run_id] = now
                    self._prune_locked(now)

        self._submit(work)
        return dict(run)


def _iso_only(value: Any) -> Any:
    """A query date must be written YYYY-MM-DD (pydantic alone would also read ``0`` as 1970-01-01)."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date must be written YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_only)]


def _iso_date(value: str | None) -> str | None:
    """A YYYY-MM-DD date as given (None stays None); 400 otherwise."""
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise HTTPException(400, f"as_of {_short(value)!r} is not a YYYY-MM-DD date") from None


def _num(x: Any, fmt: str = "{:.2f}") -> str:
    """A number for the scan table ("n/a" for None or NaN)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return fmt.format(x)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


LAB_HORIZONS = ("1M", "3M", "6M", "12M")
LabHorizon = Literal["1M", "3M", "6M", "12M"]


def run_lab_dict(data: Path | None, horizon: str, progress: Callable[[str], None]) -> dict[str, Any]:
    """:func:`hypecheck.lab.run.run_lab` on the bundled history (and ``data``'s), as its JSON
    contract (``LabResult.to_dict()``) without the per-episode rows (``hypecheck lab --json`` has
    them): what the ``/lab`` page shows."""
    from ..lab.run import run_lab

    out = dict(run_lab(data, horizon=horizon, progress=progress).to_dict())
    out.pop("episodes", None)
    return out


def _json_safe(x: Any) -> Any:
    """``x`` with every non-finite float as None (JSON has no NaN)."""
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if hasattr(x, "item") and not isinstance(x, str | bytes):  # numpy scalars
        return _json_safe(x.item())
    return x


def _lab_view(job: dict[str, Any] | None, horizon: str) -> dict[str, Any]:
    if job is None:
        return {"horizon": horizon, "status": "idle", "stage": "not started", "progress": 0.0}
    return dict(job)


# CLI options named in the library's messages, and what a request to the API passes instead
_CLI_WORDS = (
    (re.compile(r"--as-of (\d{4}-\d{2}-\d{2}|YYYY-MM-DD)"), r"as_of=\1"),
    (re.compile(r"\bpass --as-of a date\b"), "ask for an as_of date"),
    (re.compile(r"\bpass --as-of\b"), "ask for an as_of date"),
    (re.compile(r"--as-of\b"), "the as_of parameter"),
    (re.compile(r"\bpass --horizon (\w+)"), r"pass horizon=\1"),
    (re.compile(r"--horizon\b"), "the horizon parameter"),
    (re.compile(r"\bwith --data PATH\b"), "(restart hypecheck serve with --data PATH)"),
)


def api_words(text: str) -> str:
    """A library message reworded for an API client: the command line's ``--as-of`` becomes the
    ``as_of`` query parameter (``use --as-of 2017-12-29`` -> ``use as_of=2017-12-29``), ``--horizon``
    the ``horizon`` parameter; a server option (``--data``) is named as one."""
    for pattern, repl in _CLI_WORDS:
        text = pattern.sub(repl, text)
    return text


class ThemeInfo(BaseModel):
    id: str
    title: str
    question: str
    triggers: int


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme: StrictStr = Field(description="a built-in theme id", examples=["small-cap-rotation"])
    as_of: dt.date | None = Field(default=None, description="default: the theme's own date")
    calibrate: StrictBool = Field(
        default=True, description="fit the panel model for the probability and the label"
    )

    @field_validator("as_of", mode="before")
    @classmethod
    def _iso_string(cls, v: Any) -> Any:
        if v is not None and not isinstance(v, str):
            raise ValueError("as_of must be a YYYY-MM-DD string")
        return v


class Run(BaseModel):
    run_id: str
    theme: str
    as_of: str | None = None
    status: str
    progress: float
    stage: str
    error: str | None = None
    result_url: str | None = None
    verdict: dict[str, Any] | None = None
    started_at: float | None = Field(
        default=None, description="when the check got a slot and began computing (Unix time)"
    )
    computed_at: float | None = Field(default=None, description="when it gave the slot back (Unix time)")


class LabRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    horizon: LabHorizon = Field(default="6M", description="how long after its birth a narrative is followed")
    again: StrictBool = Field(default=False, description="run again even if a finished result is kept")


class LabRun(BaseModel):
    horizon: str
    status: str = Field(description="idle (never started), queued, running, done or failed")
    stage: str
    progress: float
    error: str | None = None
    started_at: float | None = Field(default=None, description="when the lab got a slot (Unix time)")
    finished_at: float | None = Field(default=None, description="when it finished (Unix time)")
    result: dict[str, Any] | None = Field(
        default=None,
        description="when done: the lab's JSON contract (v3, README 'The lab') without the episodes",
    )


class TriggerOut(BaseModel):
    id: str
    kind: str
    description: str
    state: str
    value: float | None = None
    detail: str


class ErrorOut(BaseModel):
    detail: str
    hint: str | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "bad input (a date, a parameter)"},
    404: {"model": ErrorOut, "description": "unknown theme, chart or run; or no data for the request"},
    429: {
        "model": ErrorOut,
        "description": "every check slot and queue place is taken; retry after the Retry-After seconds",
    },
    503: {"model": ErrorOut, "description": "a data source or the store is unavailable"},
}
STATE_CHANGE: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorOut, "description": "the request's Origin (or Referer) is not this dashboard"},
    413: {"model": ErrorOut, "description": "the request body is over the limit (64 KiB by default)"},
}


def create_app(
    data: Path | None = None,
    store: Path | None = None,
    themes_dir: Path | None = None,
    *,
    allow_hosts: Iterable[str] = (),
    max_body: int = DEFAULT_MAX_BODY,
    max_runs: int | None = None,
    max_queued: int = DEFAULT_MAX_QUEUED,
) -> Any:
    """The FastAPI app over ``data`` (a folder/file; None = bundled sample data) or a ``store``;
    ``themes_dir`` adds the user's theme files to the built-in ones.

    ``allow_hosts``: Host names answered besides the loopback ones (``name`` for any port or
    ``name:port``; ``serve`` adds its ``--host``). ``max_body``: request body limit in bytes.
    ``max_runs``: checks computed at once (default: CPUs); ``max_queued``: how many more may wait."""
    fastapi = _deps()
    from fastapi.encoders import jsonable_encoder
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    from .. import __version__

    hosts = HostNames(allow_hosts)
    engine = Engine(data, store, themes_dir=themes_dir, max_runs=max_runs, max_queued=max_queued)
    tdir = Path(str(resources.files("hypecheck") / "server" / "templates"))
    env = Environment(loader=FileSystemLoader(str(tdir)), autoescape=select_autoescape(["html", "j2"]))
    app = fastapi.FastAPI(
        title="hypecheck",
        version=__version__,
        description="Is this hot market narrative a viral sentiment shift, or backed by a real catalyst? "
        "The JSON API behind `hypecheck serve`.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.hosts = hosts
    app.add_middleware(Guard, hosts=hosts, max_body=max_body)

    @app.exception_handler(Busy)
    async def busy(request: Any, exc: Busy) -> Any:
        return JSONResponse(
            {
                "detail": f"busy: {engine.max_runs} checks running and {engine.max_queued} waiting",
                "hint": f"retry in {exc.retry_after} s",
            },
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Any, exc: RequestValidationError) -> Any:
        # FastAPI's own 422, with what was sent cut short: a request is never echoed whole
        errors = []
        for e in exc.errors():
            e = {k: v for k, v in e.items() if k not in ("ctx", "url")}
            if "input" in e and len(repr(e["input"])) > 100:
                e["input"] = _short(str(e["input"]), 100)
            errors.append(e)
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(HypecheckError)
    async def hypecheck_error(request: Any, exc: HypecheckError) -> Any:
        if isinstance(exc, DateOutsideDataError):  # a valid date the data hold nothing for
            code = 404
        else:
            code = 400 if exc.exit_code == EXIT_INPUT else 422 if exc.exit_code == EXIT_NO_DATA else 503
        # a quoted input is cut (as every endpoint cuts what it echoes), never answered whole
        detail, hint = cut_words(api_words(exc.message), 240), cut_words(api_words(exc.hint or ""), 240)
        return JSONResponse({"detail": detail, "hint": hint}, status_code=code)

    def _result(theme_id: str, as_of: dt.date | str | None, calibrate: bool = True) -> Any:
        try:
            return engine.check(theme_id, None if as_of is None else str(as_of), calibrate)
        except KeyError:
            raise HTTPException(404, f"unknown theme {_short(theme_id)!r}") from None

    def _scan(as_of: str | None) -> Any:
        """The scan as of a YYYY-MM-DD date (400 when it is not one; 404 when the data have no
        closes on that date: before their start or after their end)."""
        day = _iso_date(as_of)
        try:
            return engine.scan(day)
        except InputError as exc:
            text = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
            raise HTTPException(404, api_words(text)) from None

    @app.get("/api/health", summary="Liveness, what data the server reads (by name) and its load")
    async def health() -> dict[str, Any]:
        # async: answered on the event loop, never queued behind checks in the thread pool
        return {
            "status": "ok",
            "version": __version__,
            "data": engine.source_label(public=True),
            "data_note": engine.data_note(public=True),
            "runs": engine.load(),
        }

    @app.get("/api/themes", response_model=list[ThemeInfo], summary="The built-in themes")
    def themes() -> list[dict[str, Any]]:
        return [
            {"id": t.id, "title": t.title, "question": t.question, "triggers": len(t.triggers)}
            for t in engine.themes()
        ]

    @app.get(
        "/api/themes/{theme_id}/check",
        summary="The full result of a check (the JSON contract)",
        responses=ERRORS,
    )
    def check_theme(
        theme_id: str,
        as_of: Annotated[IsoDate | None, Query(description="default: the theme's own date")] = None,
        calibrate: Annotated[bool, Query()] = True,
    ) -> dict[str, Any]:
        return _result(theme_id, as_of, calibrate).to_dict()

    @app.get(
        "/api/themes/{theme_id}/triggers",
        response_model=list[TriggerOut],
        summary="Trigger states",
        responses=ERRORS,
    )
    def triggers(theme_id: str, as_of: Annotated[IsoDate | None, Query()] = None) -> list[dict[str, Any]]:
        return [t.to_dict() for t in _result(theme_id, as_of).triggers]

    @app.get(
        "/api/themes/{theme_id}/charts/{name}.png",
        summary="One chart of a check as PNG",
        responses={200: {"content": {"image/png": {}}}, **ERRORS},
        response_class=Response,
    )
    def chart(theme_id: str, name: str, as_of: Annotated[IsoDate | None, Query()] = None) -> Any:
        from ..report import charts

        res = _result(theme_id, as_of)
        figs = charts.build(res)
        if name not in figs:
            raise HTTPException(
                404, f"no chart {_short(name)!r} for {theme_id} (available: {', '.join(figs)})"
            )
        return Response(charts.to_bytes(figs[name][2], "png"), media_type="image/png")

    @app.get(
        "/api/themes/{theme_id}/charts/{name}.json",
        summary="One interactive chart of a check as a Vega-Lite spec (the RRG and spread charts)",
        responses=ERRORS,
    )
    def chart_spec(theme_id: str, name: str, as_of: Annotated[IsoDate | None, Query()] = None) -> Any:
        from ..report import charts

        specs = charts.specs(_result(theme_id, as_of))
        if name not in specs:
            raise HTTPException(
                404,
                f"no chart spec {_short(name)!r} for {theme_id} (available: {', '.join(specs) or 'none'})",
            )
        return JSONResponse(specs[name][2])

    @app.get(
        "/api/scan",
        summary="Live narratives across the data's universe as of a date (hypecheck scan --json)",
        responses=ERRORS,
    )
    def scan_api(
        as_of: Annotated[IsoDate | None, Query(description="default: the last date of the closes")] = None,
    ) -> dict[str, Any]:
        return dict(_scan(None if as_of is None else as_of.isoformat()).to_dict())

    @app.post(
        "/api/runs",
        response_model=Run,
        status_code=202,
        summary="Re-run a check in the background (an identical queued or running one is shared)",
        responses={**ERRORS, **STATE_CHANGE},
    )
    def start_run(req: RunRequest) -> dict[str, Any]:
        try:
            engine.theme(req.theme)
        except KeyError:
            raise HTTPException(404, f"unknown theme {_short(req.theme)!r}") from None
        return engine.start_run(
            req.theme, None if req.as_of is None else req.as_of.isoformat(), req.calibrate
        )

    @app.get("/api/runs/{run_id}", response_model=Run, summary="Progress of a run", responses=ERRORS)
    def get_run(run_id: str) -> dict[str, Any]:
        run = engine.get_run(run_id)
        if run is None:
            raise HTTPException(404, f"unknown run {_short(run_id)!r} (finished runs expire)")
        return run

    # ------------------------------------------------------------------ pages
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> Any:
        themes = engine.themes()
        return HTMLResponse(
            env.get_template("index.html.j2").render(
                themes=themes,
                errors=engine.theme_errors,
                source=engine.source_label(public=True),
                data_note=engine.data_note(public=True),
                version=__version__,
            )
        )

    @app.get("/themes/{theme_id}", response_class=HTMLResponse, include_in_schema=False)
    def theme_page(theme_id: str, as_of: str | None = None) -> Any:
        from ..pillar_registry import PILLARS
        from ..report import charts
        from ..report.html import fmt_score, fmt_threshold, fmt_value
        from ..report.spec import VegaChart, pillar_color

        if as_of == "":
            as_of = None
        res = _result(theme_id, as_of)
        built = charts.build(res)
        names = list(built)
        specs = {k: c.spec for k, (_p, _t, c) in built.items() if isinstance(c, VegaChart)}
        html = env.get_template("theme.html.j2").render(
            specs=specs,
            titles_of={k: t for k, (_p, t, _c) in built.items()},
            r=res,
            v=res.verdict,
            themes=engine.themes(),
            as_of=res.as_of.strftime("%Y-%m-%d"),
            charts=names,
            pillars=[(n, res.pillars[n]) for n in res.measured()],
            titles=PILLARS.titles(),
            fmt_score=fmt_score,
            fmt_value=fmt_value,
            fmt_threshold=fmt_threshold,
            pillar_color=pillar_color,
            source=engine.source_label(public=True),
            data_note=engine.data_note(public=True),
            version=__version__,
        )
        return HTMLResponse(html)

    @app.get("/scan", response_class=HTMLResponse, include_in_schema=False)
    def scan_page(as_of: str | None = None) -> Any:
        from ..report.spec import sparkline_svg

        res = _scan(as_of or None)
        day = res.as_of.strftime("%Y-%m-%d")
        rows = []
        for n in res.narratives:
            rs = [float(x) for x in n.rs]
            change = rs[-1] / rs[0] - 1 if len(rs) > 1 and rs[0] else None
            since = "" if n.rs_start is None else n.rs_start.strftime("%Y-%m-%d")
            title = f"{n.leader} / {n.laggard} from {since} to {day}" + (
                ""
                if change is None
                else f": {change:+.1%} ({'leader gaining' if change >= 0 else 'leader losing'})"
            )
            rows.append(
                {
                    "n": n,
                    "href": "/scan/theme?"
                    + urlencode({"leader": n.leader, "laggard": n.laggard, "as_of": day}),
                    "spark": Markup(sparkline_svg(rs, title=title)),
                    "change": change,
                }
            )
        return HTMLResponse(
            env.get_template("scan.html.j2").render(
                res=res,
                rows=rows,
                as_of=day,
                num=_num,
                themes=engine.themes(),
                source=engine.source_label(public=True),
                data_note=engine.data_note(public=True),
                version=__version__,
            )
        )

    @app.get("/scan/theme", include_in_schema=False)
    def scan_theme(
        leader: Annotated[str, Query(max_length=64)],
        laggard: Annotated[str, Query(max_length=64)],
        as_of: Annotated[IsoDate | None, Query()] = None,
    ) -> Any:
        try:
            theme, day = engine.scan_theme(leader, laggard, None if as_of is None else as_of.isoformat())
        except HypecheckError:
            raise
        except HTTPException:
            raise
        except KeyError:
            raise HTTPException(
                404,
                f"no live narrative {_short(leader, 40)!r} over {_short(laggard, 40)!r} in the scan"
                + ("" if as_of is None else f" as of {as_of.isoformat()}"),
            ) from None
        except Exception as exc:  # a bug in writing the theme: say so, keep serving
            raise HTTPException(
                500,
                f"internal error writing the theme for {_short(leader, 40)} over {_short(laggard, 40)}: {exc}",
            ) from None
        return RedirectResponse(f"/themes/{quote(theme.id, safe='')}?as_of={day}", status_code=303)

    @app.get("/static/{name}.js", include_in_schema=False)
    def static_js(name: str) -> Any:
        if name == "vega":  # vega + vega-lite + vega-embed from the vl-convert wheel: our own origin
            from ..report.spec import vega_js

            return Response(
                vega_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=3600"}
            )
        if name not in ("app", "charts"):
            raise HTTPException(404, "no such script")
        js = (resources.files("hypecheck") / "server" / "static" / f"{name}.js").read_text("utf-8")
        return Response(js, media_type="text/javascript")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Any:
        return Response(status_code=204)

    def render(template: str, **context: Any) -> Any:
        """A page of ``template`` with what every page shows (themes, data source, version)."""
        return HTMLResponse(
            env.get_template(template).render(
                themes=engine.themes(),
                source=engine.source_label(public=True),
                data_note=engine.data_note(public=True),
                version=__version__,
                **context,
            )
        )

    add_lab_routes(app, engine, render)
    from .record import add_record_routes

    add_record_routes(app, engine, render)
    return app


def add_lab_routes(app: Any, engine: Engine, render: Callable[..., Any]) -> None:
    """``/lab`` (the lab's results: power, retention against the random walk, skill against it, the
    range's coverage, the holdout by year) and ``/api/lab`` (the job and its JSON). The lab runs as a
    background job admitted like a re-run (:meth:`Engine.start_lab`), never inside a request: the
    page shows its progress and reloads when it is done."""

    @app.get("/api/lab", response_model=LabRun, summary="The lab's job and, when done, its results")
    def lab_api(horizon: Annotated[LabHorizon, Query(description="1M, 3M, 6M or 12M")] = "6M") -> Any:
        return engine.lab_status(horizon)

    @app.post(
        "/api/lab/runs",
        response_model=LabRun,
        status_code=202,
        summary="Start the lab in the background (a queued, running or finished one is shared)",
        responses={**ERRORS, **STATE_CHANGE},
    )
    def lab_start(req: LabRequest) -> Any:
        return engine.start_lab(req.horizon, again=req.again)

    @app.get("/lab", include_in_schema=False)
    def lab_page(horizon: str = "6M") -> Any:
        from ..report.labpage import HOLDOUT_NOTE
        from . import labview

        if horizon not in LAB_HORIZONS:
            raise HTTPException(400, f"horizon {_short(horizon)!r} is not one of {', '.join(LAB_HORIZONS)}")
        busy = None
        job = engine.lab_status(horizon)
        if job["status"] == "idle":  # the first visit starts it (in the background)
            try:
                job = engine.start_lab(horizon)
            except Busy as exc:
                busy = f"every slot is taken by checks: the lab will start on a later visit (retry in {exc.retry_after} s)"
        return render(
            "lab.html.j2",
            job=job,
            busy=busy,
            horizon=horizon,
            horizons=LAB_HORIZONS,
            histories=labview.histories(job.get("result")),
            holdout_note=HOLDOUT_NOTE,
            reads=engine.lab_data() is not None,
            on_store=engine.store is not None,
        )
