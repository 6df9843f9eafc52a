"""Analytics against hand-worked cases and independent computations."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hypecheck import asvi, required_return
from hypecheck.analytics.returns import all_time_high, relative_strength, window_anchor, window_return
from hypecheck.analytics.structure import calendar_year_returns, percentile_of


def T(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


@pytest.mark.parametrize(
    ("as_of", "window", "anchor"),
    [
        ("2026-01-16", "YTD", "2025-12-31"),
        ("2026-03-31", "MTD", "2026-02-28"),
        ("2026-05-15", "QTD", "2026-03-31"),
        ("2026-01-16", "1M", "2025-12-16"),
        ("2026-03-31", "1M", "2026-02-28"),  # DateOffset clips to month end
        ("2026-01-16", "3M", "2025-10-16"),
        ("2026-01-16", "12M", "2025-01-16"),
        ("2026-01-16", "1Y", "2025-01-16"),
        ("2026-01-16", "2W", "2026-01-02"),
        ("2026-01-16", "20D", "2025-12-27"),
    ],
)
def test_window_anchor(as_of: str, window: str, anchor: str) -> None:
    assert window_anchor(T(as_of), window) == T(anchor)


def test_window_anchor_rejects_unknown() -> None:
    with pytest.raises(ValueError, match="unknown window"):
        window_anchor(T("2026-01-16"), "5Q")


def test_window_return_uses_last_close_on_or_before_anchor() -> None:
    idx = pd.to_datetime(["2025-12-29", "2025-12-30", "2026-01-02", "2026-01-05", "2026-01-20"])
    s = pd.Series([100.0, 110.0, 99.0, 121.0, 500.0], index=idx)
    r = window_return(s, T("2026-01-16"), "YTD")
    assert r.start == T("2025-12-30") and r.end == T("2026-01-05")
    assert r.value == pytest.approx(121.0 / 110.0 - 1, abs=1e-15)  # 2026-01-20 is after as-of: unused


def test_window_return_nan_when_history_too_short() -> None:
    s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2026-01-05", "2026-01-06"]))
    r = window_return(s, T("2026-01-16"), "YTD")
    assert math.isnan(r.value) and r.start is None


def test_window_return_skips_nans() -> None:
    idx = pd.to_datetime(["2025-12-30", "2025-12-31", "2026-01-02"])
    s = pd.Series([100.0, np.nan, 105.0], index=idx)
    assert window_return(s, T("2026-01-02"), "YTD").value == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("target", "weights", "returns", "expected"),
    [
        # hand-worked: 10% target, 44% flat -> 0.10 / 0.56
        (0.10, {"tech": 0.44}, {"tech": 0.0}, 0.10 / 0.56),
        # groups doing exactly the target: the rest needs the target too
        (0.10, {"a": 0.3, "b": 0.2}, {"a": 0.10, "b": 0.10}, 0.10),
        # 53% weight down 10% -> (0.10 + 0.053) / 0.47
        (0.10, {"g": 0.53}, {"g": -0.10}, (0.10 + 0.053) / 0.47),
        # two groups: (0.10 - (0.3*0.2 + 0.1*-0.05)) / 0.6 = (0.10 - 0.055)/0.6 = 0.075
        (0.10, {"a": 0.3, "b": 0.1}, {"a": 0.2, "b": -0.05}, 0.075),
        # no groups: the rest is the index
        (0.07, {}, {}, 0.07),
    ],
)
def test_required_return_hand_worked(target, weights, returns, expected) -> None:
    assert required_return(target, weights, returns) == pytest.approx(expected, abs=1e-12)


def test_required_return_scalar_scenarios() -> None:
    out = required_return(0.10, 0.44, np.array([-0.10, 0.0, 0.10]))
    np.testing.assert_allclose(out, [(0.10 + 0.044) / 0.56, 0.10 / 0.56, (0.10 - 0.044) / 0.56], atol=1e-12)


def test_required_return_errors() -> None:
    with pytest.raises(ValueError, match="leave a rest"):
        required_return(0.1, {"a": 0.6, "b": 0.4}, {"a": 0.0, "b": 0.0})
    with pytest.raises(ValueError, match="no return given"):
        required_return(0.1, {"a": 0.3}, {"b": 0.0})


@given(
    target=st.floats(-0.5, 1.0),
    w=st.floats(0.0, 0.95),
    r=st.floats(-0.9, 2.0),
)
def test_required_return_reconstructs_target(target: float, w: float, r: float) -> None:
    """Invariant: w*r_g + (1-w)*r_rest == target."""
    rest = required_return(target, {"g": w}, {"g": r})
    assert w * r + (1 - w) * rest == pytest.approx(target, abs=1e-9)


def _asvi_reference(values: list[float], k: int) -> list[float]:
    out = []
    for t, x in enumerate(values):
        if t < k:
            out.append(float("nan"))
            continue
        med = statistics.median(values[t - k : t])
        if x == 0 and med == 0:
            out.append(0.0)
        elif med == 0:
            out.append(float("inf"))
        elif x == 0:
            out.append(float("-inf"))
        else:
            out.append(math.log(x) - math.log(med))
    return out


@given(st.lists(st.integers(0, 100), min_size=1, max_size=60), st.integers(1, 12))
def test_asvi_matches_reference(values: list[int], k: int) -> None:
    s = pd.Series(
        [float(v) for v in values], index=pd.date_range("2020-01-05", periods=len(values), freq="W")
    )
    got = asvi(s, k).to_numpy()
    ref = np.array(_asvi_reference([float(v) for v in values], k))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got[~np.isnan(ref)], ref[~np.isnan(ref)], rtol=1e-12)


def test_asvi_no_look_ahead() -> None:
    s = pd.Series(np.arange(1.0, 31.0), index=pd.date_range("2020-01-01", periods=30, freq="MS"))
    longer = pd.concat([s, pd.Series([1000.0, 0.0], index=pd.date_range("2022-07-01", periods=2, freq="MS"))])
    pd.testing.assert_series_equal(asvi(s), asvi(longer).iloc[:30])


def test_relative_strength_and_high() -> None:
    idx = pd.date_range("2024-01-01", periods=4, freq="D")
    a = pd.Series([10.0, 11.0, 12.0, 12.0], index=idx)
    b = pd.Series([20.0, 20.0, 20.0, 24.0], index=idx)
    rs = relative_strength(a, b)
    np.testing.assert_allclose(rs.to_numpy(), [100.0, 110.0, 120.0, 100.0])
    hi = all_time_high(a, idx[-1])
    assert hi is not None and hi.at_high and hi.high == 12.0 and hi.high_date == idx[2]
    hi_b = all_time_high(pd.Series([5.0, 10.0, 9.0], index=idx[:3]), idx[2], tolerance=0.05)
    assert hi_b is not None and not hi_b.at_high and hi_b.drawdown == pytest.approx(-0.1)


def test_calendar_year_returns_and_percentile() -> None:
    idx = pd.to_datetime(["2019-12-31", "2020-06-30", "2020-12-31", "2021-12-31", "2022-06-30"])
    s = pd.Series([100.0, 90.0, 110.0, 121.0, 50.0], index=idx)
    yr = calendar_year_returns(s, T("2022-06-30"))
    assert list(yr.index) == [2020, 2021]  # 2022 is not complete
    np.testing.assert_allclose(yr.to_numpy(), [0.10, 0.10])
    assert percentile_of(0.15, np.array([0.1, 0.2, 0.3, 0.4])) == 25.0
    assert percentile_of(0.2, np.array([0.1, 0.2, 0.3, 0.4])) == 37.5
