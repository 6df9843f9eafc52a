"""The dashboard's rough edges of issue 23, looked at in a real browser (Playwright driving Debian's
headless Chromium) on the hand-built data folder of ``synthetic_prices.py``: every tooltip and slider
shows dates as dates, one fixed colour per pillar with legends that match, trigger details read as
sentences, pages fit 1280 px; the lab page (``/lab``) with the lab run as a background job; and the
API's errors name its own parameters. Screenshots go to each test's tmp folder."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import running_server
from synthetic_prices import AS_OF, write_prices

pytest.importorskip("fastapi")

THEME = f"/themes/small-cap-rotation?as_of={AS_OF}"
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
EPOCH_MS = re.compile(r"\b\d{12,13}\b")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_prices(tmp_path_factory.mktemp("browser-data"))


@pytest.fixture(scope="module")
def server(data_dir: Path):
    from hypecheck.server import create_app

    with running_server(create_app(data=data_dir)) as url:
        yield url


def _theme_page(browser: Any, server: str, width: int = 1280) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + THEME)
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure.vl')].every(f => f.dataset.state)", timeout=60_000
    )
    assert set(page.eval_on_selector_all("figure.vl", "fs => fs.map(f => f.dataset.state)")) == {"ready"}
    page.errors = errors  # type: ignore[attr-defined]
    return page


def _tooltips(page: Any, fig: str) -> list[str]:
    """The tooltip text at points across a chart's plot (hover rule and points alike)."""
    page.locator(fig).scroll_into_view_if_needed()
    box = page.locator(f"{fig} svg g.mark-line path").first.bounding_box()
    assert box is not None
    tip = page.locator("#vg-tooltip-element")
    seen = []
    for fx in (0.15, 0.4, 0.65, 0.9):
        for fy in (0.25, 0.5, 0.75):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            page.wait_for_timeout(120)
            if tip.count() and tip.is_visible():
                seen.append(tip.inner_text())
    page.mouse.move(2, 2)
    return seen


@pytest.mark.parametrize("chart", ["rs_lines", "ew_cw_spread"])
def test_spread_tooltips_show_dates(server: str, browser: Any, tmp_path: Path, chart: str) -> None:
    """The relative-strength and equal-minus-cap charts showed "date 1751846400000" on a point and
    "date undefined" on the hover rule: every tooltip now shows a YYYY-MM-DD date of the data."""
    import json
    import urllib.request

    with urllib.request.urlopen(
        f"{server}/api/themes/small-cap-rotation/charts/{chart}.json?as_of={AS_OF}"
    ) as r:
        spec = json.load(r)
    dates = {row["date"] for row in spec["data"]["values"]}
    page = _theme_page(browser, server)
    texts = _tooltips(page, f"figure#chart-{chart}")
    page.screenshot(path=str(tmp_path / f"{chart}-hover.png"))
    assert len(texts) >= 3, texts
    for text in texts:
        assert "undefined" not in text and not EPOCH_MS.search(text), text
        shown = DATE.findall(text)
        assert len(shown) == 1 and shown[0] in dates, text
    # the hover rule's tooltip (the date, then every series on it) was seen; a point's (pair, date,
    # value), when the pointer lands on a dot, passed the same checks
    assert any("pair" not in t for t in texts), texts
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


def test_rotation_graph_slider_shows_a_date(server: str, browser: Any, tmp_path: Path) -> None:
    """The slider read "51" (an index): it shows the date it stands for, and follows it."""
    page = _theme_page(browser, server)
    fig = "figure#chart-rrg_SPY"
    page.locator(fig).scroll_into_view_if_needed()
    dates = page.evaluate(
        f"() => JSON.parse(document.querySelector('{fig} script.vl-spec').textContent).params"
        ".find(p => p.name === 'dates').value"
    )
    label = page.locator(f"{fig} input[type=range] + span")
    assert label.inner_text().strip() == dates[-1]
    page.locator(f"{fig} input[type=range]").fill(str(len(dates) - 5))
    page.wait_for_function(
        f"() => document.querySelector('{fig} input[type=range] + span').textContent === '{dates[-5]}'",
        timeout=5_000,
    )
    assert f"tails to {dates[-5]}" in page.inner_text(fig)
    page.screenshot(path=str(tmp_path / "rrg-slider.png"))
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


def test_one_colour_per_pillar_and_legends_that_match(server: str, browser: Any, tmp_path: Path) -> None:
    """The ledger chart's legend swatches were all blue while its bars were red, green, orange and
    blue (and a pillar's colour depended on which pillars a theme had): each legend swatch, bar and
    pillar-table swatch now has its pillar's one fixed colour."""
    from hypecheck.report.spec import PILLAR_COLORS

    page = _theme_page(browser, server)
    fig = "figure#chart-calibration"
    page.locator(fig).scroll_into_view_if_needed()
    labels = page.eval_on_selector_all(f"{fig} .role-legend-label text", "ts => ts.map(t => t.textContent)")
    swatches = page.eval_on_selector_all(
        f"{fig} .role-legend-symbol path", "ps => ps.map(p => p.getAttribute('fill'))"
    )
    assert len(labels) >= 2 and len(labels) == len(swatches)
    assert dict(zip(labels, swatches, strict=True)) == {p: PILLAR_COLORS[p] for p in labels}
    bars = page.eval_on_selector_all(f"{fig} g.mark-rect path", "ps => ps.map(p => p.getAttribute('fill'))")
    assert bars and set(bars) == set(swatches)  # every bar in a legend colour, every legend colour used
    # hover a bar: its tooltip names its pillar, whose colour the bar has
    box = page.locator(f"{fig} g.mark-rect path").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = page.locator("#vg-tooltip-element")
    tip.wait_for(state="visible", timeout=5_000)
    pillar = re.search(r"pillar\s+(\w+)", tip.inner_text())
    assert pillar is not None and bars[0] == PILLAR_COLORS[pillar[1]]
    page.screenshot(path=str(tmp_path / "ledger.png"))
    # the pillar table and the evidence headings use the same colours
    rows = page.eval_on_selector_all(
        "tr.pillar",
        "rs => rs.map(r => [r.dataset.pillar, getComputedStyle(r.querySelector('.sw')).backgroundColor])",
    )
    assert rows
    for name, rgb in rows:
        hexed = PILLAR_COLORS[name].lstrip("#")
        assert rgb == "rgb({}, {}, {})".format(*(int(hexed[i : i + 2], 16) for i in (0, 2, 4))), name
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


def test_trigger_details_read_as_sentences(server: str, browser: Any) -> None:
    page = _theme_page(browser, server)
    text = page.inner_text("#triggers")
    assert "pct_above_50d" not in text
    assert re.search(r"\d+% of the 3 members closed above their 50-day average on 2026-01-16", text), text
    page.close()


@pytest.mark.parametrize("path", ["/", THEME, f"/scan?as_of={AS_OF}"])
def test_pages_fit_1280_px(server: str, browser: Any, tmp_path: Path, path: str) -> None:
    """The scan table's last column was cut at 1280 px: no page, and no table in it, is wider than
    the window (nothing to scroll sideways)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    wide = page.eval_on_selector_all(
        "table",
        "ts => ts.map(t => { const b = t.getBoundingClientRect(); const s = t.closest('.scroll');"
        " return [t.id || t.className, b.right, s ? s.scrollWidth - s.clientWidth : 0]; })",
    )
    assert wide or path == "/"  # the index has cards, no table
    for name, right, overflow in wide:
        assert right <= 1280 and overflow <= 1, (name, right, overflow)
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    page.close()


# ------------------------------------------------------------------ the lab page
def test_lab_page_runs_the_lab_in_the_background(browser: Any, tmp_path: Path) -> None:
    """/lab (404 before): the first visit starts the real lab on the bundled history as a background
    job and answers at once with its progress; the page reloads itself with the power line, the
    retention table against the random walk, skill against it, the range's coverage and the holdout
    by year, each figure the lab's JSON contract's."""
    from hypecheck.server import create_app
    from hypecheck.server.labview import pct, pp

    app = create_app(data=None)
    with running_server(app) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "/lab")
        # answered before the lab finished: it was not computed inside the request
        assert page.get_attribute("#lab-job", "data-status") in ("queued", "running")
        page.screenshot(path=str(tmp_path / "lab-running.png"))
        page.wait_for_selector("#lab-job[data-status=done]", timeout=180_000)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(tmp_path / "lab.png"), full_page=True)
        job = app.state.engine.lab_status("6M")
        assert job["status"] == "done"
        h = job["result"]["histories"][0]
        body = page.inner_text("body")
        assert f"Edges below AUC {h['detectable']['auc']:.3f}" in body
        first = h["retention"][0]
        row = page.locator("#h-ken-french table.retention tbody tr").first.inner_text()
        assert first["horizon"] in row and pct(first["observed"]) in row and pp(first["diff"]) in row
        assert page.locator("#h-ken-french table.retention tbody tr").count() == len(h["retention"])
        assert f"{h['kept_half_skill']['bss_null']:+.3f}" in page.inner_text("#h-ken-french table.skill")
        assert pct(h["range"]["coverage_oos"]) in page.inner_text("#h-ken-french table.range")
        years = page.locator("#h-ken-french table.by-year tbody tr")
        assert years.count() == len(h["holdout_vs_null"]["by_year"]) >= 1
        assert "The holdout (the last five years of each history) was never used" in body
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert errors == []
        page.close()


def _gated_app(monkeypatch: pytest.MonkeyPatch, **kw: Any) -> tuple[Any, threading.Event, list[str]]:
    from hypecheck.server import create_app

    app = create_app(data=None, **kw)
    gate, calls = threading.Event(), []

    def runner(data: Any, horizon: str, progress: Any) -> dict[str, Any]:
        calls.append(horizon)
        progress("building the Ken French panel")
        assert gate.wait(30)
        return {"schema_version": 3, "horizon": horizon, "histories": [], "nan": float("nan")}

    app.state.engine.lab_runner = runner
    return app, gate, calls


def _wait(cond: Any, timeout: float = 10.0) -> None:
    t0 = time.monotonic()
    while not cond():
        assert time.monotonic() - t0 < timeout, "timed out"
        time.sleep(0.02)


def test_lab_job_is_bounded_and_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page and the API never compute the lab in a request: a visit or POST starts one job per
    horizon (shared while queued, running or done), it takes a queue place and a check slot like a
    re-run, beyond the queue the answer is 429, a failure is reported in the job."""
    from fastapi.testclient import TestClient

    app, gate, calls = _gated_app(monkeypatch, max_runs=1, max_queued=0)
    client = TestClient(app)
    assert client.get("/api/lab").json()["status"] == "idle"
    page = client.get("/lab")  # starts it, answers while it runs
    assert page.status_code == 200
    assert 'data-status="queued"' in page.text or 'data-status="running"' in page.text
    _wait(lambda: client.get("/api/lab").json()["status"] == "running")
    assert client.get("/api/lab").json()["stage"] == "building the Ken French panel"
    assert client.post("/api/lab/runs", json={"horizon": "6M"}).json()["status"] == "running"  # shared
    busy = client.post("/api/lab/runs", json={"horizon": "12M"})  # one slot, no queue: refused
    assert busy.status_code == 429 and int(busy.headers["Retry-After"]) >= 1
    assert client.get("/api/health").json()["runs"]["running"] == 1
    gate.set()
    _wait(lambda: client.get("/api/lab").json()["status"] == "done")
    done = client.get("/api/lab").json()
    assert done["result"]["nan"] is None and done["progress"] == 1.0  # JSON-safe
    assert client.post("/api/lab/runs", json={"horizon": "6M"}).json()["status"] == "done"  # kept
    assert calls == ["6M"]
    assert client.post("/api/lab/runs", json={"horizon": "6M", "again": True}).status_code == 202
    _wait(lambda: client.get("/api/lab").json()["status"] == "done")
    assert calls == ["6M", "6M"]
    assert client.get("/lab?horizon=7M").status_code == 400
    assert client.get("/api/lab?horizon=7M").status_code == 422
    assert client.post("/api/lab/runs", json={"horizon": "6M", "extra": 1}).status_code == 422


def test_a_failed_lab_is_shown_with_its_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from hypecheck.errors import NoDataError
    from hypecheck.server import create_app

    app = create_app(data=None)

    def runner(data: Any, horizon: str, progress: Any) -> dict[str, Any]:
        raise NoDataError("no pairs of the universe in the data", hint="pass --data DIR")

    app.state.engine.lab_runner = runner
    client = TestClient(app)
    client.post("/api/lab/runs", json={})
    _wait(lambda: client.get("/api/lab").json()["status"] == "failed")
    assert "no pairs of the universe" in client.get("/api/lab").json()["error"]
    page = client.get("/lab").text
    assert "The lab failed: no pairs of the universe" in page and 'id="lab-run"' in page


# ------------------------------------------------------------------ errors in the API's words
def test_api_errors_name_the_as_of_parameter(data_dir: Path) -> None:
    """The error for a date outside the data told an API client to "pass --as-of": it names the
    as_of query parameter (the command line keeps --as-of)."""
    from fastapi.testclient import TestClient

    from hypecheck.server import create_app

    client = TestClient(create_app(data=None))
    for day, words in (("2030-01-02", "as_of=2017"), ("0014-04-20", "as_of=1948-12-31")):
        r = client.get(f"/api/themes/small-cap-rotation/check?as_of={day}&calibrate=false")
        assert r.status_code == 404, r.text
        text = r.json()["detail"] + " " + r.json()["hint"]
        assert "--as-of" not in text and words in text and "as_of" in r.json()["detail"], text
    client = TestClient(create_app(data=data_dir))
    r = client.get("/api/scan", params={"as_of": "2030-01-02"})
    assert r.status_code == 404 and "--as-of" not in r.json()["detail"]
    assert "ask for an as_of date between" in r.json()["detail"]


def test_api_words() -> None:
    from hypecheck.server.app import api_words

    assert api_words("pass --as-of on or before it") == "ask for an as_of date on or before it"
    assert api_words("use --as-of 2017-12-29 or earlier") == "use as_of=2017-12-29 or earlier"
    assert api_words("pass --as-of a date within the data") == "ask for an as_of date within the data"
    assert api_words("pass --horizon 6M") == "pass horizon=6M"
    assert api_words("nothing to change") == "nothing to change"


# ------------------------------------------------------------------ issue 24: every chart interactive
MOVED = ("style_box", "sectors", "ew_cw", "participation", "attention", "macro", "event_study")
MOVED += ("fundamentals", "burden", "hindsight")


@pytest.fixture(scope="module")
def flagship_server(shared_data: Path):
    from hypecheck.server import create_app

    with running_server(create_app(data=shared_data)) as url:
        yield url


def test_every_chart_draws_interactive_without_errors(
    flagship_server: str, browser: Any, tmp_path: Path
) -> None:
    """On the flagship with the shared data every chart (the ten that were matplotlib pictures among
    them) is drawn from its Vega-Lite spec with no console error, and hovering a moved time chart
    and a moved bar chart shows tooltips with the data's dates and names."""
    import json
    import urllib.request

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # errors, and Vega-Lite's warnings too (panels merging their colour domains, legends in conflict)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" or "WARN" in m.text else None)
    # the first request runs the calibrated check on the shared data: slow on a busy machine
    page.goto(flagship_server + "/themes/small-cap-rotation?as_of=2026-01-16", timeout=300_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure.vl')].every(f => f.dataset.state)", timeout=120_000
    )
    states = dict(
        page.eval_on_selector_all("figure.vl", "fs => fs.map(f => [f.dataset.chart, f.dataset.state])")
    )
    assert set(MOVED) <= set(states) and set(states.values()) == {"ready"}, states
    assert page.locator("img.chart").count() == 0
    for name in MOVED:  # each drew marks, not an empty frame
        assert page.locator(f"figure#chart-{name} svg .role-mark").count() > 0, name
    url = f"{flagship_server}/api/themes/small-cap-rotation/charts/macro.json?as_of=2026-01-16"
    with urllib.request.urlopen(url) as r:
        spec = json.load(r)
    dates = set(re.findall(r'"date": "(\d{4}-\d{2}-\d{2})"', json.dumps(spec)))  # lines' and events'
    assert len(dates) > 100
    texts = _tooltips(page, "figure#chart-macro")
    assert len(texts) >= 3, texts
    for text in texts:
        assert "undefined" not in text and not EPOCH_MS.search(text), text
        shown = DATE.findall(text)
        assert len(shown) == 1 and shown[0] in dates, text
    page.locator("figure#chart-sectors").scroll_into_view_if_needed()
    bar = page.locator("figure#chart-sectors svg g.mark-rect path").first.bounding_box()
    assert bar is not None
    page.mouse.move(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    page.wait_for_selector("#vg-tooltip-element", state="visible", timeout=5_000)
    tip = page.inner_text("#vg-tooltip-element")
    assert "sector" in tip and "return" in tip, tip
    page.screenshot(path=str(tmp_path / "flagship-charts.png"), full_page=True)
    assert errors == []
    page.close()
