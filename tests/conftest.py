"""Shared fixtures. Real data lives beside the project in ../shared/data (never copied in);
tests that need it skip cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session", autouse=True)
def _lab_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The lab's disk cache in a temporary folder for the session (never the user's ~/.cache)."""
    import os

    os.environ["HYPECHECK_CACHE"] = str(tmp_path_factory.mktemp("lab-cache"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED / "prices" / "etf_daily").is_dir():
        pytest.skip("../shared/data is not present beside the project")
    return SHARED


@pytest.fixture(scope="session")
def bundled_catalog():
    from hypecheck.api import load_catalog

    catalog = load_catalog(None)
    return catalog
