"""The ``files`` source.

* The real shared data folder (``../shared/data``, never copied into the project; skipped when
  absent): every price, FRED and Trends file loads, the rest is skipped with its reason, values equal
  the files (read here independently with the ``csv`` module), and the load time is printed.
* Hand-made inputs: the fixtures in ``tests/fixtures/files/`` are hand-built (see its README), and
  every malformed file below is hand-built in ``tmp_path`` by the test that uses it. Case numbers
  refer to the "Bad inputs" list of ``../shared/RELIABILITY.md``.
* A hypothesis property: ``Date,Close`` files round-trip their floats exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hypecheck.data.folder import FilesSource, detect_format, load_file, read_file
from hypecheck.data.formats import FORMATS
from hypecheck.data.registry import get_source
from hypecheck.errors import FormatError, InputError, MissingDependencyError, NoDataError
from hypecheck.schema import Catalog

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "files"
TODAY = pd.Timestamp("2026-11-24")  # pinned "today" for the future-date rule

TRENDS_OK = "Category: All categories\n\nWeek,small cap: (United States)\n2026-01-04,40\n2026-01-11,<1\n2026-01-18,100\n"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    """Write one hand-built test file (text is written as given: no newline translation)."""
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, "utf-8", newline="")
    return p


def read(path: Path, **kw: object):
    return read_file(path, today=TODAY, **kw)  # type: ignore[arg-type]


def entry_of(path: Path):
    return load_file(path, today=TODAY)


# ============================================================================ the shared data folder


@pytest.fixture(scope="module")
def shared() -> Path:
    if not (SHARED / "prices" / "etf_daily").is_dir():
        pytest.skip("../shared/data is not present beside the project")
    return SHARED


@pytest.fixture(scope="module")
def shared_catalog(shared: Path) -> Catalog:
    t0 = time.perf_counter()
    catalog = FilesSource(shared).load()
    elapsed = time.perf_counter() - t0
    print(f"\nloaded {shared} in {elapsed:.2f} s: {len(catalog)} series, {catalog.report.summary()}")
    assert elapsed < 30, "the shared folder should load in a few seconds"
    return catalog


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_shared_every_file_is_reported(shared: Path, shared_catalog: Catalog) -> None:
    files = sorted(p.relative_to(shared).as_posix() for p in shared.rglob("*") if p.is_file())
    reported = sorted(e.origin for e in shared_catalog.report.entries)
    assert reported == files  # each file exactly once, loaded or skipped


def test_shared_prices(shared: Path, shared_catalog: Catalog) -> None:
    stems = sorted(p.stem for p in (shared / "prices" / "etf_daily").glob("*.csv"))
    assert len(stems) == 80
    assert shared_catalog.ids("price") == stems
    for t in ("IWM", "SPY", "RSP", "XLK", "^TNX"):
        s = shared_catalog.get("price", t)
        assert s.meta.frequency == "D" and s.meta.source == "files" and not s.meta.sample_data
        assert s.meta.origin == f"prices/etf_daily/{t}.csv"
        assert s.values.index.is_monotonic_increasing and s.values.index.is_unique
    # ^IRX really went negative in March 2020: a yield index keeps those rows
    irx_raw = csv_rows(shared / "prices" / "etf_daily" / "^IRX.csv")[1:]
    assert len(shared_catalog.get("price", "^IRX").values) == len(irx_raw)


def test_shared_fred(shared: Path, shared_catalog: Catalog) -> None:
    ids = set()
    for folder in ("fred_to_2026", "fred_1980_2025", "fred_download_format"):
        for f in (shared / "macro" / folder).glob("*.csv"):
            if f.stem in ("metadata", "series_coverage", "market_coverage"):
                continue
            ids.add(f.stem)  # the header's id (fred_to_2026, download format) equals the stem here
    assert len(ids) >= 29 + 12
    assert ids <= set(shared_catalog.ids("macro"))
    dgs2 = shared_catalog.get("macro", "DGS2")
    assert dgs2.start is not None and dgs2.end is not None
    assert dgs2.start.year == 1980 and dgs2.end.year == 2026
    assert "merged" in dgs2.meta.notes[-1]
    fmt = {e.origin: e.format for e in shared_catalog.report.loaded}
    assert fmt["macro/fred_to_2026/DGS2.csv"] == "fred"
    assert fmt["macro/fred_download_format/DGS2.csv"] == "fred"
    assert fmt["macro/fred_1980_2025/DGS2.csv"] == "fred-value"
    # FRED's blanks are counted, not silently dropped
    entry = next(e for e in shared_catalog.report.loaded if e.origin == "macro/fred_1980_2025/DGS2.csv")
    blanks = sum(
        1 for r in csv_rows(shared / "macro" / "fred_1980_2025" / "DGS2.csv")[1:] if r[1] in ("", ".")
    )
    assert f"{blanks} missing values" in entry.reason and entry.rejected_rows == 0


def test_shared_trends(shared: Path, shared_catalog: Catalog) -> None:
    monthly = sorted((shared / "trends" / "monthly_us_2004_2025").rglob("*.csv"))
    assert len(monthly) > 450
    terms = {csv_rows(f)[0][1] for f in monthly}
    for term in terms:
        s = [x for x in shared_catalog.all("search", term) if x.meta.frequency == "M"]
        assert s, term
        assert s[0].meta.units == "0-100 relative (sampled, per request)"
    for term in ("value stocks", "S&P 500", "ETF", "CPI", "stock market"):
        assert term in terms
    for gran, freq in (("weekly", "W"), ("daily", "D")):
        files = sorted((shared / "trends" / "stitched_2004_2020" / gran).glob("*.csv"))
        assert len(files) == 93
        for f in files:
            term = f.stem.replace("_", " ")
            assert any(x.meta.frequency == freq for x in shared_catalog.all("search", term)), (gran, term)
    formats = [e.format for e in shared_catalog.report.loaded]
    assert formats.count("trends-stitched") == 186
    assert formats.count("trends-series") == len(monthly) + 1  # + preis2013/debt_google_trend.csv (Mes,debt)


def test_shared_skips_have_reasons(shared_catalog: Catalog) -> None:
    skipped = {e.origin: e.reason for e in shared_catalog.report.skipped}
    expect = {
        "README.md": "not a data file (.md)",
        "fundamentals/shiller/nber_recessions.csv": "not a time series: column 'trough' is not numeric",
        "macro/fred_1980_2025/metadata.csv": "not a time series: first column 'series_id' is not a date",
        "macro/fred_1980_2025/series_coverage.csv": "not a time series: first column 'series_id'",
        "macro/fred_1980_2025/market_coverage.csv": "not a time series: first column 'symbol'",
        "trends/preis2013/Gtrend_increase_rates.csv": "ambiguous day/month dates such as '5/01/2020'",
        "trends/preis2013/PreisMoatStanley2013.dat": "whitespace-separated .dat file: unsupported format",
    }
    assert set(skipped) == set(expect)
    for origin, needle in expect.items():
        assert needle in skipped[origin], (origin, skipped[origin])
    assert "re-export with ISO dates (YYYY-MM-DD)" in skipped["trends/preis2013/Gtrend_increase_rates.csv"]
    loaded = {e.origin: e for e in shared_catalog.report.loaded}
    assert loaded["fundamentals/shiller/ie_data.xls"].format == "shiller-xls"
    assert "shiller:E" in loaded["fundamentals/shiller/ie_data.xls"].series


def test_shared_wide_cape(shared: Path, shared_catalog: Catalog) -> None:
    rows = csv_rows(shared / "fundamentals" / "shiller" / "cape.csv")
    assert rows[0] == ["date", "cape", "tr_cape", "ecy"]
    cape = shared_catalog.get("macro", "cape:cape")
    assert cape.meta.frequency == "M"
    last = rows[-1]
    assert cape.values[pd.Timestamp(last[0])] == float(last[1])
    assert shared_catalog.get("macro", "cape:ecy").values[pd.Timestamp(last[0])] == float(last[3])


def test_shared_values_equal_the_files(shared: Path, shared_catalog: Catalog) -> None:
    spy = {r[0]: r[1] for r in csv_rows(shared / "prices" / "etf_daily" / "SPY.csv")[1:]}
    s = shared_catalog.get("price", "SPY").values
    for day in ("1993-01-29", "2020-03-23", "2026-01-02"):
        assert s[pd.Timestamp(day)] == float(spy[day])  # float32 artefacts kept exactly
    assert len(s) == len(spy)
    tnx = {r[0]: r[1] for r in csv_rows(shared / "prices" / "etf_daily" / "^TNX.csv")[1:]}
    assert shared_catalog.get("price", "^TNX").values[pd.Timestamp("2026-08-03")] == float(tnx["2026-08-03"])
    # DGS2 on a 2026 date comes from fred_to_2026 (the file that runs later wins on overlaps)
    dgs2 = {r[0]: r[1] for r in csv_rows(shared / "macro" / "fred_to_2026" / "DGS2.csv")[1:]}
    assert shared_catalog.get("macro", "DGS2").values[pd.Timestamp("2026-07-28")] == float(dgs2["2026-07-28"])
    vs = {
        r[0]: r[1]
        for r in csv_rows(
            shared / "trends" / "monthly_us_2004_2025" / "Investing_and_markets" / "value_stocks.csv"
        )[1:]
    }
    got = shared_catalog.get("search", "value stocks", "M").values
    assert len(got) == len(vs)
    for day, v in vs.items():
        assert got[pd.Timestamp(day)] == float(v)
    debt = {r[0]: r[1] for r in csv_rows(shared / "trends" / "stitched_2004_2020" / "daily" / "debt.csv")[1:]}
    assert shared_catalog.get("search", "debt", "D").values[pd.Timestamp("2004-01-02")] == float(
        debt["2004-01-02"]
    )


# ========================================================================= hand-built fixtures


def test_fixture_formats_detected() -> None:
    expect = {
        "yahoo/QQQX.csv": "yahoo",
        "yfinance/two_tickers.csv": "yfinance",
        "trends/multiTimeline.csv": "trends-export",
        "fred/DGS2_download.csv": "fred",
        "tidy/long.csv": "tidy-long",
    }
    for name, fmt in expect.items():
        assert detect_format(FIXTURES / name) == fmt
        assert fmt in FORMATS
    with pytest.raises(FormatError, match="not a data file"):
        detect_format(FIXTURES / "README.md")


def test_fixture_folder_loads_and_reports_every_file() -> None:
    catalog = FilesSource(FIXTURES, today=TODAY).load()
    entries = {e.origin: e for e in catalog.report.entries}
    assert set(entries) == {
        "README.md",
        "fred/DGS2_download.csv",
        "tidy/long.csv",
        "trends/multiTimeline.csv",
        "yahoo/QQQX.csv",
        "yfinance/two_tickers.csv",
    }
    assert entries["README.md"].status == "skipped"
    assert catalog.ids("price") == ["AAA", "BBB", "QQQX"]
    # the tidy AAA (monthly) and the yfinance AAA (daily) differ in frequency: both kept
    assert {s.meta.frequency for s in catalog.all("price", "AAA")} == {"M", "D"}
    assert catalog.ids("macro") == ["DGS2", "RATE"]
    assert catalog.ids("search") == ["small cap", "value stocks"]


def test_fixture_yahoo_uses_adj_close_and_quarantines_broken_bars() -> None:
    (s,), entry = entry_of(FIXTURES / "yahoo" / "QQQX.csv")
    assert s.meta.id == "QQQX" and s.meta.kind == "price"
    assert list(s.values) == [99.5, 100.0, 101.375]  # Adj Close; the High < Low row quarantined
    assert "Adj Close" in s.meta.notes[0]
    assert entry.rejected_rows == 1 and "High < Low" in entry.reason


def test_fixture_yfinance_three_line_header() -> None:
    series = read(FIXTURES / "yfinance" / "two_tickers.csv")
    assert [s.meta.id for s in series] == ["AAA", "BBB"]
    assert list(series[1].values) == [20.25, 20.5, 20.0]
    assert "auto_adjust" in series[0].meta.notes[0]


def test_fixture_trends_export_bom_crlf_flags() -> None:
    small, value = read(FIXTURES / "trends" / "multiTimeline.csv")
    assert (small.meta.id, value.meta.id) == ("small cap", "value stocks")
    assert small.meta.kind == "search" and small.meta.frequency == "W"
    assert small.meta.units == "0-100 relative (sampled, per request)"
    assert list(small.values) == [40.0, 0.5, 100.0, 63.0]
    assert small.flags is not None and value.flags is not None
    assert list(small.flags["below_one"]) == [False, True, False, False]
    assert list(small.flags["partial"]) == [False, False, False, True]
    assert "region: United States" in small.meta.notes


def test_fixture_fred_dot_is_missing_and_counted() -> None:
    (s,), entry = entry_of(FIXTURES / "fred" / "DGS2_download.csv")
    assert s.meta.id == "DGS2" and s.meta.kind == "macro"
    assert list(s.values) == [0.16, 0.17, 0.16]
    assert entry.rejected_rows == 0 and "1 missing value (blank, '.' or null) skipped" in entry.reason


def test_fixture_tidy_long() -> None:
    aaa, rate = read(FIXTURES / "tidy" / "long.csv")
    assert (aaa.meta.id, aaa.meta.kind, rate.meta.id, rate.meta.kind) == ("AAA", "price", "RATE", "macro")
    assert list(rate.values) == [4.5, 4.25, 4.0]


# ============================================================================ Google Trends exports


def test_trends_case1_valid_export(tmp_path: Path) -> None:
    (s,), entry = entry_of(write(tmp_path, "multiTimeline.csv", TRENDS_OK))
    assert s.meta.id == "small cap" and s.meta.kind == "search" and entry.format == "trends-export"
    assert list(s.values) == [40.0, 0.5, 100.0]
    assert s.values.index[0] == pd.Timestamp("2026-01-04")
    assert s.flags is not None and list(s.flags["below_one"]) == [False, True, False]
    assert "1 '<1' cells stored as 0.5" in " ".join(s.meta.notes)


def test_trends_case2_bom_and_crlf(tmp_path: Path) -> None:
    p = write(tmp_path, "m.csv", ("\ufeff" + TRENDS_OK).replace("\n", "\r\n").encode("utf-8"))
    (s,) = read(p)
    assert s.meta.id == "small cap" and list(s.values) == [40.0, 0.5, 100.0]


def test_trends_case3_german_export_is_an_unsupported_locale(tmp_path: Path) -> None:
    german = "Kategorie: Alle Kategorien\n\nWoche;laufschuhe: (Deutschland)\n20.09.2026;50\n27.09.2026;48\n"
    with pytest.raises(FormatError, match="unsupported locale") as err:
        read(write(tmp_path, "m.csv", german))
    assert "English" in str(err.value)
    # without the category line and with commas, the translated first column still gives it away
    with pytest.raises(FormatError, match="unsupported locale"):
        read(write(tmp_path, "m2.csv", "Woche,laufschuhe: (Deutschland)\n20.09.2026,50\n"))
    # and dotted dates are never read as some other date
    with pytest.raises(FormatError, match="unsupported locale"):
        read(write(tmp_path, "m3.csv", "Date,Close\n20.09.2026,50\n"))


def test_trends_case4_header_missing(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="without its header line"):
        read(write(tmp_path, "m.csv", "Category: All categories\n\n2026-01-04,40\n2026-01-11,41\n"))
    with pytest.raises(FormatError, match="no header row"):
        read(write(tmp_path, "n.csv", "2026-01-04,40\n2026-01-11,41\n"))


def test_trends_case5_blank_line_missing(tmp_path: Path) -> None:
    (s,) = read(write(tmp_path, "m.csv", TRENDS_OK.replace("\n\n", "\n")))
    assert list(s.values) == [40.0, 0.5, 100.0]


@pytest.mark.parametrize("bad", ["101", "-1", "50.5", "abc"])
def test_trends_case6_values_outside_0_100_rejected(tmp_path: Path, bad: str) -> None:
    with pytest.raises(FormatError, match="0-100 integer scale") as err:
        read(write(tmp_path, "m.csv", TRENDS_OK.replace(",40", f",{bad}")))
    assert repr(bad) in str(err.value) and "'small cap'" in str(err.value)


def test_trends_case6_zero_one_hundred_and_below_one_accepted(tmp_path: Path) -> None:
    (s,) = read(write(tmp_path, "m.csv", TRENDS_OK.replace(",40", ",0")))
    assert list(s.values) == [0.0, 0.5, 100.0]


def test_trends_case7_case8_five_terms_quoted_comma_and_colon_paren(tmp_path: Path) -> None:
    header = 'Week,"foo, bar: (Worldwide)",ratio: (test): (United States),c: (US),d: (US),e: (US)\n'
    body = "2026-01-04,1,2,3,4,5\n2026-01-11,6,7,8,9,10\n2026-01-18,1,1,1,1,100\n"
    series = read(write(tmp_path, "m.csv", "Category: All categories\n\n" + header + body))
    assert [s.meta.id for s in series] == ["foo, bar", "ratio: (test)", "c", "d", "e"]
    assert "region: United States" in series[1].meta.notes
    six_header = header.rstrip("\n") + ",f: (US)\n"
    six_body = body.replace("\n", ",1\n")
    with pytest.raises(FormatError, match="at most 5"):
        read(write(tmp_path, "six.csv", "Category: All categories\n\n" + six_header + six_body))


def test_trends_case9_mixed_granularity(tmp_path: Path) -> None:
    text = "Category: All categories\n\nDay,x: (US)\n2026-01-01,1\n2026-01-02,2\n2026-01-03,3\n2026-01-10,4\n"
    with pytest.raises(FormatError, match="mixed granularity") as err:
        read(write(tmp_path, "m.csv", text))
    assert "2026-01-03 then 2026-01-10" in str(err.value)


def test_trends_case10_hourly_export_rejected(tmp_path: Path) -> None:
    text = "Category: All categories\n\nTime,x: (US)\n2026-09-26T14,1\n2026-09-26T15,2\n"
    with pytest.raises(FormatError, match="hourly"):
        read(write(tmp_path, "m.csv", text))


def test_trends_case11_all_zero_accepted_with_a_warning(tmp_path: Path) -> None:
    text = TRENDS_OK.replace(",40", ",0").replace(",<1", ",0").replace(",100", ",0")
    (s,), entry = entry_of(write(tmp_path, "m.csv", text))
    assert (s.values == 0).all()
    assert any(n.startswith("warning: every value") for n in s.meta.notes)
    assert entry.status == "loaded"


def test_trends_case12_partial_last_week(tmp_path: Path) -> None:
    text = (
        "Category: All categories\n\nWeek,x: (US),isPartial\n2026-01-04,40,False\n2026-01-11,41,False\n"
        "2026-01-18,12,True\n"
    )
    (s,) = read(write(tmp_path, "m.csv", text))
    assert s.flags is not None and list(s.flags["partial"]) == [False, False, True]
    # no isPartial column (the website's export): a week that had not ended when the file was
    # written is flagged from the file's own date
    today = pd.Timestamp.today().normalize()
    sundays = [today - pd.Timedelta(days=(today.day_of_week + 1) % 7 + 7 * k) for k in (2, 1, 0)]
    rows = "".join(f"{d.date()},{v}\n" for d, v in zip(sundays, (50, 100, 30), strict=True))
    (s,) = read_file(write(tmp_path, "n.csv", "Category: All categories\n\nWeek,x: (US)\n" + rows))
    assert s.flags is not None and list(s.flags["partial"]) == [False, False, True]
    assert any("flagged partial" in n for n in s.meta.notes)


def test_trends_case13_related_queries_rejected(tmp_path: Path) -> None:
    text = (
        "Category: All categories\n\nTOP\nsmall cap stocks,100\nsmall cap etf,45\n\n"
        'RISING\nsmall cap etf,"+1,650%"\nrussell 2000 small cap,Breakout\n'
    )
    with pytest.raises(FormatError, match="wrong export type"):
        read(write(tmp_path, "relatedQueries.csv", text))


def test_trends_interest_by_region_rejected(tmp_path: Path) -> None:
    text = "Category: All categories\n\nRegion,small cap: (1/1/26 - 1/31/26)\nTexas,100\nOhio,80\n"
    with pytest.raises(FormatError, match="wrong export type: interest by region"):
        read(write(tmp_path, "geoMap.csv", text))


def test_trends_case14_html_page(tmp_path: Path) -> None:
    page = "<!DOCTYPE html>\n<html><head><title>Sorry</title></head><body>unusual traffic</body></html>\n"
    with pytest.raises(FormatError, match="HTML page") as err:
        read(write(tmp_path, "multiTimeline.csv", page))
    assert "multiTimeline.csv" in str(err.value)  # the message names the file


# ================================================================================ user price CSVs


def test_prices_case16_all_nan_close(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"no values: all 3 rows of 'Close' are blank"):
        read(write(tmp_path, "X.csv", "Date,Close\n2024-01-02,\n2024-01-03,.\n2024-01-04,\n"))


def test_prices_case17_duplicate_dates(tmp_path: Path) -> None:
    (s,), entry = entry_of(
        write(tmp_path, "X.csv", "Date,Close\n2024-01-02,10\n2024-01-02,11\n2024-01-03,12\n")
    )
    assert list(s.values) == [11.0, 12.0]  # the last row wins
    assert "warning: 1 duplicate-date rows removed; 1 dates had different values" in entry.reason
    (s,), entry = entry_of(
        write(tmp_path, "Y.csv", "Date,Close\n2024-01-02,10\n2024-01-02,10\n2024-01-03,12\n")
    )
    assert list(s.values) == [10.0, 12.0]
    assert "1 duplicate-date rows with identical values removed" in entry.reason


def test_prices_case17_yahoo_duplicates_with_different_volumes(tmp_path: Path) -> None:
    text = (
        "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,2,0.5,1.5,1.5,100\n"
        "2024-01-02,1,2,0.5,1.5,1.5,900\n2024-01-03,1,2,0.5,1.6,1.6,100\n"
    )
    (s,), entry = entry_of(write(tmp_path, "Z.csv", text))
    assert list(s.values) == [1.5, 1.6] and "duplicate-date rows with identical values" in entry.reason


def test_prices_case18_negative_and_zero_quarantined(tmp_path: Path) -> None:
    (s,), entry = entry_of(
        write(tmp_path, "X.csv", "Date,Close\n2024-01-02,10\n2024-01-03,-3.2\n2024-01-04,0\n")
    )
    assert list(s.values) == [10.0]
    assert entry.rejected_rows == 2 and "zero or negative price (quarantined): 2" in entry.reason


def test_prices_case21_unsorted_and_future(tmp_path: Path) -> None:
    text = "Date,Close\n2024-01-03,2\n2099-01-01,5\n2024-01-02,1\n"
    (s,), entry = entry_of(write(tmp_path, "X.csv", text))
    assert list(s.values.index) == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03")]
    assert list(s.values) == [1.0, 2.0]
    assert entry.rejected_rows == 1 and "dated after today (2026-11-24): 1" in entry.reason
    assert "rows were out of date order: sorted" in entry.reason


def test_prices_case22_ambiguous_dates(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="ambiguous day/month dates such as '01/02/2024'") as err:
        read(write(tmp_path, "A.csv", "Date,Close\n01/02/2024,1\n13/02/2024,2\n"))
    assert "YYYY-MM-DD" in str(err.value)
    with pytest.raises(FormatError, match="ambiguous"):
        read(write(tmp_path, "B.csv", "Date,Close\n01/02/2024,1\n03/02/2024,2\n"))
    # a US column that proves itself month-first is read as such
    (s,) = read(write(tmp_path, "C.csv", "Date,Close\n01/02/2024,1\n01/13/2024,2\n"))
    assert list(s.values.index) == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-13")]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty file (0 bytes)"),
        (b"Date,Close\n", "header only, no data rows"),
        (b"Date,Close\r\n\r\n", "header only, no data rows"),
        (b"\n", "only blank lines"),
        (gzip.compress(b"Date,Close\n2024-01-02,1\n"), "gzip"),
        ("Date,Close\n2024-01-02,1\n".encode("utf-16"), "binary content (or UTF-16 text)"),
        (b"PK\x03\x04rest-of-a-workbook", "ZIP archive"),
    ],
)
def test_prices_case27_empty_header_only_newline_gzip(tmp_path: Path, content: bytes, needle: str) -> None:
    p = write(tmp_path, "X.csv", content)
    with pytest.raises(FormatError) as err:
        read(p)
    assert needle in str(err.value)
    assert str(p) in str(err.value)  # names the file


def test_prices_non_numeric_cells_are_counted(tmp_path: Path) -> None:
    text = 'Date,Close\n2024-01-02,10\n2024-01-03,"1.234,56"\n2024-01-04,=HYPERLINK("x")\n2024-01-05,12\n'
    (s,), entry = entry_of(write(tmp_path, "X.csv", text))
    assert list(s.values) == [10.0, 12.0]
    assert entry.rejected_rows == 2 and "non-numeric value (e.g. '1.234,56'): 2" in entry.reason


def test_prices_unparsable_dates_are_counted(tmp_path: Path) -> None:
    text = "Date,Close\n2024-01-02,10\n2024-02-30,11\n,12\n2024-01-05,13\n"
    (s,), entry = entry_of(write(tmp_path, "X.csv", text))
    assert list(s.values) == [10.0, 13.0]
    assert entry.rejected_rows == 2 and "no date: 1" in entry.reason and "'2024-02-30'" in entry.reason


def test_prices_mixed_date_formats_rejected(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="mixes date formats"):
        read(write(tmp_path, "X.csv", "Date,Close\n2024-01-02,1\n01/03/2024,2\n01/04/2024,3\n"))


def test_timestamps_midnight_accepted_intraday_and_offsets_rejected(tmp_path: Path) -> None:
    (s,) = read(write(tmp_path, "A.csv", "Date,Close\n2024-01-02 00:00:00,1\n2024-01-03 00:00:00,2\n"))
    assert list(s.values.index) == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03")]
    with pytest.raises(FormatError, match="intraday"):
        read(write(tmp_path, "B.csv", "Date,Close\n2024-01-02 00:00:00,1\n2024-01-02 15:30:00,2\n"))
    with pytest.raises(FormatError, match="time-zone offsets"):
        read(write(tmp_path, "C.csv", "Date,Close\n2024-03-10T01:00-05:00,1\n2024-03-10T03:00-04:00,2\n"))


def test_other_date_formats(tmp_path: Path) -> None:
    for name, dates in {"m.csv": ("2024-01", "2024-02"), "n.csv": ("202401", "202402")}.items():
        (s,) = read(write(tmp_path, name, f"date,value\n{dates[0]},1.5\n{dates[1]},2.5\n"))
        assert list(s.values.index) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]
    with pytest.raises(FormatError, match="two-digit years"):
        read(write(tmp_path, "o.csv", "Date,Close\n1/2/24,1\n"))


def test_prices_case26_resource_limits(tmp_path: Path) -> None:
    p = write(tmp_path, "X.csv", "Date,Close\n" + "2024-01-02,1\n" * 100)
    with pytest.raises(FormatError, match="file too large"):
        read_file(p, max_bytes=1000)
    catalog_folder = tmp_path / "folder"
    write(catalog_folder, "big.csv", "Date,Close\n" + "2024-01-02,1\n" * 100)
    write(catalog_folder, "ok.csv", "Date,Close\n2024-01-02,1\n")
    catalog = FilesSource(catalog_folder, max_bytes=1000, today=TODAY).load()
    assert [e.origin for e in catalog.report.skipped] == ["big.csv"]
    wide = "Date," + ",".join(f"c{i}" for i in range(20_000)) + "\n"
    with pytest.raises(FormatError, match="columns \\(limit"):
        read(write(tmp_path, "W.csv", wide))
    with pytest.raises(FormatError, match="characters long"):
        read(write(tmp_path, "L.csv", "Date," + "x" * 10_000_000 + "\n2024-01-02,1\n"))


def test_case28_formula_cells_are_rejected_not_evaluated(tmp_path: Path) -> None:
    text = 'Date,Close\n2024-01-02,=HYPERLINK("http://evil";"x")\n2024-01-03,@SUM(1+1)\n2024-01-04,-2+3\n2024-01-05,5\n'
    (s,), entry = entry_of(write(tmp_path, "X.csv", text))
    assert list(s.values) == [5.0] and entry.rejected_rows == 3


# ===================================================================== other formats and rules


def test_formats_detected(tmp_path: Path) -> None:
    cases = {
        "IWM.csv": ("Date,Close\n2024-01-02,1\n", "price-close"),
        "lower.csv": ("date,close\n2024-01-02,1\n", "price-close"),
        "SPY.csv": ("Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,2,0.5,1.5,1.4,100\n", "yahoo"),
        "NOADJ.csv": ("Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,100\n", "yahoo"),
        "a.csv": ("observation_date,DGS2\n2024-01-02,4.1\n", "fred"),
        "b.csv": ("DATE,DGS10\n2024-01-02,4.1\n", "fred"),
        "c.csv": ("date,UNRATE\n2024-01-01,4\n", "fred"),
        "DGS30.csv": ("date,value\n2024-01-02,4.1\n", "fred-value"),
        "d.csv": ("date,value stocks\n2024-01-01,12\n2024-02-01,<1\n", "trends-series"),
        "e.csv": ("date,S&P 500\n2024-01-01,100\n", "trends-series"),
        "f.csv": ("date,my index\n2024-01-01,1234.5\n", "wide"),
        "g.csv": ("date,cape,tr_cape\n2024-01-01,30.1,31.2\n", "wide"),
        "tidy.csv": ("date,series,value\n2024-01-02,A,1\n", "tidy-long"),
    }
    for name, (text, fmt) in cases.items():
        assert detect_format(write(tmp_path / "data", name, text)) == fmt, name


def test_fred_id_versus_search_term_rule(tmp_path: Path) -> None:
    # an upper-case name is a FRED id ... unless a folder on its path is about trends and the values
    # are Google Trends values (integers 0..100): the monthly Trends files have terms like ETF, CPI
    text = "date,ETF\n2024-01-01,40\n2024-02-01,100\n2024-03-01,55\n"
    (s,) = read(write(tmp_path / "macro", "ETF.csv", text))
    assert (s.meta.kind, s.meta.id) == ("macro", "ETF")
    (s,) = read(write(tmp_path / "google_trends" / "monthly", "ETF.csv", text))
    assert (s.meta.kind, s.meta.id, s.meta.frequency) == ("search", "ETF", "M")
    # a FRED id with decimals stays macro even under trends/
    (s,) = read(write(tmp_path / "google_trends", "UNRATE.csv", "date,UNRATE\n2024-01-01,3.7\n"))
    assert s.meta.kind == "macro"
    # a lower-case name with Trends values is a search term; with other values, a wide column
    (s,) = read(write(tmp_path / "x", "vs.csv", "date,value stocks\n2024-01-01,12\n2024-02-01,<1\n"))
    assert (s.meta.kind, s.meta.id) == ("search", "value stocks")
    assert s.flags is not None and list(s.flags["below_one"]) == [False, True]
    (s,) = read(write(tmp_path / "x", "lvl.csv", "date,my index\n2024-01-01,1234.5\n"))
    assert (s.meta.kind, s.meta.id) == ("macro", "lvl:my index")


def test_stitched_series_need_a_folder_named_for_them(tmp_path: Path) -> None:
    text = "Date,Adjusted\n2004-01-04,0.24\n2004-01-11,0.28\n2004-01-18,0.25\n"
    (s,) = read(write(tmp_path / "google_trends" / "weekly", "stock_market.csv", text))
    assert (s.meta.kind, s.meta.id, s.meta.frequency) == ("search", "stock market", "W")
    assert "stitched" in s.meta.units
    with pytest.raises(FormatError, match="'Adjusted' column outside a trends folder"):
        read(write(tmp_path / "other", "stock_market.csv", text))


def test_yahoo_without_adj_close_falls_back_to_close(tmp_path: Path) -> None:
    (s,) = read(write(tmp_path, "NOADJ.csv", "Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,100\n"))
    assert list(s.values) == [1.5] and "no Adj Close" in s.meta.notes[0]


def test_yield_index_keeps_negative_values(tmp_path: Path) -> None:
    (s,), entry = entry_of(write(tmp_path, "^IRX.csv", "Date,Close\n2020-03-19,-0.028\n2020-03-20,0.01\n"))
    assert list(s.values) == [-0.028, 0.01] and entry.rejected_rows == 0


def test_wide_table_rules(tmp_path: Path) -> None:
    series = read(write(tmp_path, "cape.csv", "date,cape,ecy\n2024-01-01,30.5,-0.01\n2024-02-01,,0.02\n"))
    assert [s.meta.id for s in series] == ["cape:cape", "cape:ecy"]
    assert list(series[0].values) == [30.5] and list(series[1].values) == [-0.01, 0.02]
    with pytest.raises(FormatError, match="not a time series: column 'trough' is not numeric"):
        read(write(tmp_path, "nber.csv", "peak,trough\n1953-07-01,1954-05-01\n1957-08-01,1958-04-01\n"))
    with pytest.raises(FormatError, match="first column 'series_id' is not a date"):
        read(write(tmp_path, "meta.csv", "series_id,freq\nGDP,Q\n"))


def test_unsupported_files(tmp_path: Path) -> None:
    cases = {
        "book.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel workbook (.xls) not supported"),
        "data.dat": (b'"a" "b"\n1 2\n', "whitespace-separated .dat file: unsupported format"),
        "semi.csv": (b"Date;Close\n2024-01-02;1\n", "semicolon-separated"),
        "tabs.tsv": (b"Date\tClose\n2024-01-02\t1\n", "tab-separated"),
        "latin.csv": ("Date,Soci\xe9t\xe9\n2024-01-02,1\n".encode("latin-1"), "not UTF-8"),
        "notes.json": (b"{}", "not a data file (.json)"),
        "x.csv.gz": (gzip.compress(b"Date,Close\n"), "compressed archive (.gz)"),
        "one.csv": (b"Date\n2024-01-02\n", "one column only"),
        "renamed.csv": (b"PAR1\x00\x00", "Parquet file with a text suffix"),
    }
    for name, (content, needle) in cases.items():
        with pytest.raises(FormatError) as err:
            read(write(tmp_path, name, content))
        assert needle in str(err.value), (name, str(err.value))


def test_parquet_tidy(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    df = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-02", "2099-01-01"]),
            "series": ["A", "A", "B", "B"],
            "value": [1.0, 2.0, 3.5, 4.0],
            "kind": ["macro", "macro", "price", "price"],
        }
    )
    p = tmp_path / "t.parquet"
    df.to_parquet(p)
    (a, b), entry = entry_of(p)
    assert (a.meta.id, a.meta.kind, list(a.values)) == ("A", "macro", [1.0, 2.0])
    assert (b.meta.id, b.meta.kind, list(b.values)) == ("B", "price", [3.5])
    assert entry.format == "parquet" and entry.rejected_rows == 1
    write(tmp_path, "broken.parquet", b"PAR1garbage")
    with pytest.raises(FormatError, match="not a readable Parquet file"):
        read(tmp_path / "broken.parquet")
    df.drop(columns="series").to_parquet(tmp_path / "wide.parquet")
    with pytest.raises(FormatError, match="tidy long table is expected"):
        read(tmp_path / "wide.parquet")


def test_parquet_without_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = write(tmp_path, "t.parquet", b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingDependencyError) as err:
        read(p)
    assert err.value.hint == "pip install 'hypecheck[parquet]'"
    write(tmp_path, "ok.csv", "Date,Close\n2024-01-02,1\n")
    catalog = FilesSource(tmp_path, today=TODAY).load()  # inside a folder: skipped with the hint
    reasons = {e.origin: e.reason for e in catalog.report.skipped}
    assert "pip install 'hypecheck[parquet]'" in reasons["t.parquet"]


def test_tidy_csv_kinds(tmp_path: Path) -> None:
    (s,) = read(write(tmp_path, "t.csv", "date,series,value\n2024-01-02,A,1\n2024-01-03,A,2\n"))
    assert s.meta.kind == "price" and "no kind column: read as a price series" in s.meta.notes
    with pytest.raises(FormatError, match="kind"):
        read(write(tmp_path, "u.csv", "date,series,value,kind\n2024-01-02,A,1,stock\n"))


# ======================================================================= the source and folders


def test_folder_with_one_bad_file_loads_the_good_one(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    write(folder, "IWM.csv", "Date,Close\n2024-01-02,10\n2024-01-03,11\n")
    write(folder, "bad.csv", "Date,Close\n01/02/2024,1\n03/02/2024,2\n")
    catalog = FilesSource(folder, today=TODAY).load()
    assert catalog.ids("price") == ["IWM"]
    (skip,) = catalog.report.skipped
    assert skip.origin == "bad.csv" and skip.reason.startswith("ambiguous day/month dates")
    (ok,) = catalog.report.loaded
    assert ok.origin == "IWM.csv" and ok.rows == 2 and ok.format == "price-close"


def test_a_file_contributes_all_its_series_or_none(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    # the second term holds a 101: the whole export is skipped, not just that column
    write(
        folder,
        "multiTimeline.csv",
        "Category: All categories\n\nWeek,a: (US),b: (US)\n2026-01-04,1,2\n2026-01-11,3,101\n",
    )
    write(folder, "SPY.csv", "Date,Close\n2024-01-02,10\n")
    catalog = FilesSource(folder, today=TODAY).load()
    assert catalog.ids("search") == [] and catalog.ids("price") == ["SPY"]
    assert [e.origin for e in catalog.report.skipped] == ["multiTimeline.csv"]


def test_explicit_bad_file_raises_and_adds_nothing(tmp_path: Path) -> None:
    good = write(tmp_path, "IWM.csv", "Date,Close\n2024-01-02,10\n")
    bad = write(tmp_path, "bad.csv", "Date,Close\n01/02/2024,1\n03/02/2024,2\n")
    catalog = Catalog()
    with pytest.raises(FormatError, match=r"bad\.csv: ambiguous"):
        FilesSource([good, bad], today=TODAY).load(catalog)
    assert len(catalog) == 0 and catalog.report.entries == []
    with pytest.raises(InputError, match="no such file or folder"):
        FilesSource(tmp_path / "missing").load()


def test_nothing_loadable_is_an_error_not_an_empty_catalog(tmp_path: Path) -> None:
    write(tmp_path / "data", "notes.txt", "just some notes\n")
    with pytest.raises(NoDataError, match="no series found"):
        FilesSource(tmp_path / "data").load()


def test_folder_walk_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    write(folder, "b/Z.csv", "Date,Close\n2024-01-02,1\n")
    write(folder, "a/Y.csv", "Date,Close\n2024-01-02,1\n")
    write(folder, "X.csv", "Date,Close\n2024-01-02,1\n")
    write(folder, ".DS_Store", b"\x00\x00")
    write(folder, ".git/config", "[core]\n")
    catalog = FilesSource(folder, today=TODAY).load()
    assert [e.origin for e in catalog.report.entries] == [".git/", ".DS_Store", "X.csv", "a/Y.csv", "b/Z.csv"]
    assert [e.status for e in catalog.report.entries] == ["skipped", "skipped", "loaded", "loaded", "loaded"]


def test_registry_and_options(tmp_path: Path) -> None:
    write(tmp_path, "IWM.csv", "Date,Close\n2024-01-02,10\n2099-01-02,11\n")
    catalog = get_source("files", path=tmp_path).load(today="2100-01-01")
    assert len(catalog.get("price", "IWM").values) == 2
    with pytest.raises(InputError, match="unknown option"):
        get_source("files", path=tmp_path).load(colour="blue")


def test_load_into_existing_catalog_merges_same_series(tmp_path: Path) -> None:
    a = write(tmp_path / "a", "DGS2.csv", "date,DGS2\n2024-01-02,4.0\n2024-01-03,4.1\n2024-01-04,4.2\n")
    b = write(tmp_path / "b", "DGS2.csv", "date,value\n2023-12-28,3.9\n2023-12-29,3.95\n2024-01-02,4.0\n")
    catalog = FilesSource([a], today=TODAY).load()
    FilesSource([b], today=TODAY).load(catalog)
    s = catalog.get("macro", "DGS2")
    assert len(s.values) == 5 and s.values.index[0] == pd.Timestamp("2023-12-28")
    assert "merged with series already loaded: DGS2" in catalog.report.entries[-1].reason


def test_meta_fields(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    write(folder, "prices/IWM.csv", "Date,Close\n2024-01-02,10\n2024-01-03,11\n2024-01-04,12\n")
    s = FilesSource(folder, today=TODAY).load().get("price", "IWM")
    m = s.meta
    assert (m.source, m.origin, m.frequency, m.sample_data) == ("files", "prices/IWM.csv", "D", False)
    assert m.description == FORMATS["price-close"]
    assert s.values.index.tz is None and (s.values.index == s.values.index.normalize()).all()
    assert s.values.dtype == np.float64


# ========================================================================= round-trip property

_dates = st.lists(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 11, 1)),
    min_size=1,
    max_size=40,
    unique=True,
)
_values = st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_round_trip_property(data: st.DataObject) -> None:
    days = data.draw(_dates)
    values = data.draw(st.lists(_values, min_size=len(days), max_size=len(days)))
    order = data.draw(st.permutations(range(len(days))))
    text = "Date,Close\n" + "".join(f"{days[i].isoformat()},{values[i]!r}\n" for i in order)
    with tempfile.TemporaryDirectory() as tmp:
        (s,), entry = load_file(write(Path(tmp), "P.csv", text), today=TODAY)
    expect = sorted(zip(days, values, strict=True))
    assert entry.rejected_rows == 0
    assert [d.date() for d in s.values.index] == [d for d, _ in expect]
    assert s.values.tolist() == [v for _, v in expect]  # exact: no rounding anywhere
