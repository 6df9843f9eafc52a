"""The pages: the index, a theme's page (verdict, triggers, charts, evidence; drawn in a bounded job,
kept by the engine and served again without a job while its check result is still cached), and the
dashboard's own scripts."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response

from ..engine import Engine
from ..pages import Pages
from . import EngineDep, PagesDep, result_entry

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(engine: EngineDep, pages: PagesDep) -> Any:
    themes = engine.themes()  # first: it lists the theme files that did not load
    return pages.html("index.html.j2", themes=themes, errors=engine.theme_errors)


@router.get("/themes/{theme_id}", response_class=HTMLResponse, include_in_schema=False)
async def theme_page(engine: EngineDep, pages: PagesDep, theme_id: str, as_of: str | None = None) -> Any:
    day = as_of or None
    html = await engine.made_or_run(
        "page", theme_id, "", day, lambda: _theme_html(engine, pages, theme_id, day)
    )
    return HTMLResponse(html)


def _theme_html(engine: Engine, pages: Pages, theme_id: str, as_of: str | None) -> bytes:
    """A theme's page, UTF-8 (inside a job; kept by the engine): the check, its charts (interactive
    ones as Vega-Lite specs, the others as PNG links drawn on request) and its evidence."""
    from ...pillar_registry import PILLARS
    from ...report import charts
    from ...report.html import fmt_score, fmt_threshold, fmt_value
    from ...report.spec import VegaChart, pillar_color

    key, res = result_entry(engine, theme_id, as_of)
    built = charts.build(res)
    themes = engine.themes()
    html = pages.render(
        "theme.html.j2",
        themes=themes,
        specs={k: c.spec for k, (_p, _t, c) in built.items() if isinstance(c, VegaChart)},
        titles_of={k: t for k, (_p, t, _c) in built.items()},
        r=res,
        v=res.verdict,
        as_of=res.as_of.strftime("%Y-%m-%d"),
        charts=list(built),
        pillars=[(n, res.pillars[n]) for n in res.measured()],
        titles=PILLARS.titles(),
        fmt_score=fmt_score,
        fmt_value=fmt_value,
        fmt_threshold=fmt_threshold,
        pillar_color=pillar_color,
    ).encode("utf-8")
    engine.keep_artefact("page", "", key, res, html, nav=engine.nav(themes))
    return html


@router.get("/static/{name}.js", include_in_schema=False)
def static_js(name: str) -> Any:
    if name == "vega":  # vega + vega-lite + vega-embed from the vl-convert wheel: our own origin
        from ...report.spec import vega_js

        return Response(vega_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})
    if name not in ("app", "charts"):
        raise HTTPException(404, "no such script")
    js = (resources.files("hypecheck") / "server" / "static" / f"{name}.js").read_text("utf-8")
    return Response(js, media_type="text/javascript")


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Any:
    return Response(status_code=204)
