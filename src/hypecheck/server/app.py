"""``hypecheck serve``: a page per theme (verdict, triggers, charts, evidence), an as-of switch, a
re-run button with progress, and the JSON API behind them (OpenAPI at ``/openapi.json``).

Bound to 127.0.0.1 by default. Pages are server-rendered (Jinja2, autoescaped) with one small
same-origin script for the re-run button; the Content-Security-Policy allows nothing else, so the
dashboard works offline and user text (theme names, terms, tickers) can never run as script.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, field_validator

from ..errors import HypecheckError

CSP = "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; form-action 'self'"


def _deps() -> Any:
    try:
        import fastapi
    except ImportError as exc:  # pragma: no cover - depends on the environment
        from ..errors import MissingDependencyError

        raise MissingDependencyError(
            "the dashboard needs fastapi and uvicorn", hint="pip install 'hypecheck[serve]'"
        ) from exc
    return fastapi


class Engine:
    """Runs checks for the app and caches results per (theme, as-of)."""

    def __init__(
        self,
        data: Path | None = None,
        store: Path | None = None,
        cache_size: int = 32,
        themes_dir: Path | None = None,
    ) -> None:
        self.data = data
        self.store = store
        self.themes_dir = themes_dir
        self.theme_errors: list[str] = []
        self.cache: OrderedDict[tuple[str, str, bool], Any] = OrderedDict()
        self.cache_size = cache_size
        self.lock = threading.Lock()
        self.runs: dict[str, dict[str, Any]] = {}

    def source_label(self) -> str:
        if self.store is not None:
            return f"store: {self.store}"
        return "bundled sample data" if self.data is None else f"files: {self.data}"

    def data_note(self) -> str:
        """Which data the checks read when none was given, and how to point the server at yours
        ("" when ``--data`` or ``--store`` was given). Shown by ``serve`` and on every page."""
        if self.store is not None or self.data is not None:
            return ""
        whose = (
            f"your themes from {self.themes_dir} are checked on it too, and most of their series are "
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

    def catalog(self) -> Any:
        """The catalog the checks read; its ``source`` names the theme mapping that applies."""
        from ..api import load_catalog

        if self.store is not None:
            from ..store import Store

            cat = Store(self.store).catalog()
            cat.source = "store"
            return cat
        return load_catalog(self.data)

    def themes(self) -> list[Any]:
        """The built-in themes, then the user's (``--themes DIR``: every *.toml there; a file that
        does not validate is skipped, not fatal: its error shows on the index page)."""
        from ..theme import builtin_theme_names, load_theme

        out = [load_theme(n) for n in builtin_theme_names()]
        self.theme_errors = []
        if self.themes_dir is not None:
            for f in sorted(Path(self.themes_dir).glob("*.toml")):
                try:
                    t = load_theme(f)
                except HypecheckError as exc:
                    self.theme_errors.append(f"{f.name}: {exc.message}")
                    continue
                if all(t.id != o.id for o in out):
                    out.append(t)
        return out

    def theme(self, theme_id: str) -> Any:
        for t in self.themes():
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)

    def check(self, theme_id: str, as_of: str | None, calibrate: bool = True, progress: Any = None) -> Any:
        from ..api import check, resolve_as_of

        th = self.theme(theme_id)
        catalog = self.catalog()
        source = catalog.source
        ts = resolve_as_of(th, catalog, source, as_of or None)
        key = (theme_id, ts.strftime("%Y-%m-%d"), calibrate)
        with self.lock:
            if key in self.cache:
                self.cache.move_to_end(key)
                return self.cache[key]
        res = check(th, as_of=ts, catalog=catalog, source=source, calibrate=calibrate, progress=progress)
        with self.lock:
            self.cache[key] = res
            while len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        return res

    def start_run(self, theme_id: str, as_of: str | None, calibrate: bool) -> dict[str, Any]:
        run_id = uuid.uuid4().hex[:12]
        run: dict[str, Any] = {
            "run_id": run_id,
            "theme": theme_id,
            "as_of": as_of,
            "status": "running",
            "progress": 0.0,
            "stage": "queued",
            "error": None,
            "result_url": None,
        }
        self.runs[run_id] = run

        def progress(p: float, stage: str) -> None:
            run["progress"], run["stage"] = p, stage

        def work() -> None:
            try:
                progress(0.1, "loading data")
                with self.lock:  # a re-run recomputes: drop the cached result
                    for k in [k for k in self.cache if k[0] == theme_id]:
                        del self.cache[k]
                res = self.check(theme_id, as_of, calibrate, progress)
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

        threading.Thread(target=work, daemon=True).start()
        return run


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
    503: {"model": ErrorOut, "description": "a data source or the store is unavailable"},
}


def create_app(data: Path | None = None, store: Path | None = None, themes_dir: Path | None = None) -> Any:
    """The FastAPI app over ``data`` (a folder/file; None = bundled sample data) or a ``store``;
    ``themes_dir`` adds the user's theme files to the built-in ones."""
    fastapi = _deps()
    from fastapi.responses import HTMLResponse, JSONResponse, Response
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from .. import __version__

    engine = Engine(data, store, themes_dir=themes_dir)
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

    def _headers(resp: Any) -> Any:
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        return resp

    @app.middleware("http")
    async def security_headers(request: Any, call_next: Any) -> Any:
        return _headers(await call_next(request))

    @app.exception_handler(HypecheckError)
    async def hypecheck_error(request: Any, exc: HypecheckError) -> Any:
        return JSONResponse(
            {"detail": exc.message, "hint": exc.hint or ""},
            status_code=400 if exc.exit_code in (2,) else 422 if exc.exit_code == 3 else 503,
        )

    def _result(theme_id: str, as_of: dt.date | str | None, calibrate: bool = True) -> Any:
        try:
            return engine.check(theme_id, None if as_of is None else str(as_of), calibrate)
        except KeyError:
            raise HTTPException(404, f"unknown theme {theme_id!r}") from None

    @app.get("/api/health", summary="Liveness and what data the server reads")
    def health() -> dict[str, str]:
        return {
            "status": "ok",
            "version": __version__,
            "data": engine.source_label(),
            "data_note": engine.data_note(),
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
        as_of: Annotated[dt.date | None, Query(description="default: the theme's own date")] = None,
        calibrate: Annotated[bool, Query()] = True,
    ) -> dict[str, Any]:
        return _result(theme_id, as_of, calibrate).to_dict()

    @app.get(
        "/api/themes/{theme_id}/triggers",
        response_model=list[TriggerOut],
        summary="Trigger states",
        responses=ERRORS,
    )
    def triggers(theme_id: str, as_of: Annotated[dt.date | None, Query()] = None) -> list[dict[str, Any]]:
        return [t.to_dict() for t in _result(theme_id, as_of).triggers]

    @app.get(
        "/api/themes/{theme_id}/charts/{name}.png",
        summary="One chart of a check as PNG",
        responses={200: {"content": {"image/png": {}}}, **ERRORS},
        response_class=Response,
    )
    def chart(theme_id: str, name: str, as_of: Annotated[dt.date | None, Query()] = None) -> Any:
        from ..report import charts

        res = _result(theme_id, as_of)
        figs = charts.build(res)
        if name not in figs:
            raise HTTPException(404, f"no chart {name!r} for {theme_id} (available: {', '.join(figs)})")
        return Response(charts.to_bytes(figs[name][2], "png"), media_type="image/png")

    @app.post(
        "/api/runs",
        response_model=Run,
        status_code=202,
        summary="Re-run a check in the background",
        responses=ERRORS,
    )
    def start_run(req: RunRequest) -> dict[str, Any]:
        try:
            engine.theme(req.theme)
        except KeyError:
            raise HTTPException(404, f"unknown theme {req.theme!r}") from None
        return engine.start_run(
            req.theme, None if req.as_of is None else req.as_of.isoformat(), req.calibrate
        )

    @app.get("/api/runs/{run_id}", response_model=Run, summary="Progress of a run", responses=ERRORS)
    def get_run(run_id: str) -> dict[str, Any]:
        run = engine.runs.get(run_id)
        if run is None:
            raise HTTPException(404, f"unknown run {run_id!r}")
        return run

    # ------------------------------------------------------------------ pages
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> Any:
        themes = engine.themes()
        return HTMLResponse(
            env.get_template("index.html.j2").render(
                themes=themes,
                errors=engine.theme_errors,
                source=engine.source_label(),
                data_note=engine.data_note(),
                version=__version__,
            )
        )

    @app.get("/themes/{theme_id}", response_class=HTMLResponse, include_in_schema=False)
    def theme_page(theme_id: str, as_of: str | None = None) -> Any:
        from ..evidence import PILLAR_TITLES, PILLARS
        from ..report import charts
        from ..report.html import fmt_score, fmt_threshold, fmt_value

        if as_of == "":
            as_of = None
        res = _result(theme_id, as_of)
        names = list(charts.build(res))
        html = env.get_template("theme.html.j2").render(
            r=res,
            v=res.verdict,
            themes=engine.themes(),
            as_of=res.as_of.strftime("%Y-%m-%d"),
            charts=names,
            pillars=[(n, res.pillars[n]) for n in PILLARS if n in res.pillars],
            titles=PILLAR_TITLES,
            fmt_score=fmt_score,
            fmt_value=fmt_value,
            fmt_threshold=fmt_threshold,
            source=engine.source_label(),
            data_note=engine.data_note(),
            version=__version__,
        )
        return HTMLResponse(html)

    @app.get("/static/app.js", include_in_schema=False)
    def app_js() -> Any:
        js = (resources.files("hypecheck") / "server" / "static" / "app.js").read_text("utf-8")
        return Response(js, media_type="text/javascript")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Any:
        return Response(status_code=204)

    return app
