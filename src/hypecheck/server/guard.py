"""What a hostile browser page or client can reach, bounded before any route runs (:class:`Guard`):

- only the dashboard's own Host names are answered (loopback names, the ``--host`` value and each
  ``--allow-host``), so a DNS-rebinding page gets 400 and nothing else;
- a state-changing request (POST, PUT, PATCH, DELETE) whose Origin (or, without one, Referer) is
  not one of those names on the same port gets 403;
- no page may be framed (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``);
- request bodies are capped (64 KiB by default): a larger Content-Length gets 413 before any of the
  body is read, a chunked body stops being read at the cap, and no body is ever echoed back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from .words import short as _short

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
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Starlette's and schemathesis' in-process test clients: Host "testserver", client "testclient".
# No socket peer can have that client name (serve turns proxy headers off), so a real request
# with Host "testserver" is refused like any other foreign name.
_TEST_HOST, _TEST_CLIENT = "testserver", "testclient"


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
