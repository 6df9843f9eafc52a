"""What a job made for a check result (a chart's PNG, its Vega-Lite spec, a theme's page) is kept by
the engine and served again without a job, so a busy dashboard still answers what it has already
made, while a chart not made yet gets 429 as before; a re-run (``_forget``) drops the result and what
was made from it, so the next request makes it again; the kept artefacts stay within their bound."""

from __future__ import annotations

import copy
import dataclasses
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

pytest.importorskip("fastapi")

FLAGSHIP = "small-cap-rotation"
DAY = "2016-12-31"  # the flagship's own as-of date on the bundled data
PNG = b"\x89PNG\r\n\x1a\n"


def _until(cond: Any, timeout: float = 60.0) -> None:
    t0 = time.monotonic()
    while not cond():
        assert time.monotonic() - t0 < timeout, "timed out"
        time.sleep(0.02)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any, dict[str, int]]]:
    """(app, TestClient, calls): an app over the bundled data with one slot and no queue place,
    the checks, drawings and page renderings it does counted in ``calls``."""
    from fastapi.testclient import TestClient

    import hypecheck.api
    from hypecheck.server import create_app

    app = create_app(data=None, max_runs=1, max_queued=0)
    engine, pages = app.state.engine, app.state.pages
    calls = {"check": 0, "draw": 0, "render": 0}

    def spy(name: str, original: Any) -> Any:
        def counted(*a: Any, **k: Any) -> Any:
            calls[name] += 1
            return original(*a, **k)

        return counted

    monkeypatch.setattr(hypecheck.api, "check", spy("check", hypecheck.api.check))
    monkeypatch.setattr(engine.drawer, "draw", spy("draw", engine.drawer.draw))
    monkeypatch.setattr(pages, "render", spy("render", pages.render))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield app, client, calls


def _fill_every_place(engine: Any) -> threading.Event:
    """A job holding the one slot until the returned event is set (no queue place is left)."""
    gate = threading.Event()
    engine.submit(lambda: gate.wait(60))
    _until(lambda: engine.load()["running"] == 1)
    return gate


def _timed(client: Any, path: str) -> tuple[Any, float]:
    t0 = time.perf_counter()
    r = client.get(path)
    return r, time.perf_counter() - t0


def test_made_artefacts_are_served_while_every_slot_is_taken(served: Any) -> None:
    """A page, a chart's PNG and its spec made once are answered again with 200 and the same bytes
    while the one slot is taken and there is no queue place, without a check, a drawing or a
    rendering; the page asked without an as-of is the page of the theme's own date, asked with it too.
    A chart not drawn yet, and a spec not made yet, still get 429 with Retry-After."""
    app, client, calls = served
    engine = app.state.engine
    base = f"/api/themes/{FLAGSHIP}/charts"
    made: dict[str, Any] = {}
    took: dict[str, float] = {}
    for path in (
        f"/themes/{FLAGSHIP}",
        f"{base}/rs_lines.png?as_of={DAY}",
        f"{base}/rs_lines.json?as_of={DAY}",
    ):
        made[path], took[path] = _timed(client, path)
        assert made[path].status_code == 200, (path, made[path].text[:300])
    assert made[f"{base}/rs_lines.png?as_of={DAY}"].content.startswith(PNG)
    assert f"charts/rs_lines.png?as_of={DAY}" in made[f"/themes/{FLAGSHIP}"].text
    assert calls == {"check": 1, "draw": 1, "render": 1}
    assert len(engine.artefacts) == 3

    gate = _fill_every_place(engine)
    try:
        for path in (f"{base}/sectors.png?as_of={DAY}", f"{base}/sectors.json?as_of={DAY}"):
            r = client.get(path)
            assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1, (path, r.status_code)
        again = {f"/themes/{FLAGSHIP}?as_of={DAY}": f"/themes/{FLAGSHIP}", **{p: p for p in made}}
        for path, first in again.items():
            r, t = _timed(client, path)
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
            assert r.content == made[first].content, path
            assert r.headers["content-type"] == made[first].headers["content-type"], path
            print(
                f"\n{path}: made by a job in {took[first] * 1000:.0f} ms, from the cache in {t * 1000:.1f} ms"
            )
        assert calls == {"check": 1, "draw": 1, "render": 1}
        assert client.get("/api/health").json()["runs"]["running"] == 1  # the slot was taken all along
    finally:
        gate.set()
    _until(lambda: engine.load()["running"] == 0)
    r = client.get(f"{base}/sectors.png?as_of={DAY}")  # the slot free: drawn now
    assert r.status_code == 200 and r.content.startswith(PNG) and calls["draw"] == 2


def test_a_rerun_or_forget_makes_them_again(served: Any) -> None:
    """``_forget`` (what a re-run and a rewritten theme do) drops the result and what was made from
    it: the next chart, spec and page are made again from a new check. A re-run through the API does
    the same; a chart of another theme's re-run is left alone."""
    app, client, calls = served
    engine = app.state.engine
    png, spec, page = (
        f"/api/themes/{FLAGSHIP}/charts/rs_lines.png?as_of={DAY}",
        f"/api/themes/{FLAGSHIP}/charts/rs_lines.json?as_of={DAY}",
        f"/themes/{FLAGSHIP}?as_of={DAY}",
    )
    first = {p: client.get(p) for p in (png, spec, page)}
    assert all(r.status_code == 200 for r in first.values())
    for p in (png, spec, page):
        assert client.get(p).content == first[p].content
    assert calls == {"check": 1, "draw": 1, "render": 1}

    engine._forget(FLAGSHIP)
    assert not engine.artefacts and not engine.cache
    for p in (png, spec, page):
        r = client.get(p)
        assert r.status_code == 200 and r.content.startswith(first[p].content[:8])
    assert calls == {"check": 2, "draw": 2, "render": 2}  # one new check, then drawn and rendered again

    run = client.post("/api/runs", json={"theme": FLAGSHIP, "as_of": DAY})
    assert run.status_code == 202, run.text
    rid = run.json()["run_id"]
    _until(lambda: client.get(f"/api/runs/{rid}").json()["status"] == "done")
    assert calls["check"] == 3  # the re-run's check
    for p in (png, spec, page):
        assert client.get(p).status_code == 200
    assert calls == {"check": 3, "draw": 3, "render": 3}  # made from the re-run's result, once
    assert client.get(png).status_code == 200 and calls["draw"] == 3

    # a result replaced in the check cache by any other path is never served from what was kept
    key = next(k for k in engine.cache if k[0] == FLAGSHIP)
    with engine.lock:
        engine.cache[key] = copy.copy(engine.cache[key])  # another result object, same key
    assert engine.artefact("png", FLAGSHIP, "rs_lines", DAY) is None
    assert client.get(png).status_code == 200 and calls["draw"] == 4


def test_a_page_is_made_again_when_the_themes_it_lists_change(served: Any) -> None:
    """A page lists the themes served (its switcher): a theme added since (one written from a scan
    row) makes the page again, with that theme in it."""
    app, client, calls = served
    engine = app.state.engine
    page = f"/themes/{FLAGSHIP}"
    assert client.get(page).status_code == 200 and client.get(page).status_code == 200
    assert calls["render"] == 1
    extra = dataclasses.replace(
        engine.theme("value-vs-growth"), id="made-from-a-row", title="A theme from a row"
    )
    with engine.lock:
        engine.generated[extra.id] = (extra, "")
    r = client.get(page)
    assert r.status_code == 200 and "A theme from a row" in r.text and calls["render"] == 2
    assert calls["check"] == 1  # the check was not made again


def test_the_kept_artefacts_stay_within_their_bound(served: Any) -> None:
    """At most ``keep_artefacts`` entries and ``artefact_bytes`` bytes are kept, the least recently
    used dropped first (and made again when asked); a body larger than the budget is not kept."""
    app, client, calls = served
    engine = app.state.engine
    engine.keep_artefacts = 2
    names = ["rs_lines", "sectors", "style_box"]
    for n in names:
        assert client.get(f"/api/themes/{FLAGSHIP}/charts/{n}.png?as_of={DAY}").status_code == 200
        assert len(engine.artefacts) <= 2
    assert [k[2] for k in engine.artefacts] == ["sectors", "style_box"]
    assert engine.artefacts_size == sum(len(a.body) for a in engine.artefacts.values())
    assert calls["draw"] == 3
    assert client.get(f"/api/themes/{FLAGSHIP}/charts/sectors.png?as_of={DAY}").status_code == 200
    assert calls["draw"] == 3  # kept
    assert client.get(f"/api/themes/{FLAGSHIP}/charts/rs_lines.png?as_of={DAY}").status_code == 200
    assert calls["draw"] == 4  # dropped, drawn again; style_box, the least recently used, goes now
    assert [k[2] for k in engine.artefacts] == ["sectors", "rs_lines"]

    # the byte budget, with results of our own in the check cache
    from hypecheck.server.engine import ARTEFACT_BYTES, KEEP_ARTEFACTS, Engine

    assert (KEEP_ARTEFACTS, ARTEFACT_BYTES) == (256, 64 * 1024 * 1024)
    e = Engine(keep_artefacts=100, artefact_bytes=1000)
    results = {}
    for i in range(10):
        key = ("t", f"2020-01-{i + 1:02d}", True)
        results[key] = SimpleNamespace(i=i)
        e.cache[key] = results[key]
        e.keep_artefact("png", "c", key, results[key], bytes([i]) * 300)
        assert e.artefacts_size <= 1000 and len(e.artefacts) <= 3
    assert [k[3] for k in e.artefacts] == ["2020-01-08", "2020-01-09", "2020-01-10"]
    e.keep_artefact("png", "big", ("t", "2020-01-10", True), results[("t", "2020-01-10", True)], b"x" * 1001)
    assert ("png", "t", "big", "2020-01-10", True) not in e.artefacts and e.artefacts_size == 900
    e.close()
