"""The catalysts pillar says where a value rests on an *assumed* release lag, and reads the panel's
cut without cutting again.

A macro series with no documented publication lag (:data:`hypecheck.release.LAGS`) and no entry in
the theme's ``[release]`` table is cut with a conservative assumed lag (60 days after the month for a
monthly series); the finding and detail of its catalyst say so where the number is. A documented
series' finding is left as it was."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hypecheck
from hypecheck.panel import build_panel
from hypecheck.pillars._common import assumed_lag
from hypecheck.pillars.catalysts import level_change

AS_OF = "2024-06-14"


def _data(tmp_path: Path) -> Path:
    """A data folder: two daily price series and two monthly FRED downloads (``observation_date,ID``),
    UNRATE (documented lag: 7 days) and MYSERIES (listed nowhere: assumed lag)."""
    root = tmp_path / "data"
    (root / "prices" / "etf_daily").mkdir(parents=True)
    (root / "macro" / "fred").mkdir(parents=True)
    days = pd.bdate_range("2019-01-02", "2024-06-28")
    for name, base in (("AAA", 100.0), ("BBB", 50.0)):
        closes = base + 0.05 * np.arange(len(days))
        pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Close": closes}).to_csv(
            root / "prices" / "etf_daily" / f"{name}.csv", index=False
        )
    months = pd.date_range("2019-01-01", "2024-05-01", freq="MS")
    for sid, start in (("UNRATE", 3.5), ("MYSERIES", 200.0)):
        values = start + 0.1 * np.arange(len(months))
        pd.DataFrame({"observation_date": months.strftime("%Y-%m-%d"), sid: values.round(2)}).to_csv(
            root / "macro" / "fred" / f"{sid}.csv", index=False
        )
    return root


THEME = """id = "lagwords"
title = "t"
question = "q?"

[[price.pairs]]
leader = "AAA"
laggard = "BBB"

[[macro]]
id = "UNRATE"
needs = "down"
label = "Unemployment rate"

[[macro]]
id = "MYSERIES"
needs = "up"
label = "My series"
"""


def _evidence(theme: Path, data: Path) -> dict[str, dict[str, object]]:
    d = hypecheck.check(theme, data=data, as_of=AS_OF, calibrate=False).to_dict()
    return {e["id"]: e for e in d["evidence"]}


def test_assumed_lag_is_said_in_the_finding_and_detail(tmp_path: Path) -> None:
    data = _data(tmp_path)
    theme = tmp_path / "lagwords.toml"
    theme.write_text(THEME, "utf-8")
    ev = _evidence(theme, data)
    mine, unrate = ev["macro:MYSERIES"], ev["macro:UNRATE"]
    said = "published date assumed: 60 days after the month, no documented release lag"
    # March is the last month known on 14 June: 31 March + 60 days = 30 May; April would be 29 June
    assert "on 2024-03-01" in str(mine["finding"])
    assert said in str(mine["finding"]) and "set MYSERIES = <days> in the theme's [release] table" in str(
        mine["finding"]
    )
    assert said in str(mine["detail"])
    # the documented series: May is known on 7 June (UNRATE: 7 days), and nothing is said of a lag
    assert unrate["finding"] == (
        "Unemployment rate (UNRATE) rose 0.30 pp over 3 months, to 9.90% on 2024-05-01 "
        "(over 3 monthly observations, from the one dated 2024-02-01); the narrative needs falling "
        "(against the narrative)"
    )
    assert unrate["detail"] == "9.90 on 2024-05-01, +0.30 since 2024-02-01"
    assert "assumed" not in str(unrate["finding"]) + str(unrate["detail"])


def test_a_release_entry_makes_the_lag_documented_and_the_words_go(tmp_path: Path) -> None:
    data = _data(tmp_path)
    theme = tmp_path / "lagwords.toml"
    theme.write_text(THEME + "\n[release]\nMYSERIES = 30\n", "utf-8")
    mine = _evidence(theme, data)["macro:MYSERIES"]
    # 30 April + 30 days = 30 May <= 14 June: April is known, and the lag is the theme's, not assumed
    assert "on 2024-04-01" in str(mine["finding"])
    assert "assumed" not in str(mine["finding"]) + str(mine["detail"])


def test_the_words_follow_the_cut_note_of_the_panel(tmp_path: Path) -> None:
    """assumed_lag reads what the panel's cut said (its provenance note), nothing of its own."""
    data = _data(tmp_path)
    theme = tmp_path / "lagwords.toml"
    theme.write_text(THEME, "utf-8")
    panel = build_panel(hypecheck.load_theme(theme), hypecheck.load_catalog(data), AS_OF, "test")
    notes = {p.id: " ".join(p.notes) for p in panel.provenance if p.kind == "macro"}
    assert "assumed lag 60 days" in notes["MYSERIES"] and "assumed lag" not in notes["UNRATE"]
    assert assumed_lag(panel, "MYSERIES") == 60
    assert assumed_lag(panel, "UNRATE") is None
    assert assumed_lag(panel, "NOT-THERE") is None


def test_bundled_quarterly_series_with_assumed_lag_says_so() -> None:
    """The bundled recession-scare theme reads T10Y3M from a quarterly T-bill series listed nowhere
    (assumed 90 days); its monthly credit spread has a documented lag."""
    d = hypecheck.check("recession-scare", calibrate=False).to_dict()
    ev = {e["id"]: e for e in d["evidence"]}
    t = ev["macro:T10Y3M"]
    said = "published date assumed: 90 days after the quarter, no documented release lag"
    assert said in t["finding"] and said in t["detail"]
    assert "T10Y3M = <days>" in t["finding"]
    prov = next(p for p in d["provenance"] if p["id"] == "T10Y3M")
    assert any("assumed lag 90 days" in n for n in prov["notes"])
    credit = ev["macro:BAMLH0A0HYM2"]
    assert "assumed" not in credit["finding"] + credit["detail"]


THEMES = ("small-cap-rotation", "recession-scare", "equal-weight-breadth", "value-vs-growth")


def _macro_already_cut(catalog: hypecheck.schema.Catalog, as_of: str | None) -> int:
    """Every built-in theme's panel on ``catalog``: its macro series hold nothing after the as-of
    date, so cutting again (what level_change did before) changes nothing. The count checked."""
    n = 0
    for name in THEMES:
        theme = hypecheck.load_theme(name)
        when = as_of or hypecheck.check(name, catalog=catalog, calibrate=False).to_dict()["as_of"]
        panel = build_panel(theme, catalog, when, catalog.source)
        for m in theme.macro:
            s = panel.macro_series(m.id)
            if s is None:
                continue
            pd.testing.assert_series_equal(s, s.loc[s.index <= panel.as_of])
            level_change(s, panel.as_of, m.window)  # no error: nothing after the as-of date
            n += 1
    return n


def test_bundled_panel_macro_series_are_already_cut() -> None:
    assert _macro_already_cut(hypecheck.load_catalog(None), None) >= 4


def test_shared_panel_macro_series_are_already_cut(shared_data: Path) -> None:
    assert _macro_already_cut(hypecheck.load_catalog(shared_data), "2026-01-16") >= 10


def test_level_change_refuses_a_series_running_past_the_as_of() -> None:
    idx = pd.date_range("2024-01-01", "2024-12-01", freq="MS")
    s = pd.Series(np.arange(len(idx), dtype=float), index=idx)
    with pytest.raises(ValueError, match="as known on 2024-06-30"):
        level_change(s, pd.Timestamp("2024-06-30"), "3M")
    level, change, start, end = level_change(s.loc[:"2024-06-01"], pd.Timestamp("2024-06-30"), "3M")
    assert (level, change, start, end) == (5.0, 3.0, pd.Timestamp("2024-03-01"), pd.Timestamp("2024-06-01"))


FUNDAMENTALS = """
[[fundamentals]]
id = "MYSERIES"
label = "My earnings"
measure = "growth"
needs = "up"
window = "12M"
lag_months = {months}
"""


@pytest.mark.parametrize(
    ("months", "said"),
    [
        (0, "(published date assumed: 60 days after the month, no documented release lag; set MYSERIES"),
        (
            1,
            "(known with a 1-month publication lag and the data's release date assumed 60 days after the month",
        ),
        (
            2,
            "(known with a 2-month publication lag and the data's release date assumed 60 days after the month",
        ),
        (3, "(known with a 3-month publication lag)"),
    ],
)
def test_fundamentals_say_the_assumed_release_lag_when_it_can_bind(
    tmp_path: Path, months: int, said: str
) -> None:
    """A [[fundamentals]] series with no documented release lag: the panel's cut assumes 60 days after
    the month and the theme's ``lag_months`` applies on top. The detail names the assumed lag whenever
    it can keep out a value the months would let in (60 > 28 days a month), and stays as before when
    the months are always the later (3 months: at least 89 days)."""
    data = _data(tmp_path)
    theme = tmp_path / "lagwords.toml"
    theme.write_text(THEME + FUNDAMENTALS.format(months=months), "utf-8")
    e = _evidence(theme, data)["fundamental:MYSERIES:growth"]
    assert said in str(e["detail"])
    if months == 3:
        assert "assumed" not in str(e["detail"])
    # the value used is the later of the two rules: 60 days keep April out on 14 June (29 June), and
    # 3 months keep out March too (30 June); 1 or 2 months alone would let April (or May) in
    last = "2024-02" if months == 3 else "2024-03"
    assert f"for {last}" in str(e["detail"])
