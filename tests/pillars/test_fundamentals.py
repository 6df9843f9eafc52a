"""Measured fundamentals: publication lag (no look-ahead), earnings growth and CAPE percentile on the
flagship against an independent read of Shiller's workbook, and the theme validation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hypecheck
from hypecheck.errors import ThemeError
from hypecheck.pillars.fundamentals import known_values


def test_known_values_respects_period_end_and_lag() -> None:
    idx = pd.date_range("2025-01-01", periods=12, freq="MS")
    s = pd.Series(np.arange(12.0), index=idx)
    k = known_values(s, "M", pd.Timestamp("2026-01-16"), 3)
    # September 2025 ends 30 Sep, plus 3 months = 30 Dec 2025 <= 16 Jan 2026; October would be 31 Jan
    assert k.index[-1] == pd.Timestamp("2025-09-01")
    assert known_values(s, "M", pd.Timestamp("2026-01-16"), 0).index[-1] == pd.Timestamp("2025-12-01")
    # appending later values never changes what was known
    s2 = pd.concat([s, pd.Series([99.0], index=[pd.Timestamp("2026-01-01")])])
    pd.testing.assert_series_equal(known_values(s2, "M", pd.Timestamp("2026-01-16"), 3), k, check_freq=False)


def test_flagship_earnings_and_cape_match_the_workbook(shared_data: Path) -> None:
    pytest.importorskip("python_calamine")
    raw = pd.read_excel(
        shared_data / "fundamentals" / "shiller" / "ie_data.xls",
        sheet_name="Data",
        header=None,
        engine="calamine",
    )
    rows = raw.iloc[8:]
    date = pd.to_numeric(rows[0], errors="coerce")
    e = pd.to_numeric(rows[3], errors="coerce")
    cape = pd.to_numeric(rows[12], errors="coerce")

    def at(col: pd.Series, y: int, m: int) -> float:
        return float(col[(date - (y + m / 100)).abs() < 1e-6].iloc[0])

    d = hypecheck.check("small-cap-rotation", data=shared_data, as_of="2026-01-16").to_dict()
    ev = {x["id"]: x for x in d["evidence"]}
    growth = ev["fundamental:shiller:E:growth"]
    assert growth["value"] == pytest.approx(at(e, 2025, 9) / at(e, 2024, 9) - 1, abs=1e-12)
    assert growth["leaning"] == "catalyst"
    c = ev["fundamental:shiller:CAPE:percentile"]
    hist = cape[(date < 2025.09 - 1e-6) & cape.notna()].to_numpy(float)
    last = at(cape, 2025, 9)
    expected = 100 * ((hist < last).sum() + 0.5 * (hist == last).sum()) / hist.size
    assert c["value"] == pytest.approx(expected, abs=1e-9)
    assert c["leaning"] == "neutral"


def test_bundled_has_no_shiller_and_says_so() -> None:
    d = hypecheck.check("small-cap-rotation").to_dict()
    miss = [m for m in d["missing"] if m["id"].startswith("fundamental:shiller")]
    assert len(miss) == 2 and "ie_data.xls" in miss[0]["how_to_fix"]


def test_fundamentals_validation(tmp_path: Path) -> None:
    bad = tmp_path / "t.toml"
    bad.write_text(
        'id = "t"\ntitle = "t"\nquestion = "q"\n[[price.pairs]]\nleader = "IWM"\nlaggard = "SPY"\n'
        '[[fundamentals]]\nid = "shiller:E"\nmeasure = "growth"\nneeds = "high"\nlag_months = 99\n'
        '[[fundamentals]]\nid = "shiller:CAPE"\nmeasure = "median"\n'
    )
    with pytest.raises(ThemeError) as ei:
        hypecheck.load_theme(bad)
    msg = str(ei.value)
    assert (
        "fundamentals[0].needs" in msg
        and "fundamentals[0].lag_months" in msg
        and "fundamentals[1].measure" in msg
    )
