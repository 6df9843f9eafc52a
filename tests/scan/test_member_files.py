"""Member universes read through the validated file pipeline of ``--data`` (issue 23, B5).

``scan --universe DIR`` (one ``<TICKER>.csv`` per member) and a long ``date,ticker,close`` file used to
be read with a bare ``pd.to_datetime(..., errors="coerce")``: day-first dates were swapped or dropped,
integer YYYYMMDD dates became 1970-01-01, and an all-blank member, conflicting duplicate dates and
closes <= 0 vanished without a word. Now each is refused or repaired as ``--data`` does it, and every
rejection is counted and listed in the scan's ``skipped``. Hand-built random walks only."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hypecheck.errors import InputError
from hypecheck.scan.members import load_member_universe, read_prices
from hypecheck.schema import Catalog

DAYS = pd.bdate_range("2015-01-02", "2019-12-31")


def walk(seed: int, n: int = len(DAYS)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 50 * np.exp(np.cumsum(rng.normal(0.0002, 0.012, n)))


def write_member(folder: Path, ticker: str, dates: list[str], closes: list[str] | np.ndarray) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ticker}.csv"
    path.write_text("Date,Close\n" + "".join(f"{d},{c}\n" for d, c in zip(dates, closes, strict=True)))
    return path


def iso(days: pd.DatetimeIndex = DAYS) -> list[str]:
    return list(days.strftime("%Y-%m-%d"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """SPY and three clean members, plus one member of each kind of bad input."""
    f = tmp_path / "members"
    for k, t in enumerate(("SPY", "AAA", "BBB", "CCC")):
        write_member(f, t, iso(), [f"{x:.4f}" for x in walk(k)])
    # day-first dates: 13/01/2015 proves it, the first rows (02/01/2015) could be read either way
    write_member(f, "DMY", list(DAYS.strftime("%d/%m/%Y")), [f"{x:.4f}" for x in walk(10)])
    # integer YYYYMMDD dates: read as dates, not as nanoseconds after 1970
    write_member(f, "INT", list(DAYS.strftime("%Y%m%d")), [f"{x:.4f}" for x in walk(11)])
    write_member(f, "NAN", iso(), [""] * len(DAYS))  # every close blank
    closes = [f"{x:.4f}" for x in walk(12)]
    closes[100], closes[200], closes[300] = "0", "-3.2", "-0.01"  # three closes <= 0
    write_member(f, "NEG", iso(), closes)
    d = iso()
    c = [f"{x:.4f}" for x in walk(13)]
    dup = [*d[:50], d[20], d[30], *d[50:]]  # two dates twice, with other closes
    write_member(f, "DUP", dup, [*c[:50], "999.0", "998.0", *c[50:]])
    return f


def test_a_member_folder_is_read_by_the_files_pipeline_and_every_rejection_said(folder: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no raw pandas warning (date-format inference) reaches the user
        series, problems = read_prices(folder)
    assert {"SPY", "AAA", "BBB", "CCC", "INT", "NEG", "DUP"} <= set(series)
    assert "DMY" not in series and "NAN" not in series  # refused, never misread or dropped unsaid
    said = "\n".join(problems)
    assert "DMY" in said and "ambiguous" in said
    assert "NAN" in said and "blank or missing" in said
    assert "NEG" in said and "3 rows rejected" in said and "zero or negative" in said
    assert "DUP" in said and "different values" in said
    # integer dates are real dates
    assert series["INT"].index[0] == DAYS[0] and series["INT"].index[-1] == DAYS[-1]
    assert len(series["NEG"]) == len(DAYS) - 3 and (series["NEG"] > 0).all()
    assert len(series["DUP"]) == len(DAYS) and series["DUP"].index.is_unique
    assert series["DUP"].loc[DAYS[20]] == 999.0  # the last row kept, as --data keeps it


def long_frame(folder: Path) -> pd.DataFrame:
    """The folder's members as one long table (dates as written in each file)."""
    rows = []
    for f in sorted(folder.glob("*.csv")):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        rows.append(pd.DataFrame({"date": df["Date"], "ticker": f.stem, "close": df["Close"]}))
    return pd.concat(rows, ignore_index=True)


def test_a_long_member_file_rejects_each_bad_member_and_says_so(folder: Path, tmp_path: Path) -> None:
    df = long_frame(folder)
    df = df[df["ticker"] != "INT"]
    df = df[df["ticker"] != "DMY"]  # one date format per file, as for --data (see the next test)
    path = tmp_path / "long.csv"
    df.to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        series, problems = read_prices(path)
    assert {"SPY", "AAA", "BBB", "CCC", "NEG", "DUP"} == set(series)
    said = "\n".join(problems)
    assert "NAN" in said and "blank or missing" in said
    assert "NEG" in said and "zero or negative" in said and "3" in said
    assert "DUP" in said and "different values" in said
    assert len(series["NEG"]) == len(DAYS) - 3 and series["DUP"].loc[DAYS[20]] == 999.0


def test_a_long_member_file_with_day_first_dates_is_refused_not_swapped(tmp_path: Path) -> None:
    rows = pd.DataFrame(
        {
            "date": np.tile(DAYS.strftime("%d/%m/%Y"), 2),
            "ticker": np.repeat(["SPY", "AAA"], len(DAYS)),
            "close": np.r_[walk(0), walk(1)].round(4),
        }
    )
    path = tmp_path / "dmy.csv"
    rows.to_csv(path, index=False)
    with pytest.raises(InputError, match="ambiguous"):
        read_prices(path)


def test_integer_yyyymmdd_dates_in_a_long_file_are_dates(tmp_path: Path) -> None:
    for suffix in (".csv", ".parquet"):
        rows = pd.DataFrame(
            {
                "date": np.tile(DAYS.strftime("%Y%m%d").astype(int), 2),
                "ticker": np.repeat(["SPY", "AAA"], len(DAYS)),
                "close": np.r_[walk(0), walk(1)].round(4),
            }
        )
        path = tmp_path / f"int{suffix}"
        if suffix == ".csv":
            rows.to_csv(path, index=False)
        else:
            import duckdb

            duckdb.from_df(rows).write_parquet(str(path))
        series, _ = read_prices(path)
        assert series["AAA"].index[0] == DAYS[0] and series["AAA"].index[-1] == DAYS[-1], suffix
        assert len(series["AAA"]) == len(DAYS)


def test_the_scan_lists_every_member_rejection_in_skipped(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hypecheck.scan.core import scan

    monkeypatch.setenv("HYPECHECK_CACHE", "off")
    u, _ = load_member_universe(folder, Catalog("files"))
    assert {a for a, _, _ in u.pairs} == {"AAA", "BBB", "CCC", "INT", "NEG", "DUP"}
    for k in range(20):  # enough members for the panel model to be fitted on their own episodes
        write_member(folder, f"M{k:02d}", iso(), [f"{x:.4f}" for x in walk(100 + k)])
    res = scan(Catalog("files"), "2019-06-28", folder)
    said = "\n".join(res.skipped)
    for t in ("DMY", "NAN", "NEG", "DUP"):
        assert t in said, said
    assert res.to_dict()["universe"]["skipped"] == res.skipped
    assert "skipped or repaired" in res.summary()


def _per_member_reference(path: Path) -> tuple[dict[str, pd.Series], list[str]]:
    """The long file read whole, each member through the column validator (read_long before it
    streamed Parquet files and took clean members as they are)."""
    from dataclasses import replace

    import duckdb

    from hypecheck.data.formats.base import _make_ctx, _Problem, _Tally
    from hypecheck.data.formats.tidy_long import _datetime_column
    from hypecheck.data.formats.values import _build, _Dates, _Numbers, _parse_numbers
    from hypecheck.scan.members import _as_text

    ctx = _make_ctx(path, path.name, None, in_trends=False)
    df = duckdb.read_parquet(str(path)).df()
    df.columns = [str(c).strip().lower() for c in df.columns]
    dates = _datetime_column(df["date"], ctx)
    nums = _parse_numbers(df["close"])
    names = _as_text(df["ticker"]).str.strip().str.upper()
    unnamed = (names.isna() | (names == "")).to_numpy(dtype=bool) & ~dates.rejected
    ctx.tally.reject(int(unnamed.sum()), "no ticker")
    codes, uniques = pd.factorize(names.mask(unnamed), use_na_sentinel=True)
    out, problems = {}, []
    if ctx.tally.summary():
        problems.append(f"{path.name}: {ctx.tally.summary()}")
    for i, name in enumerate(uniques):
        rows = np.flatnonzero(np.asarray(codes) == i)
        own = replace(ctx, tally=_Tally())
        try:
            sd = _build(
                own,
                _Dates(dates.values[rows], dates.rejected[rows], dates.fmt),
                _Numbers(
                    nums.values[rows], nums.missing[rows], nums.bad[rows], nums.below_one[rows], nums.example
                ),
                id=str(name),
                kind="price",
                fmt="members-long",
                column=str(name),
            )
        except _Problem as p:
            problems.append(f"{name}: skipped: {p.what}")
            continue
        if own.tally.summary():
            problems.append(f"{name}: {own.tally.summary()}")
        out[str(name)] = sd.values
    return out, problems


def test_streamed_parquet_equals_the_per_member_validator(tmp_path: Path) -> None:
    """A Parquet long file with every kind of row (clean members, a ticker in lower case with spaces,
    conflicting and identical duplicate dates, out-of-order rows, closes <= 0, blank closes, rows with
    no ticker, a member with no usable close, a yield index) gives the same members, values and
    messages as reading it whole and validating each member."""
    import duckdb

    days = DAYS[:300]
    rows = []
    for k, t in enumerate(["AAA", " bbb ", "CCC", "DDD", "EEE", "FFF", "^TNX", "GGG"]):
        v = walk(k, len(days))
        rows += [(d, t, float(x)) for d, x in zip(days, v, strict=True)]
    rows += [(days[5], "CCC", 1.0), (days[6], "CCC", float(walk(2, 300)[6]))]  # conflicting, identical
    rows[3 * 300 + 10] = (days[10], "DDD", -1.0)  # a close <= 0
    rows[4 * 300 + 20] = (days[20], "EEE", float("nan"))  # a blank close
    rows[5 * 300 + 30], rows[5 * 300 + 31] = rows[5 * 300 + 31], rows[5 * 300 + 30]  # out of order
    rows[6 * 300 + 40] = (days[40], "^TNX", -0.1)  # a yield may be negative
    rows += [(days[1], None, 10.0), (days[2], "", 11.0), (days[3], "HHH", float("nan"))]
    df = pd.DataFrame(rows, columns=["Date", "Ticker", "Close"])
    path = tmp_path / "m.parquet"
    duckdb.from_df(df).write_parquet(str(path))
    got, said = read_prices(path)
    want, want_said = _per_member_reference(path)
    assert said == want_said and len(said) >= 5
    assert list(got) == list(want)
    for t in want:
        pd.testing.assert_series_equal(got[t], want[t], check_exact=True)
