"""Shiller's ie_data.xls reader: the parsing core on a hand-built fixture (tests/fixtures/shiller),
the file layer on tiny .xlsx workbooks written here with the standard library (no Excel writer is
installed), and the real workbook from ../shared/data when it is present."""

from __future__ import annotations

import math
import sys
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pytest

from hypecheck.data.shiller import (
    SERIES_IDS,
    decode_shiller_date,
    is_shiller_workbook,
    parse_shiller_sheet,
    read_shiller,
)
from hypecheck.errors import FormatError, MissingDependencyError
from hypecheck.schema import SeriesData

FIXTURE = Path(__file__).parents[1] / "fixtures" / "shiller" / "data_sheet.csv"
REAL = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "fundamentals"
    / "shiller"
    / "ie_data.xls"
)


def _cell(s: str) -> Any:
    if s == "":
        return np.nan
    try:
        return float(s)
    except ValueError:
        return s


def raw_sheet() -> pd.DataFrame:
    """The fixture as calamine hands a sheet to pandas with header=None: floats, text, NaN."""
    df = pd.read_csv(FIXTURE, header=None, dtype=str, keep_default_na=False)
    return df.map(_cell).astype(object)


def by_id(series: list[SeriesData]) -> dict[str, SeriesData]:
    return {s.meta.id: s for s in series}


# -- a minimal .xlsx writer (zip + XML), enough for calamine -------------------------------------------


def _col(j: int) -> str:
    name = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        name = chr(65 + r) + name
    return name


def _sheet_xml(df: pd.DataFrame) -> str:
    rows = []
    for i, row in enumerate(df.itertuples(index=False), start=1):
        cells = []
        for j, v in enumerate(row):
            ref = f"{_col(j)}{i}"
            if isinstance(v, str):
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
            elif v is not None and not (isinstance(v, float) and math.isnan(v)):
                cells.append(f'<c r="{ref}"><v>{float(v)!r}</v></c>')
        rows.append(f'<row r="{i}">{"".join(cells)}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    ns = "http://schemas.openxmlformats.org/"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Types xmlns="{ns}package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{k}.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for k in range(1, len(sheets) + 1)
            )
            + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}spreadsheetml/2006/main" '
            f'xmlns:r="{ns}officeDocument/2006/relationships"><sheets>'
            + "".join(
                f'<sheet name="{escape(name)}" sheetId="{k}" r:id="rId{k}"/>'
                for k, name in enumerate(sheets, start=1)
            )
            + "</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{k}" Type="{ns}officeDocument/2006/relationships/worksheet" '
                f'Target="worksheets/sheet{k}.xml"/>'
                for k in range(1, len(sheets) + 1)
            )
            + "</Relationships>",
        )
        for k, df in enumerate(sheets.values(), start=1):
            z.writestr(f"xl/worksheets/sheet{k}.xml", _sheet_xml(df))
    return path


# -- dates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (1871.01, "1871-01-01"),
        (1871.09, "1871-09-01"),
        (1871.1, "1871-10-01"),  # the float 1871.10 is 1871.1: October, not January
        (1871.11, "1871-11-01"),
        (1871.12, "1871-12-01"),
        (2025.12, "2025-12-01"),
        ("1999.1", "1999-10-01"),
        (1871.0, None),
        (1871.13, None),
        (1871.041667, None),  # the Date Fraction column
        ("May price is May 5th close", None),
        (np.nan, None),
        (None, None),
    ],
)
def test_decode_shiller_date(cell: Any, expected: str | None) -> None:
    got = decode_shiller_date(cell)
    assert (got is None) if expected is None else (got == pd.Timestamp(expected))


# -- the parsing core on the fixture ------------------------------------------------------------------------


def test_fixture_series_ids_and_schema() -> None:
    series = by_id(parse_shiller_sheet(raw_sheet(), "fixture"))
    assert list(series) == list(SERIES_IDS)
    for s in series.values():
        assert s.meta.kind == "macro" and s.meta.frequency == "M" and s.meta.source == "files"
        assert s.meta.origin == "fixture" and s.meta.description and s.meta.units
        idx = pd.DatetimeIndex(s.values.index)
        assert idx.is_monotonic_increasing and idx.is_unique
        assert (idx.day == 1).all() and s.values.dtype == np.float64
    e = series["shiller:E"].meta
    assert e.description == "S&P composite earnings, trailing 12 months, USD per index unit (Shiller)"
    assert any("reporting lag of 3 months" in n for n in e.notes)


def test_october_november_december() -> None:
    p = by_id(parse_shiller_sheet(raw_sheet(), "fixture"))["shiller:P"].values
    assert len(p) == 15
    assert list(pd.DatetimeIndex(p.index[:12]).month) == list(range(1, 13))
    assert p[pd.Timestamp("1871-10-01")] == 5.3
    assert p[pd.Timestamp("1871-11-01")] == 5.4
    assert p[pd.Timestamp("1871-12-01")] == 5.5
    assert p[pd.Timestamp("1871-01-01")] == 4.4  # 1871.1 did not land on January


def test_header_across_rows_and_reordered_columns() -> None:
    raw = raw_sheet()
    base = by_id(parse_shiller_sheet(raw, "fixture"))
    # GS10's header is "Long / Interest / Rate GS10", CAPE's is seven rows deep, real_P is "Real / Price"
    assert base["shiller:GS10"].values.iloc[0] == 5.3
    assert base["shiller:CAPE"].values.iloc[0] == 10.3
    assert base["shiller:real_P"].values.iloc[0] == 4.6464
    assert base["shiller:real_E"].values.iloc[0] == 0.4224  # not "Real TR Scaled Earnings"
    assert base["shiller:TR_CAPE"].values.iloc[0] == 11.3  # not CAPE, not "Excess CAPE Yield"
    # a future version with the columns reordered and an extra one inserted still parses the same
    order = [3, 16, 0, 14, 1, 12, 2, 6, 4, 5, 7, 8, 9, 10, 11, 13, 15]
    shuffled = raw[order].copy()
    shuffled.insert(2, "extra", [*[np.nan] * 6, "New", "Column", *[1.0] * (len(raw) - 8)])
    shuffled.columns = pd.RangeIndex(shuffled.shape[1])
    moved = by_id(parse_shiller_sheet(shuffled, "fixture"))
    assert list(moved) == list(base)
    for sid, s in base.items():
        pd.testing.assert_series_equal(moved[sid].values, s.values)


def test_nan_tail_dropped_per_series_not_per_row() -> None:
    series = by_id(parse_shiller_sheet(raw_sheet(), "fixture"))
    assert series["shiller:P"].end == pd.Timestamp("1872-03-01")
    assert series["shiller:CPI"].end == pd.Timestamp("1872-03-01")
    for sid in ("shiller:E", "shiller:D", "shiller:real_E"):
        s = series[sid]
        assert s.end == pd.Timestamp("1872-01-01") and len(s.values) == 13
        assert any("latest 2 month(s) of the sheet are blank" in n for n in s.meta.notes)
    # leading blanks (CAPE needs ten years of earnings) are dropped too
    assert series["shiller:CAPE"].start == pd.Timestamp("1871-04-01")
    assert not any(s.values.isna().any() for s in series.values())


def test_footnote_row_ignored_and_kept_in_notes() -> None:
    series = by_id(parse_shiller_sheet(raw_sheet(), "fixture"))
    for s in series.values():
        assert s.end is not None and s.end <= pd.Timestamp("1872-03-01")
        assert "sheet footnote under P: Mar price is Mar 5th close" in s.meta.notes
        assert "sheet footnote under CPI: Feb/Mar CPI estimated" in s.meta.notes


@pytest.mark.parametrize("code", ["E", "P", "Date"])
def test_missing_required_column_is_a_format_error_naming_it(code: str) -> None:
    raw = raw_sheet()
    col = [j for j in range(raw.shape[1]) if raw.iat[7, j] == code]
    assert len(col) == 1
    raw = raw.drop(columns=col)
    raw.columns = pd.RangeIndex(raw.shape[1])
    with pytest.raises(FormatError, match=rf"no {code} column") as info:
        parse_shiller_sheet(raw, "fixture")
    assert info.value.hint and "ie_data.xls" in info.value.hint


def test_missing_optional_columns_are_left_out() -> None:
    raw = raw_sheet().drop(columns=[4, 12, 14])  # CPI, CAPE, TR CAPE
    raw.columns = pd.RangeIndex(raw.shape[1])
    ids = [s.meta.id for s in parse_shiller_sheet(raw, "fixture")]
    assert ids == ["shiller:P", "shiller:D", "shiller:E", "shiller:GS10", "shiller:real_P", "shiller:real_E"]


def test_no_data_rows_or_no_months_is_a_format_error() -> None:
    raw = raw_sheet().iloc[:8]
    with pytest.raises(FormatError, match="no rows of numbers"):
        parse_shiller_sheet(raw, "fixture")
    excel_dates = raw_sheet()
    excel_dates.iloc[8:23, 0] = "1871-01-01"  # dates that are not Shiller's YYYY.MM numbers
    with pytest.raises(FormatError, match=r"no months written like 1871\.01"):
        parse_shiller_sheet(excel_dates, "fixture")


def test_duplicate_month_is_a_format_error() -> None:
    raw = raw_sheet()
    raw = pd.concat([raw.iloc[:10], raw.iloc[9:10], raw.iloc[10:]], ignore_index=True)
    with pytest.raises(FormatError, match="more than one row for 1871-02"):
        parse_shiller_sheet(raw, "fixture")


# -- the file layer ---------------------------------------------------------------------------------------------


def test_read_xlsx_end_to_end(tmp_path: Path) -> None:
    raw = raw_sheet()
    disclaimer = pd.DataFrame([["The data were developed by ... (made-up disclaimer)"]], dtype=object)
    path = write_xlsx(tmp_path / "ie_data.xlsx", {"Disclaimer": disclaimer, "Data": raw})
    assert is_shiller_workbook(path)
    from_file = by_id(read_shiller(path))
    from_frame = by_id(parse_shiller_sheet(raw, str(path)))
    assert list(from_file) == list(SERIES_IDS)
    for sid, s in from_frame.items():
        pd.testing.assert_series_equal(from_file[sid].values, s.values)
        assert from_file[sid].meta == s.meta
    assert from_file["shiller:P"].meta.origin == str(path)


def test_is_shiller_workbook_by_columns_or_name(tmp_path: Path) -> None:
    raw = raw_sheet()
    anonymous = raw.copy()
    anonymous.iloc[1:3, 0] = np.nan  # no "Shiller" anywhere: recognised by P, D, E, CAPE
    assert is_shiller_workbook(write_xlsx(tmp_path / "a.xlsx", {"Data": anonymous}))
    other = pd.DataFrame([["Date", "Close"], [1871.01, 4.4], [1871.02, 4.5]], dtype=object)
    assert not is_shiller_workbook(write_xlsx(tmp_path / "b.xlsx", {"Data": other}))
    assert not is_shiller_workbook(write_xlsx(tmp_path / "c.xlsx", {"Prices": raw}))
    csv = tmp_path / "cape.csv"
    csv.write_text("date,cape\n2020-01-01,30\n")
    assert not is_shiller_workbook(csv)
    assert not is_shiller_workbook(tmp_path / "absent.xls")


def test_workbook_without_data_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "ie_data.xlsx", {"Prices": raw_sheet()})
    with pytest.raises(FormatError, match=r"no sheet named 'Data'.*Prices"):
        read_shiller(path)


@pytest.mark.parametrize(
    "content",
    [b"", b"not a workbook at all\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64],
    ids=["empty", "text", "ole-header-only"],
)
def test_corrupt_workbook_is_a_format_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "ie_data.xls"
    path.write_bytes(content)
    assert not is_shiller_workbook(path)
    with pytest.raises(FormatError, match="not a readable Excel workbook") as info:
        read_shiller(path)
    assert info.value.hint and "download ie_data.xls again" in info.value.hint


def test_not_an_excel_file_or_absent(tmp_path: Path) -> None:
    csv = tmp_path / "ie_data.csv"
    csv.write_text("Date,P\n1871.01,4.44\n")
    with pytest.raises(FormatError, match="not an Excel workbook"):
        read_shiller(csv)
    with pytest.raises(FormatError, match="no such file"):
        read_shiller(tmp_path / "missing.xls")


def test_missing_calamine_is_a_dependency_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(tmp_path / "ie_data.xlsx", {"Data": raw_sheet()})
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # makes `import python_calamine` fail
    with pytest.raises(MissingDependencyError) as info:
        read_shiller(path)
    assert info.value.hint == "pip install python-calamine"
    with pytest.raises(MissingDependencyError):
        is_shiller_workbook(path)


# -- the real workbook (../shared/data, skipped when absent) --------------------------------------------------


@pytest.fixture(scope="module")
def real() -> dict[str, SeriesData]:
    if not REAL.is_file():
        pytest.skip(f"{REAL} is not present")
    return by_id(read_shiller(REAL))


@pytest.fixture(scope="module")
def real_sheet() -> pd.DataFrame:
    if not REAL.is_file():
        pytest.skip(f"{REAL} is not present")
    return pd.read_excel(REAL, sheet_name="Data", header=None, engine="calamine")


def _column(sheet: pd.DataFrame, code: str) -> int:
    """Independently: the column whose cell is exactly ``code`` in the header row holding ``P``."""
    top = sheet.iloc[:20].map(lambda v: v.strip() if isinstance(v, str) else v)
    (row,) = [i for i in top.index if (top.loc[i] == "P").any()]
    hits = [j for j in top.columns if top.at[row, j] == code]
    assert len(hits) == 1, (code, hits)
    return int(hits[0])


@pytest.mark.shared
def test_real_workbook_shape(real: dict[str, SeriesData]) -> None:
    assert is_shiller_workbook(REAL)
    assert {"shiller:P", "shiller:E", "shiller:D", "shiller:CPI", "shiller:CAPE"} <= set(real)
    p = real["shiller:P"]
    assert p.start == pd.Timestamp("1871-01-01")
    assert len(p.values) > 1800
    for s in real.values():
        idx = pd.DatetimeIndex(s.values.index)
        assert idx.is_monotonic_increasing and idx.is_unique and (idx.day == 1).all()
        assert not s.values.isna().any()
        months = (idx.year - idx[0].year) * 12 + idx.month - idx[0].month
        assert (np.diff(months) == 1).all(), f"{s.meta.id} skips months"


@pytest.mark.shared
def test_real_price_matches_the_sheet(real: dict[str, SeriesData], real_sheet: pd.DataFrame) -> None:
    date_col, p_col = _column(real_sheet, "Date"), _column(real_sheet, "P")
    row = real_sheet[pd.to_numeric(real_sheet[date_col], errors="coerce") == 2025.12]
    assert len(row) == 1
    assert real["shiller:P"].values[pd.Timestamp("2025-12-01")] == pytest.approx(
        float(row[p_col].iloc[0]), abs=0
    )
    # October is .1: 2025.1 is 2025-10, and its price differs from January's
    oct_ = real_sheet[pd.to_numeric(real_sheet[date_col], errors="coerce") == 2025.1]
    assert real["shiller:P"].values[pd.Timestamp("2025-10-01")] == float(oct_[p_col].iloc[0])


@pytest.mark.shared
def test_real_earnings_end(real: dict[str, SeriesData], real_sheet: pd.DataFrame) -> None:
    date_col, e_col = _column(real_sheet, "Date"), _column(real_sheet, "E")
    dates = pd.to_numeric(real_sheet[date_col], errors="coerce")
    e = pd.to_numeric(real_sheet[e_col], errors="coerce")
    last = float(dates[e.notna() & dates.notna()].iloc[-1])
    year, month = math.floor(last), round((last - math.floor(last)) * 100)
    s = real["shiller:E"]
    assert s.end == pd.Timestamp(year=year, month=month, day=1)
    p_end = real["shiller:P"].end
    assert p_end is not None and s.end is not None
    assert p_end - pd.DateOffset(months=6) <= s.end <= p_end
    if s.end < p_end:
        assert any("blank (not yet published)" in n for n in s.meta.notes)


@pytest.mark.shared
def test_real_cape_dotcom_peak(real: dict[str, SeriesData]) -> None:
    cape = real["shiller:CAPE"].values
    assert cape[pd.Timestamp("1999-12-01")] > 40
    assert (cape["1999-10-01":"2000-03-01"] > 40).all()
    assert real["shiller:CAPE"].start == pd.Timestamp("1881-01-01")
