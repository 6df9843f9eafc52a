"""The API's request and response models (the OpenAPI schema at ``/openapi.json``), its documented
error responses, and the query date type."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictStr, field_validator


def _iso_only(value: Any) -> Any:
    """A query date must be written YYYY-MM-DD (pydantic alone would also read ``0`` as 1970-01-01)."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date must be written YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_only)]

LAB_HORIZONS = ("1M", "3M", "6M", "12M")
LabHorizon = Literal["1M", "3M", "6M", "12M"]


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
