"""The files source: detection on the real shared files, and hand-made malformed files (all
hand-built in tmp_path by these tests; cases numbered as in ../shared/RELIABILITY.md)."""

from __future__ import annotations

import gzip
import math
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hypecheck.errors import FormatError
from hypecheck.sources.files import FilesSource, detect_format, read_file

TRENDS_OK = "Category: All categories\n\nWeek,small cap: (United States)\n2026-01-04,40\n2026-01-11,<1\n2026-01-18,100\n"


def write(tmp: Path, name: str, text: str | bytes) -> Path:
    p = tmp / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, "utf-8", newline="")
    return p


# ------------------------------------------------------------------ the real shared data folder


@pytest.fixture(scope="module")
def shared_catalog(shared_data: Path):
    t0 = time.perf_counter()
    cat = FilesSource(shared_data).load()
    print(f"loaded ../shared/data in {time.perf_counter() - t0:.1f}s")
    return cat


def test_shared_folder_loads_every_price_fred_and_trends_file(shared_data: Path, shared_catalog) -> None:
    prices = sorted(p.stem for p in (shared_data / "prices" / "etf_daily").glob("*.csv"))
    assert shared_catalog.ids("price") == sorted(prices) and len(prices) == 80
    fred = set()
    for folder in ("fred_to_2026", "fred_1980_2025", "fred_download_format"):
        for f in (shared_data / "macro" / folder).glob("*.csv"):
            if not f.stem.endswith(("coverage", "metadata")):
                fred.add(f.stem)
    assert fred <= set(shared_catalog.ids("macro"))
    dgs2 = shared_catalog.get("macro", "DGS2")
    assert dgs2.start.year == 1980 and dgs2.end.year == 2026
    monthly = list((shared_data / "trends" / "monthly_us_2004_2025").rglob("*.csv"))
    terms = {pd.read_csv(f, nrows=0).columns[1] for f in monthly}
    assert all(any(s.meta.frequency == "M" for s in shared_catalog.all("search", t)) for t in terms)
    weekly = {
        f.stem.replace("_", " ")
        for f in (shared_data / "trends" / "stitched_2004_2020" / "weekly").glob("*.csv")
    }
    assert all(any(s.meta.frequency == "W" for s in shared_catalog.all("search", t)) for t in weekly)


def test_shared_folder_skips_are_reported_with_reasons(shared_catalog) -> None:
    skipped = {e.origin: e.reason for e in shared_catalog.report.skipped}
    expect = {
        "fundamentals/shiller/ie_data.xls": "Excel",
        "fundamentals/shiller/nber_recessions.csv": "not a time series",
        "macro/fred_1980_2025/metadata.csv": "not a time series",
        "trends/preis2013/PreisMoatStanley2013.dat": ".dat",
    }
    for origin, needle in expect.items():
        assert needle in skipped[origin], (origin, skipped.get(origin))
    loaded = {e.origin for e in shared_catalog.report.loaded}
    assert "fundamentals/shiller/cape.csv" in loaded  # the wide date + numbers table


def test_shared_values_equal_the_files(shared_data: Path, shared_catalog) -> None:
    raw = pd.read_csv(shared_data / "prices" / "etf_daily" / "SPY.csv")
    row = raw.iloc[-1]
    assert shared_catalog.get("price", "SPY").values[pd.Timestamp(row["Date"])] == float(row["Close"])
    t = pd.read_csv(
        shared_data / "trends" / "monthly_us_2004_2025" / "Investing_and_markets" / "value_stocks.csv"
    )
    s = shared_catalog.get("search", "value stocks")
    assert s.meta.frequency == "M"
    assert s.values[pd.Timestamp(t.iloc[-1]["date"])] == float(t.iloc[-1]["value stocks"])


# ------------------------------------------------------------------------- Google Trends exports


def test_trends_1_valid_export(tmp_path: Path) -> None:
    (s,), entry = read_file(write(tmp_path, "multiTimeline.csv", TRENDS_OK))
    assert s.meta.id == "small cap" and s.meta.kind == "search" and entry.format == "trends-export"
    assert list(s.values) == [40.0, 0.5, 100.0]
    assert list(s.flags["below_one"]) == [False, True, False]


def test_trends_2_bom_and_crlf(tmp_path: Path) -> None:
    p = write(tmp_path, "m.csv", ("\ufeff" + TRENDS_OK).replace("\n", "\r\n").encode("utf-8"))
    (s,), _ = read_file(p)
    assert list(s.values) == [40.0, 0.5, 100.0]


def test_trends_3_german_export_is_rejected_not_misread(tmp_path: Path) -> None:
    p = write(
        tmp_path, "m.csv", "Kategorie: Alle Kategorien\n\nWoche;laufschuhe: (Deutschland)\n20.09.2026;50\n"
    )
    with pytest.raises(FormatError, match="unsupported locale"):
        read_file(p)


def test_trends_4_header_missing(tmp_path: Path) -> None:
    p = write(tmp_path, "m.csv", "Category: All categories\n\n2026-01-04,40\n2026-01-11,41\n")
    with pytest.raises(FormatError, match="without its header line"):
        read_file(p)


def test_trends_5_blank_line_missing(tmp_path: Path) -> None:
    (s,), _ = read_file(write(tmp_path, "m.csv", TRENDS_OK.replace("\n\n", "\n")))
    assert len(s.values) == 3


def test_trends_6_out_of_range_rejected(tmp_path: Path) -> None:
    for bad in ("101", "-1"):
        p = write(tmp_path, f"m{bad}.csv", TRENDS_OK.replace(",40", f",{bad}"))
        with pytest.raises(FormatError, match="0-100"):
            read_file(p)


def test_trends_7_8_five_terms_quoted_comma_and_colon_paren(tmp_path: Path) -> None:
    header = 'Week,"foo, bar: (Worldwide)",ratio: (test): (United States),c: (US),d: (US),e: (US)\n'
    body = "2026-01-04,1,2,3,4,5\n2026-01-11,6,7,8,9,10\n2026-01-18,1,1,1,1,1\n"
    series, _ = read_file(write(tmp_path, "m.csv", "Category: All categories\n\n" + header + body))
    assert [s.meta.id for s in series] == ["foo, bar", "ratio: (test)", "c", "d", "e"]
    six = header.rstrip("\n") + ",f: (US)\n"
    with pytest.raises(FormatError, match="at most 5"):
        read_file(write(tmp_path, "six.csv", "Category: x\n\n" + six + body.replace("\n", ",1\n")))


def test_trends_9_mixed_granularity(tmp_path: Path) -> None:
    text = "Category: All categories\n\nDay,x: (US)\n2026-01-01,1\n2026-01-02,2\n2026-01-03,3\n2026-01-10,4\n"
    with pytest.raises(FormatError, match="mixed granularity"):
        read_file(write(tmp_path, "m.csv", text))


def test_trends_11_all_zero_accepted_with_note(tmp_path: Path) -> None:
    text = TRENDS_OK.replace(",40", ",0").replace(",<1", ",0").replace(",100", ",0")
    (s,), _ = read_file(write(tmp_path, "m.csv", text))
    assert (s.values == 0).all() and any("every value is 0" in n for n in s.meta.notes)


def test_trends_12_partial_last_week_flagged(tmp_path: Path) -> None:
    text = (
        "Category: All categories\n\nWeek,x: (US),isPartial\n2026-01-04,40,False\n2026-01-11,41,False\n"
        "2026-01-18,12,True\n"
    )
    (s,), _ = read_file(write(tmp_path, "m.csv", text))
    assert list(s.flags["partial"]) == [False, False, True]


def test_trends_13_related_queries_rejected(tmp_path: Path) -> None:
    text = 'Category: All categories\n\nTOP\nsmall cap stocks,100\n\nRISING\nsmall cap etf,"+1,650%"\nrussell,Breakout\n'
    with pytest.raises(FormatError, match="related-queries"):
        read_file(write(tmp_path, "m.csv", text))


def test_trends_14_html_page(tmp_path: Path) -> None:
    p = write(tmp_path, "m.csv", "<!DOCTYPE html><html><body>unusual traffic</body></html>")
    with pytest.raises(FormatError, match="HTML"):
        read_file(p)


# ------------------------------------------------------------------------------ user price CSVs


def test_prices_16_all_nan(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no usable values in 3 rows"):
        read_file(write(tmp_path, "X.csv", "Date,Close\n2024-01-02,\n2024-01-03,\n2024-01-04,\n"))


def test_prices_17_duplicates_counted(tmp_path: Path) -> None:
    (s,), _ = read_file(write(tmp_path, "X.csv", "Date,Close\n2024-01-02,10\n2024-01-02,11\n2024-01-03,12\n"))
    assert list(s.values) == [11.0, 12.0]
    assert any("1 duplicate dates removed; 1 had different values" in n for n in s.meta.notes)


def test_prices_18_negative_and_zero_quarantined(tmp_path: Path) -> None:
    (s,), e = read_file(
        write(tmp_path, "X.csv", "Date,Close\n2024-01-02,10\n2024-01-03,-3.2\n2024-01-04,0\n")
    )
    assert list(s.values) == [10.0] and e.rejected_rows == 2 and "zero or negative" in e.reason


def test_prices_21_unsorted_and_future(tmp_path: Path) -> None:
    (s,), e = read_file(write(tmp_path, "X.csv", "Date,Close\n2024-01-03,2\n2024-01-02,1\n2099-01-01,5\n"))
    assert list(s.values) == [1.0, 2.0] and e.rejected_rows == 1 and "after today" in e.reason


def test_prices_22_ambiguous_dates(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="ambiguous"):
        read_file(write(tmp_path, "X.csv", "Date,Close\n01/02/2024,1\n03/02/2024,2\n"))
    # settled by the column itself: 13/02 can only be day-first
    (s,), _ = read_file(write(tmp_path, "Y.csv", "Date,Close\n01/02/2024,1\n13/02/2024,2\n"))
    assert list(s.values.index) == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-13")]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"Date,Close\n", "no data rows"),
        (b"\n", "whitespace"),
        (gzip.compress(b"Date,Close\n2024-01-02,1\n"), "gzip"),
        (b"\xff\xfeD\x00a\x00", "binary"),
    ],
)
def test_prices_27_empty_and_binary(tmp_path: Path, content: bytes, needle: str) -> None:
    with pytest.raises(FormatError, match=needle):
        read_file(write(tmp_path, "X.csv", content))


def test_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="not UTF-8"):
        read_file(write(tmp_path, "X.csv", "Date,Soci\xe9t\xe9\n2024-01-02,1\n".encode("latin-1")))


def test_formats_detected(tmp_path: Path) -> None:
    cases = {
        "IWM.csv": ("Date,Close\n2024-01-02,1\n", "price-close"),
        "SPY.csv": ("Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,2,0.5,1.5,1.4,100\n", "yahoo"),
        "a.csv": ("observation_date,DGS2\n2024-01-02,4.1\n", "fred"),
        "b.csv": ("DATE,DGS10\n2024-01-02,4.1\n", "fred"),
        "DGS30.csv": ("date,value\n2024-01-02,4.1\n", "fred-value"),
        "c.csv": ("date,value stocks\n2024-01-01,12\n", "named-series"),
        "trends/x/debt.csv": ("Date,Adjusted\n2024-01-07,0.9\n", "trends-series"),
        "tidy.csv": ("date,series,value\n2024-01-02,A,1\n", "tidy-long"),
    }
    for name, (text, fmt) in cases.items():
        assert detect_format(write(tmp_path, name, text)) == fmt, name
    (s,), _ = read_file(tmp_path / "SPY.csv")
    assert s.values.iloc[0] == 1.4  # Adj Close
    (s,), _ = read_file(tmp_path / "c.csv")
    assert s.meta.kind == "search" and s.meta.id == "value stocks"
    (s,), _ = read_file(tmp_path / "DGS30.csv")
    assert s.meta.kind == "macro" and s.meta.id == "DGS30"


def test_folder_with_one_bad_file_loads_the_good_one(tmp_path: Path) -> None:
    write(tmp_path, "good/IWM.csv", "Date,Close\n2024-01-02,10\n2024-01-03,11\n")
    write(tmp_path, "good/bad.csv", "Date,Close\n01/02/2024,1\n03/02/2024,2\n")
    cat = FilesSource(tmp_path / "good").load()
    assert cat.ids("price") == ["IWM"]
    (skip,) = cat.report.skipped
    assert skip.origin == "bad.csv" and "ambiguous" in skip.reason


def test_parquet_tidy(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-02", "2024-01-03"]),
            "series": ["A", "A"],
            "value": [1.0, 2.0],
            "kind": ["macro", "macro"],
        }
    )
    p = tmp_path / "t.parquet"
    df.to_parquet(p)
    (s,), _ = read_file(p)
    assert s.meta.kind == "macro" and list(s.values) == [1.0, 2.0]
    write(tmp_path, "broken.parquet", b"PAR1garbage")
    with pytest.raises(FormatError, match="Parquet"):
        read_file(tmp_path / "broken.parquet")


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.floats(min_value=1e-6, max_value=1e9, allow_nan=False), min_size=1, max_size=50))
def test_round_trip_property(tmp_path: Path, values: list[float]) -> None:
    dates = pd.bdate_range("2001-01-01", periods=len(values))
    text = "Date,Close\n" + "".join(f"{d.date()},{v!r}\n" for d, v in zip(dates, values, strict=True))
    (s,), e = read_file(write(tmp_path, "P.csv", text))
    assert e.rejected_rows == 0
    assert all(math.isclose(a, b, rel_tol=0, abs_tol=0) for a, b in zip(s.values, values, strict=True))
