"""Member-level breadth: the compiled kernel against an independent pandas computation and a plain
loop over the definitions, on synthetic panels with gaps, late listings and delistings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hypecheck
from hypecheck.analytics.breadth import block_partials, breadth, breadth_pandas, reduce_partials, zweig_thrust
from hypecheck.errors import InputError, NoDataError


def synthetic_panel(
    n_dates: int, n_members: int, seed: int = 0, gap_rate: float = 0.04
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random-walk closes with random gaps, late listings (first ~third) and delistings (last ~third)."""
    rng = np.random.default_rng(seed)
    px = 50 * np.exp(np.cumsum(rng.normal(0.0002, 0.02, (n_dates, n_members)), axis=0))
    px[rng.random(px.shape) < gap_rate] = np.nan
    listing = rng.integers(0, n_dates // 2, n_members)
    delisting = rng.integers(n_dates // 2, n_dates + n_dates // 3, n_members)
    rows = np.arange(n_dates)[:, None]
    px[(rows < listing) | (rows >= delisting)] = np.nan
    idx = pd.bdate_range("2015-01-02", periods=n_dates)
    cols = [f"M{j:04d}" for j in range(n_members)]
    closes = pd.DataFrame(px, index=idx, columns=cols)
    shares = rng.uniform(1e6, 1e8, n_members)
    caps = closes * shares
    caps[rng.random(caps.shape) < 0.02] = np.nan  # some caps unknown
    return closes, caps


def loop_breadth(closes: pd.DataFrame, caps: pd.DataFrame | None, w1: int, w2: int, hl: int) -> pd.DataFrame:
    """The definitions read literally: for each date, for each member, look at its own closes so far."""
    rows = []
    hist: dict[str, list[float]] = {c: [] for c in closes.columns}
    capsh: dict[str, list[float]] = {c: [] for c in closes.columns}
    net_path = []
    for date, row in closes.iterrows():
        a1 = e1 = a2 = e2 = adv = dec = nh = nl = ehl = memb = 0
        rets, num, den = [], 0.0, 0.0
        for m, v in row.items():
            if np.isnan(v):
                continue
            h = hist[m]
            h.append(float(v))
            capsh[m].append(float(caps.at[date, m]) if caps is not None else np.nan)
            memb += 1
            if len(h) >= w1:
                e1 += 1
                a1 += v > np.mean(h[-w1:])
            if len(h) >= w2:
                e2 += 1
                a2 += v > np.mean(h[-w2:])
            if len(h) >= hl:
                ehl += 1
                nh += v >= max(h[-hl:])
                nl += v <= min(h[-hl:])
            if len(h) >= 2:
                r = v / h[-2] - 1
                adv += r > 0
                dec += r < 0
                rets.append(r)
                pc = capsh[m][-2]
                if pc == pc and pc > 0:
                    num += pc * r
                    den += pc
        net_path.append(adv - dec)
        rows.append(
            {
                "members": memb,
                "pct_above_50d": 100 * a1 / e1 if e1 else np.nan,
                "pct_above_200d": 100 * a2 / e2 if e2 else np.nan,
                "advances": adv,
                "declines": dec,
                "new_highs": nh,
                "new_lows": nl,
                "hilo_members": ehl,
                "ew_return": float(np.mean(rets)) if rets else np.nan,
                "cw_return": num / den if den > 0 else np.nan,
            }
        )
    out = pd.DataFrame(rows, index=closes.index)
    out["ad_line"] = np.cumsum(net_path)
    # EMA(alpha=2/(N+1)) seeded with the first value, written out
    net = np.asarray(net_path, dtype=float)

    def ema(n: int) -> np.ndarray:
        a, e = 2 / (n + 1), np.empty_like(net)
        e[0] = net[0]
        for i in range(1, len(net)):
            e[i] = a * net[i] + (1 - a) * e[i - 1]
        return e

    out["mcclellan"] = ema(19) - ema(39)
    return out


def assert_close(a: pd.DataFrame, b: pd.DataFrame, tol: float = 1e-9) -> None:
    for col in b.columns:
        x, y = a[col].to_numpy(dtype=float), b[col].to_numpy(dtype=float)
        assert np.array_equal(np.isnan(x), np.isnan(y)), col
        ok = ~np.isnan(x)
        np.testing.assert_allclose(x[ok], y[ok], rtol=0, atol=tol, err_msg=col)


def test_agrees_with_pandas_groupby_rolling_on_gappy_panel() -> None:
    closes, caps = synthetic_panel(900, 700, seed=1)
    ours = breadth(closes, caps)
    ref = breadth_pandas(closes, caps)
    assert list(ours.columns) == list(ref.columns)
    assert_close(ours, ref, 1e-9)
    # the panel really exercises the rules: late listings, delistings, gaps
    counts = closes.notna().sum(axis=1)
    assert counts.min() < 0.5 * counts.max()
    assert ours["pct_above_200d"].isna().iloc[:150].all()  # nobody has 200 closes yet
    assert ours["hilo_members"].max() > 0


def test_agrees_with_the_definitions_written_as_loops() -> None:
    closes, caps = synthetic_panel(320, 40, seed=2, gap_rate=0.08)
    ours = breadth(closes, caps)
    ref = loop_breadth(closes, caps, 50, 200, 252)
    assert_close(ours[ref.columns], ref, 1e-9)


def test_hand_worked_example() -> None:
    idx = pd.bdate_range("2024-01-01", periods=5)
    closes = pd.DataFrame(
        {
            "A": [10.0, 11.0, 12.0, 11.0, 13.0],
            "B": [20.0, np.nan, 19.0, 18.0, 18.0],  # a gap: day 3 compares with day 1
            "C": [np.nan, np.nan, np.nan, 5.0, 6.0],  # listed on day 4
        },
        index=idx,
    )
    b = breadth(closes, windows=(2, 3), hilo=3)
    assert b["members"].tolist() == [2, 1, 2, 3, 3]
    assert b["advances"].tolist() == [0, 1, 1, 0, 2]
    assert b["declines"].tolist() == [0, 0, 1, 2, 0]
    assert b["ad_line"].tolist() == [0, 1, 1, -1, 1]
    # 2-close average. day2: A 11>10.5 yes (B absent); day3: A 12>11.5 yes, B 19<19.5 no -> 50%
    # day4: A 11<11.5 no, B 18<18.5 no, C one close only -> 0%; day5: A 13>12 yes, B 18=18 no, C 6>5.5 yes
    assert b["pct_above_2d"].tolist()[1:] == [100.0, 50.0, 0.0, pytest.approx(200 / 3)]
    assert np.isnan(b["pct_above_2d"].iloc[0])
    # 3-close high/low: A has 3 closes from day 3 (12 = high), B from day 4 (18 = low of 20,19,18)
    assert b["hilo_members"].tolist() == [0, 0, 1, 2, 2]
    assert b["new_highs"].tolist() == [0, 0, 1, 0, 1]
    # day 4: A 11 is the low of 11,12,11 and B 18 the low of 20,19,18; day 5: B 18 = low of 19,18,18
    assert b["new_lows"].tolist() == [0, 0, 0, 2, 1]
    ew = [
        np.nan,
        0.1,
        (12 / 11 - 1 + 19 / 20 - 1) / 2,
        (11 / 12 - 1 + 18 / 19 - 1) / 2,
        (13 / 11 - 1 + 0 + 0.2) / 3,
    ]
    np.testing.assert_allclose(b["ew_return"].to_numpy(), ew, atol=1e-15)
    assert b["cw_return"].isna().all()  # no caps given


def test_cap_weighted_uses_previous_day_caps() -> None:
    idx = pd.bdate_range("2024-01-01", periods=3)
    closes = pd.DataFrame({"A": [10.0, 11.0, 11.0], "B": [10.0, 9.0, 9.9]}, index=idx)
    caps = pd.DataFrame({"A": [300.0, 1.0, 1.0], "B": [100.0, 1.0, 1.0]}, index=idx)
    b = breadth(closes, caps)
    assert b["cw_return"].iloc[1] == pytest.approx((300 * 0.1 + 100 * -0.1) / 400)
    assert b["cw_return"].iloc[2] == pytest.approx((1 * 0.0 + 1 * 0.1) / 2)


def test_no_look_ahead_appending_dates_changes_nothing() -> None:
    closes, caps = synthetic_panel(700, 300, seed=3)
    cut = closes.index[450]
    full = breadth(closes, caps)
    past = breadth(closes.loc[:cut], caps.loc[:cut])
    pd.testing.assert_frame_equal(full.loc[:cut], past, check_exact=True)


def test_result_does_not_depend_on_block_size_or_column_order() -> None:
    closes, _ = synthetic_panel(400, 100, seed=4)
    v = closes.to_numpy()
    a = reduce_partials(block_partials(v, None, (50, 200), 252, block=7), len(closes))
    b = reduce_partials(block_partials(v, None, (50, 200), 252, block=256), len(closes))
    counts = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 13]
    np.testing.assert_array_equal(a[counts], b[counts])  # counts are exact whatever the split
    np.testing.assert_allclose(a[9], b[9], atol=1e-12)  # the return sum only up to rounding
    shuffled = breadth(closes[closes.columns[::-1]])
    assert_close(shuffled, breadth(closes), 1e-12)


def test_exported_at_top_level() -> None:
    closes, _ = synthetic_panel(300, 20, seed=5)
    pd.testing.assert_frame_equal(hypecheck.breadth(closes), breadth(closes))


@pytest.mark.parametrize(
    ("frame", "err", "words"),
    [
        (pd.DataFrame(), NoDataError, "empty"),
        (
            pd.DataFrame({"A": [np.nan, np.nan]}, index=pd.bdate_range("2024-01-01", periods=2)),
            NoDataError,
            "missing",
        ),
        (
            pd.DataFrame({"A": [1.0, 2.0]}, index=pd.DatetimeIndex(["2024-01-02", "2024-01-02"])),
            InputError,
            "duplicate dates",
        ),
        (
            pd.DataFrame({"A": [1.0, -2.0]}, index=pd.bdate_range("2024-01-01", periods=2)),
            InputError,
            "non-positive close for A on 2024-01-02",
        ),
        (
            pd.DataFrame({"A": [1.0, 0.0]}, index=pd.bdate_range("2024-01-01", periods=2)),
            InputError,
            "non-positive",
        ),
        (
            pd.DataFrame({"A": ["x", "2"]}, index=pd.bdate_range("2024-01-01", periods=2)),
            InputError,
            "numbers",
        ),
        (pd.DataFrame({"A": [1.0, 2.0]}, index=["a", "b"]), InputError, "not dates"),
        (
            pd.DataFrame({"A": [1.0, np.inf]}, index=pd.bdate_range("2024-01-01", periods=2)),
            InputError,
            "infinite",
        ),
    ],
)
def test_bad_input_is_a_clear_error(frame: pd.DataFrame, err: type, words: str) -> None:
    with pytest.raises(err) as ei:
        breadth(frame)
    assert words in str(ei.value)


def test_bad_engine_and_caps() -> None:
    closes, _ = synthetic_panel(50, 5)
    with pytest.raises(InputError, match="unknown engine"):
        breadth(closes, engine="spark")
    with pytest.raises(InputError, match="no column for M0004"):
        breadth(closes, closes[["M0000", "M0001", "M0002", "M0003"]])


def test_unsorted_dates_are_sorted_not_rejected() -> None:
    closes, _ = synthetic_panel(300, 30, seed=6)
    pd.testing.assert_frame_equal(breadth(closes.iloc[::-1]), breadth(closes))


def test_zweig_thrust_fires_on_the_right_day() -> None:
    n = 60
    idx = pd.bdate_range("2024-01-01", periods=n)
    adv = np.full(n, 50)
    adv[20:30] = 20  # weak: share 0.2 drags the EMA below 0.40
    adv[30:40] = 95  # thrust: share 0.95
    b = pd.DataFrame({"advances": adv, "declines": 100 - adv}, index=idx)
    ema, thrusts = zweig_thrust(b)
    # independent EMA (alpha = 2/11, seeded with the first share)
    share = adv / 100.0
    e = np.empty(n)
    e[0] = share[0]
    for i in range(1, n):
        e[i] = 2 / 11 * share[i] + 9 / 11 * e[i - 1]
    np.testing.assert_allclose(ema.to_numpy(), e, atol=1e-12)
    first_above = int(np.argmax(e > 0.615))
    assert (e[max(0, first_above - 10) : first_above + 1] < 0.40).any()
    assert [t.date for t in thrusts] == [idx[first_above]]
    # a slow grind up (more than 10 days from <0.40 to >0.615) is not a thrust
    slow = np.concatenate([np.full(20, 30), np.linspace(30, 70, 30).round(), np.full(10, 70)]).astype(int)
    _, none = zweig_thrust(pd.DataFrame({"advances": slow, "declines": 100 - slow}, index=idx))
    assert none == []


@pytest.mark.slow
def test_dask_local_cluster_matches_single_machine() -> None:
    pytest.importorskip("distributed")
    from hypecheck.analytics.breadth import _aligned_caps, validate_closes
    from hypecheck.analytics.breadth_dask import breadth_dask

    closes, caps = synthetic_panel(500, 1100, seed=7)  # five partitions of 256 members
    frame = validate_closes(closes, caps)
    one = breadth(closes, caps)
    many = breadth_dask(
        frame, _aligned_caps(frame, caps), windows=(50, 200), hilo=252, n_workers=2, blocks_per_partition=1
    )
    pd.testing.assert_frame_equal(one, many, check_exact=True)


def test_zweig_counts_one_thrust_per_washout() -> None:
    n = 60
    idx = pd.bdate_range("2024-01-01", periods=n)
    adv = np.full(n, 50)
    adv[5:15] = 0  # one washout (EMA down to ~0.07)
    adv[15:20] = 100  # thrust: the EMA crosses 61.5% on day 19 ...
    adv[20] = 0  # ... dips back below it for a day ...
    adv[21:] = 100  # ... and crosses again on day 21, still within 10 days of the same low
    b = pd.DataFrame({"advances": adv, "declines": 100 - adv}, index=idx)
    ema, thrusts = zweig_thrust(b)
    e = ema.to_numpy()
    crosses = [i for i in range(1, n) if e[i] > 0.615 >= e[i - 1]]
    assert len(crosses) >= 2  # the set-up really crosses twice
    assert len(thrusts) == 1 and thrusts[0].date == idx[crosses[0]]
