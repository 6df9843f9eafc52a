"""The date rules (issue 22's red-team breaks B2-B4): vintages kept through merges, assumed lags for
unlisted series, staleness from publication, and windows over observation periods."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hypecheck.known import cut_known, published_on
from hypecheck.panel import build_panel
from hypecheck.schema import SeriesData, SeriesMeta, merge_inputs
from hypecheck.theme import parse_theme

ALFRED = """observation_date,UNRATE_20251003,UNRATE_20251107,UNRATE_20251205
2025-08-01,4.3,4.3,4.3
2025-09-01,,4.4,4.4
2025-10-01,,4.5,4.2
"""  # hand-built in ALFRED's all-vintages layout: October first released at 4.5, revised to 4.2


def _theme(macro: str) -> object:
    import tomllib

    return parse_theme(
        tomllib.loads(
            f"""id = "probe"
title = "Probe"
question = "?"
[attention]
terms = ["probe"]
[[macro]]
id = "{macro}"
needs = "flat_or_down"
label = "probe"
window = "3M"
"""
        )
    )


def _meta(id: str, **kw: object) -> SeriesMeta:
    return SeriesMeta(
        id=id, kind="macro", source="test", origin=str(kw.pop("origin", "hand-built")), frequency="M", **kw
    )  # type: ignore[arg-type]


def test_vintages_survive_a_merge_with_a_plain_csv_by_hand() -> None:
    idx = pd.DatetimeIndex(["2025-07-01", "2025-08-01", "2025-09-01", "2025-10-01"])
    plain = SeriesData(_meta("UNRATE", origin="plain.csv"), pd.Series([4.2, 4.3, 4.4, 4.2], index=idx))
    frame = pd.DataFrame(
        {pd.Timestamp("2025-11-07"): [4.3, 4.4, 4.5], pd.Timestamp("2025-12-05"): [4.3, 4.4, 4.2]},
        index=idx[1:],
    )
    alfred = SeriesData.from_vintages(_meta("UNRATE", origin="alfred.csv"), frame)
    for order in ([plain, alfred], [alfred, plain]):
        m = merge_inputs(order)
        assert m.vintages is not None
        cut, _ = cut_known(m, pd.Timestamp("2025-11-07"))
        assert cut.values.loc["2025-10-01"] == 4.5  # the first release, not the later revision
        later, _ = cut_known(m, pd.Timestamp("2025-12-05"))
        assert later.values.loc["2025-10-01"] == 4.2
        # July is the plain file's only: published at its month's end plus UNRATE's 7-day lag
        assert published_on(m, pd.Timestamp("2025-07-01")) == pd.Timestamp("2025-08-07")
        assert "2025-07-01" not in cut_known(m, pd.Timestamp("2025-08-06"))[0].values.index.strftime(
            "%Y-%m-%d"
        )


@pytest.mark.shared
def test_alfred_file_beside_the_shared_unrate_csvs(shared_data: Path, tmp_path: Path) -> None:
    """The shared data hold three plain UNRATE files; with an ALFRED file beside them the check, the
    lab's context reading and the panel all read October 2025 as first released (4.5) on 2025-11-07."""
    from hypecheck.api import load_catalog
    from hypecheck.lab.history import known_series

    folder = tmp_path / "data" / "macro"
    for sub in ("fred_1980_2025", "fred_download_format", "fred_to_2026"):
        (folder / sub).mkdir(parents=True)
        shutil.copy(shared_data / "macro" / sub / "UNRATE.csv", folder / sub / "UNRATE.csv")
    (folder / "UNRATE_alfred.csv").write_text(ALFRED, "utf-8")
    cat = load_catalog(tmp_path / "data")
    sd = cat.get("macro", "UNRATE")
    assert sd.vintages is not None
    panel = build_panel(_theme("UNRATE"), cat, "2025-11-07", "files")
    s = panel.macro_series("UNRATE")
    assert s is not None and s.index[-1] == pd.Timestamp("2025-10-01") and s.iloc[-1] == 4.5
    ctx = known_series(cat, "macro", "UNRATE")
    assert ctx is not None and ctx.loc[:"2025-11-07"].iloc[-1] == 4.5
    assert ctx.loc[:"2025-12-05"].iloc[-1] == 4.2
    # the lab's context (a universe reading UNRATE as its level feature "curve") and the scan, which
    # reads a narrative's features through the lab (lab.verdict.theme_features with that context)
    from hypecheck.lab import features as F
    from hypecheck.lab.history import History, Universe, build_context
    from hypecheck.lab.verdict import theme_features

    days = pd.bdate_range("2024-01-01", "2025-12-31")
    for t, drift in (("AAA", 0.001), ("BBB", 0.0)):  # hand-built closes for a pair to scan
        meta = SeriesMeta(id=t, kind="price", source="test", origin="hand-built", frequency="D")
        cat.add(SeriesData(meta, pd.Series(100 * np.exp(drift * np.arange(len(days))), index=days)))
    u = Universe("probe", "1", "", F.DAILY, (("AAA", "BBB", "g"),), macro={"curve": "UNRATE"})
    on = build_context(cat, u).on(pd.DatetimeIndex(["2025-11-07", "2025-12-05"]))
    assert on["curve"].tolist() == [4.5, 4.2]
    hist = History("probe", u, pd.DataFrame(columns=["leader", "laggard"]), days[-1], [], "files")
    a, b = cat.get("price", "AAA").values, cat.get("price", "BBB").values
    row = theme_features(a, b, "AAA", "BBB", hist, cat, pd.Timestamp("2025-11-07"), 6)
    assert row["curve"].iloc[0] == 4.5


def test_unlisted_series_gets_an_assumed_lag_and_says_so() -> None:
    idx = pd.date_range("2024-01-01", "2025-03-01", freq="MS")
    s = SeriesData(_meta("MYHOUSEPRICES"), pd.Series(np.arange(len(idx), dtype=float), index=idx))
    cut, note = cut_known(s, pd.Timestamp("2025-03-15"))
    # January's value ends 2025-01-31: assumed published 60 days later, 2025-04-01: not yet
    assert cut.values.index[-1] == pd.Timestamp("2024-12-01")
    assert note is not None and "assumed lag 60 days" in note


def test_staleness_counts_from_publication() -> None:
    """A monthly series published 15 days after its month (CPIAUCSL) whose last known value is 72 days
    old by observation date is 30 days old by publication: used, not 'too stale'."""
    idx = pd.date_range("2023-01-01", "2025-03-01", freq="MS")
    s = SeriesData(_meta("CPIAUCSL"), pd.Series(np.linspace(300, 320, len(idx)), index=idx))
    from hypecheck.schema import Catalog

    cat = Catalog()
    cat.add(s)
    panel = build_panel(_theme("CPIAUCSL"), cat, "2025-04-14", "files")
    got = panel.macro_series("CPIAUCSL")
    assert got is not None and got.index[-1] == pd.Timestamp("2025-02-01")
    assert ("macro", "CPIAUCSL") not in panel.missing


@pytest.mark.shared
def test_cpi_in_the_shared_files_as_of_2025_04_14_is_used(shared_data: Path, tmp_path: Path) -> None:
    """The three shared CPIAUCSL files, as of 2025-04-14: March is not published yet (its month ends
    2025-03-31, plus CPI's 15 days), so February's value (319.679 in fred_to_2026) is the latest,
    published about 2025-03-15: 30 days old by publication, used, not "too stale"."""
    from hypecheck.api import load_catalog

    folder = tmp_path / "data" / "macro"
    for sub in ("fred_1980_2025", "fred_download_format", "fred_to_2026"):
        (folder / sub).mkdir(parents=True)
        shutil.copy(shared_data / "macro" / sub / "CPIAUCSL.csv", folder / sub / "CPIAUCSL.csv")
    panel = build_panel(_theme("CPIAUCSL"), load_catalog(tmp_path / "data"), "2025-04-14", "files")
    assert ("macro", "CPIAUCSL") not in panel.missing
    got = panel.macro_series("CPIAUCSL")
    assert got is not None and got.index[-1] == pd.Timestamp("2025-02-01")
    assert got.iloc[-1] == pytest.approx(319.679, abs=1e-9)


def test_monthly_3m_change_spans_three_observation_periods() -> None:
    """A monthly probe with vintages: the 3M change compares the latest value known on the as-of date
    with the one three observations earlier, and the finding says so."""
    import hypecheck
    from hypecheck.schema import Catalog

    idx = pd.date_range("2024-01-01", "2025-02-01", freq="MS")
    vals = np.arange(len(idx), dtype=float)  # +1 a month
    frame = pd.DataFrame(index=idx)
    for i, d in enumerate(idx):  # each month published on the 10th of the next, never revised
        col = d + pd.offsets.MonthEnd(0) + pd.Timedelta(days=10)
        frame[col] = np.where(np.arange(len(idx)) <= i, vals, np.nan)
    cat = Catalog()
    cat.add(SeriesData.from_vintages(_meta("PROBE"), frame))
    r = hypecheck.check(_theme("PROBE"), catalog=cat, source="files", as_of="2025-02-05", calibrate=False)
    (e,) = [x for x in r.pillars["catalysts"].evidence if x.id == "macro:PROBE"]
    # known on 2025-02-05: December 2024 (published 2025-01-10) is the latest; three earlier: September
    assert e.value == pytest.approx(3.0)
    assert "over 3 monthly observations, from the one dated 2024-09-01" in e.finding
