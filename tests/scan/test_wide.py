"""The scan's every-pair-at-once engine (hypecheck.scan.wide, panel, live; issue 24 item 1) against the
per-pair definitions it replaces, value for value: the lab's panel (build_history: episodes_of per
pair, clusters), and per live narrative theme_features, fade_test, range_now and the move, return
since the birth and sparkline the scan measured one pair at a time. On synthetic random-walk members
(late listings, missing days, delistings, near-duplicate members so that clusters join) and on the
shared ETF data (twins, search terms, context). Also: the same scan on a Dask cluster gives the same
rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hypecheck.lab import fade as FD
from hypecheck.lab import features as F
from hypecheck.lab import history as H
from hypecheck.lab.verdict import theme_features
from hypecheck.scan import live as L
from hypecheck.scan import panel as P
from hypecheck.scan.core import LOOKBACK_MONTHS, scan
from hypecheck.schema import Catalog, SeriesData, SeriesMeta


def _members(n: int = 40, seed: int = 7) -> tuple[Catalog, H.Universe]:
    """Random-walk members against BENCH: every fifth listed late, every seventh with missing days,
    every ninth delisted early, and members in groups of five sharing most of their noise."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-01", "2021-12-31")
    mkt = np.cumsum(rng.normal(0.0003, 0.01, len(dates)))
    cat = Catalog("files")

    def add(t: str, s: pd.Series) -> None:
        meta = SeriesMeta(id=t, kind="price", source="files", origin="test", frequency="D", units="close")
        cat.add(SeriesData(meta, s))

    add("BENCH", pd.Series(100 * np.exp(mkt), index=dates))
    common = [np.cumsum(rng.normal(0, 0.015, len(dates))) for _ in range(n // 5 + 1)]
    names = []
    for i in range(n):
        idio = common[i // 5] + np.cumsum(rng.normal(0, 0.002 if i % 2 else 0.02, len(dates)))
        s = pd.Series(40 * np.exp(rng.uniform(0.8, 1.2) * mkt + idio), index=dates)
        if i % 5 == 0:
            s = s.iloc[int(rng.integers(0, 700)) :]
        if i % 7 == 0:
            s = s.drop(s.index[rng.choice(len(s), 40, replace=False)])
        if i % 9 == 0:
            s = s.iloc[: -int(rng.integers(1, 250))]
        add(f"S{i:02d}", s)
        names.append(f"S{i:02d}")
    u = H.Universe(
        name="t",
        version="1",
        description="",
        freq=F.DAILY,
        pairs=tuple((t, "BENCH", "members") for t in names),
        market={"benchmark": "BENCH"},
    )
    return cat, u


@pytest.fixture(scope="module")
def members() -> tuple[Catalog, H.Universe]:
    return _members()


def test_panel_equals_the_labs_history(
    members: tuple[Catalog, H.Universe], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYPECHECK_CACHE", "off")
    cat, u = members
    pairs, skipped = H.pair_inputs(cat, u)
    wide = P.build_history(cat, u, pairs, skipped, name="t", source="files").episodes
    lab = H.build_history(cat, u, name="t", source="files").episodes
    assert len(lab) > 300 and lab["cluster"].nunique() < len(lab)  # near-duplicates joined clusters
    pd.testing.assert_frame_equal(wide, lab, check_exact=True)


def _reference(p: H.PairInput, ep: dict, ts: pd.Timestamp, freq: F.Freq) -> dict:
    """The scan's per-pair measurements of one candidate (the code the wide engine replaced)."""
    df = F.align(p.pa.loc[p.pa.index <= ts], p.pb.loc[p.pb.index <= ts])
    idx = pd.DatetimeIndex(df.index)
    born = pd.Timestamp(ep["date"])
    j = idx.searchsorted(born)
    lead = 1.0 if ep["leader"] == p.a else -1.0
    rs = np.log(df["a"].to_numpy()) - np.log(df["b"].to_numpy())
    out: dict = {"given_back": bool(lead * (rs[-1] - rs[max(j - freq.move, 0)]) <= 0)}
    if out["given_back"]:
        return out
    la, lb = (p.pa, p.pb) if lead > 0 else (p.pb, p.pa)
    df = F.align(la.loc[la.index <= ts], lb.loc[lb.index <= ts])
    m = freq.move
    tail = df.iloc[-L.SPARK_DAYS :]
    ratio = (tail["a"] / tail["b"]).to_numpy(dtype="float64")
    out |= {
        "age": int(len(idx) - 1 - j),
        "move": float(df["a"].iloc[-1] / df["a"].iloc[-1 - m] - df["b"].iloc[-1] / df["b"].iloc[-1 - m]),
        "since": float(df["a"].iloc[-1] / df["a"].iloc[j] - df["b"].iloc[-1] / df["b"].iloc[j]),
        "rs": (ratio / ratio[0]).tolist(),
        "rs_start": pd.Timestamp(tail.index[0]),
        "la": la,
        "lb": lb,
    }
    return out


def _same(x: object, y: object) -> bool:
    return json.dumps(x, sort_keys=True, default=str) == json.dumps(y, sort_keys=True, default=str)


def _check_live(hist: H.History, cat: Catalog, u: H.Universe, ts: pd.Timestamp) -> int:
    """Every candidate of ``hist`` at ``ts`` measured by the wide engine equals the per-pair
    definitions; returns how many were live."""
    pairs, _ = H.pair_inputs(cat, u)
    ctx = hist.context or H.build_context(cat, u)
    tails = FD.known_at(
        hist.episodes.loc[hist.episodes["date"] <= ts], 6, u.freq.ppm, ts, None, np.array([])
    ).tails_1m
    known = FD.Known("all", 6, tails=tails)
    cands = L.candidates(hist.episodes, pairs, ts, LOOKBACK_MONTHS)
    got = L.measure(pairs, cands, ts, u.freq, ctx, tails)
    assert [m.index for m in got] == [i for i, _ in cands]
    live = 0
    for m, (i, ep) in zip(got, cands, strict=True):
        p = pairs[i]
        ref = _reference(p, ep, ts, u.freq)
        assert m.given_back == ref["given_back"], (p.a, p.b)
        if m.given_back:
            continue
        live += 1
        assert (m.leader, m.laggard) == (ep["leader"], ep["laggard"])
        assert (m.age, m.move, m.since, m.rs, m.rs_start) == (
            ref["age"],
            ref["move"],
            ref["since"],
            ref["rs"],
            ref["rs_start"],
        )
        row = theme_features(ref["la"], ref["lb"], m.leader, m.laggard, hist, cat, ts, 6, ctx)
        want = {c: float(row[c].iloc[0]) for c in row.columns if c != "pair_base_rate"}
        assert list(m.row) == list(want) and _same(m.row, want), (p.a, p.b)
        fade = FD.fade_test(ref["la"], ref["lb"], m.leader, m.laggard, u.freq, tails, ts)
        assert _same(m.fade.to_dict(), fade.to_dict()), (p.a, p.b)
        rng = FD.range_now(ref["la"], ref["lb"], u.freq, known, ts)
        mine = L.range_of(m.sigma, u.freq, known)
        assert _same(None if mine is None else mine.to_dict(), None if rng is None else rng.to_dict())
    return live


@pytest.mark.parametrize("day", ["2018-06-29", "2021-12-31"])
def test_live_measurements_equal_the_per_pair_definitions(
    members: tuple[Catalog, H.Universe], day: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYPECHECK_CACHE", "off")
    cat, u = members
    hist = H.build_history(cat, u, name="t", source="files")
    assert _check_live(hist, cat, u, pd.Timestamp(day)) >= 5


@pytest.mark.shared
def test_live_measurements_on_the_etf_data(shared_data: Path) -> None:
    from hypecheck.api import load_catalog
    from hypecheck.lab.run import history_for

    cat = load_catalog(shared_data)
    hist = history_for(cat, "files")
    u = hist.universe
    assert any(u.twins) and any(u.terms)  # the ETF pairs carry twins and search terms
    for day in ("2026-01-16", "2020-04-30"):
        assert _check_live(hist, cat, u, pd.Timestamp(day)) >= 5


def test_scan_on_a_dask_cluster_gives_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("dask.distributed")
    monkeypatch.setenv("HYPECHECK_CACHE", "off")
    cat, u = _members(n=30, seed=3)
    local = scan(cat, "2021-06-30", u)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as c:
        remote = scan(cat, "2021-06-30", u, scheduler=c.scheduler_address)
    assert local.narratives and local.n_fit > 0
    assert local.to_json() == remote.to_json()


def test_known_now_equals_the_labs_known_at(
    members: tuple[Catalog, H.Universe], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan's known_now (for panels too large for known_at's weights in memory) reads the same
    tails, coverage and coverage interval (the interval to 1e-12: its weighted means summed per year)."""
    monkeypatch.setenv("HYPECHECK_CACHE", "off")
    cat, u = members
    eps = H.build_history(cat, u, name="t", source="files").episodes
    ts = pd.Timestamp("2021-06-30")
    cut = eps.loc[eps["date"] <= ts].reset_index(drop=True)
    want = FD.known_at(cut, 6, 21, ts, None, np.array([], dtype=object))
    got = L.known_now(cut, 6, 21, ts)
    assert want.coverage_n > 20
    assert (got.tails, got.tails_1m, got.coverage_n, got.coverage_oos) == (
        want.tails,
        want.tails_1m,
        want.coverage_n,
        want.coverage_oos,
    )
    assert got.coverage_ci == pytest.approx(want.coverage_ci, rel=1e-12, abs=1e-15)


def test_panel_equals_the_labs_history_on_monthly_data(
    bundled_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Ken French universe (month-end levels: monthly windows, month-end horizons, same-month
    clusters) built every pair at once equals the lab's panel."""
    monkeypatch.setenv("HYPECHECK_CACHE", "off")
    u = H.load_universe("ken-french")
    assert u.freq is F.MONTHLY
    pairs, skipped = H.pair_inputs(bundled_catalog, u)
    wide = P.build_history(bundled_catalog, u, pairs, skipped, name="kf", source="bundled").episodes
    lab = H.build_history(bundled_catalog, u, name="kf", source="bundled").episodes
    assert len(lab) > 100
    pd.testing.assert_frame_equal(wide, lab, check_exact=True)
