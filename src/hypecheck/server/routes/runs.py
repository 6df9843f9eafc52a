"""Re-runs: a check recomputed in the background (a bounded job), and its progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from ..models import ERRORS, STATE_CHANGE, Run, RunRequest
from ..words import short
from . import EngineDep

router = APIRouter()


@router.post(
    "/api/runs",
    response_model=Run,
    status_code=202,
    summary="Re-run a check in the background (an identical queued or running one is shared)",
    responses={**ERRORS, **STATE_CHANGE},
)
def start_run(engine: EngineDep, req: RunRequest) -> dict[str, Any]:
    try:
        engine.theme(req.theme)
    except KeyError:
        raise HTTPException(404, f"unknown theme {short(req.theme)!r}") from None
    return engine.start_run(req.theme, None if req.as_of is None else req.as_of.isoformat(), req.calibrate)


@router.get("/api/runs/{run_id}", response_model=Run, summary="Progress of a run", responses=ERRORS)
def get_run(engine: EngineDep, run_id: str) -> dict[str, Any]:
    run = engine.get_run(run_id)
    if run is None:
        raise HTTPException(404, f"unknown run {short(run_id)!r} (finished runs expire)")
    return run
