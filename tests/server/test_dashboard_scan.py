"""The dashboard's scan page and interactive charts in a real browser (Playwright driving Debian's
headless Chromium, like test_dashboard.py), on a small hand-built data folder
(``synthetic_prices.py``): sort the scan table, open a narrative's theme from its row, hover a point
of the rotation graph, move its date slider, hover the spread chart; no console errors and no
request to any host but the dashboard's."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import running_server
from synthetic_prices import AS_OF, write_prices


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_prices(tmp_path_factory.mktemp("scan-data"))


@pytest.fixture(scope="module")
def server(data_dir: Path):
    pytest.importorskip("fastapi")
    from hypecheck.server import create_app

    with running_server(create_app(data=data_dir)) as url:
        yield url


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url) as r:
        return json.load(r)


class Watch:
    """Console errors, page errors and every request a page makes."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def check(self, server: str) -> None:
        assert self.errors == []
        own = urlsplit(server).netloc
        assert self.requests and [u for u in self.requests if urlsplit(u).netloc != own] == []


def test_scan_api_is_the_lab_scan(server: str, data_dir: Path) -> None:
    from hypecheck.api import load_catalog
    from hypecheck.scan.core import scan

    got = _get_json(f"{server}/api/scan?as_of={AS_OF}")
    want = json.loads(scan(load_catalog(data_dir), AS_OF).to_json())
    assert got == want
    keys = [(n["leader"], n["laggard"]) for n in got["narratives"]]
    assert ("IWM", "SPY") in keys  # the planted surge
    for n in got["narratives"]:
        assert {"leader", "laggard", "born", "sharpness", "p", "p_interval", "label", "drivers"} <= set(n)


def test_scan_page_sorts_and_opens_a_theme(server: str, browser: Any, tmp_path: Path) -> None:
    scan = _get_json(f"{server}/api/scan?as_of={AS_OF}")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    watch = Watch(page)
    page.goto(f"{server}/scan?as_of={AS_OF}")
    rows = page.locator("#scan-table tbody tr")
    assert rows.count() == len(scan["narratives"]) >= 2
    keys = lambda: page.eval_on_selector_all("#scan-table tbody tr", "rs => rs.map(r => r.dataset.key)")  # noqa: E731
    assert keys() == [f"{n['leader']}-{n['laggard']}" for n in scan["narratives"]]  # ranked as the scan
    # each sparkline ends above its dashed start line exactly when the leader gained (rs rose)
    for n in scan["narratives"]:
        ys = page.eval_on_selector(
            f"#scan-table tr[data-key='{n['leader']}-{n['laggard']}'] svg.spark polyline",
            "p => p.getAttribute('points').split(' ').map(s => parseFloat(s.split(',')[1]))",
        )
        assert len(ys) == len(n["rs"])
        assert (ys[-1] < ys[0]) == (n["rs"][-1] > n["rs"][0])  # SVG y grows downwards
    by = {f"{n['leader']}-{n['laggard']}": n for n in scan["narratives"]}
    # sort by p: ascending, then descending on a second click
    p_head = page.locator("#scan-table thead th").nth(6)
    assert p_head.inner_text().strip() == "p"
    p_head.click()
    assert p_head.get_attribute("aria-sort") == "ascending"
    asc = [by[k]["p"] for k in keys()]
    assert asc == sorted(asc)
    p_head.click()
    assert p_head.get_attribute("aria-sort") == "descending"
    assert [by[k]["p"] for k in keys()] == sorted(asc, reverse=True)
    # sort by sharpness, ascending
    page.locator("#scan-table thead th").nth(4).click()
    sharp = [by[k]["sharpness"] for k in keys()]
    assert sharp == sorted(sharp)
    # by laggard, alphabetical
    page.locator("#scan-table thead th").nth(1).click()
    lag = [by[k]["laggard"] for k in keys()]
    assert lag == sorted(lag)
    page.screenshot(path=str(tmp_path / "scan.png"), full_page=True)
    # open IWM over SPY from its row (a click on the row, not on the link)
    page.click("#scan-table tr[data-key='IWM-SPY'] td:nth-child(3)")
    page.wait_for_url("**/themes/iwm-over-spy?as_of=2026-01-16", timeout=60_000)
    page.wait_for_selector("#verdict")
    assert "IWM" in page.inner_text("#title") and "SPY" in page.inner_text("#title")
    assert "as of 2026-01-16" in page.inner_text("#verdict")
    # the theme D's theme_toml writes has its interactive charts drawn
    page.wait_for_selector("figure.vl[data-state]", state="attached", timeout=30_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure.vl')].every(f => f.dataset.state)", timeout=30_000
    )
    states = page.eval_on_selector_all("figure.vl", "fs => fs.map(f => f.dataset.state)")
    assert states and set(states) == {"ready"}
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(tmp_path / "theme.png"), full_page=True)
    watch.check(server)
    page.close()


def _heads(page: Any, fig: str) -> list[tuple[float, float]]:
    """Centre (x, y) of each head point of a rotation graph, in the plot's own pixels."""
    return page.eval_on_selector_all(
        f"{fig} g.rrg_head_marks path",
        "ps => ps.map(p => { const m = /translate\\(([-\\d.e]+),\\s*([-\\d.e]+)\\)/.exec(p.getAttribute('transform'));"
        " return [parseFloat(m[1]), parseFloat(m[2])]; })",
    )


def _expected(spec: dict[str, Any], k: int) -> dict[str, tuple[float, float]]:
    """name -> pixel position of its head point at slider index ``k``, from the spec's data."""
    lo, hi = spec["layer"][-1]["encoding"]["x"]["scale"]["domain"]
    w, h = spec["width"], spec["height"]
    out = {}
    for r in spec["data"]["values"]:
        if r["i"] <= k and (r["name"] not in out or r["i"] > out[r["name"]][0]):
            out[r["name"]] = (r["i"], (r["x"] - lo) / (hi - lo) * w, (hi - r["y"]) / (hi - lo) * h, r)
    return {n: (x, y) for n, (_i, x, y, _r) in out.items()}


def _same_points(got: list[tuple[float, float]], want: list[tuple[float, float]]) -> bool:
    return len(got) == len(want) and all(
        abs(a[0] - b[0]) < 0.6 and abs(a[1] - b[1]) < 0.6
        for a, b in zip(sorted(got), sorted(want), strict=True)
    )


def test_rrg_hover_and_date_slider(server: str, browser: Any, tmp_path: Path) -> None:
    theme = f"/themes/small-cap-rotation?as_of={AS_OF}"
    spec = _get_json(f"{server}/api/themes/small-cap-rotation/charts/rrg_SPY.json?as_of={AS_OF}")
    dates = next(p["value"] for p in spec["params"] if p["name"] == "dates")
    last = len(dates) - 1
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    watch = Watch(page)
    page.goto(server + theme)
    fig = "figure#chart-rrg_SPY"
    page.wait_for_selector(f"{fig}[data-state=ready]", state="attached", timeout=60_000)
    page.locator(fig).scroll_into_view_if_needed()
    # the last date: every head point where the spec's data put it
    want = _expected(spec, last)
    assert _same_points(_heads(page, fig), list(want.values()))
    assert f"tails to {dates[last]}" in page.inner_text(fig)
    # hover one head point: the tooltip names it and its date
    box = page.locator(f"{fig} g.rrg_head_marks path").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = page.locator("#vg-tooltip-element")
    tip.wait_for(state="visible", timeout=5_000)
    text = tip.inner_text()
    named = [n for n in want if n in text.split()]
    assert len(named) == 1 and dates[last] in text
    row = next(r for r in spec["data"]["values"] if r["name"] == named[0] and r["i"] == last)
    assert f"{row['x']:.2f}" in text and row["quadrant"] in text
    page.screenshot(path=str(tmp_path / "rrg-hover.png"))
    page.mouse.move(5, 5)
    # move the slider back three dates: the points move along their tails, the title follows
    k = last - 3
    page.locator(f"{fig} input[type=range]").fill(str(k))
    page.wait_for_function(
        f"() => document.querySelector('{fig}').innerText.includes('tails to {dates[k]}')", timeout=5_000
    )
    moved = _heads(page, fig)
    assert _same_points(moved, list(_expected(spec, k).values()))
    assert not _same_points(moved, list(want.values()))
    n_tail = page.eval_on_selector_all(f"{fig} g.rrg_tail_marks path", "ps => ps.length")
    assert n_tail == sum(1 for r in spec["data"]["values"] if k - spec_tail(spec) < r["i"] <= k)
    box = page.locator(f"{fig} g.rrg_head_marks path").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip.wait_for(state="visible", timeout=5_000)
    assert dates[k] in tip.inner_text()
    page.screenshot(path=str(tmp_path / "rrg-slider.png"))
    page.mouse.move(5, 5)
    # the spread chart: hovering a date shows the pair and its relative strength
    spread = "figure#chart-rs_lines"
    page.locator(spread).scroll_into_view_if_needed()
    plot = page.locator(f"{spread} svg g.mark-line path").first.bounding_box()
    assert plot is not None
    page.mouse.move(plot["x"] + plot["width"] * 0.98, plot["y"] + plot["height"] / 2)
    page.mouse.move(plot["x"] + plot["width"] * 0.99, plot["y"] + plot["height"] / 2)
    shown = page.eval_on_selector_all(
        f"{spread} g.mark-symbol path", "ps => ps.filter(p => p.getAttribute('opacity') !== '0').length"
    )
    lines = _get_json(f"{server}/api/themes/small-cap-rotation/charts/rs_lines.json?as_of={AS_OF}")
    assert shown == len({r["series"] for r in lines["data"]["values"]})  # one dot per pair on that date
    watch.check(server)
    page.close()


def spec_tail(spec: dict[str, Any]) -> int:
    flt = spec["layer"][-1]["transform"][0]["filter"]
    return int(flt.rsplit("-", 1)[1])


def test_scan_routes_refuse_bad_input(data_dir: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from hypecheck.server import create_app

    client = TestClient(create_app(data=data_dir))
    for bad in ("not-a-date", "2026-02-30", "0", "20260116"):  # YYYY-MM-DD only (pydantic alone reads 0)
        assert client.get("/api/scan", params={"as_of": bad}).status_code == 422, bad
        assert client.get("/api/themes/small-cap-rotation/triggers", params={"as_of": bad}).status_code == 422
    r = client.get("/api/scan", params={"as_of": "2030-01-02"})
    assert r.status_code == 404 and "outside the universe" in r.json()["detail"]  # after the closes end
    r = client.get("/scan", params={"as_of": "2026-13-40"})
    assert r.status_code == 400 and "YYYY-MM-DD" in r.json()["detail"]
    r = client.get("/scan/theme", params={"leader": "SPY", "laggard": "NOPE", "as_of": AS_OF})
    assert r.status_code == 404 and "no live narrative" in r.json()["detail"]
    assert client.get("/scan/theme", params={"leader": "X" * 65, "laggard": "SPY"}).status_code == 422
    r = client.get(
        "/scan/theme", params={"leader": "IWM", "laggard": "SPY", "as_of": AS_OF}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == f"/themes/iwm-over-spy?as_of={AS_OF}"
    assert "iwm-over-spy" in [t["id"] for t in client.get("/api/themes").json()]
    js = client.get("/static/vega.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "window.vegaEmbed" in js.text and "default-src 'none'" in js.headers["content-security-policy"]
    assert client.get("/static/nope.js").status_code == 404
    assert (
        client.get("/api/themes/small-cap-rotation/charts/nope.json", params={"as_of": AS_OF}).status_code
        == 404
    )


def test_a_dashboard_on_a_store_reads_it_as_known_on_the_as_of_date(tmp_path: Path) -> None:
    """`serve --store`: a check as of a date reads what the store knew then; a later fetch that
    revised recent closes (stored with its fetch date) changes nothing in it."""
    import datetime as dt

    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from hypecheck.cli import main
    from hypecheck.schema import SeriesData
    from hypecheck.server import create_app
    from hypecheck.store import Store

    folder = write_prices(tmp_path / "data")
    store_path = tmp_path / "s.duckdb"
    assert CliRunner().invoke(main, ["import", str(folder), "--store", str(store_path)]).exit_code == 0
    url = f"/api/themes/small-cap-rotation/check?as_of={AS_OF}&calibrate=false"

    def returns() -> dict[tuple[str, str], float | None]:
        client = TestClient(create_app(store=store_path))
        r = client.get(url)
        assert r.status_code == 200, r.text
        return {(x["series"], x["window"]): x["return"] for x in r.json()["tables"]["returns"]}

    before = returns()
    assert before[("IWM", "1M")] is not None
    st = Store(store_path)
    iwm = st.catalog().get("price", "IWM")
    revised = iwm.values.copy()
    revised.iloc[-10:] *= 0.9
    st.write(SeriesData(iwm.meta, revised), fetched_at=dt.datetime.now() + dt.timedelta(days=3))
    assert returns() == before
