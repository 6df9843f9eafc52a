"""Publication lags for series without vintages (hypecheck.release): a value is used only once its
release date has passed, through the panel (single checks) and the lab's market context."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hypecheck.known import cut_known
from hypecheck.release import LAGS, lag_days
from hypecheck.schema import SeriesData, SeriesMeta


def _weekly_claims(id: str = "ICSA") -> SeriesData:
    idx = pd.date_range("2025-03-01", "2025-04-26", freq="W-SAT")  # FRED stamps the week-ending Saturday
    return SeriesData(
        SeriesMeta(id, "macro", "files", "hand-built", frequency="W"),
        pd.Series(range(len(idx)), index=idx, dtype="float64"),
    )


def test_initial_claims_wait_for_the_thursday_after_their_week() -> None:
    s = _weekly_claims()
    # the week ending Saturday 2025-04-12 is published on Thursday 2025-04-17
    cut, note = cut_known(s, pd.Timestamp("2025-04-15"))
    assert cut.values.index[-1] == pd.Timestamp("2025-04-05")  # published 2025-04-10
    assert note is not None and "published 5 days after" in note and "1 unfinished or unpublished" in note
    cut, _ = cut_known(s, pd.Timestamp("2025-04-17"))
    assert cut.values.index[-1] == pd.Timestamp("2025-04-12")  # known on its release day
    # a weekly series with no documented lag waits the assumed 7 days, and says so
    other, note2 = cut_known(_weekly_claims("XYZ"), pd.Timestamp("2025-04-15"))
    assert other.values.index[-1] == pd.Timestamp("2025-04-05")
    assert note2 is not None and "assumed lag 7 days" in note2
    assert cut_known(_weekly_claims("XYZ"), pd.Timestamp("2025-04-19"))[0].values.index[-1] == pd.Timestamp(
        "2025-04-12"
    )


def test_monthly_release_lag_counts_from_the_period_end() -> None:
    idx = pd.date_range("2025-01-01", "2025-06-01", freq="MS")  # FRED monthly stamps on the 1st
    s = SeriesData(
        SeriesMeta("UNRATE", "macro", "files", "hand-built", frequency="M"),
        pd.Series([4.0, 4.1, 4.2, 4.2, 4.3, 4.1], index=idx),
    )
    # April's rate (stamped 2025-04-01) ends 2025-04-30 and is published by 2025-05-07
    assert cut_known(s, pd.Timestamp("2025-05-06"))[0].values.index[-1] == pd.Timestamp("2025-03-01")
    assert cut_known(s, pd.Timestamp("2025-05-07"))[0].values.index[-1] == pd.Timestamp("2025-04-01")


def test_lag_table_is_case_insensitive_and_positive() -> None:
    assert lag_days("icsa") == 5 and lag_days("NOPE") == 0
    assert lag_days("NOPE", "M") == 60 and lag_days("NOPE", "D") == 0 and lag_days("icsa", "M") == 5
    assert all(v >= 0 for v in LAGS.values())


def test_icsa_in_the_shared_data_as_of_2025_04_15(shared_data: Path) -> None:
    """Issue 14's case: the defensives check as of 2025-04-15 must not use the week ending
    2025-04-12 (published 2025-04-17)."""
    from hypecheck.api import load_catalog

    catalog = load_catalog(shared_data)
    s = catalog.get("macro", "ICSA")
    cut, _ = cut_known(s, pd.Timestamp("2025-04-15"))
    raw = s.values.loc[: pd.Timestamp("2025-04-15")]
    assert raw.index[-1] == pd.Timestamp("2025-04-12")  # the file holds that week ...
    assert cut.values.index[-1] == pd.Timestamp("2025-04-05")  # ... but it was not yet published
