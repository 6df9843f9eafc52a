"""The API's error answers: 429 with Retry-After when every slot and queue place is taken, FastAPI's
422 with what was sent cut short, and the library's errors as 400/404/422/503 in the API's words."""

from __future__ import annotations

from typing import Any

from ..errors import EXIT_INPUT, EXIT_NO_DATA, DateOutsideDataError, HypecheckError, cut_words
from .jobs import Busy
from .words import api_words, short


def install(app: Any) -> None:
    """The exception handlers of the dashboard's app."""
    from fastapi.encoders import jsonable_encoder
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

    @app.exception_handler(Busy)
    async def busy(request: Any, exc: Busy) -> Any:
        engine = request.app.state.engine
        return JSONResponse(
            {
                "detail": f"busy: {engine.max_runs} checks running and {engine.max_queued} waiting",
                "hint": f"retry in {exc.retry_after} s",
            },
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Any, exc: RequestValidationError) -> Any:
        # FastAPI's own 422, with what was sent cut short: a request is never echoed whole
        errors = []
        for e in exc.errors():
            e = {k: v for k, v in e.items() if k not in ("ctx", "url")}
            if "input" in e and len(repr(e["input"])) > 100:
                e["input"] = short(str(e["input"]), 100)
            errors.append(e)
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(HypecheckError)
    async def hypecheck_error(request: Any, exc: HypecheckError) -> Any:
        if isinstance(exc, DateOutsideDataError):  # a valid date the data hold nothing for
            code = 404
        else:
            code = 400 if exc.exit_code == EXIT_INPUT else 422 if exc.exit_code == EXIT_NO_DATA else 503
        # a quoted input is cut (as every endpoint cuts what it echoes), never answered whole
        detail, hint = cut_words(api_words(exc.message), 240), cut_words(api_words(exc.hint or ""), 240)
        return JSONResponse({"detail": detail, "hint": hint}, status_code=code)
