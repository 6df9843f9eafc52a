"""The lab's one feature table, one target module, one as-of model (issue 22 items 3 and 4)."""

from __future__ import annotations

import dataclasses
import importlib
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from hypecheck.analytics.attention import asvi
from hypecheck.lab import features as F
from hypecheck.lab import history as H
from hypecheck.lab import model as M
from hypecheck.lab import run as R
from hypecheck.lab import target as T
from hypecheck.lab import verdict as V
from hypecheck.lab.retention import interval_score


# ---------------------------------------------------------------------------------- feature table
def test_every_row_names_a_function_that_exists_and_the_lab_reads_the_table() -> None:
    for f in F.FEATURES:
        mod, name = f.function.split(":")
        assert callable(getattr(importlib.import_module(mod), name)), f.function
        assert f.orientation in F.ORIENTATIONS
    names = [f.name for f in F.FEATURES]
    assert len(set(names)) == len(names)
    assert tuple(names) == M.ALL_FEATURES  # the model's columns, in the table's order
    assert {f.name: f.pillar for f in F.FEATURES} == M.PILLAR_OF
    assert tuple(f.name for f in F.FEATURES if f.orientation == "signed") == F.SIGNED
    assert V.FEATURE_TEXT["vix"] == ("VIX", "level")
    # orient() follows the table: a signed column flips with the direction, a sided one takes the side
    feat = pd.DataFrame(
        {c: [1.5] for c in F.SIGNED}
        | {f"{c}_a": [2.0] for c in F.SIDED}
        | {f"{c}_b": [-3.0] for c in F.SIDED}
        | {c: [0.25] for c in F.CONTEXT}
    )
    down = F.orient(feat, np.array([0]), np.array([-1]))
    assert (down[list(F.SIGNED)].to_numpy() == -1.5).all()
    assert (down[list(F.SIDED)].to_numpy() == -3.0).all()
    assert (down[list(F.CONTEXT)].to_numpy() == 0.25).all()


def test_editing_a_row_changes_the_panel_cache_key(bundled_catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    u = H.load_universe("ken-french")
    before_code, before_key = F.code_digest(), H.fingerprint(bundled_catalog, u)
    row = F.FEATURES[0]
    for change in ({"text": row.text + "!"}, {"function": "hypecheck.lab.features:move"}, {"unit": "bp"}):
        edited = (dataclasses.replace(row, **change), *F.FEATURES[1:])
        monkeypatch.setattr(F, "FEATURES", edited)
        assert F.code_digest() != before_code, change
        assert H.fingerprint(bundled_catalog, u) != before_key, change
    monkeypatch.setattr(F, "FEATURES", (*F.FEATURES[1:], row))  # a reordering is a change too
    assert F.code_digest() != before_code
    monkeypatch.undo()
    assert H.fingerprint(bundled_catalog, u) == before_key


def test_cache_key_is_the_same_in_another_process(bundled_catalog) -> None:
    code = (
        "from hypecheck.api import load_catalog; from hypecheck.lab import history as H; "
        "print(H.fingerprint(load_catalog(None), H.load_universe('ken-french')))"
    )
    keys = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    assert keys == {H.fingerprint(bundled_catalog, H.load_universe("ken-french"))}


# ----------------------------------------------------------------------------------------- target
def test_outcome_definitions_by_hand() -> None:
    y = np.array([0.02, 0.0, -0.01, np.nan])
    assert T.keeps_beating(y).tolist() == [True, False, False, False]
    assert T.persisted(y).tolist() == [1.0, 0.0, 0.0, 0.0]
    assert T.keeps_beating(0.001) is True and T.keeps_beating(-0.0) is False
    # kept half: the move 0.10 is kept when the return since the birth is above -0.05
    got = T.kept_half(np.array([-0.049, -0.05, -0.2, np.nan]), np.full(4, 0.10))
    assert got[:3].tolist() == [1.0, 0.0, 0.0] and math.isnan(got[3])
    assert T.kept_half(-0.049, 0.10) is True and T.kept_half(-0.051, 0.10) is False


def test_pair_rate_is_laplace_over_known_outcomes() -> None:
    known = pd.DatetimeIndex(["2020-01-31", "2020-03-31", "2020-06-30", "2021-01-31"]).to_numpy()
    y = np.array([0.1, -0.2, 0.3, 0.4])
    # by 2020-06-30: three known, two positive -> (2 + 1) / (3 + 2)
    assert T.pair_rate(known, y, np.datetime64("2020-06-30")) == pytest.approx(3 / 5)
    assert T.pair_rate(known, y, np.datetime64("2019-12-31")) == 0.5
    eps = pd.DataFrame(
        {
            "date": pd.DatetimeIndex(["2020-01-01", "2020-02-01", "2020-07-01", "2020-07-02"]),
            "leader": ["A", "A", "A", "B"],
            "laggard": ["B", "B", "B", "A"],
            "known_6m": pd.DatetimeIndex(["2020-01-31", "2020-03-31", "2021-01-01", "2021-01-31"]),
            "outcome_6m": y,
        }
    )
    # the third A-B birth sees the first two (one positive); B-A is its own pair
    assert T.pair_base_rate(eps, 6).tolist() == [0.5, (1 + 1) / (1 + 2), (1 + 1) / (2 + 2), 0.5]


def test_lab_asvi_is_the_analytics_asvi_with_the_lab_floor() -> None:
    rng = np.random.default_rng(3)
    idx = pd.date_range("2015-01-31", periods=120, freq="ME")
    v = pd.Series(rng.integers(1, 100, len(idx)).astype("float64"), index=idx)
    # odd window: the median of the logs is the log of the median, so floor or not is the same ASVI
    np.testing.assert_allclose(asvi(v, 7, floor=0.5), asvi(v, 7), rtol=0, atol=1e-12)
    # even window, by hand: ln x_t minus the mean of the logs of the two middle values
    w = v.iloc[-9:-1].to_numpy()
    mid = np.sort(w)[3:5]
    want = math.log(v.iloc[-1]) - float(np.mean(np.log(mid)))
    got = F.known_asvi(v, pd.DatetimeIndex(idx))
    assert got.iloc[-1] == pytest.approx(want, abs=1e-12)
    # the floor: zeros read as 0.5 (never -inf) in the lab, -inf in the analytics
    z = v.copy()
    z.iloc[-1] = 0.0
    assert np.isneginf(asvi(z).iloc[-1])
    assert F.known_asvi(z, pd.DatetimeIndex(idx)).iloc[-1] == pytest.approx(
        math.log(0.5) - float(np.mean(np.log(mid))), abs=1e-12
    )


def test_interval_score_equals_scoringrules_on_random_data() -> None:
    sr = pytest.importorskip("scoringrules")
    rng = np.random.default_rng(11)
    n = 5000
    lo = rng.normal(-0.1, 0.1, n)
    hi = lo + rng.gamma(2.0, 0.1, n)
    obs = rng.normal(0, 0.3, n)
    for alpha in (0.2, 0.05, 0.5):
        want = np.asarray(sr.interval_score(obs, lo, hi, alpha), dtype="float64")
        assert np.array_equal(interval_score(obs, lo, hi, alpha), want)
    # by hand: width 0.4, a miss of 0.1 below costs 2 / 0.2 * 0.1 = 1.0
    assert interval_score(np.array([-0.1]), np.array([0.0]), np.array([0.4]), 0.2)[0] == pytest.approx(1.4)


# --------------------------------------------------------------------------------- one model_at
def test_check_and_scan_read_one_model_at(bundled_catalog) -> None:
    """The check's probability for a pair on a date is what the scan's model (model_at) gives for the
    same features, refitted from scratch: one fit, not two that are said to agree."""
    as_of = pd.Timestamp("2016-12-30")
    hist = R.history_for(bundled_catalog, "bundled")
    a_id, b_id = hist.universe.pairs[0][0], hist.universe.pairs[0][1]
    a, b = bundled_catalog.get("price", a_id).values, bundled_catalog.get("price", b_id).values
    pv = V.panel_verdict(a, b, a_id, b_id, bundled_catalog, "bundled", as_of)
    assert isinstance(pv, V.PanelVerdict)
    R._MODELS.clear()
    R._LIGHT.clear()
    mod = R.model_at(hist, 6, as_of)
    assert mod.fit is not None and mod.momentum is not None
    row = V.theme_features(a, b, a_id, b_id, hist, bundled_catalog, as_of, 6)
    assert pv.probability == float(mod.fit.predict(row)[0])
    assert pv.interval == tuple(float(x[0]) for x in mod.fit.interval(row, 0.95))
    assert pv.momentum_probability == float(mod.momentum.predict(row)[0])
    assert pv.n_fit == int(T.known_by(mod.light.episodes, 6, as_of).sum()) == mod.n_fit
    assert pv.base_rate == pytest.approx(
        float(
            T.persisted(
                mod.light.episodes["outcome_6m"].to_numpy()[T.known_by(mod.light.episodes, 6, as_of)]
            ).mean()
        )
    )


def test_pair_base_rate_equals_pair_rate_at_each_birth() -> None:
    """The vectorised per-birth rate is :func:`pair_rate` on each birth's date, exactly."""
    rng = np.random.default_rng(8)
    n = 400
    dates = pd.Timestamp("2000-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 20 * 365, n)), unit="D")
    pairs = np.array(["A|B", "B|A", "C|D"])[rng.integers(0, 3, n)]
    y = np.where(rng.random(n) < 0.1, np.nan, rng.normal(0, 0.1, n))
    eps = pd.DataFrame(
        {
            "date": dates,
            "leader": [p.split("|")[0] for p in pairs],
            "laggard": [p.split("|")[1] for p in pairs],
            "known_6m": dates + pd.to_timedelta(rng.integers(150, 250, n), unit="D"),
            "outcome_6m": y,
        }
    )
    got = T.pair_base_rate(eps, 6)
    known = pd.DatetimeIndex(eps["known_6m"]).to_numpy()
    for i in range(n):
        same = pairs == pairs[i]
        assert got[i] == T.pair_rate(known[same], y[same], dates.to_numpy()[i])
