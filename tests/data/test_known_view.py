"""The one date cut (:class:`hypecheck.known.KnownView`), tested by cutting the *input files*.

A folder of hand-built files (closes, two overlapping daily FRED files, two plain monthly UNRATE
files beside an ALFRED all-vintages file, an unlisted monthly series, two overlapping Trends windows
of one term) is written twice: whole, and as it would have been on a date D (every file's rows up to
D; the ALFRED file's vintages up to D, with the observations no such vintage holds left out). What
the check's panel and the lab's context know on dates up to D must be the same from both folders:
a later file, row, vintage or Trends window never changes a value known earlier. The cut is done on
the files, before any merging, so a leak through a merge (vintages dropped, windows re-stitched) or
through a revision shows here. Everything is hand-built (seeded random walks), nothing downloaded.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hypecheck.api import load_catalog
from hypecheck.known import KnownView, parse_as_of
from hypecheck.lab import features as F
from hypecheck.lab.history import Universe, build_context
from hypecheck.panel import build_panel
from hypecheck.theme import parse_theme

DAYS = pd.bdate_range("2016-01-01", "2025-06-30")
MONTHS = pd.date_range("2016-01-01", "2025-05-01", freq="MS")
CUTS = [
    pd.Timestamp("2021-04-14"),
    pd.Timestamp("2022-03-09"),
    pd.Timestamp("2024-06-19"),
]  # 1st: in the overlap of the Trends windows


def _first_release(month: pd.Timestamp) -> pd.Timestamp:
    """ALFRED-like first release of a monthly value: 5 days after its month ends (UNRATE's documented
    lag is 7, so the plain files never date a value earlier than the vintages do)."""
    return month + pd.offsets.MonthEnd(0) + pd.Timedelta(days=5)


def _files() -> dict[str, pd.DataFrame]:
    """Every input file as a frame (first column the dates), keyed by its path in the folder."""
    rng = np.random.default_rng(22)
    out: dict[str, pd.DataFrame] = {}
    for t in ("SPY", "RSP", "XLK", "XLF", "XLE"):
        close = 100 * np.exp(np.cumsum(rng.normal(0.0003, 0.011, len(DAYS))))
        out[f"prices/etf/{t}.csv"] = pd.DataFrame({"Date": DAYS, "Close": close.round(4)})
    dgs2 = (1.5 + np.cumsum(rng.normal(0, 0.03, len(DAYS)))).round(2)
    out["macro/fa/DGS2.csv"] = pd.DataFrame({"date": DAYS[:1500], "DGS2": dgs2[:1500]})
    out["macro/fb/DGS2.csv"] = pd.DataFrame({"date": DAYS[1200:], "DGS2": dgs2[1200:]})
    first = (5 + np.cumsum(rng.normal(0, 0.1, len(MONTHS)))).round(1)
    revised = (first + rng.choice([-0.1, 0.0, 0.1], len(MONTHS))).round(1)  # what a plain CSV holds
    out["macro/fa/UNRATE.csv"] = pd.DataFrame({"date": MONTHS, "UNRATE": revised})
    out["macro/fb/UNRATE.csv"] = pd.DataFrame({"date": MONTHS[24:], "UNRATE": revised[24:]})
    # ALFRED: from 2019, each month first released 5 days after it ends, revised with the next release
    held = MONTHS[MONTHS >= "2019-01-01"]
    vint = [_first_release(m) for m in held]
    frame = pd.DataFrame(index=held, columns=[f"UNRATE_{v:%Y%m%d}" for v in vint], dtype="float64")
    pos = {m: i for i, m in enumerate(MONTHS)}
    for j, _ in enumerate(vint):
        for i, m in enumerate(held[: j + 1]):
            frame.iloc[i, j] = first[pos[m]] if i == j else revised[pos[m]]
    out["macro/UNRATE_alfred.csv"] = frame.rename_axis("observation_date").reset_index()
    house = (200 + np.cumsum(rng.normal(0.5, 1, len(MONTHS)))).round(2)  # no documented lag
    out["macro/fa/MYHOUSE.csv"] = pd.DataFrame({"date": MONTHS, "MYHOUSE": house})
    level = 50 + 15 * np.sin(np.arange(len(MONTHS)) / 7)
    for name, lo, hi in (("w1", "2016-01-01", "2021-12-01"), ("w2", "2020-01-01", "2025-05-01")):
        sel = MONTHS.to_series().between(lo, hi).to_numpy()
        pulled = level[sel] + rng.normal(0, 4, int(sel.sum()))  # each window its own sampling noise
        v = np.round(100 * pulled / pulled.max())
        out[f"trends/{name}/stock market.csv"] = pd.DataFrame({"date": MONTHS[sel], "stock market": v})
    return out


def _write(folder: Path, files: dict[str, pd.DataFrame], cut: pd.Timestamp | None) -> Path:
    """The files under ``folder``; with ``cut``, each as it was on that date (see the module)."""
    for rel, df in files.items():
        if cut is not None:
            df = df.loc[pd.DatetimeIndex(df.iloc[:, 0]) <= cut]
            if rel.endswith("_alfred.csv"):
                keep = [c for c in df.columns[1:] if pd.Timestamp(c.rsplit("_", 1)[1]) <= cut]
                df = df[[df.columns[0], *keep]].dropna(how="all", subset=keep)
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        out = df.copy()
        out[out.columns[0]] = pd.DatetimeIndex(out.iloc[:, 0]).strftime("%Y-%m-%d")
        out.to_csv(path, index=False, na_rep="")
    return folder


THEME = parse_theme(
    tomllib.loads(
        """id = "probe"
title = "Probe"
question = "?"
[attention]
terms = ["stock market"]
[[price.pairs]]
leader = "RSP"
laggard = "SPY"
[[macro]]
id = "UNRATE"
needs = "flat_or_down"
label = "unemployment"
window = "3M"
[[macro]]
id = "DGS2"
needs = "flat_or_down"
label = "2y"
window = "3M"
[[macro]]
id = "MYHOUSE"
needs = "flat_or_down"
label = "house prices"
window = "3M"
"""
    )
)

UNIVERSE = Universe(
    name="probe",
    version="1",
    description="",
    freq=F.DAILY,
    pairs=(("XLK", "XLF", "sectors"),),
    terms={"market": "stock market"},
    market={"benchmark": "SPY", "equal_weight": "RSP", "sectors": ["XLK", "XLF", "XLE"]},
    macro={"rate_2y": "DGS2", "curve": "UNRATE", "credit": "MYHOUSE"},
)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    files = _files()
    root = tmp_path_factory.mktemp("known")
    out = {"full": _write(root / "full", files, None)}
    for d in CUTS:
        out[str(d.date())] = _write(root / f"cut-{d.date()}", files, d)
    return out


@pytest.mark.parametrize("cut", CUTS, ids=lambda d: str(d.date()))
def test_the_panel_from_files_cut_at_a_date_equals_the_panel_from_the_whole_files(
    folders: dict[str, Path], cut: pd.Timestamp
) -> None:
    full, part = load_catalog(folders["full"]), load_catalog(folders[str(cut.date())])
    assert full.get("macro", "UNRATE").vintages is not None  # the ALFRED file's vintages kept in the merge
    assert len(full.inputs("search", "stock market", "M")) == 2
    for d in (cut - pd.Timedelta(days=40), cut - pd.Timedelta(days=3), cut):
        a, b = build_panel(THEME, full, d, "files"), build_panel(THEME, part, d, "files")
        assert a.missing == b.missing
        assert set(a.macro) == set(b.macro) == {"UNRATE", "DGS2", "MYHOUSE"}
        for k in a.macro:
            pd.testing.assert_series_equal(a.macro[k].values, b.macro[k].values, check_exact=True)
        for t in ("SPY", "RSP"):
            pd.testing.assert_series_equal(a.prices[t].values, b.prices[t].values, check_exact=True)
        (sa,), (sb,) = a.search["stock market"], b.search["stock market"]
        pd.testing.assert_series_equal(sa.values, sb.values, check_exact=True)
        # the rule notes say only what was known then (the catalog's merge notes describe the files)
        notes = [{p.id: p.notes[-1] for p in x.provenance if p.notes} for x in (a, b)]
        assert notes[0]["MYHOUSE"] == notes[1]["MYHOUSE"] and "assumed lag 60 days" in notes[0]["MYHOUSE"]
        # by hand: the last UNRATE value known is the latest vintage's newest month, released 5 days
        # after that month ended
        last = a.macro["UNRATE"].values.index[-1]
        assert _first_release(last) <= d < _first_release(last + pd.offsets.MonthBegin(1))


@pytest.mark.parametrize("cut", CUTS, ids=lambda d: str(d.date()))
def test_the_lab_context_from_files_cut_at_a_date_equals_the_context_from_the_whole_files(
    folders: dict[str, Path], cut: pd.Timestamp
) -> None:
    full, part = load_catalog(folders["full"]), load_catalog(folders[str(cut.date())])
    cf, cp = build_context(full, UNIVERSE), build_context(part, UNIVERSE)
    want = {"participation", "market_12m", "ew_market", "rate_change", "curve", "credit_change"}
    assert want | {"attention_market"} == set(cf.series) == set(cp.series)
    for k, s in cf.series.items():
        pd.testing.assert_series_equal(s.loc[:cut], cp.series[k].loc[:cut], check_exact=True, obj=k)
    days = DAYS[: DAYS.searchsorted(cut, side="right")]
    on_full, on_cut = cf.on(days), cp.on(days)
    pd.testing.assert_frame_equal(on_full, on_cut, check_exact=True)
    assert on_cut.iloc[-1].notna().all()  # every context value current on the cut date
    # the context and the panel read one rule: UNRATE on the cut date as the panel has it
    panel = build_panel(THEME, full, cut, "files")
    assert on_full["curve"].iloc[-1] == panel.macro["UNRATE"].values.iloc[-1]


def test_trends_windows_are_re_merged_as_known_on_each_date(folders: dict[str, Path]) -> None:
    """The lab's ASVI of a term merged from two windows: on each date, the ASVI of the windows as
    known then (re-merged from the inputs cut at that date), not of the whole-sample stitch."""
    from hypecheck.known import known_dates

    cat = load_catalog(folders["full"])
    am = build_context(cat, UNIVERSE).series["attention_market"]
    sd = cat.get("search", "stock market")
    for d in pd.DatetimeIndex(["2020-06-30", "2021-03-31", "2023-01-31"]):
        cut = KnownView(cat, d).read("search", "stock market")[0].data.values
        want = F.known_asvi(cut, known_dates(sd.meta, pd.DatetimeIndex(cut.index)))
        assert am.loc[d] == pytest.approx(float(want.loc[d]), abs=1e-12)
    # the whole-sample stitch differs inside the overlap: re-merging matters on this data
    whole = F.known_asvi(sd.values, known_dates(sd.meta, pd.DatetimeIndex(sd.values.index)))
    assert not np.allclose(whole.loc["2020-01-31":"2020-08-31"], am.loc["2020-01-31":"2020-08-31"])


def test_one_as_of_parser() -> None:
    from hypecheck.errors import InputError

    assert parse_as_of(" 2025-11-07 ") == pd.Timestamp("2025-11-07")
    assert parse_as_of(None) is None
    assert parse_as_of(pd.Timestamp("2025-11-07 15:30")) == pd.Timestamp("2025-11-07")
    with pytest.raises(InputError, match="--since '11/07/2025' is not an ISO date"):
        parse_as_of("11/07/2025", "--since")
    with pytest.raises(InputError, match="is not a date"):
        parse_as_of("2025-13-45")
    import hypecheck.api as api

    assert api._parse_as_of is parse_as_of


@pytest.mark.parametrize("day", ["2020-03-31", "2020-06-30"])
def test_the_scans_leader_attention_from_files_cut_at_a_date_is_the_same(
    folders: dict[str, Path], tmp_path: Path, day: str
) -> None:
    """The scan's attention line for a leader (its term's ASVI on the scan date) reads the Trends
    windows as the check's panel does: from the whole files and from the files as they were on the
    date, the same finding. Early in the windows' overlap the whole-sample stitch moves the ASVI
    (see the test above), so cutting the merged series instead of its windows fails here."""
    import dataclasses

    from hypecheck.scan.core import leader_attention

    cut = pd.Timestamp(day)
    u = dataclasses.replace(UNIVERSE, terms={"XLK": "stock market"})
    full = load_catalog(folders["full"])
    part = load_catalog(_write(tmp_path / "cut", _files(), cut))
    got = leader_attention(full, u, "XLK", cut)
    assert got is not None and got["attention"] == "search"
    assert got == leader_attention(part, u, "XLK", cut)
