"""``/lab`` (the lab's results: power, retention against the random walk, skill against it, the range's
coverage, the holdout by year) and ``/api/lab`` (the job and its JSON). The lab runs as a bounded job
started like a re-run (:meth:`~hypecheck.server.engine.Engine.start_lab`), never inside a request:
the page shows its progress and reloads when it is done."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from ..jobs import Busy
from ..models import ERRORS, LAB_HORIZONS, STATE_CHANGE, LabHorizon, LabRequest, LabRun
from ..words import short
from . import EngineDep, PagesDep

router = APIRouter()


@router.get("/api/lab", response_model=LabRun, summary="The lab's job and, when done, its results")
def lab_api(
    engine: EngineDep, horizon: Annotated[LabHorizon, Query(description="1M, 3M, 6M or 12M")] = "6M"
) -> Any:
    return engine.lab_status(horizon)


@router.post(
    "/api/lab/runs",
    response_model=LabRun,
    status_code=202,
    summary="Start the lab in the background (a queued, running or finished one is shared)",
    responses={**ERRORS, **STATE_CHANGE},
)
def lab_start(engine: EngineDep, req: LabRequest) -> Any:
    return engine.start_lab(req.horizon, again=req.again)


@router.get("/lab", include_in_schema=False)
def lab_page(engine: EngineDep, pages: PagesDep, horizon: str = "6M") -> Any:
    from ...report.labpage import HOLDOUT_NOTE
    from .. import labview

    if horizon not in LAB_HORIZONS:
        raise HTTPException(400, f"horizon {short(horizon)!r} is not one of {', '.join(LAB_HORIZONS)}")
    busy = None
    job = engine.lab_status(horizon)
    if job["status"] == "idle":  # the first visit starts it (in the background)
        try:
            job = engine.start_lab(horizon)
        except Busy as exc:
            busy = f"every slot is taken by checks: the lab will start on a later visit (retry in {exc.retry_after} s)"
    return pages.html(
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
