"""hypecheck scan (issue 16 parts 1-3 and 6): live narratives, stored scans and their changes, a theme
from a row, member universes on the local and Dask engines.

Real-data tests (``shared``) run on ../shared/data; the member-universe tests use synthetic random-walk
closes generated here (for invariants: engines agree, no look-ahead, file layouts agree)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import hostile_scan
from hypecheck.cli import main
from hypecheck.lab.fade import LABELS as FADE_LABELS
from hypecheck.scan import store as scanstore
from hypecheck.scan.core import ScanResult, scan
from hypecheck.schema import Catalog

LABELS = {"real catalyst", "viral sentiment", "mixed", "no skill shown", "insufficient data"}


def _scan_cli(args: list[str]) -> tuple[int, dict]:
    res = CliRunner().invoke(main, ["scan", *args, "--json"])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    return res.exit_code, json.loads(res.stdout)


# ------------------------------------------------------------------------------------------ real data
@pytest.mark.shared
def test_scan_lists_iwm_with_probabilities(shared_data: Path, tmp_path: Path) -> None:
    code, d = _scan_cli(
        ["--data", str(shared_data), "--as-of", "2026-01-16", "--store", str(tmp_path / "s.duckdb")]
    )
    assert code == 0  # first scan: nothing to compare with
    assert d["as_of"] == "2026-01-16"
    keys = {(n["leader"], n["laggard"]) for n in d["narratives"]}
    assert ("IWM", "SPY") in keys or ("IWM", "IWB") in keys
    rec = d["model"]["record"]
    skill = rec["ci_bss_base"][0] > 0 and rec["ci_bss_momentum"][0] > 0
    for n in d["narratives"]:
        lo, hi = n["p_interval"]
        assert 0 < lo <= n["p"] <= hi < 1
        assert n["label"] in LABELS
        assert (n["label"] == "no skill shown") == (not skill)
        assert 1 <= len(n["drivers"]) <= 2
        born = pd.Timestamp(n["born"])
        assert born <= pd.Timestamp("2026-01-16")
        # live: born in the last 12 months, some of the move kept (never a "lead" that was given back)
        assert born >= pd.Timestamp("2025-01-16") and n["fade"]["retained"] > 0
        assert n["fade_label"] in FADE_LABELS and n["headline"].startswith(f"{n['leader']}'s lead over")
        assert n["range"]["lo"] < 0 < n["range"]["hi"] and n["range"]["level"] == 0.8
    assert all("-" in k for k in d["given_back"])
    assert not {(n["leader"], n["laggard"]) for n in d["narratives"]} & {
        tuple(k.split("-")) for k in d["given_back"]
    }
    # ranked by |sharpness|
    s = [abs(n["sharpness"]) for n in d["narratives"]]
    assert s == sorted(s, reverse=True)
    # drivers are the largest contributions, and their sum with the rest is the probability's move
    for n in d["narratives"]:
        c = [abs(x["contribution_p"]) for x in n["drivers"]]
        assert c == sorted(c, reverse=True)


@pytest.mark.shared
def test_scan_measurements_recomputed_from_closes(shared_data: Path) -> None:
    """Sharpness and the 15-day move of IWM over SPY recomputed from the raw closes, cut at the date."""
    from hypecheck.api import load_catalog

    cat = load_catalog(shared_data)
    res = scan(cat, "2026-01-16")
    n = res.find("IWM", "SPY")
    assert n is not None
    a = cat.get("price", "IWM").values.loc[:"2026-01-16"]
    b = cat.get("price", "SPY").values.loc[:"2026-01-16"]
    df = pd.concat({"a": a, "b": b}, axis=1, join="inner").dropna()
    rs = np.log(df["a"].to_numpy()) - np.log(df["b"].to_numpy())
    d = np.diff(rs)
    noise = np.std(d[-15 - 252 : -15], ddof=1)  # the year of daily moves ending where the move starts
    expect = (rs[-1] - rs[-16]) / (noise * math.sqrt(15))
    assert n.sharpness == pytest.approx(expect, rel=1e-9)
    move = df["a"].iloc[-1] / df["a"].iloc[-16] - df["b"].iloc[-1] / df["b"].iloc[-16]
    assert n.move == pytest.approx(move, rel=1e-12)
    # birth: the first day of the run at >= 2 sd; age counts the trading days since
    idx = pd.DatetimeIndex(df.index)
    assert n.age_days == len(idx) - 1 - idx.get_loc(n.born)


@pytest.mark.shared
def test_theme_from_row_is_accepted_by_check_and_agrees(shared_data: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(
        main,
        [
            "scan",
            "--data",
            str(shared_data),
            "--as-of",
            "2026-01-16",
            "--theme",
            "IWM-SPY",
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 0, res.output
    path = tmp_path / "iwm-over-spy.toml"
    assert path.is_file()
    out = CliRunner().invoke(main, ["check", str(path), "--data", str(shared_data), "--json"])
    assert out.exit_code == 0, out.output
    v = json.loads(out.stdout)
    _, d = _scan_cli(
        ["--data", str(shared_data), "--as-of", "2026-01-16", "--store", str(tmp_path / "s.duckdb")]
    )
    row = next(n for n in d["narratives"] if (n["leader"], n["laggard"]) == ("IWM", "SPY"))
    # the check's panel probability of its first pair is the scan's (same model as of the same date)
    cal = v["calibration"]
    assert cal["pair"] == {"leader": "IWM", "laggard": "SPY"}
    assert cal["probability"] == pytest.approx(row["p"], abs=1e-6)
    assert cal["interval"] == pytest.approx(row["p_interval"], abs=1e-6)
    assert cal["label"] == row["label"]


@pytest.mark.shared
def test_second_scan_reports_consistent_changes(shared_data: Path, tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "s.duckdb")]
    data = ["--data", str(shared_data)]
    c1, first = _scan_cli([*data, "--as-of", "2026-01-16", *store])
    c2, second = _scan_cli([*data, "--as-of", "2026-01-23", *store])
    assert c1 == 0 and "changes" not in first
    ch = second["changes"]
    assert ch["since"] == "2026-01-16" and ch["as_of"] == "2026-01-23" and ch["baseline"] == "stored"
    before = {(n["leader"], n["laggard"]): n for n in first["narratives"]}
    after = {(n["leader"], n["laggard"]): n for n in second["narratives"]}
    pairs = lambda xs: {(x["leader"], x["laggard"]) for x in xs}  # noqa: E731
    flipped = {k for k in after if k not in before and (k[1], k[0]) in before}
    assert pairs(ch["flipped"]) == flipped
    assert pairs(ch["born"]) == set(after) - set(before) - flipped
    assert pairs(ch["faded"]) == {k for k in before if k not in after and (k[1], k[0]) not in after}
    both = set(after) & set(before)
    up = {
        k for k in both if abs(after[k]["sharpness"]) - abs(before[k]["sharpness"]) >= scanstore.STRENGTH_STEP
    }
    assert pairs(ch["strengthened"]) == up
    assert ch["born"], "new narratives were born between the two dates (GLD over TLT on 2026-01-21)"
    # new in the list: born since, or a lead given back by the first date that the leader regained
    regained = set(first["given_back"])
    assert all(
        pd.Timestamp(n["born"]) > pd.Timestamp("2026-01-16") or f"{n['leader']}-{n['laggard']}" in regained
        for n in ch["born"]
        if n["born"]
    )
    expect = 7 if ch["flipped"] or ch["relabelled"] else 6
    assert c2 == expect == ch["exit_code"]
    # rerunning the same date compares with the earlier date again (the stored 01-23 is replaced)
    c3, third = _scan_cli([*data, "--as-of", "2026-01-23", *store])
    assert c3 == c2 and third["changes"] == ch
    # --since with no stored scan on or before the date: computed from the same data
    c4, fourth = _scan_cli(
        [*data, "--as-of", "2026-01-23", "--since", "2026-01-16", "--store", str(tmp_path / "new.duckdb")]
    )
    assert fourth["changes"]["baseline"] == "computed"
    assert {k: v for k, v in fourth["changes"].items() if k != "baseline"} == {
        k: v for k, v in ch.items() if k != "baseline"
    }
    assert c4 == c2


@pytest.mark.shared
def test_read_only_store_scans_without_saving(shared_data: Path, tmp_path: Path) -> None:
    p = tmp_path / "s.duckdb"
    _scan_cli(["--data", str(shared_data), "--as-of", "2026-01-16", "--store", str(p)])
    before = p.read_bytes()
    os.chmod(p, 0o444)
    try:
        code, d = _scan_cli(["--data", str(shared_data), "--as-of", "2026-01-23", "--store", str(p)])
    finally:
        os.chmod(p, 0o644)
    assert "read-only" in d["stored"] and "not saved" in d["stored"]
    assert d["changes"]["since"] == "2026-01-16"  # still compared with what is stored
    assert p.read_bytes() == before
    assert code == d["changes"]["exit_code"]


@pytest.mark.shared
def test_out_writes_escaped_self_contained_page(shared_data: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(
        main,
        [
            "scan",
            "--data",
            str(shared_data),
            "--as-of",
            "2026-01-16",
            "--out",
            str(tmp_path),
            "--store",
            str(tmp_path / "s.duckdb"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "IWM led SPY by" in res.stdout
    page = (tmp_path / "scan.html").read_text()
    d = json.loads((tmp_path / "scan.json").read_text())
    assert len(d["narratives"]) == page.count("<tr><td>")
    assert "http://" not in page and "https://" not in page and "<script" not in page


# ---------------------------------------------------------------------------------------- synthetic
def test_page_escapes_everything(tmp_path: Path) -> None:
    from hypecheck.scan.cmd import write_page

    bad = '<script>alert("x")</script>'
    res = hostile_scan(bad, [{"feature": "mom_1m", "sentence": bad, "contribution_p": 0.01}])
    page = write_page(res, tmp_path).read_text()
    assert "<script" not in page and "&lt;script&gt;" in page and "B&amp;B" in page


def test_compare_hand_built() -> None:
    def n(a: str, b: str, s: float, label: str = "mixed") -> dict:
        return {"leader": a, "laggard": b, "born": "2024-01-02", "sharpness": s, "p": 0.5, "label": label}

    before = {
        "as_of": "2024-01-05",
        "narratives": [n("A", "B", 2.0), n("C", "D", 2.0), n("E", "F", 2.0), n("G", "H", 2.0)],
    }
    after = {
        "as_of": "2024-01-12",
        "narratives": [n("A", "B", 2.6), n("D", "C", 2.2), n("G", "H", 1.9), n("X", "Y", 2.1)],
    }
    ch = scanstore.compare(before, after)
    assert [(x["leader"], x["laggard"]) for x in ch.strengthened] == [("A", "B")]
    assert [(x["leader"], x["laggard"]) for x in ch.flipped] == [("D", "C")]
    assert [(x["leader"], x["laggard"]) for x in ch.faded] == [("E", "F")]
    assert [(x["leader"], x["laggard"]) for x in ch.born] == [("X", "Y")]
    assert not ch.weakened and ch.exit_code == 7  # a flip is the strongest change
    same = scanstore.compare(before, before)
    assert not same.any and same.exit_code == 0
    grown = scanstore.compare(before, {**before, "narratives": before["narratives"] + [n("X", "Y", 2.0)]})
    assert grown.exit_code == 6
    relab = scanstore.compare(before, {**before, "narratives": [n("A", "B", 2.0, "real catalyst")]})
    assert relab.exit_code == 7 and len(relab.relabelled) == 1 and len(relab.faded) == 3


def _members(tmp_path: Path, n: int = 24, seed: int = 7) -> tuple[Path, dict[str, pd.Series]]:
    """Random-walk closes for ``n`` members and SPY, 2012-2019 (synthetic: for invariants only)."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2012-01-02", "2019-12-31")
    mkt = np.cumsum(rng.normal(0.0003, 0.01, len(dates)))
    out = {"SPY": pd.Series(100 * np.exp(mkt), index=dates)}
    for i in range(n):
        beta = rng.uniform(0.6, 1.4)
        idio = np.cumsum(rng.normal(0, 0.012, len(dates)))
        out[f"M{i:03d}"] = pd.Series(50 * np.exp(beta * mkt + idio), index=dates)
    long = pd.concat(
        [pd.DataFrame({"date": s.index, "ticker": t, "close": s.to_numpy()}) for t, s in out.items()]
    )
    path = tmp_path / "members.parquet"
    import duckdb  # the store's engine writes Parquet (pyarrow is an optional extra)

    duckdb.from_df(long).write_parquet(str(path))
    (tmp_path / "u.toml").write_text(
        'name = "synthetic-members"\nversion = "1"\n[members]\nbenchmark = "SPY"\nprices = "members.parquet"\n'
    )
    return tmp_path / "u.toml", out


def _key(r: ScanResult) -> list[tuple]:
    return [(n.leader, n.laggard, str(n.born), round(n.sharpness, 12), round(n.p, 12)) for n in r.narratives]


def test_member_universe_folder_and_long_file_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYPECHECK_CACHE", "off")
    toml, series = _members(tmp_path)
    folder = tmp_path / "csv"
    folder.mkdir()
    for t, s in series.items():
        pd.DataFrame({"Date": s.index.strftime("%Y-%m-%d"), "Close": s.to_numpy()}).to_csv(
            folder / f"{t}.csv", index=False
        )
    a = scan(Catalog("files"), "2019-06-28", toml)
    b = scan(Catalog("files"), "2019-06-28", folder)
    assert a.pairs_scanned == 24 and a.model_panel == "synthetic-members"
    assert a.n_fit >= 100 and a.narratives
    assert _key(a) == _key(b)
    for n in a.narratives:
        assert n.laggard == "SPY" or n.leader == "SPY"
        assert 0 < n.p_interval[0] <= n.p <= n.p_interval[1] < 1


def test_member_scan_has_no_look_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan as of D on closes cut at D equals the scan as of D on the full closes."""
    monkeypatch.setenv("HYPECHECK_CACHE", "off")
    toml, series = _members(tmp_path, n=16, seed=3)
    d = pd.Timestamp("2018-09-28")
    full = scan(Catalog("files"), d, toml)
    cut = tmp_path / "cut"
    cut.mkdir()
    for t, s in series.items():
        s = s.loc[:d]
        pd.DataFrame({"Date": s.index.strftime("%Y-%m-%d"), "Close": s.to_numpy()}).to_csv(
            cut / f"{t}.csv", index=False
        )
    part = scan(Catalog("files"), d, cut)
    assert full.narratives and _key(full) == _key(part)
    assert full.record == part.record


def test_member_scan_local_and_dask_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("dask.distributed")
    monkeypatch.setenv("HYPECHECK_CACHE", "off")
    toml, _ = _members(tmp_path, n=40, seed=11)
    local = scan(Catalog("files"), "2019-03-29", toml)
    dask = scan(Catalog("files"), "2019-03-29", toml, engine="dask")
    assert local.pairs_scanned == 40 and local.narratives
    assert local.to_dict() == dask.to_dict()


def test_theme_toml_from_catalog_and_pair_parsing() -> None:
    import tomllib

    from hypecheck.lab.history import load_universe
    from hypecheck.scan.themegen import parse_pair, theme_toml
    from hypecheck.theme import parse_theme

    u = load_universe("etf")
    assert parse_pair("iwm-spy", u) == ("IWM", "SPY")
    text = theme_toml(Catalog("files"), "XLK", "RSPT", universe=u, as_of="2025-01-02")
    th = parse_theme(tomllib.loads(text))
    assert (th.pairs[0].leader, th.pairs[0].laggard) == ("XLK", "RSPT")
    assert th.leadership == "narrow"  # a cap-weighted fund beating its own equal-weight twin
    assert {(b.equal, b.cap) for b in th.breadth_pairs} >= {("RSPT", "XLK")}
    with pytest.raises(Exception, match="LEADER-LAGGARD"):
        parse_pair("IWM", None)


def test_theme_from_a_bundled_row_keeps_the_universe_spelling(tmp_path: Path) -> None:
    """On the bundled data the universe's ids are like ff:Mkt and ff:ind:NoDur: the theme written for a
    row must keep their spelling (any case typed), quote keys that are not bare TOML keys, carry the
    scan's sentence for that row, and be accepted by check on the same data."""
    import tomllib

    import hypecheck
    from hypecheck.data.catalog import load_catalog
    from hypecheck.scan.core import scan
    from hypecheck.scan.themegen import parse_pair, theme_toml

    cat = load_catalog(None)
    res = scan(cat, "2016-12-30")
    rows = res.to_dict()["narratives"]
    assert rows, "the bundled scan finds live narratives"
    row = rows[0]
    text = theme_toml(res, row["leader"].upper(), row["laggard"].lower())
    doc = tomllib.loads(text)
    assert doc["price"]["pairs"][0] == {
        "leader": row["leader"],
        "laggard": row["laggard"],
        "label": f"{row['leader']} vs {row['laggard']} (the scanned narrative)",
    }
    assert "Found by hypecheck scan as of 2016-12-30" in doc["description"]
    assert parse_pair(f"{row['leader'].lower()}-{row['laggard']}", res.universe_spec) == (
        row["leader"],
        row["laggard"],
    )
    path = tmp_path / "row.toml"
    path.write_text(text)
    checked = hypecheck.check(str(path), as_of="2016-12-30", calibrate=False)
    used = {p.id for p in checked.provenance}
    assert {row["leader"], row["laggard"]} <= used  # both series found and used, as written
    assert "price" in checked.pillars and checked.pillars["price"].status != "missing"


@pytest.mark.shared
def test_scan_rows_carry_the_leaders_search_attention(shared_data: Path) -> None:
    """IWM's term in the ETF universe is 'penny stocks' (monthly Trends in the shared data): the row's
    ASVI is ln(last complete month) - ln(median of the 8 months before), recomputed here."""
    import math

    from hypecheck.data.catalog import load_catalog
    from hypecheck.scan.core import scan

    cat = load_catalog(shared_data)
    res = scan(cat, "2026-01-16")
    row = next(n for n in res.to_dict()["narratives"] if (n["leader"], n["laggard"]) == ("IWM", "SPY"))
    att = row["attention"]
    assert att["term"] == "penny stocks" and att["attention"] == "search"
    sd = next(x for x in cat.all("search", cat.resolve("search", "penny stocks")) if x.meta.frequency == "M")
    v = sd.values.dropna()
    v = v.loc[v.index < pd.Timestamp("2026-01-01")]  # December 2025 ended on 31 Dec; January runs on
    want = math.log(v.iloc[-1]) - math.log(float(np.median(v.iloc[-9:-1])))
    assert att["period"] == f"{v.index[-1]:%Y-%m}" and att["asvi"] == pytest.approx(want, abs=1e-6)
    assert f"{abs(math.exp(want) - 1):.0%} {'above' if want >= 0 else 'below'}" in att["finding"]


def test_scan_attention_falls_back_to_news_volume() -> None:
    """No search interest for the leader's term: its GDELT news volume (daily, averaged per week ending
    Saturday) gives the ASVI, labelled as news; the running week is left out and later days change
    nothing (no look-ahead)."""
    import dataclasses
    import math

    from hypecheck.lab.history import load_universe
    from hypecheck.scan.core import leader_attention
    from hypecheck.schema import Catalog, SeriesData, SeriesMeta

    u = dataclasses.replace(load_universe("etf"), terms={"AAA": "small caps"})
    idx = pd.date_range("2025-09-01", "2026-02-28", freq="D")
    vals = pd.Series(1.0 + 0.01 * np.arange(len(idx)), index=idx)
    vals.loc["2026-01-04":"2026-01-10"] = 3.0  # a week of heavy news
    cat = Catalog(source="files")
    meta = SeriesMeta(id="small caps", kind="news", source="gdelt", origin="GDELT (test)", frequency="D")
    cat.add(SeriesData(meta, vals))
    ts = pd.Timestamp("2026-01-14")  # a Wednesday: the week 11-17 January is still running
    att = leader_attention(cat, u, "AAA", ts)
    assert att is not None and att["attention"] == "news" and "GDELT" in att["label"]
    weekly = vals.loc[:"2026-01-10"].resample("W-SAT").mean()
    want = math.log(weekly.iloc[-1]) - math.log(float(np.median(weekly.iloc[-9:-1])))
    assert att["period"] == "week ending 2026-01-10" and att["asvi"] == pytest.approx(want, abs=1e-6)
    assert att["finding"].startswith("news volume (GDELT) for 'small caps' in the week ending 2026-01-10 was")
    later = vals.copy()
    later.loc["2026-01-11":] = 50.0  # what happens after the scan date
    cat2 = Catalog(source="files")
    cat2.add(SeriesData(meta, later))
    assert leader_attention(cat2, u, "AAA", ts) == att
    # search interest, when the data hold it, is preferred
    smeta = SeriesMeta(id="small caps", kind="search", source="t", origin="t", frequency="W")
    widx = pd.date_range("2025-06-01", "2026-01-04", freq="W-SUN")
    cat.add(SeriesData(smeta, pd.Series(50.0, index=widx)))
    assert leader_attention(cat, u, "AAA", ts)["attention"] == "search"


def test_scan_live_reads_the_store_as_known_on_the_scan_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`scan --live` (network stubbed: nothing fetched) scans what the store holds, as known on the
    scan date: a store filled from a folder gives the folder's scan, and a later fetch's revision of
    recent closes (stored with its fetch date as the vintage) changes nothing."""
    import json

    from click.testing import CliRunner

    import hypecheck.fetch
    from hypecheck.cli import main
    from hypecheck.store import Store
    from synthetic_prices import AS_OF, write_prices

    monkeypatch.setattr(hypecheck.fetch, "fetch_theme", lambda theme, store, **kw: [])  # no network here
    folder = write_prices(tmp_path / "data")
    store_path = tmp_path / "s.duckdb"
    assert CliRunner().invoke(main, ["import", str(folder), "--store", str(store_path)]).exit_code == 0
    args = ["scan", "--as-of", AS_OF, "--json", "--store", str(store_path)]
    files = CliRunner().invoke(
        main, [*args[:-2], "--data", str(folder), "--store", str(tmp_path / "other.duckdb")]
    )
    live = CliRunner().invoke(main, [*args, "--live"])
    assert files.exit_code == 0 and live.exit_code == 0, (files.output, live.output)

    def rows(out: str) -> list[tuple[str, str, float, float]]:
        d = json.loads(out)
        assert d["as_of"] == AS_OF
        return [(n["leader"], n["laggard"], n["sharpness"], n["p"]) for n in d["narratives"]]

    want = rows(files.output)
    assert any(r[:2] == ("IWM", "SPY") for r in want)
    assert rows(live.output) == want
    # a later fetch that finds IWM's recent closes revised (stored with its own fetch date as the
    # vintage, as prices are) is invisible to a scan as of a date before it
    import datetime as dt

    from hypecheck.schema import SeriesData

    st = Store(store_path)
    iwm = st.catalog().get("price", "IWM")
    revised = iwm.values.copy()
    revised.iloc[-10:] *= 0.9
    st.write(SeriesData(iwm.meta, revised), fetched_at=dt.datetime.now() + dt.timedelta(days=3))
    assert st.read("price", "IWM").iloc[-1] == pytest.approx(0.9 * iwm.values.iloc[-1])  # latest: revised
    again = CliRunner().invoke(main, [*args, "--live"])
    assert again.exit_code in (0, 6, 7) and rows(again.output) == want
