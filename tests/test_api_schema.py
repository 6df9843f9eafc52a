"""Schema-driven fuzzing of the dashboard's JSON API (schemathesis): every generated request, valid
or not, gets a documented status and a response matching the OpenAPI schema, never a 5xx."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("fastapi")

from hypothesis import settings  # noqa: E402

from hypecheck.server import create_app  # noqa: E402

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(data=None))


@schema.parametrize()
@settings(max_examples=40, deadline=None)
def test_api(case) -> None:
    case.call_and_validate()
