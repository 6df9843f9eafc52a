"""Vintages end to end (issue 14): a check as of D uses, for each observation, the latest vintage
published on or before D, through `check --data` and through `import` + `check --live --as-of`.

The ALFRED file is HAND-BUILT by :func:`alfred_csv` in ALFRED's documented "all vintages" layout
(https://alfred.stlouisfed.org, Download Data -> all vintages, CSV): ``observation_date`` then one
column ``<SERIES>_<YYYYMMDD>`` per vintage, an empty cell where the vintage does not hold the
observation. The numbers are made up so that every vintage differs from the next: initial claims
(ICSA) for weeks ending on Saturdays, each vintage published on the Thursday after a week, adding
that week's advance figure and revising the week before (as the Department of Labor does).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from hypecheck.cli import main
from hypecheck.known import cut_known
from hypecheck.panel import build_panel
from hypecheck.schema import SeriesData, SeriesMeta

WEEKS = pd.date_range("2025-01-04", "2025-04-19", freq="W-SAT")  # week-ending Saturdays
THURSDAYS = [pd.Timestamp(d) for d in ("2025-04-03", "2025-04-10", "2025-04-17", "2025-04-24")]
AS_OF = pd.Timestamp("2025-04-15")  # between the vintages of 2025-04-10 and 2025-04-17


def advance(week: pd.Timestamp) -> float:
    """The first published figure of a week (made up): 220,000 plus 1,000 a week."""
    return 220_000.0 + 1_000.0 * float(WEEKS.get_loc(week))


REVISION = 2_500.0  # the next vintage revises the week before up by this much


def vintage_frame(vintages: list[pd.Timestamp]) -> pd.DataFrame:
    """Observation dates x vintage dates: a vintage published on Thursday T holds every week ending on
    or before the Saturday five days before T (its advance figure) and the week before it revised."""
    out = pd.DataFrame(np.nan, index=WEEKS, columns=pd.DatetimeIndex(vintages))
    for v in vintages:
        newest = v - pd.Timedelta(days=5)
        for w in (w for w in WEEKS if w <= newest):
            out.loc[w, v] = advance(w) + (0.0 if w == newest else REVISION)
    return out


def alfred_csv(path: Path, vintages: list[pd.Timestamp]) -> Path:
    frame = vintage_frame(vintages)
    lines = ["observation_date," + ",".join(f"ICSA_{v:%Y%m%d}" for v in frame.columns)]
    for d, row in frame.iterrows():
        cells = ["" if np.isnan(x) else f"{x:.0f}" for x in row.to_numpy()]
        lines.append(f"{d:%Y-%m-%d}," + ",".join(cells))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


THEME = """id = "claims-test"
title = "Initial claims, hand-built vintages"
question = "Are initial jobless claims rising?"
[attention]
terms = ["jobless claims"]
[[macro]]
id = "ICSA"
needs = "flat_or_down"
window = "1M"
"""


def expected_as_of(d: pd.Timestamp) -> pd.Series:
    """Independent: per week, the figure in the last vintage published on or before ``d``."""
    frame = vintage_frame([v for v in THURSDAYS if v <= d])
    return frame.ffill(axis=1).iloc[:, -1].dropna()


def new_cells(vintages: list[pd.Timestamp]) -> int:
    """Cells of the vintage frame that hold a value the vintage before did not (new or revised)."""
    f = vintage_frame(vintages).to_numpy()
    prev = np.column_stack([np.full(len(f), np.nan), f[:, :-1]])
    return int((~np.isnan(f) & ~(f == prev)).sum())


@pytest.fixture
def theme_file(tmp_path: Path) -> Path:
    p = tmp_path / "claims.toml"
    p.write_text(THEME)
    return p


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    alfred_csv(d / "fred" / "ICSA_vintages.csv", THURSDAYS[:3])
    return d


def _used(result: dict[str, object]) -> dict[str, object]:
    """What the check says it used of ICSA: its provenance without the file's own description (origin
    and the reader's notes describe the whole file), with the panel's note on the cut."""
    prov = [p for p in result["provenance"] if p["id"] == "ICSA"]  # type: ignore[union-attr,index]
    assert len(prov) == 1, result["provenance"]
    out = {k: v for k, v in prov[0].items() if k not in ("origin", "notes", "source")}
    out["cut"] = [n for n in prov[0]["notes"] if n.startswith("values as published")]
    assert len(out["cut"]) == 1
    return out


def _measured(result: dict[str, object]) -> dict[str, object]:
    """The catalysts pillar's evidence on ICSA: the level and 1-month change the check measured."""
    ev = [e for e in result["evidence"] if e["id"] == "macro:ICSA"]  # type: ignore[union-attr,index]
    assert len(ev) == 1, result["evidence"]
    return {k: ev[0][k] for k in ("value", "detail", "leaning", "finding")}


def expected_measure(d: pd.Timestamp) -> tuple[float, float]:
    """Independent: (level, change over one month) of ICSA as known on ``d``: the last value, minus the
    last value on or before the same day a month earlier."""
    s = expected_as_of(d)
    s = s.loc[s.index <= d]
    before = s.loc[s.index <= d - pd.DateOffset(months=1)]
    return float(s.iloc[-1]), float(s.iloc[-1] - before.iloc[-1])


# ------------------------------------------------------------------ the panel, SeriesData built directly
def test_panel_uses_the_latest_vintage_known_on_the_as_of_date() -> None:
    frame = vintage_frame(THURSDAYS)
    s = SeriesData.from_vintages(SeriesMeta("ICSA", "macro", "files", "hand-built", frequency="W"), frame)
    assert s.values.loc[pd.Timestamp("2025-04-12")] == advance(pd.Timestamp("2025-04-12")) + REVISION
    cut, note = cut_known(s, AS_OF)
    want = expected_as_of(AS_OF)
    pd.testing.assert_series_equal(cut.values, want, check_names=False, check_freq=False)
    # the week ending 2025-04-12 was published on 2025-04-17: not used; the week before is the advance
    # figure of 2025-04-10, the one before that revised in that vintage
    assert cut.values.index[-1] == pd.Timestamp("2025-04-05")
    assert cut.values.iloc[-1] == advance(pd.Timestamp("2025-04-05"))
    assert cut.values.loc[pd.Timestamp("2025-03-29")] == advance(pd.Timestamp("2025-03-29")) + REVISION
    assert (
        note
        == "values as published in the vintage of 2025-04-10, the latest on or before 2025-04-15 (2 vintages known then)"
    )
    # the cut keeps the vintages it used, and only those
    assert cut.vintages is not None and list(cut.vintages.columns) == THURSDAYS[:2]
    # on a vintage's own day it is known; before the first vintage nothing is
    assert cut_known(s, pd.Timestamp("2025-04-17"))[0].values.index[-1] == pd.Timestamp("2025-04-12")
    assert cut_known(s, pd.Timestamp("2025-04-02"))[0].values.empty


def test_vintages_override_the_publication_lag_and_a_theme_lag_overrides_the_table() -> None:
    """With vintages the vintage dates decide (no lag on top); without, the documented lag or the
    theme's [release] lag."""
    latest = expected_as_of(THURSDAYS[-1])
    plain = SeriesData(SeriesMeta("ICSA", "macro", "files", "hand-built", frequency="W"), latest)
    # documented lag 5 days: the week ending 04-12 is known on 04-17, not on 04-15
    assert cut_known(plain, AS_OF)[0].values.index[-1] == pd.Timestamp("2025-04-05")
    # a theme lag of 0 days uses it on its stamp; 12 days holds back 04-05 too (known 04-17)
    assert cut_known(plain, AS_OF, lag=0)[0].values.index[-1] == pd.Timestamp("2025-04-12")
    assert cut_known(plain, AS_OF, lag=12)[0].values.index[-1] == pd.Timestamp("2025-03-29")


def test_theme_release_table_reaches_the_panel(theme_file: Path, data_dir: Path) -> None:
    """``Theme.release_lags`` (the theme's [release] table) is read by the panel for series without
    vintages (set on the loaded theme here, so the test does not depend on the TOML parser)."""
    import hypecheck
    from hypecheck.api import load_catalog

    latest = expected_as_of(THURSDAYS[-1])
    plain_dir = data_dir.parent / "plain"
    plain_dir.mkdir()
    (plain_dir / "ICSA.csv").write_text(
        "observation_date,ICSA\n" + "".join(f"{d:%Y-%m-%d},{v:.0f}\n" for d, v in latest.items())
    )
    th = hypecheck.load_theme(theme_file)
    cat = load_catalog(plain_dir, refresh=True)
    assert cat.get("macro", "ICSA").vintages is None
    assert build_panel(th, cat, AS_OF, "files").macro["ICSA"].end == pd.Timestamp("2025-04-05")
    object.__setattr__(th, "release_lags", {"icsa": 0})
    assert build_panel(th, cat, AS_OF, "files").macro["ICSA"].end == pd.Timestamp("2025-04-12")


# ------------------------------------------------------------------ check --data
def test_check_data_between_two_vintages_uses_the_earlier(theme_file: Path, data_dir: Path) -> None:
    import hypecheck
    from hypecheck.api import load_catalog

    cat = load_catalog(data_dir, refresh=True)
    stored = cat.get("macro", "ICSA")
    assert stored.vintages is not None and list(stored.vintages.columns) == THURSDAYS[:3]
    panel = build_panel(hypecheck.load_theme(theme_file), cat, AS_OF, "files")
    pd.testing.assert_series_equal(
        panel.macro["ICSA"].values, expected_as_of(AS_OF), check_names=False, check_freq=False
    )
    r = CliRunner().invoke(
        main,
        [
            "check",
            str(theme_file),
            "--data",
            str(data_dir),
            "--as-of",
            "2025-04-15",
            "--json",
            "--no-calibration",
        ],
    )
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    used = _used(res)
    assert used["last"] == "2025-04-05" and "vintage of 2025-04-10" in used["cut"][0]  # type: ignore[arg-type]
    level, change = expected_measure(AS_OF)
    assert (level, change) == (233_000.0, 500.0)  # the advance figure of 04-05 minus the revised 03-15
    measured = _measured(res)
    assert measured["value"] == change and f"{level:.2f} on 2025-04-05" in str(measured["detail"])


def test_a_later_vintage_does_not_change_an_earlier_check(
    theme_file: Path, data_dir: Path, tmp_path: Path
) -> None:
    """Invariant: appending the vintages of 2025-04-24 (which revise the week ending 2025-04-12 and add
    the next) changes nothing in a check as of 2025-04-15."""

    def run(folder: Path) -> dict[str, object]:
        r = CliRunner().invoke(
            main,
            [
                "check",
                str(theme_file),
                "--data",
                str(folder),
                "--as-of",
                "2025-04-15",
                "--json",
                "--no-calibration",
            ],
        )
        assert r.exit_code == 0, r.output
        out = json.loads(r.stdout)
        return {k: v for k, v in out.items() if k not in ("elapsed_s", "data", "generated_at", "timing")}

    before = run(data_dir)
    later = tmp_path / "later"
    alfred_csv(later / "fred" / "ICSA_vintages.csv", THURSDAYS)
    after = run(later)
    assert _used(after) == _used(before)
    assert _measured(after) == _measured(before)
    assert json.dumps(after["pillars"], sort_keys=True) == json.dumps(before["pillars"], sort_keys=True)
    assert after.get("verdict") == before.get("verdict")


# ------------------------------------------------------------------ import + check --live --as-of
def _live(monkeypatch: pytest.MonkeyPatch, theme_file: Path, store: Path, as_of: str) -> dict[str, object]:
    import hypecheck.fetch

    monkeypatch.setattr(hypecheck.fetch, "fetch_theme", lambda *a, **k: [])  # no network in tests
    r = CliRunner().invoke(
        main,
        [
            "check",
            str(theme_file),
            "--live",
            "--store",
            str(store),
            "--as-of",
            as_of,
            "--json",
            "--no-calibration",
        ],
    )
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_import_then_check_live_as_of_uses_the_vintage_known_then(
    monkeypatch: pytest.MonkeyPatch, theme_file: Path, data_dir: Path, tmp_path: Path
) -> None:
    from hypecheck.store import Store

    store = tmp_path / "s.duckdb"
    r = CliRunner().invoke(main, ["import", str(data_dir), "--store", str(store)])
    assert r.exit_code == 0, r.output
    assert "1 of them with vintages" in r.output
    st = Store(store)
    # every vintage its own rows, a value equal to the one its vintage's predecessor held not repeated
    assert st.counts()["observations"] == new_cells(THURSDAYS[:3]) == 13 + 2 + 2
    known = st.read("macro", "ICSA", known_at="2025-04-15")
    assert list(known.index) == list(expected_as_of(AS_OF).index)
    assert known.tolist() == expected_as_of(AS_OF).tolist()
    cat = st.catalog(known_at=AS_OF, ids=[("macro", "icsa")])
    got = cat.get("macro", "ICSA")
    assert got.vintages is not None and list(got.vintages.columns) == THURSDAYS[:2]

    res = _live(monkeypatch, theme_file, store, "2025-04-15")
    used = _used(res)
    assert used["last"] == "2025-04-05" and "vintage of 2025-04-10" in used["cut"][0]  # type: ignore[arg-type]
    on_files = CliRunner().invoke(
        main,
        [
            "check",
            str(theme_file),
            "--data",
            str(data_dir),
            "--as-of",
            "2025-04-15",
            "--json",
            "--no-calibration",
        ],
    )
    assert _measured(res) == _measured(json.loads(on_files.stdout))
    assert _measured(res)["value"] == expected_measure(AS_OF)[1]

    # importing the later vintages does not change the past check
    later = tmp_path / "later"
    alfred_csv(later / "fred" / "ICSA_vintages.csv", THURSDAYS)
    assert CliRunner().invoke(main, ["import", str(later), "--store", str(store)]).exit_code == 0
    assert st.counts()["observations"] == new_cells(THURSDAYS) == 13 + 2 + 2 + 2
    again = _live(monkeypatch, theme_file, store, "2025-04-15")
    assert _used(again) == used
    assert _measured(again) == _measured(res)
    assert json.dumps(again["pillars"], sort_keys=True) == json.dumps(res["pillars"], sort_keys=True)
    # and a check as of the last vintage sees it, with the revision of the week ending 04-12
    last = _live(monkeypatch, theme_file, store, "2025-04-24")
    assert _used(last)["last"] == "2025-04-19"
    assert _measured(last)["value"] == expected_measure(THURSDAYS[-1])[1]
