"""The JSON API's health, themes, checks and trigger states."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ..models import ERRORS, IsoDate, ThemeInfo, TriggerOut
from . import EngineDep, json_body, json_response, theme_result

router = APIRouter()


@router.get("/api/health", summary="Liveness, what data the server reads (by name) and its load")
async def health(engine: EngineDep) -> dict[str, Any]:
    # async: answered on the event loop, never queued behind checks, charts or scans (those are
    # bounded jobs: at most max_runs threads compute while this is answered)
    from ... import __version__

    return {
        "status": "ok",
        "version": __version__,
        "data": engine.source_label(public=True),
        "data_note": engine.data_note(public=True),
        "runs": engine.load(),
    }


@router.get("/api/themes", response_model=list[ThemeInfo], summary="The built-in themes")
def themes(engine: EngineDep) -> list[dict[str, Any]]:
    return [
        {"id": t.id, "title": t.title, "question": t.question, "triggers": len(t.triggers)}
        for t in engine.themes()
    ]


@router.get(
    "/api/themes/{theme_id}/check",
    response_model=dict[str, Any],
    summary="The full result of a check (the JSON contract)",
    responses=ERRORS,
)
async def check_theme(
    engine: EngineDep,
    theme_id: str,
    as_of: Annotated[IsoDate | None, Query(description="default: the theme's own date")] = None,
    calibrate: Annotated[bool, Query()] = True,
) -> Any:
    body = await engine.run(
        lambda: json_body(theme_result(engine, theme_id, as_of, calibrate).to_dict()),
        key=("check", theme_id, as_of, calibrate),
    )
    return json_response(body)


@router.get(
    "/api/themes/{theme_id}/triggers",
    response_model=list[TriggerOut],
    summary="Trigger states",
    responses=ERRORS,
)
async def triggers(
    engine: EngineDep, theme_id: str, as_of: Annotated[IsoDate | None, Query()] = None
) -> list[dict[str, Any]]:
    return await engine.run(
        lambda: [t.to_dict() for t in theme_result(engine, theme_id, as_of).triggers],
        key=("triggers", theme_id, as_of),
    )
