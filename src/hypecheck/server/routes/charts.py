"""A check's charts: one drawn to PNG, or one interactive chart's Vega-Lite spec. Drawing is a
bounded job (the check slots), never work in the request's thread; what a job made is kept by the
engine and served again without a job while the check result it was made from is still cached
(:meth:`hypecheck.server.engine.Engine.cached`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse, Response

from ..engine import Engine
from ..models import ERRORS, IsoDate
from ..words import short
from . import EngineDep, day, json_response, result_entry

router = APIRouter()


@router.get(
    "/api/themes/{theme_id}/charts/{name}.png",
    summary="One chart of a check as PNG",
    responses={200: {"content": {"image/png": {}}}, **ERRORS},
    response_class=Response,
)
async def chart(
    engine: EngineDep, theme_id: str, name: str, as_of: Annotated[IsoDate | None, Query()] = None
) -> Any:
    png = await engine.made_or_run(
        "png", theme_id, name, day(as_of), lambda: _png(engine, theme_id, name, as_of)
    )
    return Response(png, media_type="image/png")


def _png(engine: Engine, theme_id: str, name: str, as_of: Any) -> bytes:
    """Chart ``name`` of the check drawn to PNG (inside a job), kept by the engine; 404 when the
    check has no such chart."""
    from ...report import charts

    key, res = result_entry(engine, theme_id, as_of)
    figs = charts.build(res)
    if name not in figs:
        raise HTTPException(404, f"no chart {short(name)!r} for {theme_id} (available: {', '.join(figs)})")
    png = engine.drawer.draw(figs[name][2], "png")  # in a process: drawing holds the GIL
    engine.keep_artefact("png", name, key, res, png)
    return png


@router.get(
    "/api/themes/{theme_id}/charts/{name}.json",
    summary="One interactive chart of a check as a Vega-Lite spec (the RRG and spread charts)",
    responses=ERRORS,
)
async def chart_spec(
    engine: EngineDep, theme_id: str, name: str, as_of: Annotated[IsoDate | None, Query()] = None
) -> Any:
    body = await engine.made_or_run(
        "spec", theme_id, name, day(as_of), lambda: _spec(engine, theme_id, name, as_of)
    )
    return json_response(body)


def _spec(engine: Engine, theme_id: str, name: str, as_of: Any) -> bytes:
    """Interactive chart ``name``'s Vega-Lite spec, encoded (inside a job) and kept by the engine;
    404 when there is none."""
    from ...report import charts

    key, res = result_entry(engine, theme_id, as_of)
    specs = charts.specs(res)
    if name not in specs:
        raise HTTPException(
            404,
            f"no chart spec {short(name)!r} for {theme_id} (available: {', '.join(specs) or 'none'})",
        )
    body = bytes(JSONResponse(specs[name][2]).body)
    engine.keep_artefact("spec", name, key, res, body)
    return body
