"""The fan chart of what narratives like the theme's did, and the forward record's page, in a real
browser (Playwright driving Debian's headless Chromium; screenshots in the test's output folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import running_server


@pytest.fixture(scope="module")
def store_with_a_forecast(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the flagship's forecast as of 2016-06-30 on the bundled data (6 months later
    is in the data: a scored, replayed forecast) and one as of 2016-12-31 (pending)."""
    from hypecheck.cli import main

    store = tmp_path_factory.mktemp("rec") / "s.duckdb"
    for d in ("2016-06-30", "2016-12-31"):
        r = CliRunner().invoke(main, ["check", "small-cap-rotation", "--as-of", d, "--store", str(store)])
        assert r.exit_code == 0, r.output
    return store


@pytest.fixture(scope="module")
def server(store_with_a_forecast: Path, monkeypatch_module: pytest.MonkeyPatch):
    pytest.importorskip("fastapi")
    from hypecheck.server import create_app

    monkeypatch_module.setenv("HYPECHECK_STORE", str(store_with_a_forecast))
    with running_server(create_app(data=None)) as url:
        yield url


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_fan_chart_is_interactive_on_the_theme_page(server: str, browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/themes/small-cap-rotation?as_of=2016-12-31")
    page.wait_for_selector("#verdict")
    assert page.inner_text("#verdict").upper().startswith(("HOLDING", "FADING", "TOO YOUNG", "NO NARRATIVE"))
    fig = page.wait_for_selector("#chart-history_fan svg, #chart-history_fan canvas", timeout=20_000)
    fig.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "fan.png"), full_page=False)
    # hover the median's point at 3 months: the tooltip says what past narratives did
    box = page.locator("#chart-history_fan .vl-view").bounding_box()
    assert box is not None and box["width"] > 300
    marks = page.locator("#chart-history_fan path.mark-symbol, #chart-history_fan .mark-symbol path")
    assert marks.count() >= 4
    marks.nth(2).hover(force=True)
    tip = page.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
    text = tip.inner_text()
    assert "median, %" in text and "past narratives" in text
    page.screenshot(path=str(tmp_path / "fan-tooltip.png"))
    assert not errors, errors


def test_record_page_lists_scored_and_pending_forecasts(server: str, browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/record")
    page.wait_for_selector("#record-table")
    rows = page.locator("#record-table tbody tr")
    assert rows.count() == 2
    text = page.inner_text("#record-table")
    assert "2016-06-30" in text and "2016-12-31" in text and "pending" in text
    summary = page.inner_text("#record-summary")
    assert "2 forecasts, 1 scored, 1 pending" in summary
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # fits the window
    page.screenshot(path=str(tmp_path / "record.png"), full_page=True)
    api = page.request.get(server + "/api/record").json()
    scored = [f for f in api["forecasts"] if f["realised"] is not None]
    assert len(scored) == 1 and scored[0]["as_of"] == "2016-06-30" and scored[0]["replayed"] is True
    assert scored[0]["inside"] == (scored[0]["lo"] <= scored[0]["realised"] <= scored[0]["hi"])
