"""``/api/health`` under load on a real server (issue 22, item 6; B1 of issue 23: 80 PNG requests once
took 340 s and held ``/api/health`` 20 s). Chart rendering, checks and cold scans run as bounded
background jobs in the check slots (``max_runs`` computing, ``max_queued`` waiting, 429 with
Retry-After beyond); the health check is answered on the event loop and never waits behind them."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from conftest import SHARED, running_server  # noqa: E402

FLAGSHIP = "small-cap-rotation"
OTHER = "value-vs-growth"  # re-runs of another theme leave the flagship's cached check alone
PNG = b"\x89PNG\r\n\x1a\n"


def test_health_answers_under_a_second_while_80_charts_and_a_scan_run() -> None:
    """A real server (uvicorn on a socket) over the shared data when present, else the bundled data:
    80 chart PNG requests and a scan fired at once from threads; /api/health asked over and over while
    they run answers every time in under 1 s, while the health check itself shows the work running
    (at most ``max_runs`` at once); every chart answer is a PNG or a 429 with Retry-After, the scan's
    the JSON of a scan."""
    from hypecheck.server import create_app

    data = SHARED if (SHARED / "prices" / "etf_daily").is_dir() else None
    app = create_app(data=data, max_runs=2, max_queued=16)
    with running_server(app) as url:
        page = httpx.get(f"{url}/themes/{FLAGSHIP}", timeout=600)  # the check itself, before the load
        assert page.status_code == 200, page.text[:300]
        names = sorted(set(re.findall(r"/charts/(\w+)\.png", page.text)))
        as_of = re.search(r"\?as_of=(\d{4}-\d{2}-\d{2})", page.text)
        assert len(names) >= 5 and as_of is not None
        probe = httpx.Client(timeout=60)  # made before the load: its set-up is not timed under it
        idle = [_health(probe, url)[0] for _ in range(5)]
        answers: dict[str, httpx.Response | BaseException] = {}
        client = httpx.Client(timeout=600, limits=httpx.Limits(max_connections=100))

        def get(key: str, target: str) -> None:
            try:
                answers[key] = client.get(target)
            except BaseException as exc:  # reported by the asserts below
                answers[key] = exc

        scan = threading.Thread(target=get, args=("scan", f"{url}/api/scan"))
        scan.start()  # first, so that it holds a place before the charts fill the queue
        _until(
            lambda: not scan.is_alive() or sum(_health(probe, url)[1][k] for k in ("running", "queued")) >= 1
        )
        charts = [
            threading.Thread(
                target=get,
                args=(
                    f"{i}",
                    f"{url}/api/themes/{FLAGSHIP}/charts/{names[i % len(names)]}.png?as_of={as_of[1]}",
                ),
            )
            for i in range(80)
        ]
        for t in charts:
            t.start()
        samples: list[tuple[float, dict[str, int]]] = []
        while scan.is_alive() or any(t.is_alive() for t in charts):
            samples.append(_health(probe, url))
            time.sleep(0.1)
        for t in (scan, *charts):
            t.join(600)
        probe.close()
        client.close()
    latencies = [s for s, _ in samples]
    busy = [s for s, runs in samples if runs["running"] >= 1]
    print(
        f"\nhealth idle {max(idle):.3f} s; under load: {len(latencies)} asked, {len(busy)} while work ran, "
        f"max {max(latencies):.3f} s, median {sorted(latencies)[len(latencies) // 2]:.3f} s"
    )
    assert len(busy) >= 5, f"the work finished before health was asked while it ran: {samples}"
    assert max(latencies) < 1.0, latencies
    assert all(runs["running"] <= 2 and runs["running"] + runs["queued"] <= 2 + 16 for _, runs in samples)
    scan_answer = answers["scan"]
    assert isinstance(scan_answer, httpx.Response) and scan_answer.status_code == 200, scan_answer
    assert "narratives" in scan_answer.json()
    codes = []
    for i in range(80):
        r = answers[f"{i}"]
        assert isinstance(r, httpx.Response), r
        codes.append(r.status_code)
        if r.status_code == 200:
            assert r.headers["content-type"] == "image/png" and r.content.startswith(PNG)
        else:
            assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1, (r.status_code, r.text)
    assert codes.count(200) >= len(names), codes  # each chart was drawn at least once


def _health(probe: Any, url: str) -> tuple[float, dict[str, Any]]:
    t0 = time.monotonic()
    r = probe.get(f"{url}/api/health")
    took = time.monotonic() - t0
    assert r.status_code == 200
    return took, r.json()["runs"]


def _until(cond: Any, timeout: float = 30.0) -> None:
    t0 = time.monotonic()
    while not cond():
        assert time.monotonic() - t0 < timeout, "timed out"
        time.sleep(0.02)


def test_charts_scans_and_pages_take_the_check_slots(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the one slot computing a re-run and the one queue place taken by another, a chart (PNG or
    spec), a check, the scan and a theme page are refused with 429 and Retry-After, as a third re-run
    is, even when the check they need is already computed (drawing is work too: B1): they are jobs of
    the same slots. Health answers meanwhile and counts the two; once the slot is free, the chart is
    drawn."""
    from fastapi.testclient import TestClient

    import hypecheck.api
    from hypecheck.server import create_app

    gate = threading.Event()
    started: list[str] = []

    def compute(th: Any, as_of: Any = None, **k: Any) -> Any:
        from types import SimpleNamespace

        import pandas as pd

        started.append(str(as_of.date()))
        gate.wait(30)
        return SimpleNamespace(as_of=pd.Timestamp(as_of), verdict=SimpleNamespace(label="mixed", score=0.0))

    app = create_app(data=None, max_runs=1, max_queued=1)
    app.state.engine.check(FLAGSHIP, "2016-12-30")  # the real check, cached before the slots fill
    monkeypatch.setattr(hypecheck.api, "check", compute)
    client = TestClient(app, raise_server_exceptions=False)
    try:
        runs = [client.post("/api/runs", json={"theme": OTHER, "as_of": f"2015-0{m}-15"}) for m in (1, 2)]
        assert [r.status_code for r in runs] == [202, 202]
        _until(lambda: len(started) == 1)
        for path in (
            f"/api/themes/{FLAGSHIP}/charts/rs_lines.png?as_of=2016-12-30",
            f"/api/themes/{FLAGSHIP}/charts/rs_lines.json?as_of=2016-12-30",
            f"/api/themes/{FLAGSHIP}/check?as_of=2016-12-30",
            f"/api/themes/{FLAGSHIP}/triggers?as_of=2016-12-30",
            "/api/scan",
            "/scan",
            f"/themes/{FLAGSHIP}?as_of=2016-12-30",
        ):
            r = client.get(path)
            assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1, (path, r.status_code)
        assert client.post("/api/runs", json={"theme": OTHER, "as_of": "2015-03-16"}).status_code == 429
        assert client.get("/api/health").json()["runs"] == {
            "running": 1,
            "queued": 1,
            "max_runs": 1,
            "max_queued": 1,
        }
    finally:
        gate.set()
    for r in runs:
        _until(lambda r=r: client.get(f"/api/runs/{r.json()['run_id']}").json()["status"] == "done")
    assert len(started) == 2  # both re-runs ran, one after the other
    png = client.get(f"/api/themes/{FLAGSHIP}/charts/rs_lines.png?as_of=2016-12-30")
    assert png.status_code == 200 and png.content.startswith(PNG)
