"""Shared fixtures. Real data lives beside the project in ../shared/data (never copied in);
tests that need it skip cleanly when it is absent."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium (.ci/run installs it)


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


@contextlib.contextmanager
def running_server(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in a thread; yields its base URL."""
    uvicorn = pytest.importorskip("uvicorn")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        th.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright driving Debian's /usr/bin/chromium), one per test module."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()
