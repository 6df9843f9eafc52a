"""The price and breadth pillars' rotation evidence on the real shared data, each figure against an
independent computation straight from the CSV files: the RRG of the flagship's leaders, style corners
and sectors against SPY and IWB, sector twins, sector participation and the spread trend."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import hypecheck
from hypecheck.cli import main

AS_OF = "2026-01-16"
SECTORS = ["XLK", "XLC", "XLY", "XLP", "XLE", "XLF", "XLV", "XLI", "XLB", "XLRE", "XLU"]


def close(shared: Path, t: str, as_of: str = AS_OF) -> pd.Series:
    df = pd.read_csv(shared / "prices" / "etf_daily" / f"{t}.csv", parse_dates=["Date"], index_col="Date")
    s = df["Close"].astype(float)
    return s.loc[s.index <= pd.Timestamp(as_of)].rename(t)


@pytest.fixture(scope="module")
def flagship(shared_data: Path) -> dict:
    return hypecheck.check("small-cap-rotation", data=shared_data, as_of=AS_OF).to_dict()


def test_rrg_places_leaders_rsp_and_sectors_against_spy_and_broad_market(flagship: dict) -> None:
    rows = flagship["tables"]["price.rrg"]
    by_bench: dict[str, set[str]] = {}
    for r in rows:
        by_bench.setdefault(r["benchmark"], set()).add(r["series"])
        assert r["date"] <= AS_OF
        q = r["quadrant"]
        assert (r["rs_ratio"] >= 100) == (q in ("leading", "weakening"))
        assert (r["rs_momentum"] >= 100) == (q in ("leading", "improving"))
    need = {"IWM", "IWN", "IWO", "RSP", *SECTORS}
    assert need <= by_bench["SPY"]
    assert need <= by_bench["IWB"]


def test_rrg_values_equal_the_library_run_on_the_raw_csvs(flagship: dict, shared_data: Path) -> None:
    rows = {(r["benchmark"], r["series"]): r for r in flagship["tables"]["price.rrg"]}
    closes = pd.concat([close(shared_data, t) for t in ["IWM", "RSP", "XLK"]], axis=1, sort=True)
    for bench in ("SPY", "IWB"):
        latest = hypecheck.rrg(closes, close(shared_data, bench)).latest().set_index("ticker")
        for t in ("IWM", "RSP", "XLK"):
            got = rows[(bench, t)]
            assert got["rs_ratio"] == pytest.approx(latest.at[t, "rs_ratio"], abs=1e-9)
            assert got["rs_momentum"] == pytest.approx(latest.at[t, "rs_momentum"], abs=1e-9)
            assert got["quadrant"] == latest.at[t, "quadrant"]
    ev = {e["id"]: e for e in flagship["evidence"]}
    for t in ("IWM", "IWN", "IWO"):
        e = ev[f"rrg:{t}-SPY"]
        q = rows[("SPY", t)]["quadrant"]
        assert e["leaning"] == {"leading": "catalyst", "lagging": "viral"}.get(q, "neutral")
        assert e["flip"]


def test_sector_twins_count_matches_csvs(flagship: dict, shared_data: Path) -> None:
    twins = {
        "RSPT": "XLK",
        "RSPF": "XLF",
        "RSPN": "XLI",
        "RSPH": "XLV",
        "RSPC": "XLC",
        "RSPD": "XLY",
        "RSPS": "XLP",
        "RSPM": "XLB",
        "RSPR": "XLRE",
        "RSPU": "XLU",
    }

    def ytd(t: str) -> float:
        s = close(shared_data, t)
        return float(s.iloc[-1] / s.loc[s.index <= "2025-12-31"].iloc[-1] - 1)

    ahead = sum(ytd(eq) > ytd(cap) for eq, cap in twins.items())
    e = next(e for e in flagship["evidence"] if e["id"] == "sector-twins:YTD")
    assert e["value"] == pytest.approx(ahead / len(twins))
    assert e["detail"].startswith(f"{ahead} of {len(twins)}")


def test_participation_matches_own_moving_averages(flagship: dict, shared_data: Path) -> None:
    above50 = above200 = 0
    for t in SECTORS:
        s = close(shared_data, t).dropna()
        above50 += s.iloc[-1] > s.iloc[-50:].mean()
        above200 += s.iloc[-1] > s.iloc[-200:].mean()
    ev = {e["id"]: e for e in flagship["evidence"]}
    assert ev["participation:50d"]["value"] == pytest.approx(above50 / len(SECTORS))
    assert ev["participation:200d"]["value"] == pytest.approx(above200 / len(SECTORS))


def test_spread_trend_matches_csvs(flagship: dict, shared_data: Path) -> None:
    both = pd.concat([close(shared_data, "RSP"), close(shared_data, "SPY")], axis=1, sort=True).dropna()
    r20 = both / both.shift(20) - 1
    spread = (r20["RSP"] - r20["SPY"]).dropna().iloc[-60:]
    e = next(e for e in flagship["evidence"] if e["id"] == "ewcw-trend:RSP-SPY")
    assert e["value"] == pytest.approx(float((spread > 0).mean()))


def test_report_has_rrg_and_breadth_charts(shared_data: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(
        main,
        ["check", "small-cap-rotation", "--data", str(shared_data), "--as-of", AS_OF, "--out", str(tmp_path)],
    )
    assert res.exit_code == 0, res.output
    for name in ("rrg_SPY", "rrg_IWB", "participation", "ew_cw_spread"):
        assert (tmp_path / "charts" / f"{name}.png").stat().st_size > 5000
        assert (tmp_path / "charts" / f"{name}.svg").is_file()
    html = (tmp_path / "report.html").read_text("utf-8")
    assert "Relative Rotation Graph vs SPY" in html and "Relative Rotation Graph vs IWB" in html


def test_bundled_monthly_data_say_why_there_is_no_rrg() -> None:
    r = hypecheck.check("small-cap-rotation").to_dict()
    miss = [m for m in r["missing"] if m["id"] == "rrg"]
    assert miss and "daily or weekly" in miss[0]["reason"]


def _write_folder(tmp: Path) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    idx = pd.bdate_range("2020-01-01", periods=400)
    wide = pd.DataFrame(
        50 * np.exp(np.cumsum(rng.normal(0, 0.02, (400, 3)), axis=0)),
        index=idx,
        columns=["AAA", "BBB", "CCC"],
    )
    wide.iloc[:100, 2] = np.nan  # CCC listed late
    for c in wide:
        s = wide[c].dropna()
        pd.DataFrame({"Date": s.index.strftime("%Y-%m-%d"), "Close": s.to_numpy()}).to_csv(
            tmp / f"{c}.csv", index=False
        )
    return wide


def test_cli_breadth_on_a_folder_equals_the_library(tmp_path: Path) -> None:
    folder = tmp_path / "px"
    folder.mkdir()
    wide = _write_folder(folder)
    out = tmp_path / "b.csv"
    res = CliRunner().invoke(main, ["breadth", str(folder), "--out", str(out), "--as-of", "2021-03-31"])
    assert res.exit_code == 0, res.output
    assert "breadth of 3 members" in res.output and "pct_above_50d" in res.output
    got = pd.read_csv(out, index_col=0, parse_dates=True)
    exp = hypecheck.breadth(wide.loc[:"2021-03-31"])
    assert got.index[-1] <= pd.Timestamp("2021-03-31")
    np.testing.assert_allclose(got["pct_above_50d"].to_numpy(), exp["pct_above_50d"].to_numpy(), atol=1e-9)
    assert got["ad_line"].tolist() == exp["ad_line"].tolist()


def test_cli_breadth_long_csv_and_bad_inputs(tmp_path: Path) -> None:
    long = tmp_path / "long.csv"
    long.write_text("date,ticker,close\n2024-01-02,A,10\n2024-01-02,B,20\n2024-01-03,A,11\n2024-01-03,B,19\n")
    res = CliRunner().invoke(main, ["breadth", str(long)])
    assert res.exit_code == 0, res.output
    assert "advances        1" in res.output and "declines        1" in res.output
    dup = tmp_path / "dup.csv"
    dup.write_text("date,ticker,close\n2024-01-02,A,10\n2024-01-02,A,11\n")
    res = CliRunner().invoke(main, ["breadth", str(dup)])
    assert res.exit_code == 2 and "duplicate (date, member)" in res.output
    neg = tmp_path / "neg.csv"
    neg.write_text("date,A\n2024-01-02,10\n2024-01-03,-1\n")
    res = CliRunner().invoke(main, ["breadth", str(neg)])
    assert res.exit_code == 2 and "non-positive close for A on 2024-01-03" in res.output
    res = CliRunner().invoke(main, ["breadth", str(tmp_path / "nope.csv")])
    assert res.exit_code == 2 and "does not exist" in res.output


@pytest.mark.slow
def test_cli_breadth_dask_local_cluster_equals_numba(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    folder = tmp_path / "px"
    folder.mkdir()
    _write_folder(folder)
    outs = {}
    for engine in ("numba", "dask"):
        outs[engine] = tmp_path / f"{engine}.csv"
        res = CliRunner().invoke(
            main, ["breadth", str(folder), "--engine", engine, "--out", str(outs[engine])]
        )
        assert res.exit_code == 0, res.output
    assert outs["numba"].read_bytes() == outs["dask"].read_bytes()


def test_cli_breadth_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    folder = tmp_path / "px"
    folder.mkdir()
    _write_folder(folder)
    res = CliRunner().invoke(
        main, ["breadth", str(folder), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"]
    )
    assert res.exit_code == 5, res.output
    assert "could not reach the Dask scheduler" in res.output


def test_style_box_evidence_matches_csvs(flagship: dict, shared_data: Path) -> None:
    def ytd(t: str) -> float:
        s = close(shared_data, t)
        return float(s.iloc[-1] / s.loc[s.index <= "2025-12-31"].iloc[-1] - 1)

    cols = [("IWN", "IVE"), ("IWM", "SPY"), ("IWO", "IVW")]
    ahead = sum(ytd(a) > ytd(b) for a, b in cols)
    e = next(e for e in flagship["evidence"] if e["id"] == "style-box:YTD")
    assert e["value"] == pytest.approx(ahead / 3)
    assert e["leaning"] == ("catalyst" if ahead >= 2 else "viral" if ahead <= 1 else "neutral")
