"""No surprises (issue 13, part 5): ``load_catalog`` returns the catalog ``check`` takes; an as-of
date outside the data is one clear error naming the data's last (or first) date; ``serve`` without
``--data`` says which data it reads and how to point it at yours; results and calibrations have
short reprs; the attention pillar and its ``attention_at_baseline`` trigger say the same thing about
"back at baseline"."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import hypecheck
from hypecheck.api import load_catalog
from hypecheck.cli import main
from hypecheck.errors import InputError
from hypecheck.schema import Catalog

FLAGSHIP = "small-cap-rotation"


def _csv_span(shared: Path, tickers: list[str]) -> tuple[str, str]:
    """First and last date over the tickers' daily price CSVs (read directly)."""
    firsts, lasts = [], []
    for t in tickers:
        f = shared / "prices" / "etf_daily" / f"{t}.csv"
        if f.exists():
            d = pd.read_csv(f, usecols=["Date"])["Date"]
            firsts.append(d.iloc[0])
            lasts.append(d.iloc[-1])
    return min(firsts), max(lasts)


# ------------------------------------------------------------------------------ load_catalog


def test_load_catalog_returns_the_catalog_and_check_takes_it(shared_data: Path) -> None:
    cat = load_catalog(shared_data)
    assert isinstance(cat, Catalog) and cat.source == "files"
    assert "XLP" in cat.ids("price") and repr(cat).startswith("<Catalog files: ")
    res = hypecheck.check(FLAGSHIP, catalog=cat, calibrate=False)
    assert res.as_of == pd.Timestamp("2026-01-16")  # the theme's own date (not the bundled mapping's)
    same = hypecheck.check(FLAGSHIP, data=shared_data, calibrate=False)
    assert [e.to_dict() for e in res.evidence] == [e.to_dict() for e in same.evidence]
    spy = next(p for p in res.provenance if p.id == "SPY")
    assert spy.resolved == "SPY" and spy.last == "2026-01-16"


def test_bundled_catalog_applies_the_bundled_mapping() -> None:
    cat = load_catalog(None)
    assert cat.source == "bundled"
    res = hypecheck.check(FLAGSHIP, catalog=cat, calibrate=False)
    assert res.as_of == pd.Timestamp("2016-12-31")  # [mapping.bundled] as_of
    iwm = next(p for p in res.provenance if p.id == "IWM")
    assert iwm.resolved == "ff:S1V3" and iwm.sample_data


# ------------------------------------------------------------------------------ as-of outside the data


def test_as_of_after_the_data_end_is_one_clear_error(shared_data: Path) -> None:
    th = hypecheck.load_theme(FLAGSHIP)
    _, last = _csv_span(shared_data, th.tickers())
    assert last == "2026-08-03"
    with pytest.raises(InputError) as exc:
        hypecheck.check(FLAGSHIP, data=shared_data, as_of="2026-12-31", calibrate=False)
    msg = exc.value.message
    assert "as-of date 2026-12-31 is after the end of the data" in msg
    assert f"end on {last}; pass --as-of on or before it" in msg
    assert exc.value.hint and "--as-of 2026-08-03" in exc.value.hint


def test_as_of_after_the_data_end_exits_2_on_the_command_line(shared_data: Path) -> None:
    r = CliRunner().invoke(
        main, ["check", FLAGSHIP, "--data", str(shared_data), "--as-of", "2027-03-01", "--no-calibration"]
    )
    assert r.exit_code == 2, r.output
    assert "error: as-of date 2027-03-01 is after the end of the data" in r.output
    assert "end on 2026-08-03; pass --as-of on or before it" in r.output
    assert "too stale" not in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("as_of", ["0001-01-01", "1990-01-01"])
def test_as_of_before_any_data_is_one_clear_error(shared_data: Path, as_of: str) -> None:
    th = hypecheck.load_theme(FLAGSHIP)
    first, _ = _csv_span(shared_data, th.tickers())
    assert first == "1993-01-29"
    r = CliRunner().invoke(
        main, ["check", FLAGSHIP, "--data", str(shared_data), "--as-of", as_of, "--no-calibration"]
    )
    assert r.exit_code == 2, r.output
    assert f"error: as-of date {as_of} is before any data" in r.output
    assert f"start on {first}; pass --as-of on or after it" in r.output
    assert "Traceback" not in r.output and "not a date" not in r.output


def test_as_of_a_day_after_the_last_close_still_checks(shared_data: Path) -> None:
    res = hypecheck.check(FLAGSHIP, data=shared_data, as_of="2026-08-04", calibrate=False)
    assert res.as_of == pd.Timestamp("2026-08-04")
    assert next(p for p in res.provenance if p.id == "IWM").last == "2026-08-03"


def test_as_of_past_the_bundled_data_names_its_end() -> None:
    with pytest.raises(InputError) as exc:
        hypecheck.check(FLAGSHIP, as_of="2030-01-01", calibrate=False)
    assert "in the bundled sample data end on 2017-03-31" in exc.value.message
    assert "--data PATH" in (exc.value.hint or "")


# ------------------------------------------------------------------------------ serve without --data


def test_serve_without_data_says_which_data_and_how_to_use_yours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_data: Path
) -> None:
    uvicorn = pytest.importorskip("uvicorn")
    pytest.importorskip("fastapi")
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    themes = tmp_path / "themes"
    themes.mkdir()
    r = CliRunner().invoke(main, ["serve", "--themes", str(themes), "--port", "1"])
    assert r.exit_code == 0, r.output
    assert "(data: bundled sample data)" in r.output
    note = r.output.split("note: ", 1)[1]
    assert "bundled sample data" in note and str(themes) in note
    assert "hypecheck serve --data PATH" in note
    r = CliRunner().invoke(
        main, ["serve", "--themes", str(themes), "--data", str(shared_data), "--port", "1"]
    )
    assert r.exit_code == 0 and "note:" not in r.output, r.output


def test_dashboard_pages_get_the_data_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("fastapi")
    import jinja2
    from fastapi.testclient import TestClient

    from hypecheck.server import create_app

    seen: dict[str, dict] = {}
    render = jinja2.Template.render

    def spy(self: jinja2.Template, *a: object, **k: object) -> str:
        seen[str(self.name)] = k
        return render(self, *a, **k)

    monkeypatch.setattr(jinja2.Template, "render", spy)
    client = TestClient(create_app(data=None, themes_dir=tmp_path))
    assert client.get("/").status_code == 200
    assert client.get(f"/themes/{FLAGSHIP}?as_of=2016-12-31").status_code == 200
    for page in ("index.html.j2", "theme.html.j2"):
        assert "bundled sample data" in seen[page]["data_note"]
        assert "--data PATH" in seen[page]["data_note"]
    assert "--data PATH" in client.get("/api/health").json()["data_note"]


# ------------------------------------------------------------------------------ reprs


def test_result_and_calibration_reprs_are_one_short_line() -> None:
    res = hypecheck.check(FLAGSHIP)  # bundled data, the panel model fitted
    c = res.calibration
    assert c is not None and len(c.ledger) > 3
    for text in (repr(res), repr(c)):
        assert "\n" not in text and len(text) < 250, text
    assert repr(res).startswith(f"<CheckResult {FLAGSHIP} as of 2016-12-31: {res.verdict.label}")
    assert f"{c.probability:.0%}" in repr(c) and f"n={c.n_fit:,}" in repr(c)
    assert f"base rate {c.base_rate:.0%}" in repr(c)


# ------------------------------------------------------------------------------ back at baseline


def _attention(res: object) -> tuple[list[dict], object]:
    rows = res.pillars["attention"].tables["terms"]  # type: ignore[attr-defined]
    (trig,) = [t for t in res.triggers if t.kind == "attention_at_baseline"]  # type: ignore[attr-defined]
    return rows, trig


def test_attention_pillar_and_trigger_agree_on_the_flagship(shared_data: Path) -> None:
    res = hypecheck.check(FLAGSHIP, data=shared_data, as_of="2026-01-16", calibrate=False)
    rows, trig = _attention(res)
    by_term = {r["term"]: r for r in rows}
    (row,) = [by_term[t] for t in trig_terms(res) if t in by_term]
    assert row["term"] == "value stocks" and row["current_spike"] == "2025-08-01"
    # the pillar: every period since the spike is still above its frozen baseline + margin
    assert (
        row["persist_returned"] is False and row["persist_periods_above"] == row["persist_periods_since"] == 4
    )
    # the trigger, by the same definition: no period back at baseline
    assert trig.value == 0.0 and trig.state == "quiet"
    assert (
        f"'value stocks': spiked 2025-08-01 (100); above baseline {row['persist_baseline']:.1f} + margin "
        f"{row['persist_margin']:.1f} on 2025-12-01" in trig.detail
    )


def trig_terms(res: object) -> list[str]:
    th = res.theme  # type: ignore[attr-defined]
    (t,) = [t for t in th.triggers if t.kind == "attention_at_baseline"]
    return list(t.params["terms"])


def test_attention_pillar_and_trigger_agree_on_a_spike_that_faded(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    dates = pd.date_range("2012-01-01", periods=52, freq="MS")
    values = (40 + rng.integers(-2, 3, size=52)).astype(int)
    values[46:] = [95, 70, 52, 41, 40, 39]  # a spike, then back to its baseline for 3 months
    folder = tmp_path / "trends"
    folder.mkdir()
    (folder / "fading_term.csv").write_text(
        "date,fading term\n" + "".join(f"{d:%Y-%m-%d},{v}\n" for d, v in zip(dates, values, strict=True))
    )
    theme = tmp_path / "t.toml"
    theme.write_text(
        'id = "t"\ntitle = "t"\nquestion = "q?"\n[attention]\nterms = ["fading_term"]\n'
        '[[triggers]]\nid = "calm"\nkind = "attention_at_baseline"\n'
        'params = { terms = ["fading_term"], periods = 3 }\n'
    )
    res = hypecheck.check(theme, data=folder, as_of="2016-05-15", calibrate=False)
    rows, trig = _attention(res)
    (row,) = rows
    assert row["current_spike"] == "2015-11-01"
    back_at = row["persist_baseline"] + row["persist_margin"]
    assert row["persist_returned"] is True and row["persist_returned_date"] == "2016-02-01"
    # the run of latest months at or below the pillar's baseline + margin, counted from the CSV
    after = values[47:]
    run = 0
    for v in after[::-1]:
        if v > back_at:
            break
        run += 1
    assert run == 3
    assert trig.value == float(run) and trig.state == "fired"
    assert (
        f"back at baseline {row['persist_baseline']:.1f} + margin {row['persist_margin']:.1f}" in trig.detail
    )
    (ev,) = [e for e in res.pillars["attention"].evidence if e.id == "attention:fading_term"]
    assert ev.leaning == "viral"  # the pillar: a flash that faded


def test_json_of_a_check_still_carries_triggers(shared_data: Path) -> None:
    r = CliRunner().invoke(
        main,
        [
            "check",
            FLAGSHIP,
            "--data",
            str(shared_data),
            "--as-of",
            "2026-01-16",
            "--no-calibration",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    trig = {t["id"]: t for t in json.loads(r.stdout)["triggers"]}
    assert trig["attention-back-to-baseline"]["value"] == 0.0


def test_check_reports_real_progress_through_pillars_and_the_model() -> None:
    import hypecheck

    seen: list[tuple[float, str]] = []
    hypecheck.check("small-cap-rotation", progress=lambda p, stage: seen.append((p, stage)))
    fractions = [p for p, _ in seen]
    assert fractions == sorted(fractions) and 0 < fractions[0] < fractions[-1] < 1
    stages = [s for _, s in seen]
    assert "measuring price" in stages and stages[-1] == "fitting the panel model on past narratives"
    assert len(seen) == 8  # seven pillars, then the model
