"""The lab's panel cache reads back the same frame through pyarrow (used when installed) and duckdb
(the fallback): both go through ``_normalise``, so every column, dtype and value must agree, and both
must equal the frame that was written."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hypecheck.lab import history as H


def _frame(n: int = 500) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    dates = pd.bdate_range("2001-01-02", periods=n)
    out = pd.DataFrame(
        {
            "date": dates,
            "known_6m": dates + pd.Timedelta(days=182),
            "leader": rng.choice(["IWM", "SPY", "QQQ", "RSP"], n),
            "laggard": rng.choice(["IWB", "TLT", "GLD"], n),
            "cluster": [f"c{i // 3}" for i in range(n)],
            "direction": rng.choice([-1, 1], n),
            "sharpness": rng.normal(size=n),
            "outcome_6m": np.where(rng.random(n) < 0.1, np.nan, rng.normal(scale=0.05, size=n)),
        }
    )
    return H._normalise(out)


def test_pyarrow_and_duckdb_read_the_same_panel(tmp_path) -> None:
    pytest.importorskip("pyarrow")
    df = _frame()
    path = tmp_path / "panel.parquet"
    H._write_cached(path, df)
    a = H._read_cached(path)
    b = H._read_cached_duckdb(path)
    assert a is not None and b is not None
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(a, df, check_exact=True)
    assert a["outcome_6m"].isna().sum() == df["outcome_6m"].isna().sum() > 0


def test_a_damaged_cache_file_is_a_miss_either_way(tmp_path) -> None:
    path = tmp_path / "panel.parquet"
    path.write_bytes(b"PAR1 not really parquet")
    assert H._read_cached(path) is None
    assert H._read_cached_duckdb(path) is None
