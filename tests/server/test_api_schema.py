"""Schema-driven fuzzing of the dashboard's JSON API (schemathesis): every generated request, valid
or not, gets a documented status and a response matching the OpenAPI schema, never a 5xx."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("fastapi")

from hypothesis import settings  # noqa: E402

from hypecheck.server import create_app  # noqa: E402

app = create_app(data=None)


def _lab(data: Any, horizon: str, progress: Any) -> dict[str, Any]:
    """The lab's API shapes are fuzzed here; the lab itself (8-30 s of work) runs in
    test_dashboard_browser.py, not once per fuzzed POST in the background of the suite."""
    progress("building the Ken French panel")
    return {"schema_version": 3, "horizon": horizon, "histories": []}


app.state.engine.lab_runner = _lab
_real_scan = app.state.engine.scan_runner


def _scan(catalog: Any, as_of: str | None) -> Any:
    """The scan's API shapes are fuzzed here; its figures are tested in test_dashboard_scan.py. A scan
    of one date inside the data takes 10-25 s on a loaded machine (past schemathesis' 10 s request
    timeout), so the real scan of the last date stands in for any date inside the data; a date
    outside them gets the real scan's error (it comes at once)."""
    warm = app.state.engine.scans.get(("scan", ""))
    if warm is not None and as_of is not None and warm.closes_from <= pd.Timestamp(as_of) <= warm.as_of:
        return warm
    return _real_scan(catalog, as_of)


app.state.engine.scan_runner = _scan
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _warm_scan() -> None:
    """The real scan of the last date, before any fuzzed request (a bounded job, waited for)."""
    app.state.engine.scan(None)


@schema.parametrize()
@settings(max_examples=40, deadline=None)
def test_api(case) -> None:
    case.call_and_validate()
