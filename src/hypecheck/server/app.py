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

The rooms (this module only assembles them):

- :mod:`.guard`: the Host allow-list, same-origin state changes, no framing, the body cap;
- :mod:`.engine` and :mod:`.jobs`: the data, themes and cached results, and the bounded jobs every
  long piece of work runs as (checks, cold scans, charts drawn to PNG, theme pages, re-runs, the
  lab): at most ``max_runs`` compute at once, up to ``max_queued`` more wait, the rest get 429 with
  Retry-After; identical requests share one job, identical re-runs one run; finished runs expire.
  ``/api/health`` is answered on the event loop and never waits behind them;
- :mod:`.routes`: one router per room (API, charts, scan, re-runs, pages, lab, record);
- :mod:`.models` (the API's schema), :mod:`.handlers` (its error answers), :mod:`.pages` (templates).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from .engine import Engine
from .guard import DEFAULT_MAX_BODY, Guard, HostNames, split_host
from .jobs import DEFAULT_MAX_QUEUED, Busy
from .words import api_words

__all__ = ["Busy", "Engine", "Guard", "HostNames", "api_words", "create_app", "split_host"]


def _deps() -> Any:
    try:
        import fastapi
    except ImportError as exc:  # pragma: no cover - depends on the environment
        from ..errors import MissingDependencyError

        raise MissingDependencyError(
            "the dashboard needs fastapi and uvicorn", hint="pip install 'hypecheck[serve]'"
        ) from exc
    return fastapi


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
    ``max_runs``: jobs (checks, scans, charts, pages that draw them) computed at once (default:
    CPUs); ``max_queued``: how many more may wait."""
    fastapi = _deps()
    from .. import __version__
    from . import handlers
    from .pages import Pages
    from .routes import api, charts, lab, pages, record, runs, scan

    hosts = HostNames(allow_hosts)
    engine = Engine(data, store, themes_dir=themes_dir, max_runs=max_runs, max_queued=max_queued)

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        yield
        engine.close()  # the drawing processes stop with the server

    app = fastapi.FastAPI(
        lifespan=lifespan,
        title="hypecheck",
        version=__version__,
        description="Is this hot market narrative a viral sentiment shift, or backed by a real catalyst? "
        "The JSON API behind `hypecheck serve`.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.hosts = hosts
    app.state.pages = Pages(engine)
    app.add_middleware(Guard, hosts=hosts, max_body=max_body)
    handlers.install(app)
    for room in (api, charts, scan, runs, pages, lab, record):
        app.include_router(room.router)
    return app
