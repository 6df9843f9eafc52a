"""The dashboard's routes, one router per room: the JSON API (:mod:`.api`), charts (:mod:`.charts`),
the scan (:mod:`.scan`), re-runs (:mod:`.runs`), pages (:mod:`.pages`), the lab (:mod:`.lab`) and the
forward record (:mod:`.record`). What may take long runs as a bounded job of the engine, awaited by
the request (:meth:`hypecheck.server.engine.Engine.run`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from ..engine import Engine
from ..pages import Pages
from ..words import short


async def _engine(request: Request) -> Engine:
    # async: resolved on the event loop, never through the request thread pool
    return request.app.state.engine  # type: ignore[no-any-return]


async def _pages(request: Request) -> Pages:
    return request.app.state.pages  # type: ignore[no-any-return]


EngineDep = Annotated[Engine, Depends(_engine)]
PagesDep = Annotated[Pages, Depends(_pages)]


def day(as_of: Any) -> str | None:
    """An as-of query value as the engine takes it (None: the theme's own date)."""
    return None if as_of is None else str(as_of)


def result_entry(engine: Engine, theme_id: str, as_of: Any, calibrate: bool = True) -> tuple[Any, Any]:
    """(the check cache's key, the check) of ``theme_id`` as of ``as_of`` (inside a job); the key is
    what a chart or page made from the check is kept under. 404 for an unknown theme."""
    try:
        return engine.check_entry(theme_id, day(as_of), calibrate)
    except KeyError:
        raise HTTPException(404, f"unknown theme {short(theme_id)!r}") from None


def theme_result(engine: Engine, theme_id: str, as_of: Any, calibrate: bool = True) -> Any:
    """The check of ``theme_id`` as of ``as_of`` (inside a job); 404 for an unknown theme."""
    return result_entry(engine, theme_id, as_of, calibrate)[1]


def json_body(value: Any) -> bytes:
    """``value`` encoded as FastAPI encodes a returned dict (``jsonable_encoder``, then
    ``JSONResponse``), inside a job: encoding a large result never runs on the event loop."""
    from fastapi.encoders import jsonable_encoder
    from fastapi.responses import JSONResponse

    return bytes(JSONResponse(jsonable_encoder(value)).body)


def json_response(body: bytes) -> Any:
    """A JSON response of an encoded body (:func:`json_body`): a new response for each request."""
    from fastapi.responses import Response

    return Response(body, media_type="application/json")
