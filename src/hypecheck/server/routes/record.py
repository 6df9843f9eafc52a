"""``/record`` and ``/api/record``: the forward record in the dashboard.

Every forecast a check or scan recorded in the store (``check --store``, ``check --live``) scored on
the data the dashboard reads (:func:`hypecheck.record.score`): the realised spread, inside the range
or not, kept half or not, with live forecasts apart from replayed ones. The store is the dashboard's
(``serve --store``), else ``$HYPECHECK_STORE`` / the default store; scoring reads local files only and
is quick (one row per forecast), so it runs in the request.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter

from . import EngineDep, PagesDep

router = APIRouter()


def record_result(engine: Any) -> dict[str, Any]:
    """The record's JSON (``hypecheck record --json``), or an empty one without a store."""
    from ...record import score
    from ...store import Store

    st = Store(engine.store) if engine.store is not None else Store(None)
    if not st.exists():
        return {"forecasts": [], "summary": {"n": 0, "scored": 0, "pending": 0}, "store": st.path.name}
    fc = st.forecasts()
    out = score(fc, engine.catalog()).to_dict()
    out["store"] = st.path.name  # the file name only: pages never show local paths
    return out


def rows(result: dict[str, Any]) -> list[dict[str, str]]:
    """The table's cells, formatted."""

    def pct(x: Any) -> str:
        return "" if x is None else f"{100 * math.expm1(x):+.1f}%"

    out = []
    for f in result.get("forecasts", []):
        out.append(
            {
                "made_on": f["made_on"][:10],
                "as_of": f["as_of"],
                "pair": f"{f['leader']} vs {f['laggard']}",
                "horizon": f["horizon"],
                "label": f["label"],
                "kind": "replayed" if f["replayed"] else "live",
                "range": "" if f["lo"] is None else f"{pct(f['lo'])} to {pct(f['hi'])}",
                "p_kept": "" if f["p_kept"] is None else f"{f['p_kept']:.0%}",
                "realised": "pending" if f["realised"] is None else pct(f["realised"]),
                "inside": "" if f["inside"] is None else ("yes" if f["inside"] else "no"),
                "kept_half": "" if f["kept_half"] is None else ("yes" if f["kept_half"] else "no"),
            }
        )
    return out


@router.get(
    "/api/record", summary="The forward record: every recorded forecast, scored where its horizon passed"
)
def record_api(engine: EngineDep) -> Any:
    return record_result(engine)


@router.get("/record", include_in_schema=False)
def record_page(engine: EngineDep, pages: PagesDep) -> Any:
    res = record_result(engine)
    return pages.html("record.html.j2", record=res, rows=rows(res), summary=res.get("summary", {}))


__all__ = ["record_result", "router", "rows"]
