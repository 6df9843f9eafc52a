"""analytics.episodes.outcomes (NumPy pairing, one search per call) against its pandas definition (the
former code, written out here: an inner-joined frame, ``searchsorted`` per date and horizon,
``.iloc`` values), bit for bit, on random series with gaps and NaNs and on the shared data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hypecheck.analytics.episodes import HORIZONS, outcomes

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def reference(
    a: pd.Series, b: pd.Series, dates: list, as_of: pd.Timestamp, horizons=HORIZONS
) -> pd.DataFrame:
    df = pd.concat({"a": a, "b": b}, axis=1, join="inner", sort=True).dropna()
    df = df.loc[df.index <= as_of]

    def at(when: pd.Timestamp) -> int:
        return int(df.index.searchsorted(when, side="right")) - 1

    out = []
    for d in dates:
        d = pd.Timestamp(d)
        i = at(d)
        row: dict[str, object] = {"date": d}
        for h in [*horizons, "rest_of_year"]:
            end = (
                pd.Timestamp(year=d.year, month=12, day=31)
                if h == "rest_of_year"
                else d + pd.DateOffset(months=int(h[:-1]))
            )
            if i < 0 or end > as_of:
                row[h] = float("nan")
                continue
            j = at(end)
            if j <= i:
                row[h] = float("nan")
                continue
            row[h] = float(df["a"].iloc[j] / df["a"].iloc[i] - df["b"].iloc[j] / df["b"].iloc[i])
        out.append(row)
    return pd.DataFrame(out, columns=["date", *horizons, "rest_of_year"])


def _walk(rng: np.random.Generator, start: str, n: int, freq: str = "B") -> pd.Series:
    idx = pd.date_range(start, periods=n, freq=freq)
    idx = idx[rng.random(n) > 0.1]
    v = 50 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx))))
    v[rng.random(len(v)) < 0.03] = np.nan
    return pd.Series(v, index=idx)


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    for c in want.columns[1:]:
        assert np.array_equal(got[c].to_numpy(float), want[c].to_numpy(float), equal_nan=True)


@pytest.mark.parametrize("seed", range(8))
def test_outcomes_match_the_pandas_definition_on_random_series(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = _walk(rng, "2005-01-03", 3000), _walk(rng, "2006-06-01", 2600)
    if seed % 2:
        b = b.resample("ME").last()  # monthly against daily
    dates = [*pd.to_datetime(rng.choice(a.index, 12)).sort_values(), pd.Timestamp("2004-01-01")]
    as_of = a.index[int(rng.integers(len(a) // 2, len(a)))]
    got = outcomes(a, b, dates, as_of)
    _same(got, reference(a, b, dates, as_of))
    assert got[list(HORIZONS)].notna().to_numpy().sum() > 0  # not all pending
    _same(outcomes(a, b, dates[:1], as_of, horizons=("1M",)), reference(a, b, dates[:1], as_of, ("1M",)))
    _same(outcomes(a, b, [], as_of), reference(a, b, [], as_of))


def test_outcomes_fall_back_to_pandas_for_unsorted_or_duplicate_dates() -> None:
    rng = np.random.default_rng(3)
    a, b = _walk(rng, "2010-01-04", 800), _walk(rng, "2010-01-04", 800)
    dates, as_of = [a.index[100], a.index[300]], a.index[-1]
    _same(outcomes(a[::-1], b, dates, as_of), reference(a[::-1], b, dates, as_of))


@pytest.mark.skipif(not (SHARED / "prices").is_dir(), reason="../shared/data absent")
def test_outcomes_match_the_pandas_definition_on_the_shared_data() -> None:
    from hypecheck.api import load_catalog

    cat = load_catalog(SHARED)
    a, b = cat.get("price", "IWM").values, cat.get("price", "SPY").values
    dates = list(a.index[::250][2:])
    as_of = pd.Timestamp("2026-01-16")
    got = outcomes(a, b, dates, as_of)
    _same(got, reference(a, b, dates, as_of))
    assert got["12M"].notna().sum() >= 5


@pytest.mark.parametrize("seed", range(5))
def test_paired_is_the_inner_join_without_nans(seed: int) -> None:
    from hypecheck.analytics.episodes import paired

    rng = np.random.default_rng(seed)
    a, b = _walk(rng, "2008-01-01", 1500), _walk(rng, "2009-03-02", 1400)
    want = pd.concat({"a": a, "b": b}, axis=1, join="inner", sort=True).dropna()
    for x, y in ((a, b), (a[::-1], b)):  # the NumPy path, and the pandas one for unsorted input
        idx, av, bv = paired(x, y)
        assert idx.equals(want.index) and idx.dtype == want.index.dtype
        assert np.array_equal(av, want["a"].to_numpy()) and np.array_equal(bv, want["b"].to_numpy())
    cut = want.index[len(want) // 2]
    idx, av, _ = paired(a, b, cut)
    assert idx.equals(want.index[want.index <= cut]) and np.array_equal(av, want.loc[:cut, "a"].to_numpy())
