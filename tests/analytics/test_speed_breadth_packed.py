"""The "packed" small-panel breadth engine (what a check's sector participation runs) against the
pandas reference, bit for bit: on random gappy panels and on the shared data's sector closes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hypecheck.analytics.breadth import breadth, breadth_pandas

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _panel(seed: int, n_dates: int, n_members: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    px = 30 * np.exp(np.cumsum(rng.normal(0.0, 0.02, (n_dates, n_members)), axis=0))
    px[rng.random(px.shape) < 0.05] = np.nan  # gaps
    rows = np.arange(n_dates)[:, None]
    px[rows < rng.integers(0, n_dates // 2, n_members)] = np.nan  # late listings
    px[rows >= rng.integers(n_dates // 2, n_dates + 50, n_members)] = np.nan  # delistings
    px[:, 0] = np.round(px[:, 0], 1)  # ties with the moving average and the highs/lows happen
    names = [f"S{j}" for j in rng.permutation(n_members)]  # not in sorted order
    return pd.DataFrame(px, index=pd.bdate_range("2012-01-02", periods=n_dates), columns=names)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    for c in a.columns:  # bit for bit, NaN where NaN
        assert np.array_equal(a[c].to_numpy(), b[c].to_numpy(), equal_nan=True), c


@pytest.mark.parametrize("seed", range(6))
def test_packed_is_pandas_bit_for_bit_on_random_panels(seed: int) -> None:
    closes = _panel(seed, 700, 3 + seed * 4)
    _same(breadth(closes, engine="packed"), breadth_pandas(closes))
    _same(breadth(closes, engine="auto"), breadth_pandas(closes))  # auto picks packed below 32 members


def test_packed_with_small_windows_and_a_constant_member() -> None:
    closes = _panel(11, 120, 5)
    closes["S_flat"] = 10.0  # equal to its own average: never "above"
    got = breadth(closes, engine="packed", windows=(3, 7), hilo=5)
    _same(got, breadth_pandas(closes, windows=(3, 7), hilo=5))
    assert got["advances"].sum() > 0


def test_packed_with_caps_is_the_pandas_engine() -> None:
    closes = _panel(3, 300, 6)
    caps = closes * 1e6
    _same(breadth(closes, caps, engine="packed"), breadth_pandas(closes, caps))


@pytest.mark.skipif(not (SHARED / "prices").is_dir(), reason="../shared/data absent")
def test_packed_is_pandas_bit_for_bit_on_the_shared_sector_closes() -> None:
    from hypecheck.api import load_catalog

    cat = load_catalog(SHARED)
    ids = [i for i in cat.ids("price") if i.startswith("XL") and len(i) == 3]
    assert len(ids) >= 9, ids
    closes = pd.concat({i: cat.get("price", i).values for i in ids}, axis=1, sort=True)
    _same(breadth(closes, engine="packed"), breadth_pandas(closes))


@pytest.mark.parametrize("seed", range(4))
def test_date_sums_are_pandas_groupby_sums_bit_for_bit(seed: int) -> None:
    """Values where the summation order and compensation show (1e16 beside 1, signs mixed, an inf)."""
    from hypecheck.analytics.breadth import _date_sums

    rng = np.random.default_rng(seed)
    n_dates, counts = 40, rng.integers(5, 40, 12)
    pos = np.concatenate([np.sort(rng.choice(n_dates, c, replace=False)) for c in counts])
    vals = rng.choice([1e16, -1e16, 1.0, -1.0, 0.1, 3.3e-5, 7.0], size=(len(pos), 3))
    vals[:, 1] = rng.normal(0, 0.02, len(pos))  # returns
    vals[rng.integers(len(pos)), 2] = np.inf
    got = _date_sums(vals, pos, counts, n_dates)
    frame = pd.DataFrame({"date": pos, "a": vals[:, 0], "b": vals[:, 1], "c": vals[:, 2]})
    want = frame.groupby("date").sum().reindex(range(n_dates), fill_value=0.0).to_numpy()
    assert np.array_equal(got, want, equal_nan=True)
    naive = np.zeros((n_dates, 3))
    np.add.at(naive, pos, vals)
    assert not np.array_equal(naive[:, 0], want[:, 0])  # the compensation matters on these values
