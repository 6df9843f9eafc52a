"""Schema-driven fuzzing of the dashboard's JSON API (schemathesis): every generated request, valid
or not, gets a documented status and a response matching the OpenAPI schema, never a 5xx."""

from __future__ import annotations

from typing import Any

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
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _warm_scan() -> None:
    """The scan's panel of past narratives is built once per data (about 3 s idle, far more on a
    loaded machine), before any fuzzed request: GET /api/scan is then a warm scan of one date
    (0.4 s idle), never a cold one inside a request's timeout."""
    app.state.engine.scan(None)


@schema.parametrize()
@settings(max_examples=40, deadline=None)
def test_api(case) -> None:
    case.call_and_validate()
