"""The dashboard and the report in a real browser (Playwright driving Debian's headless Chromium,
installed by .ci/run), the API fuzzed from its OpenAPI schema (schemathesis), and user text that
must render as text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import running_server


def _nonblank(png: Path) -> None:
    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(png).convert("RGBA"), dtype=float) / 255.0
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 200
    gray = img[..., :3].mean(axis=2)
    assert float(gray.std()) > 0.05, f"{png.name} looks blank"
    assert float((gray < 0.5).mean()) > 0.005, f"{png.name} has almost no dark pixels (no text?)"


@pytest.fixture(scope="module")
def server():
    pytest.importorskip("fastapi")
    from hypecheck.server import create_app

    with running_server(create_app(data=None)) as url:
        yield url


def test_dashboard_switches_themes_and_dates_and_reruns(server: str, browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    page.click("#theme-small-cap-rotation")
    page.wait_for_selector("#verdict")
    assert "small-cap-rotation" in page.url
    page.screenshot(path=str(tmp_path / "1-theme.png"), full_page=False)
    first_verdict = page.inner_text("#verdict")
    assert any(
        w in first_verdict.upper() for w in ("HOLDING", "FADING", "TOO YOUNG", "NO NARRATIVE", "INSUFFICIENT")
    )
    # switch theme with the selector
    page.select_option("#theme-select", "value-vs-growth")
    page.wait_for_url("**/themes/value-vs-growth")
    page.wait_for_selector("#verdict")
    page.screenshot(path=str(tmp_path / "2-other-theme.png"))
    # switch the as-of date
    page.fill("#as-of", "2015-06-30")
    page.click("#go")
    page.wait_for_url("**as_of=2015-06-30")
    assert "as of 2015-06-30" in page.inner_text("#verdict")
    page.screenshot(path=str(tmp_path / "3-as-of.png"))
    # re-run on demand, with progress
    page.fill("#as-of", "2014-12-31")
    page.click("#rerun")
    page.wait_for_url("**as_of=2014-12-31", timeout=60_000)
    assert "as of 2014-12-31" in page.inner_text("#verdict")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(tmp_path / "4-rerun.png"), full_page=True)
    for png in sorted(tmp_path.glob("*.png")):
        _nonblank(png)
    # every chart on the page is drawn interactive from its Vega-Lite spec (issue 24: no chart is a
    # static image any more), and each one's PNG link is a real image drawn by the API on request
    figures = page.locator("figure.vl")
    assert figures.count() >= 5 and page.locator("img.chart").count() == 0
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure.vl')].every(f => f.dataset.state === 'ready')",
        timeout=60_000,
    )
    assert page.locator("figure.vl[data-state=ready] svg").count() == figures.count()
    link = page.locator("figure#chart-rs_lines figcaption a", has_text="PNG").get_attribute("href")
    png = page.request.get(server + str(link))
    assert png.status == 200 and png.headers["content-type"] == "image/png"
    assert png.body().startswith(b"\x89PNG\r\n\x1a\n") and len(png.body()) > 1000
    page.wait_for_selector("figure#chart-rs_lines[data-state=ready] svg", state="attached")
    assert page.locator("figure#chart-rs_lines g.mark-line path").count() >= 1
    assert errors == []
    page.close()


def test_report_html_has_no_console_errors_and_no_network(browser, tmp_path: Path) -> None:
    import hypecheck
    from hypecheck.report import write_report

    res = hypecheck.check("small-cap-rotation", calibrate=True)
    out = write_report(res, tmp_path / "r")
    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: requests.append(r.url))
    page.goto(out["html"].as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    _nonblank(tmp_path / "report.png")
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    body = page.inner_text("body")
    assert res.calibration is not None and res.calibration.headline()[0] in body  # skill first
    assert "probability that IWM (ff:S1V3) keeps beating SPY (ff:Mkt)" in body
    page.close()


def test_user_text_renders_as_text(browser, tmp_path: Path) -> None:
    import hypecheck
    from hypecheck.report import write_report

    theme = tmp_path / "evil.toml"
    theme.write_text(
        'id = "evil"\ntitle = "<script>alert(1)</script>"\nquestion = "Tom & Jerry\'s \\"rally\\" <b>bold</b>?"\n'
        '[attention]\nterms = ["rock & roll", "\\"quoted\\" term", "<img src=x onerror=alert(2)>"]\n'
        '[[price.pairs]]\nleader = "ff:S1V3"\nlaggard = "ff:Mkt"\nlabel = "A&B <i>pair</i>"\n',
        "utf-8",
    )
    res = hypecheck.check(theme, as_of="2016-12-31")
    out = write_report(res, tmp_path / "r")
    html = out["html"].read_text("utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(out["html"].as_uri())
    body = page.inner_text("body")
    assert "<script>alert(1)</script>" in body  # shown literally
    assert 'Tom & Jerry\'s "rally" <b>bold</b>?' in body
    assert page.query_selector("b:text('bold')") is None  # the <b> was not parsed as markup
    assert dialogs == []
    md = out["markdown"].read_text("utf-8")
    assert "<script>" not in md
    page.close()


def test_openapi_documents_every_endpoint(server: str) -> None:
    import json
    import urllib.request

    with urllib.request.urlopen(server + "/openapi.json") as r:
        spec = json.load(r)
    paths = set(spec["paths"])
    assert {
        "/api/health",
        "/api/themes",
        "/api/themes/{theme_id}/check",
        "/api/themes/{theme_id}/triggers",
        "/api/runs",
        "/api/runs/{run_id}",
        "/api/themes/{theme_id}/charts/{name}.png",
        "/api/themes/{theme_id}/charts/{name}.json",
        "/api/scan",
    } <= paths
    with urllib.request.urlopen(server + "/") as r:
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    _ = np


def test_user_themes_are_served_and_escaped(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from hypecheck.server import create_app

    (tmp_path / "evil.toml").write_text(
        'id = "evil"\ntitle = "<script>alert(1)</script> & co"\nquestion = "q?"\n'
        '[[price.pairs]]\nleader = "ff:S1V3"\nlaggard = "ff:Mkt"\n',
        "utf-8",
    )
    (tmp_path / "broken.toml").write_text('id = "broken"\ntitle = \n', "utf-8")
    client = TestClient(create_app(data=None, themes_dir=tmp_path))
    ids = [t["id"] for t in client.get("/api/themes").json()]
    assert "evil" in ids and "small-cap-rotation" in ids and "broken" not in ids
    index = client.get("/").text
    assert "broken.toml" in index and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in index
    page = client.get("/themes/evil?as_of=2016-12-31")
    assert page.status_code == 200 and "<script>alert(1)</script>" not in page.text
    assert client.get("/api/themes/evil/check", params={"as_of": "2016-12-31"}).json()["theme"] == "evil"
    assert client.post("/api/runs", json={"theme": "nope"}).status_code == 404
