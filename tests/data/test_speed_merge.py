"""The NumPy merge step (schema._combine_sorted) against its pandas definition (schema._combine, i.e.
intersection, conflicts and ``combine_first``) bit for bit, on random series and on the shared data's
merged series; and a catalog reading a key's inputs merges once, with the same result and report as
adding them one by one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hypecheck import schema
from hypecheck.schema import Catalog, SeriesData, SeriesMeta, _combine, _combine_sorted, merge_inputs

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _series(rng: np.random.Generator, start: str, n: int, name: str | None = "v") -> pd.Series:
    idx = pd.bdate_range(start, periods=n)
    idx = idx[rng.random(n) > 0.2]  # gaps
    v = np.round(rng.normal(3, 2, len(idx)), 2)
    v[rng.random(len(v)) < 0.05] = np.nan
    return pd.Series(v, index=idx, name=name)


def _same_step(a: tuple, b: tuple) -> None:
    pd.testing.assert_series_equal(a[0], b[0], check_exact=True)
    assert np.array_equal(a[0].to_numpy(), b[0].to_numpy(), equal_nan=True)
    assert a[0].index.equals(b[0].index) and a[0].name == b[0].name and a[0].index.dtype == b[0].index.dtype
    assert a[1].equals(b[1]) and a[1].dtype == b[1].dtype
    assert a[2:] == b[2:]


@pytest.mark.parametrize("seed", range(12))
def test_numpy_step_is_the_pandas_step_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = _series(rng, "2010-01-01", 400)
    b = _series(rng, str(a.index[rng.integers(0, len(a))].date()), 300, name="v" if seed % 3 else "w")
    b.iloc[::7] = b.iloc[::7] * (1 + rng.choice([0, 1e-9, 1e-3], size=len(b.iloc[::7])))  # some conflicts
    if seed % 4 == 0:
        b.loc[a.index.intersection(b.index)] = a  # agreeing overlap
    fast = _combine_sorted(a, b)
    assert fast is not None
    _same_step(fast, _combine(a, b))
    if seed % 2:
        assert fast[3] > 0 and fast[4] is not None  # the conflicts were found, not just skipped


def test_numpy_step_declines_what_it_does_not_cover() -> None:
    rng = np.random.default_rng(1)
    a, b = _series(rng, "2020-01-01", 50), _series(rng, "2020-02-01", 50)
    assert _combine_sorted(a[::-1], b) is None  # unsorted
    assert _combine_sorted(a.tz_localize("UTC"), b.tz_localize("UTC")) is None
    assert _combine_sorted(a.astype("float32"), b) is None
    assert _combine_sorted(pd.concat([a, a]), b) is None  # duplicate dates


def _meta(origin: str) -> SeriesMeta:
    return SeriesMeta(id="X", kind="macro", source="files", origin=origin, frequency="D")


def test_catalog_merges_a_keys_inputs_once_with_the_same_result() -> None:
    rng = np.random.default_rng(5)
    parts = [SeriesData(_meta(f"f{k}.csv"), _series(rng, f"201{k}-01-01", 900)) for k in range(3)]
    eager = Catalog()
    for p in parts:
        eager.add(p)
    from hypecheck.schema import Pending

    lazy = Catalog()
    for p in parts:
        lazy.add_pending(Pending("macro", "X", "D", p.meta.origin, lambda p=p: [p]))
    calls = []
    orig = schema.merge_inputs
    schema.merge_inputs = lambda ps: calls.append(len(ps)) or orig(ps)  # type: ignore[assignment]
    try:
        got = lazy.get("macro", "X")
    finally:
        schema.merge_inputs = orig  # type: ignore[assignment]
    assert calls == [3]  # one merge of all three, not [2, 3]
    want = eager.get("macro", "X")
    pd.testing.assert_series_equal(got.values, want.values, check_exact=True)
    assert got.meta == want.meta
    assert lazy.report.merges == eager.report.merges


@pytest.mark.skipif(not (SHARED / "macro").is_dir(), reason="../shared/data absent")
def test_shared_merges_are_the_pandas_merges(monkeypatch: pytest.MonkeyPatch) -> None:
    from hypecheck.api import load_catalog

    cat = load_catalog(SHARED)
    n = 0
    for sid in ("FEDFUNDS", "DGS2", "DGS10", "T10Y2Y", "BAMLH0A0HYM2", "VIXCLS"):
        parts = cat.inputs("macro", sid, cat.get("macro", sid).meta.frequency)
        if len(parts) < 2:
            continue
        fast = merge_inputs(parts)
        with monkeypatch.context() as m:
            m.setattr(schema, "_combine_sorted", lambda a, b: None)
            slow = merge_inputs(parts)
        pd.testing.assert_series_equal(fast.values, slow.values, check_exact=True)
        assert fast.meta == slow.meta
        n += 1
    assert n >= 4


def test_series_data_values_are_its_own_float64_copy() -> None:
    """SeriesData no longer calls astype on float64 values: they are still a new Series, named by the
    id, and writing to either side leaves the other as it was."""
    v = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2020-01-01", "2020-01-02"]), name="q")
    s = SeriesData(SeriesMeta(id="X", kind="price", source="t", origin="o"), v)
    assert s.values is not v and s.values.name == "X" and v.name == "q"
    s.values.iloc[0] = 5.0
    v.iloc[1] = 7.0
    assert v.tolist() == [1.0, 7.0] and s.values.tolist() == [5.0, 2.0]
    ints = SeriesData(
        SeriesMeta(id="Y", kind="price", source="t", origin="o"), pd.Series([1, 2], index=v.index)
    )
    assert ints.values.dtype == np.float64 and ints.values.tolist() == [1.0, 2.0]
