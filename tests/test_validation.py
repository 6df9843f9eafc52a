"""Boundary validation: nothing dropped silently, splits and gaps reported, on hand-made series."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hypecheck.validation import validate


def test_counts_balance_with_reasons() -> None:
    idx = [
        "2024-01-02",
        "2024-01-03",
        "2024-01-03",
        "2024-01-04",
        "2024-01-05",
        "2024-01-05",
        "not a date",
        "2024-01-08",
    ]
    vals = [10.0, 11.0, 11.0, -1.0, 12.0, 13.0, 5.0, np.nan]
    clean, rep = validate(pd.Series(vals, index=idx), kind="price", id="X")
    assert rep.balanced and rep.rows_in == 8
    assert clean.index.is_monotonic_increasing and clean.index.is_unique
    assert clean.tolist() == [10.0, 11.0]  # 01-05 conflicting -> both rejected; 01-03 identical -> kept once
    assert rep.reasons() == {
        "unparsable date": 1,
        "missing or non-numeric value": 1,
        "non-positive price": 1,
        "duplicate date with conflicting values": 2,
        "duplicate date (identical repeat)": 1,
    }


def test_macro_keeps_zero_and_negative_values() -> None:
    clean, rep = validate(
        pd.Series([0.5, 0.0, -0.3], index=pd.bdate_range("2024-01-01", periods=3)), kind="macro"
    )
    assert clean.tolist() == [0.5, 0.0, -0.3] and not rep.rejected


def test_unadjusted_splits_and_gaps_are_reported_not_changed() -> None:
    idx = pd.bdate_range("2020-01-01", periods=60)
    px = np.full(60, 100.0)
    px[30:] = 25.0  # a 4:1 split left unadjusted
    px[45:] = 250.0  # a 1:10 reverse split
    s = pd.Series(px, index=idx).drop(idx[10:25])  # a three-week hole
    clean, rep = validate(s, kind="price", id="X")
    assert clean.tolist() == s.tolist()
    assert [(x["date"], x["ratio"]) for x in rep.splits] == [
        (str(idx[30].date()), "4:1"),
        (str(idx[45].date()), "1:10"),
    ]
    assert len(rep.gaps) == 1 and rep.gaps[0]["after"] == str(idx[9].date()) and rep.gaps[0]["days"] >= 21
    ordinary = pd.Series(
        100 * np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.01, 300))),
        index=pd.bdate_range("2020-01-01", periods=300),
    )
    assert validate(ordinary)[1].splits == []  # ordinary moves are not splits


def test_monthly_gaps() -> None:
    idx = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-05-01", "2024-06-01"])
    _, rep = validate(pd.Series([1.0, 2.0, 3.0, 4.0], index=idx), kind="macro", id="M")
    assert [g["after"] for g in rep.gaps] == ["2024-02-01"]
