"""The scan: live narratives of the data's universe as JSON (``/api/scan``) and as a page (``/scan``),
and ``/scan/theme``, which writes a row's theme and opens its page. A cold scan is a bounded job."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse, RedirectResponse

from ...errors import HypecheckError
from ..engine import Engine
from ..models import ERRORS, IsoDate
from ..pages import Pages
from ..words import iso_date, num, short
from . import EngineDep, PagesDep, json_body, json_response

router = APIRouter()


@router.get(
    "/api/scan",
    response_model=dict[str, Any],
    summary="Live narratives across the data's universe as of a date (hypecheck scan --json)",
    responses=ERRORS,
)
async def scan_api(
    engine: EngineDep,
    as_of: Annotated[IsoDate | None, Query(description="default: the last date of the closes")] = None,
) -> Any:
    day = None if as_of is None else as_of.isoformat()
    body = await engine.run(lambda: json_body(dict(engine.scan_api(day).to_dict())), key=("scan-json", day))
    return json_response(body)


@router.get("/scan", response_class=HTMLResponse, include_in_schema=False)
async def scan_page(engine: EngineDep, pages: PagesDep, as_of: str | None = None) -> Any:
    day = iso_date(as_of or None)  # 400 when it is not a YYYY-MM-DD date
    return HTMLResponse(await engine.run(lambda: _scan_html(engine, pages, day), key=("scan-page", day)))


def _scan_html(engine: Engine, pages: Pages, as_of: str | None) -> str:
    """The scan page (inside a job): a row per live narrative with its relative-strength sparkline."""
    from markupsafe import Markup

    from ...report.spec import sparkline_svg

    res = engine.scan_api(as_of)
    day = res.as_of.strftime("%Y-%m-%d")
    rows = []
    for n in res.narratives:
        rs = [float(x) for x in n.rs]
        change = rs[-1] / rs[0] - 1 if len(rs) > 1 and rs[0] else None
        since = "" if n.rs_start is None else n.rs_start.strftime("%Y-%m-%d")
        title = f"{n.leader} / {n.laggard} from {since} to {day}" + (
            ""
            if change is None
            else f": {change:+.1%} ({'leader gaining' if change >= 0 else 'leader losing'})"
        )
        rows.append(
            {
                "n": n,
                "href": "/scan/theme?" + urlencode({"leader": n.leader, "laggard": n.laggard, "as_of": day}),
                "spark": Markup(sparkline_svg(rs, title=title)),
                "change": change,
            }
        )
    return pages.render("scan.html.j2", res=res, rows=rows, as_of=day, num=num)


@router.get("/scan/theme", include_in_schema=False)
async def scan_theme(
    engine: EngineDep,
    leader: Annotated[str, Query(max_length=64)],
    laggard: Annotated[str, Query(max_length=64)],
    as_of: Annotated[IsoDate | None, Query()] = None,
) -> Any:
    day = None if as_of is None else as_of.isoformat()
    theme_id, day = await engine.run(lambda: _write_theme(engine, leader, laggard, day))
    return RedirectResponse(f"/themes/{quote(theme_id, safe='')}?as_of={day}", status_code=303)


def _write_theme(engine: Engine, leader: str, laggard: str, as_of: str | None) -> tuple[str, str]:
    """(theme id, as-of date) of the theme written for a scan row (inside a job); 404 when the scan
    has no such live narrative, 500 naming the row when writing it fails (a bug)."""
    try:
        theme, day = engine.scan_theme_now(leader, laggard, as_of)
    except (HypecheckError, HTTPException):
        raise
    except KeyError:
        raise HTTPException(
            404,
            f"no live narrative {short(leader, 40)!r} over {short(laggard, 40)!r} in the scan"
            + ("" if as_of is None else f" as of {as_of}"),
        ) from None
    except Exception as exc:  # a bug in writing the theme: say so, keep serving
        raise HTTPException(
            500,
            f"internal error writing the theme for {short(leader, 40)} over {short(laggard, 40)}: {exc}",
        ) from None
    return theme.id, day
