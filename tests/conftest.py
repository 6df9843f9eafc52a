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
# proxies that lead nowhere: a command that tries the network fails fast instead of reaching out
NO_NETWORK = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


def run_cli(*args: Any, env: dict[str, str] | None = None) -> Any:
    """``hypecheck ARGS`` through click's CliRunner, without network (a ``click.testing.Result``)."""
    from click.testing import CliRunner

    from hypecheck.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], env={**NO_NETWORK, **(env or {})})


def write_file(path: Path, content: str | bytes) -> Path:
    """Write ``content`` (text as UTF-8 with its own line ends, or bytes), making the folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, "utf-8", newline="")
    return path


def assert_clean(res: Any, code: int, *names: str) -> str:
    """The documented exit code, no traceback or internal error, and (for errors) an error line with
    a hint, naming each of ``names``; returns the output."""
    out = str(res.output)
    assert res.exit_code == code, out
    assert "Traceback" not in out and "internal error" not in out, out
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    if code:
        assert "error: " in out and "\n  hint: " in out, out
    for name in names:
        assert name in out, f"{name!r} not in the output:\n{out}"
    return out


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


def hostile_scan(name: str, drivers: list[dict[str, Any]] | None = None, **extra: Any) -> Any:
    """A hand-built ScanResult of one narrative whose leader and universe are ``name`` (text a page
    must escape), laggard ``B&B``; ``extra`` goes to the ScanResult (``skipped=[...]``)."""
    import pandas as pd

    from hypecheck.scan.core import Narrative, ScanResult

    n = Narrative(
        leader=name,
        laggard="B&B",
        group="g",
        born=pd.Timestamp("2024-01-02"),
        age_days=3,
        sharpness=2.5,
        born_sharpness=2.1,
        move=0.05,
        move_days=15,
        since_birth=0.01,
        p=0.6,
        p_interval=(0.5, 0.7),
        base_rate=0.5,
        momentum_p=0.55,
        label="mixed",
        model_label="mixed",
        drivers=drivers or [],
        evidence={},
        rs=[1.0, 1.1],
    )
    return ScanResult(
        as_of=pd.Timestamp("2024-01-05"),
        universe=name,
        universe_version="1",
        universe_origin="x",
        source="files",
        horizon=6,
        model_panel="m",
        n_fit=100,
        base_rate=0.5,
        record={"n": 0},
        shows_skill=False,
        pairs_scanned=1,
        narratives=[n],
        **extra,
    )
