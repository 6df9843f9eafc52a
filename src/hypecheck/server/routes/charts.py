"""A check's charts: one drawn to PNG, or one interactive chart's Vega-Lite spec. Drawing is a
bounded job (the check slots), never work in the request's thread."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse, Response

from ..engine import Engine
from ..models import ERRORS, IsoDate
from ..words import short
from . import EngineDep, json_response, theme_result

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
    png = await engine.run(lambda: _png(engine, theme_id, name, as_of), key=("png", theme_id, name, as_of))
    return Response(png, media_type="image/png")


def _png(engine: Engine, theme_id: str, name: str, as_of: Any) -> bytes:
    """Chart ``name`` of the check drawn to PNG (inside a job); 404 when the check has no such chart."""
    from ...report import charts

    figs = charts.build(theme_result(engine, theme_id, as_of))
    if name not in figs:
        raise HTTPException(404, f"no chart {short(name)!r} for {theme_id} (available: {', '.join(figs)})")
    return engine.drawer.draw(figs[name][2], "png")  # in a process: drawing holds the GIL


@router.get(
    "/api/themes/{theme_id}/charts/{name}.json",
    summary="One interactive chart of a check as a Vega-Lite spec (the RRG and spread charts)",
    responses=ERRORS,
)
async def chart_spec(
    engine: EngineDep, theme_id: str, name: str, as_of: Annotated[IsoDate | None, Query()] = None
) -> Any:
    body = await engine.run(lambda: _spec(engine, theme_id, name, as_of), key=("spec", theme_id, name, as_of))
    return json_response(body)


def _spec(engine: Engine, theme_id: str, name: str, as_of: Any) -> bytes:
    """Interactive chart ``name``'s Vega-Lite spec, encoded (inside a job); 404 when there is none."""
    from ...report import charts

    specs = charts.specs(theme_result(engine, theme_id, as_of))
    if name not in specs:
        raise HTTPException(
            404,
            f"no chart spec {short(name)!r} for {theme_id} (available: {', '.join(specs) or 'none'})",
        )
    return bytes(JSONResponse(specs[name][2]).body)
