"""rrg()'s long frame, now assembled from per-ticker arrays, against the assembly it replaced (each
ticker alone through ``_one_ticker`` as the definition, ``dropna``, the ticker inserted, ``concat``,
the quadrant, sorted by date then input order): the same frame bit for bit (values, dtypes, index),
on random closes and on the shared ETFs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hypecheck.analytics import rrg as R

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _reference(closes: pd.DataFrame, bench: pd.Series, freq: str) -> pd.DataFrame:
    smooth, window, roc, mom, _ = R.DEFAULTS[freq]
    common = closes.index.intersection(bench.index)
    parts = []
    for t in closes.columns:
        rs = (100.0 * closes.loc[common, t].div(bench.loc[common])).dropna()
        if freq == "W":
            rs = R._last_per_week(rs)
        if len(rs) < R.min_history(smooth, window, roc, mom):
            continue
        one = R._one_ticker(rs, smooth, window, roc, mom).dropna()
        if one.empty:
            continue
        one.insert(0, "ticker", t)
        parts.append(one)
    frame = pd.concat(parts)
    frame.index.name = "date"
    frame["quadrant"] = R.quadrant(frame["rs_ratio"], frame["rs_momentum"])
    order = {t: i for i, t in enumerate(closes.columns)}
    key = frame["ticker"].map(order).to_numpy()
    return frame.iloc[np.lexsort((key, frame.index.to_numpy()))][R._FRAME_COLUMNS]


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.index.equals(want.index) and got.index.dtype == want.index.dtype
    assert got.index.name == want.index.name == "date"
    assert list(got.dtypes) == list(want.dtypes)
    for c in ("rs", "rs_ratio", "rs_momentum"):
        assert np.array_equal(got[c].to_numpy(), want[c].to_numpy())


@pytest.mark.parametrize(("seed", "freq"), [(0, "W"), (1, "W"), (2, "D"), (3, "W")])
def test_frame_is_the_former_assembly_on_random_closes(seed: int, freq: str) -> None:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2013-01-01", "2025-06-30")
    data = {}
    for k in range(7):
        s = pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0001 * k, 0.012, len(idx)))), index=idx)
        s.iloc[: int(rng.integers(0, 1500))] = np.nan
        if k == 4:  # not a suffix of the others' dates: computed alone
            s.iloc[np.flatnonzero(idx.day_of_week == 4)[::3]] = np.nan
        data[f"Z{k}" if k % 2 else f"A{k}"] = s  # input order is not name order
    closes = pd.DataFrame(data)
    bench = pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0002, 0.01, len(idx)))), index=idx, name="B")
    g = R.rrg(closes, bench, freq=freq)
    _same(g.frame, _reference(closes, bench, freq))


@pytest.mark.skipif(not (SHARED / "prices").is_dir(), reason="../shared/data absent")
def test_frame_is_the_former_assembly_on_the_shared_etfs() -> None:
    from hypecheck.api import load_catalog

    cat = load_catalog(SHARED)
    ids = [
        i
        for i in ("IWM", "QQQ", "XLK", "XLE", "XLF", "RSP", "GLD", "TLT", "IWN", "IWO")
        if cat.has("price", i)
    ]
    closes = pd.concat({i: cat.get("price", i).values for i in ids}, axis=1, sort=True)
    spy = cat.get("price", "SPY").values.rename("SPY")
    for freq in ("W", "D"):
        g = R.rrg(closes, spy, freq=freq)
        want = _reference(closes, spy, freq)
        assert want["ticker"].nunique() >= 8
        _same(g.frame, want)


@pytest.mark.parametrize("seed", [0, 1])
def test_tail_points_are_the_tails_frames(seed: int) -> None:
    """The price pillar's chart reads ``tail_points`` (arrays) and formats dates with numpy: the same
    points and the same date strings as the ``tails`` frames and pandas' strftime it replaced."""
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2015-01-01", "2025-06-30")
    closes = pd.DataFrame(
        {f"T{k}": 100 * np.exp(np.cumsum(rng.normal(0.0, 0.012, len(idx)))) for k in range(5)}, index=idx
    )
    closes.iloc[: int(rng.integers(0, 900)), 2] = np.nan
    bench = pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0, 0.01, len(idx)))), index=idx, name="B")
    g = R.rrg(closes, bench, freq="W")
    for n in (None, 52, 10_000):
        frames, points = g.tails(n), g.tail_points(n)
        assert list(frames) == list(points) and len(points) == 5
        for t, (d, x, y) in points.items():
            f = frames[t]
            assert np.array_equal(d, f["date"].to_numpy()) and np.array_equal(x, f["rs_ratio"].to_numpy())
            assert np.array_equal(y, f["rs_momentum"].to_numpy())
            assert np.datetime_as_string(d, unit="D").tolist() == list(
                pd.DatetimeIndex(f["date"]).strftime("%Y-%m-%d")
            )
            assert x.tolist() == [float(v) for v in f["rs_ratio"]]
