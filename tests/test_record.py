"""The forward record (record.py, the store's forecasts table, `hypecheck check --store`, `hypecheck
record`): forecasts recorded once, scored on the data available later, replayed ones apart."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from hypecheck.cli import main
from hypecheck.record import realised_spread, score
from hypecheck.schema import Catalog, SeriesData, SeriesMeta
from hypecheck.store import Store


def _catalog(a: pd.Series, b: pd.Series) -> Catalog:
    cat = Catalog()
    for name, s in (("AAA", a), ("BBB", b)):
        cat.add(
            SeriesData(
                SeriesMeta(kind="price", id=name, frequency="D", source="test", origin="hand-built"), s
            )
        )
    return cat


def _row(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "f1",
        "made_on": pd.Timestamp("2021-01-05 10:00"),
        "as_of": pd.Timestamp("2020-06-30").date(),
        "data_end": pd.Timestamp("2020-06-30").date(),
        "origin": "check",
        "theme": "t",
        "source": "test",
        "leader": "AAA",
        "laggard": "BBB",
        "leader_id": "AAA",
        "laggard_id": "BBB",
        "horizon_months": 3,
        "label": "holding",
        "birth": pd.Timestamp("2020-06-01").date(),
        "move": 0.06,
        "since_birth": -0.01,
        "sigma": 0.01,
        "p_kept": 0.7,
        "p_model": 0.55,
        "base_rate": 0.5,
        "kept_half_rate": 0.65,
        "lo": -0.05,
        "hi": 0.05,
        "level": 0.8,
    }
    base.update(kw)
    return base


def test_score_realised_spread_inside_kept_half_and_pending_by_hand() -> None:
    idx = pd.bdate_range("2020-01-01", "2020-12-31")
    rng = np.random.default_rng(4)
    a = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx)))), index=idx)
    b = pd.Series(50 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx)))), index=idx)
    cat = _catalog(a, b)
    fc = pd.DataFrame(
        [
            _row(),
            _row(
                id="f2", as_of=pd.Timestamp("2020-11-02").date(), data_end=pd.Timestamp("2020-12-31").date()
            ),
        ]
    )
    res = score(fc, cat).to_dict()
    one, two = res["forecasts"]
    # by hand: 2020-06-30 to the last close on or before 2020-09-30
    want = math.log(a["2020-09-30"] / a["2020-06-30"]) - math.log(b["2020-09-30"] / b["2020-06-30"])
    assert one["realised"] == pytest.approx(want, abs=1e-12) and one["end"] == "2020-09-30"
    assert one["inside"] == (-0.05 <= want <= 0.05)
    assert one["kept_half"] == (-0.01 + want > -0.03)
    assert one["keeps_beating"] == (want > 0) and one["replayed"] is False
    assert two["realised"] is None and two["inside"] is None  # 2021-02-02 is after the data: pending
    assert two["replayed"] is True  # made when the data already ran past its as-of date
    s = res["summary"]
    assert s["live"]["scored"] == 1 and s["replayed"]["pending"] == 1
    assert s["live"]["brier_rw"] == pytest.approx((0.7 - float(one["kept_half"])) ** 2)


def test_realised_spread_uses_common_closes_only() -> None:
    a = pd.Series(
        [100.0, 101, 102, 103], index=pd.to_datetime(["2020-01-31", "2020-02-28", "2020-03-31", "2020-04-30"])
    )
    b = pd.Series([50.0, 50, 50], index=pd.to_datetime(["2020-01-31", "2020-03-31", "2020-04-30"]))
    r, end = realised_spread(a, b, pd.Timestamp("2020-01-31"), 1)  # 2020-02-29: last common close is Jan
    assert end == pd.Timestamp("2020-01-31") and r == 0.0
    r2, end2 = realised_spread(a, b, pd.Timestamp("2020-01-31"), 2)
    assert end2 == pd.Timestamp("2020-03-31") and r2 == pytest.approx(math.log(102 / 100))
    assert realised_spread(a, b, pd.Timestamp("2020-03-31"), 2) == (None, None)


def test_forecasts_are_never_rewritten_and_a_version_1_store_gains_the_table(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "s.duckdb"
    con = duckdb.connect(str(path))  # a version-1 store: no forecasts table
    from hypecheck import store as S

    for stmt in S.SCHEMA[:-1]:
        con.execute(stmt)
    con.execute("INSERT INTO store_meta VALUES ('schema_version', '1')")
    con.close()
    st = Store(path)
    assert st.forecasts().empty
    assert st.add_forecasts([_row()]) == 1
    assert st.add_forecasts([_row(label="fading faster than noise")]) == 0  # same id: kept as it was
    fc = st.forecasts()
    assert len(fc) == 1 and fc["label"].iloc[0] == "holding"
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT value FROM store_meta WHERE key='schema_version'").fetchone()[0] == "2"
    con.close()


def test_record_without_a_store_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["record", "--store", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 2 and "nothing has been recorded there" in res.output


@pytest.mark.shared
@pytest.mark.slow
def test_check_then_record_scores_the_flagship_forecast(shared_data: Path, tmp_path: Path) -> None:
    """check small-cap-rotation as of 2025-01-15 with a store, then record: the realised 6-month
    IWM-SPY spread equals an independent computation from the CSVs, and `inside` agrees with the range."""
    store = tmp_path / "rec.duckdb"
    r = CliRunner().invoke(
        main,
        [
            "check",
            "small-cap-rotation",
            "--data",
            str(shared_data),
            "--as-of",
            "2025-01-15",
            "--store",
            str(store),
        ],
    )
    assert r.exit_code == 0, r.output
    out = CliRunner().invoke(main, ["record", "--store", str(store), "--data", str(shared_data), "--json"])
    assert out.exit_code == 0, out.output
    rec = json.loads(out.stdout)
    (f,) = rec["forecasts"]
    assert f["pair"] == "IWM-SPY" and f["as_of"] == "2025-01-15" and f["horizon"] == "6M"
    assert f["replayed"] is True  # the data ran to 2026-08 when it was made

    def close(t: str) -> pd.Series:
        df = pd.read_csv(shared_data / "prices" / "etf_daily" / f"{t}.csv")
        return pd.Series(df["Close"].to_numpy(float), index=pd.to_datetime(df["Date"]))

    both = pd.concat({"l": close("IWM"), "g": close("SPY")}, axis=1, join="inner").dropna()
    s = both.loc[:"2025-01-15"].iloc[-1]
    e = both.loc[:"2025-07-15"].iloc[-1]
    want = math.log(e["l"] / s["l"]) - math.log(e["g"] / s["g"])
    assert f["realised"] == pytest.approx(want, abs=1e-12)
    assert f["inside"] == (f["lo"] <= want <= f["hi"])
    assert rec["summary"]["replayed"]["scored"] == 1 and rec["summary"]["live"]["n"] == 0
