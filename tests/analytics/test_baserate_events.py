"""Base-rate queries and the catalyst event study: parser, period returns and counts against
independent computations (on the shared ETF data and the bundled long history), event windows by hand,
and the flagship report stating every figure issue 5 asks for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hypecheck
from hypecheck.analytics.baserate import base_rate, parse_condition, period_returns
from hypecheck.analytics.events import event_windows, move_onset, move_order
from hypecheck.errors import InputError, ThemeError

AS_OF = "2026-01-16"


def read(shared: Path, t: str) -> pd.Series:
    df = pd.read_csv(shared / "prices" / "etf_daily" / f"{t}.csv")
    return pd.Series(df["Close"].to_numpy(float), index=pd.to_datetime(df["Date"]), name=t)


# ----------------------------------------------------------------------------- the condition parser


@pytest.mark.parametrize(
    ("text", "row", "holds"),
    [
        ("SPY >= 0.10", {"SPY": 0.10}, True),
        ("SPY >= 10%", {"SPY": 0.0999}, False),
        ("XLK < SPY", {"XLK": 0.05, "SPY": 0.06}, True),
        ("IWM - SPY > 0.025", {"IWM": 0.10, "SPY": 0.07}, True),
        ("IWM - SPY > 2.5%", {"IWM": 0.10, "SPY": 0.08}, False),
        ("ff:ind:BusEq <= ff:Mkt", {"ff:ind:BusEq": 0.1, "ff:Mkt": 0.1}, True),
        ("-0.05 < SPY", {"SPY": -0.04}, True),
    ],
)
def test_conditions(text: str, row: dict, holds: bool) -> None:
    assert parse_condition(text).holds(row) is holds


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("SPY", "no comparison"),
        ("SPY == 0.1", "no comparison"),
        ("SPY >= 1 0", "cannot read"),
        ("0.1 < 0.2", "two numbers"),
        ("SPY >= __import__('os')", "cannot read"),
        ("SPY-XLK > 0", None),  # no spaces: read as one id (ids may contain '-'), fails later as unknown
    ],
)
def test_condition_errors(text: str, words: str | None) -> None:
    if words is None:
        c = parse_condition(text)
        assert c.ids() == ["SPY-XLK"]
        with pytest.raises(InputError, match="SPY-XLK"):
            base_rate(pd.DataFrame({"SPY": [0.1], "XLK": [0.2]}, index=[2020]), [c])
        return
    with pytest.raises(InputError, match=words):
        parse_condition(text)


# ----------------------------------------------------------------------------- period returns


def test_period_returns_complete_years_only() -> None:
    idx = pd.bdate_range("2019-03-01", "2022-06-30")
    s = pd.Series(np.linspace(100, 200, len(idx)), index=idx)
    r = period_returns({"X": s}, pd.Timestamp("2022-06-30"))
    # 2019 has a December close but no base (no close in December 2018); 2022 is not complete
    assert list(r.index) == [2020, 2021]
    for y in (2020, 2021):
        end = s.loc[: f"{y}-12-31"].iloc[-1]
        base = s.loc[: f"{y - 1}-12-31"].iloc[-1]
        assert r.at[y, "X"] == pytest.approx(end / base - 1, abs=1e-15)
    q = period_returns({"X": s}, pd.Timestamp("2022-06-30"), "Q")
    assert q.index[-1] == "2022Q2" and q.index[0] == "2019Q2"
    with pytest.raises(InputError, match="period"):
        period_returns({"X": s}, pd.Timestamp("2022-06-30"), "W")


def test_base_rate_counts_and_last_n() -> None:
    r = pd.DataFrame(
        {"I": [0.12, 0.05, 0.20, 0.15, -0.1], "T": [0.10, 0.09, 0.25, 0.01, -0.2]},
        index=[2020, 2021, 2022, 2023, 2024],
    )
    b = base_rate(r, ["I >= 0.10", "T < I"], then=["T > 0.05"])
    assert b.n == 5 and b.matches == [2020, 2023] and b.hit_rate == pytest.approx(0.4)
    assert b.then_hits == [2020] and b.then_rate == pytest.approx(0.5)
    b3 = base_rate(r, ["I >= 0.10", "T < I"], last=3)
    assert b3.periods == [2022, 2023, 2024] and b3.matches == [2023]
    with pytest.raises(InputError, match="no period returns: Z"):
        base_rate(r, ["Z > 0"])
    with pytest.raises(InputError, match="at least one condition"):
        base_rate(r, [])


def test_base_rate_on_shared_etfs_equals_an_independent_count(shared_data: Path) -> None:
    spy, xlk = read(shared_data, "SPY"), read(shared_data, "XLK")

    # independent: each year's last December close, year over year, complete years <= 2025
    def dec_close(s: pd.Series, y: int) -> float | None:
        d = s.loc[(s.index.year == y) & (s.index.month == 12)]
        return float(d.iloc[-1]) if len(d) else None

    yrs = {}
    for y in range(1990, 2026):
        vals = [(dec_close(s, y), dec_close(s, y - 1)) for s in (spy, xlk)]
        if all(a is not None and b is not None for a, b in vals):
            yrs[y] = [a / b - 1 for a, b in vals]  # type: ignore[operator]
    expected = [y for y, (rs, rt) in yrs.items() if rs >= 0.10 and rt < rs]
    yr = pd.Series(yrs)
    rets = period_returns({"SPY": spy, "XLK": xlk}, pd.Timestamp(AS_OF))
    got = base_rate(rets, ["SPY >= 0.10", "XLK < SPY"])
    assert got.matches == expected
    assert got.n == len(yr) and got.first == int(yr.index[0]) and got.last == 2025
    last10 = base_rate(rets, ["SPY >= 0.10", "XLK < SPY"], last=10)
    assert last10.matches == [y for y in expected if y >= 2016]


def test_bundled_long_history_count_is_independent(bundled_catalog) -> None:
    mkt = bundled_catalog.get("price", "ff:Mkt").values
    tech = bundled_catalog.get("price", "ff:ind:BusEq").values
    df = pd.concat({"m": mkt, "t": tech}, axis=1).dropna()
    dec = df.loc[df.index.month == 12]
    dec.index = dec.index.year
    yr = dec.pct_change().dropna()
    expected = [int(y) for y, r in yr.iterrows() if r["m"] >= 0.10 and r["t"] < r["m"] and y <= 2016]
    rets = period_returns({"SPY": mkt, "XLK": tech}, pd.Timestamp("2017-01-16"))
    assert base_rate(rets, ["SPY >= 0.10", "XLK < SPY"]).matches == expected


def test_theme_base_rates_are_validated(tmp_path: Path) -> None:
    bad = tmp_path / "t.toml"
    bad.write_text(
        'id = "t"\ntitle = "t"\nquestion = "q"\n[[price.pairs]]\nleader = "IWM"\nlaggard = "SPY"\n'
        '[[base_rates]]\nid = "x"\nclaim = "c"\nwhen = ["SPY >> 1", "XLK < SPY"]\nperiod = "W"\nlast = 0\n'
    )
    with pytest.raises(ThemeError) as ei:
        hypecheck.load_theme(bad)
    msg = str(ei.value)
    assert "base_rates[0].when" in msg and "base_rates[0].period" in msg and "base_rates[0].last" in msg


# ----------------------------------------------------------------------------- event windows


def test_event_windows_by_hand_including_a_holiday() -> None:
    idx = pd.bdate_range("2025-06-02", periods=60)
    a = pd.Series(np.arange(100.0, 160.0), index=idx)
    b = pd.Series(np.full(60, 50.0), index=idx)
    ev = event_windows(a, b, [pd.Timestamp("2025-07-05")], windows=((-5, 0), (0, 5), (0, 100)))  # a Saturday
    day0 = idx[idx <= "2025-07-05"][-1]
    assert (ev["day0"] == day0).all()
    p = idx.get_loc(day0)
    got = ev.set_index("window")["spread"]
    assert got["-5..+0d"] == pytest.approx(a.iloc[p] / a.iloc[p - 5] - 1)
    assert got["0..+5d"] == pytest.approx(a.iloc[p + 5] / a.iloc[p] - 1)
    assert np.isnan(got["0..+100d"])  # past the data: unfinished, never partial


@pytest.mark.parametrize(
    ("before", "after", "word"),
    [
        (0.001, 0.03, "after"),
        (0.03, 0.005, "before"),
        (0.03, -0.02, "before, reversed after"),
        (-0.03, 0.02, "against before, recovered after"),
        (0.002, -0.004, "none"),
        (0.02, float("nan"), "unfinished"),
        (0.0, -0.03, "after (against the leader)"),
    ],
)
def test_move_order(before: float, after: float, word: str) -> None:
    assert move_order(before, after, 0.01) == word


def test_move_onset_is_the_start_of_the_current_positive_run() -> None:
    idx = pd.bdate_range("2025-01-01", periods=80)
    a = pd.Series(np.r_[np.linspace(100, 90, 40), np.linspace(90, 120, 40)], index=idx)
    b = pd.Series(100.0, index=idx)
    onset = move_onset(a, b, days=20)
    spread = (a / a.shift(20) - 1).dropna()
    expected = spread.index[(spread > 0) & ~(spread.shift(1) > 0)][-1]
    assert onset == expected


# ----------------------------------------------------------------------------- the flagship report


@pytest.fixture(scope="module")
def flagship(shared_data: Path):
    return hypecheck.check("small-cap-rotation", data=shared_data, as_of=AS_OF)


def test_flagship_states_every_issue_5_figure(flagship, shared_data: Path, tmp_path: Path) -> None:
    from hypecheck.report import write_report

    d = flagship.to_dict()
    ev = {e["id"]: e for e in d["evidence"]}
    assert d["tables"]["catalysts.policy"][0]["regime"] == "cutting"
    for sid in ("DGS2", "DGS10", "BAMLH0A0HYM2"):
        assert f"macro:{sid}" in ev
    es = [r for r in d["tables"]["catalysts.event_study"] if r["date"] == "2025-07-04"]
    assert {r["spread"] for r in es} == {"IWM - SPY", "RSP - SPY"}
    iwm, spy = read(shared_data, "IWM"), read(shared_data, "SPY")
    both = pd.concat([iwm, spy], axis=1, sort=True).dropna()
    p = both.index.get_loc(both.index[both.index <= "2025-07-04"][-1])  # 4 July is a holiday: 3 July
    r = both.iloc[p + 20] / both.iloc[p] - 1
    row = next(r_ for r_ in es if r_["spread"] == "IWM - SPY")
    assert row["0..+20d"] == pytest.approx(float(r["IWM"] - r["SPY"]), abs=1e-12)
    scen = d["tables"]["structure.scenarios"]
    assert [round(x["group_return"], 2) for x in scen[:3]] == [-0.10, 0.0, 0.10]
    for x in scen[:3]:
        assert x["required_rest"] == pytest.approx((0.10 - 0.44 * x["group_return"]) / 0.56)
    br = ev["base-rate:index-up-10-tech-lagging"]
    assert "2024" in br["detail"] and "1 of 10 years (2016-2025)" in br["finding"]
    out = write_report(flagship, tmp_path)
    html = out["html"].read_text("utf-8")
    for needle in (
        "cutting",
        "DGS2",
        "DGS10",
        "BAMLH0A0HYM2",
        "2025-07-04",
        "index-up-10-tech-lagging",
        "2024",
    ):
        assert needle in html, needle
    assert (tmp_path / "charts" / "event_study.png").stat().st_size > 5000


def test_sequence_orders_catalysts_attention_and_price(flagship) -> None:
    seq = flagship.to_dict()["tables"]["catalysts.sequence"]
    dates = [r["date"] for r in seq]
    assert dates == sorted(dates)
    kinds = {r["what"].split(":")[0] for r in seq}
    assert {"catalyst", "attention", "price"} <= kinds
    assert all(r["date"] <= AS_OF for r in seq)
