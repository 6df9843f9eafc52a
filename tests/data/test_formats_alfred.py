"""ALFRED's all-vintages CSV (hand-built fixture in ALFRED's documented layout; see its README)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hypecheck.data.folder import FilesSource, detect_format, load_file
from hypecheck.errors import FormatError

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "alfred" / "handbuilt_claims_vintages.csv"
TODAY = "2026-01-01"

V10, V17, V24 = (pd.Timestamp(d) for d in ("2025-04-10", "2025-04-17", "2025-04-24"))
OBS = pd.DatetimeIndex(["2025-03-29", "2025-04-05", "2025-04-12", "2025-04-19"])


def test_detected_as_alfred() -> None:
    assert detect_format(FIXTURE) == "alfred"


def test_values_are_each_observations_latest_vintage() -> None:
    (s,), entry = load_file(FIXTURE, today=TODAY)
    assert (s.meta.kind, s.meta.id, s.meta.frequency) == ("macro", "ICSA", "W")
    assert entry.format == "alfred" and entry.rejected_rows == 0
    assert s.values.index.equals(OBS)
    # the latest vintage (04-24) holds every observation; it is the third column of the file
    assert s.values.tolist() == [219000.0, 224000.0, 216000.0, 222000.0]


def test_vintages_frame() -> None:
    (s,), _ = load_file(FIXTURE, today=TODAY)
    v = s.vintages
    assert v is not None
    assert list(v.columns) == [V10, V17, V24]  # sorted by date, not in the file's column order
    assert v.index.equals(s.values.index)
    assert v[V10].tolist()[:2] == [219000.0, 223000.0]
    assert np.isnan(v.loc["2025-04-12", V10]) and np.isnan(v.loc["2025-04-19", V10])  # '.' and empty
    assert v[V17].tolist()[:3] == [219000.0, 224000.0, 215000.0] and np.isnan(v.loc["2025-04-19", V17])
    assert v[V24].tolist() == s.values.tolist()
    # what was known on 2025-04-20: each observation's value in the latest vintage dated by then
    known = v.loc[:, v.columns <= pd.Timestamp("2025-04-20")].ffill(axis=1).iloc[:, -1].dropna()
    assert known.to_dict() == {
        pd.Timestamp("2025-03-29"): 219000.0,
        pd.Timestamp("2025-04-05"): 224000.0,
        pd.Timestamp("2025-04-12"): 215000.0,
    }


def test_vintages_after_today_are_dropped_and_counted() -> None:
    (s,), entry = load_file(FIXTURE, today="2025-04-20")
    assert s.vintages is not None and list(s.vintages.columns) == [V10, V17]
    assert s.values.tolist() == [219000.0, 224000.0, 215000.0]  # 04-19 is in no vintage known by then
    assert entry.rejected_rows == 4  # the four cells of the 04-24 vintage
    assert "vintage dated after today (2025-04-20): 4" in entry.reason


def _write(tmp_path: Path, header: str) -> Path:
    p = tmp_path / "X.csv"
    p.write_text(f"{header}\n2025-03-29,1,2\n2025-04-05,3,4\n")
    return p


@pytest.mark.parametrize(
    ("header", "says"),
    [
        (
            "observation_date,ICSA_20250410,ICSA_2025041",
            "ALFRED column 'ICSA_2025041' is not <SERIES>_<YYYYMMDD>",
        ),
        (
            "observation_date,ICSA_20250410,ICSA_20251341",
            "ALFRED column 'ICSA_20251341': '20251341' is not a date",
        ),
        ("observation_date,ICSA_20250410,UNRATE_20250417", "ALFRED columns of several series (ICSA, UNRATE)"),
        ("observation_date,ICSA_20250410,ICSA_20250410", "duplicate column names"),
        ("observation_date,ICSA_20250410,icsa", "ALFRED column 'icsa' is not <SERIES>_<YYYYMMDD>"),
    ],
)
def test_malformed_columns_are_a_clear_error(tmp_path: Path, header: str, says: str) -> None:
    with pytest.raises(FormatError) as err:
        load_file(_write(tmp_path, header), today=TODAY)
    assert says in err.value.message
    assert str(tmp_path / "X.csv") in err.value.message
    if "duplicate" not in says:
        assert "ALFRED (all vintages)" in (err.value.hint or "")


def test_in_a_folder_read_when_asked(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "ICSA.csv").write_bytes(FIXTURE.read_bytes())
    cat = FilesSource(folder, today=TODAY).load()
    assert cat.has("macro", "ICSA") and cat.resolve("macro", "icsa") == "ICSA"
    s = cat.get("macro", "ICSA")
    assert s.vintages is not None and list(s.vintages.columns) == [V10, V17, V24]
    assert cat.report.loaded[0].format == "alfred"
